/* Dynamic quantization into 8-bit PPMM panels, 4 rows, portable scalar twin
 * of 4x-wasmsimd.c: the same contract (kernels.h, sqz_qs8_packx_fn) and the
 * same float operations per value, so both write the same panel. */
#include <assert.h>
#include <math.h>

#include "kernels/kernels.h"

void sqz_f32_qd8_packx_ukernel_4x__scalar(size_t m, size_t k, const float *restrict x, size_t x_stride,
                                          int16_t *restrict y, float *restrict scale) {
  assert(m != 0 && m <= 4);
  assert(k != 0);
  const size_t k2 = (k + 1) & ~(size_t)1;
  for (size_t i = 0; i < 4; i++) {
    const float *row = (const float *)((uintptr_t)x + (i < m ? i : m - 1) * x_stride);
    float top = 0.0f;
    for (size_t j = 0; j < k; j++) top = top < row[j] ? row[j] : top; /* wasm_f32x4_pmax */
    scale[i] = top / 255.0f;
    const float inv = top > 0.0f ? 255.0f / top : 0.0f;
    for (size_t j = 0; j < k2; j++) {
      float v = j < k ? row[j] * inv : 0.0f;
      v = 0.0f < v ? v : 0.0f;     /* pmax: NaN becomes 0 */
      v = v < 255.0f ? v : 255.0f; /* pmin */
      y[(j / 2) * 8 + 2 * i + j % 2] = (int16_t)nearbyintf(v);
    }
  }
}
