/* What the native bench programs share: a clock, sorting and medians of
 * timings, and the binary PPM they classify. */
#ifndef SQZ_BENCHUTIL_H
#define SQZ_BENCHUTIL_H
#include <stddef.h>

/* Milliseconds on the monotonic clock (also sqz_network_set_clock's clock). */
double bench_now_ms(void);
/* Sorts v (n values) in increasing order. */
void bench_sort(double *v, int n);
/* Sorts v (n values) and returns its median. */
double bench_median(double *v, int n);
/* A binary 8-bit PPM (P6): the file's bytes (free them), its size and where
 * its pixels start; NULL after printing "PROGRAM: PATH: reason" to stderr. */
unsigned char *bench_read_ppm(const char *program, const char *path, int *w, int *h,
                              const unsigned char **pixels);
#endif
