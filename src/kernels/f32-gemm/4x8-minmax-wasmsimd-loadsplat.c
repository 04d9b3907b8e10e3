/* f32 GEMM, 4x8 tile, wasm SIMD128, "loadsplat" variant (XNNPACK's
 * f32-gemm 4x8-minmax-wasmsimd-loadsplat, Google, BSD licence): each step
 * broadcasts one a value per row straight from memory (v128.load32_splat,
 * a single vbroadcastss under V8 on AVX machines) instead of shuffling it
 * out of a 4-wide load, so the multiplies do not queue behind shuffles.
 * Contract and packing: kernels.h; scalar twin 4x8-minmax-scalar.c. */
#include <assert.h>

#include "kernels/kernels.h"
#include "kernels/simd.h"
#include "kernels/store-4x8-wasmsimd.h"

void sqz_f32_gemm_minmax_ukernel_4x8__wasmsimd_loadsplat(size_t mr, size_t nc, size_t kc,
                                                         const float *restrict a, size_t a_stride,
                                                         const float *restrict w, float *restrict c,
                                                         size_t cm_stride, size_t cn_stride,
                                                         const sqz_minmax_params *params) {
  assert(mr != 0 && mr <= 4);
  assert(nc != 0);
  assert(kc != 0);

  const float *a0 = a;
  float *c0 = c;
  const float *a1 = (const float *)((uintptr_t)a0 + a_stride);
  float *c1 = (float *)((uintptr_t)c0 + cm_stride);
  if (mr < 2) {
    a1 = a0;
    c1 = c0;
  }
  const float *a2 = (const float *)((uintptr_t)a1 + a_stride);
  float *c2 = (float *)((uintptr_t)c1 + cm_stride);
  if (mr <= 2) {
    a2 = a1;
    c2 = c1;
  }
  const float *a3 = (const float *)((uintptr_t)a2 + a_stride);
  float *c3 = (float *)((uintptr_t)c2 + cm_stride);
  if (mr != 4) {
    a3 = a2;
    c3 = c2;
  }

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

    size_t k = kc;
    do {
      const v128_t vb0123 = wasm_v128_load(w);
      const v128_t vb4567 = wasm_v128_load(w + 4);
      w += 8;
      const v128_t va0 = wasm_v128_load32_splat(a0);
      a0 += 1;
      const v128_t va1 = wasm_v128_load32_splat(a1);
      a1 += 1;
      const v128_t va2 = wasm_v128_load32_splat(a2);
      a2 += 1;
      const v128_t va3 = wasm_v128_load32_splat(a3);
      a3 += 1;
      vacc0x0123 = wasm_f32x4_add(vacc0x0123, wasm_f32x4_mul(va0, vb0123));
      vacc0x4567 = wasm_f32x4_add(vacc0x4567, wasm_f32x4_mul(va0, vb4567));
      vacc1x0123 = wasm_f32x4_add(vacc1x0123, wasm_f32x4_mul(va1, vb0123));
      vacc1x4567 = wasm_f32x4_add(vacc1x4567, wasm_f32x4_mul(va1, vb4567));
      vacc2x0123 = wasm_f32x4_add(vacc2x0123, wasm_f32x4_mul(va2, vb0123));
      vacc2x4567 = wasm_f32x4_add(vacc2x4567, wasm_f32x4_mul(va2, vb4567));
      vacc3x0123 = wasm_f32x4_add(vacc3x0123, wasm_f32x4_mul(va3, vb0123));
      vacc3x4567 = wasm_f32x4_add(vacc3x4567, wasm_f32x4_mul(va3, vb4567));
    } while (--k != 0);

    vacc0x0123 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc0x0123));
    vacc1x0123 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc1x0123));
    vacc2x0123 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc2x0123));
    vacc3x0123 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc3x0123));
    vacc0x4567 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc0x4567));
    vacc1x4567 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc1x4567));
    vacc2x4567 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc2x4567));
    vacc3x4567 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc3x4567));

    if (nc >= 8) {
      sqz_store_4x8__wasmsimd(c0, c1, c2, c3, vacc0x0123, vacc0x4567, vacc1x0123, vacc1x4567, vacc2x0123,
                              vacc2x4567, vacc3x0123, vacc3x4567);
      c0 = (float *)((uintptr_t)c0 + cn_stride);
      c1 = (float *)((uintptr_t)c1 + cn_stride);
      c2 = (float *)((uintptr_t)c2 + cn_stride);
      c3 = (float *)((uintptr_t)c3 + cn_stride);

      a0 -= kc;
      a1 -= kc;
      a2 -= kc;
      a3 -= kc;
      nc -= 8;
    } else {
      sqz_store_4x8_tail__wasmsimd(nc, c0, c1, c2, c3, vacc0x0123, vacc0x4567, vacc1x0123,
                                   vacc1x4567, vacc2x0123, vacc2x4567, vacc3x0123, vacc3x4567);
      nc = 0;
    }
  } while (nc != 0);
}
