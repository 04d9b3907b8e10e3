/* f32 GEMM, 4x8 tile, portable scalar twin of 4x8-minmax-wasmsimd-loadsplat.c:
 * the same contract and the same order of operations per output (bias, then
 * acc += a*w for k = 0..kc-1, then max(min), min(max)), so both agree.
 * Rows past mr are simply not computed. */
#include <assert.h>

#include "kernels/kernels.h"

void sqz_f32_gemm_minmax_ukernel_4x8__scalar(size_t mr, size_t nc, size_t kc,
                                             const float *restrict a, size_t a_stride,
                                             const float *restrict w, float *restrict c,
                                             size_t cm_stride, size_t cn_stride,
                                             const sqz_minmax_params *params) {
  assert(mr != 0 && mr <= 4);
  assert(nc != 0);
  assert(kc != 0);

  const float vmin = params->min;
  const float vmax = params->max;
  const float *ar[4];
  float *cr[4];
  for (size_t m = 0; m < mr; m++) {
    ar[m] = (const float *)((uintptr_t)a + m * a_stride);
    cr[m] = (float *)((uintptr_t)c + m * cm_stride);
  }

  do {
    float acc[4][8];
    for (size_t m = 0; m < mr; m++)
      for (size_t n = 0; n < 8; n++) acc[m][n] = w[n];
    w += 8;
    for (size_t k = 0; k < kc; k++) {
      for (size_t m = 0; m < mr; m++) {
        const float va = ar[m][k];
        for (size_t n = 0; n < 8; n++) acc[m][n] += va * w[n];
      }
      w += 8;
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
