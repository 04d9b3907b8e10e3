/* f32 pre-packed matrix multiply, 4x8 tile, portable scalar twin of
 * 4x8-minmax-wasmsimd-loadsplat.c: the same contract and the same order of
 * operations per output (bias, then acc += a*w for k = 0..kc-1, then
 * max(min), min(max)), so both agree bit for bit. Rows past mr are not computed. */
#include <assert.h>

#include "kernels/kernels.h"

void sqz_f32_ppmm_minmax_ukernel_4x8__scalar(size_t mr, size_t nc, size_t kc, const float *restrict a,
                                             const float *restrict w, float *restrict c, size_t cm_stride,
                                             size_t cn_stride, const sqz_minmax_params *params) {
  assert(mr != 0 && mr <= 4);
  assert(nc != 0);
  assert(kc != 0);
  const float vmin = params->min, vmax = params->max;
  do {
    float acc[4][8];
    for (size_t m = 0; m < mr; m++)
      for (size_t n = 0; n < 8; n++) acc[m][n] = w[n];
    w += 8;
    for (size_t k = 0; k < kc; k++) {
      for (size_t m = 0; m < mr; m++)
        for (size_t n = 0; n < 8; n++) acc[m][n] += a[k * 4 + m] * w[n];
      w += 8;
    }
    const size_t ncols = nc < 8 ? nc : 8;
    for (size_t m = 0; m < mr; m++) {
      float *cr = (float *)((uintptr_t)c + m * cm_stride);
      for (size_t n = 0; n < ncols; n++) {
        float v = acc[m][n];
        v = vmin < v ? v : vmin; /* wasm_f32x4_pmax(vmin, v) */
        v = v < vmax ? v : vmax; /* wasm_f32x4_pmin(vmax, v) */
        cr[n] = v;
      }
    }
    c = (float *)((uintptr_t)c + cn_stride);
    nc -= ncols;
  } while (nc != 0);
}
