/* Hostile and unusual images through the public C API.
 *
 * tests/hostile/make_images.py (Pillow) writes the cases: unusual but valid
 * images with Pillow's own 224x224 crop of each, and files to refuse (empty,
 * truncated, random, mislabelled, headers declaring huge or zero sizes) with
 * the status and a word their message must contain. For every case:
 *  - valid: classified; lossless files give exactly the logits of Pillow's
 *    crop classified raw (our decode + resize are Pillow-exact), JPEGs the
 *    same top-1 (stb_image's IDCT is not libjpeg's);
 *  - refused: the status and a message naming the problem, no stale result,
 *    and for declared sizes over the limits no allocation over 1 MB
 *    (malloc is wrapped at link time to record the largest request);
 *  - afterwards the reference crop still gives bit-identical logits, within
 *    1e-3 of the independent reference's.
 * Then the same for bad arguments to sqz_classify_pixels. */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "squeezenet.h"
#include "testutil.h"

/* ---- the largest single allocation, via -Wl,--wrap=malloc,... ---- */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t k);
void *__real_realloc(void *p, size_t n);
static size_t largest_request;
void *__wrap_malloc(size_t n) {
  if (n > largest_request) largest_request = n;
  return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t k) {
  if (n * k > largest_request) largest_request = n * k;
  return __real_calloc(n, k);
}
void *__wrap_realloc(void *p, size_t n) {
  if (n > largest_request) largest_request = n;
  return __real_realloc(p, n);
}

static sqz_model *model;
static uint8_t good_crop[224 * 224 * 3];
static float good_logits[1000];

static int read_ppm_224(const char *path, uint8_t *out) {
  size_t n;
  uint8_t *b = test_read_file(path, &n);
  const char *hdr = "P6\n224 224\n255\n";
  size_t h = strlen(hdr);
  int ok = b && n == h + 224 * 224 * 3 && memcmp(b, hdr, h) == 0;
  if (ok) memcpy(out, b + h, 224 * 224 * 3);
  free(b);
  return ok;
}

static int argmax(const float *x, int n) {
  int best = 0;
  for (int i = 1; i < n; i++)
    if (x[i] > x[best]) best = i;
  return best;
}

/* How many classes score higher than class k. */
static int rank(const float *x, int k) {
  int r = 0;
  for (int i = 0; i < 1000; i++) r += x[i] > x[k];
  return r;
}

/* The reference crop, classified after every case: bit-identical each time. */
static int still_works(const char *after) {
  sqz_error e = {0, ""};
  sqz_status st = sqz_classify_pixels(model, good_crop, 224, 224, SQZ_RGB, 0, SQZ_INPUT_RAW, &e);
  const float *lg = sqz_logits(model);
  int ok = st == SQZ_OK && lg && memcmp(lg, good_logits, sizeof good_logits) == 0;
  CHECK(ok, "after %s the reference crop no longer gives the same logits (%s)", after, e.message);
  return ok;
}

static int setup(void) {
  char path[2048];
  size_t n;
  uint8_t *bytes = test_read_model("squeezenet1_1", &n);
  if (!bytes) return 0;
  sqz_error e = {0, ""};
  model = sqz_model_load(bytes, n, &e);
  free(bytes);
  CHECK(model != NULL, "squeezenet1_1: %s", e.message);
  snprintf(path, sizeof path, "%s/reference/squeezenet1_1/n01440764_tench.ppm", test_shared_dir());
  CHECK(read_ppm_224(path, good_crop), "cannot read %s", path);
  snprintf(path, sizeof path, "%s/reference/squeezenet1_1/n01440764_tench.logits.f32",
           test_shared_dir());
  float *ref = (float *)test_read_file(path, &n);
  CHECK(ref && n == sizeof good_logits, "cannot read %s", path);
  if (!model || !ref || n != sizeof good_logits) return free(ref), 0;
  CHECK(sqz_classify_pixels(model, good_crop, 224, 224, SQZ_RGB, 0, SQZ_INPUT_RAW, &e) == SQZ_OK,
        "%s", e.message);
  memcpy(good_logits, sqz_logits(model), sizeof good_logits);
  double worst = 0;
  for (int i = 0; i < 1000; i++) worst = fmax(worst, fabs(good_logits[i] - ref[i]));
  CHECK(worst < 1e-3, "reference crop: logits differ from the reference by %g", worst);
  free(ref);
  return 1;
}

