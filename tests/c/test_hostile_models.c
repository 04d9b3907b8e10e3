/* Damaged versions of the real converted models (models/NAME.sqz), through
 * sqz_model_load (test_model_format.c does the same on a tiny model):
 *  - truncated at every byte of the first 64 KB and at sampled offsets
 *    after it, as shipped (the header's size no longer matches) and with the
 *    header's size and CRC rewritten to match (so the section parser meets
 *    the cut);
 *  - bit flips anywhere after the header: the checksum;
 *  - wrong magic, version, flags, size or CRC in the header;
 *  - structural fields (section lengths, META, label count, layer
 *    ops and shapes, tensor encodings, counts and sizes, a first weight set
 *    to NaN) set to hostile values, with size and CRC rewritten: the model
 *    either loads and classifies (a harmless change, such as ReLU off) or is
 *    refused with a reason. Never a crash or an out-of-bounds access (this
 *    test also runs under ASan+UBSan).
 * After all that, the untouched bytes still load and give the reference
 * logits for a golden crop. */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/crc32.h"
#include "format/format.h"
#include "model_bytes.h"
#include "squeezenet.h"
#include "testutil.h"

typedef struct field {
  size_t off;
  int width; /* bytes, little-endian */
  char what[48];
} field;

/* The offsets of every structural field, found by reading the file as
 * models/FORMAT.md describes it (independently of model_read.c). */
static int find_fields(const uint8_t *b, size_t size, field *f, int cap) {
  int n = 0;
#define ADD(o, w, ...) \
  do { if (n < cap) { f[n].off = (o), f[n].width = (w); snprintf(f[n].what, sizeof f[n].what, __VA_ARGS__); n++; } } while (0)
  size_t p = 16;
  while (p + 8 <= size) {
    size_t len = rd(b + p + 4, 4), q = p + 8;
    ADD(p + 4, 4, "%.4s length", (const char *)b + p);
    if (memcmp(b + p, "META", 4) == 0) {
      ADD(q, 1, "name length");
      q += 1 + b[q];
      const char *names[] = {"input width", "input height", "input channels", "channel order",
                             "resize policy", "resize size"};
      const int widths[] = {2, 2, 2, 1, 1, 2};
      for (int i = 0; i < 6; i++) {
        ADD(q, widths[i], "%s", names[i]);
        q += widths[i];
      }
      q += 2;
      for (int i = 0; i < 7; i++) ADD(q + 4 * i, 4, "normalisation value %d", i);
    } else if (memcmp(b + p, "LABL", 4) == 0) {
      ADD(q, 4, "label count");
      ADD(q + 4, 2, "first label length");
    } else if (memcmp(b + p, "GRPH", 4) == 0) {
      uint32_t layers = rd(b + q, 4);
      ADD(q, 4, "layer count");
      q += 4;
      for (uint32_t l = 0; l < layers && q < p + 8 + len; l++) {
        int op = b[q], tensors = 0;
        ADD(q, 1, "layer %u op", l);
        q += 4;
        if (op == SQZ_OP_CONV) {
          const char *names[] = {"cout", "kh", "kw", "stride", "pad", "relu"};
          const int widths[] = {2, 1, 1, 1, 1, 1};
          size_t r = q;
          for (int i = 0; i < 6; i++) {
            ADD(r, widths[i], "layer %u conv %s", l, names[i]);
            r += widths[i];
          }
          q += 8, tensors = 2;
        } else if (op == SQZ_OP_MAXPOOL) {
          for (int i = 0; i < 4; i++) ADD(q + i, 1, "layer %u pool field %d", l, i);
          q += 4;
        } else if (op == SQZ_OP_FIRE) {
          for (int i = 0; i < 3; i++) ADD(q + 2 * i, 2, "layer %u fire size %d", l, i);
          q += 8, tensors = 6;
        }
        for (int t = 0; t < tensors; t++) {
          int enc = b[q];
          ADD(q, 1, "layer %u tensor %d encoding", l, t);
          ADD(q + 4, 4, "layer %u tensor %d count", l, t);
          ADD(q + 8, 4, "layer %u tensor %d bytes", l, t);
          ADD(q + 12, enc == SQZ_ENC_F16 ? 2 : 4, "layer %u tensor %d value 0", l, t);
          q += 12 + pad4(rd(b + q + 8, 4));
        }
      }
    }
    p += 8 + pad4(len);
  }
#undef ADD
  return n;
}

