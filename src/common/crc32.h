/* CRC-32 (IEEE, as zlib): the .sqz checksum. */
#ifndef SQZ_CRC32_H
#define SQZ_CRC32_H
#include <stddef.h>
#include <stdint.h>

uint32_t sqz_crc32(const uint8_t *data, size_t size);

#endif
