/* The compact-model table: for each .sqz given, its size, its weight
 * encoding, top-1 and top-5 accuracy on the 200 sample photos (true labels
 * from ../shared/reference), top-1 agreement with its float model
 * (models/<name>.sqz, the lossless conversion of the upstream weights) and the
 * median load time (parse + decode + pack). A report, not a test:
 *   build/bench_compact_models models/NAME.sqz...
 * ($SQZ_SHARED_DIR and $SQZ_MODELS_DIR as for the tests). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "format/format.h"
#include "photos.h"
#include "squeezenet.h"
#include "testutil.h"

#define PHOTOS 200
#define LOADS 5

/* The weight encodings of the file, in order of first use: "f16+codebook8h+codebook6h". */
static void weight_encodings(const uint8_t *bytes, size_t size, char *out, size_t cap) {
  static sqz_model_desc d;
  sqz_error err;
  snprintf(out, cap, "?");
  if (sqz_model_parse(bytes, size, &d, &err)) return;
  out[0] = 0;
  for (int i = 0; i < d.num_layers; i++) {
    const sqz_layer_desc *l = &d.layers[i];
    const sqz_tensor_view *ts[3] = {&l->conv.weights, &l->squeeze.weights, &l->expand1.weights};
    const sqz_tensor_view *more = &l->expand3.weights;
    for (int k = 0; k < 4; k++) {
      const sqz_tensor_view *t = k < 3 ? ts[k] : more;
      if ((k == 0) != (l->op == SQZ_OP_CONV) || (l->op != SQZ_OP_CONV && l->op != SQZ_OP_FIRE)) continue;
      static const char *const names[] = {"f32", "f16", "codebook", "sparse", "int8", "qs8"};
      char one[32];
      if ((unsigned)t->encoding > 5) snprintf(one, sizeof one, "enc%d", (int)t->encoding);
      else if ((t->encoding == SQZ_ENC_CODEBOOK || t->encoding == SQZ_ENC_SPARSE_CODEBOOK) && t->bytes >= 2)
        snprintf(one, sizeof one, "%s%d%s", names[t->encoding], t->data[0], t->data[1] ? "h" : "");
      else snprintf(one, sizeof one, "%s", names[t->encoding]);
      char *hit = strstr(out, one);
      size_t len = strlen(one);
      if (hit && (hit[len] == 0 || hit[len] == '+') && (hit == out || hit[-1] == '+')) continue;
      size_t used = strlen(out);
      snprintf(out + used, cap - used, "%s%s", used ? "+" : "", one);
    }
  }
}

typedef struct baseline {
  char name[64];
  int top5[5 * PHOTOS];
} baseline;

static ref_entry refs[PHOTOS];
static baseline bases[4];
static int num_bases;

static sqz_model *load(const char *path, uint8_t **bytes, size_t *size) {
  *bytes = test_read_file(path, size);
  if (!*bytes) {
    fprintf(stderr, "%s: cannot read\n", path);
    return NULL;
  }
  sqz_error err = {SQZ_OK, ""};
  sqz_model *m = sqz_model_load(*bytes, *size, &err);
  if (!m) fprintf(stderr, "%s: %s\n", path, err.message);
  return m;
}

/* The float model's predictions for `name`, computed once. */
static const int *float_predictions(const char *name, int n) {
  for (int i = 0; i < num_bases; i++)
    if (strcmp(bases[i].name, name) == 0) return bases[i].top5;
  if (num_bases == 4) return NULL;
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.sqz", test_models_dir(), name);
  uint8_t *bytes;
  size_t size;
  sqz_model *m = load(path, &bytes, &size);
  free(bytes);
  if (!m) return NULL;
  baseline *b = &bases[num_bases++];
  snprintf(b->name, sizeof b->name, "%s", name);
  photos_classify(m, refs, n, b->top5);
  sqz_model_free(m);
  return b->top5;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_compact_models MODEL.sqz...\n");
    return 2;
  }
  printf("| model file | weights | bytes | top-1 | top-5 | top-1 = float model | load ms (median of %d) |\n", LOADS);
  printf("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
  int status = 0;
  for (int a = 1; a < argc; a++) {
    uint8_t *bytes;
    size_t size;
    sqz_model *m = load(argv[a], &bytes, &size);
    if (!m) {
      free(bytes);
      status = 1;
      continue;
    }
    double times[LOADS];
    for (int k = 0; k < LOADS; k++) {
      double t0 = bench_now_ms();
      sqz_model *again = sqz_model_load(bytes, size, NULL);
      times[k] = bench_now_ms() - t0;
      sqz_model_free(again);
    }
    bench_sort(times, LOADS);
    char enc[128];
    weight_encodings(bytes, size, enc, sizeof enc);
    free(bytes);
    sqz_model_info info = sqz_model_get_info(m);
    int n = photos_load_reference(info.name, refs, PHOTOS);
    const int *ref_top5 = n == PHOTOS ? float_predictions(info.name, n) : NULL;
    if (!ref_top5) {
      fprintf(stderr, "%s: no reference or float model for '%s'\n", argv[a], info.name);
      sqz_model_free(m);
      status = 1;
      continue;
    }
    static int top5[5 * PHOTOS];
    int done = photos_classify(m, refs, n, top5);
    int top1 = 0, in5 = 0, agree = 0;
    for (int i = 0; i < n; i++) {
      top1 += top5[5 * i] == refs[i].label;
      for (int k = 0; k < 5; k++) in5 += top5[5 * i + k] == refs[i].label;
      agree += top5[5 * i] == ref_top5[5 * i];
    }
    const char *file = strrchr(argv[a], '/');
    printf("| %s | %s | %zu | %.1f%% | %.1f%% | %d/%d | %.1f |\n", file ? file + 1 : argv[a], enc,
           size, 100.0 * top1 / n, 100.0 * in5 / n, agree, done, times[LOADS / 2]);
    fflush(stdout);
    sqz_model_free(m);
  }
  return status;
}
