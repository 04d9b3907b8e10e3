/* Training-time bench for taught heads (issue 16), native: the clothing
 * task's train/ embeddings (10 classes × 30 photos, computed from the photos
 * with the model given, default models/default.sqz), trained with the
 * defaults; and 3,000 examples (those 300, ten times, each copy's values
 * scaled by a deterministic factor in 0.8..1.2 so the copies differ). Each
 * size runs RUNS times (SIMD kernel and scalar twin interleaved, so their
 * ratio is meaningful on a busy machine). Also the size of a 100-class
 * taught model. Prints one JSON object (bench/bench.js shows it). With
 * PREFIX, also writes both example sets (PREFIX-300.bin, PREFIX-3000.bin, in
 * tests/c/train_head_tool.c's format) for bench.js to time wasm on them.
 *   build/bench_teach [MODEL.sqz [RUNS [PREFIX]]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clothing.h"
#include "learn/train.h"
#include "benchutil.h"
#include "testutil.h"

typedef struct timing {
  double median_ms, min_ms, scalar_median_ms;
  int iterations;
} timing;

static timing time_training(const float *x, const int *y, int n, int d, int c, int runs) {
  float *w = malloc((size_t)c * d * sizeof(float)), b[CLOTHING_MAX_CLASSES];
  double *t = malloc((size_t)runs * sizeof(double)), *ts = malloc((size_t)runs * sizeof(double));
  timing r = {0, 0, 0, 0};
  for (int i = 0; i < runs; i++) {
    sqz_train_config simd = {NULL, 0, 0}, scalar = {sqz_f32_mm_ukernel_4x8__scalar, 0, 0};
    sqz_train_report rep;
    sqz_error err;
    double t0 = bench_now_ms();
    if (sqz_train_head_with(&simd, x, y, n, d, c, NULL, w, b, &rep, &err) != SQZ_OK) {
      fprintf(stderr, "bench_teach: %s\n", err.message);
      exit(1);
    }
    double t1 = bench_now_ms();
    sqz_train_head_with(&scalar, x, y, n, d, c, NULL, w, b, NULL, &err);
    ts[i] = bench_now_ms() - t1;
    t[i] = t1 - t0;
    r.iterations = rep.iterations;
  }
  bench_sort(t, runs);
  bench_sort(ts, runs);
  r.median_ms = t[runs / 2], r.min_ms = t[0], r.scalar_median_ms = ts[runs / 2];
  free(w), free(t), free(ts);
  return r;
}

/* n examples as train_head_tool reads them; 0 if they cannot be written. */
static int write_examples(const char *prefix, const float *x, const int *y, int n, int d, int c) {
  char path[1024];
  snprintf(path, sizeof path, "%s-%d.bin", prefix, n);
  FILE *f = fopen(path, "wb");
  const int32_t header[3] = {n, d, c};
  int ok = f && fwrite(header, sizeof header, 1, f) == 1 && fwrite(y, sizeof(int), (size_t)n, f) == (size_t)n &&
           fwrite(x, sizeof(float), (size_t)n * d, f) == (size_t)n * d;
  if (f && fclose(f) != 0) ok = 0;
  if (!ok) fprintf(stderr, "bench_teach: cannot write %s\n", path);
  return ok;
}

int main(int argc, char **argv) {
  const char *model = argc > 1 ? argv[1] : NULL;
  const int runs = argc > 2 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 15;
  size_t size = 0;
  uint8_t *base = model ? test_read_file(model, &size) : test_read_model("default", &size);
  sqz_model *features = base ? clothing_features_model(base, size, 2) : NULL;
  clothing_set set;
  if (!features || clothing_list("train", &set) == 0) {
    fprintf(stderr, "bench_teach: cannot read the model or ../shared/testdata/clothing/train\n");
    return 1;
  }
  if (clothing_embed(&set, features) != set.n) return 1;
  const int n = set.n, d = set.dim, c = set.classes, copies = 10;
  float *big = malloc((size_t)copies * n * d * sizeof(float));
  int *big_y = malloc((size_t)copies * n * sizeof(int));
  for (int k = 0; k < copies; k++)
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++)
        big[((size_t)k * n + i) * d + j] = set.embeddings[(size_t)i * d + j] * (k ? test_randf(0.8f, 1.2f) : 1);
      big_y[k * n + i] = set.label[i];
    }
  if (argc > 3 && !(write_examples(argv[3], set.embeddings, set.label, n, d, c) &&
                    write_examples(argv[3], big, big_y, copies * n, d, c)))
    return 1;
  timing small = time_training(set.embeddings, set.label, n, d, c, runs);
  timing large = time_training(big, big_y, copies * n, d, c, runs > 5 ? runs / 3 : runs);

  /* a 100-class taught model on this base: its size */
  enum { C = 100 };
  float *w = calloc((size_t)C * d, sizeof(float)), b[C] = {0};
  char names[C][16];
  const char *labels[C];
  for (int j = 0; j < C; j++) snprintf(names[j], sizeof names[j], "class %d", j), labels[j] = names[j];
  uint8_t *taught = NULL;
  size_t taught_size = 0;
  sqz_error err;
  if (sqz_taught_model_write(base, size, w, b, C, d, labels, &taught, &taught_size, &err) != SQZ_OK) taught_size = 0;
  char name[64];
  snprintf(name, sizeof name, "%s", sqz_model_get_info(features).name);
  char *suffix = strstr(name, "-features");
  if (suffix) *suffix = 0;
  printf("{\"model\": \"%s\", \"dim\": %d, \"classes\": %d, \"runs\": %d,\n"
         " \"train_%d\": {\"examples\": %d, \"median_ms\": %.2f, \"min_ms\": %.2f, \"iterations\": %d, \"scalar_median_ms\": %.2f},\n"
         " \"train_%d\": {\"examples\": %d, \"median_ms\": %.2f, \"min_ms\": %.2f, \"iterations\": %d, \"scalar_median_ms\": %.2f},\n"
         " \"taught_100_classes_bytes\": %zu, \"base_bytes\": %zu}\n",
         name, d, c, runs, n, n, small.median_ms, small.min_ms,
         small.iterations, small.scalar_median_ms, copies * n, copies * n, large.median_ms, large.min_ms,
         large.iterations, large.scalar_median_ms, taught_size, size);
  sqz_free(taught);
  free(w), free(big), free(big_y), free(base);
  clothing_free(&set);
  sqz_model_free(features);
  return 0;
}
