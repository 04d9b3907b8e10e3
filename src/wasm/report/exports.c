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

/* labels: the model's labels, indexed by class (set up once by the caller).
 * With --heatmaps, map_infos holds 8 floats per prediction (width, height,
 * region x, y, width, height, ring cells, ring value: what squeezenet.wasm's
 * sqzw_class_map gives) and map_data their maps one after another; else NULL. */
EMSCRIPTEN_KEEPALIVE size_t sqzr_result(int kind, int top, int nlogits, const char *file, const char *model,
                                        const int *indices, const float *probabilities, const char *const *labels,
                                        int count, const float *logits, const float *map_infos,
                                        const float *map_data, char *buf, size_t cap) {
  sqz_report_style style = {(sqz_report_kind)kind, top, nlogits};
  sqz_prediction *p = malloc((size_t)(count > 0 ? count : 1) * sizeof *p);
  sqz_report_heatmap *maps = map_infos ? malloc((size_t)(count > 0 ? count : 1) * sizeof *maps) : NULL;
  if (!p || (map_infos && !maps)) return free(p), free(maps), (size_t)-1;
  for (int i = 0; i < count; i++) p[i] = (sqz_prediction){indices[i], probabilities[i], labels[indices[i]]};
  for (int i = 0; maps && i < count; i++) {
    const float *f = map_infos + 8 * i;
    maps[i].info = (sqz_heatmap_info){(int)f[0], (int)f[1], {f[2], f[3], f[4], f[5]}, (int)f[6], f[7]};
    maps[i].data = map_data;
    map_data += maps[i].info.width * maps[i].info.height;
  }
  sqz_report_result r = {model, p, count, logits, maps};
  size_t n = sqz_report_result_line(&style, file, &r, buf, cap);
  free(p);
  free(maps);
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
