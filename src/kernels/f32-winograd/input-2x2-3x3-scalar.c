/* Winograd F(2x2, 3x3) input transform, scalar: V = B^T d B for each 4x4
 * input patch d (stride 2, one pixel of zero padding around the image),
 * written as PPMM panels of 4 tiles (kernels.h). The reference twin of
 * input-2x2-3x3-wasmsimd.c (the transform: transforms-2x2-3x3.h). */
#include "kernels/f32-winograd/patch.h"
#include "kernels/f32-winograd/transforms-2x2-3x3.h"
#include "kernels/kernels.h"

void sqz_f32_winograd_input_2x2_3x3__scalar(const float *input, size_t ih, size_t iw, size_t channels,
                                            const float *zero, size_t tile_begin, size_t tiles, float *v,
                                            size_t xi_stride) {
  for (size_t r = 0; r < (tiles + 3) / 4 * 4; r++) {
    const float *p[16];
    sqz_winograd_patch(2, input, ih, iw, channels, zero, tile_begin + r, r < tiles, p);
    float *out = v + r / 4 * 4 * channels + r % 4;
    for (size_t c = 0; c < channels; c++) sqz_winograd2_input_channel(p, c, out, xi_stride);
  }
}
