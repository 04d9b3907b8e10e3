/* Exports for the benchmark (bench/): preprocessing alone, one network step
 * at a time (JS times each, since standalone wasm has no clock import), and
 * the network input, so the peers get exactly the tensor we classify. */
#define _DEFAULT_SOURCE /* sbrk */
#include <emscripten.h>
#include <unistd.h>

#include "engine/model.h"

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
