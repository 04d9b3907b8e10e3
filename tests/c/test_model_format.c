/* The .sqz format and the converters:
 * - the converted upstream models have the shapes the upstream README gives;
 * - a SqueezeNet-like network with other fire sizes, written by the writer,
 *   loads without code changes and matches a naive direct implementation;
 * - damaged files (truncated at any byte, bit flips, wrong magic/version,
 *   inconsistent shapes, allocation bombs) are refused with a reason;
 * - the converters refuse upstream files that are not consumed exactly;
 * - the checksum is zlib's CRC-32. */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/crc32.h"
#include "format/writer.h"
#include "format/format.h"
#include "engine/network.h"
#include "squeezenet.h"
#include "testutil.h"

/* ---- shapes of the converted upstream models ---- */

typedef struct expect {
  sqz_op op;
  int a, b, c; /* conv: cout, kernel, stride | fire: s, e1, e3 | pool: kernel, stride */
  int pad;
} expect;

static void check_shapes(const char *model, const expect *ex, int n, int in_size) {
  size_t size;
  uint8_t *bytes = test_read_model(model, &size);
  if (!bytes) return;
  sqz_model_desc *d = malloc(sizeof *d);
  sqz_error err = {0, ""};
  CHECK(sqz_model_parse(bytes, size, d, &err) == SQZ_OK, "%s: %s", model, err.message);
  CHECK(strcmp(d->name, model) == 0, "name %s", d->name);
  CHECK(d->recipe.input_width == in_size && d->recipe.input_height == in_size, "%s input %dx%d",
        model, d->recipe.input_width, d->recipe.input_height);
  CHECK(d->num_labels == 1000, "%s: %u labels", model, d->num_labels);
  CHECK(d->num_layers == n, "%s: %d layers, expected %d", model, d->num_layers, n);
  for (int i = 0; i < n && i < d->num_layers; i++) {
    const sqz_layer_desc *l = &d->layers[i];
    CHECK(l->op == ex[i].op, "%s layer %d: op %d, expected %d", model, i, l->op, ex[i].op);
    if (l->op != ex[i].op) continue;
    if (l->op == SQZ_OP_CONV)
      CHECK(l->conv.cout == ex[i].a && l->conv.kh == ex[i].b && l->conv.kw == ex[i].b &&
                l->conv.stride == ex[i].c && l->conv.pad == ex[i].pad && l->conv.relu,
            "%s layer %d: conv %d %dx%d/%d pad %d", model, i, l->conv.cout, l->conv.kh, l->conv.kw,
            l->conv.stride, l->conv.pad);
    if (l->op == SQZ_OP_FIRE)
      CHECK(l->squeeze.cout == ex[i].a && l->expand1.cout == ex[i].b && l->expand3.cout == ex[i].c,
            "%s layer %d: fire %d/%d/%d", model, i, l->squeeze.cout, l->expand1.cout, l->expand3.cout);
    if (l->op == SQZ_OP_MAXPOOL)
      CHECK(l->pool_kernel == ex[i].a && l->pool_stride == ex[i].b && l->pool_ceil == 1,
            "%s layer %d: pool %d/%d ceil %d", model, i, l->pool_kernel, l->pool_stride, l->pool_ceil);
  }
  /* The labels are the upstream list, in order. */
  sqz_model *m = sqz_model_load(bytes, size, &err);
  CHECK(m != NULL, "%s: %s", model, err.message);
  if (m) {
    CHECK(strcmp(sqz_model_label(m, 0), "tench") == 0, "label 0 '%s'", sqz_model_label(m, 0));
    CHECK(strcmp(sqz_model_label_full(m, 0), "n01440764 tench, Tinca tinca") == 0, "full label 0 '%s'",
          sqz_model_label_full(m, 0));
    CHECK(strcmp(sqz_model_label(m, 999), "toilet tissue") == 0, "label 999 '%s'", sqz_model_label(m, 999));
    CHECK(sqz_model_label(m, 1000) == NULL && sqz_model_label(m, -1) == NULL, "out-of-range labels");
    sqz_model_info info = sqz_model_get_info(m);
    CHECK(info.num_classes == 1000 && info.file_bytes == size, "info");
    printf("%s: %zu bytes, %d layers, %.1f MB in memory\n", model, size, d->num_layers,
           info.memory_bytes / 1048576.0);
  }
  sqz_model_free(m);
  free(d);
  free(bytes);
}

