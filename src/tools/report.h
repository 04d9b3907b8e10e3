/* What both CLIs print for one file, formatted in C so the native `sqz` and
 * the Node `squeezenet-wasm` (through the .wasm) print identical output.
 * Each returns the length written (excluding the NUL), like snprintf: a
 * return >= cap means the buffer was too small. */
#ifndef SQZ_REPORT_H
#define SQZ_REPORT_H
#include <stddef.h>

#include "squeezenet.h"

/* {"file": …, "model": …, "predictions": [{"index", "label", "probability"}…]
 *  [, "logits": […]]} */
size_t sqz_report_json(const sqz_model *m, const char *file, int top_k, int with_logits,
                       char *buf, size_t cap);
/* {"file": …, "error": …} */
size_t sqz_report_json_error(const char *file, const char *message, char *buf, size_t cap);
/* A readable block: the file, then one line per prediction. */
size_t sqz_report_text(const sqz_model *m, const char *file, int top_k, int with_logits,
                       char *buf, size_t cap);
size_t sqz_report_text_error(const char *file, const char *message, char *buf, size_t cap);

/* `embed`: {"file": …, "model": …, "embedding": [n values]} */
size_t sqz_report_embedding_json(const sqz_model *m, const char *file, const float *embedding, int n,
                                 char *buf, size_t cap);
/* `train`: what was trained, one line: "10 classes, 300 examples: training accuracy 98.7%, 38 iterations\n" */
size_t sqz_report_training(int classes, int examples, float train_accuracy, int iterations, char *buf,
                           size_t cap);

#endif
