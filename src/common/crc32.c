#include "common/crc32.h"

/* CRC-32 (IEEE, reflected 0xEDB88320), as zlib, eight bytes per step
 * ("slicing-by-8"): the bytewise loop was half of a model's load time.
 * The 8 KB of tables are built per call rather than once into a global,
 * which would be hidden state; building them costs ~2k table steps, nothing
 * beside a model's bytes. */
uint32_t sqz_crc32(const uint8_t *data, size_t size) {
  uint32_t t[8][256];
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int s = 1; s < 8; s++) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  uint32_t crc = 0xFFFFFFFFu;
  for (; size >= 8; size -= 8, data += 8) {
    /* bytes assembled explicitly: no alignment or endianness assumptions */
    const uint32_t lo = crc ^ ((uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
                               (uint32_t)data[3] << 24);
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
          t[3][data[4]] ^ t[2][data[5]] ^ t[1][data[6]] ^ t[0][data[7]];
  }
  for (; size > 0; size--, data++) crc = t[0][(crc ^ *data) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}
