/* The EXIF orientation parser (src/preprocess/exif.c) on crafted bytes, and
 * the oriented view of stored pixels (src/preprocess/orientation.c).
 *
 * Every input is placed against an inaccessible guard page, once ending
 * right before it and once starting right after it, so a read even one byte
 * out of bounds crashes this test in any build (the sanitizer build checks
 * the same under ASan):
 *  - tags 1-8 in both byte orders, in a JPEG's APP1 and a PNG's eXIf;
 *  - hostile TIFF blocks: truncated IFDs, IFD offsets past the end or into
 *    the header, counts of 0 and 65535, wrong types and counts, values out
 *    of range, IFD chains that loop (never followed: only IFD0 is read);
 *  - hostile containers: JPEG segments whose lengths run past the end or
 *    are under 2, APP1 after SOS, stray bytes where a marker belongs; PNG
 *    chunks whose lengths run past the end, eXIf after IDAT;
 *  - every prefix of a JPEG and a PNG carrying a tag, and 300,000 seeded
 *    random mutations of them: always a value 1-8, and for prefixes exactly
 *    "the tag once its segment is complete, else 1".
 * The view: stored pixels built from an upright picture by the forward
 * mapping of each orientation (where a camera's stored pixel is shown)
 * preprocess, raw and resized, exactly like the upright picture. */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "preprocess/preprocess.h"
#include "testutil.h"

/* ---- guarded calls ---- */
static uint8_t *arena;
static size_t arena_bytes, page;

