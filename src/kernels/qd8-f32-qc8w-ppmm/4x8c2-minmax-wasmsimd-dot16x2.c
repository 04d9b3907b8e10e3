/* 8-bit pre-packed matrix multiply, 4x8 tile, 2 k per step, wasm SIMD128
 * i32x4.dot_i16x8_s (XNNPACK's qd8-f32-qc8w GEMMs: dynamically quantized
 * activations, per-channel int8 weights, float output; their c2 dot16x2
 * wasmsimd kernels' weight layout). One dot does 8 multiply-adds where f32x4
 * does 4 with two instructions: per k pair, 2 weight loads (8 int8 each,
 * sign-extended by the load), 4 pair splats of A, 8 dots, 8 adds: 64
 * multiply-adds in 22 instructions (the f32 4x8 kernel: 32 in 22).
 * Contract: kernels.h (sqz_qs8_ppmm_fn); scalar twin 4x8c2-minmax-scalar.c. */
#include <assert.h>

#include "kernels/kernels.h"
#include "kernels/simd.h"
#include "kernels/store-4x8-wasmsimd.h"

void sqz_qd8_f32_qc8w_ppmm_minmax_ukernel_4x8c2__wasmsimd_dot16x2(size_t mr, size_t nc, size_t kc,
                                                                 const int16_t *restrict a,
                                                                 const float *restrict a_scale,
                                                                 const void *restrict w, float *restrict c,
                                                                 size_t cm_stride, size_t cn_stride,
                                                                 const sqz_minmax_params *params) {
  assert(mr != 0 && mr <= 4);
  assert(nc != 0);
  assert(kc != 0 && kc % 2 == 0);

  float *c0 = c;
  float *c1 = (float *)((uintptr_t)c0 + cm_stride);
  if (mr < 2) c1 = c0;
  float *c2 = (float *)((uintptr_t)c1 + cm_stride);
  if (mr <= 2) c2 = c1;
  float *c3 = (float *)((uintptr_t)c2 + cm_stride);
  if (mr != 4) c3 = c2;
  const v128_t vmin = wasm_v128_load32_splat(&params->min);
  const v128_t vmax = wasm_v128_load32_splat(&params->max);
  const v128_t vas0 = wasm_v128_load32_splat(a_scale);
  const v128_t vas1 = wasm_v128_load32_splat(a_scale + 1);
  const v128_t vas2 = wasm_v128_load32_splat(a_scale + 2);
  const v128_t vas3 = wasm_v128_load32_splat(a_scale + 3);
  const int8_t *wp = w;
  do {
    const v128_t vbias0123 = wasm_v128_load(wp);
    const v128_t vbias4567 = wasm_v128_load(wp + 16);
    const v128_t vws0123 = wasm_v128_load(wp + 32);
    const v128_t vws4567 = wasm_v128_load(wp + 48);
    wp += 64;
    v128_t vacc0x0123 = wasm_i32x4_splat(0);
    v128_t vacc0x4567 = wasm_i32x4_splat(0);
    v128_t vacc1x0123 = wasm_i32x4_splat(0);
    v128_t vacc1x4567 = wasm_i32x4_splat(0);
    v128_t vacc2x0123 = wasm_i32x4_splat(0);
    v128_t vacc2x4567 = wasm_i32x4_splat(0);
    v128_t vacc3x0123 = wasm_i32x4_splat(0);
    v128_t vacc3x4567 = wasm_i32x4_splat(0);
    const int16_t *ap = a;
    size_t k = kc;
    do {
      const v128_t vb0123 = wasm_i16x8_load8x8(wp);
      const v128_t vb4567 = wasm_i16x8_load8x8(wp + 8);
      wp += 16;
      const v128_t va0 = wasm_v128_load32_splat(ap);
      const v128_t va1 = wasm_v128_load32_splat(ap + 2);
      const v128_t va2 = wasm_v128_load32_splat(ap + 4);
      const v128_t va3 = wasm_v128_load32_splat(ap + 6);
      ap += 8;
      vacc0x0123 = wasm_i32x4_add(vacc0x0123, wasm_i32x4_dot_i16x8(va0, vb0123));
      vacc0x4567 = wasm_i32x4_add(vacc0x4567, wasm_i32x4_dot_i16x8(va0, vb4567));
      vacc1x0123 = wasm_i32x4_add(vacc1x0123, wasm_i32x4_dot_i16x8(va1, vb0123));
      vacc1x4567 = wasm_i32x4_add(vacc1x4567, wasm_i32x4_dot_i16x8(va1, vb4567));
      vacc2x0123 = wasm_i32x4_add(vacc2x0123, wasm_i32x4_dot_i16x8(va2, vb0123));
      vacc2x4567 = wasm_i32x4_add(vacc2x4567, wasm_i32x4_dot_i16x8(va2, vb4567));
      vacc3x0123 = wasm_i32x4_add(vacc3x0123, wasm_i32x4_dot_i16x8(va3, vb0123));
      vacc3x4567 = wasm_i32x4_add(vacc3x4567, wasm_i32x4_dot_i16x8(va3, vb4567));
      k -= 2;
    } while (k != 0);
    /* c = clamp(float(acc) * (a_scale[m] * w_scale[n]) + bias[n]) */
#define SQZ_DEQUANT(vacc, vas, vws, vbias) \
  wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(vacc), \
                                                                            wasm_f32x4_mul(vas, vws)),    \
                                                             vbias)))
    vacc0x0123 = SQZ_DEQUANT(vacc0x0123, vas0, vws0123, vbias0123);
    vacc0x4567 = SQZ_DEQUANT(vacc0x4567, vas0, vws4567, vbias4567);
    vacc1x0123 = SQZ_DEQUANT(vacc1x0123, vas1, vws0123, vbias0123);
    vacc1x4567 = SQZ_DEQUANT(vacc1x4567, vas1, vws4567, vbias4567);
    vacc2x0123 = SQZ_DEQUANT(vacc2x0123, vas2, vws0123, vbias0123);
    vacc2x4567 = SQZ_DEQUANT(vacc2x4567, vas2, vws4567, vbias4567);
    vacc3x0123 = SQZ_DEQUANT(vacc3x0123, vas3, vws0123, vbias0123);
    vacc3x4567 = SQZ_DEQUANT(vacc3x4567, vas3, vws4567, vbias4567);
#undef SQZ_DEQUANT
    if (nc >= 8) {
      sqz_store_4x8__wasmsimd(c0, c1, c2, c3, vacc0x0123, vacc0x4567, vacc1x0123, vacc1x4567, vacc2x0123,
                              vacc2x4567, vacc3x0123, vacc3x4567);
      c0 = (float *)((uintptr_t)c0 + cn_stride);
      c1 = (float *)((uintptr_t)c1 + cn_stride);
      c2 = (float *)((uintptr_t)c2 + cn_stride);
      c3 = (float *)((uintptr_t)c3 + cn_stride);
      nc -= 8;
    } else {
      sqz_store_4x8_tail__wasmsimd(nc, c0, c1, c2, c3, vacc0x0123, vacc0x4567, vacc1x0123, vacc1x4567,
                                   vacc2x0123, vacc2x4567, vacc3x0123, vacc3x4567);
      nc = 0;
    }
  } while (nc != 0);
}
