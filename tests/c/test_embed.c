/* Embeddings (sqz_embed_image, sqz_embed_pixels) on both shipped models:
 * - against the independent path of src/learn/taught.h: the model cut after
 *   its last fire module plus a global average pool, loaded as a model of its
 *   own, whose logits are the pooled features: within 1e-5 (the same kernels
 *   run, so the bits are counted too);
 * - the same bits on 1, 2 and 3 threads;
 * - SQZ_UNIT_LENGTH: the raw embedding divided by its length (in double);
 * - pixels (RGBA, RGB with a stride, a raw crop) as the features model gets them;
 * - misuse: a short or missing buffer, unknown flags, SQZ_UNIT_LENGTH in a
 *   classify call, an undecodable image, a model without fire modules; an
 *   embedding leaves no classification result (logits, top-k, class maps) behind.
 * Photos: the first of each class in ../shared/testdata/clothing/train and
 * the first 3 sample photos (SQZ_TEST_QUICK, the sanitizer run: 3 and 1). */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clothing.h"
#include "learn/taught.h"
#include "no_fire_model.h"
#include "photos.h"
#include "testutil.h"

enum { MAX_DIM = 4096, THREADS = 3 };

static int embed_file(sqz_model *m, const char *path, unsigned flags, float *out, sqz_error *err) {
  size_t size = 0;
  uint8_t *bytes = test_read_file(path, &size);
  if (!bytes) {
    snprintf(err->message, sizeof err->message, "cannot read %s", path);
    return 0;
  }
  sqz_status st = sqz_embed_image(m, bytes, size, flags, out, MAX_DIM, err);
  free(bytes);
  return st == SQZ_OK;
}

static int classify_file(sqz_model *m, const char *path, sqz_error *err) {
  size_t size = 0;
  uint8_t *bytes = test_read_file(path, &size);
  sqz_status st = bytes ? sqz_classify_image(m, bytes, size, 0, err) : SQZ_ERR_ARGUMENT;
  free(bytes);
  return st == SQZ_OK;
}

/* The largest |a - b|. */
static double max_diff(const float *a, const float *b, int n) {
  double d = 0;
  for (int i = 0; i < n; i++) d = fmax(d, fabs((double)a[i] - b[i]));
  return d;
}

typedef struct counts {
  int compared, same_bits;
  double worst;
} counts;

/* One image through every model of `models` (1..THREADS threads) and the
 * features model: bits equal across threads, within 1e-5 of the features. */
static void check_image(sqz_model **models, sqz_model *features, const char *path, int dim,
                        counts *c) {
  static float e[THREADS][MAX_DIM], unit[MAX_DIM];
  sqz_error err = {SQZ_OK, ""};
  for (int t = 0; t < THREADS; t++)
    CHECK(embed_file(models[t], path, 0, e[t], &err), "%s (%d threads): %s", path, t + 1, err.message);
  for (int t = 1; t < THREADS; t++)
    CHECK(memcmp(e[0], e[t], (size_t)dim * sizeof(float)) == 0, "%s: %d threads give other bits", path,
          t + 1);
  CHECK(sqz_logits(models[0]) == NULL, "%s: an embedding left a classification result", path);
  if (!classify_file(features, path, &err)) {
    CHECK(0, "%s (features model): %s", path, err.message);
    return;
  }
  const double d = max_diff(e[0], sqz_logits(features), dim);
  CHECK(d <= 1e-5, "%s: embedding and features model differ by %g", path, d);
  c->compared++;
  c->same_bits += memcmp(e[0], sqz_logits(features), (size_t)dim * sizeof(float)) == 0;
  c->worst = fmax(c->worst, d);
  /* Unit length: the raw one over its length, computed here in double. */
  CHECK(embed_file(models[1], path, SQZ_UNIT_LENGTH, unit, &err), "%s: %s", path, err.message);
  double sum = 0, nonzero = 0;
  for (int i = 0; i < dim; i++) sum += (double)e[0][i] * e[0][i], nonzero += e[0][i] != 0;
  CHECK(sum > 0 && nonzero > dim / 4, "%s: an embedding of %g nonzero values", path, nonzero);
  double worst = 0, length = 0;
  for (int i = 0; i < dim; i++) {
    worst = fmax(worst, fabs(unit[i] - e[0][i] / sqrt(sum)));
    length += (double)unit[i] * unit[i];
  }
  CHECK(worst <= 1e-7 && fabs(length - 1) <= 1e-6, "%s: unit embedding off by %g, squared length %.9f", path,
        worst, length);
}

