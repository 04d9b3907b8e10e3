/* f32 indirect GEMM (convolution through an indirection buffer), 4x8 tile,
 * wasm SIMD128, "splat" variant, after XNNPACK's f32-igemm
 * 4x8-minmax-wasmsimd-x86-splat (Google, BSD licence): 8 accumulators (4 rows
 * x 2 vectors) seeded from the packed bias; the main loop takes 4 k at a
 * time, loading 4 floats of each row once and broadcasting each lane by
 * shuffle; wasm SIMD has no FMA, so mul then add. For each of the ks taps
 * the 4 row pointers are a[t*4 + m]. Rows past mr compute from whatever their
 * (readable) pointers hold and are stored before the real rows they alias. */
#include <assert.h>

#include "kernels/kernels.h"
#include "kernels/simd.h"
#include "kernels/store-4x8-wasmsimd.h"

void sqz_f32_igemm_minmax_ukernel_4x8__wasmsimd_splat(size_t mr, size_t nc, size_t kc,
                                                      size_t ks, const float **restrict a,
                                                      const float *restrict w,
                                                      float *restrict c, size_t cm_stride,
                                                      size_t cn_stride,
                                                      const sqz_minmax_params *params) {
  assert(mr != 0 && mr <= 4);
  assert(nc != 0);
  assert(kc != 0);
  assert(ks != 0);

  float *c0 = c;
  float *c1 = (float *)((uintptr_t)c0 + cm_stride);
  if (mr < 2) c1 = c0;
  float *c2 = (float *)((uintptr_t)c1 + cm_stride);
  if (mr <= 2) c2 = c1;
  float *c3 = (float *)((uintptr_t)c2 + cm_stride);
  if (mr != 4) c3 = c2;

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

    size_t p = ks;
    do {
      const float *restrict a0 = a[0];
      const float *restrict a1 = a[1];
      const float *restrict a2 = a[2];
      const float *restrict a3 = a[3];
      a += 4;

      size_t k = kc;
      for (; k >= 4; k -= 4) {
        const v128_t va0 = wasm_v128_load(a0);
        a0 += 4;
        const v128_t va1 = wasm_v128_load(a1);
        a1 += 4;
        const v128_t va2 = wasm_v128_load(a2);
        a2 += 4;
        const v128_t va3 = wasm_v128_load(a3);
        a3 += 4;

        const v128_t va0c0 = wasm_i32x4_shuffle(va0, va0, 0, 0, 0, 0);
        const v128_t va1c0 = wasm_i32x4_shuffle(va1, va1, 0, 0, 0, 0);
        const v128_t va2c0 = wasm_i32x4_shuffle(va2, va2, 0, 0, 0, 0);
        const v128_t va3c0 = wasm_i32x4_shuffle(va3, va3, 0, 0, 0, 0);
        const v128_t vb0123c0 = wasm_v128_load(w + 0);
        const v128_t vb4567c0 = wasm_v128_load(w + 4);
        vacc0x0123 = wasm_f32x4_add(vacc0x0123, wasm_f32x4_mul(va0c0, vb0123c0));
        vacc1x0123 = wasm_f32x4_add(vacc1x0123, wasm_f32x4_mul(va1c0, vb0123c0));
        vacc2x0123 = wasm_f32x4_add(vacc2x0123, wasm_f32x4_mul(va2c0, vb0123c0));
        vacc3x0123 = wasm_f32x4_add(vacc3x0123, wasm_f32x4_mul(va3c0, vb0123c0));
        vacc0x4567 = wasm_f32x4_add(vacc0x4567, wasm_f32x4_mul(va0c0, vb4567c0));
        vacc1x4567 = wasm_f32x4_add(vacc1x4567, wasm_f32x4_mul(va1c0, vb4567c0));
        vacc2x4567 = wasm_f32x4_add(vacc2x4567, wasm_f32x4_mul(va2c0, vb4567c0));
        vacc3x4567 = wasm_f32x4_add(vacc3x4567, wasm_f32x4_mul(va3c0, vb4567c0));

        const v128_t va0c1 = wasm_i32x4_shuffle(va0, va0, 1, 1, 1, 1);
        const v128_t va1c1 = wasm_i32x4_shuffle(va1, va1, 1, 1, 1, 1);
        const v128_t va2c1 = wasm_i32x4_shuffle(va2, va2, 1, 1, 1, 1);
        const v128_t va3c1 = wasm_i32x4_shuffle(va3, va3, 1, 1, 1, 1);
        const v128_t vb0123c1 = wasm_v128_load(w + 8);
        const v128_t vb4567c1 = wasm_v128_load(w + 12);
        vacc0x0123 = wasm_f32x4_add(vacc0x0123, wasm_f32x4_mul(va0c1, vb0123c1));
        vacc1x0123 = wasm_f32x4_add(vacc1x0123, wasm_f32x4_mul(va1c1, vb0123c1));
        vacc2x0123 = wasm_f32x4_add(vacc2x0123, wasm_f32x4_mul(va2c1, vb0123c1));
        vacc3x0123 = wasm_f32x4_add(vacc3x0123, wasm_f32x4_mul(va3c1, vb0123c1));
        vacc0x4567 = wasm_f32x4_add(vacc0x4567, wasm_f32x4_mul(va0c1, vb4567c1));
        vacc1x4567 = wasm_f32x4_add(vacc1x4567, wasm_f32x4_mul(va1c1, vb4567c1));
        vacc2x4567 = wasm_f32x4_add(vacc2x4567, wasm_f32x4_mul(va2c1, vb4567c1));
        vacc3x4567 = wasm_f32x4_add(vacc3x4567, wasm_f32x4_mul(va3c1, vb4567c1));

        const v128_t va0c2 = wasm_i32x4_shuffle(va0, va0, 2, 2, 2, 2);
        const v128_t va1c2 = wasm_i32x4_shuffle(va1, va1, 2, 2, 2, 2);
        const v128_t va2c2 = wasm_i32x4_shuffle(va2, va2, 2, 2, 2, 2);
        const v128_t va3c2 = wasm_i32x4_shuffle(va3, va3, 2, 2, 2, 2);
        const v128_t vb0123c2 = wasm_v128_load(w + 16);
        const v128_t vb4567c2 = wasm_v128_load(w + 20);
        vacc0x0123 = wasm_f32x4_add(vacc0x0123, wasm_f32x4_mul(va0c2, vb0123c2));
        vacc1x0123 = wasm_f32x4_add(vacc1x0123, wasm_f32x4_mul(va1c2, vb0123c2));
        vacc2x0123 = wasm_f32x4_add(vacc2x0123, wasm_f32x4_mul(va2c2, vb0123c2));
        vacc3x0123 = wasm_f32x4_add(vacc3x0123, wasm_f32x4_mul(va3c2, vb0123c2));
        vacc0x4567 = wasm_f32x4_add(vacc0x4567, wasm_f32x4_mul(va0c2, vb4567c2));
        vacc1x4567 = wasm_f32x4_add(vacc1x4567, wasm_f32x4_mul(va1c2, vb4567c2));
        vacc2x4567 = wasm_f32x4_add(vacc2x4567, wasm_f32x4_mul(va2c2, vb4567c2));
        vacc3x4567 = wasm_f32x4_add(vacc3x4567, wasm_f32x4_mul(va3c2, vb4567c2));

        const v128_t va0c3 = wasm_i32x4_shuffle(va0, va0, 3, 3, 3, 3);
        const v128_t va1c3 = wasm_i32x4_shuffle(va1, va1, 3, 3, 3, 3);
        const v128_t va2c3 = wasm_i32x4_shuffle(va2, va2, 3, 3, 3, 3);
        const v128_t va3c3 = wasm_i32x4_shuffle(va3, va3, 3, 3, 3, 3);
        const v128_t vb0123c3 = wasm_v128_load(w + 24);
        const v128_t vb4567c3 = wasm_v128_load(w + 28);
        vacc0x0123 = wasm_f32x4_add(vacc0x0123, wasm_f32x4_mul(va0c3, vb0123c3));
        vacc1x0123 = wasm_f32x4_add(vacc1x0123, wasm_f32x4_mul(va1c3, vb0123c3));
        vacc2x0123 = wasm_f32x4_add(vacc2x0123, wasm_f32x4_mul(va2c3, vb0123c3));
        vacc3x0123 = wasm_f32x4_add(vacc3x0123, wasm_f32x4_mul(va3c3, vb0123c3));
        vacc0x4567 = wasm_f32x4_add(vacc0x4567, wasm_f32x4_mul(va0c3, vb4567c3));
        vacc1x4567 = wasm_f32x4_add(vacc1x4567, wasm_f32x4_mul(va1c3, vb4567c3));
        vacc2x4567 = wasm_f32x4_add(vacc2x4567, wasm_f32x4_mul(va2c3, vb4567c3));
        vacc3x4567 = wasm_f32x4_add(vacc3x4567, wasm_f32x4_mul(va3c3, vb4567c3));

        w += 32;
      }
      for (; k != 0; k--) {
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
      }
    } while (--p != 0);

    /* pmax/pmin lower to a single maxps/minps on x86 V8. */
    vacc0x0123 = wasm_f32x4_pmax(vmin, vacc0x0123);
    vacc1x0123 = wasm_f32x4_pmax(vmin, vacc1x0123);
    vacc2x0123 = wasm_f32x4_pmax(vmin, vacc2x0123);
    vacc3x0123 = wasm_f32x4_pmax(vmin, vacc3x0123);
    vacc0x4567 = wasm_f32x4_pmax(vmin, vacc0x4567);
    vacc1x4567 = wasm_f32x4_pmax(vmin, vacc1x4567);
    vacc2x4567 = wasm_f32x4_pmax(vmin, vacc2x4567);
    vacc3x4567 = wasm_f32x4_pmax(vmin, vacc3x4567);

    vacc0x0123 = wasm_f32x4_pmin(vmax, vacc0x0123);
    vacc1x0123 = wasm_f32x4_pmin(vmax, vacc1x0123);
    vacc2x0123 = wasm_f32x4_pmin(vmax, vacc2x0123);
    vacc3x0123 = wasm_f32x4_pmin(vmax, vacc3x0123);
    vacc0x4567 = wasm_f32x4_pmin(vmax, vacc0x4567);
    vacc1x4567 = wasm_f32x4_pmin(vmax, vacc1x4567);
    vacc2x4567 = wasm_f32x4_pmin(vmax, vacc2x4567);
    vacc3x4567 = wasm_f32x4_pmin(vmax, vacc3x4567);

    if (nc >= 8) {
      sqz_store_4x8__wasmsimd(c0, c1, c2, c3, vacc0x0123, vacc0x4567, vacc1x0123, vacc1x4567, vacc2x0123,
                              vacc2x4567, vacc3x0123, vacc3x4567);
      c0 = (float *)((uintptr_t)c0 + cn_stride);
      c1 = (float *)((uintptr_t)c1 + cn_stride);
      c2 = (float *)((uintptr_t)c2 + cn_stride);
      c3 = (float *)((uintptr_t)c3 + cn_stride);

      a -= ks * 4; /* rewind the indirection pointers for the next block */
      nc -= 8;
    } else {
      sqz_store_4x8_tail__wasmsimd(nc, c0, c1, c2, c3, vacc0x0123, vacc0x4567, vacc1x0123,
                                   vacc1x4567, vacc2x0123, vacc2x4567, vacc3x0123, vacc3x4567);
      nc = 0;
    }
  } while (nc != 0);
}
