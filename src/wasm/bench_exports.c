/* Exports for the benchmark (bench/): preprocessing alone, one network step
 * at a time (JS times each, since standalone wasm has no clock import), and
 * the network input, so the peers get exactly the tensor we classify. */
#define _DEFAULT_SOURCE /* sbrk */
#include <emscripten.h>
#include <unistd.h>

#include "engine/model.h"
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

EMSCRIPTEN_KEEPALIVE int sqzw_prepare_pixels(sqz_model *m, const uint8_t *pixels, int width, int height,
                                             int format, size_t stride, unsigned flags, sqz_error *err) {
  return (int)sqz_model_prepare(m, pixels, width, height, (sqz_pixel_format)format, stride, flags, err);
}
EMSCRIPTEN_KEEPALIVE int sqzw_num_steps(sqz_model *m) { return sqz_network_num_steps(sqz_model_network(m)); }
EMSCRIPTEN_KEEPALIVE const char *sqzw_step_name(sqz_model *m, int i) {
  return sqz_network_step_name(sqz_model_network(m), i);
}
EMSCRIPTEN_KEEPALIVE void sqzw_run_step(sqz_model *m, int i) { sqz_network_run_step(sqz_model_network(m), i); }
EMSCRIPTEN_KEEPALIVE const float *sqzw_network_input(sqz_model *m) {
  return sqz_network_input(sqz_model_network(m));
}
/* The heap's break: how much of the wasm memory malloc has claimed so far
 * (dlmalloc seldom gives memory back, so after a run this is its high-water mark). */
EMSCRIPTEN_KEEPALIVE size_t sqzw_heap_break(void) { return (size_t)sbrk(0); }

/* A step's multiply-adds (sqz_network_step_madds), as a double for JS. */
EMSCRIPTEN_KEEPALIVE double sqzw_step_madds(sqz_model *m, int i) {
  return (double)sqz_network_step_madds(sqz_model_network(m), i);
}

#ifdef __wasm_simd128__
/* The machine's float32 limit for wasm SIMD, which has no fused multiply-add:
 * 12 independent f32x4 chains of acc = acc * m + c (a multiply and an add per
 * 4 multiply-adds, as in a GEMM), all in registers (12 + 2 fit x86's 16), so
 * nothing but the multiply and add units bounds it: 12 chains cover their
 * latency (a mul and an add, 3 + 3 cycles on Zen 4) at two of each per cycle.
 * Performs 48 * iterations multiply-adds; returns a sum so none is dropped. */
EMSCRIPTEN_KEEPALIVE float sqzw_peak_madds(int iterations, float seed) {
  const v128_t m = wasm_f32x4_splat(0.5f), c = wasm_f32x4_splat(seed);
  v128_t a0 = wasm_f32x4_splat(seed), a1 = wasm_f32x4_splat(seed + 1.0f), a2 = wasm_f32x4_splat(seed + 2.0f),
         a3 = wasm_f32x4_splat(seed + 3.0f), a4 = wasm_f32x4_splat(seed + 4.0f), a5 = wasm_f32x4_splat(seed + 5.0f),
         a6 = wasm_f32x4_splat(seed + 6.0f), a7 = wasm_f32x4_splat(seed + 7.0f), a8 = wasm_f32x4_splat(seed + 8.0f),
         a9 = wasm_f32x4_splat(seed + 9.0f), a10 = wasm_f32x4_splat(seed + 10.0f),
         a11 = wasm_f32x4_splat(seed + 11.0f);
  for (int i = 0; i < iterations; i++) {
#define SQZ_PEAK_STEP(a) a = wasm_f32x4_add(wasm_f32x4_mul(a, m), c)
    SQZ_PEAK_STEP(a0); SQZ_PEAK_STEP(a1); SQZ_PEAK_STEP(a2); SQZ_PEAK_STEP(a3);
    SQZ_PEAK_STEP(a4); SQZ_PEAK_STEP(a5); SQZ_PEAK_STEP(a6); SQZ_PEAK_STEP(a7);
    SQZ_PEAK_STEP(a8); SQZ_PEAK_STEP(a9); SQZ_PEAK_STEP(a10); SQZ_PEAK_STEP(a11);
#undef SQZ_PEAK_STEP
  }
  const v128_t s = wasm_f32x4_add(
      wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3)),
                     wasm_f32x4_add(wasm_f32x4_add(a4, a5), wasm_f32x4_add(a6, a7))),
      wasm_f32x4_add(wasm_f32x4_add(a8, a9), wasm_f32x4_add(a10, a11)));
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 3);
}
#endif
