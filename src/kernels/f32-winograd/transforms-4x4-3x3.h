/* The 1-D transforms of Winograd F(4x4, 3x3) on scalars, shared by the
 * scalar kernels and the channel remainders of the SIMD ones (which repeat
 * the same operations in the same order on 4 lanes). */
#ifndef SQZ_WINOGRAD_TRANSFORMS_4X4_3X3_H
#define SQZ_WINOGRAD_TRANSFORMS_4X4_3X3_H
#include "kernels/kernels.h"

/* r = B^T d, B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]. */
static inline void sqz_winograd4_bt(const float d[6], float r[6]) {
  r[0] = (4.0f * d[0] - 5.0f * d[2]) + d[4];
  r[1] = (d[3] + d[4]) - 4.0f * (d[1] + d[2]);
  r[2] = (d[4] - d[3]) + 4.0f * (d[1] - d[2]);
  r[3] = (d[4] - d[2]) + 2.0f * (d[3] - d[1]);
  r[4] = (d[4] - d[2]) - 2.0f * (d[3] - d[1]);
  r[5] = (4.0f * d[1] - 5.0f * d[3]) + d[5];
}

/* y = A^T m, A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]. */
static inline void sqz_winograd4_at(const float m[6], float y[4]) {
  const float a = m[1] + m[2], b = m[1] - m[2], c = m[3] + m[4], d = m[3] - m[4];
  y[0] = (m[0] + a) + c;
  y[1] = b + 2.0f * d;
  y[2] = a + 4.0f * c;
  y[3] = (b + 8.0f * d) + m[5];
}

/* Channel c of one tile: 6x6 patch pointers in (patch.h), 36 transformed values out,
 * to the tile's lane of a 4-tile PPMM panel (out: the panel + the lane). */
static inline void sqz_winograd4_input_channel(const float *p[36], size_t c, float *out, size_t xi_stride) {
  float t[6][6], col[6], res[6];
  for (size_t j = 0; j < 6; j++) {
    for (size_t i = 0; i < 6; i++) col[i] = p[i * 6 + j][c];
    sqz_winograd4_bt(col, res);
    for (size_t i = 0; i < 6; i++) t[i][j] = res[i];
  }
  for (size_t i = 0; i < 6; i++) {
    sqz_winograd4_bt(t[i], res);
    for (size_t j = 0; j < 6; j++) out[(i * 6 + j) * xi_stride + c * 4] = res[j];
  }
}

/* Channel c of one tile: 36 products in, ny × nx outputs (bias, clamp) out. */
static inline void sqz_winograd4_output_channel(const float *in, size_t xi_stride, size_t c, float bias,
                                                float *o, size_t row_stride, size_t pixel_stride, size_t ny,
                                                size_t nx, const sqz_minmax_params *params) {
  float s[4][6], row[6], y[4];
  for (size_t j = 0; j < 6; j++) {
    for (size_t i = 0; i < 6; i++) row[i] = in[(i * 6 + j) * xi_stride + c];
    sqz_winograd4_at(row, y);
    for (size_t i = 0; i < 4; i++) s[i][j] = y[i];
  }
  for (size_t i = 0; i < ny; i++) {
    sqz_winograd4_at(s[i], y);
    for (size_t j = 0; j < nx; j++) {
      float v = bias + y[j];
      v = v < params->min ? params->min : v;
      o[i * row_stride + j * pixel_stride] = v > params->max ? params->max : v;
    }
  }
}
#endif
