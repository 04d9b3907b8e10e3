/* f32 max pooling, NHWC, wasm SIMD128; contract in kernels.h. For each output
 * pixel the channels go in blocks of 16, 4, then 1, each block's running
 * maximum held in registers over the (clipped) window. wasm_f32x4_pmax is a
 * single maxps on x86 V8 (f32x4.max is not, for its NaN rules). */
#include <assert.h>

#include "kernels/kernels.h"
#include "kernels/simd.h"

void sqz_f32_maxpool_ukernel__wasmsimd(const float *input, size_t ih, size_t iw,
                                       size_t channels, size_t kernel, size_t stride,
                                       float *output, size_t oh, size_t ow, size_t oy_begin,
                                       size_t oy_end) {
  assert(channels != 0 && kernel != 0 && stride != 0);
  assert(oy_end <= oh);
  (void)oh;
  const size_t row = iw * channels; /* floats per input row */
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    const size_t iy0 = oy * stride;
    const size_t kh = (iy0 + kernel < ih ? iy0 + kernel : ih) - iy0;
    assert(iy0 < ih);
    float *out = output + oy * ow * channels;
    for (size_t ox = 0; ox < ow; ox++) {
      const size_t ix0 = ox * stride;
      const size_t kw = (ix0 + kernel < iw ? ix0 + kernel : iw) - ix0;
      assert(ix0 < iw);
      const float *base = input + (iy0 * iw + ix0) * channels;
      size_t c = 0;
      for (; c + 16 <= channels; c += 16) {
        const float *p0 = base + c;
        v128_t vmax0 = wasm_v128_load(p0);
        v128_t vmax1 = wasm_v128_load(p0 + 4);
        v128_t vmax2 = wasm_v128_load(p0 + 8);
        v128_t vmax3 = wasm_v128_load(p0 + 12);
        for (size_t y = 0; y < kh; y++) {
          const float *p = p0 + y * row;
          for (size_t x = 0; x < kw; x++) {
            vmax0 = wasm_f32x4_pmax(vmax0, wasm_v128_load(p));
            vmax1 = wasm_f32x4_pmax(vmax1, wasm_v128_load(p + 4));
            vmax2 = wasm_f32x4_pmax(vmax2, wasm_v128_load(p + 8));
            vmax3 = wasm_f32x4_pmax(vmax3, wasm_v128_load(p + 12));
            p += channels;
          }
        }
        wasm_v128_store(out + c, vmax0);
        wasm_v128_store(out + c + 4, vmax1);
        wasm_v128_store(out + c + 8, vmax2);
        wasm_v128_store(out + c + 12, vmax3);
      }
      for (; c + 4 <= channels; c += 4) {
        const float *p0 = base + c;
        v128_t vmax = wasm_v128_load(p0);
        for (size_t y = 0; y < kh; y++) {
          const float *p = p0 + y * row;
          for (size_t x = 0; x < kw; x++) {
            vmax = wasm_f32x4_pmax(vmax, wasm_v128_load(p));
            p += channels;
          }
        }
        wasm_v128_store(out + c, vmax);
      }
      for (; c < channels; c++) {
        const float *p0 = base + c;
        float vmax = *p0;
        for (size_t y = 0; y < kh; y++) {
          const float *p = p0 + y * row;
          for (size_t x = 0; x < kw; x++) {
            const float v = *p;
            vmax = vmax < v ? v : vmax;
            p += channels;
          }
        }
        out[c] = vmax;
      }
      out += channels;
    }
  }
}
