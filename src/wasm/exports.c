/* The WebAssembly boundary: thin wrappers over the public API with plain
 * integer/pointer signatures, exported by name for src/js/engine.js.
 * Built as standalone wasm (no Emscripten JS glue). */
#include <emscripten.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "engine/model.h"
#include "kernels/kernels.h"
#include "preprocess/preprocess.h"
#include "squeezenet.h"

EMSCRIPTEN_KEEPALIVE void *sqzw_alloc(size_t n) { return malloc(n ? n : 1); }
EMSCRIPTEN_KEEPALIVE void sqzw_free(void *p) { free(p); }
/* Bytes currently malloc'd (dlmalloc's mallinfo), for the soak test's leak check. */
EMSCRIPTEN_KEEPALIVE size_t sqzw_heap_bytes(void) { return mallinfo().uordblks; }

/* Whether this build runs the SIMD128 kernels (0: squeezenet-scalar.wasm). */
EMSCRIPTEN_KEEPALIVE int sqzw_simd(void) { return SQZ_KERNELS_SIMD; }

EMSCRIPTEN_KEEPALIVE sqz_error *sqzw_error_new(void) { return calloc(1, sizeof(sqz_error)); }
EMSCRIPTEN_KEEPALIVE int sqzw_error_code(const sqz_error *e) { return (int)e->code; }
EMSCRIPTEN_KEEPALIVE const char *sqzw_error_message(const sqz_error *e) { return e->message; }

EMSCRIPTEN_KEEPALIVE sqz_model *sqzw_model_load(const void *bytes, size_t size, sqz_error *err) {
  return sqz_model_load(bytes, size, err);
}
EMSCRIPTEN_KEEPALIVE void sqzw_model_free(sqz_model *m) { sqz_model_free(m); }
EMSCRIPTEN_KEEPALIVE int sqzw_model_activate(sqz_model *m, sqz_error *err) { return (int)sqz_model_activate(m, err); }
EMSCRIPTEN_KEEPALIVE const char *sqzw_model_name(const sqz_model *m) { return sqz_model_get_info(m).name; }
EMSCRIPTEN_KEEPALIVE int sqzw_model_input_width(const sqz_model *m) { return sqz_model_get_info(m).input_width; }
EMSCRIPTEN_KEEPALIVE int sqzw_model_input_height(const sqz_model *m) { return sqz_model_get_info(m).input_height; }
EMSCRIPTEN_KEEPALIVE int sqzw_model_num_classes(const sqz_model *m) { return sqz_model_get_info(m).num_classes; }
EMSCRIPTEN_KEEPALIVE size_t sqzw_model_memory_bytes(const sqz_model *m) { return sqz_model_get_info(m).memory_bytes; }
EMSCRIPTEN_KEEPALIVE const char *sqzw_label(const sqz_model *m, int i) { return sqz_model_label(m, i); }
EMSCRIPTEN_KEEPALIVE const char *sqzw_label_full(const sqz_model *m, int i) { return sqz_model_label_full(m, i); }

EMSCRIPTEN_KEEPALIVE int sqzw_classify_pixels(sqz_model *m, const uint8_t *pixels, int width, int height,
                                              int format, size_t stride, unsigned flags, sqz_error *err) {
  return (int)sqz_classify_pixels(m, pixels, width, height, (sqz_pixel_format)format, stride, flags, err);
}
/* The flag's value, read by src/js/engine.js (one source of truth: the header). */
EMSCRIPTEN_KEEPALIVE unsigned sqzw_flag_ignore_orientation(void) { return SQZ_IGNORE_ORIENTATION; }
EMSCRIPTEN_KEEPALIVE int sqzw_classify_image(sqz_model *m, const void *bytes, size_t size, unsigned flags,
                                             sqz_error *err) {
  return (int)sqz_classify_image(m, bytes, size, flags, err);
}

/* Top-k as two parallel arrays (indices, probabilities); returns the count. */
EMSCRIPTEN_KEEPALIVE int sqzw_top_k(const sqz_model *m, int k, int *indices, float *probabilities) {
  sqz_prediction p[1000];
  if (k > 1000) k = 1000;
  int n = sqz_top_k(m, k, p);
  for (int i = 0; i < n; i++) indices[i] = p[i].index, probabilities[i] = p[i].probability;
  return n;
}
EMSCRIPTEN_KEEPALIVE const float *sqzw_logits(const sqz_model *m) { return sqz_logits(m); }

