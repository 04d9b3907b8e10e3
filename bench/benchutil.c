#define _POSIX_C_SOURCE 199309L
#include "benchutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "testutil.h"

double bench_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void bench_sort(double *v, int n) { qsort(v, (size_t)n, sizeof *v, cmp_double); }

double bench_median(double *v, int n) {
  bench_sort(v, n);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

unsigned char *bench_read_ppm(const char *program, const char *path, int *w, int *h,
                              const unsigned char **pixels) {
  size_t size = 0;
  unsigned char *ppm = test_read_file(path, &size);
  int maxval = 0, off = 0;
  if (!ppm) {
    fprintf(stderr, "%s: cannot read %s\n", program, path);
    return NULL;
  }
  if (sscanf((char *)ppm, "P6 %d %d %d%n", w, h, &maxval, &off) != 3 || maxval != 255 || *w < 1 || *h < 1 ||
      (size_t)off + 1 + (size_t)*w * *h * 3 > size) {
    fprintf(stderr, "%s: %s: not a binary 8-bit PPM\n", program, path);
    free(ppm);
    return NULL;
  }
  *pixels = ppm + off + 1;
  return ppm;
}