static void test_upstream_shapes(void) {
  /* From ../shared/models/upstream/README.md */
  const expect v11[] = {{SQZ_OP_CONV, 64, 3, 2, 0},   {SQZ_OP_MAXPOOL, 3, 2, 0, 0},
                        {SQZ_OP_FIRE, 16, 64, 64, 0}, {SQZ_OP_FIRE, 16, 64, 64, 0},
                        {SQZ_OP_MAXPOOL, 3, 2, 0, 0}, {SQZ_OP_FIRE, 32, 128, 128, 0},
                        {SQZ_OP_FIRE, 32, 128, 128, 0}, {SQZ_OP_MAXPOOL, 3, 2, 0, 0},
                        {SQZ_OP_FIRE, 48, 192, 192, 0}, {SQZ_OP_FIRE, 48, 192, 192, 0},
                        {SQZ_OP_FIRE, 64, 256, 256, 0}, {SQZ_OP_FIRE, 64, 256, 256, 0},
                        {SQZ_OP_CONV, 1000, 1, 1, 0}, {SQZ_OP_GAP, 0, 0, 0, 0}};
  const expect v10[] = {{SQZ_OP_CONV, 96, 7, 2, 0},   {SQZ_OP_MAXPOOL, 3, 2, 0, 0},
                        {SQZ_OP_FIRE, 16, 64, 64, 0}, {SQZ_OP_FIRE, 16, 64, 64, 0},
                        {SQZ_OP_FIRE, 32, 128, 128, 0}, {SQZ_OP_MAXPOOL, 3, 2, 0, 0},
                        {SQZ_OP_FIRE, 32, 128, 128, 0}, {SQZ_OP_FIRE, 48, 192, 192, 0},
                        {SQZ_OP_FIRE, 48, 192, 192, 0}, {SQZ_OP_FIRE, 64, 256, 256, 0},
                        {SQZ_OP_MAXPOOL, 3, 2, 0, 0}, {SQZ_OP_FIRE, 64, 256, 256, 0},
                        {SQZ_OP_CONV, 1000, 1, 1, 1}, {SQZ_OP_GAP, 0, 0, 0, 0}};
  check_shapes("squeezenet1_1", v11, 14, 224);
  check_shapes("squeezenet1_0", v10, 14, 227);
}

/* ---- a small SqueezeNet-like network with other fire sizes ---- */

typedef struct tconv {
  int cout, cin, k, stride, pad;
  float *w, *b;
} tconv;

static void init_conv(tconv *c, int cout, int cin, int k, int stride, int pad) {
  c->cout = cout, c->cin = cin, c->k = k, c->stride = stride, c->pad = pad;
  size_t n = (size_t)cout * cin * k * k;
  c->w = malloc(n * sizeof(float));
  c->b = malloc((size_t)cout * sizeof(float));
  for (size_t i = 0; i < n; i++) c->w[i] = test_randf(-0.5f, 0.5f) / sqrtf((float)(cin * k * k));
  for (int i = 0; i < cout; i++) c->b[i] = test_randf(-0.1f, 0.2f);
}

/* Naive CHW convolution + ReLU in double: the independent reference. */
static double *ref_conv(const tconv *c, const double *in, int h, int w, int *oh, int *ow) {
  *oh = (h + 2 * c->pad - c->k) / c->stride + 1;
  *ow = (w + 2 * c->pad - c->k) / c->stride + 1;
  double *out = calloc((size_t)c->cout * *oh * *ow, sizeof(double));
  for (int o = 0; o < c->cout; o++)
    for (int y = 0; y < *oh; y++)
      for (int x = 0; x < *ow; x++) {
        double s = c->b[o];
        for (int i = 0; i < c->cin; i++)
          for (int ky = 0; ky < c->k; ky++)
            for (int kx = 0; kx < c->k; kx++) {
              int iy = y * c->stride - c->pad + ky, ix = x * c->stride - c->pad + kx;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                s += c->w[((o * c->cin + i) * c->k + ky) * c->k + kx] * in[(i * h + iy) * w + ix];
            }
        out[(o * *oh + y) * *ow + x] = s > 0 ? s : 0;
      }
  return out;
}

