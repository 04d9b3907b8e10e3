/* The wasm boundary of embeddings and teaching (squeezenet.h): thin
 * wrappers with plain integer/pointer signatures for src/js/engine.js. */
#include <emscripten.h>

#include "learn/taught.h"
#include "squeezenet.h"

EMSCRIPTEN_KEEPALIVE int sqzw_model_embedding_size(const sqz_model *m) {
  return sqz_model_get_info(m).embedding_size;
}
/* The flag's value, read by src/js/engine.js (one source of truth: the header). */
EMSCRIPTEN_KEEPALIVE unsigned sqzw_flag_unit_length(void) { return SQZ_UNIT_LENGTH; }

EMSCRIPTEN_KEEPALIVE int sqzw_embed_image(sqz_model *m, const void *bytes, size_t size, unsigned flags,
                                          float *out, int cap, sqz_error *err) {
  return (int)sqz_embed_image(m, bytes, size, flags, out, cap, err);
}
EMSCRIPTEN_KEEPALIVE int sqzw_embed_pixels(sqz_model *m, const uint8_t *pixels, int width, int height, int format,
                                           size_t stride, unsigned flags, float *out, int cap, sqz_error *err) {
  return (int)sqz_embed_pixels(m, pixels, width, height, (sqz_pixel_format)format, stride, flags, out, cap, err);
}

/* One label by the rules of sqz_taught_model_write ("the label …" in the reason). */
EMSCRIPTEN_KEEPALIVE int sqzw_label_check(const char *label, size_t len, sqz_error *err) {
  return (int)sqz_taught_label_check(label, len, -1, err);
}

/* sqz_train_head with the defaults; report: loss, train accuracy, gradient
 * norm, iterations (as floats). */
EMSCRIPTEN_KEEPALIVE int sqzw_train_head(const float *embeddings, const int *labels, int n, int dim, int classes,
                                         float *weights, float *bias, float *report, sqz_error *err) {
  sqz_train_report r;
  sqz_status st = sqz_train_head(embeddings, labels, n, dim, classes, NULL, weights, bias, &r, err);
  if (st == SQZ_OK)
    report[0] = r.loss, report[1] = r.train_accuracy, report[2] = r.gradient_norm, report[3] = (float)r.iterations;
  return (int)st;
}

EMSCRIPTEN_KEEPALIVE int sqzw_taught_model_write(const void *base, size_t base_size, const float *weights,
                                                 const float *bias, int classes, int dim, const char *const *labels,
                                                 uint8_t **out, size_t *out_size, sqz_error *err) {
  return (int)sqz_taught_model_write(base, base_size, weights, bias, classes, dim, labels, out, out_size, err);
}

/* A taught model's head (NULL on failure; free with sqzw_free) and its parts. */
EMSCRIPTEN_KEEPALIVE sqz_taught_head *sqzw_taught_model_read_head(const void *model, size_t size, sqz_error *err) {
  sqz_taught_head *head = NULL;
  sqz_taught_model_read_head(model, size, &head, err);
  return head;
}
EMSCRIPTEN_KEEPALIVE int sqzw_head_classes(const sqz_taught_head *h) { return h->classes; }
EMSCRIPTEN_KEEPALIVE int sqzw_head_dim(const sqz_taught_head *h) { return h->dim; }
EMSCRIPTEN_KEEPALIVE const float *sqzw_head_weights(const sqz_taught_head *h) { return h->weights; }
EMSCRIPTEN_KEEPALIVE const float *sqzw_head_bias(const sqz_taught_head *h) { return h->bias; }
EMSCRIPTEN_KEEPALIVE const char *sqzw_head_label(const sqz_taught_head *h, int i) { return h->labels[i]; }
