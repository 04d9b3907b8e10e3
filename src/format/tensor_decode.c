/* Decoding the compact encodings (codebook, sparse codebook, int8 per
 * channel, and qs8: int8's payload) into float32 at load. Every read goes through a bounds-checked
 * cursor or bit reader, and every index, position and Huffman code is checked
 * before it is used, so a hostile payload yields a reason, never a read or a
 * write out of bounds. */
#include <math.h>
#include <string.h>

#include "format/tensor_codec.h"

/* The symbol decoders must inline into their loops, so the bit reader stays
 * in registers (measured: otherwise 3x slower loading). */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

typedef struct cursor {
  const uint8_t *p, *end;
} cursor;

static int take_u8(cursor *c, uint32_t *v) {
  if (c->end - c->p < 1) return 0;
  *v = *c->p++;
  return 1;
}
static int take_u16(cursor *c, uint32_t *v) {
  if (c->end - c->p < 2) return 0;
  *v = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8;
  c->p += 2;
  return 1;
}
static int take_u32(cursor *c, uint32_t *v) {
  if (c->end - c->p < 4) return 0;
  *v = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 | (uint32_t)c->p[3] << 24;
  c->p += 4;
  return 1;
}
static int take_f32s(cursor *c, float *out, uint32_t n) {
  if ((size_t)(c->end - c->p) / 4 < n) return 0;
  memcpy(out, c->p, (size_t)n * 4);
  c->p += (size_t)n * 4;
  return 1;
}

/* LSB-first bit stream over [p, p + bytes). */
typedef struct bit_reader {
  const uint8_t *p;
  size_t bytes, bit, bits;
} bit_reader;

static void br_init(bit_reader *b, const uint8_t *p, const uint8_t *end) {
  b->p = p;
  b->bytes = (size_t)(end - p);
  b->bit = 0;
  b->bits = b->bytes * 8;
}

/* n = 1..8 bits; 0 when the stream is exhausted. */
static ALWAYS_INLINE int br_read(bit_reader *b, unsigned n, unsigned *v) {
  if (b->bits - b->bit < n) return 0;
  size_t byte = b->bit >> 3;
  unsigned shift = (unsigned)(b->bit & 7);
  uint32_t w = b->p[byte];
  if (byte + 1 < b->bytes) w |= (uint32_t)b->p[byte + 1] << 8;
  *v = (w >> shift) & ((1u << n) - 1);
  b->bit += n;
  return 1;
}

/* Up to 16 upcoming bits without consuming them (zeros past the end);
 * *avail tells how many of them are real. */
static ALWAYS_INLINE unsigned br_peek(const bit_reader *b, unsigned n, size_t *avail) {
  size_t byte = b->bit >> 3;
  uint32_t w;
  if (byte + 4 <= b->bytes) { /* the common case: one 4-byte little-endian read */
    const uint8_t *q = b->p + byte;
    w = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
  } else {
    w = 0;
    for (unsigned k = 0; byte + k < b->bytes; k++) w |= (uint32_t)b->p[byte + k] << (8 * k);
  }
  *avail = b->bits - b->bit;
  return (w >> (b->bit & 7)) & ((1u << n) - 1);
}

/* The stream must end in the last byte, with zero padding bits. */
static int br_finished(const bit_reader *b) {
  if ((b->bit + 7) / 8 != b->bytes) return 0;
  if (b->bit % 8 == 0) return 1;
  return (b->p[b->bytes - 1] >> (b->bit % 8)) == 0;
}

/* Canonical Huffman decoding (as zlib's puff): counts of codes per length
 * and the symbols ordered by (length, symbol). */
#define FAST_BITS 10 /* codes up to this long decode with one table look-up */

typedef struct huffman {
  uint16_t count[SQZ_HUFFMAN_MAX_BITS + 1];
  uint16_t symbol[256];
  uint16_t fast[1 << FAST_BITS]; /* next FAST_BITS stream bits → symbol << 4 | length; 0: walk */
} huffman;

/* 0 when a length is over the limit or the lengths over-subscribe the code space. */
static int huffman_build(huffman *h, const uint8_t *lengths, unsigned n) {
  uint16_t offs[SQZ_HUFFMAN_MAX_BITS + 2];
  memset(h->count, 0, sizeof h->count);
  for (unsigned s = 0; s < n; s++) {
    if (lengths[s] > SQZ_HUFFMAN_MAX_BITS) return 0;
    h->count[lengths[s]]++;
  }
  h->count[0] = 0;
  int left = 1;
  for (int len = 1; len <= SQZ_HUFFMAN_MAX_BITS; len++) {
    left <<= 1;
    left -= h->count[len];
    if (left < 0) return 0;
  }
  offs[1] = 0;
  for (int len = 1; len <= SQZ_HUFFMAN_MAX_BITS; len++) offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
  for (unsigned s = 0; s < n; s++)
    if (lengths[s]) h->symbol[offs[lengths[s]]++] = (uint16_t)s;
  /* The look-up table: canonical codes in (length, symbol) order; a code's
   * first bit is read first, so in the stream it is bit-reversed. */
  memset(h->fast, 0, sizeof h->fast);
  unsigned code = 0, index = 0;
  for (int len = 1; len <= SQZ_HUFFMAN_MAX_BITS; code <<= 1, len++)
    for (unsigned k = 0; k < h->count[len]; k++, code++, index++) {
      if (len > FAST_BITS) continue;
      unsigned rev = 0;
      for (int i = 0; i < len; i++) rev |= ((code >> i) & 1u) << (len - 1 - i);
      for (unsigned fill = rev; fill < (1u << FAST_BITS); fill += 1u << len)
        h->fast[fill] = (uint16_t)(h->symbol[index] << 4 | (unsigned)len);
    }
  return 1;
}

