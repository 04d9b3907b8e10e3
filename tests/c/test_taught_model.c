/* Taught models (models/FORMAT.md, "Taught models"; src/learn/taught.c):
 *  - written on the shipped bases with a head of random weights and UTF-8
 *    labels: within the size bound, loaded by sqz_model_load with those
 *    labels, its trunk the base's tensors byte for byte (own encodings), its
 *    logits on real photos those of the head applied in double to the
 *    embedding from an independent path (the features model), the same top-1;
 *    the head read back bit for bit; taught again (written from the taught
 *    model as base) byte-identical to writing from the base;
 *  - misuse of the writer and reader refused with a reason (labels: empty,
 *    too long, commas, control characters, bad UTF-8, synset-like, repeated);
 *  - hostile taught models (on the fuzz targets' tiny base, so every byte can
 *    be tried): truncated at every byte, as given and with the header made to
 *    match; the head's shape fields, tensor records, values and labels set to
 *    hostile values and every byte of labels and head flipped, the header
 *    rewritten: both sqz_model_load and sqz_taught_model_read_head refuse with
 *    a reason or accept something well-formed, never crash (this test also runs
 *    under ASan+UBSan). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/crc32.h"
#include "format/format.h"
#include "format/writer.h"
#include "learn/taught.h"
#include "model_bytes.h"
#include "no_fire_model.h"
#include "photos.h"
#include "squeezenet.h"
#include "targets.h"
#include "testutil.h"

/* Where a taught model's parts are, found by reading FORMAT.md's layout
 * (independently of src/format/read.c). */
typedef struct layout {
  size_t labl, labl_end;   /* LABL payload */
  int nlabels;
  size_t label[16];        /* each entry's length field */
  size_t head;             /* the last conv's op byte */
  size_t head_weights, head_bias; /* their tensor records */
  size_t graph_end;
} layout;

static int find_layout(const uint8_t *b, size_t size, layout *l) {
  memset(l, 0, sizeof *l);
  size_t p = 16;
  while (p + 8 <= size) {
    const size_t len = rd(b + p + 4, 4), q0 = p + 8;
    if (memcmp(b + p, "LABL", 4) == 0) {
      l->labl = q0, l->labl_end = q0 + len;
      l->nlabels = (int)rd(b + q0, 4);
      size_t q = q0 + 4;
      for (int i = 0; i < l->nlabels && i < 16; i++) l->label[i] = q, q += 2 + rd(b + q, 2);
    } else if (memcmp(b + p, "GRPH", 4) == 0) {
      const uint32_t layers = rd(b + q0, 4);
      size_t q = q0 + 4;
      for (uint32_t i = 0; i < layers; i++) {
        const int op = b[q];
        int tensors = 0;
        if (op == SQZ_OP_CONV) l->head = q, q += 12, tensors = 2;
        else if (op == SQZ_OP_MAXPOOL) q += 8;
        else if (op == SQZ_OP_FIRE) q += 12, tensors = 6;
        else q += 4;
        for (int t = 0; t < tensors; t++) {
          if (op == SQZ_OP_CONV) *(t ? &l->head_bias : &l->head_weights) = q;
          q += 12 + pad4(rd(b + q + 8, 4));
        }
      }
      l->graph_end = q;
    }
    p += 8 + pad4(len);
  }
  return l->labl && l->head && l->head_weights && l->head_bias;
}

static float *random_values(size_t n, float lo, float hi) {
  float *v = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) v[i] = test_randf(lo, hi);
  return v;
}

