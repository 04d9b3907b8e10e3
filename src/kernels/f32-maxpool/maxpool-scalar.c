/* f32 max pooling, NHWC, any kernel and stride, windows clipped to the input
 * (PyTorch max_pool2d, padding 0, ceil_mode=True). Scalar twin of
 * maxpool-wasmsimd.c: the same comparison (v < x ? x : v, i.e. pmax). */
#include <assert.h>

#include "kernels/kernels.h"

void sqz_f32_maxpool_ukernel__scalar(const float *input, size_t ih, size_t iw, size_t channels,
                                     size_t kernel, size_t stride, float *output, size_t oh,
                                     size_t ow, size_t oy_begin, size_t oy_end) {
  assert(channels != 0 && kernel != 0 && stride != 0);
  assert(oy_end <= oh);
  (void)oh;
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    const size_t iy0 = oy * stride;
    const size_t iy1 = iy0 + kernel < ih ? iy0 + kernel : ih;
    assert(iy0 < ih);
    float *out = output + oy * ow * channels;
    for (size_t ox = 0; ox < ow; ox++) {
      const size_t ix0 = ox * stride;
      const size_t ix1 = ix0 + kernel < iw ? ix0 + kernel : iw;
      assert(ix0 < iw);
      const float *first = input + (iy0 * iw + ix0) * channels;
      for (size_t c = 0; c < channels; c++) out[c] = first[c];
      for (size_t iy = iy0; iy < iy1; iy++) {
        for (size_t ix = ix0; ix < ix1; ix++) {
          const float *in = input + (iy * iw + ix) * channels;
          for (size_t c = 0; c < channels; c++) {
            const float v = out[c], x = in[c];
            out[c] = v < x ? x : v;
          }
        }
      }
      out += channels;
    }
  }
}