static void guard_setup(void) {
  page = (size_t)sysconf(_SC_PAGESIZE);
  arena_bytes = 64 * page; /* guard | 62 pages | guard */
  arena = mmap(NULL, arena_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(arena != MAP_FAILED, "mmap failed");
  if (arena == MAP_FAILED) exit(1);
  CHECK(mprotect(arena, page, PROT_NONE) == 0 &&
            mprotect(arena + arena_bytes - page, page, PROT_NONE) == 0,
        "mprotect failed");
}

/* The orientation of data[0..n), read with the bytes against the end guard
 * and then against the start guard; both must agree. */
static int orientation(const uint8_t *data, size_t n) {
  size_t room = arena_bytes - 2 * page;
  if (n > room) {
    CHECK(0, "input of %zu bytes too large for the guard arena", n);
    return -1;
  }
  uint8_t *end = arena + arena_bytes - page - n, *start = arena + page;
  memcpy(end, data, n);
  int a = sqz_exif_orientation(end, n);
  memcpy(start, data, n);
  int b = sqz_exif_orientation(start, n);
  CHECK(a == b, "the result depends on where the bytes are (%d, %d)", a, b);
  return a;
}

/* ---- builders ---- */
typedef struct buf {
  uint8_t d[8192];
  size_t n;
} buf;

static void put(buf *b, const void *p, size_t n) {
  const uint8_t *s = p;
  for (size_t i = 0; i < n && b->n < sizeof b->d; i++) b->d[b->n++] = s[i];
}
static void put8(buf *b, unsigned v) {
  uint8_t c = (uint8_t)v;
  put(b, &c, 1);
}
static void put16(buf *b, unsigned v, int big) {
  put8(b, big ? v >> 8 : v), put8(b, big ? v : v >> 8);
}
static void put32(buf *b, uint32_t v, int big) {
  for (int i = 0; i < 4; i++) put8(b, big ? v >> (24 - 8 * i) : v >> (8 * i));
}

typedef struct entry {
  unsigned tag, type;
  uint32_t count, value; /* value: a SHORT in the first two bytes, as written */
} entry;

/* A TIFF block: header with IFD0 at `ifd`, `count` (or the number of
 * entries), the entries, then `next` as the next-IFD offset. */
static buf tiff(int big, uint32_t ifd, int count, const entry *e, int n, uint32_t next) {
  buf b = {.n = 0};
  put(&b, big ? "MM" : "II", 2);
  put16(&b, 42, big);
  put32(&b, ifd, big);
  while (b.n < ifd && b.n < 512) put8(&b, 0);
  put16(&b, count >= 0 ? (unsigned)count : (unsigned)n, big);
  for (int i = 0; i < n; i++) {
    put16(&b, e[i].tag, big), put16(&b, e[i].type, big), put32(&b, e[i].count, big);
    if (e[i].type == 3 && e[i].count == 1) put16(&b, e[i].value, big), put16(&b, 0, big);
    else put32(&b, e[i].value, big);
  }
  put32(&b, next, big);
  return b;
}

static buf orientation_tiff(int big, unsigned value) {
  entry e[] = {{0x010F, 2, 4, 0x006D6143}, {0x0112, 3, 1, value}, {0x011A, 5, 1, 0}};
  return tiff(big, 8, -1, e, 3, 0);
}

static void segment(buf *b, unsigned marker, const void *payload, size_t n) {
  put8(b, 0xFF), put8(b, marker);
  put16(b, (unsigned)(n + 2), 1);
  put(b, payload, n);
}

/* A JPEG skeleton: SOI, APP0, APP1 "Exif\0\0" + tiff, DQT, SOS, data, EOI. */
static buf jpeg_with(const buf *t, size_t *app1_end) {
  buf j = {.n = 0};
  put8(&j, 0xFF), put8(&j, 0xD8);
  segment(&j, 0xE0, "JFIF\0\1\1\0\0\1\0\1\0\0", 14);
  buf p = {.n = 0};
  put(&p, "Exif\0\0", 6);
  put(&p, t->d, t->n);
  segment(&j, 0xE1, p.d, p.n);
  if (app1_end) *app1_end = j.n;
  uint8_t dqt[65] = {0};
  segment(&j, 0xDB, dqt, sizeof dqt);
  segment(&j, 0xDA, "\1\1\0\0\77\0", 6);
  put(&j, "\x12\x34\xFF\x00\x56", 5);
  put8(&j, 0xFF), put8(&j, 0xD9);
  return j;
}

static void chunk(buf *b, const char *type, const void *payload, size_t n) {
  put32(b, (uint32_t)n, 1);
  put(b, type, 4);
  put(b, payload, n);
  put32(b, 0, 1); /* CRC: not the parser's business (stb_image checks what it needs) */
}

/* A PNG skeleton: signature, IHDR, eXIf (before or after IDAT), IDAT, IEND. */
static buf png_with(const buf *t, int after_idat, size_t *exif_end) {
  buf g = {.n = 0};
  put(&g, "\x89PNG\r\n\x1a\n", 8);
  uint8_t ihdr[13] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0};
  chunk(&g, "IHDR", ihdr, sizeof ihdr);
  if (!after_idat) chunk(&g, "eXIf", t->d, t->n);
  if (exif_end) *exif_end = g.n;
  chunk(&g, "IDAT", "\x78\x9c\x63\x60\x60\x60\x00\x00\x00\x04\x00\x01", 12);
  if (after_idat) chunk(&g, "eXIf", t->d, t->n);
  chunk(&g, "IEND", "", 0);
  return g;
}

/* ---- the parser ---- */
static int n_cases;

static void expect(const char *what, const uint8_t *d, size_t n, int want) {
  int got = orientation(d, n);
  CHECK(got == want, "%s: orientation %d, expected %d", what, got, want);
  n_cases++;
}