/* A real base: write, load, compare with the head in double on embeddings. */
static void test_round_trip(const char *name) {
  size_t base_size;
  uint8_t *base = test_read_model(name, &base_size);
  if (!base) return;
  uint8_t *fbytes = NULL;
  size_t fsize = 0;
  sqz_error err = {SQZ_OK, ""};
  CHECK(sqz_features_model_write(base, base_size, &fbytes, &fsize, &err) == SQZ_OK, "%s", err.message);
  sqz_model *features = fbytes ? sqz_model_load(fbytes, fsize, &err) : NULL;
  CHECK(features != NULL, "%s features model: %s", name, err.message);
  const int dim = features ? sqz_model_get_info(features).num_classes : 0;
  CHECK(dim == 512, "%s: %d features", name, dim);
  enum { C = 7 };
  const char *labels[C] = {"shirt", "café au lait", "日本語のラベル", "two  spaces", "x", "hat-1", "<&\"'>"};
  float *w = random_values((size_t)C * dim, -0.05f, 0.05f), *b = random_values(C, -1, 1);
  uint8_t *taught = NULL, *again = NULL, *direct = NULL;
  size_t size = 0, again_size = 0, direct_size = 0, label_bytes = 0;
  for (int j = 0; j < C; j++) label_bytes += strlen(labels[j]);
  sqz_status st = sqz_taught_model_write(base, base_size, w, b, C, dim, labels, &taught, &size, &err);
  CHECK(st == SQZ_OK, "%s: write: %s", name, err.message);
  if (st) goto done;
  CHECK(size <= base_size + 4 * (size_t)dim * C + label_bytes,
        "%s: taught model of %zu bytes over the bound %zu", name, size,
        base_size + 4 * (size_t)dim * C + label_bytes);
  printf("%s: taught model with %d classes: %zu bytes (base %zu, bound %zu)\n", name, C, size,
         base_size, base_size + 4 * (size_t)dim * C + label_bytes);

  /* The trunk: the base's records, tensors in their own encoding, byte for byte. */
  static sqz_model_desc db, dt;
  CHECK(sqz_model_parse(base, base_size, &db, &err) == SQZ_OK && sqz_model_parse(taught, size, &dt, &err) == SQZ_OK,
        "%s: parse: %s", name, err.message);
  int last = -1, same = 1;
  for (int i = 0; i < db.num_layers; i++) last = db.layers[i].op == SQZ_OP_FIRE ? i : last;
  CHECK(last > 0 && dt.num_layers == last + 3, "%s: %d layers, base's last fire at %d", name, dt.num_layers, last);
  for (int i = 0; i <= last && i < dt.num_layers; i++) {
    const sqz_layer_desc *x = &db.layers[i], *y = &dt.layers[i];
    const sqz_tensor_view *tx[6] = {&x->conv.weights, &x->conv.bias, &x->squeeze.weights,
                                    &x->squeeze.bias, &x->expand1.weights, &x->expand3.weights};
    const sqz_tensor_view *ty[6] = {&y->conv.weights, &y->conv.bias, &y->squeeze.weights,
                                    &y->squeeze.bias, &y->expand1.weights, &y->expand3.weights};
    same &= x->op == y->op && x->conv.cout == y->conv.cout && x->expand3.cout == y->expand3.cout;
    for (int t = 0; t < 6; t++)
      same &= tx[t]->encoding == ty[t]->encoding && tx[t]->count == ty[t]->count && tx[t]->bytes == ty[t]->bytes &&
              (tx[t]->bytes == 0 || memcmp(tx[t]->data, ty[t]->data, tx[t]->bytes) == 0);
  }
  CHECK(same, "%s: the trunk is not the base's layers as stored", name);
  CHECK(strcmp(dt.name, name) != 0 && strncmp(dt.name, db.name, strlen(db.name)) == 0 &&
            strcmp(dt.name + strlen(db.name), SQZ_TAUGHT_SUFFIX) == 0,
        "%s: taught model named '%s'", name, dt.name);

  /* Loaded: the user's labels, the head's logits. */
  sqz_model *m = sqz_model_load(taught, size, &err);
  CHECK(m != NULL, "%s: load: %s", name, err.message);
  if (!m) goto done;
  CHECK(sqz_model_get_info(m).num_classes == C, "%s: %d classes", name, sqz_model_get_info(m).num_classes);
  for (int j = 0; j < C; j++)
    CHECK(strcmp(sqz_model_label(m, j), labels[j]) == 0 && strcmp(sqz_model_label_full(m, j), labels[j]) == 0,
          "%s: label %d is '%s' / '%s', not '%s'", name, j, sqz_model_label(m, j), sqz_model_label_full(m, j), labels[j]);
  static ref_entry refs[256];
  int nref = photos_load_reference("squeezenet1_1", refs, 256), photos = 0, top_same = 0;
  double worst = 0;
  const int want = getenv("SQZ_TEST_QUICK") ? 3 : 12; /* the sanitizer build: fewer photos */
  for (int i = 0; i < nref && i < want && features; i++) {
    size_t n;
    char path[1024];
    snprintf(path, sizeof path, "%s/testdata/imagenet-sample/%.255s", test_shared_dir(), refs[i].file);
    uint8_t *img = test_read_file(path, &n);
    if (!img || sqz_classify_image(features, img, n, 0, &err) != SQZ_OK ||
        sqz_classify_image(m, img, n, 0, &err) != SQZ_OK) {
      CHECK(0, "%s: %s: %s", name, path, img ? err.message : "cannot read");
      free(img);
      continue;
    }
    free(img);
    const float *e = sqz_logits(features), *z = sqz_logits(m);
    double ref[C], scale = 0;
    int best = 0, second = -1;
    for (int j = 0; j < C; j++) {
      ref[j] = b[j];
      for (int k = 0; k < dim; k++) ref[j] += (double)w[j * dim + k] * e[k], scale += fabs((double)w[j * dim + k] * e[k]);
      if (ref[j] > ref[best]) best = j;
    }
    for (int j = 0; j < C; j++) if (j != best && (second < 0 || ref[j] > ref[second])) second = j;
    for (int j = 0; j < C; j++) worst = fmax(worst, fabs(z[j] - ref[j]) / (1 + scale / C));
    sqz_prediction top;
    sqz_top_k(m, 1, &top);
    top_same += top.index == best || ref[best] - ref[second] < 1e-4;
    CHECK(strcmp(top.label, labels[top.index]) == 0, "%s: top label '%s'", name, top.label);
    photos++;
  }
  CHECK(photos == want && top_same == photos, "%s: %d photos, %d with the head's top-1", name, photos, top_same);
  CHECK(worst < 1e-5, "%s: logits differ from the head on the embedding by %.3g (relative)", name, worst);
  printf("%s: on %d photos, logits within %.2g (relative) of the head applied to the embedding, same top-1\n",
         name, photos, worst);
  sqz_model_free(m);

  /* Read back, bit for bit; taught again = taught from the base. */
  sqz_taught_head *h = NULL;
  st = sqz_taught_model_read_head(taught, size, &h, &err);
  CHECK(st == SQZ_OK, "%s: read head: %s", name, err.message);
  if (h) {
    CHECK(h->classes == C && h->dim == dim, "%s: head %dx%d", name, h->classes, h->dim);
    CHECK(memcmp(h->weights, w, (size_t)C * dim * sizeof(float)) == 0 && memcmp(h->bias, b, C * sizeof(float)) == 0,
          "%s: head read back differs", name);
    for (int j = 0; j < C; j++) CHECK(strcmp(h->labels[j], labels[j]) == 0, "%s: label %d read back as '%s'", name, j, h->labels[j]);
    for (int k = 0; k < C * dim; k++) w[k] = -w[k];
    st = sqz_taught_model_write(taught, size, w, h->bias, C, dim, h->labels, &again, &again_size, &err);
    CHECK(st == SQZ_OK, "%s: teach again: %s", name, err.message);
    st = sqz_taught_model_write(base, base_size, w, b, C, dim, labels, &direct, &direct_size, &err);
    CHECK(st == SQZ_OK && again_size == direct_size && again && memcmp(again, direct, direct_size) == 0,
          "%s: taught again (%zu bytes) differs from taught from the base (%zu bytes)", name, again_size, direct_size);
    sqz_free(h);
  }
done:
  sqz_model_free(features);
  sqz_free(fbytes), sqz_free(taught), sqz_free(again), sqz_free(direct);
  free(w), free(b), free(base);
}

