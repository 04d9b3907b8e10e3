#include "engine/model_format.h"

/* CRC-32 (IEEE, reflected 0xEDB88320), as zlib: computed bitwise-by-table
 * on first use would be hidden global state, so the table is built per call
 * into a local array — 1 KB, negligible beside a model. */
uint32_t sqz_crc32(const uint8_t *data, size_t size) {
  uint32_t table[256];
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; i++) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}