static void test_valid(void) {
  for (int big = 0; big < 2; big++)
    for (unsigned v = 1; v <= 8; v++) {
      buf t = orientation_tiff(big, v);
      buf j = jpeg_with(&t, NULL), g = png_with(&t, 0, NULL);
      char what[64];
      snprintf(what, sizeof what, "JPEG, %s, tag %u", big ? "MM" : "II", v);
      expect(what, j.d, j.n, (int)v);
      snprintf(what, sizeof what, "PNG, %s, tag %u", big ? "MM" : "II", v);
      expect(what, g.d, g.n, (int)v);
    }
  /* eXIf with the "Exif\0\0" prefix some writers add */
  buf t = orientation_tiff(0, 7), p = {.n = 0};
  put(&p, "Exif\0\0", 6), put(&p, t.d, t.n);
  buf g = png_with(&p, 0, NULL);
  expect("PNG eXIf with an Exif prefix", g.d, g.n, 7);
  /* no EXIF at all, other formats, nothing */
  buf none = {.n = 0};
  put8(&none, 0xFF), put8(&none, 0xD8), segment(&none, 0xE0, "JFIF\0", 5), put8(&none, 0xFF),
      put8(&none, 0xD9);
  expect("JPEG without APP1", none.d, none.n, 1);
  buf tt = orientation_tiff(0, 6);
  expect("a bare TIFF block (not a JPEG or PNG)", tt.d, tt.n, 1);
  expect("GIF", (const uint8_t *)"GIF89a\1\0\1\0\0\0\0;", 14, 1);
  expect("empty", (const uint8_t *)"", 0, 1);
  CHECK(sqz_exif_orientation(NULL, 100) == 1, "NULL data");
}

typedef struct tiff_case {
  const char *what;
  buf t;
  int want;
} tiff_case;

static void test_hostile_tiff(void) {
  const entry o6 = {0x0112, 3, 1, 6};
  static tiff_case cases[24];
  int n = 0;
  entry other[3] = {{0x010F, 2, 4, 0}, {0x0110, 2, 4, 0}, {0x0131, 2, 4, 0}};
  entry tail[4] = {other[0], other[1], other[2], o6};
  cases[n++] = (tiff_case){"IFD offset past the end", tiff(0, 0xFFFFFFF0u, -1, &o6, 1, 0), 1};
  cases[n++] = (tiff_case){"IFD offset 2^32-1, big-endian", tiff(1, 0xFFFFFFFFu, -1, &o6, 1, 0), 1};
  cases[n++] = (tiff_case){"IFD offset into the header", tiff(0, 4, -1, &o6, 1, 0), 1};
  cases[n++] = (tiff_case){"IFD offset 0", tiff(1, 0, -1, &o6, 1, 0), 1};
  cases[n++] = (tiff_case){"count 0", tiff(0, 8, 0, &o6, 1, 0), 1};
  cases[n++] = (tiff_case){"type LONG", tiff(0, 8, -1, &(entry){0x0112, 4, 1, 6}, 1, 0), 1};
  cases[n++] = (tiff_case){"type SSHORT", tiff(1, 8, -1, &(entry){0x0112, 8, 1, 6}, 1, 0), 1};
  cases[n++] = (tiff_case){"count 2", tiff(0, 8, -1, &(entry){0x0112, 3, 2, 6}, 1, 0), 1};
  cases[n++] = (tiff_case){"count 2^32-1", tiff(1, 8, -1, &(entry){0x0112, 3, 0xFFFFFFFFu, 6}, 1, 0), 1};
  cases[n++] = (tiff_case){"value 0", tiff(0, 8, -1, &(entry){0x0112, 3, 1, 0}, 1, 0), 1};
  cases[n++] = (tiff_case){"value 9", tiff(1, 8, -1, &(entry){0x0112, 3, 1, 9}, 1, 0), 1};
  cases[n++] = (tiff_case){"value 0xFFFF", tiff(0, 8, -1, &(entry){0x0112, 3, 1, 0xFFFF}, 1, 0), 1};
  /* count 65535 with the orientation entry inside the block: the entries
     that are there are read (as Pillow does); past the end: none */
  cases[n++] = (tiff_case){"count 65535, tag inside", tiff(0, 8, 0xFFFF, tail, 4, 0), 6};
  buf cut = tiff(1, 8, 0xFFFF, tail, 4, 0);
  cut.n = 8 + 2 + 12 * 3 + 11;
  cases[n++] = (tiff_case){"count 65535, tag cut off", cut, 1};
  /* IFD0 points to itself, or to an IFD1 holding the tag that points back */
  cases[n++] = (tiff_case){"IFD0 -> IFD0 loop", tiff(0, 8, -1, other, 3, 8), 1};
  buf loop = tiff(1, 8, -1, other, 1, 8 + 2 + 12 + 4);
  put16(&loop, 1, 1), put16(&loop, 0x0112, 1), put16(&loop, 3, 1), put32(&loop, 1, 1);
  put16(&loop, 6, 1), put16(&loop, 0, 1), put32(&loop, 8, 1);
  cases[n++] = (tiff_case){"IFD0 -> IFD1 (tag) -> IFD0 loop", loop, 1};
  /* IFD0 offsets at the block's very end: its 2-byte count does not fit */
  static const char *near_end[3] = {"IFD offset = size", "IFD offset = size - 1", "IFD offset = size - 2"};
  for (int k = 0; k < 3; k++) {
    buf t = orientation_tiff(k == 1, 6);
    uint32_t at = (uint32_t)t.n - (uint32_t)k;
    for (int i = 0; i < 4; i++) t.d[4 + i] = (uint8_t)(k == 1 ? at >> (24 - 8 * i) : at >> (8 * i));
    cases[n++] = (tiff_case){near_end[k], t, 1};
  }
  cases[n++] = (tiff_case){"IFD0 at 40, count 3, no entries follow", tiff(0, 40, 3, NULL, 0, 0), 1};
  for (int i = 0; i < n; i++) {
    /* each in a whole file, and in one that ends where the TIFF block ends
       (reading past the block then hits the guard page) */
    size_t jend, gend;
    buf j = jpeg_with(&cases[i].t, &jend), g = png_with(&cases[i].t, 0, &gend);
    char what[128];
    snprintf(what, sizeof what, "JPEG: %s", cases[i].what);
    expect(what, j.d, j.n, cases[i].want);
    expect(what, j.d, jend, cases[i].want);
    snprintf(what, sizeof what, "PNG: %s", cases[i].what);
    expect(what, g.d, g.n, cases[i].want);
    g.n = gend - 4; /* without the CRC: the eXIf chunk is incomplete, nothing is read */
    expect(what, g.d, g.n, 1);
  }
  /* bad headers */
  buf t = orientation_tiff(0, 6);
  t.d[1] = 'M';
  buf j = jpeg_with(&t, NULL);
  expect("byte order IM", j.d, j.n, 1);
  t = orientation_tiff(1, 6);
  t.d[3] = 43;
  j = jpeg_with(&t, NULL);
  expect("magic 43", j.d, j.n, 1);
  for (size_t k = 0; k < 8; k++) {
    t = orientation_tiff(0, 6);
    t.n = k;
    j = jpeg_with(&t, NULL);
    expect("TIFF block under 8 bytes", j.d, j.n, 1);
  }
}

