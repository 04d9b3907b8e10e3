/* Image decoding with stb_image (from the system's libstb-dev, never copied
 * into the repository): JPEG, PNG, BMP, GIF (first frame) and PNM only, from
 * memory, 8 bits per channel, the stored channel count kept. */
#include <limits.h>
#include <string.h>

#include "preprocess/preprocess.h"

#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
#define STBI_ONLY_PNM
#define STBI_MAX_DIMENSIONS SQZ_MAX_IMAGE_SIDE
/* stb_image asserts on some corrupt JPEG data (a Huffman code that matches
 * no symbol; found by fuzzing) and the library must never abort: off, as in
 * every -DNDEBUG build. Its memory accesses stay checked by the sanitizers. */
#define STBI_ASSERT(x) ((void)0)
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#if defined(__GNUC__)
/* stb's own warnings only. -Wunused-function stays off to the end of the
 * file: GCC reports static functions declared but not defined (with
 * STB_IMAGE_STATIC) only when the translation unit ends. */
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wtype-limits"
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
#endif
#include <stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/* stb keeps its last reason in a (thread-local) global and some of its
 * failures set none, so clear it before each call: an empty or stale
 * reason would name the wrong problem. */
static void clear_reason(void) { stbi__g_failure_reason = NULL; }
static const char *reason(void) {
  const char *r = stbi_failure_reason();
  return r && *r ? r : "truncated or corrupt data";
}

/* stb_image 2.27 (Debian 12's libstb-dev) builds a Huffman table from a
 * JPEG DHT segment without checking that its code counts add up to at most
 * 256, and writes past the table when they do not (fixed upstream in 2.28;
 * found here by fuzzing). Walk the markers as stb_image will and refuse such
 * a table first. Returns NULL or the reason. */
static const char *jpeg_bad_huffman_table(const uint8_t *d, size_t size) {
  size_t p = 0; /* stb_image reads any number of 0xFF before the SOI's D8 */
  while (p < size && d[p] == 0xFF) p++;
  if (p == 0 || p >= size || d[p] != 0xD8) return NULL; /* not a JPEG to stb_image */
  p++;
  while (p + 4 <= size) {
    if (d[p] != 0xFF) { /* entropy-coded data: find the next marker */
      p++;
      continue;
    }
    uint8_t m = d[p + 1];
    if (m == 0xFF) { /* fill byte */
      p++;
      continue;
    }
    if (m == 0x00 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) { /* stuffing, RSTn, TEM */
      p += 2;
      continue;
    }
    if (m == 0xD9) return NULL; /* EOI */
    size_t len = (size_t)d[p + 2] << 8 | d[p + 3];
    if (m == 0xC4) {
      /* as stb_image reads it: tables while the length lasts, zeros past the end */
      long remaining = (long)len - 2;
      size_t q = p + 4;
      while (remaining > 0) {
        unsigned n = 0;
        for (size_t i = 1; i <= 16; i++) n += q + i < size ? d[q + i] : 0;
        if (n > 256) return "a Huffman table with more than 256 codes";
        q += 17 + n;
        remaining -= 17 + (long)n;
      }
    }
    p += 2 + len; /* a segment; after SOS the scan's data follows */
  }
  return NULL;
}

/* stb_image 2.27 reads the numbers of a PNM header into an int without an
 * overflow check (undefined behaviour; fixed upstream in 2.28; found by
 * fuzzing). Refuse a header number of more than 9 digits first, reading the
 * header as stb_image does: whitespace and '#' comments, then digits. */
static const char *pnm_number_too_long(const uint8_t *d, size_t size) {
  size_t p = 2;
  for (int k = 0; k < 3; k++) {
    while (p < size && (d[p] == ' ' || (d[p] >= '\t' && d[p] <= '\r') || d[p] == '#')) {
      if (d[p] == '#')
        while (p < size && d[p] != '\n' && d[p] != '\r') p++;
      else
        p++;
    }
    size_t digits = 0;
    while (p < size && d[p] >= '0' && d[p] <= '9') p++, digits++;
    if (digits > 9) return "a header number of more than 9 digits";
    if (digits == 0) return NULL; /* stb_image will refuse it */
  }
  return NULL;
}

/* stb_image 2.27 copies a PNG's first IDAT chunk into a buffer it has not
 * allocated yet when that chunk is empty (memcpy to NULL: undefined
 * behaviour; found by fuzzing). Such files are valid but never written by
 * encoders in practice: refuse them. Returns NULL or the reason. */
static const char *png_empty_first_idat(const uint8_t *d, size_t size) {
  size_t p = 8;
  while (p + 8 <= size) {
    uint32_t len = (uint32_t)d[p] << 24 | (uint32_t)d[p + 1] << 16 | (uint32_t)d[p + 2] << 8 | d[p + 3];
    if (memcmp(d + p + 4, "IDAT", 4) == 0) return len == 0 ? "an empty first IDAT chunk" : NULL;
    if (memcmp(d + p + 4, "IEND", 4) == 0 || len > size) return NULL;
    p += 12 + (size_t)len;
  }
  return NULL;
}

