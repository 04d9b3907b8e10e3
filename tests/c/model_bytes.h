/* Editing .sqz bytes in hostile-model tests: little-endian fields, the
 * 4-byte padding, and the header's size and CRC made to match an edit (so
 * the section parser meets it, not the checksum). */
#ifndef SQZ_TEST_MODEL_BYTES_H
#define SQZ_TEST_MODEL_BYTES_H
#include <stddef.h>
#include <stdint.h>

#include "common/crc32.h"

static inline uint32_t rd(const uint8_t *p, int w) {
  uint32_t v = 0;
  for (int i = w - 1; i >= 0; i--) v = v << 8 | p[i];
  return v;
}
static inline void wr(uint8_t *p, int w, uint32_t v) {
  for (int i = 0; i < w; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

/* Rewrites the header's size and CRC for `size` bytes. */
static inline void fix_header(uint8_t *b, size_t size) {
  wr(b + 8, 4, (uint32_t)size);
  wr(b + 12, 4, sqz_crc32(b + 16, size - 16));
}
#endif
