/* Winograd F(4x4, 3x3) output transform, wasm SIMD128: the scalar twin's
 * arithmetic (same order) on 4 channels at a time, the remainder one at a time. */
#include "kernels/f32-winograd/transforms-4x4-3x3.h"
#include "kernels/kernels.h"
#include "kernels/simd.h"

static void at(const v128_t m[6], v128_t y[4]) {
  const v128_t a = wasm_f32x4_add(m[1], m[2]), b = wasm_f32x4_sub(m[1], m[2]);
  const v128_t c = wasm_f32x4_add(m[3], m[4]), d = wasm_f32x4_sub(m[3], m[4]);
  y[0] = wasm_f32x4_add(wasm_f32x4_add(m[0], a), c);
  y[1] = wasm_f32x4_add(b, wasm_f32x4_mul(wasm_f32x4_splat(2.0f), d));
  y[2] = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_f32x4_splat(4.0f), c));
  y[3] = wasm_f32x4_add(wasm_f32x4_add(b, wasm_f32x4_mul(wasm_f32x4_splat(8.0f), d)), m[5]);
}

void sqz_f32_winograd_output_4x4_3x3__wasmsimd(const float *m, size_t xi_stride, size_t channels,
                                               const float *bias, size_t tile_begin, size_t tiles, size_t oh,
                                               size_t ow, float *output, size_t out_pixel_stride,
                                               const sqz_minmax_params *params) {
  const size_t tw = (ow + 3) / 4;
  const v128_t vmin = wasm_v128_load32_splat(&params->min);
  const v128_t vmax = wasm_v128_load32_splat(&params->max);
  for (size_t r = 0; r < tiles; r++) {
    const size_t oy = (tile_begin + r) / tw * 4, ox = (tile_begin + r) % tw * 4;
    const size_t ny = oh - oy < 4 ? oh - oy : 4, nx = ow - ox < 4 ? ow - ox : 4;
    const float *in = m + r * channels;
    size_t c = 0;
    for (; c + 4 <= channels; c += 4) {
      v128_t s[4][6], row[6], y[4];
      for (size_t j = 0; j < 6; j++) {
        for (size_t i = 0; i < 6; i++) row[i] = wasm_v128_load(in + (i * 6 + j) * xi_stride + c);
        at(row, y);
        for (size_t i = 0; i < 4; i++) s[i][j] = y[i];
      }
      const v128_t b = wasm_v128_load(bias + c);
      for (size_t i = 0; i < ny; i++) {
        at(s[i], y);
        float *o = output + ((oy + i) * ow + ox) * out_pixel_stride + c;
        for (size_t j = 0; j < nx; j++)
          wasm_v128_store(o + j * out_pixel_stride, wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, wasm_f32x4_add(b, y[j]))));
      }
    }
    float *o = output + (oy * ow + ox) * out_pixel_stride;
    for (; c < channels; c++)
      sqz_winograd4_output_channel(in, xi_stride, c, bias[c], o + c, ow * out_pixel_stride, out_pixel_stride, ny, nx,
                                   params);
  }
}
