/* Heatmaps (sqz_class_map) and output controls (sqz_top_k_filtered) through
 * the public API, on both shipped models:
 * - quadrants: a photo shrunk to a quarter of a grey canvas, in each quadrant
 *   in turn (tests/heatmap/make_quadrants.py, Pillow; 10 photos per model
 *   whose reference top-1 is right): the top class's map, its peak cell
 *   mapped to picture pixels through the region, peaks in that quadrant for
 *   at least 90% of the 40 cases; also for 640x480 ones stored sideways
 *   with EXIF orientation 6, read in upright pixels (their region that of a
 *   640x480 picture);
 * - the map is the inner part of what the network's average pool read (the
 *   whole class maps): bit for bit, every left-out ring cell holds
 *   ring_value = max(0, bias) of the final convolution decoded from the
 *   model file, the grid is 13x13 with a ring of 56 cells (v1.0) or none
 *   (v1.1), and (sum + ring_cells * ring_value) / all cells, in double, is
 *   the logit within 1e-5 (relative to the mean magnitude);
 * - a taught model (squeezenet1_1 up to its last fire module, then a head of
 *   random weights written by sqz_taught_model_write): its maps are that
 *   linear head applied at each position of the last fire output, computed
 *   here in double from the feature tap, on a 13x13 grid without a ring;
 * - the region: the recipe's crop mapped back, worked out by hand for
 *   landscape and portrait pictures, and the whole picture for raw input;
 * - the filters: against the classes sorted here by logit and filtered here,
 *   for minimum probabilities, allow and deny lists (with duplicates, both
 *   at once), and bad filters refused with a reason naming the value. */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model.h"
#include "format/format.h"
#include "preprocess/preprocess.h"
#include "testutil.h"

static sqz_model *load_model(const char *name, uint8_t **bytes_out, size_t *size_out) {
  size_t size;
  uint8_t *bytes = test_read_model(name, &size);
  if (!bytes) return NULL;
  sqz_error err = {0, ""};
  sqz_model *m = sqz_model_load(bytes, size, &err);
  CHECK(m != NULL, "%s: %s", name, err.message);
  *bytes_out = bytes, *size_out = size;
  return m;
}

/* The final convolution's biases, decoded from the model file; NULL if none. */
static float *final_biases(const uint8_t *bytes, size_t size, int *count) {
  sqz_model_desc *d = malloc(sizeof *d);
  sqz_error err = {0, ""};
  float *bias = NULL;
  if (sqz_model_parse(bytes, size, d, &err) == SQZ_OK) {
    for (int i = d->num_layers - 1; i >= 0 && !bias; i--) {
      if (d->layers[i].op != SQZ_OP_CONV) continue;
      const sqz_tensor_view *t = &d->layers[i].conv.bias;
      bias = malloc(t->count * sizeof(float));
      *count = (int)t->count;
      if (sqz_tensor_decode(t, bias, t->count, "bias", &err) != SQZ_OK) free(bias), bias = NULL;
    }
  }
  CHECK(bias != NULL, "cannot decode the final convolution's biases: %s", err.message);
  free(d);
  return bias;
}

/* ---- the maps against what the pool read -------------------------------- */

static int maps_checked;

