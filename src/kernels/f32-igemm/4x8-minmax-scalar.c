/* f32 indirect GEMM, 4x8 tile, portable scalar twin of
 * 4x8-minmax-wasmsimd-splat.c: same contract, same order of operations per
 * output (bias, then taps t = 0..ks-1, each k = 0..kc-1, then clamp). Rows
 * past mr are not computed (their pointers are not read). */
#include <assert.h>

#include "kernels/kernels.h"

void sqz_f32_igemm_minmax_ukernel_4x8__scalar(size_t mr, size_t nc, size_t kc, size_t ks,
                                              const float **restrict a,
                                              const float *restrict w, float *restrict c,
                                              size_t cm_stride, size_t cn_stride,
                                              const sqz_minmax_params *params) {
  assert(mr != 0 && mr <= 4);
  assert(nc != 0);
  assert(kc != 0);
  assert(ks != 0);

  const float vmin = params->min;
  const float vmax = params->max;
  float *cr[4];
  for (size_t m = 0; m < mr; m++) cr[m] = (float *)((uintptr_t)c + m * cm_stride);

  do {
    float acc[4][8];
    for (size_t m = 0; m < mr; m++)
      for (size_t n = 0; n < 8; n++) acc[m][n] = w[n];
    w += 8;
    for (size_t t = 0; t < ks; t++) {
      const float *const *at = a + t * 4;
      for (size_t k = 0; k < kc; k++) {
        for (size_t m = 0; m < mr; m++) {
          const float va = at[m][k];
          for (size_t n = 0; n < 8; n++) acc[m][n] += va * w[n];
        }
        w += 8;
      }
    }
    const size_t ncols = nc < 8 ? nc : 8;
    for (size_t m = 0; m < mr; m++) {
      for (size_t n = 0; n < ncols; n++) {
        float v = acc[m][n];
        v = vmin < v ? v : vmin; /* wasm_f32x4_pmax(vmin, v) */
        v = v < vmax ? v : vmax; /* wasm_f32x4_pmin(vmax, v) */
        cr[m][n] = v;
      }
      cr[m] = (float *)((uintptr_t)cr[m] + cn_stride);
    }
    nc -= ncols;
  } while (nc != 0);
}
