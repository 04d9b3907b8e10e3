/* The compact weight encodings (format/tensor_codec.h, models/FORMAT.md):
 * - every encoding round-trips within its stated bound, on random values of
 *   odd sizes and on the real weights of both models:
 *     f32 exact; f16 within half an f16 ulp; int8 within half a channel step
 *     (max|w_c| / 254); codebookN: each value decodes to its nearest codebook
 *     entry, at most 2^N entries, RMS error at most (max - min) / (2 (2^N - 1))
 *     (the uniform grid Lloyd starts from), exact when there are no more
 *     distinct values than entries; sparseN: zeros stay zero, non-zeros as a
 *     codebook of 2^N - 1 values; Huffman coding changes no value;
 * - models/squeezenet1_0.sqz holds exactly the weights of the Deep Compression
 *   file, decoded here independently from the upstream README's description;
 * - hostile payloads are refused with a reason: every truncation, extra
 *   bytes, indices past the codebook, gaps past the end, bad Huffman code
 *   lengths, bad int8 channel counts; random corruptions never read out of
 *   bounds (run under the sanitizers with -DSQZ_SANITIZE=ON). */
#define _DEFAULT_SOURCE /* WIFEXITED, mkdtemp */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/crc32.h"
#include "format/format.h"
#include "format/tensor_codec.h"
#include "squeezenet.h"
#include "testutil.h"

static const char *const codec_names[] = {
    "f32",        "f16",        "int8",       "qs8",        "codebook1",  "codebook2",  "codebook4",
    "codebook5",  "codebook6",  "codebook8",  "codebook4h", "codebook5h", "codebook8h",
    "sparse1",    "sparse2",    "sparse4",    "sparse5",    "sparse8",    "sparse4h",
    "sparse6h",   "sparse8h"};
#define NUM_CODECS (int)(sizeof codec_names / sizeof *codec_names)

static sqz_status decode(const sqz_codec *c, const uint8_t *payload, uint32_t bytes, uint32_t count,
                         float *out, sqz_error *err) {
  sqz_tensor_view v = {c->encoding, count, bytes, payload};
  return sqz_tensor_decode(&v, out, count, "test tensor", err);
}

/* Sorted distinct values of v (n of them) into set; returns how many. */
static int cmp_f(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}
static size_t distinct(const float *v, size_t n, float *set, int nonzero_only) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (!nonzero_only || v[i] != 0.0f) set[m++] = v[i];
  qsort(set, m, sizeof *set, cmp_f);
  size_t k = 0;
  for (size_t i = 0; i < m; i++)
    if (k == 0 || set[i] != set[k - 1]) set[k++] = set[i];
  return k;
}

/* Is d the entry of set nearest to w (ties allowed)? */
static int is_nearest(float w, float d, const float *set, size_t m) {
  double best = INFINITY;
  for (size_t j = 0; j < m; j++) best = fmin(best, fabs((double)w - set[j]));
  return fabs((double)w - d) <= best + 1e-7 * fabs(w) + 1e-12;
}