static void check_maps(sqz_model *m, const float *bias, int num_bias, const char *model, const char *what) {
  const int classes = sqz_model_get_info(m).num_classes;
  const int is_v10 = strcmp(model, "squeezenet1_0") == 0;
  int mh, mw;
  const float *full = sqz_network_class_maps(sqz_model_network(m), &mh, &mw);
  const float *logits = sqz_logits(m);
  float map[64 * 64];
  for (int k = 0; k < classes; k += 37) { /* 28 classes spread over the 1000 */
    sqz_heatmap_info info;
    const int n = sqz_class_map(m, k, map, sizeof map / sizeof map[0], &info);
    CHECK(n == 169 && info.width == 13 && info.height == 13 && info.ring_cells == (is_v10 ? 56 : 0) &&
              mh * mw == n + info.ring_cells,
          "%s %s: class %d: map %dx%d (%d), ring %d, pool read %dx%d", model, what, k, info.width, info.height, n,
          info.ring_cells, mh, mw);
    if (n != 169) continue;
    const int pad = (mw - info.width) / 2;
    double sum = 0, mag = 0;
    int inner_same = 1, ring_same = 1;
    for (int y = 0; y < mh; y++)
      for (int x = 0; x < mw; x++) {
        const float v = full[((size_t)y * mw + x) * classes + k];
        const int inside = x >= pad && x < pad + info.width && y >= pad && y < pad + info.height;
        if (inside) inner_same &= memcmp(&v, &map[(y - pad) * info.width + (x - pad)], sizeof v) == 0;
        else ring_same &= v == info.ring_value;
        sum += v, mag += fabs(v);
      }
    CHECK(inner_same && ring_same, "%s %s: class %d: the map is %s the pool's inner cells; ring cells %s %g", model,
          what, k, inner_same ? "" : "not", ring_same ? "all" : "not all", info.ring_value);
    double mine = 0;
    for (int i = 0; i < n; i++) mine += map[i];
    mine = (mine + (double)info.ring_cells * info.ring_value) / (n + info.ring_cells);
    const double scale = mag / (mh * mw) + 1e-6;
    CHECK(fabs(mine - logits[k]) / scale < 1e-5 && fabs(sum / (mh * mw) - logits[k]) / scale < 1e-5,
          "%s %s: class %d: the map and its ring average to %.7g, the logit is %.7g", model, what, k, mine, logits[k]);
    if (info.ring_cells && k < num_bias)
      CHECK(info.ring_value == fmaxf(bias[k], 0.0f), "%s: class %d: ring value %g, max(0, bias) %g", model, k,
            info.ring_value, fmaxf(bias[k], 0.0f));
    maps_checked++;
  }
  CHECK(sqz_class_map(m, -1, map, 169, NULL) == 0 && sqz_class_map(m, classes, map, 169, NULL) == 0,
        "%s: an index out of range gives a map", model);
  sqz_heatmap_info info;
  CHECK(sqz_class_map(m, 0, NULL, 0, &info) == 169 && info.width == 13, "%s: asking the size alone", model);
}

/* ---- quadrants ------------------------------------------------------------ */

typedef struct quadrant_score {
  int cases, hits, top1, exif_cases, exif_hits;
} quadrant_score;

static const char *script_path(void) { return test_repo_path("tests/heatmap/make_quadrants.py"); }

/* The quadrant (0 top left, 1 top right, 2 bottom left, 3 bottom right) of
 * a width × height picture where class k's map peaks. */
static int peak_quadrant(const sqz_model *m, int k, int width, int height, sqz_heatmap_info *info) {
  float map[64 * 64];
  const int n = sqz_class_map(m, k, map, sizeof map / sizeof map[0], info);
  if (n <= 0 || n > 64 * 64) return -1;
  int best = 0;
  for (int i = 1; i < n; i++)
    if (map[i] > map[best]) best = i;
  const double cx = info->region.x + (best % info->width + 0.5) * info->region.width / info->width;
  const double cy = info->region.y + (best / info->width + 0.5) * info->region.height / info->height;
  return (cx >= width / 2.0) + 2 * (cy >= height / 2.0);
}

/* The region of a blank upright width × height picture given as pixels (no orientation). */
static sqz_region region_of(sqz_model *m, int width, int height) {
  uint8_t *pixels = calloc((size_t)width * height, 3);
  sqz_error err = {0, ""};
  sqz_heatmap_info info = {0};
  CHECK(sqz_classify_pixels(m, pixels, width, height, SQZ_RGB, 0, 0, &err) == SQZ_OK &&
            sqz_class_map(m, 0, NULL, 0, &info) > 0,
        "%dx%d pixels: %s", width, height, err.message);
  free(pixels);
  return info.region;
}

