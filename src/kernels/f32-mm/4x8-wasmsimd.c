/* f32 matrix product, accumulating (kernels/mm.h), wasm SIMD128: 4 rows × 8
 * columns of c in registers, plus a splat of a[m][k] times b's row k; columns
 * in blocks of 8, then 4, then one at a time. Rows past mr read and write row
 * mr−1's (the real row is stored last). Each lane's sum is the scalar twin's:
 * k ascending, mul then add. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF /* and -ffp-contract=off for gcc (CMakeLists.txt) */
#endif
#include <assert.h>

#include "kernels/mm.h"
#include "kernels/simd.h"

void sqz_f32_mm_ukernel_4x8__wasmsimd(size_t mr, size_t nc, size_t kc, const float *a,
                                      size_t a_stride, const float *b, size_t b_stride, float *c,
                                      size_t c_stride) {
  assert(mr >= 1 && mr <= 4 && nc >= 1 && kc >= 1);
  const float *a0 = a;
  const float *a1 = (const float *)((const char *)a0 + (mr > 1 ? a_stride : 0));
  const float *a2 = (const float *)((const char *)a1 + (mr > 2 ? a_stride : 0));
  const float *a3 = (const float *)((const char *)a2 + (mr > 3 ? a_stride : 0));
  float *c0 = c;
  float *c1 = (float *)((char *)c0 + (mr > 1 ? c_stride : 0));
  float *c2 = (float *)((char *)c1 + (mr > 2 ? c_stride : 0));
  float *c3 = (float *)((char *)c2 + (mr > 3 ? c_stride : 0));
  size_t n = 0;
  for (; n + 8 <= nc; n += 8) {
    const float *bk = b + n;
    v128_t vc00 = wasm_v128_load(c0 + n), vc01 = wasm_v128_load(c0 + n + 4);
    v128_t vc10 = wasm_v128_load(c1 + n), vc11 = wasm_v128_load(c1 + n + 4);
    v128_t vc20 = wasm_v128_load(c2 + n), vc21 = wasm_v128_load(c2 + n + 4);
    v128_t vc30 = wasm_v128_load(c3 + n), vc31 = wasm_v128_load(c3 + n + 4);
    for (size_t k = 0; k < kc; k++) {
      const v128_t vb0 = wasm_v128_load(bk), vb1 = wasm_v128_load(bk + 4);
      bk = (const float *)((const char *)bk + b_stride);
      v128_t va = wasm_f32x4_splat(a0[k]);
      vc00 = wasm_f32x4_add(vc00, wasm_f32x4_mul(va, vb0));
      vc01 = wasm_f32x4_add(vc01, wasm_f32x4_mul(va, vb1));
      va = wasm_f32x4_splat(a1[k]);
      vc10 = wasm_f32x4_add(vc10, wasm_f32x4_mul(va, vb0));
      vc11 = wasm_f32x4_add(vc11, wasm_f32x4_mul(va, vb1));
      va = wasm_f32x4_splat(a2[k]);
      vc20 = wasm_f32x4_add(vc20, wasm_f32x4_mul(va, vb0));
      vc21 = wasm_f32x4_add(vc21, wasm_f32x4_mul(va, vb1));
      va = wasm_f32x4_splat(a3[k]);
      vc30 = wasm_f32x4_add(vc30, wasm_f32x4_mul(va, vb0));
      vc31 = wasm_f32x4_add(vc31, wasm_f32x4_mul(va, vb1));
    }
    /* rows past mr alias row mr−1: store from the last row down so the real one lands last */
    wasm_v128_store(c3 + n, vc30), wasm_v128_store(c3 + n + 4, vc31);
    wasm_v128_store(c2 + n, vc20), wasm_v128_store(c2 + n + 4, vc21);
    wasm_v128_store(c1 + n, vc10), wasm_v128_store(c1 + n + 4, vc11);
    wasm_v128_store(c0 + n, vc00), wasm_v128_store(c0 + n + 4, vc01);
  }
  for (; n + 4 <= nc; n += 4) {
    const float *bk = b + n;
    v128_t vc0 = wasm_v128_load(c0 + n), vc1 = wasm_v128_load(c1 + n);
    v128_t vc2 = wasm_v128_load(c2 + n), vc3 = wasm_v128_load(c3 + n);
    for (size_t k = 0; k < kc; k++) {
      const v128_t vb = wasm_v128_load(bk);
      bk = (const float *)((const char *)bk + b_stride);
      vc0 = wasm_f32x4_add(vc0, wasm_f32x4_mul(wasm_f32x4_splat(a0[k]), vb));
      vc1 = wasm_f32x4_add(vc1, wasm_f32x4_mul(wasm_f32x4_splat(a1[k]), vb));
      vc2 = wasm_f32x4_add(vc2, wasm_f32x4_mul(wasm_f32x4_splat(a2[k]), vb));
      vc3 = wasm_f32x4_add(vc3, wasm_f32x4_mul(wasm_f32x4_splat(a3[k]), vb));
    }
    wasm_v128_store(c3 + n, vc3);
    wasm_v128_store(c2 + n, vc2);
    wasm_v128_store(c1 + n, vc1);
    wasm_v128_store(c0 + n, vc0);
  }
  for (; n < nc; n++) {
    const float *bk = b + n;
    float s0 = c0[n], s1 = c1[n], s2 = c2[n], s3 = c3[n];
    for (size_t k = 0; k < kc; k++, bk = (const float *)((const char *)bk + b_stride)) {
      const float p0 = a0[k] * *bk, p1 = a1[k] * *bk, p2 = a2[k] * *bk, p3 = a3[k] * *bk;
      s0 = s0 + p0, s1 = s1 + p1, s2 = s2 + p2, s3 = s3 + p3;
    }
    c3[n] = s3, c2[n] = s2, c1[n] = s1, c0[n] = s0;
  }
}
