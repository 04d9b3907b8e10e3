/* f32 sparse x dense matrix multiply, scalar twin of 16x1-minmax-wasmsimd.c:
 * the same contract (kernels.h, sqz_f32_spmm_fn) and the same order of
 * operations per output (bias, then acc += in*w over the channel's nonzeros
 * in packed order, then max(min), min(max)), so both agree bit for bit.
 * One pixel at a time: the twin is the reference, not a fast path. */
#include <assert.h>

#include "kernels/kernels.h"

void sqz_f32_spmm_minmax_ukernel_16x1__scalar(size_t mc, size_t nc, const float *restrict input,
                                              const float *restrict weights, const int32_t *restrict offsets,
                                              const uint32_t *restrict nnzmap, float *restrict output,
                                              const uint32_t *restrict out_pixels,
                                              const sqz_minmax_params *params) {
  assert(mc != 0);
  assert(nc != 0);
  const float vmin = params->min, vmax = params->max;
  for (size_t m = 0; m < mc; m++) {
    const float *w = weights;
    const int32_t *dmap = offsets;
    for (size_t n = 0; n < nc; n++) {
      float acc = *w++;
      for (uint32_t j = 0; j < nnzmap[n]; j++) {
        const float *i = (const float *)((uintptr_t)input + (intptr_t)*dmap++);
        acc += i[m] * *w++;
      }
      acc = vmin < acc ? acc : vmin; /* wasm_f32x4_pmax(vmin, acc) */
      acc = acc < vmax ? acc : vmax; /* wasm_f32x4_pmin(vmax, acc) */
      output[out_pixels[m] + n] = acc;
    }
  }
}