static void check_quadrants(sqz_model *m, const char *model, const char *dir, const float *bias, int num_bias,
                            quadrant_score *score) {
  char path[4096];
  snprintf(path, sizeof path, "%s/manifest.txt", dir);
  FILE *f = fopen(path, "r");
  CHECK(f != NULL, "no %s", path);
  if (!f) return;
  char line[8192], mname[64], photo[256], file[4096];
  int label, quadrant, orientation, width, height, maps_done = 0;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "%63s %255s %d %d %d %d %d %4095s", mname, photo, &label, &quadrant, &orientation, &width,
               &height, file) != 8 ||
        strcmp(mname, model) != 0)
      continue;
    size_t size;
    uint8_t *bytes = test_read_file(file, &size);
    CHECK(bytes != NULL, "cannot read %s", file);
    if (!bytes) continue;
    sqz_error err = {0, ""};
    const sqz_status st = sqz_classify_image(m, bytes, size, 0, &err);
    free(bytes);
    CHECK(st == SQZ_OK, "%s: %s", file, err.message);
    if (st != SQZ_OK) continue;
    sqz_prediction top;
    sqz_top_k(m, 1, &top);
    sqz_heatmap_info info;
    const int q = peak_quadrant(m, top.index, width, height, &info);
    if (orientation == 1) {
      score->cases++, score->hits += q == quadrant, score->top1 += top.index == label;
      if (maps_done++ < 2) check_maps(m, bias, num_bias, model, photo);
    } else {
      score->exif_cases++, score->exif_hits += q == quadrant;
      const sqz_region upright_region = region_of(m, width, height);
      CHECK(memcmp(&info.region, &upright_region, sizeof upright_region) == 0,
            "%s: orientation %d: region %g %g %g %g, upright %g %g %g %g", file, orientation, info.region.x,
            info.region.y, info.region.width, info.region.height, upright_region.x, upright_region.y,
            upright_region.width, upright_region.height);
    }
    if (q != quadrant)
      printf("%s %s (orientation %d): placed in quadrant %d, the map of %s peaks in %d\n", model, photo, orientation,
             quadrant, top.label, q);
  }
  fclose(f);
}

/* ---- the region ------------------------------------------------------------ */

static void expect_region(sqz_model *m, int width, int height, unsigned flags, double x, double y, double w, double h,
                          const char *what) {
  uint8_t *pixels = calloc((size_t)width * height, 3);
  sqz_error err = {0, ""};
  CHECK(sqz_classify_pixels(m, pixels, width, height, SQZ_RGB, 0, flags, &err) == SQZ_OK, "%s: %s", what, err.message);
  free(pixels);
  sqz_heatmap_info info;
  CHECK(sqz_class_map(m, 0, NULL, 0, &info) > 0, "%s: no map", what);
  const sqz_region r = info.region;
  CHECK(fabs(r.x - x) < 1e-3 && fabs(r.y - y) < 1e-3 && fabs(r.width - w) < 1e-3 && fabs(r.height - h) < 1e-3,
        "%s: region %g %g %g %g, want %g %g %g %g", what, r.x, r.y, r.width, r.height, x, y, w, h);
}

static void check_regions(void) {
  uint8_t *bytes;
  size_t size;
  sqz_model *m = load_model("squeezenet1_1", &bytes, &size);
  if (m) {
    /* 640x480: shorter side to 256, longer round(640 * 256 / 480) = 341; crop
     * 224 at floor((341 - 224) / 2) = 58, floor((256 - 224) / 2) = 16. */
    expect_region(m, 640, 480, 0, 58 * 640.0 / 341, 16 * 480.0 / 256, 224 * 640.0 / 341, 224 * 480.0 / 256,
                  "v1.1 640x480");
    /* 333x500: 256 x round(500 * 256 / 333) = 384; crop at 16, 80 */
    expect_region(m, 333, 500, 0, 16 * 333.0 / 256, 80 * 500.0 / 384, 224 * 333.0 / 256, 224 * 500.0 / 384,
                  "v1.1 333x500");
    expect_region(m, 256, 256, 0, 16, 16, 224, 224, "v1.1 256x256 (no resize)");
    expect_region(m, 224, 224, SQZ_INPUT_RAW, 0, 0, 224, 224, "v1.1 raw");
    sqz_model_free(m), free(bytes);
  }
  m = load_model("squeezenet1_0", &bytes, &size);
  if (m) {
    /* warp to 256x256, crop 227 at floor(29 / 2) = 14 */
    expect_region(m, 640, 480, 0, 14 * 640.0 / 256, 14 * 480.0 / 256, 227 * 640.0 / 256, 227 * 480.0 / 256,
                  "v1.0 640x480");
    expect_region(m, 227, 227, SQZ_INPUT_RAW, 0, 0, 227, 227, "v1.0 raw");
    sqz_model_free(m), free(bytes);
  }
}

