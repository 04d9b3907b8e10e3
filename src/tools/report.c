#define _GNU_SOURCE /* strerrorname_np */
#include "tools/report.h"

#include <errno.h>
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

static size_t finish(out *o) {
  if (o->cap) o->buf[o->len < o->cap ? o->len : o->cap - 1] = 0;
  return o->len;
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

/* RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled. */
static void put_csv_field(out *o, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) {
    put(o, "%s", s);
    return;
  }
  put(o, "\"");
  for (const char *p = s; *p; p++) put(o, *p == '"' ? "\"\"" : "%c", *p);
  put(o, "\"");
}

size_t sqz_report_header(const sqz_report_style *style, char *buf, size_t cap) {
  out o = {buf, cap, 0};
  if (style->kind == SQZ_REPORT_CSV) {
    put(&o, "file");
    for (int i = 1; i <= style->top; i++) put(&o, ",index%d,label%d,probability%d", i, i, i);
    for (int i = 0; i < style->logits; i++) put(&o, ",logit%d", i);
    put(&o, ",error\n");
  }
  return finish(&o);
}

static void put_heatmap(out *o, const sqz_report_heatmap *h) {
  const sqz_heatmap_info *i = &h->info;
  put(o, ", \"heatmap\": {\"width\": %d, \"height\": %d, \"region\": {\"x\": %.9g, \"y\": %.9g, \"width\": %.9g, "
      "\"height\": %.9g}, \"ring\": {\"cells\": %d, \"value\": %.9g}, \"data\": [",
      i->width, i->height, (double)i->region.x, (double)i->region.y, (double)i->region.width,
      (double)i->region.height, i->ring_cells, (double)i->ring_value);
  for (int k = 0; k < i->width * i->height; k++) put(o, "%s%.9g", k ? ", " : "", (double)h->data[k]);
  put(o, "]}");
}

size_t sqz_report_result_line(const sqz_report_style *style, const char *file, const sqz_report_result *r,
                              char *buf, size_t cap) {
  out o = {buf, cap, 0};
  const sqz_prediction *p = r->predictions;
  switch (style->kind) {
  case SQZ_REPORT_TEXT:
    put(&o, "%s  (%s)\n", file, r->model);
    for (int i = 0; i < r->count; i++)
      put(&o, "  %2d. %-32s %7.3f%%  class %d\n", i + 1, p[i].label, 100.0 * p[i].probability, p[i].index);
    if (r->logits) {
      put(&o, "  logits:");
      for (int i = 0; i < style->logits; i++) put(&o, "%s%.9g", i % 8 ? " " : "\n   ", (double)r->logits[i]);
      put(&o, "\n");
    }
    break;
  case SQZ_REPORT_JSON:
    put(&o, "{\"file\": ");
    put_json_string(&o, file);
    put(&o, ", \"model\": ");
    put_json_string(&o, r->model);
    put(&o, ", \"predictions\": [");
    for (int i = 0; i < r->count; i++) {
      put(&o, "%s{\"index\": %d, \"label\": ", i ? ", " : "", p[i].index);
      put_json_string(&o, p[i].label);
      put(&o, ", \"probability\": %.6g", (double)p[i].probability);
      if (r->heatmaps) put_heatmap(&o, &r->heatmaps[i]);
      put(&o, "}");
    }
    put(&o, "]");
    if (r->logits) {
      put(&o, ", \"logits\": [");
      for (int i = 0; i < style->logits; i++) put(&o, "%s%.9g", i ? ", " : "", (double)r->logits[i]);
      put(&o, "]");
    }
    put(&o, "}\n");
    break;
  case SQZ_REPORT_CSV:
    put_csv_field(&o, file);
    for (int i = 0; i < style->top; i++) {
      if (i < r->count) {
        put(&o, ",%d,", p[i].index);
        put_csv_field(&o, p[i].label);
        put(&o, ",%.6g", (double)p[i].probability);
      } else {
        put(&o, ",,,");
      }
    }
    for (int i = 0; i < style->logits; i++) {
      if (r->logits) put(&o, ",%.9g", (double)r->logits[i]);
      else put(&o, ",");
    }
    put(&o, ",\n");
    break;
  }
  return finish(&o);
}

