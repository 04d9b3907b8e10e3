/* Preprocessing: resize + crop byte-exact against Pillow (reference data made
 * by scripts/pil_reference.py with Debian's /usr/bin/python3 and python3-pil),
 * normalisation and channel order, argument errors, decoding. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "preprocess/preprocess.h"
#include "testutil.h"

static sqz_recipe recipe_v10(void) { /* Caffe: warp 256, crop 227, BGR, means */
  sqz_recipe r = {227, 227, 1, SQZ_RESIZE_WARP, 256, 1.0f, {123, 117, 104}, {1, 1, 1}};
  return r;
}
static sqz_recipe recipe_v11(void) { /* torchvision: shorter 256, crop 224, RGB */
  sqz_recipe r = {224, 224, 0, SQZ_RESIZE_SHORTER, 256, 1.0f / 255,
                  {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
  return r;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint8_t *read_exact(const char *path, size_t want) {
  size_t n = 0;
  uint8_t *b = test_read_file(path, &n);
  if (b && n != want) {
    fprintf(stderr, "%s: %zu bytes, expected %zu\n", path, n, want);
    free(b);
    return NULL;
  }
  return b;
}

/* Binary PPM (P6, maxval 255) → RGB bytes. */
static uint8_t *read_ppm(const char *path, int *w, int *h) {
  size_t n = 0;
  uint8_t *b = test_read_file(path, &n);
  if (!b) return NULL;
  int maxv = 0, used = 0;
  if (sscanf((char *)b, "P6 %d %d %d%n", w, h, &maxv, &used) != 3 || maxv != 255 ||
      (size_t)used + 1 + (size_t)*w * *h * 3 > n) {
    free(b);
    return NULL;
  }
  memmove(b, b + used + 1, (size_t)*w * *h * 3);
  return b;
}

/* Compares and reports: returns the number of differing bytes. */
static size_t compare(const char *what, const uint8_t *a, const uint8_t *b, size_t n) {
  size_t diff = 0;
  int maxd = 0;
  for (size_t i = 0; i < n; i++) {
    int d = abs((int)a[i] - (int)b[i]);
    if (d) diff++;
    if (d > maxd) maxd = d;
  }
  if (diff) fprintf(stderr, "  %s: %zu of %zu bytes differ, max diff %d\n", what, diff, n, maxd);
  return diff;
}

static int run_resize(const sqz_recipe *r, const uint8_t *in, int w, int h, int c, size_t stride,
                      void *scratch, uint8_t *out) {
  sqz_error e = {0};
  sqz_status st = sqz_resize_crop_u8(r, in, w, h, c, stride, scratch, out, &e);
  if (st != SQZ_OK) fprintf(stderr, "  resize %dx%dx%d: %s\n", w, h, c, e.message);
  return st == SQZ_OK;
}

static const char *script_path(void) {
  static char buf[4096];
  FILE *f = fopen("scripts/pil_reference.py", "r");
  if (f) {
    fclose(f);
    return "scripts/pil_reference.py";
  }
  /* Not run from the repository root: find it next to this source file. */
  snprintf(buf, sizeof buf, "%s", __FILE__);
  char *p = strstr(buf, "tests/c/test_preprocess.c");
  if (!p) return "scripts/pil_reference.py";
  snprintf(p, sizeof buf - (size_t)(p - buf), "scripts/pil_reference.py");
  return buf;
}

static void test_against_pillow(void) {
  if (system("/usr/bin/python3 -c 'import PIL' 2>/dev/null") != 0) {
    CHECK(0, "Pillow for /usr/bin/python3 is missing: apt-get install python3-pil "
             "(the byte-exact resize tests need it)");
    return;
  }
  char dir[] = "/tmp/sqz_test_preprocess_XXXXXX";
  if (!mkdtemp(dir)) {
    CHECK(0, "cannot create a temporary directory");
    return;
  }
  char cmd[8192];
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' '%s'", script_path(), dir,
           test_shared_dir());
  double t0 = now_ms();
  int rc = system(cmd);
  CHECK(rc == 0, "%s failed (%d)", cmd, rc);
  printf("reference data from Pillow in %.0f ms\n", now_ms() - t0);

  char path[4200];
  snprintf(path, sizeof path, "%s/manifest.txt", dir);
  FILE *m = fopen(path, "r");
  CHECK(m != NULL, "no manifest %s", path);
  int n_resize = 0, n_resize_ok = 0, n_ref = 0, n_ref_ok = 0, n_photo = 0, n_photo_ok = 0;
  int n_dec = 0, n_dec_ok = 0;
  size_t total_bytes = 0, total_diff = 0;
  char line[8192];
  while (m && fgets(line, sizeof line, m)) {
    char kind[32], name[1024], a[4096], b[4096];
    int w, h, c, mode, size, cw, ch, ec;
    if (sscanf(line, "resize %1023s %4095s %d %d %d %d %d %d %d %4095s", name, a, &w, &h, &c,
               &mode, &size, &cw, &ch, b) == 10) {
      n_resize++;
      sqz_recipe r = mode ? recipe_v11() : recipe_v10();
      r.resize_size = size, r.input_width = cw, r.input_height = ch;
      uint8_t *in = read_exact(a, (size_t)w * h * c);
      uint8_t *want = read_exact(b, (size_t)cw * ch * 3);
      uint8_t *got = malloc((size_t)cw * ch * 3);
      /* once tightly packed with internal scratch, once with a padded stride
       * and a caller's (deliberately misaligned) scratch of the documented size */
      size_t stride = (size_t)w * c + 5;
      uint8_t *padded = malloc(stride * h);
      size_t sbytes = sqz_preprocess_scratch_bytes(&r);
      uint8_t *scratch = malloc(sbytes + 1);
      CHECK(in && want && got && padded && scratch && sbytes > 0, "%s: cannot read/allocate",
            name);
      if (in && want && got && padded && scratch) {
        for (int y = 0; y < h; y++) {
          memcpy(padded + y * stride, in + (size_t)y * w * c, (size_t)w * c);
          memset(padded + y * stride + (size_t)w * c, 0xAB, 5);
        }
        int ok = run_resize(&r, in, w, h, c, 0, NULL, got);
        size_t d = ok ? compare(name, got, want, (size_t)cw * ch * 3) : (size_t)cw * ch * 3;
        memset(got, 0, (size_t)cw * ch * 3);
        int ok2 = run_resize(&r, padded, w, h, c, stride, scratch + 1, got);
        size_t d2 = ok2 ? compare(name, got, want, (size_t)cw * ch * 3) : 1;
        total_bytes += (size_t)cw * ch * 3;
        total_diff += d;
        CHECK(ok && d == 0, "%s (%s %d, crop %d): %zu bytes differ from Pillow", name,
              mode ? "shorter" : "warp", size, cw, d);
        CHECK(ok2 && d2 == 0, "%s with stride and caller scratch differs", name);
        if (ok && ok2 && d == 0 && d2 == 0) n_resize_ok++;
      }
      free(in), free(want), free(got), free(padded), free(scratch);
    } else if (sscanf(line, "refcrop %1023s %4095s %d %d %d %d %d %d %4095s", name, a, &w, &h,
                      &mode, &size, &cw, &ch, b) == 9) {
      n_ref++;
      sqz_recipe r = mode ? recipe_v11() : recipe_v10();
      uint8_t *in = read_exact(a, (size_t)w * h * 3);
      int pw = 0, ph = 0;
      uint8_t *want = read_ppm(b, &pw, &ph);
      uint8_t *got = malloc((size_t)cw * ch * 3);
      CHECK(in && want && got && pw == cw && ph == ch, "%s: cannot read %s", name, b);
      if (in && want && got && pw == cw && ph == ch) {
        int ok = run_resize(&r, in, w, h, 3, 0, NULL, got);
        size_t d = ok ? compare(name, got, want, (size_t)cw * ch * 3) : 1;
        CHECK(d == 0, "%s: differs from the reference crop %s", name, b);
        if (d == 0) n_ref_ok++;
      }
      free(in), free(want), free(got);
    } else if (sscanf(line, "photo %4095s %d %d", a, &w, &h) == 3) {
      n_photo++;
      size_t n = 0;
      uint8_t *bytes = test_read_file(a, &n);
      int dw = 0, dh = 0, dc = 0;
      sqz_error e = {0};
      uint8_t *px = bytes ? sqz_decode_image(bytes, n, &dw, &dh, &dc, &e) : NULL;
      CHECK(px && dw == w && dh == h && (dc == 3 || dc == 1), "%s: decoded %dx%dx%d (%s)", a,
            dw, dh, dc, px ? "" : e.message);
      if (px && dw == w && dh == h) n_photo_ok++;
      sqz_image_free(px);
      free(bytes);
    } else if (sscanf(line, "decode %1023s %4095s %4095s %d %d %d %d", name, a, b, &w, &h, &c,
                      &ec) == 7) {
      n_dec++;
      size_t n = 0;
      uint8_t *bytes = test_read_file(a, &n);
      uint8_t *want = read_exact(b, (size_t)w * h * ec);
      int dw = 0, dh = 0, dc = 0;
      sqz_error e = {0};
      uint8_t *px = bytes ? sqz_decode_image(bytes, n, &dw, &dh, &dc, &e) : NULL;
      CHECK(px && dw == w && dh == h && dc == c, "decode %s: got %dx%dx%d, want %dx%dx%d %s",
            name, dw, dh, dc, w, h, c, px ? "" : e.message);
      CHECK(want != NULL, "decode %s: cannot read Pillow's pixels %s", name, b);
      if (px && want && dw == w && dh == h && dc == c) {
        size_t diff = 0;
        for (size_t i = 0; i < (size_t)w * h; i++)
          for (int k = 0; k < ec; k++) diff += px[i * c + k] != want[i * ec + k];
        CHECK(diff == 0, "decode %s: %zu values differ from Pillow's", name, diff);
        if (!diff) n_dec_ok++;
      }
      sqz_image_free(px);
      free(bytes), free(want);
    } else {
      kind[0] = 0;
      sscanf(line, "%31s", kind);
      CHECK(0, "bad manifest line: %s", line);
    }
  }
  if (m) fclose(m);
  printf("resize+crop vs Pillow: %d/%d cases byte-exact (x2: packed and strided), "
         "%zu differing bytes of %zu\n",
         n_resize_ok, n_resize, total_diff, total_bytes);
  printf("resize+crop vs ../shared/reference crops: %d/%d byte-exact\n", n_ref_ok, n_ref);
  printf("decode: %d/%d photos, %d/%d PNG/BMP/GIF/PNM variants exact\n", n_photo_ok, n_photo,
         n_dec_ok, n_dec);
  /* every kind of case, each in full: 35 images x 2 recipes, the 200 photos,
     the 8 golden crops of each model, 9 encoded variants */
  CHECK(n_resize >= 70 && n_photo >= 200 && n_ref >= 16 && n_dec >= 9,
        "too few reference cases (%d resize, %d photos, %d reference crops, %d decode)", n_resize,
        n_photo, n_ref, n_dec);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

static void test_normalise(void) {
  /* A 224×224 raw RGB image: pixel (x, y) = (x, y, 7), (5, 3) = (10, 200, 30). */
  enum { S = 224 };
  uint8_t *px = malloc(S * S * 3);
  float *out = malloc(227 * 227 * 3 * sizeof(float)); /* room for both crops */
  for (int y = 0; y < S; y++)
    for (int x = 0; x < S; x++) {
      px[(y * S + x) * 3] = (uint8_t)x, px[(y * S + x) * 3 + 1] = (uint8_t)y;
      px[(y * S + x) * 3 + 2] = 7;
    }
  uint8_t *p = px + (3 * S + 5) * 3;
  p[0] = 10, p[1] = 200, p[2] = 30;
  sqz_recipe r = recipe_v11();
  sqz_error e = {0};
  CHECK(sqz_preprocess(&r, px, S, S, 3, 0, 1, NULL, out, &e) == SQZ_OK, "%s", e.message);
  const float *o = out + (3 * S + 5) * 3;
  float want[3] = {(10 / 255.0f - 0.485f) / 0.229f, (200 / 255.0f - 0.456f) / 0.224f,
                   (30 / 255.0f - 0.406f) / 0.225f};
  for (int c = 0; c < 3; c++)
    CHECK(fabsf(o[c] - want[c]) < 1e-5f, "RGB recipe channel %d: %f, want %f", c, o[c], want[c]);

  /* BGR with means, from RGBA (alpha ignored) and from gray */
  sqz_recipe b = recipe_v10();
  b.input_width = b.input_height = S;
  uint8_t *rgba = malloc(S * S * 4);
  for (int i = 0; i < S * S; i++) {
    memcpy(rgba + i * 4, px + i * 3, 3);
    rgba[i * 4 + 3] = (uint8_t)i;
  }
  CHECK(sqz_preprocess(&b, rgba, S, S, 4, 0, 1, NULL, out, &e) == SQZ_OK, "%s", e.message);
  CHECK(o[0] == 30 - 104.0f && o[1] == 200 - 117.0f && o[2] == 10 - 123.0f,
        "BGR: %f %f %f, want -74 83 -113", o[0], o[1], o[2]);
  uint8_t *gray = malloc(S * S);
  memset(gray, 50, S * S);
  CHECK(sqz_preprocess(&b, gray, S, S, 1, 0, 1, NULL, out, &e) == SQZ_OK, "%s", e.message);
  CHECK(out[0] == 50 - 104.0f && out[1] == 50 - 117.0f && out[2] == 50 - 123.0f,
        "gray replicated: %f %f %f", out[0], out[1], out[2]);

  /* Resized path = resize_crop_u8 followed by the same normalisation. */
  int W = 500, H = 375;
  uint8_t *big = malloc((size_t)W * H * 3), *crop = malloc(S * S * 3);
  for (int i = 0; i < W * H * 3; i++) big[i] = (uint8_t)(test_rand() >> 5);
  size_t sb = sqz_preprocess_scratch_bytes(&r);
  void *scratch = malloc(sb);
  CHECK(sqz_preprocess(&r, big, W, H, 3, 0, 0, scratch, out, &e) == SQZ_OK, "%s", e.message);
  CHECK(sqz_resize_crop_u8(&r, big, W, H, 3, 0, NULL, crop, &e) == SQZ_OK, "%s", e.message);
  int bad = 0;
  for (int i = 0; i < S * S * 3; i++) {
    int c = i % 3;
    float v = (crop[i] * r.scale - r.mean[c]) / r.std[c];
    bad += out[i] != v;
  }
  CHECK(bad == 0, "resized normalisation: %d values differ", bad);

  /* thin images whose resized side is huge: still within the bounded scratch
   * (their speed is the bench's business, not a test's) */
  uint8_t *thin = malloc(4000 * 3);
  for (int i = 0; i < 4000 * 3; i++) thin[i] = (uint8_t)i;
  CHECK(sqz_preprocess(&r, thin, 1, 4000, 3, 0, 0, scratch, out, &e) == SQZ_OK, "%s", e.message);
  CHECK(sqz_preprocess(&r, thin, 4000, 1, 3, 0, 0, scratch, out, &e) == SQZ_OK, "%s", e.message);
  /* the largest images allowed, with the recipe's bounded scratch */
  uint8_t *huge = calloc((size_t)SQZ_MAX_IMAGE_SIDE * 4096, 1);
  if (huge) {
    CHECK(sqz_preprocess(&b, huge, SQZ_MAX_IMAGE_SIDE, 4096, 1, 0, 0, NULL, out, &e) == SQZ_OK,
          "%s", e.message);
    b.input_width = b.input_height = 227;
    void *bs = malloc(sqz_preprocess_scratch_bytes(&b));
    CHECK(sqz_preprocess(&b, huge, 4096, SQZ_MAX_IMAGE_SIDE, 1, 0, 0, bs, out, &e) == SQZ_OK,
          "%s", e.message);
    CHECK(sqz_preprocess(&r, huge, SQZ_MAX_IMAGE_SIDE, 1, 3, 0, 0, scratch, out, &e) == SQZ_OK,
          "%s", e.message);
    printf("scratch bytes: %zu (shorter 256/224), %zu (warp 256/227)\n", sb,
           sqz_preprocess_scratch_bytes(&b));
    free(bs);
    free(huge);
  }
  free(thin), free(scratch), free(big), free(crop), free(gray), free(rgba), free(px), free(out);
}

static void test_errors(void) {
  sqz_recipe r = recipe_v11();
  uint8_t px[64 * 64 * 4] = {0};
  float *out = malloc(224 * 224 * 3 * sizeof(float));
  sqz_error e = {0};
  CHECK(sqz_preprocess(&r, px, 64, 64, 3, 0, 1, NULL, out, &e) == SQZ_ERR_ARGUMENT &&
            strstr(e.message, "64 x 64") && strstr(e.message, "224 x 224"),
        "raw size mismatch: %s", e.message);
  CHECK(sqz_preprocess(NULL, px, 64, 64, 3, 0, 0, NULL, out, &e) == SQZ_ERR_ARGUMENT, "null recipe");
  CHECK(sqz_preprocess(&r, NULL, 64, 64, 3, 0, 0, NULL, out, &e) == SQZ_ERR_ARGUMENT &&
            strstr(e.message, "pixels"), "null pixels: %s", e.message);
  CHECK(sqz_preprocess(&r, px, 64, 64, 3, 0, 0, NULL, NULL, &e) == SQZ_ERR_ARGUMENT, "null out");
  CHECK(sqz_preprocess(&r, px, 0, 64, 3, 0, 0, NULL, out, &e) == SQZ_ERR_ARGUMENT, "width 0");
  CHECK(sqz_preprocess(&r, px, 64, -1, 3, 0, 0, NULL, out, &e) == SQZ_ERR_ARGUMENT, "height -1");
  CHECK(sqz_preprocess(&r, px, 20000, 1, 3, 0, 0, NULL, out, &e) == SQZ_ERR_LIMIT &&
            strstr(e.message, "20000"), "too wide: %s", e.message);
  CHECK(sqz_preprocess(&r, px, 10000, 10000, 3, 0, 0, NULL, out, &e) == SQZ_ERR_LIMIT,
        "too many pixels: %s", e.message);
  CHECK(sqz_preprocess(&r, px, 64, 64, 5, 0, 0, NULL, out, &e) == SQZ_ERR_ARGUMENT &&
            strstr(e.message, "channels"), "5 channels: %s", e.message);
  CHECK(sqz_preprocess(&r, px, 64, 64, 0, 0, 0, NULL, out, &e) == SQZ_ERR_ARGUMENT, "0 channels");
  CHECK(sqz_preprocess(&r, px, 64, 64, 3, 100, 0, NULL, out, &e) == SQZ_ERR_ARGUMENT &&
            strstr(e.message, "stride"), "short stride: %s", e.message);
  CHECK(sqz_preprocess(&r, px, 64, 64, 3, 0, 0, NULL, out, NULL) == SQZ_OK, "NULL err is fine");
  sqz_recipe bad = r;
  bad.resize_size = 100;
  CHECK(sqz_preprocess(&bad, px, 64, 64, 3, 0, 0, NULL, out, &e) == SQZ_ERR_ARGUMENT,
        "crop larger than resize");
  CHECK(sqz_preprocess_scratch_bytes(&bad) == 0, "scratch of an invalid recipe");
  bad = r, bad.std[1] = 0;
  CHECK(sqz_preprocess(&bad, px, 64, 64, 3, 0, 0, NULL, out, &e) == SQZ_ERR_ARGUMENT, "std 0");
  bad = r, bad.resize_mode = (sqz_resize_mode)7;
  CHECK(sqz_preprocess(&bad, px, 64, 64, 3, 0, 0, NULL, out, &e) == SQZ_ERR_ARGUMENT, "mode 7");
  bad = r, bad.input_width = 0;
  CHECK(sqz_preprocess(&bad, px, 64, 64, 3, 0, 0, NULL, out, &e) == SQZ_ERR_ARGUMENT, "crop 0");
  uint8_t rgb[224 * 224 * 3];
  CHECK(sqz_resize_crop_u8(&r, px, 64, 64, 3, 0, NULL, NULL, &e) == SQZ_ERR_ARGUMENT, "null out");
  CHECK(sqz_resize_crop_u8(&r, px, 64, 64, 4, 200, NULL, rgb, &e) == SQZ_ERR_ARGUMENT, "stride");
  free(out);
}

static uint32_t crc32_png(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
  }
  return c ^ 0xFFFFFFFFu;
}
static void be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static void test_decode_errors(void) {
  sqz_error e = {0};
  int w, h, c;
  /* a PNG signature and IHDR claiming w × h, 8-bit RGB, then an empty IDAT and IEND */
  uint8_t png[8 + 25 + 12 + 12] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  uint32_t dims[][2] = {{60000, 60000}, {16385, 10}, {16384, 16384}};
  for (int t = 0; t < 3; t++) {
    uint8_t *q = png + 8;
    be32(q, 13), memcpy(q + 4, "IHDR", 4), be32(q + 8, dims[t][0]), be32(q + 12, dims[t][1]);
    q[16] = 8, q[17] = 2, q[18] = q[19] = q[20] = 0;
    be32(q + 21, crc32_png(q + 4, 17));
    q += 25;
    be32(q, 0), memcpy(q + 4, "IDAT", 4), be32(q + 8, crc32_png(q + 4, 4));
    q += 12;
    be32(q, 0), memcpy(q + 4, "IEND", 4), be32(q + 8, crc32_png(q + 4, 4));
    memset(&e, 0, sizeof e);
    uint8_t *px = sqz_decode_image(png, sizeof png, &w, &h, &c, &e);
    CHECK(!px && e.code == SQZ_ERR_LIMIT, "%ux%u PNG header: code %d (%s)", dims[t][0],
          dims[t][1], e.code, e.message);
    sqz_image_free(px);
  }
  uint8_t *px = sqz_decode_image("", 0, &w, &h, &c, &e);
  CHECK(!px && e.code == SQZ_ERR_IMAGE, "empty: %d %s", e.code, e.message);
  px = sqz_decode_image("hello, world, not an image", 26, &w, &h, &c, &e);
  CHECK(!px && e.code == SQZ_ERR_IMAGE && strstr(e.message, "stb_image"), "garbage: %d %s",
        e.code, e.message);
  px = sqz_decode_image(NULL, 10, &w, &h, &c, &e);
  CHECK(!px && e.code == SQZ_ERR_ARGUMENT, "null bytes: %d", e.code);
  px = sqz_decode_image(png, sizeof png, NULL, &h, &c, &e);
  CHECK(!px && e.code == SQZ_ERR_ARGUMENT, "null width: %d", e.code);

  /* truncated files: a real JPEG cut in its headers, in its data and before its
   end marker; a PNG cut anywhere */
  char path[4096];
  snprintf(path, sizeof path, "%s/testdata/imagenet-sample/n01440764_tench.JPEG",
           test_shared_dir());
  size_t n = 0;
  uint8_t *jpeg = test_read_file(path, &n);
  CHECK(jpeg != NULL, "cannot read %s", path);
  if (jpeg) {
    size_t cuts[] = {1, 2, 10, 100, n / 2, n - 2};
    for (int i = 0; i < 6; i++) {
      memset(&e, 0, sizeof e);
      px = sqz_decode_image(jpeg, cuts[i], &w, &h, &c, &e);
      CHECK(!px && e.code == SQZ_ERR_IMAGE, "JPEG cut to %zu bytes: %d %s", cuts[i], e.code,
            e.message);
      sqz_image_free(px);
    }
    /* and the whole file decodes with its 3 channels */
    px = sqz_decode_image(jpeg, n, &w, &h, &c, &e);
    CHECK(px && w == 500 && h == 375 && c == 3, "tench: %dx%dx%d", w, h, c);
    sqz_image_free(px);
    free(jpeg);
  }
  /* a valid 4×4 gray PNG made here (stored deflate), then cut short */
  uint8_t raw[4 * 5];
  for (int y = 0; y < 4; y++) {
    raw[y * 5] = 0;
    for (int x = 0; x < 4; x++) raw[y * 5 + 1 + x] = (uint8_t)(y * 60 + x * 10);
  }
  uint32_t a = 1, b = 0;
  for (int i = 0; i < 20; i++) a = (a + raw[i]) % 65521, b = (b + a) % 65521;
  uint8_t z[2 + 5 + 20 + 4] = {0x78, 0x01, 0x01, 20, 0, (uint8_t)~20, 0xFF};
  memcpy(z + 7, raw, 20);
  be32(z + 27, (b << 16) | a);
  uint8_t good[8 + 25 + 12 + sizeof z + 12] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  uint8_t *q = good + 8;
  be32(q, 13), memcpy(q + 4, "IHDR", 4), be32(q + 8, 4), be32(q + 12, 4);
  q[16] = 8, q[17] = 0, q[18] = q[19] = q[20] = 0;
  be32(q + 21, crc32_png(q + 4, 17));
  q += 25;
  be32(q, sizeof z), memcpy(q + 4, "IDAT", 4), memcpy(q + 8, z, sizeof z);
  be32(q + 8 + sizeof z, crc32_png(q + 4, 4 + sizeof z));
  q += 12 + sizeof z;
  be32(q, 0), memcpy(q + 4, "IEND", 4), be32(q + 8, crc32_png(q + 4, 4));
  px = sqz_decode_image(good, sizeof good, &w, &h, &c, &e);
  CHECK(px && w == 4 && h == 4 && c == 1 && px[5] == 70, "hand-made PNG: %s",
        px ? "wrong pixels" : e.message);
  sqz_image_free(px);
  size_t cuts[] = {8, 20, 33, 50};
  for (int i = 0; i < 4; i++) {
    memset(&e, 0, sizeof e);
    px = sqz_decode_image(good, cuts[i], &w, &h, &c, &e);
    CHECK(!px && e.code == SQZ_ERR_IMAGE, "PNG cut to %zu bytes: %d %s", cuts[i], e.code,
          e.message);
    sqz_image_free(px);
  }
}

/* Bands of rows (what threads preprocess at once, each with its own
 * scratch) give the very floats of the whole: random pictures of random
 * sizes (up- and downscaled, both resize modes), 1-4 channels, all eight
 * orientations, raw crops too, cut into 1-7 bands; and rows outside the
 * input are refused. */
static void test_bands(void) {
  const sqz_recipe recipes[2] = {recipe_v10(), recipe_v11()};
  int cases = 0;
  for (int t = 0; t < 48; t++) {
    const sqz_recipe *r = &recipes[t % 2];
    const int raw = t % 8 == 7, channels = 1 + (int)(test_rand() % 4), orientation = 1 + t % 8;
    const int turned = orientation >= 5;
    int w = raw ? r->input_width : 16 + (int)(test_rand() % 900), h = raw ? r->input_height : 16 + (int)(test_rand() % 900);
    if (raw && turned) w = r->input_height, h = r->input_width; /* stored sideways */
    const size_t n = (size_t)w * h * channels, floats = (size_t)r->input_width * r->input_height * 3;
    uint8_t *px = malloc(n), *scratch = malloc(sqz_preprocess_scratch_bytes(r));
    float *whole = malloc(floats * sizeof(float)), *banded = malloc(floats * sizeof(float));
    CHECK(px && scratch && whole && banded, "out of memory");
    if (!px || !scratch || !whole || !banded) return;
    for (size_t i = 0; i < n; i++) px[i] = (uint8_t)test_rand();
    sqz_error e;
    CHECK(sqz_preprocess_oriented(r, px, w, h, channels, 0, orientation, raw, NULL, whole, &e) == SQZ_OK, "%s", e.message);
    const int bands = 1 + t % 7, rows = r->input_height;
    memset(banded, 0xff, floats * sizeof(float));
    for (int b = bands - 1; b >= 0; b--) /* any order: each band alone */
      CHECK(sqz_preprocess_rows(r, px, w, h, channels, 0, orientation, raw, rows * b / bands, rows * (b + 1) / bands,
                                scratch, banded, &e) == SQZ_OK, "%s", e.message);
    CHECK(memcmp(whole, banded, floats * sizeof(float)) == 0,
          "%dx%dx%d, orientation %d%s, %d bands: not the floats of the whole", w, h, channels, orientation,
          raw ? " (raw)" : "", bands);
    CHECK(sqz_preprocess_rows(r, px, w, h, channels, 0, orientation, raw, 0, rows + 1, scratch, banded, &e) ==
                  SQZ_ERR_ARGUMENT && strstr(e.message, "rows"),
          "rows past the input are refused");
    cases++;
    free(px), free(scratch), free(whole), free(banded);
  }
  CHECK(cases == 48, "%d banded cases", cases);
}

int main(void) {
  test_bands();
  test_errors();
  test_normalise();
  test_decode_errors();
  test_against_pillow();
  return test_finish("test_preprocess");
}