/* ---- taught models ------------------------------------------------------------ */

static int taught_checked;

static void check_taught(void) {
  uint8_t *base;
  size_t base_size;
  sqz_model *b = load_model("squeezenet1_1", &base, &base_size);
  if (!b) return;
  sqz_model_free(b);
  enum { CLASSES = 5, DIM = 512 };
  float *w = malloc(CLASSES * DIM * sizeof(float)), bias[CLASSES];
  for (int i = 0; i < CLASSES * DIM; i++) w[i] = test_randf(-0.05f, 0.05f);
  for (int k = 0; k < CLASSES; k++) bias[k] = test_randf(-1, 1);
  const char *labels[CLASSES] = {"mug", "pen", "keys", "phone", "plant"};
  uint8_t *bytes = NULL;
  size_t size = 0;
  sqz_error err = {0, ""};
  sqz_model *m = NULL;
  CHECK(sqz_taught_model_write(base, base_size, w, bias, CLASSES, DIM, labels, &bytes, &size, &err) == SQZ_OK &&
            (m = sqz_model_load(bytes, size, &err)) != NULL,
        "a taught model: %s", err.message);
  char path[1024];
  snprintf(path, sizeof path, "%s/testdata/imagenet-sample/n01440764_tench.JPEG", test_shared_dir());
  size_t jsize;
  uint8_t *jpeg = test_read_file(path, &jsize);
  if (m && jpeg && sqz_classify_image(m, jpeg, jsize, 0, &err) == SQZ_OK) {
    int th, tw, tc;
    const float *tap = sqz_network_tap(sqz_model_network(m), &th, &tw, &tc);
    CHECK(tap && th == 13 && tw == 13 && tc == DIM, "the taught model's tap %dx%dx%d", th, tw, tc);
    for (int k = 0; k < CLASSES && tap; k++) {
      float map[169];
      sqz_heatmap_info info;
      const int n = sqz_class_map(m, k, map, 169, &info);
      CHECK(n == 169 && info.width == 13 && info.ring_cells == 0, "taught class %d: %d cells, ring %d", k, n,
            info.ring_cells);
      double worst = 0;
      for (int cell = 0; cell < n; cell++) {
        double want = bias[k], scale = fabs(bias[k]);
        for (int c = 0; c < DIM; c++)
          want += (double)w[k * DIM + c] * tap[(size_t)cell * DIM + c], scale += fabs(w[k * DIM + c] * tap[(size_t)cell * DIM + c]);
        worst = fmax(worst, fabs(map[cell] - want) / (scale + 1e-6));
      }
      CHECK(worst < 1e-5, "taught class %d: the map is W·tap + b at each position within %g", k, worst);
      taught_checked++;
    }
    sqz_prediction p[CLASSES];
    const sqz_filter only_pen = {.allow = (const int[]){1}, .num_allow = 1};
    CHECK(sqz_top_k_filtered(m, 3, &only_pen, p, &err) == 1 && strcmp(p[0].label, "pen") == 0, "taught: allow pen");
  } else {
    CHECK(0, "classifying with the taught model: %s", err.message);
  }
  free(jpeg), free(w), free(base);
  sqz_free(bytes);
  sqz_model_free(m);
}

/* ---- output controls ------------------------------------------------------- */

static const float *sort_logits;
static int by_logit(const void *a, const void *b) {
  const int i = *(const int *)a, j = *(const int *)b;
  if (sort_logits[i] != sort_logits[j]) return sort_logits[i] > sort_logits[j] ? -1 : 1;
  return i - j;
}