static int status_of(const char *code) {
  static const char *names[] = {"ok", "ERR_ARGUMENT", "ERR_MEMORY", "ERR_MODEL", "ERR_CHECKSUM",
                                "ERR_VERSION", "ERR_IMAGE", "ERR_LIMIT"};
  for (int i = 0; i < 8; i++)
    if (strcmp(code, names[i]) == 0) return i;
  return -1;
}

static const char *script_path(void) {
  static char buf[4096];
  FILE *f = fopen("tests/hostile/make_images.py", "r");
  if (f) return fclose(f), "tests/hostile/make_images.py";
  snprintf(buf, sizeof buf, "%s", __FILE__);
  char *p = strstr(buf, "tests/c/test_hostile_images.c");
  if (p) snprintf(p, sizeof buf - (size_t)(p - buf), "tests/hostile/make_images.py");
  return buf;
}

static void test_files(void) {
  char dir[] = "/tmp/sqz_test_hostile_XXXXXX";
  CHECK(mkdtemp(dir) != NULL, "cannot create a temporary directory");
  char cmd[8192];
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' '%s'", script_path(), dir, test_shared_dir());
  int rc = system(cmd);
  CHECK(rc == 0, "%s failed (%d): Pillow for /usr/bin/python3 is needed (python3-pil)", cmd, rc);
  if (rc) return;
  char path[4096];
  snprintf(path, sizeof path, "%s/manifest.txt", dir);
  FILE *m = fopen(path, "r");
  CHECK(m != NULL, "no %s", path);
  if (!m) return;
  char line[8192], kind[16], name[256], file[4096], a[4096], word[256];
  int n_valid = 0, n_valid_ok = 0, n_bad = 0, n_bad_ok = 0, n_exact = 0, n_top1 = 0;
  while (fgets(line, sizeof line, m)) {
    if (sscanf(line, "%15s %255s %4095s %4095s %255s", kind, name, file, a, word) < 4) continue;
    size_t n = 0;
    uint8_t *bytes = test_read_file(file, &n);
    CHECK(bytes != NULL, "cannot read %s", file);
    if (!bytes) continue;
    sqz_error e = {0, ""};
    largest_request = 0;
    sqz_status st = sqz_classify_image(model, bytes, n, 0, &e);
    size_t largest = largest_request;
    int lossy = n >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8;
    free(bytes);
    if (strcmp(kind, "valid") == 0) {
      n_valid++;
      CHECK(st == SQZ_OK, "%s: refused: %s", name, e.message);
      if (st != SQZ_OK) continue;
      float logits[1000];
      memcpy(logits, sqz_logits(model), sizeof logits);
      const float *p = sqz_probabilities(model);
      double sum = 0;
      int finite = 1;
      for (int i = 0; i < 1000; i++) sum += p[i], finite &= isfinite(logits[i]) && isfinite(p[i]);
      CHECK(finite && fabs(sum - 1) < 1e-4, "%s: probabilities sum to %g", name, sum);
      int ok = finite && fabs(sum - 1) < 1e-4;
      if (strcmp(a, "-") != 0) {
        size_t cn = 0;
        uint8_t *crop = test_read_file(a, &cn);
        CHECK(crop && cn == 224 * 224 * 3, "%s: bad reference crop %s", name, a);
        if (crop && cn == 224 * 224 * 3) {
          CHECK(sqz_classify_pixels(model, crop, 224, 224, SQZ_RGB, 0, SQZ_INPUT_RAW, &e) == SQZ_OK,
                "%s", e.message);
          const float *ref = sqz_logits(model);
          if (lossy) {
            /* a different IDCT moves logits a little: each top-1 must be in
               the other's top-5 (a gray photo's top two are close) */
            int same = ref && rank(ref, argmax(logits, 1000)) < 5 && rank(logits, argmax(ref, 1000)) < 5;
            CHECK(same, "%s: top-1 %d, Pillow's crop gives %d", name, argmax(logits, 1000),
                  ref ? argmax(ref, 1000) : -1);
            ok &= same, n_top1 += same;
          } else {
            int same = ref && memcmp(ref, logits, sizeof logits) == 0;
            CHECK(same, "%s: logits differ from those of Pillow's crop", name);
            ok &= same, n_exact += same;
          }
        }
        free(crop);
      }
      n_valid_ok += ok;
    } else {
      n_bad++;
      int code = status_of(a);
      CHECK(code > 0, "manifest: unknown status %s", a);
      int ok = (int)st == code && strstr(e.message, word) != NULL && sqz_logits(model) == NULL;
      CHECK(ok, "%s: status %s (want %s), message '%s' (want '%s')", name,
            sqz_status_name(st), a, e.message, word);
      if (code == SQZ_ERR_LIMIT) {
        CHECK(largest < (1u << 20), "%s: refused only after allocating %zu bytes", name, largest);
        ok &= largest < (1u << 20);
      }
      n_bad_ok += ok;
    }
    still_works(name);
  }
  fclose(m);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0, "cannot remove %s", dir);
  CHECK(n_valid >= 20 && n_bad >= 40, "only %d valid and %d refused cases", n_valid, n_bad);
  /* every valid case but the three too large for Pillow has its crop compared */
  CHECK(n_exact >= 16 && n_top1 >= 6, "only %d lossless and %d JPEG cases compared with Pillow's crop", n_exact,
        n_top1);
  printf("valid images: %d/%d classified (%d with the logits of Pillow's crop, %d JPEGs with top-1 in its top-5)\n",
         n_valid_ok, n_valid, n_exact, n_top1);
  printf("hostile images: %d/%d refused with the right status and reason\n", n_bad_ok, n_bad);
}