static void test_hostile_containers(void) {
  buf t = orientation_tiff(1, 6), p = {.n = 0};
  put(&p, "Exif\0\0", 6), put(&p, t.d, t.n);
  /* JPEG: fill bytes, standalone markers and other APPn first: still found */
  buf j = {.n = 0};
  put(&j, "\xFF\xD8\xFF\xFF\xFF\xD0\xFF\x01", 8);
  segment(&j, 0xE1, "http://ns.adobe.com/xap/1.0/\0<x/>", 33);
  segment(&j, 0xE2, "Exif\0\0MM\0\x2a\0\0\0\x08\0\0", 16); /* Exif outside APP1: not it */
  segment(&j, 0xE1, p.d, p.n);
  expect("JPEG: fill bytes, RST0, TEM, XMP first", j.d, j.n, 6);
  /* the first Exif APP1 decides */
  buf t3 = orientation_tiff(0, 3), p3 = {.n = 0};
  put(&p3, "Exif\0\0", 6), put(&p3, t3.d, t3.n);
  buf two = {.n = 0};
  put8(&two, 0xFF), put8(&two, 0xD8), segment(&two, 0xE1, p3.d, p3.n), segment(&two, 0xE1, p.d, p.n);
  expect("JPEG: two Exif APP1, the first decides", two.d, two.n, 3);
  /* APP1 after SOS is in the image data */
  buf late = {.n = 0};
  put8(&late, 0xFF), put8(&late, 0xD8), segment(&late, 0xDA, "\1\1\0\0\77\0", 6);
  segment(&late, 0xE1, p.d, p.n);
  expect("JPEG: APP1 after SOS", late.d, late.n, 1);
  /* segment lengths that lie */
  buf lie = {.n = 0};
  put8(&lie, 0xFF), put8(&lie, 0xD8), put8(&lie, 0xFF), put8(&lie, 0xE1), put16(&lie, 0xFFFF, 1);
  put(&lie, p.d, p.n);
  expect("JPEG: APP1 length past the end", lie.d, lie.n, 1);
  for (unsigned len = 0; len < 2; len++) {
    buf s = {.n = 0};
    put8(&s, 0xFF), put8(&s, 0xD8), put8(&s, 0xFF), put8(&s, 0xE0), put16(&s, len, 1);
    segment(&s, 0xE1, p.d, p.n);
    expect("JPEG: a segment length under 2", s.d, s.n, 1);
  }
  buf stray = {.n = 0};
  put8(&stray, 0xFF), put8(&stray, 0xD8), put8(&stray, 0x00), segment(&stray, 0xE1, p.d, p.n);
  expect("JPEG: a stray byte where a marker belongs", stray.d, stray.n, 1);
  buf short_exif = {.n = 0};
  put8(&short_exif, 0xFF), put8(&short_exif, 0xD8), segment(&short_exif, 0xE1, "Exif\0", 5);
  expect("JPEG: APP1 'Exif\\0' only", short_exif.d, short_exif.n, 1);
  expect("JPEG: SOI only", (const uint8_t *)"\xFF\xD8\xFF", 3, 1);
  expect("JPEG: SOI, then fill bytes to the end", (const uint8_t *)"\xFF\xD8\xFF\xFF\xFF\xFF", 6, 1);

  /* PNG */
  buf g = png_with(&t, 1, NULL);
  expect("PNG: eXIf after IDAT", g.d, g.n, 1);
  buf big = {.n = 0};
  put(&big, "\x89PNG\r\n\x1a\n", 8);
  put32(&big, 0xFFFFFFFFu, 1), put(&big, "eXIf", 4), put(&big, t.d, t.n);
  expect("PNG: eXIf length 2^32-1", big.d, big.n, 1);
  buf over = {.n = 0};
  put(&over, "\x89PNG\r\n\x1a\n", 8);
  put32(&over, (uint32_t)t.n, 1), put(&over, "eXIf", 4), put(&over, t.d, t.n); /* no CRC */
  expect("PNG: eXIf without its CRC", over.d, over.n, 1);
  buf skip = {.n = 0};
  put(&skip, "\x89PNG\r\n\x1a\n", 8);
  put32(&skip, 0x7FFFFFF0u, 1), put(&skip, "tEXt", 4), put(&skip, "abc", 3);
  chunk(&skip, "eXIf", t.d, t.n);
  expect("PNG: a chunk length past the end before eXIf", skip.d, skip.n, 1);
}

