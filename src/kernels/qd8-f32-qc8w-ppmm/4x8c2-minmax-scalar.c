/* 8-bit pre-packed matrix multiply, 4x8 tile, 2 k per step, portable scalar
 * twin of 4x8c2-minmax-wasmsimd-dot16x2.c: the same contract, the same
 * exact int32 sums, and the same float operations per output
 * ((float)acc * (a_scale * w_scale) + bias, then max(min), min(max)), so
 * both agree bit for bit. Rows past mr are not computed. */
#include <assert.h>
#include <string.h>

#include "kernels/kernels.h"

void sqz_qd8_f32_qc8w_ppmm_minmax_ukernel_4x8c2__scalar(size_t mr, size_t nc, size_t kc, const int16_t *restrict a,
                                                        const float *restrict a_scale, const void *restrict w,
                                                        float *restrict c, size_t cm_stride, size_t cn_stride,
                                                        const sqz_minmax_params *params) {
  assert(mr != 0 && mr <= 4);
  assert(nc != 0);
  assert(kc != 0 && kc % 2 == 0);
  const float vmin = params->min, vmax = params->max;
  const int8_t *wp = w;
  do {
    float bias[8], ws[8];
    memcpy(bias, wp, sizeof bias);
    memcpy(ws, wp + 32, sizeof ws);
    wp += 64;
    int32_t acc[4][8] = {{0}};
    for (size_t k = 0; k < kc; k += 2) {
      for (size_t m = 0; m < mr; m++)
        for (size_t n = 0; n < 8; n++)
          acc[m][n] += (int32_t)a[k * 4 + 2 * m] * wp[2 * n] + (int32_t)a[k * 4 + 2 * m + 1] * wp[2 * n + 1];
      wp += 16;
    }
    const size_t ncols = nc < 8 ? nc : 8;
    for (size_t m = 0; m < mr; m++) {
      float *cr = (float *)((uintptr_t)c + m * cm_stride);
      for (size_t n = 0; n < ncols; n++) {
        float v = (float)acc[m][n] * (a_scale[m] * ws[n]) + bias[n];
        v = vmin < v ? v : vmin; /* wasm_f32x4_pmax(vmin, v) */
        v = v < vmax ? v : vmax; /* wasm_f32x4_pmin(vmax, v) */
        cr[n] = v;
      }
    }
    c = (float *)((uintptr_t)c + cn_stride);
    nc -= ncols;
  } while (nc != 0);
}
