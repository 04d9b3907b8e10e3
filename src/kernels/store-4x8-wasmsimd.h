/* Storing a 4x8 tile, all 8 columns or the last 1–7, shared by the 4x8
 * wasmsimd GEMM, IGEMM and PPMM kernels. Highest row first: rows past mr
 * alias a real row's pointer, which must be written last. */
#ifndef SQZ_STORE_4X8_WASMSIMD_H
#define SQZ_STORE_4X8_WASMSIMD_H
#include <stddef.h>

#include "kernels/simd.h"

static inline void sqz_store_4x8__wasmsimd(float *c0, float *c1, float *c2, float *c3,
                                           v128_t vacc0x0123, v128_t vacc0x4567, v128_t vacc1x0123,
                                           v128_t vacc1x4567, v128_t vacc2x0123, v128_t vacc2x4567,
                                           v128_t vacc3x0123, v128_t vacc3x4567) {
  wasm_v128_store(c3, vacc3x0123);
  wasm_v128_store(c3 + 4, vacc3x4567);
  wasm_v128_store(c2, vacc2x0123);
  wasm_v128_store(c2 + 4, vacc2x4567);
  wasm_v128_store(c1, vacc1x0123);
  wasm_v128_store(c1 + 4, vacc1x4567);
  wasm_v128_store(c0, vacc0x0123);
  wasm_v128_store(c0 + 4, vacc0x4567);
}

static inline void sqz_store_4x8_tail__wasmsimd(size_t nc, float *c0, float *c1, float *c2,
                                                float *c3, v128_t vacc0x0123, v128_t vacc0x4567,
                                                v128_t vacc1x0123, v128_t vacc1x4567,
                                                v128_t vacc2x0123, v128_t vacc2x4567,
                                                v128_t vacc3x0123, v128_t vacc3x4567) {
  if (nc & 4) {
    wasm_v128_store(c3, vacc3x0123);
    wasm_v128_store(c2, vacc2x0123);
    wasm_v128_store(c1, vacc1x0123);
    wasm_v128_store(c0, vacc0x0123);
    vacc3x0123 = vacc3x4567;
    vacc2x0123 = vacc2x4567;
    vacc1x0123 = vacc1x4567;
    vacc0x0123 = vacc0x4567;
    c3 += 4;
    c2 += 4;
    c1 += 4;
    c0 += 4;
  }
  if (nc & 2) {
    wasm_v128_store64_lane(c3, vacc3x0123, 0);
    wasm_v128_store64_lane(c2, vacc2x0123, 0);
    wasm_v128_store64_lane(c1, vacc1x0123, 0);
    wasm_v128_store64_lane(c0, vacc0x0123, 0);
    vacc3x0123 = wasm_i64x2_shuffle(vacc3x0123, vacc3x0123, 1, 1);
    vacc2x0123 = wasm_i64x2_shuffle(vacc2x0123, vacc2x0123, 1, 1);
    vacc1x0123 = wasm_i64x2_shuffle(vacc1x0123, vacc1x0123, 1, 1);
    vacc0x0123 = wasm_i64x2_shuffle(vacc0x0123, vacc0x0123, 1, 1);
    c3 += 2;
    c2 += 2;
    c1 += 2;
    c0 += 2;
  }
  if (nc & 1) {
    wasm_v128_store32_lane(c3, vacc3x0123, 0);
    wasm_v128_store32_lane(c2, vacc2x0123, 0);
    wasm_v128_store32_lane(c1, vacc1x0123, 0);
    wasm_v128_store32_lane(c0, vacc0x0123, 0);
  }
}

#endif