/* A symbol, -1 past the end of the stream, -2 for a bit string that is no code. */
static ALWAYS_INLINE int huffman_decode(bit_reader *b, const huffman *h) {
  size_t avail;
  unsigned entry = h->fast[br_peek(b, FAST_BITS, &avail)];
  if (entry && (entry & 15) <= avail) {
    b->bit += entry & 15;
    return (int)(entry >> 4);
  }
  int code = 0, first = 0, index = 0;
  for (int len = 1; len <= SQZ_HUFFMAN_MAX_BITS; len++) {
    unsigned bit;
    if (!br_read(b, 1, &bit)) return -1;
    code |= (int)bit;
    int count = h->count[len];
    if (code - count < first) return h->symbol[index + (code - first)];
    index += count;
    first += count;
    first <<= 1;
    code <<= 1;
  }
  return -2;
}

/* One symbol of a stream: fixed `bits` wide, or Huffman coded. */
typedef struct symbol_reader {
  bit_reader *b;
  const huffman *h; /* NULL: fixed width */
  unsigned bits;
} symbol_reader;

static ALWAYS_INLINE int read_symbol(const symbol_reader *r) {
  if (r->h) return huffman_decode(r->b, r->h);
  unsigned v;
  return br_read(r->b, r->bits, &v) ? (int)v : -1;
}

#define BAD(...) sqz_fail(err, SQZ_ERR_MODEL, __VA_ARGS__)

static const char *symbol_problem(int s) {
  return s == -1 ? "the bit stream ends early" : "a bit string is not a Huffman code";
}

/* bits, coding, entries: the start of codebook and sparse payloads. */
static sqz_status read_codebook_head(cursor *c, unsigned *bits, unsigned *huff, unsigned *entries,
                                     const char *what, sqz_error *err) {
  uint32_t b, h, k;
  if (!take_u8(c, &b) || !take_u8(c, &h) || !take_u16(c, &k))
    return BAD("model: %s: codebook header is truncated", what);
  if (b < 1 || b > 8) return BAD("model: %s: %u index bits (1..8 allowed)", what, b);
  if (h > 1) return BAD("model: %s: unknown index coding %u", what, h);
  if (k < 1 || k > (1u << b))
    return BAD("model: %s: %u codebook entries for %u-bit indices", what, k, b);
  *bits = b, *huff = h, *entries = k;
  return SQZ_OK;
}

static sqz_status read_lengths(cursor *c, huffman *h, unsigned n, const char *stream,
                               const char *what, sqz_error *err) {
  if ((size_t)(c->end - c->p) < n) return BAD("model: %s: %s code lengths are truncated", what, stream);
  if (!huffman_build(h, c->p, n))
    return BAD("model: %s: %s code lengths are invalid (over %d bits or over-subscribed)", what,
               stream, SQZ_HUFFMAN_MAX_BITS);
  c->p += n;
  return SQZ_OK;
}

static sqz_status decode_codebook(const sqz_tensor_view *t, float *out, size_t count,
                                  const char *what, sqz_error *err) {
  cursor c = {t->data, t->data + t->bytes};
  unsigned bits = 0, huff = 0, entries = 0;
  sqz_status st;
  if ((st = read_codebook_head(&c, &bits, &huff, &entries, what, err))) return st;
  float book[256];
  if (!take_f32s(&c, book, entries)) return BAD("model: %s: codebook is truncated", what);
  huffman h;
  if (huff && (st = read_lengths(&c, &h, entries, "index", what, err))) return st;
  bit_reader b;
  br_init(&b, c.p, c.end);
  if (!huff && (uint64_t)count * bits > (uint64_t)b.bits)
    return BAD("model: %s: %zu indices of %u bits need more than the %zu bytes given", what,
               count, bits, b.bytes);
  for (size_t i = 0; i < count; i++) { /* two loops: the Huffman one is the hot one */
    int s;
    if (huff) {
      s = huffman_decode(&b, &h);
    } else {
      unsigned v;
      s = br_read(&b, bits, &v) ? (int)v : -1;
    }
    if (s < 0) return BAD("model: %s: index %zu: %s", what, i, symbol_problem(s));
    if ((unsigned)s >= entries)
      return BAD("model: %s: index %zu is %d, past the %u codebook entries", what, i, s, entries);
    out[i] = book[s];
  }
  if (!br_finished(&b)) return BAD("model: %s: bytes left over after the indices", what);
  return SQZ_OK;
}

