/* x32 packx, 4 rows, wasm SIMD128 (after XNNPACK's x32-packx 4x-wasmsimd,
 * Google, BSD licence): interleaves m <= 4 rows of k floats (row i at
 * (char*)x + i*x_stride) into a PPMM panel, y[j*4 + i] = row_i[j], four
 * columns at a time by a 4x4 transpose in registers. Rows past m repeat
 * row m-1 (finite values the PPMM computes and drops). Scalar twin:
 * 4x-scalar.c. */
#include <assert.h>

#include "kernels/kernels.h"
#include "kernels/simd.h"

void sqz_x32_packx_ukernel_4x__wasmsimd(size_t m, size_t k, const float *restrict x, size_t x_stride,
                                        float *restrict y) {
  assert(m != 0 && m <= 4);
  assert(k != 0);
  const float *x0 = x;
  const float *x1 = m > 1 ? (const float *)((uintptr_t)x0 + x_stride) : x0;
  const float *x2 = m > 2 ? (const float *)((uintptr_t)x1 + x_stride) : x1;
  const float *x3 = m > 3 ? (const float *)((uintptr_t)x2 + x_stride) : x2;
  for (; k >= 4; k -= 4) {
    const v128_t v0 = wasm_v128_load(x0);
    const v128_t v1 = wasm_v128_load(x1);
    const v128_t v2 = wasm_v128_load(x2);
    const v128_t v3 = wasm_v128_load(x3);
    x0 += 4, x1 += 4, x2 += 4, x3 += 4;
    const v128_t v01lo = wasm_i32x4_shuffle(v0, v1, 0, 4, 1, 5); /* a0 b0 a1 b1 */
    const v128_t v23lo = wasm_i32x4_shuffle(v2, v3, 0, 4, 1, 5); /* c0 d0 c1 d1 */
    const v128_t v01hi = wasm_i32x4_shuffle(v0, v1, 2, 6, 3, 7); /* a2 b2 a3 b3 */
    const v128_t v23hi = wasm_i32x4_shuffle(v2, v3, 2, 6, 3, 7); /* c2 d2 c3 d3 */
    wasm_v128_store(y, wasm_i64x2_shuffle(v01lo, v23lo, 0, 2));
    wasm_v128_store(y + 4, wasm_i64x2_shuffle(v01lo, v23lo, 1, 3));
    wasm_v128_store(y + 8, wasm_i64x2_shuffle(v01hi, v23hi, 0, 2));
    wasm_v128_store(y + 12, wasm_i64x2_shuffle(v01hi, v23hi, 1, 3));
    y += 16;
  }
  for (; k != 0; k--) {
    y[0] = *x0++;
    y[1] = *x1++;
    y[2] = *x2++;
    y[3] = *x3++;
    y += 4;
  }
}