/* Pixels: an RGBA picture, the same as RGB rows with a stride, and a raw
 * crop, each against the features model given the same pixels. */
static void check_pixels(sqz_model *m, sqz_model *features, int dim, int crop_w, int crop_h) {
  enum { W = 301, H = 233 }; /* both at least the crops (224, 227) */
  static uint8_t rgba[W * H * 4], rgb[H * (W * 3 + 5)];
  static float a[MAX_DIM], b[MAX_DIM];
  for (int i = 0; i < W * H * 4; i++) rgba[i] = (uint8_t)(test_rand() >> 24);
  const size_t stride = W * 3 + 5;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) memcpy(rgb + y * stride + x * 3, rgba + (y * W + x) * 4, 3);
  sqz_error err = {SQZ_OK, ""};
  CHECK(sqz_embed_pixels(m, rgba, W, H, SQZ_RGBA, 0, 0, a, dim, &err) == SQZ_OK, "RGBA: %s", err.message);
  CHECK(sqz_embed_pixels(m, rgb, W, H, SQZ_RGB, stride, 0, b, dim, &err) == SQZ_OK, "RGB: %s", err.message);
  CHECK(memcmp(a, b, (size_t)dim * sizeof(float)) == 0, "RGBA and RGB with a stride differ (alpha is ignored)");
  CHECK(sqz_classify_pixels(features, rgb, W, H, SQZ_RGB, stride, 0, &err) == SQZ_OK, "features: %s", err.message);
  CHECK(max_diff(a, sqz_logits(features), dim) <= 1e-5, "pixels: embedding and features model differ by %g",
        max_diff(a, sqz_logits(features), dim));
  CHECK(sqz_embed_pixels(m, rgba, crop_w, crop_h, SQZ_RGBA, (size_t)W * 4, SQZ_INPUT_RAW, a, dim, &err) == SQZ_OK,
        "raw crop: %s", err.message);
  CHECK(sqz_classify_pixels(features, rgba, crop_w, crop_h, SQZ_RGBA, (size_t)W * 4, SQZ_INPUT_RAW, &err) == SQZ_OK,
        "features, raw crop: %s", err.message);
  CHECK(max_diff(a, sqz_logits(features), dim) <= 1e-5, "raw crop: embedding and features model differ");
}

static void expect(sqz_status got, sqz_status want, const sqz_error *err, const char *what) {
  CHECK(got == want && err->code == want && err->message[0], "%s: status %d (%s), %d wanted", what, got,
        err->message, want);
}

static void check_misuse(sqz_model *m, int dim, const char *photo) {
  static float out[MAX_DIM];
  size_t size = 0;
  uint8_t *bytes = test_read_file(photo, &size);
  sqz_error err = {SQZ_OK, ""};
  CHECK(bytes != NULL, "cannot read %s", photo);
  if (!bytes) return;
  expect(sqz_embed_image(m, bytes, size, 0, out, dim - 1, &err), SQZ_ERR_ARGUMENT, &err, "a short buffer");
  CHECK(strstr(err.message, "512") || dim != 512, "the reason names the size needed: %s", err.message);
  expect(sqz_embed_image(m, bytes, size, 0, NULL, dim, &err), SQZ_ERR_ARGUMENT, &err, "no buffer");
  expect(sqz_embed_image(m, bytes, size, 0x80, out, dim, &err), SQZ_ERR_ARGUMENT, &err, "unknown flags");
  expect(sqz_embed_image(m, bytes, size / 3, 0, out, dim, &err), SQZ_ERR_IMAGE, &err, "a truncated image");
  expect(sqz_embed_image(NULL, bytes, size, 0, out, dim, &err), SQZ_ERR_ARGUMENT, &err, "no model");
  expect(sqz_classify_image(m, bytes, size, SQZ_UNIT_LENGTH, &err), SQZ_ERR_ARGUMENT, &err,
         "SQZ_UNIT_LENGTH in a classification");
  /* After a classification, an embedding replaces its results... */
  CHECK(sqz_classify_image(m, bytes, size, 0, &err) == SQZ_OK && sqz_logits(m), "classify: %s", err.message);
  CHECK(sqz_embed_image(m, bytes, size, 0, out, dim, &err) == SQZ_OK, "embed: %s", err.message);
  sqz_prediction p[1];
  float map[64 * 64];
  CHECK(sqz_logits(m) == NULL && sqz_top_k(m, 1, p) == 0 && sqz_class_map(m, 0, map, 64 * 64, NULL) == 0,
        "an embedding left the classification's results");
  /* ...and a failed one too. */
  CHECK(sqz_classify_image(m, bytes, size, 0, &err) == SQZ_OK, "classify: %s", err.message);
  sqz_embed_image(m, bytes, size, 0, out, 1, &err);
  CHECK(sqz_logits(m) == NULL, "a failed embedding left the classification's results");
  free(bytes);
}

