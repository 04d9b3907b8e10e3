/* Dynamic quantization into 8-bit PPMM panels, 4 rows, wasm SIMD128: each
 * row of k floats (a pixel's channels, post-ReLU) gets its own scale
 * max(row, 0)/255, and its values q = round(clamp(x * 255/max, 0, 255)),
 * stored as int16 (the dot product's operand width) with 2 k per 32-bit
 * word, the 4 rows' words side by side: y[(j/2)*8 + 2i + j%2], k padded to
 * even with zeros. Rows past m repeat row m-1. Per row, not per tensor: no
 * reduction across threads, and each pixel keeps its 8 bits however bright
 * the others. Contract: kernels.h (sqz_qs8_packx_fn); scalar twin 4x-scalar.c. */
#include <assert.h>

#include "kernels/kernels.h"
#include "kernels/simd.h"

static float row_max(const float *x, size_t k) {
  v128_t vmax = wasm_f32x4_splat(0.0f);
  size_t j = 0;
  for (; j + 4 <= k; j += 4) vmax = wasm_f32x4_pmax(vmax, wasm_v128_load(x + j));
  vmax = wasm_f32x4_pmax(vmax, wasm_i32x4_shuffle(vmax, vmax, 2, 3, 0, 1));
  vmax = wasm_f32x4_pmax(vmax, wasm_i32x4_shuffle(vmax, vmax, 1, 0, 3, 2));
  float top = wasm_f32x4_extract_lane(vmax, 0);
  for (; j < k; j++) top = top < x[j] ? x[j] : top;
  return top;
}

/* Rounds by adding 2^23: for 0 <= v < 2^23 the sum's low mantissa bits are
 * round-to-nearest-even(v), as nearbyintf (the scalar twin) gives; cheaper
 * than f32x4.nearest + i32x4.trunc_sat_f32x4 (several instructions each in
 * V8 on x64 and in SIMDe on SSE4.1). */
static v128_t quantize(v128_t vx, v128_t vinv) {
  const v128_t vzero = wasm_f32x4_splat(0.0f), vtop = wasm_f32x4_splat(255.0f);
  const v128_t vmagic = wasm_f32x4_splat(8388608.0f);
  const v128_t v = wasm_f32x4_pmin(vtop, wasm_f32x4_pmax(vzero, wasm_f32x4_mul(vx, vinv)));
  return wasm_i32x4_sub(wasm_f32x4_add(v, vmagic), vmagic);
}

/* 4 k of the 4 rows into 2 k pairs of the panel (16 int16). */
static void store_pairs(v128_t q0, v128_t q1, v128_t q2, v128_t q3, int16_t *y, size_t pairs) {
  const v128_t v01 = wasm_i16x8_narrow_i32x4(q0, q1); /* words: r0p0 r0p1 r1p0 r1p1 */
  const v128_t v23 = wasm_i16x8_narrow_i32x4(q2, q3); /* words: r2p0 r2p1 r3p0 r3p1 */
  wasm_v128_store(y, wasm_i32x4_shuffle(v01, v23, 0, 2, 4, 6));
  if (pairs > 1) wasm_v128_store(y + 8, wasm_i32x4_shuffle(v01, v23, 1, 3, 5, 7));
}

void sqz_f32_qd8_packx_ukernel_4x__wasmsimd(size_t m, size_t k, const float *restrict x, size_t x_stride,
                                            int16_t *restrict y, float *restrict scale) {
  assert(m != 0 && m <= 4);
  assert(k != 0);
  const float *x0 = x;
  const float *x1 = m > 1 ? (const float *)((uintptr_t)x0 + x_stride) : x0;
  const float *x2 = m > 2 ? (const float *)((uintptr_t)x1 + x_stride) : x1;
  const float *x3 = m > 3 ? (const float *)((uintptr_t)x2 + x_stride) : x2;
  const float *rows[4] = {x0, x1, x2, x3};
  float inv[4];
  for (int i = 0; i < 4; i++) {
    const float top = row_max(rows[i], k);
    scale[i] = top / 255.0f;
    inv[i] = top > 0.0f ? 255.0f / top : 0.0f;
  }
  const v128_t vinv0 = wasm_f32x4_splat(inv[0]), vinv1 = wasm_f32x4_splat(inv[1]);
  const v128_t vinv2 = wasm_f32x4_splat(inv[2]), vinv3 = wasm_f32x4_splat(inv[3]);
  for (; k >= 4; k -= 4) {
    store_pairs(quantize(wasm_v128_load(x0), vinv0), quantize(wasm_v128_load(x1), vinv1),
                quantize(wasm_v128_load(x2), vinv2), quantize(wasm_v128_load(x3), vinv3), y, 2);
    x0 += 4, x1 += 4, x2 += 4, x3 += 4;
    y += 16;
  }
  if (k != 0) { /* 1-3 left: zero padded to 4, stored as the 1 or 2 pairs they need */
    float t[4][4] = {{0}};
    for (size_t j = 0; j < k; j++) t[0][j] = x0[j], t[1][j] = x1[j], t[2][j] = x2[j], t[3][j] = x3[j];
    store_pairs(quantize(wasm_v128_load(t[0]), vinv0), quantize(wasm_v128_load(t[1]), vinv1),
                quantize(wasm_v128_load(t[2]), vinv2), quantize(wasm_v128_load(t[3]), vinv3), y, (k + 1) / 2);
  }
}
