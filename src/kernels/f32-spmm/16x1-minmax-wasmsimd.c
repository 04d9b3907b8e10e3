/* f32 sparse x dense matrix multiply (a pruned 1x1 convolution), 16 pixels x
 * 1 output channel per step, wasm SIMD128. After XNNPACK's f32-spmm
 * 16x1-minmax-wasmsimd (Google, BSD licence), with two differences: input
 * offsets are absolute (so any range of output channels can run alone) and
 * each output pixel has its own place (out_pixels, written lane by lane), so
 * results land straight in the engine's NHWC layout: a fire module's channel
 * half, or the inside of a padded output.
 * The contract is in kernels.h (sqz_f32_spmm_fn); tails take 8, 4, 2, 1 pixels.
 * wasm SIMD has no FMA: mul then add, in the scalar twin's order. The
 * nonzero loops end on a pointer compare (no counter: one live integer
 * fewer for V8's x64 register allocator, as in the PPMM): v1.0's spmm steps
 * 0.96-0.97. */
#include <assert.h>

#include "kernels/kernels.h"
#include "kernels/simd.h"

/* Lanes 0-3 of v to channel n of the pixels at output + px[0..3]. */
static inline void store_lanes(float *output, const uint32_t *px, size_t n, v128_t v) {
  output[px[0] + n] = wasm_f32x4_extract_lane(v, 0);
  output[px[1] + n] = wasm_f32x4_extract_lane(v, 1);
  output[px[2] + n] = wasm_f32x4_extract_lane(v, 2);
  output[px[3] + n] = wasm_f32x4_extract_lane(v, 3);
}

/* The last 1, 2 or 4 pixels (width, a constant once inlined) in one vector. */
static inline __attribute__((always_inline)) void spmm_1x4(size_t width, size_t nc, const float *input,
                                                           const float *w, const int32_t *dmap,
                                                           const uint32_t *nnzmap, float *output,
                                                           const uint32_t *out_pixels, v128_t vmin, v128_t vmax) {
  for (size_t n = 0; n < nc; n++) {
    const int32_t *const dmap_end = dmap + nnzmap[n];
    v128_t vacc = wasm_v128_load32_splat(w);
    w += 1;
    while (dmap != dmap_end) {
      const float *i = (const float *)((uintptr_t)input + (intptr_t)*dmap++);
      const v128_t vi = width == 4 ? wasm_v128_load(i) : width == 2 ? wasm_v128_load64_zero(i) : wasm_v128_load32_zero(i);
      const v128_t vw = wasm_v128_load32_splat(w);
      w += 1;
      vacc = wasm_f32x4_add(vacc, wasm_f32x4_mul(vi, vw));
    }
    vacc = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc));
    if (width == 4) {
      store_lanes(output, out_pixels, n, vacc);
    } else {
      output[out_pixels[0] + n] = wasm_f32x4_extract_lane(vacc, 0);
      if (width == 2) output[out_pixels[1] + n] = wasm_f32x4_extract_lane(vacc, 1);
    }
  }
}

void sqz_f32_spmm_minmax_ukernel_16x1__wasmsimd(size_t mc, size_t nc, const float *restrict input,
                                                const float *restrict weights, const int32_t *restrict offsets,
                                                const uint32_t *restrict nnzmap, float *restrict output,
                                                const uint32_t *restrict out_pixels,
                                                const sqz_minmax_params *params) {
  assert(mc != 0);
  assert(nc != 0);
  const v128_t vmin = wasm_v128_load32_splat(&params->min);
  const v128_t vmax = wasm_v128_load32_splat(&params->max);

  while (mc >= 16) {
    const float *w = weights;
    const int32_t *dmap = offsets;
    for (size_t n = 0; n < nc; n++) {
      const int32_t *const dmap_end = dmap + nnzmap[n];
      v128_t vacc0123 = wasm_v128_load32_splat(w);
      w += 1;
      v128_t vacc4567 = vacc0123;
      v128_t vacc89AB = vacc0123;
      v128_t vaccCDEF = vacc0123;
      while (dmap != dmap_end) {
        const float *i = (const float *)((uintptr_t)input + (intptr_t)*dmap++);
        const v128_t vi0123 = wasm_v128_load(i);
        const v128_t vi4567 = wasm_v128_load(i + 4);
        const v128_t vi89AB = wasm_v128_load(i + 8);
        const v128_t viCDEF = wasm_v128_load(i + 12);
        const v128_t vw = wasm_v128_load32_splat(w);
        w += 1;
        vacc0123 = wasm_f32x4_add(vacc0123, wasm_f32x4_mul(vi0123, vw));
        vacc4567 = wasm_f32x4_add(vacc4567, wasm_f32x4_mul(vi4567, vw));
        vacc89AB = wasm_f32x4_add(vacc89AB, wasm_f32x4_mul(vi89AB, vw));
        vaccCDEF = wasm_f32x4_add(vaccCDEF, wasm_f32x4_mul(viCDEF, vw));
      }
      vacc0123 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc0123));
      vacc4567 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc4567));
      vacc89AB = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc89AB));
      vaccCDEF = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vaccCDEF));
      store_lanes(output, out_pixels, n, vacc0123);
      store_lanes(output, out_pixels + 4, n, vacc4567);
      store_lanes(output, out_pixels + 8, n, vacc89AB);
      store_lanes(output, out_pixels + 12, n, vaccCDEF);
    }
    input += 16;
    out_pixels += 16;
    mc -= 16;
  }
  if (mc & 8) {
    const float *w = weights;
    const int32_t *dmap = offsets;
    for (size_t n = 0; n < nc; n++) {
      const int32_t *const dmap_end = dmap + nnzmap[n];
      v128_t vacc0123 = wasm_v128_load32_splat(w);
      w += 1;
      v128_t vacc4567 = vacc0123;
      while (dmap != dmap_end) {
        const float *i = (const float *)((uintptr_t)input + (intptr_t)*dmap++);
        const v128_t vi0123 = wasm_v128_load(i);
        const v128_t vi4567 = wasm_v128_load(i + 4);
        const v128_t vw = wasm_v128_load32_splat(w);
        w += 1;
        vacc0123 = wasm_f32x4_add(vacc0123, wasm_f32x4_mul(vi0123, vw));
        vacc4567 = wasm_f32x4_add(vacc4567, wasm_f32x4_mul(vi4567, vw));
      }
      vacc0123 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc0123));
      vacc4567 = wasm_f32x4_pmin(vmax, wasm_f32x4_pmax(vmin, vacc4567));
      store_lanes(output, out_pixels, n, vacc0123);
      store_lanes(output, out_pixels + 4, n, vacc4567);
    }
    input += 8;
    out_pixels += 8;
  }
  if (mc & 4) {
    spmm_1x4(4, nc, input, weights, offsets, nnzmap, output, out_pixels, vmin, vmax);
    input += 4;
    out_pixels += 4;
  }
  if (mc & 2) {
    spmm_1x4(2, nc, input, weights, offsets, nnzmap, output, out_pixels, vmin, vmax);
    input += 2;
    out_pixels += 2;
  }
  if (mc & 1) spmm_1x4(1, nc, input, weights, offsets, nnzmap, output, out_pixels, vmin, vmax);
}
