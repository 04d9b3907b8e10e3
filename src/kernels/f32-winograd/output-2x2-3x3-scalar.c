/* Winograd F(2x2, 3x3) output transform, scalar: Y = A^T M A for each tile's
 * 4x4 transformed products M, with A^T = [1 1 1 0; 0 1 -1 -1], then bias and
 * clamp; writes the 2x2 outputs that fall inside oh × ow. The reference twin
 * of output-2x2-3x3-wasmsimd.c. */
#include "kernels/kernels.h"

static float clamp(float x, const sqz_minmax_params *p) {
  x = x < p->min ? p->min : x;
  return x > p->max ? p->max : x;
}

void sqz_f32_winograd_output_2x2_3x3__scalar(const float *m, size_t xi_stride, size_t channels,
                                             const float *bias, size_t tile_begin, size_t tiles, size_t oh,
                                             size_t ow, float *output, size_t out_pixel_stride,
                                             const sqz_minmax_params *params) {
  const size_t tw = (ow + 1) / 2;
  for (size_t r = 0; r < tiles; r++) {
    const size_t oy = (tile_begin + r) / tw * 2, ox = (tile_begin + r) % tw * 2;
    const float *in = m + r * channels;
    float *o00 = output + (oy * ow + ox) * out_pixel_stride;
    float *o01 = o00 + out_pixel_stride, *o10 = o00 + ow * out_pixel_stride, *o11 = o10 + out_pixel_stride;
    const int right = ox + 1 < ow, below = oy + 1 < oh;
    for (size_t c = 0; c < channels; c++) {
      float s[2][4];
      for (size_t j = 0; j < 4; j++) {
        const float m0 = in[(0 * 4 + j) * xi_stride + c], m1 = in[(1 * 4 + j) * xi_stride + c];
        const float m2 = in[(2 * 4 + j) * xi_stride + c], m3 = in[(3 * 4 + j) * xi_stride + c];
        s[0][j] = m0 + m1 + m2;
        s[1][j] = m1 - m2 - m3;
      }
      const float b = bias[c];
      o00[c] = clamp(b + (s[0][0] + s[0][1] + s[0][2]), params);
      if (right) o01[c] = clamp(b + (s[0][1] - s[0][2] - s[0][3]), params);
      if (below) o10[c] = clamp(b + (s[1][0] + s[1][1] + s[1][2]), params);
      if (right && below) o11[c] = clamp(b + (s[1][1] - s[1][2] - s[1][3]), params);
    }
  }
}
