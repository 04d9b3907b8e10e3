/* Native time per image (the same C engine and kernels, built natively
 * through SIMDe): loads a .sqz, classifies a golden crop (binary PPM, raw:
 * only channel order and normalisation) N times after 3 warm-up runs, prints
 * {"median_ms", "min_ms", "steps": [{"name", "ms"}]} as JSON for bench.js. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/model.h"
#include "squeezenet.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *p = malloc(n > 0 ? (size_t)n : 1);
  if (p && fread(p, 1, (size_t)n, f) != (size_t)n) free(p), p = NULL;
  fclose(f);
  *size = (size_t)n;
  return p;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: sqz_bench MODEL.sqz CROP.ppm [RUNS [THREADS]]\n");
    return 2;
  }
  int runs = argc > 3 ? atoi(argv[3]) : 30;
  if (runs < 1) runs = 1;
  sqz_options options = {.threads = argc > 4 ? atoi(argv[4]) : 1};
  size_t msize, psize;
  void *mbytes = read_file(argv[1], &msize);
  unsigned char *ppm = read_file(argv[2], &psize);
  if (!mbytes || !ppm) {
    fprintf(stderr, "sqz_bench: cannot read %s\n", mbytes ? argv[2] : argv[1]);
    return 1;
  }
  int w, h, maxval, off = 0;
  if (sscanf((char *)ppm, "P6 %d %d %d%n", &w, &h, &maxval, &off) != 3 || maxval != 255 ||
      (size_t)off + 1 + (size_t)w * h * 3 > psize) {
    fprintf(stderr, "sqz_bench: %s: not a binary 8-bit PPM\n", argv[2]);
    return 1;
  }
  const unsigned char *pixels = ppm + off + 1;
  sqz_error err;
  sqz_model *m = sqz_model_load_with_options(mbytes, msize, &options, &err);
  if (!m) {
    fprintf(stderr, "sqz_bench: %s: %s\n", argv[1], err.message);
    return 1;
  }
  double *t = malloc(sizeof(double) * (size_t)runs);
  for (int i = -3; i < runs; i++) {
    double t0 = now_ms();
    if (sqz_classify_pixels(m, pixels, w, h, SQZ_RGB, 0, SQZ_INPUT_RAW, &err)) {
      fprintf(stderr, "sqz_bench: %s\n", err.message);
      return 1;
    }
    if (i >= 0) t[i] = now_ms() - t0;
  }
  qsort(t, (size_t)runs, sizeof *t, cmp);
  double median = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
  sqz_network *net = sqz_model_network(m);
  int n = sqz_network_num_steps(net);
  double *step_ms = calloc((size_t)n, sizeof(double));
  sqz_network_set_clock(net, now_ms, step_ms);
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
