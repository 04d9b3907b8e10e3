/* f32 pre-packed matrix multiply (PPMM), 4x8 tile, wasm SIMD128, loadsplat:
 * the 4x8 loadsplat GEMM's inner loop with the 4 rows of A interleaved into
 * one panel (a[k*4 + m], as XNNPACK's f32-ppmm after x32-packx), so each k
 * step splats the 4 rows at constant offsets of one pointer: V8 then keeps
 * one address increment per step instead of four, and the stem's GEMM ran
 * in 0.85x the time (K = 147, N = 96). The stem's im2col writes its rows
 * straight into such panels. Few live integers, for V8's x64 register
 * allocator (about 11 general registers): the k loop ends on a pointer
 * compare (no counter) and the 4 output rows are offsets from one pointer
 * made at the store; with a counter and 4 row pointers V8 spilled the
 * counter to the stack in the loop: this took 0.91-0.95x the time in
 * isolation (conv10's and the Winograd GEMMs' shapes). Unrolling k by 2
 * took 1.3-1.45x (clang hoists the loads, V8 spills). Contract: kernels.h
 * (sqz_f32_ppmm_fn); scalar twin 4x8-minmax-scalar.c. */
#include <assert.h>

#include "kernels/kernels.h"
#include "kernels/simd.h"
#include "kernels/store-4x8-wasmsimd.h"

void sqz_f32_ppmm_minmax_ukernel_4x8__wasmsimd_loadsplat(size_t mr, size_t nc, size_t kc,
                                                         const float *restrict a, const float *restrict w,
                                                         float *restrict c, size_t cm_stride, size_t cn_stride,
                                                         const sqz_minmax_params *params) {
  assert(mr != 0 && mr <= 4);
  assert(nc != 0);
  assert(kc != 0);

  /* rows past mr alias the last real row (stored first: store-4x8-wasmsimd.h) */
  const size_t c1_offset = mr < 2 ? 0 : cm_stride;
  const size_t c2_offset = mr <= 2 ? c1_offset : c1_offset + cm_stride;
  const size_t c3_offset = mr != 4 ? c2_offset : c2_offset + cm_stride;
  const float *const a_end = a + kc * 4;
  const v128_t vmin = wasm_v128_load32_splat(&params->min);
  const v128_t vmax = wasm_v128_load32_splat(&params->max);
  do {
    v128_t vacc0x0123 = wasm_v128_load(w);
    v128_t vacc0x4567 = wasm_v128_load(w + 4);
    v128_t vacc1x0123 = vacc0x0123;
    v128_t vacc1x4567 = vacc0x4567;
    v128_t vacc2x0123 = vacc0x0123;
    v128_t vacc2x4567 = vacc0x4567;
    v128_t vacc3x0123 = vacc0x0123;
    v128_t vacc3x4567 = vacc0x4567;
    w += 8;
    const float *ap = a;
    do {
      const v128_t vb0123 = wasm_v128_load(w);
      const v128_t vb4567 = wasm_v128_load(w + 4);
      w += 8;
      const v128_t va0 = wasm_v128_load32_splat(ap);
      const v128_t va1 = wasm_v128_load32_splat(ap + 1);
      const v128_t va2 = wasm_v128_load32_splat(ap + 2);
      const v128_t va3 = wasm_v128_load32_splat(ap + 3);
      ap += 4;
      vacc0x0123 = wasm_f32x4_add(vacc0x0123, wasm_f32x4_mul(va0, vb0123));
      vacc0x4567 = wasm_f32x4_add(vacc0x4567, wasm_f32x4_mul(va0, vb4567));
      vacc1x0123 = wasm_f32x4_add(vacc1x0123, wasm_f32x4_mul(va1, vb0123));
      vacc1x4567 = wasm_f32x4_add(vacc1x4567, wasm_f32x4_mul(va1, vb4567));
      vacc2x0123 = wasm_f32x4_add(vacc2x0123, wasm_f32x4_mul(va2, vb0123));
      vacc2x4567 = wasm_f32x4_add(vacc2x4567, wasm_f32x4_mul(va2, vb4567));
      vacc3x0123 = wasm_f32x4_add(vacc3x0123, wasm_f32x4_mul(va3, vb0123));
      vacc3x4567 = wasm_f32x4_add(vacc3x4567, wasm_f32x4_mul(va3, vb4567));
    } while (ap != a_end);
    vacc0x0123 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc0x0123));
    vacc1x0123 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc1x0123));
    vacc2x0123 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc2x0123));
    vacc3x0123 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc3x0123));
    vacc0x4567 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc0x4567));
    vacc1x4567 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc1x4567));
    vacc2x4567 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc2x4567));
    vacc3x4567 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc3x4567));
    float *c0 = c;
    float *c1 = (float *)((uintptr_t)c + c1_offset);
    float *c2 = (float *)((uintptr_t)c + c2_offset);
    float *c3 = (float *)((uintptr_t)c + c3_offset);
    if (nc >= 8) {
      sqz_store_4x8__wasmsimd(c0, c1, c2, c3, vacc0x0123, vacc0x4567, vacc1x0123, vacc1x4567, vacc2x0123,
                              vacc2x4567, vacc3x0123, vacc3x4567);
      c = (float *)((uintptr_t)c + cn_stride);
      nc -= 8;
    } else {
      sqz_store_4x8_tail__wasmsimd(nc, c0, c1, c2, c3, vacc0x0123, vacc0x4567, vacc1x0123,
                                   vacc1x4567, vacc2x0123, vacc2x4567, vacc3x0123, vacc3x4567);
      nc = 0;
    }
  } while (nc != 0);
}