static int in_list(const int *list, int n, int v) {
  for (int i = 0; i < n; i++)
    if (list[i] == v) return 1;
  return 0;
}

static int filters_checked;

/* sqz_top_k_filtered against the filter applied here to every class. */
static void expect_filtered(const sqz_model *m, int k, const sqz_filter *f, const char *what) {
  const int classes = sqz_model_get_info(m).num_classes;
  int *order = malloc((size_t)classes * sizeof(int)), want[1000], n_want = 0;
  for (int i = 0; i < classes; i++) order[i] = i;
  sort_logits = sqz_logits(m);
  qsort(order, (size_t)classes, sizeof(int), by_logit);
  const float *p = sqz_probabilities(m);
  for (int r = 0; r < classes && n_want < k; r++) {
    const int i = order[r];
    if (p[i] < f->min_probability || (f->num_allow && !in_list(f->allow, f->num_allow, i)) ||
        in_list(f->deny, f->num_deny, i))
      continue;
    want[n_want++] = i;
  }
  sqz_prediction got[1000];
  sqz_error err = {0, ""};
  const int n = sqz_top_k_filtered(m, k, f, got, &err);
  int same = n == n_want;
  for (int i = 0; same && i < n; i++)
    same = got[i].index == want[i] && got[i].probability == p[want[i]] &&
           strcmp(got[i].label, sqz_model_label(m, want[i])) == 0;
  CHECK(same, "%s: %d predictions (%s), want %d, first %d vs %d", what, n, err.message, n_want, n > 0 ? got[0].index : -1,
        n_want > 0 ? want[0] : -1);
  filters_checked++;
  free(order);
}

static void expect_refused(const sqz_model *m, const sqz_filter *f, const char *needle, const char *what) {
  sqz_prediction got[5];
  sqz_error err = {0, ""};
  const int n = sqz_top_k_filtered(m, 5, f, got, &err);
  CHECK(n == -1 && err.code == SQZ_ERR_ARGUMENT && strstr(err.message, needle),
        "%s: returned %d, status %d, reason '%s' (should name '%s')", what, n, err.code, err.message, needle);
  CHECK(sqz_top_k(m, 1, got) == 1, "%s: the model no longer gives results", what);
  filters_checked++;
}