static void expect_write_failure(const char *what, sqz_status code, const void *base, size_t base_size,
                                 const float *w, const float *b, int c, int dim, const char *const *labels) {
  uint8_t *out = (uint8_t *)&out;
  size_t out_size = 99;
  sqz_error err = {SQZ_OK, ""};
  sqz_status st = sqz_taught_model_write(base, base_size, w, b, c, dim, labels, &out, &out_size, &err);
  CHECK(st == code && err.code == code && strlen(err.message) > 10 && out == NULL && out_size == 0,
        "write %s: status %d (%s), want %d", what, st, err.message, code);
  printf("  write refused %s: %s\n", what, err.message);
}

static void test_misuse(const uint8_t *tiny, size_t tiny_size, int dim) {
  enum { C = 3 };
  float *w = random_values((size_t)C * dim, -1, 1), *b = random_values(C, -1, 1);
  const char *ok[C] = {"alpha", "béta", "γ"};
  expect_write_failure("no base", SQZ_ERR_ARGUMENT, NULL, tiny_size, w, b, C, dim, ok);
  expect_write_failure("no weights", SQZ_ERR_ARGUMENT, tiny, tiny_size, NULL, b, C, dim, ok);
  expect_write_failure("no labels", SQZ_ERR_ARGUMENT, tiny, tiny_size, w, b, C, dim, NULL);
  expect_write_failure("0 classes", SQZ_ERR_ARGUMENT, tiny, tiny_size, w, b, 0, dim, ok);
  expect_write_failure("1001 classes", SQZ_ERR_ARGUMENT, tiny, tiny_size, w, b, SQZ_MAX_TAUGHT_CLASSES + 1, dim, ok);
  expect_write_failure("a head of the wrong size", SQZ_ERR_ARGUMENT, tiny, tiny_size, w, b, C, dim - 1, ok);
  expect_write_failure("dimension 0", SQZ_ERR_ARGUMENT, tiny, tiny_size, w, b, C, 0, ok);
  expect_write_failure("a base that is not a model", SQZ_ERR_VERSION, "not a model at all", 18, w, b, C, dim, ok);
  expect_write_failure("a truncated base", SQZ_ERR_MODEL, tiny, tiny_size - 5, w, b, C, dim, ok);
  size_t nf_size = 0;
  uint8_t *nf = test_no_fire_model(&nf_size);
  expect_write_failure("a base without a fire module", SQZ_ERR_MODEL, nf, nf_size, w, b, C, dim, ok);
  free(nf);
  w[5] = NAN;
  expect_write_failure("a NaN weight", SQZ_ERR_ARGUMENT, tiny, tiny_size, w, b, C, dim, ok);
  w[5] = 0, b[1] = -INFINITY;
  expect_write_failure("an infinite bias", SQZ_ERR_ARGUMENT, tiny, tiny_size, w, b, C, dim, ok);
  b[1] = 0;
  char long_label[SQZ_MAX_LABEL_BYTES + 2];
  memset(long_label, 'a', sizeof long_label - 1);
  long_label[sizeof long_label - 1] = 0;
  struct { const char *what, *label; } bad[] = {
      {"an empty label", ""},
      {"a 256-byte label", long_label},
      {"a label with a comma", "red, white"},
      {"a label with a newline", "two\nlines"},
      {"a label with a tab", "a\tb"},
      {"a label with DEL", "a\x7f"},
      {"a label with a C1 control", "a\xc2\x85"},
      {"a lone continuation byte", "a\x80"},
      {"a truncated sequence", "\xe6\x97"},
      {"an overlong encoding", "\xc0\xaf"},
      {"a UTF-16 surrogate", "\xed\xa0\x80"},
      {"a code point past U+10FFFF", "\xf4\x90\x80\x80"},
      {"a byte 0xFF", "a\xff"},
      {"a synset-like label", "n95 mask"},
      {"a repeated label", "alpha"},
      {"a NULL label", NULL},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *labels[C] = {"alpha", bad[i].label, "γ"};
    expect_write_failure(bad[i].what, SQZ_ERR_ARGUMENT, tiny, tiny_size, w, b, C, dim, labels);
  }
  /* labels that are fine */
  const char *fine[C] = {"n", "n9", "nine 9"};
  uint8_t *out = NULL;
  size_t out_size = 0;
  sqz_error err = {SQZ_OK, ""};
  CHECK(sqz_taught_model_write(tiny, tiny_size, w, b, C, dim, fine, &out, &out_size, &err) == SQZ_OK,
        "labels n, n9, 'nine 9': %s", err.message);
  sqz_free(out);
  /* reading the head of what is not a taught model */
  sqz_taught_head *h = (sqz_taught_head *)&h;
  CHECK(sqz_taught_model_read_head(tiny, tiny_size, &h, &err) == SQZ_ERR_MODEL && h == NULL && strlen(err.message) > 10,
        "read head of the base: %d %s", err.code, err.message);
  printf("  read refused the base: %s\n", err.message);
  CHECK(sqz_features_model_write(tiny, tiny_size, &out, &out_size, &err) == SQZ_OK, "%s", err.message);
  CHECK(sqz_taught_model_read_head(out, out_size, &h, &err) == SQZ_ERR_MODEL && h == NULL,
        "read head of a features model: %d %s", err.code, err.message);
  sqz_free(out);
  CHECK(sqz_taught_model_read_head(NULL, 10, &h, &err) == SQZ_ERR_ARGUMENT, "read head of NULL: %d", err.code);
  CHECK(sqz_taught_model_read_head(tiny, tiny_size, NULL, &err) == SQZ_ERR_ARGUMENT, "read head into NULL: %d", err.code);
  free(w), free(b);
}

