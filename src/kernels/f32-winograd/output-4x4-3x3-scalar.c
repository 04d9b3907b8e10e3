/* Winograd F(4x4, 3x3) output transform, scalar: Y = A^T M A for each tile's
 * 6x6 transformed products M, with
 *   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1],
 * then bias and clamp; writes the 4x4 outputs that fall inside oh × ow.
 * The reference twin of output-4x4-3x3-wasmsimd.c (same operation order). */
#include "kernels/f32-winograd/transforms-4x4-3x3.h"
#include "kernels/kernels.h"

void sqz_f32_winograd_output_4x4_3x3__scalar(const float *m, size_t xi_stride, size_t channels,
                                             const float *bias, size_t tile_begin, size_t tiles, size_t oh,
                                             size_t ow, float *output, size_t out_pixel_stride,
                                             const sqz_minmax_params *params) {
  const size_t tw = (ow + 3) / 4;
  for (size_t r = 0; r < tiles; r++) {
    const size_t oy = (tile_begin + r) / tw * 4, ox = (tile_begin + r) % tw * 4;
    const size_t ny = oh - oy < 4 ? oh - oy : 4, nx = ow - ox < 4 ? ow - ox : 4;
    const float *in = m + r * channels;
    float *o = output + (oy * ow + ox) * out_pixel_stride;
    for (size_t c = 0; c < channels; c++)
      sqz_winograd4_output_channel(in, xi_stride, c, bias[c], o + c, ow * out_pixel_stride, out_pixel_stride, ny, nx,
                                   params);
  }
}
