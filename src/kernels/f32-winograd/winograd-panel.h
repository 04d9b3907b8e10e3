/* The Winograd input transforms' SIMD kernels hold 4 channels of a tile in
 * a vector; a PPMM panel interleaves 4 tiles per channel. */
#ifndef SQZ_WINOGRAD_PANEL_H
#define SQZ_WINOGRAD_PANEL_H
#include "kernels/simd.h"

/* y[m*4 + k], channel c+k of tile m, becomes y[k*4 + m] (a 4x4 transpose,
 * as x32-packx's). */
static inline void sqz_winograd_transpose_panel_4x4(float *y) {
  const v128_t s[4] = {wasm_v128_load(y), wasm_v128_load(y + 4), wasm_v128_load(y + 8), wasm_v128_load(y + 12)};
  const v128_t v01lo = wasm_i32x4_shuffle(s[0], s[1], 0, 4, 1, 5); /* a0 b0 a1 b1 */
  const v128_t v23lo = wasm_i32x4_shuffle(s[2], s[3], 0, 4, 1, 5); /* c0 d0 c1 d1 */
  const v128_t v01hi = wasm_i32x4_shuffle(s[0], s[1], 2, 6, 3, 7); /* a2 b2 a3 b3 */
  const v128_t v23hi = wasm_i32x4_shuffle(s[2], s[3], 2, 6, 3, 7); /* c2 d2 c3 d3 */
  wasm_v128_store(y, wasm_i64x2_shuffle(v01lo, v23lo, 0, 2));
  wasm_v128_store(y + 4, wasm_i64x2_shuffle(v01lo, v23lo, 1, 3));
  wasm_v128_store(y + 8, wasm_i64x2_shuffle(v01hi, v23hi, 0, 2));
  wasm_v128_store(y + 12, wasm_i64x2_shuffle(v01hi, v23hi, 1, 3));
}
#endif