/* A model without fire modules (a 1x1 convolution and the pool): no embedding. */
static void check_no_fire(void) {
  size_t size = 0;
  uint8_t *bytes = test_no_fire_model(&size);
  CHECK(bytes != NULL, "writing a model without fire modules");
  if (!bytes) return;
  sqz_error err = {SQZ_OK, ""};
  sqz_model *m = sqz_model_load(bytes, size, &err);
  CHECK(m != NULL, "a model without fire modules: %s", err.message);
  if (m) {
    uint8_t pixels[8 * 8 * 3] = {0};
    float out[8];
    CHECK(sqz_model_get_info(m).embedding_size == 0, "embedding_size %d without fire modules",
          sqz_model_get_info(m).embedding_size);
    expect(sqz_embed_pixels(m, pixels, 8, 8, SQZ_RGB, 0, 0, out, 8, &err), SQZ_ERR_MODEL, &err,
           "a model without fire modules");
    CHECK(sqz_classify_pixels(m, pixels, 8, 8, SQZ_RGB, 0, 0, &err) == SQZ_OK, "it still classifies: %s",
          err.message);
  }
  sqz_model_free(m);
  free(bytes);
}

int main(void) {
  clothing_set train;
  memset(&train, 0, sizeof train);
  const int photos = clothing_list("train", &train);
  CHECK(photos >= 100, "the clothing photos: %d found", photos);
  static ref_entry refs[256];
  const int samples = photos_load_reference("squeezenet1_1", refs, 256);
  CHECK(samples >= 3, "the sample photos: %d found", samples);
  const char *names[] = {"squeezenet1_1", "default"};
  for (int k = 0; k < 2; k++) {
    size_t size = 0;
    uint8_t *base = test_read_model(names[k], &size);
    CHECK(base != NULL, "models/%s.sqz missing", names[k]);
    if (!base) continue;
    sqz_model *models[THREADS] = {NULL};
    sqz_error err = {SQZ_OK, ""};
    for (int t = 0; t < THREADS; t++) {
      sqz_options o = {t + 1};
      models[t] = sqz_model_load_with_options(base, size, &o, &err);
      CHECK(models[t] != NULL, "%s: %s", names[k], err.message);
    }
    sqz_model *features = clothing_features_model(base, size, 1);
    CHECK(features != NULL, "%s: no features model", names[k]);
    if (models[0] && models[1] && models[2] && features) {
      const sqz_model_info info = sqz_model_get_info(models[0]);
      const int dim = info.embedding_size;
      CHECK(dim == 512 && dim == sqz_model_get_info(features).num_classes, "%s: embedding_size %d", names[k], dim);
      counts c = {0, 0, 0};
      const int quick = getenv("SQZ_TEST_QUICK") != NULL, classes = quick ? 3 : train.classes;
      for (int i = 0; i < train.n; i++)
        if (train.rank[i] == 0 && train.label[i] < classes) check_image(models, features, train.path[i], dim, &c);
      for (int i = 0; i < samples && i < (quick ? 1 : 3); i++) {
        char path[1024];
        snprintf(path, sizeof path, "%.500s/testdata/imagenet-sample/%.255s", test_shared_dir(), refs[i].file);
        check_image(models, features, path, dim, &c);
      }
      CHECK(c.compared >= (quick ? 4 : 13), "%s: %d photos compared", names[k], c.compared);
      printf("%s: %d photos, %d with the features model's bits, largest difference %g\n", names[k], c.compared,
             c.same_bits, c.worst);
      check_pixels(models[2], features, dim, info.input_width, info.input_height);
      check_misuse(models[0], dim, train.path[0]);
    }
    for (int t = 0; t < THREADS; t++) sqz_model_free(models[t]);
    sqz_model_free(features);
    free(base);
  }
  check_no_fire();
  clothing_free(&train);
  return test_finish("test_embed");
}
