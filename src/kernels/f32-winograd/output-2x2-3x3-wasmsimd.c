/* Winograd F(2x2, 3x3) output transform, wasm SIMD128: the scalar twin's
 * arithmetic on 4 channels at a time, the remainder one at a time. */
#include "kernels/kernels.h"
#include "kernels/simd.h"

static float clamp(float x, const sqz_minmax_params *p) {
  x = x < p->min ? p->min : x;
  return x > p->max ? p->max : x;
}

void sqz_f32_winograd_output_2x2_3x3__wasmsimd(const float *m, size_t xi_stride, size_t channels,
                                               const float *bias, size_t tile_begin, size_t tiles, size_t oh,
                                               size_t ow, float *output, size_t out_pixel_stride,
                                               const sqz_minmax_params *params) {
  const size_t tw = (ow + 1) / 2;
  const v128_t vmin = wasm_v128_load32_splat(&params->min);
  const v128_t vmax = wasm_v128_load32_splat(&params->max);
  for (size_t r = 0; r < tiles; r++) {
    const size_t oy = (tile_begin + r) / tw * 2, ox = (tile_begin + r) % tw * 2;
    const float *in = m + r * channels;
    float *o00 = output + (oy * ow + ox) * out_pixel_stride;
    float *o01 = o00 + out_pixel_stride, *o10 = o00 + ow * out_pixel_stride, *o11 = o10 + out_pixel_stride;
    const int right = ox + 1 < ow, below = oy + 1 < oh;
    size_t c = 0;
    for (; c + 4 <= channels; c += 4) {
      v128_t s[2][4];
      for (size_t j = 0; j < 4; j++) {
        const v128_t m0 = wasm_v128_load(in + (0 * 4 + j) * xi_stride + c);
        const v128_t m1 = wasm_v128_load(in + (1 * 4 + j) * xi_stride + c);
        const v128_t m2 = wasm_v128_load(in + (2 * 4 + j) * xi_stride + c);
        const v128_t m3 = wasm_v128_load(in + (3 * 4 + j) * xi_stride + c);
        s[0][j] = wasm_f32x4_add(wasm_f32x4_add(m0, m1), m2);
        s[1][j] = wasm_f32x4_sub(wasm_f32x4_sub(m1, m2), m3);
      }
      const v128_t b = wasm_v128_load(bias + c);
      /* Same association as the scalar twin: b + (x + y + z). */
      v128_t y00 = wasm_f32x4_add(b, wasm_f32x4_add(wasm_f32x4_add(s[0][0], s[0][1]), s[0][2]));
      v128_t y01 = wasm_f32x4_add(b, wasm_f32x4_sub(wasm_f32x4_sub(s[0][1], s[0][2]), s[0][3]));
      v128_t y10 = wasm_f32x4_add(b, wasm_f32x4_add(wasm_f32x4_add(s[1][0], s[1][1]), s[1][2]));
      v128_t y11 = wasm_f32x4_add(b, wasm_f32x4_sub(wasm_f32x4_sub(s[1][1], s[1][2]), s[1][3]));
      y00 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, y00));
      y01 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, y01));
      y10 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, y10));
      y11 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, y11));
      wasm_v128_store(o00 + c, y00);
      if (right) wasm_v128_store(o01 + c, y01);
      if (below) wasm_v128_store(o10 + c, y10);
      if (right && below) wasm_v128_store(o11 + c, y11);
    }
    for (; c < channels; c++) {
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