/* One hostile variant through both readers: each refuses with a reason or
 * gives something well-formed. Returns 1 if read_head accepted it. */
static int try_variant(const uint8_t *b, size_t n, const char *what, int *loaded) {
  sqz_error err = {SQZ_OK, ""};
  sqz_model *m = sqz_model_load(b, n, &err);
  if (m) {
    sqz_model_info info = sqz_model_get_info(m);
    uint8_t px[16 * 16 * 3];
    memset(px, 100, sizeof px);
    sqz_status st = info.input_width == 16 && info.input_height == 16
                        ? sqz_classify_pixels(m, px, 16, 16, SQZ_RGB, 0, SQZ_INPUT_RAW, &err)
                        : SQZ_OK;
    CHECK(st == SQZ_OK, "%s: loads but does not classify: %s", what, err.message);
    for (int j = 0; j < info.num_classes; j++) CHECK(sqz_model_label(m, j) != NULL, "%s: label %d", what, j);
    sqz_model_free(m);
    ++*loaded;
  } else {
    CHECK(err.code != SQZ_OK && strlen(err.message) > 10, "%s: load refused without a reason", what);
  }
  sqz_taught_head *h = NULL;
  memset(&err, 0, sizeof err);
  sqz_status st = sqz_taught_model_read_head(b, n, &h, &err);
  if (st == SQZ_OK) {
    int ok = h && h->classes >= 1 && h->classes <= SQZ_MAX_TAUGHT_CLASSES && h->dim >= 1;
    for (int j = 0; ok && j < h->classes; j++) ok &= h->labels[j] && strlen(h->labels[j]) >= 1 && isfinite(h->bias[j]);
    for (int k = 0; ok && k < h->classes * h->dim; k++) ok &= isfinite(h->weights[k]);
    CHECK(ok, "%s: read_head accepted a malformed head", what);
    sqz_free(h);
    return 1;
  }
  CHECK(h == NULL && err.code == st && strlen(err.message) > 10, "%s: read_head refused without a reason", what);
  return 0;
}

