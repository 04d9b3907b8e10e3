/* f32 GEMM 4x8 loadsplat (wasm SIMD128) against its scalar twin (itself
 * checked against a naive convolution in test_kernels.c): random tile
 * heights, widths, depths, row and column-block strides and all three
 * clamps; both accumulate in the same order, so results must be identical,
 * and nothing outside the written elements may change (canaries). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "testutil.h"

#define CANARY (-12345.678f)

static size_t rnd(size_t lo, size_t hi) { return lo + test_rand() % (hi - lo + 1); }

int main(void) {
  for (int iter = 0; iter < 2000; iter++) {
    const size_t mr = rnd(1, 4), nc = rnd(1, 35), kc = rnd(1, 70);
    const size_t a_stride = (kc + rnd(0, 3)) * sizeof(float);
    const size_t blocks = (nc + 7) / 8;
    const size_t cn_stride = (8 + 4 * rnd(0, 2)) * sizeof(float);
    const size_t cm_stride = blocks * cn_stride + rnd(0, 3) * sizeof(float);
    sqz_minmax_params params = {-INFINITY, INFINITY};
    if (iter % 3 == 1) params.min = 0.0f;
    if (iter % 3 == 2) params.min = -0.5f, params.max = 0.75f;
    float *a = malloc(4 * a_stride), *w = malloc(blocks * (8 + kc * 8) * sizeof(float));
    for (size_t i = 0; i < 4 * a_stride / sizeof(float); i++) a[i] = test_randf(-1, 1);
    for (size_t i = 0; i < blocks * (8 + kc * 8); i++) w[i] = test_randf(-1, 1);
    const size_t cfloats = 4 * cm_stride / sizeof(float);
    float *want = malloc(cfloats * sizeof(float)), *got = malloc(cfloats * sizeof(float));
    for (size_t i = 0; i < cfloats; i++) want[i] = got[i] = CANARY;
    sqz_f32_gemm_minmax_ukernel_4x8__scalar(mr, nc, kc, a, a_stride, w, want, cm_stride, cn_stride, &params);
    sqz_f32_gemm_minmax_ukernel_4x8__wasmsimd_loadsplat(mr, nc, kc, a, a_stride, w, got, cm_stride, cn_stride,
                                                        &params);
    size_t differ = 0, written = 0;
    for (size_t i = 0; i < cfloats; i++) {
      differ += memcmp(&want[i], &got[i], sizeof(float)) != 0;
      written += want[i] != CANARY;
    }
    CHECK(differ == 0, "loadsplat vs scalar: %zu of %zu floats differ (mr %zu, nc %zu, kc %zu)", differ, cfloats, mr,
          nc, kc);
    CHECK(written == mr * nc, "scalar twin wrote %zu floats, expected %zu", written, mr * nc);
    free(a), free(w), free(want), free(got);
  }
  return test_finish("test_kernels_gemm_loadsplat");
}