/* Top-k through the output controls (sqz_filter, its lists as int arrays),
 * as two parallel arrays; returns the count, or -1 with err filled. */
EMSCRIPTEN_KEEPALIVE int sqzw_top_k_filtered(const sqz_model *m, int k, float min_probability, const int *allow,
                                             int num_allow, const int *deny, int num_deny, int *indices,
                                             float *probabilities, sqz_error *err) {
  const sqz_filter filter = {min_probability, allow, num_allow, deny, num_deny};
  sqz_prediction *p = malloc((size_t)(k > 0 ? k : 1) * sizeof *p);
  if (!p) return sqz_fail(err, SQZ_ERR_MEMORY, "out of memory for %d predictions", k), -1;
  const int n = sqz_top_k_filtered(m, k, &filter, p, err);
  for (int i = 0; i < n; i++) indices[i] = p[i].index, probabilities[i] = p[i].probability;
  free(p);
  return n;
}

/* Class `index`'s map (sqz_class_map) into out, and its info as 8 floats:
 * width, height, region x, y, width, height, ring cells, ring value. */
EMSCRIPTEN_KEEPALIVE int sqzw_class_map(const sqz_model *m, int index, float *out, size_t capacity, float *info8) {
  sqz_heatmap_info info;
  const int n = sqz_class_map(m, index, out, capacity, &info);
  if (n > 0) {
    const float values[8] = {(float)info.width, (float)info.height, info.region.x, info.region.y,
                             info.region.width, info.region.height, (float)info.ring_cells, info.ring_value};
    memcpy(info8, values, sizeof values);
  }
  return n;
}

/* An encoded image decoded and turned upright by its EXIF orientation
 * (unless apply_orientation is 0), as the classification sees it: packed RGB
 * (free with sqzw_free), its width and height in wh[0], wh[1]; NULL with err
 * filled. What the Node CLI lays its --heatmap maps over. */
EMSCRIPTEN_KEEPALIVE uint8_t *sqzw_decode_rgb(const void *bytes, size_t size, int apply_orientation, int *wh,
                                              sqz_error *err) {
  sqz_picture picture;
  if (sqz_decode_picture(bytes, size, apply_orientation, &picture, err) != SQZ_OK) return NULL;
  uint8_t *rgb = malloc((size_t)picture.width * picture.height * 3);
  if (!rgb) sqz_fail(err, SQZ_ERR_MEMORY, "out of memory for a %d x %d picture", picture.width, picture.height);
  else sqz_picture_upright_rgb(&picture, rgb), wh[0] = picture.width, wh[1] = picture.height;
  sqz_picture_free(&picture);
  return rgb;
}

/* Threads (squeezenet-mt.wasm; in squeezenet.wasm a model always has one).
 * src/js/threads.js starts threads-1 workers on the same memory, each
 * calling sqzw_worker_run(pool, i) until sqzw_pool_shutdown. */
EMSCRIPTEN_KEEPALIVE sqz_model *sqzw_model_load_threads(const void *bytes, size_t size, int threads, sqz_error *err) {
  sqz_options options = {.threads = threads};
  return sqz_model_load_with_options(bytes, size, &options, err);
}
EMSCRIPTEN_KEEPALIVE int sqzw_model_threads(const sqz_model *m) { return sqz_model_get_info(m).threads; }
EMSCRIPTEN_KEEPALIVE sqz_pool *sqzw_model_pool(sqz_model *m) { return sqz_model_pool(m); }
EMSCRIPTEN_KEEPALIVE void sqzw_worker_run(sqz_pool *pool, int index) { sqz_pool_worker_run(pool, index); }
EMSCRIPTEN_KEEPALIVE void sqzw_pool_shutdown(sqz_pool *pool) { sqz_pool_shutdown(pool); }
EMSCRIPTEN_KEEPALIVE int sqzw_pool_workers_inside(const sqz_pool *pool) { return sqz_pool_workers_inside(pool); }
