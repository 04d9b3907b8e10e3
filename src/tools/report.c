#include "tools/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct out {
  char *buf;
  size_t cap, len;
} out;

static void put(out *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t room = o->len < o->cap ? o->cap - o->len : 0;
  int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
  va_end(ap);
  if (n > 0) o->len += (size_t)n;
}

static void put_json_string(out *o, const char *s) {
  put(o, "\"");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') put(o, "\\%c", *p);
    else if (*p == '\n') put(o, "\\n");
    else if (*p == '\t') put(o, "\\t");
    else if (*p == '\r') put(o, "\\r");
    else if (*p < 0x20) put(o, "\\u%04x", *p);
    else put(o, "%c", *p);
  }
  put(o, "\"");
}

size_t sqz_report_json(const sqz_model *m, const char *file, int top_k, int with_logits,
                       char *buf, size_t cap) {
  out o = {buf, cap, 0};
  sqz_model_info info = sqz_model_get_info(m);
  sqz_prediction p[64];
  if (top_k > 64) top_k = 64;
  int n = sqz_top_k(m, top_k, p);
  put(&o, "{\"file\": ");
  put_json_string(&o, file);
  put(&o, ", \"model\": ");
  put_json_string(&o, info.name);
  put(&o, ", \"predictions\": [");
  for (int i = 0; i < n; i++) {
    put(&o, "%s{\"index\": %d, \"label\": ", i ? ", " : "", p[i].index);
    put_json_string(&o, p[i].label);
    put(&o, ", \"probability\": %.6g}", (double)p[i].probability);
  }
  put(&o, "]");
  const float *logits = sqz_logits(m);
  if (with_logits && logits) {
    put(&o, ", \"logits\": [");
    for (int i = 0; i < info.num_classes; i++) put(&o, "%s%.9g", i ? ", " : "", (double)logits[i]);
    put(&o, "]");
  }
  put(&o, "}");
  if (cap) buf[o.len < cap ? o.len : cap - 1] = 0;
  return o.len;
}

size_t sqz_report_embedding_json(const sqz_model *m, const char *file, const float *embedding, int n,
                                 char *buf, size_t cap) {
  out o = {buf, cap, 0};
  put(&o, "{\"file\": ");
  put_json_string(&o, file);
  put(&o, ", \"model\": ");
  put_json_string(&o, sqz_model_get_info(m).name);
  put(&o, ", \"embedding\": [");
  for (int i = 0; i < n; i++) put(&o, "%s%.9g", i ? ", " : "", (double)embedding[i]);
  put(&o, "]}");
  if (cap) buf[o.len < cap ? o.len : cap - 1] = 0;
  return o.len;
}

size_t sqz_report_training(int classes, int examples, float train_accuracy, int iterations, char *buf,
                           size_t cap) {
  out o = {buf, cap, 0};
  put(&o, "%d classes, %d examples: training accuracy %.1f%%, %d iterations\n", classes, examples,
      100.0 * train_accuracy, iterations);
  if (cap) buf[o.len < cap ? o.len : cap - 1] = 0;
  return o.len;
}

size_t sqz_report_json_error(const char *file, const char *message, char *buf, size_t cap) {
  out o = {buf, cap, 0};
  put(&o, "{\"file\": ");
  put_json_string(&o, file);
  put(&o, ", \"error\": ");
  put_json_string(&o, message);
  put(&o, "}");
  if (cap) buf[o.len < cap ? o.len : cap - 1] = 0;
  return o.len;
}

size_t sqz_report_text(const sqz_model *m, const char *file, int top_k, int with_logits,
                       char *buf, size_t cap) {
  out o = {buf, cap, 0};
  sqz_model_info info = sqz_model_get_info(m);
  sqz_prediction p[64];
  if (top_k > 64) top_k = 64;
  int n = sqz_top_k(m, top_k, p);
  put(&o, "%s  (%s)\n", file, info.name);
  for (int i = 0; i < n; i++)
    put(&o, "  %2d. %-32s %7.3f%%  class %d\n", i + 1, p[i].label, 100.0 * p[i].probability, p[i].index);
  const float *logits = sqz_logits(m);
  if (with_logits && logits) {
    put(&o, "  logits:");
    for (int i = 0; i < info.num_classes; i++) put(&o, "%s%.9g", i % 8 ? " " : "\n   ", (double)logits[i]);
    put(&o, "\n");
  }
  if (cap) buf[o.len < cap ? o.len : cap - 1] = 0;
  return o.len;
}

size_t sqz_report_text_error(const char *file, const char *message, char *buf, size_t cap) {
  out o = {buf, cap, 0};
  put(&o, "%s  error: %s\n", file, message);
  if (cap) buf[o.len < cap ? o.len : cap - 1] = 0;
  return o.len;
}