static void check_filters(const char *model) {
  uint8_t *bytes;
  size_t size;
  sqz_model *m = load_model(model, &bytes, &size);
  if (!m) return;
  char path[1024];
  snprintf(path, sizeof path, "%s/testdata/imagenet-sample/n01440764_tench.JPEG", test_shared_dir());
  size_t jsize;
  uint8_t *jpeg = test_read_file(path, &jsize);
  sqz_error err = {0, ""};
  CHECK(jpeg && sqz_classify_image(m, jpeg, jsize, 0, &err) == SQZ_OK, "%s: %s", path, err.message);
  free(jpeg);
  sqz_prediction top[10];
  CHECK(sqz_top_k(m, 10, top) == 10, "%s: no top 10", model);
  const int t0 = top[0].index, t1 = top[1].index, t2 = top[2].index, t5 = top[5].index;
  const sqz_filter none = {0}, tiny = {.min_probability = 1e-4f}, half = {.min_probability = 0.5f},
                   all_of_it = {.min_probability = 1.0f};
  expect_filtered(m, 5, &none, "no filter");
  expect_filtered(m, 1000, &none, "no filter, all 1000");
  expect_filtered(m, 1000, &tiny, "min probability 1e-4");
  expect_filtered(m, 5, &half, "min probability 0.5");
  expect_filtered(m, 5, &all_of_it, "min probability 1");
  const int allow[] = {t5, 7, t2, 999, 7, t5}; /* duplicates too */
  const int deny[] = {t0, t1, t1};
  const sqz_filter a = {.allow = allow, .num_allow = 6}, d = {.deny = deny, .num_deny = 3},
                   ad = {.allow = allow, .num_allow = 6, .deny = (const int[]){t2, 999}, .num_deny = 2},
                   dp = {.deny = deny, .num_deny = 3, .min_probability = 1e-3f};
  expect_filtered(m, 5, &a, "allow (with duplicates)");
  expect_filtered(m, 2, &a, "allow, top 2");
  expect_filtered(m, 5, &d, "deny the top 2");
  expect_filtered(m, 5, &ad, "allow and deny");
  expect_filtered(m, 20, &dp, "deny and min probability");
  sqz_prediction got[5];
  CHECK(sqz_top_k_filtered(m, 5, &a, got, &err) == 4 && got[0].index == t2 && got[1].index == t5,
        "%s: allow: %d then %d, want %d then %d", model, got[0].index, got[1].index, t2, t5);
  CHECK(sqz_top_k_filtered(m, 5, &d, got, &err) == 5 && got[0].index == t2, "%s: deny: %d first, want %d", model,
        got[0].index, t2);

  const sqz_filter bad_low = {.min_probability = -0.1f}, bad_high = {.min_probability = 1.5f},
                   bad_nan = {.min_probability = NAN}, bad_allow = {.allow = (const int[]){3, 1000}, .num_allow = 2},
                   bad_deny = {.deny = (const int[]){-1}, .num_deny = 1}, bad_count = {.allow = allow, .num_allow = -1},
                   bad_null = {.deny = NULL, .num_deny = 2};
  expect_refused(m, &bad_low, "-0.1", "min probability -0.1");
  expect_refused(m, &bad_high, "1.5", "min probability 1.5");
  expect_refused(m, &bad_nan, "nan", "min probability NaN");
  expect_refused(m, &bad_allow, "1000", "allow 1000");
  expect_refused(m, &bad_deny, "-1", "deny -1");
  expect_refused(m, &bad_count, "negative", "a negative allow count");
  expect_refused(m, &bad_null, "NULL", "a NULL deny list with a count");
  sqz_model_free(m), free(bytes);
}

int main(void) {
  char dir[] = "/tmp/sqz_test_heatmap_XXXXXX";
  CHECK(mkdtemp(dir) != NULL, "cannot create a temporary directory");
  char cmd[8192];
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' '%s'", script_path(), dir, test_shared_dir());
  const int rc = system(cmd);
  CHECK(rc == 0, "%s failed (%d): Pillow for /usr/bin/python3 is needed (python3-pil)", cmd, rc);
  const char *models[] = {"squeezenet1_1", "squeezenet1_0"};
  for (int i = 0; i < 2 && rc == 0; i++) {
    uint8_t *bytes;
    size_t size;
    sqz_model *m = load_model(models[i], &bytes, &size);
    if (!m) continue;
    int num_bias = 0;
    float *bias = final_biases(bytes, size, &num_bias);
    quadrant_score s = {0};
    check_quadrants(m, models[i], dir, bias, num_bias, &s);
    printf("%s: the top class's map peaks in the photo's quadrant for %d/%d (top-1 right %d/%d), "
           "stored sideways with EXIF orientation 6: %d/%d\n",
           models[i], s.hits, s.cases, s.top1, s.cases, s.exif_hits, s.exif_cases);
    CHECK(s.cases == 40 && s.hits * 10 >= s.cases * 9, "%s: quadrant hits %d/%d (at least 90%% of 40)", models[i],
          s.hits, s.cases);
    CHECK(s.exif_cases == 4 && s.exif_hits >= 3, "%s: EXIF-oriented quadrant hits %d/%d", models[i], s.exif_hits,
          s.exif_cases);
    free(bias);
    sqz_model_free(m), free(bytes);
  }
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  CHECK(maps_checked == 2 * 2 * 28, "%d maps checked against the pool's", maps_checked);
  check_regions();
  check_taught();
  CHECK(taught_checked == 5, "%d taught maps checked", taught_checked);
  check_filters("squeezenet1_1");
  check_filters("squeezenet1_0");
  CHECK(filters_checked == 2 * 17, "%d filters checked", filters_checked);
  return test_finish("test_heatmap");
}
