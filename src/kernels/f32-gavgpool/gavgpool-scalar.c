/* f32 global average pooling, scalar twin of gavgpool-wasmsimd.c:
 * out[c] = (sum over pixels p in order of in[p][c]) * (1/pixels). */
#include <assert.h>

#include "kernels/kernels.h"

void sqz_f32_gavgpool_ukernel__scalar(size_t pixels, size_t channels, const float *input,
                                      float *output) {
  assert(pixels != 0 && channels != 0);
  const float scale = 1.0f / (float)pixels;
  for (size_t c = 0; c < channels; c++) output[c] = input[c];
  for (size_t p = 1; p < pixels; p++) {
    const float *in = input + p * channels;
    for (size_t c = 0; c < channels; c++) output[c] += in[c];
  }
  for (size_t c = 0; c < channels; c++) output[c] *= scale;
}
