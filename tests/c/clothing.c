#define _DEFAULT_SOURCE
#include "clothing.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/taught.h"
#include "testutil.h"

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted entries of dir (not starting with '.'); returns the count, -1 if unreadable. */
static int sorted_entries(const char *dir, char ***out) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0, cap = 64;
  char **names = malloc((size_t)cap * sizeof *names);
  struct dirent *e;
  while (names && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (n == cap) {
      char **bigger = realloc(names, (size_t)(cap *= 2) * sizeof *names);
      if (!bigger) break;
      names = bigger;
    }
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  if (names) qsort(names, (size_t)n, sizeof *names, cmp_names);
  *out = names;
  return names ? n : -1;
}

int clothing_list(const char *split, clothing_set *set) {
  memset(set, 0, sizeof *set);
  char root[1024];
  snprintf(root, sizeof root, "%s/testdata/clothing/%s", test_shared_dir(), split);
  char **classes;
  int nc = sorted_entries(root, &classes);
  if (nc <= 0) return 0;
  int cap = 0;
  for (int c = 0; c < nc && c < CLOTHING_MAX_CLASSES; c++) {
    snprintf(set->names[c], sizeof set->names[c], "%s", classes[c]);
    char dir[1400];
    snprintf(dir, sizeof dir, "%s/%s", root, classes[c]);
    char **files;
    int nf = sorted_entries(dir, &files);
    for (int f = 0; f < nf; f++) {
      if (set->n == cap) {
        cap = cap ? 2 * cap : 256;
        set->label = realloc(set->label, (size_t)cap * sizeof(int));
        set->rank = realloc(set->rank, (size_t)cap * sizeof(int));
        set->path = realloc(set->path, (size_t)cap * sizeof(char *));
      }
      char path[2048];
      snprintf(path, sizeof path, "%s/%s", dir, files[f]);
      set->label[set->n] = c, set->rank[set->n] = f, set->path[set->n] = strdup(path);
      set->n++;
      free(files[f]);
    }
    if (nf > 0) free(files);
    set->classes = c + 1;
  }
  for (int c = 0; c < nc; c++) free(classes[c]);
  free(classes);
  return set->n;
}

int clothing_embed(clothing_set *set, sqz_model *features) {
  sqz_model_info info = sqz_model_get_info(features);
  set->dim = info.num_classes;
  set->embeddings = calloc((size_t)set->n * set->dim, sizeof(float));
  int done = 0;
  for (int i = 0; i < set->n && set->embeddings; i++) {
    size_t size;
    uint8_t *img = test_read_file(set->path[i], &size);
    sqz_error err = {SQZ_OK, ""};
    if (!img || sqz_classify_image(features, img, size, 0, &err) != SQZ_OK) {
      fprintf(stderr, "%s: %s\n", set->path[i], img ? err.message : "cannot read");
      free(img);
      continue;
    }
    free(img);
    memcpy(set->embeddings + (size_t)i * set->dim, sqz_logits(features), (size_t)set->dim * sizeof(float));
    done++;
  }
  return done;
}

sqz_model *clothing_features_model(const uint8_t *base, size_t size, int threads) {
  uint8_t *bytes = NULL;
  size_t n = 0;
  sqz_error err = {SQZ_OK, ""};
  if (sqz_features_model_write(base, size, &bytes, &n, &err) != SQZ_OK) {
    fprintf(stderr, "features model: %s\n", err.message);
    return NULL;
  }
  sqz_options options = {threads};
  sqz_model *m = sqz_model_load_with_options(bytes, n, &options, &err);
  if (!m) fprintf(stderr, "features model: %s\n", err.message);
  sqz_free(bytes);
  return m;
}

void clothing_free(clothing_set *set) {
  for (int i = 0; i < set->n; i++) free(set->path[i]);
  free(set->path), free(set->label), free(set->rank), free(set->embeddings);
  memset(set, 0, sizeof *set);
}
