/* Writing a .sqz file (used by the converters and the compressor). */
#include <stdlib.h>
#include <string.h>

#include "format/writer.h"
#include "common/half.h"
#include "common/crc32.h"
#include "format/format.h"

void sqz_writer_init(sqz_writer *w) { memset(w, 0, sizeof *w); }
void sqz_writer_free(sqz_writer *w) {
  free(w->data);
  memset(w, 0, sizeof *w);
}

void sqz_write_bytes(sqz_writer *w, const void *p, size_t n) {
  if (w->failed) return;
  if (w->size + n > w->capacity) {
    size_t cap = w->capacity ? w->capacity : 4096;
    while (cap < w->size + n) cap *= 2;
    uint8_t *d = realloc(w->data, cap);
    if (!d) {
      w->failed = 1;
      return;
    }
    w->data = d;
    w->capacity = cap;
  }
  if (n) memcpy(w->data + w->size, p, n);
  w->size += n;
}

void sqz_write_u8(sqz_writer *w, uint8_t v) { sqz_write_bytes(w, &v, 1); }
void sqz_write_u16(sqz_writer *w, uint16_t v) {
  uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  sqz_write_bytes(w, b, 2);
}
void sqz_write_u32(sqz_writer *w, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  sqz_write_bytes(w, b, 4);
}
void sqz_write_f32(sqz_writer *w, float v) {
  uint32_t u;
  memcpy(&u, &v, 4);
  sqz_write_u32(w, u);
}

static void pad4(sqz_writer *w) {
  static const uint8_t zeros[3] = {0, 0, 0};
  sqz_write_bytes(w, zeros, (4 - w->size % 4) % 4);
}

void sqz_write_header(sqz_writer *w) {
  sqz_write_bytes(w, "SQZN", 4);
  sqz_write_u16(w, SQZ_FORMAT_VERSION);
  sqz_write_u16(w, 0);
  sqz_write_u32(w, 0); /* size, filled by finish */
  sqz_write_u32(w, 0); /* checksum, filled by finish */
}

void sqz_write_section_begin(sqz_writer *w, const char tag[4]) {
  sqz_write_bytes(w, tag, 4);
  w->section_start = w->size;
  sqz_write_u32(w, 0);
}

void sqz_write_section_end(sqz_writer *w) {
  if (w->failed) return;
  uint32_t len = (uint32_t)(w->size - w->section_start - 4);
  uint8_t *p = w->data + w->section_start;
  p[0] = (uint8_t)len, p[1] = (uint8_t)(len >> 8), p[2] = (uint8_t)(len >> 16), p[3] = (uint8_t)(len >> 24);
  pad4(w);
}

void sqz_write_meta(sqz_writer *w, const char *name, const sqz_recipe *r) {
  size_t n = strlen(name);
  if (n == 0 || n > SQZ_MAX_NAME) {
    w->failed = 1;
    return;
  }
  sqz_write_section_begin(w, "META");
  sqz_write_u8(w, (uint8_t)n);
  sqz_write_bytes(w, name, n);
  sqz_write_u16(w, (uint16_t)r->input_width);
  sqz_write_u16(w, (uint16_t)r->input_height);
  sqz_write_u16(w, 3);
  sqz_write_u8(w, (uint8_t)r->bgr);
  sqz_write_u8(w, (uint8_t)r->resize_mode);
  sqz_write_u16(w, (uint16_t)r->resize_size);
  sqz_write_u16(w, 0);
  sqz_write_f32(w, r->scale);
  for (int c = 0; c < 3; c++) sqz_write_f32(w, r->mean[c]);
  for (int c = 0; c < 3; c++) sqz_write_f32(w, r->std[c]);
  sqz_write_section_end(w);
}

void sqz_write_labels(sqz_writer *w, const char *const *labels, uint32_t count) {
  sqz_write_section_begin(w, "LABL");
  sqz_write_u32(w, count);
  for (uint32_t i = 0; i < count; i++) {
    size_t n = strlen(labels[i]);
    if (n > 0xFFFF) {
      w->failed = 1;
      return;
    }
    sqz_write_u16(w, (uint16_t)n);
    sqz_write_bytes(w, labels[i], n);
  }
  sqz_write_section_end(w);
}

void sqz_write_op(sqz_writer *w, sqz_op op) {
  sqz_write_u8(w, (uint8_t)op);
  sqz_write_u8(w, 0), sqz_write_u8(w, 0), sqz_write_u8(w, 0);
}

void sqz_write_tensor_raw(sqz_writer *w, sqz_encoding encoding, uint32_t count,
                          const void *payload, uint32_t bytes) {
  sqz_write_u8(w, (uint8_t)encoding);
  sqz_write_u8(w, 0), sqz_write_u8(w, 0), sqz_write_u8(w, 0);
  sqz_write_u32(w, count);
  sqz_write_u32(w, bytes);
  sqz_write_bytes(w, payload, bytes);
  pad4(w);
}

void sqz_write_tensor(sqz_writer *w, sqz_encoding encoding, const float *values, uint32_t count) {
  if (encoding == SQZ_ENC_F32) {
    sqz_write_tensor_raw(w, encoding, count, values, count * 4);
    return;
  }
  if (encoding != SQZ_ENC_F16) {
    w->failed = 1;
    return;
  }
  uint8_t *buf = malloc((size_t)count * 2 + 1);
  if (!buf) {
    w->failed = 1;
    return;
  }
  for (uint32_t i = 0; i < count; i++) {
    uint16_t h = sqz_f32_to_f16(values[i]);
    buf[2 * i] = (uint8_t)h, buf[2 * i + 1] = (uint8_t)(h >> 8);
  }
  sqz_write_tensor_raw(w, encoding, count, buf, count * 2);
  free(buf);
}

sqz_status sqz_writer_finish(sqz_writer *w, sqz_error *err) {
  if (w->failed || w->size < 16 || w->size > 0xFFFFFFFFu)
    return sqz_fail(err, SQZ_ERR_MEMORY, "writing the model failed (out of memory or a value out of range)");
  uint32_t size = (uint32_t)w->size;
  uint32_t crc;
  memcpy(w->data + 8, (uint8_t[4]){(uint8_t)size, (uint8_t)(size >> 8), (uint8_t)(size >> 16), (uint8_t)(size >> 24)}, 4);
  crc = sqz_crc32(w->data + 16, w->size - 16);
  memcpy(w->data + 12, (uint8_t[4]){(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16), (uint8_t)(crc >> 24)}, 4);
  return SQZ_OK;
}