static double *ref_maxpool_ceil(const double *in, int ch, int h, int w, int *oh, int *ow) {
  *oh = (h - 3 + 1) / 2 + 1;
  *ow = (w - 3 + 1) / 2 + 1;
  double *out = malloc((size_t)ch * *oh * *ow * sizeof(double));
  for (int c = 0; c < ch; c++)
    for (int y = 0; y < *oh; y++)
      for (int x = 0; x < *ow; x++) {
        double m = -INFINITY;
        for (int ky = 0; ky < 3; ky++)
          for (int kx = 0; kx < 3; kx++) {
            int iy = 2 * y + ky, ix = 2 * x + kx;
            if (iy < h && ix < w && in[(c * h + iy) * w + ix] > m) m = in[(c * h + iy) * w + ix];
          }
        out[(c * *oh + y) * *ow + x] = m;
      }
  return out;
}

static void write_conv_layer(sqz_writer *w, const tconv *c) {
  sqz_write_op(w, SQZ_OP_CONV);
  sqz_write_u16(w, (uint16_t)c->cout);
  sqz_write_u8(w, (uint8_t)c->k), sqz_write_u8(w, (uint8_t)c->k);
  sqz_write_u8(w, (uint8_t)c->stride), sqz_write_u8(w, (uint8_t)c->pad);
  sqz_write_u8(w, 1), sqz_write_u8(w, 0);
  sqz_write_tensor(w, SQZ_ENC_F32, c->w, (uint32_t)(c->cout * c->cin * c->k * c->k));
  sqz_write_tensor(w, SQZ_ENC_F32, c->b, (uint32_t)c->cout);
}

static const sqz_recipe tiny_recipe = {29, 29, 0, SQZ_RESIZE_SHORTER, 32, 1.0f / 255, {0.5f, 0.4f, 0.3f}, {0.2f, 0.25f, 0.3f}};

/* conv 3x3/2 pad stem_pad (7) → pool → fire(3, 5, 6) → fire(4, 2, 9) → conv 1x1 pad 1 (10) → GAP
 * (a padded stem takes im2col's border paths; SqueezeNet's stems have none) */
static uint8_t *make_tiny(size_t *size, tconv convs[8], int fire_e3, uint32_t labels, int stem_pad) {
  int cin = 3;
  init_conv(&convs[0], 7, cin, 3, 2, stem_pad);
  init_conv(&convs[1], 3, 7, 1, 1, 0);
  init_conv(&convs[2], 5, 3, 1, 1, 0);
  init_conv(&convs[3], 6, 3, 3, 1, 1);
  init_conv(&convs[4], 4, 11, 1, 1, 0);
  init_conv(&convs[5], 2, 4, 1, 1, 0);
  init_conv(&convs[6], fire_e3, 4, 3, 1, 1);
  init_conv(&convs[7], 10, 2 + 9, 1, 1, 1);
  sqz_writer w;
  sqz_writer_init(&w);
  sqz_write_header(&w);
  sqz_write_meta(&w, "tiny", &tiny_recipe);
  const char *names[10] = {"n0 zero, nil", "n1 one", "n2 two", "n3 three", "n4 four",
                           "n5 five", "n6 six", "n7 seven", "n8 eight", "n9 nine"};
  sqz_write_labels(&w, names, labels);
  sqz_write_section_begin(&w, "GRPH");
  sqz_write_u32(&w, 6);
  write_conv_layer(&w, &convs[0]);
  sqz_write_op(&w, SQZ_OP_MAXPOOL);
  sqz_write_u8(&w, 3), sqz_write_u8(&w, 2), sqz_write_u8(&w, 0), sqz_write_u8(&w, 1);
  for (int f = 0; f < 2; f++) {
    tconv *c = &convs[1 + 3 * f];
    sqz_write_op(&w, SQZ_OP_FIRE);
    /* the declared expand3x3 size is the real one (9) even when its tensor is not */
    sqz_write_u16(&w, (uint16_t)c[0].cout), sqz_write_u16(&w, (uint16_t)c[1].cout),
        sqz_write_u16(&w, (uint16_t)(f == 1 ? 9 : c[2].cout)), sqz_write_u16(&w, 0);
    for (int k = 0; k < 3; k++) {
      sqz_write_tensor(&w, SQZ_ENC_F32, c[k].w, (uint32_t)(c[k].cout * c[k].cin * c[k].k * c[k].k));
      sqz_write_tensor(&w, SQZ_ENC_F32, c[k].b, (uint32_t)c[k].cout);
    }
  }
  write_conv_layer(&w, &convs[7]);
  sqz_write_op(&w, SQZ_OP_GAP);
  sqz_write_section_end(&w);
  sqz_error err;
  CHECK(sqz_writer_finish(&w, &err) == SQZ_OK, "writer: %s", err.message);
  *size = w.size;
  return w.data;
}