/* Every prefix: the tag once its segment (chunk) is complete, else 1. */
static void test_prefixes(void) {
  for (int big = 0; big < 2; big++) {
    buf t = orientation_tiff(big, 8);
    size_t jend, gend;
    buf j = jpeg_with(&t, &jend), g = png_with(&t, 0, &gend);
    int bad = 0;
    for (size_t n = 0; n <= j.n; n++) bad += orientation(j.d, n) != (n >= jend ? 8 : 1);
    for (size_t n = 0; n <= g.n; n++) bad += orientation(g.d, n) != (n >= gend ? 8 : 1);
    CHECK(bad == 0, "%d prefixes of the %s files read wrong", bad, big ? "MM" : "II");
    n_cases += (int)(j.n + g.n + 2);
  }
}

static void test_mutations(void) {
  int out_of_range = 0, runs = 0;
  for (int big = 0; big < 2; big++) {
    buf t = orientation_tiff(big, 5);
    size_t jend;
    buf files[3] = {jpeg_with(&t, &jend), png_with(&t, 0, NULL), jpeg_with(&t, NULL)};
    files[2].n = jend; /* ends with its APP1: reads past the TIFF block hit the guard */
    for (int f = 0; f < 3; f++)
      for (int i = 0; i < 50000; i++) {
        buf m = files[f];
        int flips = 1 + (int)(test_rand() % 4);
        for (int k = 0; k < flips; k++) {
          size_t at = test_rand() % m.n;
          /* mostly small numbers and 0xFF: lengths, counts, offsets, markers */
          static const uint8_t values[] = {0, 1, 2, 3, 8, 0x12, 0x2A, 0x80, 0xE1, 0xFE, 0xFF};
          m.d[at] = test_rand() % 2 ? values[test_rand() % sizeof values] : (uint8_t)test_rand();
        }
        if (test_rand() % 4 == 0) m.n = test_rand() % (m.n + 1);
        int v = orientation(m.d, m.n);
        out_of_range += v < 1 || v > 8;
        runs++;
      }
  }
  CHECK(out_of_range == 0, "%d mutated inputs gave an orientation outside 1-8", out_of_range);
  CHECK(runs == 300000, "only %d mutations ran", runs);
  n_cases += runs;
}

