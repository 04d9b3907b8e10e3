/* f32-mm 4x8 (kernels/mm.h, the trainer's matrix products): the scalar twin
 * against a product in double (its contract: c += a·b), and the wasmsimd
 * kernel against the twin bit for bit, since the trainer's determinism rests
 * on it. Random tile heights (rows past mr must not be written), widths (the
 * 8-, 4- and 1-column paths), depths, strides with padding; the starting
 * values of c are random (the kernel accumulates), and splitting k into two
 * calls must give the same bits as one. Nothing outside the written elements
 * may change. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/mm.h"
#include "testutil.h"

#define CANARY (-12345.678f)

static size_t rnd(size_t lo, size_t hi) { return lo + test_rand() % (hi - lo + 1); }

int main(void) {
  int compared = 0;
  for (int iter = 0; iter < 3000; iter++) {
    const size_t mr = rnd(1, 4), nc = iter < 40 ? (size_t)iter + 1 : rnd(1, 40);
    const size_t kc = iter < 300 ? (size_t)(iter % 150) + 1 : rnd(1, 300);
    const size_t as = kc + rnd(0, 3), bs = nc + rnd(0, 5), cs = nc + rnd(0, 3);
    float *a = malloc(4 * as * sizeof(float)), *b = malloc(kc * bs * sizeof(float));
    float *c0 = malloc(4 * cs * sizeof(float)), *want = malloc(4 * cs * sizeof(float));
    float *got = malloc(4 * cs * sizeof(float)), *split = malloc(4 * cs * sizeof(float));
    for (size_t i = 0; i < 4 * as; i++) a[i] = test_randf(-1, 1);
    for (size_t i = 0; i < kc * bs; i++) b[i] = test_randf(-1, 1);
    for (size_t m = 0; m < 4; m++)
      for (size_t n = 0; n < cs; n++) c0[m * cs + n] = m < mr && n < nc ? test_randf(-2, 2) : CANARY;
    memcpy(want, c0, 4 * cs * sizeof(float));
    memcpy(got, c0, 4 * cs * sizeof(float));
    memcpy(split, c0, 4 * cs * sizeof(float));
    sqz_f32_mm_ukernel_4x8__scalar(mr, nc, kc, a, as * sizeof(float), b, bs * sizeof(float), want,
                                   cs * sizeof(float));
    sqz_f32_mm_ukernel_4x8__wasmsimd(mr, nc, kc, a, as * sizeof(float), b, bs * sizeof(float), got,
                                     cs * sizeof(float));
    const size_t k1 = kc > 1 ? rnd(1, kc - 1) : 0;
    if (k1) {
      sqz_f32_mm_ukernel_4x8__wasmsimd(mr, nc, k1, a, as * sizeof(float), b, bs * sizeof(float),
                                       split, cs * sizeof(float));
      sqz_f32_mm_ukernel_4x8__wasmsimd(mr, nc, kc - k1, a + k1, as * sizeof(float), b + k1 * bs,
                                       bs * sizeof(float), split, cs * sizeof(float));
    } else {
      memcpy(split, got, 4 * cs * sizeof(float));
    }
    int ok = 1, outside = 1;
    double worst = 0;
    for (size_t m = 0; m < 4; m++)
      for (size_t n = 0; n < cs; n++) {
        if (m >= mr || n >= nc) {
          outside &= want[m * cs + n] == CANARY && got[m * cs + n] == CANARY && split[m * cs + n] == CANARY;
          continue;
        }
        double ref = c0[m * cs + n], mag = fabs(ref);
        for (size_t k = 0; k < kc; k++) {
          ref += (double)a[m * as + k] * b[k * bs + n];
          mag += fabs((double)a[m * as + k] * b[k * bs + n]);
        }
        const double e = fabs(want[m * cs + n] - ref) / (mag + 1e-30);
        worst = e > worst ? e : worst;
        ok &= e <= 1e-6 * (double)(kc + 1) / 8 + 1e-7;
      }
    CHECK(ok, "scalar vs double: relative error %.3g (mr %zu, nc %zu, kc %zu)", worst, mr, nc, kc);
    CHECK(outside, "an element outside the %zux%zu tile changed (nc %zu, kc %zu)", mr, nc, nc, kc);
    CHECK(memcmp(want, got, 4 * cs * sizeof(float)) == 0, "wasmsimd vs scalar differ (mr %zu, nc %zu, kc %zu)",
          mr, nc, kc);
    CHECK(memcmp(got, split, 4 * cs * sizeof(float)) == 0,
          "k split %zu + %zu differs from one call (mr %zu, nc %zu)", k1, kc - k1, mr, nc);
    compared++;
    free(a), free(b), free(c0), free(want), free(got), free(split);
  }
  CHECK(compared == 3000, "%d tiles compared", compared);
  return test_finish("test_kernels_mm");
}