/* Round trip of one tensor with its bound; returns the payload size (0 on failure). */
static uint32_t check_round_trip(const char *name, const float *w, uint32_t count, uint32_t channels,
                                 const char *label) {
  sqz_codec c;
  CHECK(sqz_codec_parse(name, &c), "codec %s", name);
  sqz_error err = {SQZ_OK, ""};
  uint32_t bytes = 0;
  uint8_t *payload = sqz_tensor_encode(&c, w, count, channels, &bytes, &err);
  CHECK(payload != NULL, "%s %s: encode: %s", label, name, err.message);
  if (!payload) return 0;
  float *d = malloc((count + 1) * sizeof *d), *set = malloc((count + 1) * sizeof *set);
  sqz_status st = decode(&c, payload, bytes, count, d, &err);
  CHECK(st == SQZ_OK, "%s %s: decode: %s", label, name, err.message);
  free(payload);
  if (st) {
    free(d), free(set);
    return 0;
  }
  int bad = 0;
  double sq = 0, lo = INFINITY, hi = -INFINITY;
  for (uint32_t i = 0; i < count; i++) sq += ((double)w[i] - d[i]) * ((double)w[i] - d[i]);
  switch (c.encoding) {
    case SQZ_ENC_F32:
      bad = memcmp(w, d, count * sizeof *w) != 0;
      break;
    case SQZ_ENC_F16:
      for (uint32_t i = 0; i < count; i++) bad += fabsf(w[i] - d[i]) > fabsf(w[i]) / 2048 + 3e-8f;
      break;
    case SQZ_ENC_INT8:
    case SQZ_ENC_QS8: {
      uint32_t per = count / channels;
      for (uint32_t ch = 0; ch < channels; ch++) {
        float top = 0;
        for (uint32_t i = 0; i < per; i++) top = fmaxf(top, fabsf(w[ch * per + i]));
        for (uint32_t i = 0; i < per; i++)
          bad += fabsf(w[ch * per + i] - d[ch * per + i]) > top / 254 * 1.0001f + 1e-12f;
      }
      break;
    }
    case SQZ_ENC_CODEBOOK: {
      size_t k = 1u << c.bits, m = distinct(d, count, set, 0);
      bad += m > k;
      for (uint32_t i = 0; i < count; i++) {
        bad += !is_nearest(w[i], d[i], set, m);
        lo = fmin(lo, w[i]), hi = fmax(hi, w[i]);
      }
      size_t dw = distinct(w, count, set, 0);
      if (dw <= k) bad += memcmp(w, d, count * sizeof *w) != 0; /* exact */
      else bad += sqrt(sq / count) > (hi - lo) / (2.0 * (double)(k - 1)) * 1.0001;
      break;
    }
    case SQZ_ENC_SPARSE_CODEBOOK: {
      size_t k = (1u << c.bits) - 1, m = distinct(d, count, set, 1), nz = 0;
      bad += m > k;
      double sqnz = 0;
      for (uint32_t i = 0; i < count; i++) {
        if (w[i] == 0.0f) {
          bad += d[i] != 0.0f;
          continue;
        }
        nz++;
        bad += !is_nearest(w[i], d[i], set, m);
        lo = fmin(lo, w[i]), hi = fmax(hi, w[i]);
        sqnz += ((double)w[i] - d[i]) * ((double)w[i] - d[i]);
      }
      size_t dw = distinct(w, count, set, 1);
      if (dw <= k) bad += memcmp(w, d, count * sizeof *w) != 0;
      else if (k > 1) bad += sqrt(sqnz / nz) > (hi - lo) / (2.0 * (double)(k - 1)) * 1.0001;
      break;
    }
    default: bad = 1;
  }
  CHECK(bad == 0, "%s %s (%u values): %d values outside the bound, RMS %.3g", label, name, count,
        bad, sqrt(sq / (count ? count : 1)));
  free(d), free(set);
  return bytes;
}

static float gauss(void) {
  float u = test_randf(1e-6f, 1.0f), v = test_randf(0.0f, 6.2831853f);
  return sqrtf(-2.0f * logf(u)) * cosf(v);
}