static void test_hostile(const uint8_t *tiny, size_t tiny_size, int dim) {
  enum { C = 3 };
  float *w = random_values((size_t)C * dim, -1, 1), *b = random_values(C, -1, 1);
  const char *labels[C] = {"aaa", "bbb", "ccc"};
  uint8_t *t = NULL;
  size_t size = 0;
  sqz_error err = {SQZ_OK, ""};
  CHECK(sqz_taught_model_write(tiny, tiny_size, w, b, C, dim, labels, &t, &size, &err) == SQZ_OK, "%s", err.message);
  if (!t) return;
  layout l;
  CHECK(find_layout(t, size, &l) && l.nlabels == C, "tiny taught model: layout not found");
  uint8_t *v = malloc(size);

  /* truncations at every byte: as given, and with the header made to match */
  int cuts = 0, refused = 0, loaded = 0, accepted = 0;
  for (size_t n = 0; n < size; n++) {
    sqz_error e = {SQZ_OK, ""};
    sqz_model *m = sqz_model_load(t, n, &e);
    sqz_taught_head *h = NULL;
    sqz_status st = sqz_taught_model_read_head(t, n, &h, &e);
    refused += !m && st != SQZ_OK && h == NULL;
    sqz_model_free(m);
    if (n >= 16) {
      memcpy(v, t, n);
      fix_header(v, n);
      accepted += try_variant(v, n, "a truncation with its header fixed", &loaded);
    }
    cuts++;
  }
  CHECK(refused == cuts && accepted == 0 && loaded == 0,
        "truncations: %d of %d refused as given; with the header fixed %d loaded, %d heads read", refused, cuts,
        loaded, accepted);
  printf("hostile taught models: %d truncations refused, as given and with the header fixed\n", cuts);

  /* The head's fields and the labels set to hostile values. */
  struct { size_t off; int width; uint32_t value; int load_ok, head_ok; const char *what; } f[] = {
      {l.head + 4, 2, 0, 0, 0, "head cout 0"},
      {l.head + 4, 2, C + 1, 0, 0, "head cout past the labels"},
      {l.head + 4, 2, 0xFFFF, 0, 0, "head cout 65535"},
      {l.head + 6, 1, 3, -1, 0, "head kh 3"},
      {l.head + 7, 1, 3, -1, 0, "head kw 3"},
      {l.head + 8, 1, 2, -1, 0, "head stride 2"},
      {l.head + 9, 1, 1, -1, 0, "head pad 1"},
      {l.head + 10, 1, 1, 1, 0, "head with ReLU"},
      {l.head + 10, 1, 7, 0, 0, "head relu 7"},
      {l.head_weights, 1, SQZ_ENC_F16, 0, 0, "weights said float16"},
      {l.head_weights, 1, 9, 0, 0, "weights encoding 9"},
      {l.head_weights + 4, 4, (uint32_t)(C * dim + 1), 0, 0, "weights count + 1"},
      {l.head_weights + 4, 4, 0xFFFFFFFFu, 0, 0, "weights count 2^32-1"},
      {l.head_weights + 8, 4, 0xFFFFFFF0u, 0, 0, "weights bytes huge"},
      {l.head_weights + 12, 4, 0x7FC00000u, 0, 0, "a NaN weight"},
      {l.head_bias + 12, 4, 0x7F800000u, 0, 0, "an infinite bias"},
      {l.labl, 4, C + 1, 0, 0, "label count + 1"},
      {l.labl, 4, 0, 0, 0, "label count 0"},
      {l.labl, 4, 0xFFFFFFFFu, 0, 0, "label count 2^32-1"},
      {l.label[1], 2, 0, 0, 0, "an empty label"},
      {l.label[2], 2, 0xFFFF, 0, 0, "a label past the section"},
      {l.label[1] + 3, 1, ',', 1, 0, "a comma in a label"},
      {l.label[1] + 2, 1, 0, 0, 0, "a NUL in a label"},
      {l.label[1] + 2, 1, '\n', 1, 0, "a newline in a label"},
      {l.label[1] + 2, 1, 0xFF, 1, 0, "a byte 0xFF in a label"},
      {l.label[1] + 2, 3, 'a' | 'a' << 8 | 'a' << 16, 1, 0, "a repeated label"},
      {l.label[0] + 2, 1, 'n', 1, 1, "a label starting with n"},
  };
  int tried = 0;
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
    memcpy(v, t, size);
    wr(v + f[i].off, f[i].width, f[i].value);
    fix_header(v, size);
    int was_loaded = 0;
    const int head = try_variant(v, size, f[i].what, &was_loaded);
    if (f[i].load_ok >= 0)
      CHECK(was_loaded == f[i].load_ok, "%s: %s by sqz_model_load", f[i].what, was_loaded ? "loaded" : "refused");
    CHECK(head == f[i].head_ok, "%s: %s by sqz_taught_model_read_head", f[i].what, head ? "read" : "refused");
    tried++;
  }
  /* every byte of the labels and the head flipped */
  int flips = 0;
  loaded = accepted = 0;
  for (size_t at = l.labl; at < l.graph_end; at = at == l.labl_end ? l.head : at + 1) {
    if (at >= l.labl_end && at < l.head) continue;
    for (int bit = 0; bit < 8; bit += 3) {
      memcpy(v, t, size);
      v[at] ^= (uint8_t)(1u << bit);
      fix_header(v, size);
      accepted += try_variant(v, size, "a flipped bit", &loaded);
      flips++;
    }
  }
  printf("hostile taught models: %d hostile field values, %d bit flips in labels and head "
         "(%d still loaded, %d still read as a head)\n", tried, flips, loaded, accepted);
  CHECK(flips > 300, "only %d flips", flips);

  /* and the original is still good */
  sqz_taught_head *h = NULL;
  CHECK(sqz_taught_model_read_head(t, size, &h, &err) == SQZ_OK && h && memcmp(h->weights, w, (size_t)C * dim * 4) == 0,
        "after all that: %s", err.message);
  sqz_free(h);
  free(v), free(w), free(b);
  sqz_free(t);
}

int main(void) {
  test_round_trip("squeezenet1_0");
  test_round_trip("squeezenet1_1");
  test_round_trip("squeezenet1_1-compact");
  size_t tiny_size = 0;
  uint8_t *tiny = sqz_fuzz_tiny_model(0, &tiny_size);
  CHECK(tiny != NULL, "tiny model");
  if (tiny) {
    const int dim = 12; /* its last fire module: expand 5 + 7 */
    printf("misuse:\n");
    test_misuse(tiny, tiny_size, dim);
    test_hostile(tiny, tiny_size, dim);
  }
  free(tiny);
  return test_finish("test_taught_model");
}
