/* Winograd F(2x2, 3x3) input transform, scalar: V = B^T d B for each 4x4
 * input patch d (stride 2, one pixel of zero padding around the image), with
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
 * The reference twin of input-2x2-3x3-wasmsimd.c. */
#include "kernels/kernels.h"

void sqz_f32_winograd_input_2x2_3x3__scalar(const float *input, size_t ih, size_t iw, size_t channels,
                                            const float *zero, size_t tile_begin, size_t tiles, float *v,
                                            size_t xi_stride) {
  const size_t tw = (iw + 1) / 2;
  for (size_t r = 0; r < tiles; r++) {
    const size_t ty = (tile_begin + r) / tw, tx = (tile_begin + r) % tw;
    const float *p[4][4];
    for (size_t i = 0; i < 4; i++) {
      for (size_t j = 0; j < 4; j++) {
        const size_t y = 2 * ty + i - 1, x = 2 * tx + j - 1; /* wraps past 0 when -1: caught below */
        p[i][j] = y < ih && x < iw ? input + (y * iw + x) * channels : zero;
      }
    }
    float *out = v + r * channels;
    for (size_t c = 0; c < channels; c++) {
      float t[4][4];
      for (size_t j = 0; j < 4; j++) {
        const float d0 = p[0][j][c], d1 = p[1][j][c], d2 = p[2][j][c], d3 = p[3][j][c];
        t[0][j] = d0 - d2;
        t[1][j] = d1 + d2;
        t[2][j] = d2 - d1;
        t[3][j] = d1 - d3;
      }
      for (size_t i = 0; i < 4; i++) {
        out[(i * 4 + 0) * xi_stride + c] = t[i][0] - t[i][2];
        out[(i * 4 + 1) * xi_stride + c] = t[i][1] + t[i][2];
        out[(i * 4 + 2) * xi_stride + c] = t[i][2] - t[i][1];
        out[(i * 4 + 3) * xi_stride + c] = t[i][1] - t[i][3];
      }
    }
  }
}
