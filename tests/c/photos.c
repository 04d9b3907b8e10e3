#include "photos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* A scanner for the fixed shape of predictions.json. */
static int parse_predictions(const char *text, ref_entry *out, int cap) {
  const char *p = strstr(text, "\"images\"");
  if (p) p += 7; /* its closing quote */
  int n = 0;
  while (p && n < cap && (p = strchr(p + 1, '"'))) {
    const char *q = strchr(p + 1, '"');
    if (!q) break;
    size_t len = (size_t)(q - p - 1);
    if (len < 5 || len >= sizeof out[n].file || memcmp(q - 5, ".JPEG", 5) != 0) {
      p = q;
      continue;
    }
    ref_entry *e = &out[n];
    memcpy(e->file, p + 1, len);
    e->file[len] = 0;
    const char *l = strstr(q, "\"label\":"), *t = strstr(q, "\"top5\":"), *tl = strstr(q, "\"top5_logits\":");
    if (!l || !t || !tl) break;
    e->label = atoi(l + 8);
    const char *s = strchr(t, '[');
    for (int k = 0; k < 5 && s; k++) {
      e->top5[k] = (int)strtol(s + 1, (char **)&s, 10);
      s = strchr(s, k < 4 ? ',' : ']');
    }
    s = strchr(tl, '[');
    for (int k = 0; k < 5 && s; k++) {
      e->top5_logits[k] = strtof(s + 1, (char **)&s);
      s = strchr(s, k < 4 ? ',' : ']');
    }
    n++;
    p = strchr(tl, ']');
  }
  return n;
}

int photos_load_reference(const char *model, ref_entry *out, int cap) {
  char path[1024];
  size_t size;
  snprintf(path, sizeof path, "%s/reference/%s/predictions.json", test_shared_dir(), model);
  char *json = (char *)test_read_file(path, &size);
  if (!json) return 0;
  char *text = realloc(json, size + 1);
  if (!text) {
    free(json);
    return 0;
  }
  text[size] = 0;
  int n = parse_predictions(text, out, cap);
  free(text);
  return n;
}

int photos_classify(sqz_model *m, const ref_entry *refs, int n, int *top5) {
  int done = 0;
  for (int i = 0; i < n; i++) {
    char path[1024];
    size_t size;
    for (int k = 0; k < 5; k++) top5[5 * i + k] = -1;
    snprintf(path, sizeof path, "%s/testdata/imagenet-sample/%s", test_shared_dir(), refs[i].file);
    uint8_t *img = test_read_file(path, &size);
    if (!img) {
      fprintf(stderr, "cannot read %s\n", path);
      continue;
    }
    sqz_error err = {SQZ_OK, ""};
    sqz_status st = sqz_classify_image(m, img, size, 0, &err);
    free(img);
    if (st) {
      fprintf(stderr, "%s: %s\n", path, err.message);
      continue;
    }
    sqz_prediction p[5];
    sqz_top_k(m, 5, p);
    for (int k = 0; k < 5; k++) top5[5 * i + k] = p[k].index;
    done++;
  }
  return done;
}