static void free_convs(tconv *c) {
  for (int i = 0; i < 8; i++) free(c[i].w), free(c[i].b);
}

static void test_other_fire_sizes(int stem_pad) {
  tconv c[8];
  size_t size;
  uint8_t *bytes = make_tiny(&size, c, 9, 10, stem_pad);
  sqz_error err = {0, ""};
  sqz_model *m = sqz_model_load(bytes, size, &err);
  CHECK(m != NULL, "tiny model: %s", err.message);
  /* A raw 29x29 crop of random pixels, through both implementations. */
  uint8_t rgb[29 * 29 * 3];
  for (size_t i = 0; i < sizeof rgb; i++) rgb[i] = (uint8_t)test_rand();
  double *x = malloc(3 * 29 * 29 * sizeof(double));
  for (int ch = 0; ch < 3; ch++)
    for (int p = 0; p < 29 * 29; p++)
      x[ch * 29 * 29 + p] = (rgb[p * 3 + ch] * (1.0f / 255) - tiny_recipe.mean[ch]) / tiny_recipe.std[ch];
  int h = 29, w = 29, oh, ow;
  double *a = ref_conv(&c[0], x, h, w, &oh, &ow);
  double *b = ref_maxpool_ceil(a, 7, oh, ow, &h, &w);
  free(a);
  int ch = 7;
  for (int f = 0; f < 2; f++) {
    tconv *fc = &c[1 + 3 * f];
    double *s = ref_conv(&fc[0], b, h, w, &oh, &ow);
    double *e1 = ref_conv(&fc[1], s, h, w, &oh, &ow);
    double *e3 = ref_conv(&fc[2], s, h, w, &oh, &ow);
    free(b);
    ch = fc[1].cout + fc[2].cout;
    b = malloc((size_t)ch * h * w * sizeof(double));
    memcpy(b, e1, (size_t)fc[1].cout * h * w * sizeof(double));
    memcpy(b + (size_t)fc[1].cout * h * w, e3, (size_t)fc[2].cout * h * w * sizeof(double));
    free(s), free(e1), free(e3);
  }
  double *y = ref_conv(&c[7], b, h, w, &oh, &ow);
  double logits[10];
  for (int k = 0; k < 10; k++) {
    double s = 0;
    for (int p = 0; p < oh * ow; p++) s += y[k * oh * ow + p];
    logits[k] = s / (oh * ow);
  }
  CHECK(oh == 9 && ow == 9, "conv10 with pad 1 gives %dx%d", oh, ow); /* 29 → 14 (15) → 7 → 9 */
  free(b), free(y), free(x);
  if (m) {
    CHECK(sqz_classify_pixels(m, rgb, 29, 29, SQZ_RGB, 0, SQZ_INPUT_RAW, &err) == SQZ_OK, "%s", err.message);
    const float *lg = sqz_logits(m);
    double worst = 0;
    for (int k = 0; lg && k < 10; k++) worst = fmax(worst, fabs(lg[k] - logits[k]));
    /* float against double: ~1e-7 here; one wrong border pixel in the stem's
     * patches shows as ~4e-6, so the bound sits between */
    CHECK(lg && worst < 1e-6, "tiny network (stem pad %d) differs from the naive reference by %g", stem_pad, worst);
    sqz_prediction p[3];
    CHECK(sqz_top_k(m, 3, p) == 3, "top 3");
    CHECK(strcmp(sqz_model_label(m, 0), "zero") == 0 && strcmp(sqz_model_label(m, 1), "one") == 0,
          "short labels '%s' '%s'", sqz_model_label(m, 0), sqz_model_label(m, 1));
  }
  sqz_model_free(m);

  /* Every truncation is refused with a reason, never a crash. */
  int refused = 0;
  for (size_t n = 0; n < size; n++) {
    sqz_error e = {0, ""};
    sqz_model *t = sqz_model_load(bytes, n, &e);
    refused += t == NULL && e.code != SQZ_OK && e.message[0];
    sqz_model_free(t);
  }
  CHECK(refused == (int)size, "%d of %zu truncations refused", refused, size);
  /* Every single bit flip after the header fails the checksum. */
  int flips = 0;
  for (size_t i = 16; i < size; i += 7) {
    bytes[i] ^= 1u << (i % 8);
    sqz_error e = {0, ""};
    sqz_model *t = sqz_model_load(bytes, size, &e);
    flips += t == NULL && e.code == SQZ_ERR_CHECKSUM;
    sqz_model_free(t);
    bytes[i] ^= 1u << (i % 8);
  }
  CHECK(flips == (int)((size - 16 + 6) / 7), "bit flips detected: %d", flips);
  /* Magic and version. */
  sqz_error e = {0, ""};
  bytes[0] = 'X';
  CHECK(sqz_model_load(bytes, size, &e) == NULL && e.code == SQZ_ERR_VERSION, "bad magic: %s", e.message);
  bytes[0] = 'S';
  bytes[4] = 2;
  CHECK(sqz_model_load(bytes, size, &e) == NULL && e.code == SQZ_ERR_VERSION && strstr(e.message, "version"),
        "version 2: %s", e.message);
  bytes[4] = 1;
  free(bytes);
  free_convs(c);

  /* Inconsistent shapes: fire declares 9 expand3x3 channels, tensor has 8. */
  bytes = make_tiny(&size, c, 8, 10, 0);
  m = sqz_model_load(bytes, size, &e);
  CHECK(m == NULL && e.code == SQZ_ERR_MODEL, "inconsistent fire: %s", e.message);
  printf("inconsistent fire refused: %s\n", e.message);
  free(bytes);
  free_convs(c);
  /* Labels that do not match the output channels. */
  bytes = make_tiny(&size, c, 9, 9, 0);
  m = sqz_model_load(bytes, size, &e);
  CHECK(m == NULL && e.code == SQZ_ERR_MODEL && strstr(e.message, "labels"), "9 labels: %s", e.message);
  free(bytes);
  free_convs(c);
}

