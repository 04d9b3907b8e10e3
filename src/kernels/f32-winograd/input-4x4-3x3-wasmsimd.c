/* Winograd F(4x4, 3x3) input transform, wasm SIMD128: the scalar twin's
 * arithmetic (same order) on 4 channels at a time, the remainder one at a
 * time. Four tiles' results for 4 channels are turned into the PPMM panel's
 * tile-interleaved order by a 4x4 transpose in place (winograd-panel.h). */
#include "kernels/f32-winograd/patch.h"
#include "kernels/f32-winograd/transforms-4x4-3x3.h"
#include "kernels/f32-winograd/winograd-panel.h"
#include "kernels/kernels.h"
#include "kernels/simd.h"

static void bt(const v128_t d[6], v128_t r[6]) {
  const v128_t four = wasm_f32x4_splat(4.0f), five = wasm_f32x4_splat(5.0f), two = wasm_f32x4_splat(2.0f);
  r[0] = wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_mul(four, d[0]), wasm_f32x4_mul(five, d[2])), d[4]);
  r[1] = wasm_f32x4_sub(wasm_f32x4_add(d[3], d[4]), wasm_f32x4_mul(four, wasm_f32x4_add(d[1], d[2])));
  r[2] = wasm_f32x4_add(wasm_f32x4_sub(d[4], d[3]), wasm_f32x4_mul(four, wasm_f32x4_sub(d[1], d[2])));
  r[3] = wasm_f32x4_add(wasm_f32x4_sub(d[4], d[2]), wasm_f32x4_mul(two, wasm_f32x4_sub(d[3], d[1])));
  r[4] = wasm_f32x4_sub(wasm_f32x4_sub(d[4], d[2]), wasm_f32x4_mul(two, wasm_f32x4_sub(d[3], d[1])));
  r[5] = wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_mul(four, d[1]), wasm_f32x4_mul(five, d[3])), d[5]);
}

void sqz_f32_winograd_input_4x4_3x3__wasmsimd(const float *input, size_t ih, size_t iw, size_t channels,
                                              const float *zero, size_t tile_begin, size_t tiles, float *v,
                                              size_t xi_stride) {
  for (size_t r0 = 0; r0 < tiles; r0 += 4) {
    const float *p[4][36];
    for (size_t m = 0; m < 4; m++)
      sqz_winograd_patch(4, input, ih, iw, channels, zero, tile_begin + r0 + m, r0 + m < tiles, p[m]);
    float *panel = v + r0 * channels;
    size_t c = 0;
    for (; c + 4 <= channels; c += 4) {
      /* each tile's 4 channels of element xi go to the 16 floats the panel
       * holds for them (tile-major), transposed in place once all 4 are in */
      float *block = panel + c * 4;
      for (size_t m = 0; m < 4; m++) {
        v128_t t[6][6], col[6], res[6];
        for (size_t j = 0; j < 6; j++) {
          for (size_t i = 0; i < 6; i++) col[i] = wasm_v128_load(p[m][i * 6 + j] + c);
          bt(col, res);
          for (size_t i = 0; i < 6; i++) t[i][j] = res[i];
        }
        for (size_t i = 0; i < 6; i++) {
          bt(t[i], res);
          for (size_t j = 0; j < 6; j++) wasm_v128_store(block + (i * 6 + j) * xi_stride + m * 4, res[j]);
        }
      }
      for (size_t xi = 0; xi < 36; xi++) sqz_winograd_transpose_panel_4x4(block + xi * xi_stride);
    }
    for (; c < channels; c++)
      for (size_t m = 0; m < 4; m++) sqz_winograd4_input_channel(p[m], c, panel + m, xi_stride);
  }
}
