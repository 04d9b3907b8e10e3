/* Winograd F(4x4, 3x3) input transform, scalar: V = B^T d B for each 6x6
 * input patch d (stride 4, one pixel of zero padding around the image), with
 *   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
 *          0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1],
 * written as PPMM panels of 4 tiles (kernels.h). The reference twin of
 * input-4x4-3x3-wasmsimd.c (same operation order; the 1-D transforms are in
 * transforms-4x4-3x3.h). */
#include "kernels/f32-winograd/patch.h"
#include "kernels/f32-winograd/transforms-4x4-3x3.h"
#include "kernels/kernels.h"

void sqz_f32_winograd_input_4x4_3x3__scalar(const float *input, size_t ih, size_t iw, size_t channels,
                                            const float *zero, size_t tile_begin, size_t tiles, float *v,
                                            size_t xi_stride) {
  for (size_t r = 0; r < (tiles + 3) / 4 * 4; r++) {
    const float *p[36];
    sqz_winograd_patch(4, input, ih, iw, channels, zero, tile_begin + r, r < tiles, p);
    float *out = v + r / 4 * 4 * channels + r % 4;
    for (size_t c = 0; c < channels; c++) sqz_winograd4_input_channel(p, c, out, xi_stride);
  }
}