static void test_random_round_trips(void) {
  static const uint32_t shapes[][2] = {{1, 1}, {7, 1}, {5, 3}, {333, 9}, {4097, 17}, {12345, 5}};
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    uint32_t per = shapes[s][0], ch = shapes[s][1], n = per * ch;
    float *w = malloc(n * sizeof *w);
    for (int kind = 0; kind < 4; kind++) {
      for (uint32_t i = 0; i < n; i++) {
        float g = gauss() * (1.0f + (float)(i / per)); /* channels of different scales */
        if (kind == 1) g = (float)(test_rand() % 11) * 0.25f - 1.0f; /* 11 distinct values */
        if (kind == 2 && test_rand() % 5) g = 0.0f;                   /* 80% pruned */
        if (kind == 3 && test_rand() % 300) g = 0.0f;                 /* long zero runs */
        w[i] = g;
      }
      char label[64];
      snprintf(label, sizeof label, "random %ux%u kind %d", ch, per, kind);
      for (int k = 0; k < NUM_CODECS; k++) check_round_trip(codec_names[k], w, n, ch, label);
    }
    free(w);
  }
  /* Huffman coding changes the bits, not the values. */
  float w[3001];
  for (int i = 0; i < 3001; i++) w[i] = gauss() * (i % 3 ? 1.0f : 0.0f);
  const char *pairs[][2] = {{"codebook5", "codebook5h"}, {"sparse6", "sparse6h"}};
  for (int p = 0; p < 2; p++) {
    float a[3001], b[3001];
    sqz_codec ca, cb;
    sqz_codec_parse(pairs[p][0], &ca), sqz_codec_parse(pairs[p][1], &cb);
    uint32_t na, nb;
    sqz_error err;
    uint8_t *pa = sqz_tensor_encode(&ca, w, 3001, 1, &na, &err), *pb = sqz_tensor_encode(&cb, w, 3001, 1, &nb, &err);
    CHECK(pa && pb && !decode(&ca, pa, na, 3001, a, &err) && !decode(&cb, pb, nb, 3001, b, &err) &&
              memcmp(a, b, sizeof a) == 0,
          "%s and %s decode differently", pairs[p][0], pairs[p][1]);
    CHECK(nb < na, "%s (%u bytes) is not smaller than %s (%u bytes)", pairs[p][1], nb, pairs[p][0], na);
    free(pa), free(pb);
  }
  /* Names. */
  sqz_codec c;
  CHECK(!sqz_codec_parse("codebook", &c) && !sqz_codec_parse("codebook9", &c) &&
            !sqz_codec_parse("sparse0", &c) && !sqz_codec_parse("int4", &c) &&
            !sqz_codec_parse("codebook5hh", &c),
        "bad encoding names accepted");
  CHECK(sqz_codec_parse("sparse", &c) && c.encoding == SQZ_ENC_SPARSE_CODEBOOK && c.bits == 8 && !c.huffman,
        "'sparse' is sparse8");
}

/* ---- real weights ---- */

static uint8_t *load_desc(const char *model, sqz_model_desc *d, size_t *size) {
  uint8_t *bytes = test_read_model(model, size);
  sqz_error err;
  if (bytes && sqz_model_parse(bytes, *size, d, &err)) {
    CHECK(0, "%s: %s", model, err.message);
    free(bytes);
    return NULL;
  }
  return bytes;
}

/* Every weight tensor of the model, in file order. */
static int weight_tensors(const sqz_model_desc *d, const sqz_conv_desc **out, int cap) {
  int n = 0;
  for (int i = 0; i < d->num_layers; i++) {
    const sqz_layer_desc *l = &d->layers[i];
    if (l->op == SQZ_OP_CONV && n < cap) out[n++] = &l->conv;
    if (l->op == SQZ_OP_FIRE && n + 3 <= cap) out[n++] = &l->squeeze, out[n++] = &l->expand1, out[n++] = &l->expand3;
  }
  return n;
}

static void test_real_weights(void) {
  static sqz_model_desc d;
  size_t size;
  uint8_t *bytes = load_desc("squeezenet1_1", &d, &size);
  if (!bytes) return;
  const sqz_conv_desc *convs[64];
  int n = weight_tensors(&d, convs, 64);
  CHECK(n == 26, "squeezenet1_1: %d weight tensors", n);
  int picks[] = {0, 3, 13, 25}; /* conv1, fire2/expand3x3, fire6/squeeze1x1, conv10 */
  for (int p = 0; p < 4 && n == 26; p++) {
    const sqz_tensor_view *t = &convs[picks[p]]->weights;
    float *w = malloc(t->count * sizeof *w);
    sqz_error err;
    CHECK(sqz_tensor_decode(t, w, t->count, "w", &err) == SQZ_OK, "%s", err.message);
    char label[64];
    snprintf(label, sizeof label, "squeezenet1_1 weight tensor %d", picks[p]);
    static const char *const real[] = {"f16", "int8", "codebook4h", "codebook6h", "codebook8", "sparse5h"};
    for (int k = 0; k < 6; k++) check_round_trip(real[k], w, t->count, (uint32_t)convs[picks[p]]->cout, label);
    free(w);
  }
  free(bytes);
}

/* The Deep Compression file, decoded as its README describes (an
 * implementation independent of the converter's). */
