/* f32 global average pooling, wasm SIMD128: channels in blocks of 16, 4,
 * then 1, each block summed over all pixels in registers (pixel order, as the
 * scalar twin), then scaled by 1/pixels. */
#include <assert.h>

#include "kernels/kernels.h"
#include "kernels/simd.h"

void sqz_f32_gavgpool_ukernel__wasmsimd(size_t pixels, size_t channels, const float *input,
                                        float *output) {
  assert(pixels != 0 && channels != 0);
  const float scale = 1.0f / (float)pixels;
  const v128_t vscale = wasm_f32x4_splat(scale);
  size_t c = 0;
  for (; c + 16 <= channels; c += 16) {
    const float *p = input + c;
    v128_t vacc0 = wasm_v128_load(p);
    v128_t vacc1 = wasm_v128_load(p + 4);
    v128_t vacc2 = wasm_v128_load(p + 8);
    v128_t vacc3 = wasm_v128_load(p + 12);
    for (size_t i = 1; i < pixels; i++) {
      p += channels;
      vacc0 = wasm_f32x4_add(vacc0, wasm_v128_load(p));
      vacc1 = wasm_f32x4_add(vacc1, wasm_v128_load(p + 4));
      vacc2 = wasm_f32x4_add(vacc2, wasm_v128_load(p + 8));
      vacc3 = wasm_f32x4_add(vacc3, wasm_v128_load(p + 12));
    }
    wasm_v128_store(output + c, wasm_f32x4_mul(vacc0, vscale));
    wasm_v128_store(output + c + 4, wasm_f32x4_mul(vacc1, vscale));
    wasm_v128_store(output + c + 8, wasm_f32x4_mul(vacc2, vscale));
    wasm_v128_store(output + c + 12, wasm_f32x4_mul(vacc3, vscale));
  }
  for (; c + 4 <= channels; c += 4) {
    const float *p = input + c;
    v128_t vacc = wasm_v128_load(p);
    for (size_t i = 1; i < pixels; i++) {
      p += channels;
      vacc = wasm_f32x4_add(vacc, wasm_v128_load(p));
    }
    wasm_v128_store(output + c, wasm_f32x4_mul(vacc, vscale));
  }
  for (; c < channels; c++) {
    const float *p = input + c;
    float acc = *p;
    for (size_t i = 1; i < pixels; i++) {
      p += channels;
      acc += *p;
    }
    output[c] = acc * scale;
  }
}