static sqz_status decode_sparse(const sqz_tensor_view *t, float *out, size_t count,
                                const char *what, sqz_error *err) {
  cursor c = {t->data, t->data + t->bytes};
  unsigned bits = 0, huff = 0, entries = 0;
  uint32_t gap_bits, r1, r2, r3, nnz;
  sqz_status st;
  if ((st = read_codebook_head(&c, &bits, &huff, &entries, what, err))) return st;
  if (!take_u8(&c, &gap_bits) || !take_u8(&c, &r1) || !take_u8(&c, &r2) || !take_u8(&c, &r3) ||
      !take_u32(&c, &nnz))
    return BAD("model: %s: sparse header is truncated", what);
  if (gap_bits < 1 || gap_bits > 8) return BAD("model: %s: %u gap bits (1..8 allowed)", what, gap_bits);
  if (r1 || r2 || r3) return BAD("model: %s: reserved sparse header bytes are not zero", what);
  if (nnz > count) return BAD("model: %s: %u entries for %zu values", what, nnz, count);
  float book[256];
  if (!take_f32s(&c, book, entries)) return BAD("model: %s: codebook is truncated", what);
  huffman hi, hg;
  if (huff && ((st = read_lengths(&c, &hi, entries, "index", what, err)) ||
               (st = read_lengths(&c, &hg, 1u << gap_bits, "gap", what, err))))
    return st;
  bit_reader b;
  br_init(&b, c.p, c.end);
  symbol_reader ri = {&b, huff ? &hi : NULL, bits}, rg = {&b, huff ? &hg : NULL, gap_bits};
  if (!huff && (uint64_t)nnz * (bits + gap_bits) > (uint64_t)b.bits)
    return BAD("model: %s: %u entries of %u+%u bits need more than the %zu bytes given", what,
               nnz, gap_bits, bits, b.bytes);
  memset(out, 0, count * sizeof *out);
  size_t pos = (size_t)-1; /* p(-1) = -1: the first entry sits at its gap */
  for (uint32_t k = 0; k < nnz; k++) {
    int g = read_symbol(&rg);
    if (g < 0) return BAD("model: %s: entry %u gap: %s", what, k, symbol_problem(g));
    int s = read_symbol(&ri);
    if (s < 0) return BAD("model: %s: entry %u index: %s", what, k, symbol_problem(s));
    if ((unsigned)s >= entries)
      return BAD("model: %s: entry %u index is %d, past the %u codebook entries", what, k, s, entries);
    pos += (size_t)g + 1;
    if (pos >= count) return BAD("model: %s: entry %u lands past the %zu values", what, k, count);
    out[pos] = book[s];
  }
  if (!br_finished(&b)) return BAD("model: %s: bytes left over after the entries", what);
  return SQZ_OK;
}

static sqz_status decode_int8(const sqz_tensor_view *t, float *out, size_t count,
                              const char *what, sqz_error *err) {
  cursor c = {t->data, t->data + t->bytes};
  uint32_t channels;
  if (!take_u32(&c, &channels)) return BAD("model: %s: int8 header is truncated", what);
  if (channels < 1 || channels > SQZ_MAX_CHANNELS || count % channels)
    return BAD("model: %s: %u channels do not divide its %zu values", what, channels, count);
  if ((size_t)(c.end - c.p) / 4 < channels) return BAD("model: %s: int8 scales are truncated", what);
  const uint8_t *scales = c.p;
  c.p += (size_t)channels * 4;
  if ((size_t)(c.end - c.p) != count)
    return BAD("model: %s: %zu bytes of int8 values for %zu values", what, (size_t)(c.end - c.p), count);
  size_t per = count / channels;
  for (uint32_t ch = 0; ch < channels; ch++) {
    float scale;
    memcpy(&scale, scales + 4 * (size_t)ch, 4);
    if (!isfinite(scale)) return BAD("model: %s: channel %u scale is not finite", what, ch);
    for (size_t i = 0; i < per; i++) out[ch * per + i] = scale * (float)(int8_t)c.p[ch * per + i];
  }
  return SQZ_OK;
}

sqz_status sqz_tensor_decode_compact(const sqz_tensor_view *t, float *out, size_t count,
                                     const char *what, sqz_error *err) {
  if (t->count != count)
    return BAD("model: %s has %u values, its shape needs %zu", what, t->count, count);
  if (!t->data && t->bytes) return BAD("model: %s has no payload", what);
  switch (t->encoding) {
    case SQZ_ENC_CODEBOOK: return decode_codebook(t, out, count, what, err);
    case SQZ_ENC_SPARSE_CODEBOOK: return decode_sparse(t, out, count, what, err);
    case SQZ_ENC_INT8:
    case SQZ_ENC_QS8: return decode_int8(t, out, count, what, err);
    default:
      return BAD("model: %s uses encoding %d, which this build cannot decode", what, (int)t->encoding);
  }
}
