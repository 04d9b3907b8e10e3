/* The input transform of Winograd F(2x2, 3x3) on scalars, shared by the
 * scalar kernel and the channel remainder of the SIMD one (which repeats
 * the same operations on 4 lanes). */
#ifndef SQZ_WINOGRAD_TRANSFORMS_2X2_3X3_H
#define SQZ_WINOGRAD_TRANSFORMS_2X2_3X3_H
#include <stddef.h>

/* Channel c of one tile: 4x4 patch pointers in, V = B^T d B out, with
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],
 * to the tile's lane of a 4-tile PPMM panel (out: the panel + the lane). */
static inline void sqz_winograd2_input_channel(const float *p[16], size_t c, float *out, size_t xi_stride) {
  float t[4][4];
  for (size_t j = 0; j < 4; j++) {
    const float d0 = p[j][c], d1 = p[4 + j][c], d2 = p[8 + j][c], d3 = p[12 + j][c];
    t[0][j] = d0 - d2;
    t[1][j] = d1 + d2;
    t[2][j] = d2 - d1;
    t[3][j] = d1 - d3;
  }
  for (size_t i = 0; i < 4; i++) {
    out[(i * 4 + 0) * xi_stride + c * 4] = t[i][0] - t[i][2];
    out[(i * 4 + 1) * xi_stride + c * 4] = t[i][1] + t[i][2];
    out[(i * 4 + 2) * xi_stride + c * 4] = t[i][2] - t[i][1];
    out[(i * 4 + 3) * xi_stride + c * 4] = t[i][1] - t[i][3];
  }
}
#endif
