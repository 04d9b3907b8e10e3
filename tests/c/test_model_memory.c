/* The model's memory in two parts (plan.c, network.c): the packed weights at
 * load, the activations at the first classification. For each shipped
 * network on 1 and 2 threads, with malloc wrapped at link time to count the
 * bytes live (malloc_usable_size) and to refuse large requests on demand:
 *  - loading holds at most the weights part: its peak stays 1 MB under the
 *    memory the model reports (the activations are over 1.5 MB in both);
 *  - a first classification whose activations cannot be allocated fails
 *    with SQZ_ERR_MEMORY naming them, as does an embedding, leaving no
 *    result, the reported memory unchanged, and the model working: the next
 *    classification gives the logits of a model that never failed, bit for bit;
 *  - the memory reported is what the model then holds, to 1%. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "squeezenet.h"
#include "testutil.h"

/* ---- live bytes and refused requests, via -Wl,--wrap=malloc,... ---- */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t k);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t alignment, size_t n);
void __real_free(void *p);
static size_t live, peak, refuse_from = SIZE_MAX;
static void *count(void *p) {
  if (p && (live += malloc_usable_size(p)) > peak) peak = live;
  return p;
}
void *__wrap_malloc(size_t n) { return n >= refuse_from ? NULL : count(__real_malloc(n)); }
void *__wrap_calloc(size_t n, size_t k) { return n * k >= refuse_from ? NULL : count(__real_calloc(n, k)); }
void *__wrap_realloc(void *p, size_t n) {
  if (n >= refuse_from) return NULL;
  if (p) live -= malloc_usable_size(p);
  return count(__real_realloc(p, n));
}
void *__wrap_aligned_alloc(size_t alignment, size_t n) {
  return n >= refuse_from ? NULL : count(__real_aligned_alloc(alignment, n));
}
void __wrap_free(void *p) {
  if (p) live -= malloc_usable_size(p);
  __real_free(p);
}

static sqz_model *load(const uint8_t *bytes, size_t size, int threads, const char *what) {
  sqz_error err = {0};
  sqz_options options = {.threads = threads};
  sqz_model *m = sqz_model_load_with_options(bytes, size, &options, &err);
  CHECK(m, "%s: %s", what, err.message);
  return m;
}

static void check_model(const char *name, int threads) {
  char what[64];
  snprintf(what, sizeof what, "%s on %d threads", name, threads);
  size_t size;
  uint8_t *bytes = test_read_model(name, &size);
  if (!bytes) return;
  const size_t before = live;
  peak = live;
  sqz_model *m = load(bytes, size, threads, what);
  const size_t load_peak = peak - before;
  sqz_model *fresh = load(bytes, size, threads, what);
  if (!m || !fresh) goto done;
  const sqz_model_info info = sqz_model_get_info(m);
  CHECK(load_peak + (1u << 20) <= info.memory_bytes, "%s: loading held %zu bytes at most; the model needs %zu", what,
        load_peak, info.memory_bytes);

  const int w = info.input_width, h = info.input_height;
  uint8_t *pixels = malloc((size_t)w * h * 3);
  float embedding[1024];
  if (!pixels) goto done;
  for (size_t i = 0; i < (size_t)w * h * 3; i++) pixels[i] = (uint8_t)(test_rand() >> 24);

  refuse_from = 1u << 20;
  sqz_error err = {0};
  sqz_status st = sqz_classify_pixels(m, pixels, w, h, SQZ_RGB, 0, SQZ_INPUT_RAW, &err);
  CHECK(st == SQZ_ERR_MEMORY && strstr(err.message, "activations"), "%s: refused activations gave %d: %s", what,
        (int)st, err.message);
  sqz_prediction top[5];
  CHECK(!sqz_logits(m) && sqz_top_k(m, 5, top) == 0, "%s: a result after a failed classification", what);
  memset(&err, 0, sizeof err);
  st = sqz_embed_pixels(m, pixels, w, h, SQZ_RGB, 0, SQZ_INPUT_RAW, embedding, 1024, &err);
  CHECK(st == SQZ_ERR_MEMORY && strstr(err.message, "activations"), "%s: refused activations gave %d for an embedding: %s",
        what, (int)st, err.message);
  CHECK(sqz_model_get_info(m).memory_bytes == info.memory_bytes, "%s: the memory reported changed", what);
  refuse_from = SIZE_MAX;

  const size_t with_one = live;
  st = sqz_classify_pixels(fresh, pixels, w, h, SQZ_RGB, 0, SQZ_INPUT_RAW, &err);
  CHECK(st == SQZ_OK, "%s: %s", what, err.message);
  const size_t grown = live - with_one; /* the activations */
  CHECK(grown + (1u << 20) <= info.memory_bytes && grown >= (3u << 19), "%s: the first classification allocated %zu bytes",
        what, grown);

  st = sqz_classify_pixels(m, pixels, w, h, SQZ_RGB, 0, SQZ_INPUT_RAW, &err);
  CHECK(st == SQZ_OK, "%s: after a refused allocation: %s", what, err.message);
  const size_t held = live - before - (size_t)w * h * 3; /* both models, whole; not the pixels */
  const double ratio = (double)held / (2.0 * (double)info.memory_bytes);
  CHECK(ratio > 0.99 && ratio < 1.01, "%s: the models hold %zu bytes, report %zu each", what, held, info.memory_bytes);
  const float *a = sqz_logits(m), *b = sqz_logits(fresh);
  CHECK(a && b && memcmp(a, b, (size_t)info.num_classes * sizeof(float)) == 0,
        "%s: logits after a refused allocation differ from a fresh model's", what);
  CHECK(sqz_embed_pixels(m, pixels, w, h, SQZ_RGB, 0, SQZ_INPUT_RAW, embedding, 1024, &err) == SQZ_OK, "%s: %s",
        what, err.message);
  free(pixels);
done:
  sqz_model_free(m);
  sqz_model_free(fresh);
  CHECK(live == before, "%s: %zu bytes left after freeing", what, live - before);
  free(bytes);
}

int main(void) {
  const char *models[] = {"squeezenet1_1", "squeezenet1_0"};
  for (int i = 0; i < 2; i++)
    for (int threads = 1; threads <= 2; threads++) check_model(models[i], threads);
  return test_finish("test_model_memory");
}
