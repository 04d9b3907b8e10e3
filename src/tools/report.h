/* What both CLIs print, the one definition of their output: the native `sqz`
 * links it, and the Node CLI runs it as its own small .wasm
 * (dist/cli-report.wasm, src/wasm/report/exports.c), so the two print the same
 * bytes. It formats plain data and knows nothing of the engine: the shipped
 * squeezenet.wasm does not link it.
 * Each function returns the length written (excluding the NUL), like
 * snprintf: a return >= cap means the buffer was too small. Every line or
 * block ends with a newline. */
#ifndef SQZ_REPORT_H
#define SQZ_REPORT_H
#include <stddef.h>

#include "squeezenet.h"

typedef enum sqz_report_kind {
  SQZ_REPORT_TEXT, /* a readable block per file: the file, then one line per prediction */
  SQZ_REPORT_JSON, /* one JSON object per line */
  SQZ_REPORT_CSV,  /* a header line, then one row per file (RFC 4180 quoting) */
} sqz_report_kind;

/* Fixed for a run: CSV rows all have the header's columns. */
typedef struct sqz_report_style {
  sqz_report_kind kind;
  int top;    /* predictions per file: min(--top, the model's classes) */
  int logits; /* logits per file (the model's classes) with --logits, else 0 */
} sqz_report_style;

/* A prediction's heatmap (--json --heatmaps), as sqz_class_map gives it. */
typedef struct sqz_report_heatmap {
  sqz_heatmap_info info;
  const float *data; /* info.width * info.height, row-major */
} sqz_report_heatmap;

/* One classified file. */
typedef struct sqz_report_result {
  const char *model;                 /* the model's name */
  const sqz_prediction *predictions; /* best first */
  int count;
  const float *logits;               /* style->logits of them, or NULL */
  const sqz_report_heatmap *heatmaps; /* one per prediction (JSON only), or NULL */
} sqz_report_result;

/* CSV: file,index1,label1,probability1,…[,logit0,…],error. Empty for the others. */
size_t sqz_report_header(const sqz_report_style *style, char *buf, size_t cap);
/* text: "FILE  (MODEL)\n   1. label  99.000%  class 0\n…"
 * JSON: {"file": …, "model": …, "predictions": [{"index", "label", "probability"[, "heatmap": {"width",
 *        "height", "region": {"x", "y", "width", "height"}, "ring": {"cells", "value"}, "data": […]}]}…]
 *        [, "logits": […]]}
 * CSV:  FILE,0,tench,0.99,…, (the error column empty) */
size_t sqz_report_result_line(const sqz_report_style *style, const char *file, const sqz_report_result *result,
                              char *buf, size_t cap);
/* text: "FILE  error: MESSAGE"; JSON: {"file": …, "error": …}; CSV: FILE,,…,MESSAGE */
size_t sqz_report_error_line(const sqz_report_style *style, const char *file, const char *message, char *buf,
                             size_t cap);

/* A reason for a failed file-system call, from the error's name ("ENOENT":
 * what Node calls it) or, natively, its errno value (code NULL): the same
 * words in both CLIs. "error ENAME" (or "error N") when not in the table. */
const char *sqz_report_io_reason(const char *code, int errno_value, char *buf, size_t cap);

/* `embed`, one JSON line: {"file": …, "model": …, "embedding": [n values]} */
size_t sqz_report_embedding_line(const char *file, const char *model, const float *embedding, int n, char *buf,
                                 size_t cap);
/* `train`, what was trained: "10 classes, 300 examples: training accuracy 98.7%, 38 iterations" */
size_t sqz_report_training(int classes, int examples, float train_accuracy, int iterations, char *buf,
                           size_t cap);

#endif