/* ---- the view ---- */

/* Where a stored pixel (sx, sy) of a W x H stored picture is shown, for
 * each orientation: the forward mapping (the inverse of orientation.c's). */
static void shown_at(int tag, int sx, int sy, int w, int h, int *ux, int *uy) {
  switch (tag) {
    case 1: *ux = sx, *uy = sy; break;
    case 2: *ux = w - 1 - sx, *uy = sy; break;            /* mirrored */
    case 3: *ux = w - 1 - sx, *uy = h - 1 - sy; break;    /* upside down */
    case 4: *ux = sx, *uy = h - 1 - sy; break;            /* mirrored vertically */
    case 5: *ux = sy, *uy = sx; break;                    /* transposed */
    case 6: *ux = h - 1 - sy, *uy = sx; break;            /* turned 90 clockwise to show */
    case 7: *ux = h - 1 - sy, *uy = w - 1 - sx; break;    /* transverse */
    default: *ux = sy, *uy = w - 1 - sx; break;           /* 8: turned 90 counter-clockwise */
  }
}

static void test_view(void) {
  const int uw = 61, uh = 37, ch = 3; /* the upright picture, odd sizes */
  uint8_t *upright = malloc((size_t)uw * uh * ch);
  for (int i = 0; i < uw * uh * ch; i++) upright[i] = (uint8_t)test_rand();
  sqz_recipe resized = {24, 20, 0, SQZ_RESIZE_SHORTER, 26, 1.0f / 255, {0.5f, 0.4f, 0.3f}, {0.2f, 0.3f, 0.4f}};
  sqz_recipe warp = {20, 20, 1, SQZ_RESIZE_WARP, 20, 1.0f, {1, 2, 3}, {1, 1, 1}}; /* one pass skipped */
  sqz_recipe raw = {uw, uh, 0, SQZ_RESIZE_WARP, 64, 1.0f, {1, 2, 3}, {1, 1, 1}};
  const sqz_recipe *recipes[3] = {&resized, &warp, &raw};
  sqz_error e = {0, ""};
  int ok = 0;
  for (int tag = 1; tag <= 8; tag++) {
    const int sw = tag >= 5 ? uh : uw, sh = tag >= 5 ? uw : uh;
    const size_t stride = (size_t)sw * ch + 5; /* padded rows */
    uint8_t *stored = calloc(stride * sh, 1);
    for (int sy = 0; sy < sh; sy++)
      for (int sx = 0; sx < sw; sx++) {
        int ux, uy;
        shown_at(tag, sx, sy, sw, sh, &ux, &uy);
        memcpy(stored + sy * stride + sx * ch, upright + ((size_t)uy * uw + ux) * ch, ch);
      }
    for (int r = 0; r < 3; r++) {
      const sqz_recipe *rc = recipes[r];
      size_t n = (size_t)rc->input_width * rc->input_height * 3;
      float *want = malloc(n * sizeof(float)), *got = malloc(n * sizeof(float));
      int is_raw = rc == &raw;
      CHECK(sqz_preprocess(rc, upright, uw, uh, ch, 0, is_raw, NULL, want, &e) == SQZ_OK, "%s", e.message);
      CHECK(sqz_preprocess_oriented(rc, stored, sw, sh, ch, stride, tag, is_raw, NULL, got, &e) == SQZ_OK,
            "tag %d: %s", tag, e.message);
      int same = memcmp(want, got, n * sizeof(float)) == 0;
      CHECK(same, "tag %d, recipe %d: the turned picture preprocesses differently", tag, r);
      ok += same;
      free(want), free(got);
    }
    free(stored);
  }
  CHECK(ok == 24, "%d/24 oriented preprocessings exact", ok);
  float out[20 * 20 * 3];
  CHECK(sqz_preprocess_oriented(&warp, upright, uw, uh, ch, 0, 9, 0, NULL, out, &e) == SQZ_ERR_ARGUMENT &&
            strstr(e.message, "orientation 9"),
        "orientation 9: %s", e.message);
  CHECK(sqz_preprocess_oriented(&warp, upright, uw, uh, ch, 0, 0, 0, NULL, out, &e) == SQZ_ERR_ARGUMENT,
        "orientation 0");
  free(upright);
  printf("oriented view: %d/24 preprocessings (8 orientations x 3 recipes) exactly the upright picture's\n", ok);
}

