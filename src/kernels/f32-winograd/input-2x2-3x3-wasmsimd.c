/* Winograd F(2x2, 3x3) input transform, wasm SIMD128: the scalar twin's
 * arithmetic on 4 channels at a time (NHWC keeps them contiguous), the
 * channel remainder done one at a time. Four tiles' results for 4 channels
 * are turned into the PPMM panel's tile-interleaved order by a 4x4
 * transpose in place (winograd-panel.h). */
#include "kernels/f32-winograd/patch.h"
#include "kernels/f32-winograd/transforms-2x2-3x3.h"
#include "kernels/f32-winograd/winograd-panel.h"
#include "kernels/kernels.h"
#include "kernels/simd.h"

void sqz_f32_winograd_input_2x2_3x3__wasmsimd(const float *input, size_t ih, size_t iw, size_t channels,
                                              const float *zero, size_t tile_begin, size_t tiles, float *v,
                                              size_t xi_stride) {
  for (size_t r0 = 0; r0 < tiles; r0 += 4) {
    const float *p[4][16];
    for (size_t m = 0; m < 4; m++)
      sqz_winograd_patch(2, input, ih, iw, channels, zero, tile_begin + r0 + m, r0 + m < tiles, p[m]);
    float *panel = v + r0 * channels;
    size_t c = 0;
    for (; c + 4 <= channels; c += 4) {
      float *block = panel + c * 4; /* as in input-4x4-3x3-wasmsimd.c */
      for (size_t m = 0; m < 4; m++) {
        v128_t t[4][4];
        for (size_t j = 0; j < 4; j++) {
          const v128_t d0 = wasm_v128_load(p[m][0 + j] + c), d1 = wasm_v128_load(p[m][4 + j] + c);
          const v128_t d2 = wasm_v128_load(p[m][8 + j] + c), d3 = wasm_v128_load(p[m][12 + j] + c);
          t[0][j] = wasm_f32x4_sub(d0, d2);
          t[1][j] = wasm_f32x4_add(d1, d2);
          t[2][j] = wasm_f32x4_sub(d2, d1);
          t[3][j] = wasm_f32x4_sub(d1, d3);
        }
        for (size_t i = 0; i < 4; i++) {
          wasm_v128_store(block + (i * 4 + 0) * xi_stride + m * 4, wasm_f32x4_sub(t[i][0], t[i][2]));
          wasm_v128_store(block + (i * 4 + 1) * xi_stride + m * 4, wasm_f32x4_add(t[i][1], t[i][2]));
          wasm_v128_store(block + (i * 4 + 2) * xi_stride + m * 4, wasm_f32x4_sub(t[i][2], t[i][1]));
          wasm_v128_store(block + (i * 4 + 3) * xi_stride + m * 4, wasm_f32x4_sub(t[i][1], t[i][3]));
        }
      }
      for (size_t xi = 0; xi < 16; xi++) sqz_winograd_transpose_panel_4x4(block + xi * xi_stride);
    }
    for (; c < channels; c++)
      for (size_t m = 0; m < 4; m++) sqz_winograd2_input_channel(p[m], c, panel + m, xi_stride);
  }
}
