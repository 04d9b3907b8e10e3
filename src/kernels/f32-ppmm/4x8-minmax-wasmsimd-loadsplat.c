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
 * (sqz_f32_ppmm_fn); scalar twin 4x8-minmax-scalar.c.
 * A tile of one row (mr = 1: the last of conv10's 169 pixels, of 13x13 and
 * 27x27 Winograd steps' 49 tiles, of the stem's 12321 pixels) goes to
 * row1(), which computes only that row, 4 column blocks at a time (8
 * independent sums, as many as the 4-row loop's; one block alone would wait
 * on its 2 sums' adds): the same sums in the same order as row 0 of the
 * 4-row loop. */
#include <assert.h>

#include "kernels/kernels.h"
#include "kernels/simd.h"
#include "kernels/store-4x8-wasmsimd.h"

static v128_t clamp(v128_t x, v128_t vmin, v128_t vmax) { return wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, x)); }

static __attribute__((noinline)) void row1(size_t nc, size_t kc, const float *restrict a, const float *restrict w,
                                           float *restrict c, size_t cn_stride, v128_t vmin, v128_t vmax) {
  const size_t block = 8 + kc * 8; /* floats per packed block of 8 columns */
  const float *const a_end = a + kc * 4;
  for (; nc >= 32; nc -= 32) {
    const float *w0 = w, *w1 = w + block, *w2 = w1 + block, *w3 = w2 + block;
    v128_t vacc0 = wasm_v128_load(w0), vacc1 = wasm_v128_load(w0 + 4);
    v128_t vacc2 = wasm_v128_load(w1), vacc3 = wasm_v128_load(w1 + 4);
    v128_t vacc4 = wasm_v128_load(w2), vacc5 = wasm_v128_load(w2 + 4);
    v128_t vacc6 = wasm_v128_load(w3), vacc7 = wasm_v128_load(w3 + 4);
    w0 += 8, w1 += 8, w2 += 8, w3 += 8;
    for (const float *ap = a; ap != a_end; ap += 4) {
      const v128_t va = wasm_v128_load32_splat(ap);
      vacc0 = wasm_f32x4_add(vacc0, wasm_f32x4_mul(va, wasm_v128_load(w0)));
      vacc1 = wasm_f32x4_add(vacc1, wasm_f32x4_mul(va, wasm_v128_load(w0 + 4)));
      vacc2 = wasm_f32x4_add(vacc2, wasm_f32x4_mul(va, wasm_v128_load(w1)));
      vacc3 = wasm_f32x4_add(vacc3, wasm_f32x4_mul(va, wasm_v128_load(w1 + 4)));
      vacc4 = wasm_f32x4_add(vacc4, wasm_f32x4_mul(va, wasm_v128_load(w2)));
      vacc5 = wasm_f32x4_add(vacc5, wasm_f32x4_mul(va, wasm_v128_load(w2 + 4)));
      vacc6 = wasm_f32x4_add(vacc6, wasm_f32x4_mul(va, wasm_v128_load(w3)));
      vacc7 = wasm_f32x4_add(vacc7, wasm_f32x4_mul(va, wasm_v128_load(w3 + 4)));
      w0 += 8, w1 += 8, w2 += 8, w3 += 8;
    }
    float *c1 = (float *)((uintptr_t)c + cn_stride), *c2 = (float *)((uintptr_t)c1 + cn_stride);
    float *c3 = (float *)((uintptr_t)c2 + cn_stride);
    wasm_v128_store(c, clamp(vacc0, vmin, vmax));
    wasm_v128_store(c + 4, clamp(vacc1, vmin, vmax));
    wasm_v128_store(c1, clamp(vacc2, vmin, vmax));
    wasm_v128_store(c1 + 4, clamp(vacc3, vmin, vmax));
    wasm_v128_store(c2, clamp(vacc4, vmin, vmax));
    wasm_v128_store(c2 + 4, clamp(vacc5, vmin, vmax));
    wasm_v128_store(c3, clamp(vacc6, vmin, vmax));
    wasm_v128_store(c3 + 4, clamp(vacc7, vmin, vmax));
    w = w3; /* past the 4 blocks */
    c = (float *)((uintptr_t)c3 + cn_stride);
  }
  while (nc != 0) {
    v128_t vacc0 = wasm_v128_load(w), vacc1 = wasm_v128_load(w + 4);
    w += 8;
    for (const float *ap = a; ap != a_end; ap += 4) {
      const v128_t va = wasm_v128_load32_splat(ap);
      vacc0 = wasm_f32x4_add(vacc0, wasm_f32x4_mul(va, wasm_v128_load(w)));
      vacc1 = wasm_f32x4_add(vacc1, wasm_f32x4_mul(va, wasm_v128_load(w + 4)));
      w += 8;
    }
    vacc0 = clamp(vacc0, vmin, vmax);
    vacc1 = clamp(vacc1, vmin, vmax);
    if (nc >= 8) {
      wasm_v128_store(c, vacc0);
      wasm_v128_store(c + 4, vacc1);
      c = (float *)((uintptr_t)c + cn_stride);
      nc -= 8;
    } else {
      sqz_store_4x8_tail__wasmsimd(nc, c, c, c, c, vacc0, vacc1, vacc0, vacc1, vacc0, vacc1, vacc0, vacc1);
      nc = 0;
    }
  }
}

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
  if (mr == 1) {
    row1(nc, kc, a, w, c, cn_stride, vmin, vmax);
    return;
  }
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