/* ---- decode: the picture's sides after orientation ---- */
static void test_decode_picture(void) {
  /* a 3 x 2 gray PNG with eXIf orientation 6 */
  buf t = orientation_tiff(0, 6);
  buf g = {.n = 0};
  put(&g, "\x89PNG\r\n\x1a\n", 8);
  uint8_t ihdr[13] = {0, 0, 0, 3, 0, 0, 0, 2, 8, 0, 0, 0, 0};
  chunk(&g, "IHDR", ihdr, sizeof ihdr);
  chunk(&g, "eXIf", t.d, t.n);
  /* zlib, one stored block: two rows of a filter byte and 3 zero pixels, adler32 */
  chunk(&g, "IDAT", "\x78\x01\x01\x08\x00\xF7\xFF\0\0\0\0\0\0\0\0\x00\x08\x00\x01", 19);
  chunk(&g, "IEND", "", 0);
  sqz_picture p;
  sqz_error e = {0, ""};
  sqz_status st = sqz_decode_picture(g.d, g.n, 1, &p, &e);
  CHECK(st == SQZ_OK, "decode: %s", e.message);
  if (st == SQZ_OK) {
    CHECK(p.stored_width == 3 && p.stored_height == 2 && p.width == 2 && p.height == 3 &&
              p.orientation == 6 && p.channels == 1,
          "stored %d x %d, upright %d x %d, orientation %d", p.stored_width, p.stored_height,
          p.width, p.height, p.orientation);
    sqz_picture_free(&p);
  }
  st = sqz_decode_picture(g.d, g.n, 0, &p, &e);
  CHECK(st == SQZ_OK && p.orientation == 1 && p.width == 3 && p.height == 2, "ignored: %s", e.message);
  if (st == SQZ_OK) sqz_picture_free(&p);
  st = sqz_decode_picture("nope", 4, 1, &p, &e);
  CHECK(st == SQZ_ERR_IMAGE && p.pixels == NULL, "not an image: %s", e.message);
  CHECK(sqz_decode_picture(g.d, g.n, 1, NULL, &e) == SQZ_ERR_ARGUMENT, "NULL picture");
}

int main(void) {
  guard_setup();
  test_valid();
  test_hostile_tiff();
  test_hostile_containers();
  test_prefixes();
  test_mutations();
  CHECK(n_cases > 300000, "only %d inputs", n_cases);
  printf("EXIF parser: %d inputs, every one read inside its bytes\n", n_cases);
  test_view();
  test_decode_picture();
  munmap(arena, arena_bytes);
  return test_finish("test_preprocess_exif");
}