static int load_fails_with_reason(const uint8_t *b, size_t n, sqz_status *code) {
  sqz_error e = {SQZ_OK, ""};
  sqz_model *m = sqz_model_load(b, n, &e);
  sqz_model_free(m);
  if (code) *code = e.code;
  return !m && e.code != SQZ_OK && strlen(e.message) > 10;
}

static uint8_t crop[227 * 227 * 3];
static int crop_w;

static void check_model(const char *name, int in, int field_stride) {
  size_t size;
  uint8_t *orig = test_read_model(name, &size);
  if (!orig) return;
  uint8_t *b = malloc(size);

  /* Truncations, as shipped and with a matching header. */
  int cuts = 0, refused = 0, refused_fixed = 0;
  for (size_t n = 0; n < size; n += n < 65536 ? 1 : 4001 + test_rand() % 8000) {
    cuts++;
    refused += load_fails_with_reason(orig, n, NULL);
    if (n >= 16 && (n < 4096 || n % (field_stride > 2 ? 4093 : 509) == 0)) { /* the fixed-up ones cost a CRC each */
      memcpy(b, orig, n);
      fix_header(b, n);
      int ok = load_fails_with_reason(b, n, NULL);
      CHECK(ok, "%s cut to %zu bytes with a matching header: loaded", name, n);
      refused_fixed += ok;
    }
  }
  CHECK(refused == cuts, "%s: %d of %d truncations refused", name, refused, cuts);
  printf("%s: %d truncations refused, %d more with the header rewritten to match\n", name, refused,
         refused_fixed);

  /* Bit flips after the header: the checksum. */
  int flips = 0, caught = 0;
  for (int i = 0; i < 300; i++) {
    size_t at = 16 + test_rand() % (size - 16);
    int bit = (int)(test_rand() % 8);
    orig[at] ^= (uint8_t)(1u << bit);
    sqz_status code;
    flips++;
    caught += load_fails_with_reason(orig, size, &code) && code == SQZ_ERR_CHECKSUM;
    orig[at] ^= (uint8_t)(1u << bit);
  }
  CHECK(caught == flips, "%s: %d of %d bit flips caught by the checksum", name, caught, flips);

  /* The header's fields. */
  struct { size_t off; uint8_t value; sqz_status code; } header[] = {
      {0, 'X', SQZ_ERR_VERSION}, {3, 'X', SQZ_ERR_VERSION}, {4, 2, SQZ_ERR_VERSION},
      {5, 1, SQZ_ERR_VERSION},   {6, 1, SQZ_ERR_VERSION},   {8, 0, SQZ_ERR_MODEL},
      {11, 0x7F, SQZ_ERR_MODEL}, {12, 0x55, SQZ_ERR_CHECKSUM}};
  for (size_t i = 0; i < sizeof header / sizeof header[0]; i++) {
    memcpy(b, orig, size);
    b[header[i].off] = header[i].value == b[header[i].off] ? header[i].value ^ 1 : header[i].value;
    sqz_error e = {SQZ_OK, ""};
    sqz_model *m = sqz_model_load(b, size, &e);
    CHECK(!m && e.code == header[i].code, "%s: header byte %zu: %s (%s)", name, header[i].off,
          sqz_status_name(e.code), e.message);
    sqz_model_free(m);
  }

  /* Structural fields set to hostile values, header rewritten to match. */
  static field fields[4096];
  int nf = find_fields(orig, size, fields, 4096);
  CHECK(nf > 100, "%s: only %d fields found", name, nf);
  int tried = 0, loaded = 0, reasons = 0;
  for (int i = 0; i < nf; i++) {
    const field *f = &fields[i];
    uint32_t orig_v = rd(orig + f->off, f->width), mask = f->width == 4 ? 0xFFFFFFFFu : (1u << (8 * f->width)) - 1;
    /* every layer's own fields; the tensor headers of every eighth tensor
       (they are all read by the same code, and each try costs a load) */
    if (strstr(f->what, "tensor") && (f->off / 4) % 8 != 0) continue;
    if (i % field_stride != 0) continue;
    uint32_t values[] = {0, mask, (orig_v + 1) & mask,
                         f->width == 4 ? 0x7FC00000u : f->width == 2 ? 0x7E00u : 0x80u};
    for (int v = 0; v < 4; v++) {
      if (values[v] == orig_v) continue;
      memcpy(b, orig, size);
      wr(b + f->off, f->width, values[v]);
      fix_header(b, size);
      sqz_error e = {SQZ_OK, ""};
      sqz_model *m = sqz_model_load(b, size, &e);
      tried++;
      if (m) {
        /* it loaded: it must classify (and tell if the input no longer fits) */
        loaded++;
        sqz_model_info info = sqz_model_get_info(m);
        sqz_status st = sqz_classify_pixels(m, crop, crop_w, crop_w, SQZ_RGB, 0, SQZ_INPUT_RAW, &e);
        CHECK(st == SQZ_OK || (st == SQZ_ERR_ARGUMENT && info.input_width != crop_w) ||
                  (st == SQZ_ERR_ARGUMENT && info.input_height != crop_w),
              "%s: %s = 0x%x loads but does not classify: %s", name, f->what, values[v], e.message);
        if (st == SQZ_OK) {
          const float *p = sqz_probabilities(m);
          CHECK(p != NULL, "%s: %s = 0x%x: no probabilities", name, f->what, values[v]);
        }
        sqz_model_free(m);
      } else {
        int ok = e.code != SQZ_OK && strlen(e.message) > 10 && strncmp(e.message, "model", 5) == 0;
        CHECK(ok, "%s: %s = 0x%x refused without a reason: %d '%s'", name, f->what, values[v],
              e.code, e.message);
        reasons += ok;
      }
    }
  }
  printf("%s: %d structural fields, %d hostile values: %d refused with a reason, %d loaded and "
         "classified\n", name, nf, tried, reasons, loaded);
  /* (the sanitizer run's third of the fields: 85 tried and 78 refused for v1.0) */
  CHECK(tried >= 50 && reasons >= 40, "%s: only %d hostile values tried, %d refused", name, tried, reasons);

  /* And the untouched model still loads and agrees with the reference. */
  sqz_error e = {SQZ_OK, ""};
  sqz_model *m = sqz_model_load(orig, size, &e);
  CHECK(m != NULL, "%s after all that: %s", name, e.message);
  char ref[2048];
  snprintf(ref, sizeof ref, "%s/reference/%s/n01440764_tench.logits.f32", test_shared_dir(), name);
  size_t rn;
  float *rl = (float *)test_read_file(ref, &rn);
  CHECK(rl && rn == 4000, "cannot read %s", ref);
  if (m && rl && rn == 4000 && in == crop_w) {
    CHECK(sqz_classify_pixels(m, crop, crop_w, crop_w, SQZ_RGB, 0, SQZ_INPUT_RAW, &e) == SQZ_OK, "%s", e.message);
    const float *lg = sqz_logits(m);
    double worst = 0;
    for (int i = 0; lg && i < 1000; i++) worst = fmax(worst, fabs(lg[i] - rl[i]));
    CHECK(lg && worst < 1e-3, "%s: logits differ from the reference by %g", name, worst);
  }
  free(rl);
  sqz_model_free(m);
  free(b);
  free(orig);
}

static int read_crop(const char *model, int side) {
  char path[2048];
  snprintf(path, sizeof path, "%s/reference/%s/n01440764_tench.ppm", test_shared_dir(), model);
  size_t n;
  uint8_t *b = test_read_file(path, &n);
  char hdr[32];
  snprintf(hdr, sizeof hdr, "P6\n%d %d\n255\n", side, side);
  size_t h = strlen(hdr);
  int ok = b && n == h + (size_t)side * side * 3 && memcmp(b, hdr, h) == 0;
  if (ok) memcpy(crop, b + h, (size_t)side * side * 3);
  free(b);
  CHECK(ok, "cannot read %s", path);
  crop_w = side;
  return ok;
}

int main(void) {
  /* SQZ_TEST_QUICK (the sanitizer build): a third of the structural fields */
  int quick = getenv("SQZ_TEST_QUICK") != NULL ? 3 : 1;
  if (read_crop("squeezenet1_1", 224)) check_model("squeezenet1_1", 224, quick);
  if (read_crop("squeezenet1_0", 227)) check_model("squeezenet1_0", 227, 2 * quick); /* same code, twice the bytes to checksum per try */
  return test_finish("test_hostile_models");
}