/* Bad arguments to the pixel entry point, each followed by a good run. */
static void test_pixel_arguments(void) {
  static uint8_t px[64 * 64 * 4];
  struct {
    const char *what;
    const uint8_t *pixels;
    int w, h, format;
    size_t stride;
    unsigned flags;
    sqz_status code;
    const char *word;
  } cases[] = {
      {"NULL pixels", NULL, 8, 8, SQZ_RGB, 0, 0, SQZ_ERR_ARGUMENT, "NULL"},
      {"zero width", px, 0, 8, SQZ_RGB, 0, 0, SQZ_ERR_ARGUMENT, "0 x 8"},
      {"negative height", px, 8, -3, SQZ_RGB, 0, 0, SQZ_ERR_ARGUMENT, "-3"},
      {"width over the limit", px, 16385, 1, SQZ_GRAY, 0, 0, SQZ_ERR_LIMIT, "limits"},
      {"pixels over the limit", px, 16384, 4097, SQZ_GRAY, 0, 0, SQZ_ERR_LIMIT, "limits"},
      {"INT_MAX sides", px, 0x7FFFFFFF, 0x7FFFFFFF, SQZ_RGBA, 0, 0, SQZ_ERR_LIMIT, "limits"},
      {"format 0", px, 8, 8, 0, 0, 0, SQZ_ERR_ARGUMENT, "channels"},
      {"format 5", px, 8, 8, 5, 0, 0, SQZ_ERR_ARGUMENT, "channels"},
      {"stride too small", px, 8, 8, SQZ_RGBA, 31, 0, SQZ_ERR_ARGUMENT, "stride"},
      {"unknown flags", px, 8, 8, SQZ_RGB, 0, 0x80, SQZ_ERR_ARGUMENT, "flags"},
      {"raw at the wrong size", px, 64, 64, SQZ_RGB, 0, SQZ_INPUT_RAW, SQZ_ERR_ARGUMENT, "224 x 224"},
  };
  int n = (int)(sizeof cases / sizeof cases[0]), ok = 0;
  for (int i = 0; i < n; i++) {
    sqz_error e = {0, ""};
    largest_request = 0;
    sqz_status st = sqz_classify_pixels(model, cases[i].pixels, cases[i].w, cases[i].h,
                                        (sqz_pixel_format)cases[i].format, cases[i].stride,
                                        cases[i].flags, &e);
    int good = st == cases[i].code && strstr(e.message, cases[i].word) && !sqz_logits(model) &&
               largest_request < (1u << 20);
    CHECK(good, "%s: status %s '%s' (allocated %zu)", cases[i].what, sqz_status_name(st),
          e.message, largest_request);
    ok += good;
    still_works(cases[i].what);
  }
  sqz_error e = {0, ""};
  CHECK(sqz_classify_pixels(NULL, px, 8, 8, SQZ_RGB, 0, 0, &e) == SQZ_ERR_ARGUMENT, "NULL model");
  CHECK(sqz_classify_image(NULL, px, 8, 0, &e) == SQZ_ERR_ARGUMENT, "NULL model");
  CHECK(sqz_classify_image(model, NULL, 8, 0, &e) == SQZ_ERR_ARGUMENT, "NULL bytes: %s", e.message);
  CHECK(sqz_classify_image(model, px, 8, 0, NULL) == SQZ_ERR_IMAGE, "no error struct");
  still_works("NULL arguments");
  printf("bad pixel arguments: %d/%d refused with the right status and reason\n", ok, n);
}

int main(void) {
  if (setup()) {
    test_files();
    test_pixel_arguments();
  }
  sqz_model_free(model);
  return test_finish("test_hostile_images");
}