/* stb_image (this version) zero-fills what is missing from a truncated
 * BMP, PNM or GIF and reports success, so check that the pixel data the
 * header declares is all there. Returns NULL or what is missing. */
static const char *truncation(const uint8_t *d, size_t size, int w, int h) {
  stbi__context s;
  if (size >= 2 && d[0] == 'P' && (d[1] == '5' || d[1] == '6')) {
    int x, y, n;
    stbi__start_mem(&s, d, (int)size);
    int bits = stbi__pnm_info(&s, &x, &y, &n); /* leaves s just after the header */
    uint64_t need = (uint64_t)x * y * n * (bits == 16 ? 2 : 1);
    if (bits && (uint64_t)(s.img_buffer_end - s.img_buffer) < need)
      return "PNM pixel data truncated";
  } else if (size >= 2 && d[0] == 'B' && d[1] == 'M') {
    stbi__bmp_data info;
    memset(&info, 0, sizeof info);
    stbi__start_mem(&s, d, (int)size);
    if (stbi__bmp_parse_header(&s, &info)) {
      uint64_t row = ((uint64_t)w * (uint64_t)info.bpp + 31) / 32 * 4;
      if ((uint64_t)info.offset + row * (uint64_t)h > size) return "BMP pixel data truncated";
    }
  } else if (size >= 13 && memcmp(d, "GIF8", 4) == 0) {
    /* walk to the end of the first image's LZW sub-blocks */
    size_t p = 13;
    if (d[10] & 0x80) p += (size_t)3 << ((d[10] & 7) + 1);
    for (;;) {
      if (p >= size) return "GIF truncated before its first image ends";
      uint8_t block = d[p++];
      if (block == 0x2C) {
        if (p + 9 > size) return "GIF truncated in an image descriptor";
        uint8_t flags = d[p + 8];
        p += 9;
        if (flags & 0x80) p += (size_t)3 << ((flags & 7) + 1);
        p++; /* LZW minimum code size */
      } else if (block == 0x21) {
        p++; /* extension label */
      } else {
        return NULL; /* trailer or garbage: stb_image has decided */
      }
      for (;;) { /* data sub-blocks up to the zero-length terminator */
        if (p >= size) return "GIF truncated in its data";
        uint8_t len = d[p++];
        if (len == 0) break;
        p += len;
      }
      if (block == 0x2C) return NULL;
    }
  }
  return NULL;
}

/* stbi_info tries every format in turn, so a format's own reason (such as
 * "too large" for a PNG header over STBI_MAX_DIMENSIONS) ends up replaced by
 * "unknown image type". Find the format by its signature and ask it alone. */
static const char *format_reason(const void *bytes, int size) {
  stbi__context s;
  int x, y, n;
#define SQZ_TRY_FORMAT(fmt)                                        \
  stbi__start_mem(&s, (const stbi_uc *)bytes, size);               \
  if (stbi__##fmt##_test(&s)) {                                    \
    stbi__start_mem(&s, (const stbi_uc *)bytes, size);             \
    clear_reason();                                                \
    return stbi__##fmt##_info(&s, &x, &y, &n) ? NULL : reason();   \
  }
  SQZ_TRY_FORMAT(jpeg)
  SQZ_TRY_FORMAT(png)
  SQZ_TRY_FORMAT(gif)
  SQZ_TRY_FORMAT(bmp)
  SQZ_TRY_FORMAT(pnm)
#undef SQZ_TRY_FORMAT
  return NULL;
}