static void test_deep_compression_exact(void) {
  char path[1024];
  snprintf(path, sizeof path, "%s/models/upstream/squeezenet1_0-deep-compression/compressed_SqueezeNet.net",
           test_shared_dir());
  size_t dc_size, size;
  uint8_t *dc = test_read_file(path, &dc_size);
  CHECK(dc != NULL, "cannot read %s", path);
  static sqz_model_desc d;
  uint8_t *bytes = load_desc("squeezenet1_0", &d, &size);
  if (!dc || !bytes) {
    free(dc), free(bytes);
    return;
  }
  const sqz_conv_desc *convs[64];
  int n = weight_tensors(&d, convs, 64);
  CHECK(n == 26, "squeezenet1_0: %d weight tensors", n);
  size_t off = 4 * 26, exact = 0;
  for (int c = 0; c < n && n == 26; c++) {
    uint32_t nnz;
    memcpy(&nnz, dc + 4 * c, 4);
    const sqz_tensor_view *t = &convs[c]->weights;
    CHECK(t->encoding == SQZ_ENC_SPARSE_CODEBOOK, "squeezenet1_0 tensor %d: encoding %d", c, t->encoding);
    float *dense = calloc(t->count, sizeof *dense), *ours = malloc(t->count * sizeof *ours), book[256];
    memcpy(book, dc + off, sizeof book);
    off += sizeof book + 4 * (size_t)convs[c]->cout;
    const uint8_t *codes = dc + off, *gaps = dc + off + nnz;
    long pos = -1;
    for (uint32_t k = 0; k < nnz; k++) {
      pos += ((gaps[k / 2] >> (4 * (k & 1))) & 15) + 1;
      if (pos < (long)t->count) dense[pos] = book[codes[k]];
    }
    off += nnz + (nnz + 1) / 2;
    sqz_error err;
    CHECK(sqz_tensor_decode(t, ours, t->count, "w", &err) == SQZ_OK, "%s", err.message);
    int same = memcmp(dense, ours, t->count * sizeof *ours) == 0;
    CHECK(same, "squeezenet1_0 tensor %d differs from the Deep Compression file", c);
    exact += same;
    free(dense), free(ours);
  }
  CHECK(off == dc_size, "Deep Compression file: %zu of %zu bytes read", off, dc_size);
  CHECK(exact == 26, "%zu of 26 tensors exact", exact);
  CHECK(size <= 700 * 1024, "squeezenet1_0.sqz is %zu bytes (over 700 KB)", size);
  printf("squeezenet1_0.sqz: %zu bytes, 26/26 weight tensors equal to the Deep Compression file's\n", size);
  free(dc), free(bytes);
}

/* ---- hostile payloads ---- */

static void expect_refused(const sqz_codec *c, const uint8_t *p, uint32_t bytes, uint32_t count,
                           const char *needle, const char *what) {
  float *out = malloc((count + 1) * sizeof *out);
  sqz_error err = {SQZ_OK, ""};
  uint8_t *copy = malloc(bytes + 1); /* exactly `bytes` readable, for the sanitizers */
  memcpy(copy, p, bytes);
  sqz_status st = decode(c, copy, bytes, count, out, &err);
  CHECK(st == SQZ_ERR_MODEL, "%s: accepted", what);
  CHECK(!needle || strstr(err.message, needle), "%s: reason '%s' does not say '%s'", what, err.message, needle);
  free(out), free(copy);
}

static void le16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { le16(p, v & 0xFFFF), le16(p + 2, v >> 16); }
static void put_floats(uint8_t *p, const float *v, int n) {
  for (int i = 0; i < n; i++) {
    uint32_t u;
    memcpy(&u, &v[i], 4);
    le32(p + 4 * i, u);
  }
}