/* An allocation bomb: a tiny file that declares a huge network. */
static void test_allocation_bomb(void) {
  sqz_writer w;
  sqz_writer_init(&w);
  sqz_write_header(&w);
  sqz_recipe r = tiny_recipe;
  r.input_width = r.input_height = 1024;
  r.resize_size = 1024;
  sqz_write_meta(&w, "bomb", &r);
  const char *one[1] = {"n0 x"};
  sqz_write_labels(&w, one, 1);
  sqz_write_section_begin(&w, "GRPH");
  sqz_write_u32(&w, 3);
  sqz_write_op(&w, SQZ_OP_CONV);
  sqz_write_u16(&w, 4096);
  sqz_write_u8(&w, 1), sqz_write_u8(&w, 1), sqz_write_u8(&w, 1), sqz_write_u8(&w, 0);
  sqz_write_u8(&w, 1), sqz_write_u8(&w, 0);
  /* tensors declare the right counts but carry no bytes */
  sqz_write_tensor_raw(&w, SQZ_ENC_F32, 4096 * 3, NULL, 0);
  sqz_write_tensor_raw(&w, SQZ_ENC_F32, 4096, NULL, 0);
  sqz_write_op(&w, SQZ_OP_CONV);
  sqz_write_u16(&w, 1);
  sqz_write_u8(&w, 1), sqz_write_u8(&w, 1), sqz_write_u8(&w, 1), sqz_write_u8(&w, 0);
  sqz_write_u8(&w, 1), sqz_write_u8(&w, 0);
  sqz_write_tensor_raw(&w, SQZ_ENC_F32, 4096, NULL, 0);
  sqz_write_tensor_raw(&w, SQZ_ENC_F32, 1, NULL, 0);
  sqz_write_op(&w, SQZ_OP_GAP);
  sqz_write_section_end(&w);
  sqz_error e = {0, ""};
  CHECK(sqz_writer_finish(&w, &e) == SQZ_OK, "writer");
  sqz_model *m = sqz_model_load(w.data, w.size, &e);
  CHECK(m == NULL && e.code == SQZ_ERR_LIMIT, "bomb: %d %s", e.code, e.message);
  printf("allocation bomb refused: %s\n", e.message);
  sqz_writer_free(&w);
  CHECK(sqz_model_load(NULL, 10, &e) == NULL && e.code == SQZ_ERR_ARGUMENT, "NULL bytes");
  CHECK(sqz_model_load("SQZN", 4, &e) == NULL && e.code != SQZ_OK, "4 bytes");
}