uint8_t *sqz_decode_image(const void *bytes, size_t size, int *width, int *height,
                          int *channels, sqz_error *err) {
  if (width) *width = 0;
  if (height) *height = 0;
  if (channels) *channels = 0;
  if (!bytes && size) {
    sqz_fail(err, SQZ_ERR_ARGUMENT, "decode: bytes is NULL");
    return NULL;
  }
  if (!width || !height || !channels) {
    sqz_fail(err, SQZ_ERR_ARGUMENT, "decode: width, height and channels must not be NULL");
    return NULL;
  }
  if (size == 0) {
    sqz_fail(err, SQZ_ERR_IMAGE, "decode: the image is empty (0 bytes)");
    return NULL;
  }
  if (size > INT_MAX) {
    sqz_fail(err, SQZ_ERR_LIMIT, "decode: %zu bytes is more than stb_image can read", size);
    return NULL;
  }

  {
    const char *bad = jpeg_bad_huffman_table(bytes, size);
    if (bad) {
      sqz_fail(err, SQZ_ERR_IMAGE, "decode: corrupt JPEG (%s)", bad);
      return NULL;
    }
  }
  if (size >= 2 && ((const uint8_t *)bytes)[0] == 'P' &&
      (((const uint8_t *)bytes)[1] == '5' || ((const uint8_t *)bytes)[1] == '6')) {
    const char *bad = pnm_number_too_long(bytes, size);
    if (bad) {
      sqz_fail(err, SQZ_ERR_IMAGE, "decode: corrupt PNM (%s)", bad);
      return NULL;
    }
  }
  int w = 0, h = 0, n = 0;
  clear_reason();
  if (!stbi_info_from_memory(bytes, (int)size, &w, &h, &n)) {
    const char *r = format_reason(bytes, (int)size);
    /* No known signature: stb's own last reason depends on which format it
     * tried last, so say it plainly (and identically on every build). */
    if (!r) r = "no JPEG, PNG, BMP, GIF or PNM signature";
    /* stb refuses sides over STBI_MAX_DIMENSIONS (= SQZ_MAX_IMAGE_SIDE) with
     * "too large" already while reading the header. */
    if (strcmp(r, "too large") == 0)
      sqz_fail(err, SQZ_ERR_LIMIT,
               "decode: image too large (stb_image: %s); the limits are %d pixels per side "
               "and %u pixels",
               r, SQZ_MAX_IMAGE_SIDE, (unsigned)SQZ_MAX_IMAGE_PIXELS);
    else
      sqz_fail(err, SQZ_ERR_IMAGE,
               "decode: not a readable JPEG, PNG, BMP, GIF or PNM image (stb_image: %s)", r);
    return NULL;
  }
  if (w <= 0 || h <= 0) {
    sqz_fail(err, SQZ_ERR_IMAGE, "decode: the image declares %d x %d pixels (no pixels)", w, h);
    return NULL;
  }
  if (w > SQZ_MAX_IMAGE_SIDE || h > SQZ_MAX_IMAGE_SIDE ||
      (uint64_t)w * (uint64_t)h > SQZ_MAX_IMAGE_PIXELS) {
    sqz_fail(err, SQZ_ERR_LIMIT,
             "decode: image is %d x %d; the limits are %d pixels per side and %u pixels", w, h,
             SQZ_MAX_IMAGE_SIDE, (unsigned)SQZ_MAX_IMAGE_PIXELS);
    return NULL;
  }

  /* (after the size checks: reading the header does not touch IDAT) */
  if (size >= 8 && memcmp(bytes, "\x89PNG\r\n\x1a\n", 8) == 0) {
    const char *bad = png_empty_first_idat(bytes, size);
    if (bad) {
      sqz_fail(err, SQZ_ERR_IMAGE, "decode: unsupported PNG (%s)", bad);
      return NULL;
    }
  }
  clear_reason();
  uint8_t *pixels = stbi_load_from_memory(bytes, (int)size, &w, &h, &n, 0);
  const char *missing = pixels ? truncation(bytes, size, w, h) : NULL;
  if (missing) {
    stbi_image_free(pixels);
    sqz_fail(err, SQZ_ERR_IMAGE, "decode: the %d x %d image is truncated (%s)", w, h, missing);
    return NULL;
  }
  if (!pixels) {
    const char *r = reason();
    sqz_fail(err, strcmp(r, "outofmem") == 0 ? SQZ_ERR_MEMORY : SQZ_ERR_IMAGE,
             "decode: cannot decode the %d x %d image (stb_image: %s)", w, h, r);
    return NULL;
  }
  if (n < 1 || n > 4) { /* stb never does this; be safe */
    stbi_image_free(pixels);
    sqz_fail(err, SQZ_ERR_IMAGE, "decode: unexpected channel count %d", n);
    return NULL;
  }
  *width = w;
  *height = h;
  *channels = n;
  return pixels;
}

void sqz_image_free(uint8_t *pixels) { stbi_image_free(pixels); }

sqz_status sqz_decode_picture(const void *bytes, size_t size, int apply_orientation,
                              sqz_picture *picture, sqz_error *err) {
  if (!picture) return sqz_fail(err, SQZ_ERR_ARGUMENT, "decode: picture must not be NULL");
  memset(picture, 0, sizeof *picture);
  sqz_picture p = {0};
  p.pixels = sqz_decode_image(bytes, size, &p.stored_width, &p.stored_height, &p.channels, err);
  if (!p.pixels) return err ? err->code : SQZ_ERR_IMAGE;
  /* (the tag is read after decoding succeeded: bytes is a valid image of size bytes) */
  p.orientation = apply_orientation ? sqz_exif_orientation(bytes, size) : 1;
  const int turned = p.orientation >= 5; /* the limits hold either way: they are symmetric */
  p.width = turned ? p.stored_height : p.stored_width;
  p.height = turned ? p.stored_width : p.stored_height;
  *picture = p;
  return SQZ_OK;
}

void sqz_picture_free(sqz_picture *picture) {
  if (!picture) return;
  sqz_image_free(picture->pixels);
  picture->pixels = NULL;
}