/* Decodes a hand-made payload that must be valid and compares every value. */
static void expect_decoded(const sqz_codec *c, const uint8_t *p, uint32_t bytes, uint32_t count,
                           const float *want, const char *what) {
  float out[64];
  sqz_error err = {SQZ_OK, ""};
  sqz_status st = decode(c, p, bytes, count, out, &err);
  CHECK(st == SQZ_OK, "%s: refused: %s", what, err.message);
  if (st != SQZ_OK) return;
  int differ = 0;
  for (uint32_t i = 0; i < count; i++) differ += memcmp(&out[i], &want[i], sizeof *out) != 0;
  CHECK(differ == 0, "%s: %d of %u values differ (first %g %g %g %g, want %g %g %g %g)", what, differ, count,
        out[0], out[1], out[2], out[3], want[0], want[1], want[2], want[3]);
}

static void test_hostile(void) {
  float w[301];
  for (int i = 0; i < 301; i++) w[i] = (i % 4) ? 0.0f : gauss();
  for (int k = 0; k < NUM_CODECS; k++) {
    sqz_codec c;
    sqz_codec_parse(codec_names[k], &c);
    uint32_t bytes;
    sqz_error err;
    uint8_t *p = sqz_tensor_encode(&c, w, 301, 7, &bytes, &err);
    CHECK(p != NULL, "%s: %s", codec_names[k], err.message);
    if (!p) continue;
    char what[96];
    for (uint32_t cut = 0; cut < bytes; cut++) { /* every truncation */
      snprintf(what, sizeof what, "%s truncated to %u of %u bytes", codec_names[k], cut, bytes);
      expect_refused(&c, p, cut, 301, NULL, what);
    }
    uint8_t *longer = calloc(bytes + 4, 1);
    memcpy(longer, p, bytes);
    snprintf(what, sizeof what, "%s with 4 extra bytes", codec_names[k]);
    expect_refused(&c, longer, bytes + 4, 301, NULL, what);
    snprintf(what, sizeof what, "%s with a wrong count", codec_names[k]);
    expect_refused(&c, p, bytes, 300, NULL, what);
    /* Random corruption: refused or decoded, never out of bounds. */
    float out[301];
    for (int trial = 0; trial < 300; trial++) {
      memcpy(longer, p, bytes);
      int flips = 1 + (int)(test_rand() % 3);
      for (int f = 0; f < flips; f++) longer[test_rand() % bytes] ^= (uint8_t)(1u << (test_rand() % 8));
      decode(&c, longer, bytes, 301, out, &err);
    }
    free(longer), free(p);
  }

  uint8_t buf[256];
  sqz_codec cb = {SQZ_ENC_CODEBOOK, 2, 0}, sp = {SQZ_ENC_SPARSE_CODEBOOK, 2, 0}, i8 = {SQZ_ENC_INT8, 0, 0};
  /* codebook: 2-bit indices, 3 entries (distinct, none 0), 4 values; index 3 is
     past the codebook. */
  const float book[3] = {1.5f, -2.25f, 3.0f};
  memset(buf, 0, sizeof buf);
  buf[0] = 2, buf[1] = 0, le16(buf + 2, 3);
  put_floats(buf + 4, book, 3);
  buf[16] = 0 | 1 << 2 | 2 << 4 | 3u << 6;
  put_floats(buf + 4, book, 3);
  expect_refused(&cb, buf, 17, 4, "past the 3 codebook entries", "codebook index out of range");
  buf[16] = 0 | 1 << 2 | 2 << 4 | 2u << 6;
  const float indexed[4] = {book[0], book[1], book[2], book[2]};
  expect_decoded(&cb, buf, 17, 4, indexed, "hand-made codebook (indices 0, 1, 2, 2)");
  buf[2] = 5;
  expect_refused(&cb, buf, 17, 4, "codebook entries", "5 entries for 2-bit indices");
  buf[2] = 3, buf[0] = 9;
  expect_refused(&cb, buf, 17, 4, "index bits", "9-bit indices");
  buf[0] = 2, buf[1] = 2;
  expect_refused(&cb, buf, 17, 4, "index coding", "unknown coding");
  /* Huffman lengths: three 1-bit codes over-subscribe; 16 bits is over the limit. */
  buf[1] = 1, buf[16] = 1, buf[17] = 1, buf[18] = 1, buf[19] = 0;
  expect_refused(&cb, buf, 20, 4, "code lengths", "over-subscribed Huffman lengths");
  buf[16] = 16, buf[17] = 1, buf[18] = 2;
  expect_refused(&cb, buf, 20, 4, "code lengths", "a 16-bit Huffman length");
  /* An incomplete code (one 1-bit symbol): the bit string 1 is no code. */
  buf[16] = 1, buf[17] = 0, buf[18] = 0, buf[19] = 0x02, buf[20] = 0, buf[21] = 0;
  expect_refused(&cb, buf, 22, 4, "not a Huffman code", "incomplete Huffman code");
  buf[19] = 0x00;
  const float first[4] = {book[0], book[0], book[0], book[0]};
  expect_decoded(&cb, buf, 20, 4, first, "one-symbol Huffman code (four 0 bits)");
  buf[19] = 0x80;
  expect_refused(&cb, buf, 20, 4, "left over", "non-zero padding bits");

  /* sparse: 2-bit indices, 4 entries (distinct, none 0), 3-bit gaps, 2 entries
     over 6 values. */
  const float sparse_book[4] = {0.5f, -1.25f, 2.0f, 4.5f};
  memset(buf, 0, sizeof buf);
  buf[0] = 2, buf[1] = 0, le16(buf + 2, 4), buf[4] = 3;
  le32(buf + 8, 2);
  put_floats(buf + 12, sparse_book, 4);
  /* entry 0: gap 2, index 1; entry 1: gap 2, index 3 → positions 2 and 5 */
  put_floats(buf + 12, sparse_book, 4);
  uint32_t bits = 2 | 1u << 3 | 2u << 5 | 3u << 8;
  le16(buf + 28, bits);
  const float placed[6] = {0, 0, sparse_book[1], 0, 0, sparse_book[3]};
  expect_decoded(&sp, buf, 30, 6, placed, "hand-made sparse (index 1 at 2, index 3 at 5)");
  bits = 2 | 1u << 3 | 3u << 5 | 3u << 8; /* second gap 3 → position 6, past the 6 values */
  le16(buf + 28, bits);
  expect_refused(&sp, buf, 30, 6, "lands past", "sparse gap past the end");
  le16(buf + 28, 2 | 1u << 3 | 2u << 5 | 3u << 8);
  le32(buf + 8, 7);
  expect_refused(&sp, buf, 30, 6, "entries for 6 values", "more entries than values");
  le32(buf + 8, 4);
  expect_refused(&sp, buf, 30, 6, "need more than", "entries past the stream");
  le32(buf + 8, 2), buf[4] = 0;
  expect_refused(&sp, buf, 30, 6, "gap bits", "0 gap bits");
  buf[4] = 3, buf[5] = 1;
  expect_refused(&sp, buf, 30, 6, "reserved", "reserved byte set");

  /* int8: channels that do not divide the count, zero channels, a NaN scale. */
  memset(buf, 0, sizeof buf);
  le32(buf, 4);
  expect_refused(&i8, buf, 4 + 16 + 6, 6, "channels", "4 channels for 6 values");
  le32(buf, 0);
  expect_refused(&i8, buf, 4 + 6, 6, "channels", "0 channels");
  le32(buf, 2), le32(buf + 4, 0x7FC00000u);
  expect_refused(&i8, buf, 4 + 8 + 6, 6, "not finite", "NaN scale");
}

