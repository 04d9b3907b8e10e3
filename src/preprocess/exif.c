/* The EXIF orientation tag of a JPEG or PNG, read by a small parser of our
 * own: the image bytes are untrusted, so every read is checked against the
 * end of the block it belongs to, and anything malformed reads as 1 ("as
 * stored"), the way browsers and Pillow treat a picture without the tag.
 *
 *  - JPEG: the first APP1 segment starting "Exif\0\0", found by walking the
 *    marker segments by their lengths from SOI up to SOS (the entropy-coded
 *    data, where no metadata may follow) or EOI.
 *  - PNG: the eXIf chunk, found by walking the chunks by their lengths up to
 *    the first IDAT (PNG requires eXIf before the image data; browsers look
 *    for it there only). Its payload is the TIFF block itself; a leading
 *    "Exif\0\0", which some writers add, is skipped.
 *  - The TIFF block: "II" (little-endian) or "MM" (big-endian), 42, the
 *    offset of IFD0, then IFD0's entry count and 12-byte entries. Only IFD0
 *    is read and its next-IFD pointer never followed, so crafted pointer
 *    loops cannot make the parser loop. Orientation is tag 0x0112 of type
 *    SHORT and count 1 (as Chromium requires), value 1-8. */
#include <string.h>

#include "preprocess/preprocess.h"

#define TAG_ORIENTATION 0x0112
#define TYPE_SHORT 3

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A 16- or 32-bit number of the TIFF block in its byte order. */
static unsigned tiff16(const uint8_t *p, int big) {
  return big ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}
static uint32_t tiff32(const uint8_t *p, int big) {
  return big ? be32(p) : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Orientation from a TIFF block of `size` bytes (offsets are relative to
 * its start and must stay inside it). */
static int tiff_orientation(const uint8_t *t, size_t size) {
  if (size < 8) return 1;
  int big;
  if (t[0] == 'I' && t[1] == 'I') big = 0;
  else if (t[0] == 'M' && t[1] == 'M') big = 1;
  else return 1;
  if (tiff16(t + 2, big) != 42) return 1;
  uint32_t ifd = tiff32(t + 4, big);
  /* the count's 2 bytes must be inside the block (written so as not to overflow) */
  if (ifd < 8 || ifd > size - 2) return 1;
  unsigned count = tiff16(t + ifd, big);
  size_t entries = (size - ifd - 2) / 12; /* whole entries before the end */
  if (count > entries) count = (unsigned)entries; /* a count past the end: read what is there */
  const uint8_t *e = t + ifd + 2;
  for (unsigned i = 0; i < count; i++, e += 12) {
    if (tiff16(e, big) != TAG_ORIENTATION) continue;
    /* the first orientation entry decides; a wrong type or count is no orientation */
    if (tiff16(e + 2, big) != TYPE_SHORT || tiff32(e + 4, big) != 1) return 1;
    unsigned v = tiff16(e + 8, big); /* a single SHORT sits in the value field's first 2 bytes */
    return v >= 1 && v <= 8 ? (int)v : 1;
  }
  return 1;
}

static int jpeg_orientation(const uint8_t *d, size_t size) {
  size_t p = 2; /* after SOI */
  for (;;) {
    if (p >= size || d[p] != 0xFF) return 1; /* not a marker where one must be */
    while (p < size && d[p] == 0xFF) p++;    /* fill bytes */
    if (p >= size) return 1;
    uint8_t m = d[p++];
    if (m == 0xD9 || m == 0xDA) return 1;                   /* EOI, SOS: no Exif before the data */
    if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) continue;    /* TEM, RSTn, SOI: no length */
    if (size - p < 2) return 1;
    size_t len = (size_t)d[p] << 8 | d[p + 1];              /* counts its own 2 bytes */
    if (len < 2 || len > size - p) return 1;                /* truncated segment */
    const uint8_t *s = d + p + 2;
    size_t n = len - 2;
    if (m == 0xE1 && n >= 6 && memcmp(s, "Exif\0\0", 6) == 0) return tiff_orientation(s + 6, n - 6);
    p += len;
  }
}

static int png_orientation(const uint8_t *d, size_t size) {
  size_t p = 8; /* after the signature */
  while (size - p >= 12) { /* length, type, CRC */
    uint32_t len = be32(d + p);
    const uint8_t *type = d + p + 4;
    if (len > size - p - 12) return 1; /* truncated chunk */
    if (memcmp(type, "IDAT", 4) == 0 || memcmp(type, "IEND", 4) == 0) return 1;
    if (memcmp(type, "eXIf", 4) == 0) {
      const uint8_t *s = d + p + 8;
      if (len >= 6 && memcmp(s, "Exif\0\0", 6) == 0) s += 6, len -= 6;
      return tiff_orientation(s, len);
    }
    p += 12 + (size_t)len;
  }
  return 1;
}

int sqz_exif_orientation(const uint8_t *data, size_t size) {
  if (!data) return 1;
  if (size >= 4 && data[0] == 0xFF && data[1] == 0xD8) return jpeg_orientation(data, size);
  if (size >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0) return png_orientation(data, size);
  return 1;
}
