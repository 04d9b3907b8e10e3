/* dist/cli-report.wasm: the output format of the CLIs (tools/report.c) for
 * the Node CLI, apart from squeezenet.wasm, which links nothing of the CLIs.
 * src/js/cli-report.js wraps it. */
#include <emscripten.h>
#include <stdlib.h>
#include <string.h>

#include "tools/report.h"

EMSCRIPTEN_KEEPALIVE void *sqzr_alloc(size_t n) { return malloc(n ? n : 1); }
EMSCRIPTEN_KEEPALIVE void sqzr_free(void *p) { free(p); }

/* "text", "json", "csv" → sqz_report_kind; -1 for anything else. */
EMSCRIPTEN_KEEPALIVE int sqzr_kind(const char *name) {
  static const char *const names[] = {[SQZ_REPORT_TEXT] = "text", [SQZ_REPORT_JSON] = "json", [SQZ_REPORT_CSV] = "csv"};
  for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
    if (strcmp(name, names[i]) == 0) return i;
  return -1;
}

EMSCRIPTEN_KEEPALIVE size_t sqzr_header(int kind, int top, int logits, char *buf, size_t cap) {
  sqz_report_style style = {(sqz_report_kind)kind, top, logits};
  return sqz_report_header(&style, buf, cap);
}

/* labels: the model's labels, indexed by class (set up once by the caller). */
EMSCRIPTEN_KEEPALIVE size_t sqzr_result(int kind, int top, int nlogits, const char *file, const char *model,
                                        const int *indices, const float *probabilities, const char *const *labels,
                                        int count, const float *logits, char *buf, size_t cap) {
  sqz_report_style style = {(sqz_report_kind)kind, top, nlogits};
  sqz_prediction *p = malloc((size_t)(count > 0 ? count : 1) * sizeof *p);
  if (!p) return (size_t)-1;
  for (int i = 0; i < count; i++) p[i] = (sqz_prediction){indices[i], probabilities[i], labels[indices[i]]};
  sqz_report_result r = {model, p, count, logits};
  size_t n = sqz_report_result_line(&style, file, &r, buf, cap);
  free(p);
  return n;
}

EMSCRIPTEN_KEEPALIVE size_t sqzr_error(int kind, int top, int nlogits, const char *file, const char *message,
                                       char *buf, size_t cap) {
  sqz_report_style style = {(sqz_report_kind)kind, top, nlogits};
  return sqz_report_error_line(&style, file, message, buf, cap);
}

/* Node's error code ("ENOENT") → the words the native CLI uses. */
EMSCRIPTEN_KEEPALIVE const char *sqzr_io_reason(const char *code) {
  static char buf[64];
  return sqz_report_io_reason(code, 0, buf, sizeof buf);
}

/* `embed`'s line and `train`'s summary (tools/report.h). */
EMSCRIPTEN_KEEPALIVE size_t sqzr_embedding(const char *file, const char *model, const float *embedding, int n,
                                           char *buf, size_t cap) {
  return sqz_report_embedding_line(file, model, embedding, n, buf, cap);
}
EMSCRIPTEN_KEEPALIVE size_t sqzr_training(int classes, int examples, float train_accuracy, int iterations, char *buf,
                                          size_t cap) {
  return sqz_report_training(classes, examples, train_accuracy, iterations, buf, cap);
}
