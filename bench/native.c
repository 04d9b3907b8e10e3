/* Native time per image (the same C engine and kernels, built natively
 * through SIMDe): loads a .sqz, classifies a golden crop (binary PPM, raw:
 * only channel order and normalisation) N times after 3 warm-up runs, prints
 * {"median_ms", "min_ms", "steps": [{"name", "ms"}]} as JSON for bench.js. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model.h"
#include "squeezenet.h"

#include "benchutil.h"
#include "testutil.h"

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: sqz_bench MODEL.sqz CROP.ppm [RUNS [THREADS]]\n");
    return 2;
  }
  int runs = argc > 3 ? atoi(argv[3]) : 30;
  if (runs < 1) runs = 1;
  sqz_options options = {.threads = argc > 4 ? atoi(argv[4]) : 1};
  size_t msize;
  void *mbytes = test_read_file(argv[1], &msize);
  if (!mbytes) {
    fprintf(stderr, "sqz_bench: cannot read %s\n", argv[1]);
    return 1;
  }
  int w, h;
  const unsigned char *pixels;
  unsigned char *ppm = bench_read_ppm("sqz_bench", argv[2], &w, &h, &pixels);
  if (!ppm) return 1;
  sqz_error err;
  sqz_model *m = sqz_model_load_with_options(mbytes, msize, &options, &err);
  if (!m) {
    fprintf(stderr, "sqz_bench: %s: %s\n", argv[1], err.message);
    return 1;
  }
  double *t = malloc(sizeof(double) * (size_t)runs);
  for (int i = -3; i < runs; i++) {
    double t0 = bench_now_ms();
    if (sqz_classify_pixels(m, pixels, w, h, SQZ_RGB, 0, SQZ_INPUT_RAW, &err)) {
      fprintf(stderr, "sqz_bench: %s\n", err.message);
      return 1;
    }
    if (i >= 0) t[i] = bench_now_ms() - t0;
  }
  double median = bench_median(t, runs);
  sqz_network *net = sqz_model_network(m);
  int n = sqz_network_num_steps(net);
  double *step_ms = calloc((size_t)n, sizeof(double));
  sqz_network_set_clock(net, bench_now_ms, step_ms);
  sqz_classify_pixels(m, pixels, w, h, SQZ_RGB, 0, SQZ_INPUT_RAW, &err);
  printf("{\"median_ms\": %.4f, \"min_ms\": %.4f, \"steps\": [", median, t[0]);
  for (int i = 0; i < n; i++)
    printf("%s{\"name\": \"%s\", \"ms\": %.4f}", i ? ", " : "", sqz_network_step_name(net, i), step_ms[i]);
  printf("]}\n");
  free(step_ms);
  free(t);
  sqz_model_free(m);
  free(mbytes);
  free(ppm);
  return 0;
}