size_t sqz_report_error_line(const sqz_report_style *style, const char *file, const char *message, char *buf,
                             size_t cap) {
  out o = {buf, cap, 0};
  switch (style->kind) {
  case SQZ_REPORT_TEXT:
    put(&o, "%s  error: %s\n", file, message);
    break;
  case SQZ_REPORT_JSON:
    put(&o, "{\"file\": ");
    put_json_string(&o, file);
    put(&o, ", \"error\": ");
    put_json_string(&o, message);
    put(&o, "}\n");
    break;
  case SQZ_REPORT_CSV:
    put_csv_field(&o, file);
    for (int i = 0; i < 3 * style->top + style->logits; i++) put(&o, ",");
    put(&o, ",");
    put_csv_field(&o, message);
    put(&o, "\n");
    break;
  }
  return finish(&o);
}

/* errno values differ between platforms (glibc, wasm's musl): the name is what both know. */
#define IO_REASON(e, text) {e, #e, text}
static const struct {
  int value;
  const char *name, *text;
} io_reasons[] = {
    IO_REASON(ENOENT, "no such file or directory"),
    IO_REASON(EACCES, "permission denied"),
    IO_REASON(EPERM, "operation not permitted"),
    IO_REASON(ENOTDIR, "not a directory"),
    IO_REASON(EISDIR, "is a directory"),
    IO_REASON(ELOOP, "too many levels of symbolic links"),
    IO_REASON(ENAMETOOLONG, "file name too long"),
    IO_REASON(EMFILE, "too many open files"),
    IO_REASON(ENFILE, "too many open files in the system"),
    IO_REASON(EIO, "input/output error"),
    IO_REASON(ENOMEM, "out of memory"),
    IO_REASON(EFBIG, "file too large"),
    IO_REASON(ENOSPC, "no space left on device"),
    IO_REASON(EDQUOT, "disk quota exceeded"),
    IO_REASON(EROFS, "read-only file system"),
    IO_REASON(EPIPE, "broken pipe"),
    IO_REASON(ENXIO, "no such device or address"),
    IO_REASON(ENODEV, "no such device"),
    IO_REASON(ETIMEDOUT, "timed out"),
    IO_REASON(ESTALE, "stale file handle"),
};

const char *sqz_report_io_reason(const char *code, int errno_value, char *buf, size_t cap) {
  for (size_t i = 0; i < sizeof io_reasons / sizeof io_reasons[0]; i++)
    if (code ? strcmp(code, io_reasons[i].name) == 0 : errno_value == io_reasons[i].value) return io_reasons[i].text;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
  if (!code) code = strerrorname_np(errno_value);
#endif
  if (code) snprintf(buf, cap, "error %s", code);
  else snprintf(buf, cap, "error %d", errno_value);
  return buf;
}

size_t sqz_report_embedding_line(const char *file, const char *model, const float *embedding, int n, char *buf,
                                 size_t cap) {
  out o = {buf, cap, 0};
  put(&o, "{\"file\": ");
  put_json_string(&o, file);
  put(&o, ", \"model\": ");
  put_json_string(&o, model);
  put(&o, ", \"embedding\": [");
  for (int i = 0; i < n; i++) put(&o, "%s%.9g", i ? ", " : "", (double)embedding[i]);
  put(&o, "]}\n");
  return finish(&o);
}

size_t sqz_report_training(int classes, int examples, float train_accuracy, int iterations, char *buf,
                           size_t cap) {
  out o = {buf, cap, 0};
  put(&o, "%d classes, %d examples: training accuracy %.1f%%, %d iterations\n", classes, examples,
      100.0 * train_accuracy, iterations);
  return finish(&o);
}
