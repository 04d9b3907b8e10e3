/* EXIF orientation through the public C API, with the pictures of
 * tests/orientation/make_images.py (Pillow): a portrait photo stored in each
 * of the 8 orientations with the tag that turns it upright.
 *  - lossless PNG, tags 1-8: exactly the logits of the upright picture (the
 *    turn is exact), and with SQZ_IGNORE_ORIENTATION exactly those of the
 *    stored pixels without EXIF; for tags 2-8 those differ from upright;
 *  - JPEG, tags 3, 6, 8: the same top-5, in order, as the picture Pillow's
 *    ImageOps.exif_transpose returns (saved losslessly); ignoring the tag
 *    gives another top-5;
 *  - malformed or hostile EXIF (truncated IFDs, offsets past the end, IFD
 *    loops, counts of 65535, wrong types, bad byte orders): classified as
 *    stored, exactly like the upright picture;
 *  - unusual but valid EXIF (big-endian, many tags, an Exif prefix in eXIf):
 *    applied.
 * For both networks (SQZ_TEST_QUICK, in the sanitizer build: the default one). */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>

#include "squeezenet.h"
#include "testutil.h"

/* Classifies a file; copies its logits to out (1000). */
static int classify_file(sqz_model *m, const char *file, unsigned flags, float *out) {
  size_t n = 0;
  uint8_t *bytes = test_read_file(file, &n);
  CHECK(bytes != NULL, "cannot read %s", file);
  if (!bytes) return 0;
  sqz_error e = {0, ""};
  sqz_status st = sqz_classify_image(m, bytes, n, flags, &e);
  free(bytes);
  CHECK(st == SQZ_OK, "%s: %s", file, e.message);
  if (st != SQZ_OK) return 0;
  memcpy(out, sqz_logits(m), 1000 * sizeof(float));
  return 1;
}

static int same_top5(const float *a, const float *b) {
  int ta[5], tb[5];
  test_top_k(a, 1000, 5, ta), test_top_k(b, 1000, 5, tb);
  return memcmp(ta, tb, sizeof ta) == 0;
}

static void check_model(const char *model, const char *manifest) {
  size_t n;
  uint8_t *bytes = test_read_model(model, &n);
  if (!bytes) return;
  sqz_error e = {0, ""};
  sqz_model *m = sqz_model_load(bytes, n, &e);
  free(bytes);
  CHECK(m != NULL, "%s: %s", model, e.message);
  FILE *f = fopen(manifest, "r");
  CHECK(f != NULL, "no %s", manifest);
  if (!m || !f) {
    if (f) fclose(f);
    sqz_model_free(m);
    return;
  }
  static float upright[1000], got[1000], other[1000];
  int have_upright = 0, png = 0, png_differs = 0, jpeg = 0, asis = 0, turned = 0;
  int n_png = 0, n_jpeg = 0, n_asis = 0, n_turned = 0;
  char line[8192], kind[16], a[4096], b[4096], c[4096];
  while (fgets(line, sizeof line, f)) {
    int k = sscanf(line, "%15s %4095s %4095s %4095s", kind, a, b, c);
    if (strcmp(kind, "upright") == 0 && k == 2) {
      have_upright = classify_file(m, a, 0, upright);
      continue;
    }
    CHECK(have_upright, "the manifest must start with the upright picture");
    if (!have_upright) break;
    if (strcmp(kind, "png") == 0 && k == 4) {
      int tag = atoi(a);
      n_png++;
      if (!classify_file(m, b, 0, got)) continue;
      int exact = memcmp(got, upright, sizeof got) == 0;
      CHECK(exact, "%s: tag %d: logits differ from those of the upright picture", model, tag);
      /* ignored: the pixels as stored, exactly */
      if (!classify_file(m, b, SQZ_IGNORE_ORIENTATION, got) || !classify_file(m, c, 0, other)) continue;
      int as_stored = memcmp(got, other, sizeof got) == 0;
      CHECK(as_stored, "%s: tag %d ignored: logits differ from those of the stored pixels", model, tag);
      int differs = memcmp(got, upright, sizeof got) != 0;
      CHECK(differs == (tag != 1), "%s: tag %d: the stored picture %s the upright one", model, tag,
            differs ? "differs from" : "gives the logits of");
      png += exact && as_stored;
      png_differs += differs;
    } else if (strcmp(kind, "jpeg") == 0 && k == 4) {
      n_jpeg++;
      if (!classify_file(m, c, 0, other) || !classify_file(m, b, 0, got)) continue;
      int same = same_top5(got, other);
      int tp[5], tu[5];
      test_top_k(got, 1000, 5, tp), test_top_k(other, 1000, 5, tu);
      CHECK(same, "%s: %s: top-5 %d %d %d %d %d, Pillow's exif_transpose gives %d %d %d %d %d", model,
            b, tp[0], tp[1], tp[2], tp[3], tp[4], tu[0], tu[1], tu[2], tu[3], tu[4]);
      if (!classify_file(m, b, SQZ_IGNORE_ORIENTATION, got)) continue;
      int differs = !same_top5(got, other);
      CHECK(differs, "%s: %s: ignoring the tag gives the same top-5", model, b);
      jpeg += same && differs;
    } else if (strcmp(kind, "asis") == 0 && k == 3) {
      n_asis++;
      if (!classify_file(m, b, 0, got)) continue;
      int exact = memcmp(got, upright, sizeof got) == 0;
      CHECK(exact, "%s: %s: malformed EXIF changed the picture", model, a);
      asis += exact;
    } else if (strcmp(kind, "turned") == 0 && k == 4) {
      n_turned++;
      if (!classify_file(m, c, 0, got)) continue;
      int exact = memcmp(got, upright, sizeof got) == 0;
      CHECK(exact, "%s: %s: orientation %s not applied", model, a, b);
      turned += exact;
    } else {
      CHECK(0, "manifest: cannot read '%s'", line);
    }
  }
  fclose(f);
  printf("%s: tags 1-8 on PNG: %d/%d with the upright picture's logits (%d differ when ignored); "
         "JPEG: %d/%d with Pillow's top-5; malformed EXIF: %d/%d as stored; unusual EXIF: %d/%d "
         "applied\n",
         model, png, n_png, png_differs, jpeg, n_jpeg, asis, n_asis, turned, n_turned);
  CHECK(n_png == 8 && n_jpeg >= 3 && n_asis >= 15 && n_turned >= 3, "%s: the manifest is short", model);
  CHECK(png == n_png && png_differs == 7 && jpeg == n_jpeg && asis == n_asis && turned == n_turned,
        "%s: not every case passed", model);
  sqz_model_free(m);
}

int main(void) {
  char dir[] = "/tmp/sqz_test_orientation_XXXXXX";
  CHECK(mkdtemp(dir) != NULL, "cannot create a temporary directory");
  char cmd[8192];
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' '%s' >/dev/null",
           test_repo_path("tests/orientation/make_images.py"), dir, test_shared_dir());
  int rc = system(cmd);
  CHECK(rc == 0, "%s failed (%d): Pillow for /usr/bin/python3 is needed (python3-pil)", cmd, rc);
  if (rc == 0) {
    char manifest[4096];
    snprintf(manifest, sizeof manifest, "%s/manifest.txt", dir);
    check_model("squeezenet1_0", manifest);
    if (!getenv("SQZ_TEST_QUICK")) check_model("squeezenet1_1", manifest); /* (sanitizer build: one) */
  }
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0, "cannot remove %s", dir);
  return test_finish("test_orientation");
}