/* A whole model with a hostile compact tensor (checksum fixed up) is refused
 * at load with the layer named. */
static void test_hostile_model(void) {
  static sqz_model_desc d;
  size_t size;
  uint8_t *bytes = load_desc("squeezenet1_0", &d, &size);
  if (!bytes) return;
  const sqz_conv_desc *convs[64];
  weight_tensors(&d, convs, 64);
  size_t at = (size_t)(convs[0]->weights.data - bytes);
  bytes[at + 2] = 0xFF, bytes[at + 3] = 0xFF; /* 65535 codebook entries for 8-bit indices */
  le32(bytes + 12, sqz_crc32(bytes + 16, size - 16));
  sqz_error err = {SQZ_OK, ""};
  sqz_model *m = sqz_model_load(bytes, size, &err);
  CHECK(m == NULL && strstr(err.message, "weights") && strstr(err.message, "codebook entries"),
        "hostile conv1 codebook: %s", m ? "loaded" : err.message);
  sqz_model_free(m);
  free(bytes);
}

/* `sqz compress`: a report row per weight tensor, an output that loads with
 * the encodings asked for, and clear failures. */
static void test_compress_cli(void) {
  const char *cli = getenv("SQZ_CLI");
  CHECK(cli && *cli, "SQZ_CLI (path of the sqz tool) is not set");
  if (!cli || !*cli) return;
  /* a fresh folder: no file from an earlier run, or another checkout's, can answer */
  char tmp[] = "/tmp/sqz_test_compress_XXXXXX";
  CHECK(mkdtemp(tmp) != NULL, "cannot create a temporary directory");
  char out[64], txt[64], bad[64], cmd[4096];
  snprintf(out, sizeof out, "%s/out.sqz", tmp);
  snprintf(txt, sizeof txt, "%s/report.txt", tmp);
  snprintf(bad, sizeof bad, "%s/not-a-model.sqz", tmp);
  snprintf(cmd, sizeof cmd,
           "'%s' compress '%s/squeezenet1_1.sqz' -o '%s' --encoding codebook4h "
           "--layer conv1=f16 --layer fire9=int8 > '%s'",
           cli, test_models_dir(), out, txt);
  CHECK(system(cmd) == 0, "%s failed", cmd);
  size_t size, tsize;
  char *report = (char *)test_read_file(txt, &tsize);
  int rows = 0;
  for (char *p = report; p && p < report + tsize; p++) rows += *p == '\n';
  CHECK(rows == 1 + 26 + 1, "report has %d lines, expected a header, 26 layers and a summary", rows);
  CHECK(report && strstr(report, "fire9/expand3x3") && strstr(report, "conv10 "), "report names the layers");
  free(report);
  static sqz_model_desc d;
  uint8_t *bytes = test_read_file(out, &size);
  sqz_error err = {SQZ_OK, ""};
  CHECK(bytes && sqz_model_parse(bytes, size, &d, &err) == SQZ_OK, "compressed model: %s", err.message);
  if (bytes && d.num_layers > 0) {
    const sqz_conv_desc *convs[64];
    int n = weight_tensors(&d, convs, 64);
    CHECK(n == 26 && convs[0]->weights.encoding == SQZ_ENC_F16 && convs[1]->weights.encoding == SQZ_ENC_CODEBOOK &&
              convs[22]->weights.encoding == SQZ_ENC_INT8 && convs[24]->weights.encoding == SQZ_ENC_INT8 &&
              convs[25]->weights.encoding == SQZ_ENC_CODEBOOK && convs[25]->bias.encoding == SQZ_ENC_F32,
          "compressed model has the wrong encodings");
    CHECK(strcmp(d.name, "squeezenet1_1") == 0, "compressed model renamed to %s", d.name);
    sqz_model *m = sqz_model_load(bytes, size, &err);
    CHECK(m != NULL, "compressed model does not load: %s", err.message);
    sqz_model_free(m);
  }
  free(bytes);
  snprintf(cmd, sizeof cmd, "'%s' compress '%s/squeezenet1_1.sqz' -o '%s' --encoding codebook9 2>/dev/null",
           cli, test_models_dir(), out);
  int rc = system(cmd);
  CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "unknown encoding: exit %d", rc);
  FILE *f = fopen(bad, "wb");
  if (f) fputs("SQZN not really a model", f), fclose(f);
  snprintf(cmd, sizeof cmd, "'%s' compress '%s' -o '%s' --encoding int8 2> '%s'", cli, bad, out, txt);
  rc = system(cmd);
  CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "bad input: exit %d", rc);
  report = (char *)test_read_file(txt, &tsize);
  CHECK(report && strstr(report, "not-a-model.sqz"), "the failure does not name the file");
  free(report);
  remove(out), remove(txt), remove(bad), rmdir(tmp);
}

int main(void) {
  test_random_round_trips();
  test_real_weights();
  test_deep_compression_exact();
  test_hostile();
  test_hostile_model();
  test_compress_cli();
  return test_finish("test_tensor_codec");
}