/* The converters consume their upstream files exactly: one byte more or
 * less is refused, and the exact file gives the build's model byte for byte. */
static void test_converters_exact(void) {
  const char *cli = getenv("SQZ_CLI");
  CHECK(cli && *cli, "SQZ_CLI (path of the sqz tool) is not set");
  if (!cli || !*cli) return;
  char tmp[] = "/tmp/sqz_test_convert_XXXXXX";
  CHECK(mkdtemp(tmp) != NULL, "cannot create a temporary directory");
  char up[1024], cmd[4096], in[64], out[64];
  snprintf(up, sizeof up, "%s/models/upstream", test_shared_dir());
  snprintf(in, sizeof in, "%s/upstream.bin", tmp);
  snprintf(out, sizeof out, "%s/converted.sqz", tmp);
  const char *files[2] = {"squeezenet1_0-deep-compression/compressed_SqueezeNet.net",
                          "squeezenet1_1-ncnn-fp16/squeezenet_v1.1.ncnn.bin"};
  const char *models[2] = {"squeezenet1_0", "squeezenet1_1"};
  for (int f = 0; f < 2; f++) {
    for (int delta = -1; delta <= 1; delta++) {
      snprintf(cmd, sizeof cmd, "%s/%s", up, files[f]);
      size_t size;
      uint8_t *data = test_read_file(cmd, &size);
      CHECK(data != NULL, "cannot read %s", cmd);
      if (!data) return;
      FILE *o = fopen(in, "wb");
      CHECK(o != NULL, "cannot write %s", in);
      if (!o) {
        free(data);
        return;
      }
      fwrite(data, 1, delta < 0 ? size - 1 : size, o);
      if (delta > 0) fputc(0, o);
      fclose(o);
      free(data);
      remove(out);
      if (f == 0)
        snprintf(cmd, sizeof cmd,
                 "'%s' convert caffe-dc '%s/squeezenet1_0-deep-compression/SqueezeNet_deploy.prototxt' "
                 "'%s' --labels '%s/synset_words.txt' -o '%s' 2>/dev/null",
                 cli, up, in, up, out);
      else
        snprintf(cmd, sizeof cmd,
                 "'%s' convert ncnn '%s/squeezenet1_1-ncnn-fp16/squeezenet_v1.1.ncnn.param' "
                 "'%s' --labels '%s/synset_words.txt' -o '%s' 2>/dev/null",
                 cli, up, in, up, out);
      int rc = system(cmd);
      CHECK((delta == 0) == (rc == 0), "%s with %+d bytes: exit %d", files[f], delta, rc);
      if (delta != 0 || rc != 0) continue;
      size_t got_size, want_size;
      uint8_t *got = test_read_file(out, &got_size), *want = test_read_model(models[f], &want_size);
      CHECK(got && want && got_size == want_size && memcmp(got, want, got_size) == 0,
            "converting %s does not give the build's %s.sqz", files[f], models[f]);
      free(got), free(want);
    }
  }
  remove(in), remove(out), rmdir(tmp);
}

/* ---- the checksum: zlib's CRC-32, at every length and alignment ---- */

static uint32_t crc32_bitwise(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

static void test_crc32(void) {
  /* the check value of CRC-32/ISO-HDLC (zlib.crc32(b"123456789")) */
  CHECK(sqz_crc32((const uint8_t *)"123456789", 9) == 0xCBF43926u, "crc32 check value 0x%08x",
        (unsigned)sqz_crc32((const uint8_t *)"123456789", 9));
  CHECK(sqz_crc32(NULL, 0) == 0, "crc32 of nothing");
  uint8_t buf[200];
  uint32_t x = 12345;
  for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)((x = x * 1103515245u + 12345u) >> 24);
  for (size_t off = 0; off < 9; off++)
    for (size_t n = 0; n + off <= sizeof buf; n += 7)
      CHECK(sqz_crc32(buf + off, n) == crc32_bitwise(buf + off, n), "crc32 at offset %zu, %zu bytes", off, n);
}

int main(void) {
  test_crc32();
  test_upstream_shapes();
  test_other_fire_sizes(0);
  test_other_fire_sizes(1);
  test_allocation_bomb();
  test_converters_exact();
  return test_finish("test_model_format");
}
