/* The golden crops: the .ppm files in ../shared/reference/<model>/ are exact network
 * inputs whose logits an independent PyTorch implementation computed.
 * Ours must match within 1e-3 with the same top-5 order, for both models,
 * with every kernel set (Winograd F(4x4)/F(2x2)/none for 3x3, spmm for the
 * pruned 1x1s / for every 1x1 / for none) and the scalar twins. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format/format.h"
#include "engine/network.h"
#include "preprocess/preprocess.h"
#include "squeezenet.h"
#include "testutil.h"

static void top5(const float *x, int n, int out[5]) {
  for (int k = 0; k < 5; k++) {
    int best = -1;
    for (int i = 0; i < n; i++) {
      int taken = 0;
      for (int j = 0; j < k; j++) taken |= out[j] == i;
      if (!taken && (best < 0 || x[i] > x[best])) best = i;
    }
    out[k] = best;
  }
}

/* Runs one crop through a network built with the given kernels. */
static float run_crop(const sqz_model_desc *d, const sqz_kernels *k, const uint8_t *rgb, int w,
                      int h, const float *ref, const char *what) {
  sqz_network *net = NULL;
  sqz_error err = {0, ""};
  CHECK(sqz_network_create(d, k, &net, &err) == SQZ_OK, "%s: %s", what, err.message);
  if (!net) return INFINITY;
  CHECK(sqz_preprocess(&d->recipe, rgb, w, h, 3, 0, 1, NULL, sqz_network_input(net), &err) == SQZ_OK,
        "%s: %s", what, err.message);
  const float *logits = sqz_network_run(net);
  float maxdiff = 0;
  for (int i = 0; i < 1000; i++) maxdiff = fmaxf(maxdiff, fabsf(logits[i] - ref[i]));
  int a[5], b[5];
  top5(logits, 1000, a);
  top5(ref, 1000, b);
  CHECK(memcmp(a, b, sizeof a) == 0, "%s (%s): top-5 %d %d %d %d %d, reference %d %d %d %d %d", what,
        k->name, a[0], a[1], a[2], a[3], a[4], b[0], b[1], b[2], b[3], b[4]);
  sqz_network_free(net);
  return maxdiff;
}

static void check_model(const char *model) {
  size_t size;
  uint8_t *bytes = test_read_model(model, &size);
  if (!bytes) return;
  sqz_model_desc *d = malloc(sizeof *d);
  sqz_error err = {0, ""};
  CHECK(sqz_model_parse(bytes, size, d, &err) == SQZ_OK, "%s: %s", model, err.message);
  sqz_model *m = sqz_model_load(bytes, size, &err);
  CHECK(m != NULL, "%s: %s", model, err.message);

  char dir[1024];
  snprintf(dir, sizeof dir, "%s/reference/%s", test_shared_dir(), model);
  DIR *dp = opendir(dir);
  CHECK(dp != NULL, "cannot open %s", dir);
  int crops = 0;
  float worst_simd = 0, worst_scalar = 0, worst_direct = 0, worst_w2 = 0, worst_w4 = 0, worst_sparse = 0;
  struct dirent *e;
  while (dp && m && (e = readdir(dp))) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 4, ".ppm")) continue;
    char ppm[2048], ref[2048];
    snprintf(ppm, sizeof ppm, "%s/%s", dir, e->d_name);
    snprintf(ref, sizeof ref, "%s/%.*s.logits.f32", dir, (int)(n - 4), e->d_name);
    size_t psize, rsize;
    uint8_t *pbytes = test_read_file(ppm, &psize), *rbytes = test_read_file(ref, &rsize);
    CHECK(pbytes && rbytes && rsize == 4000, "%s: missing or short reference", ppm);
    if (pbytes && rbytes && rsize == 4000) {
      float reflogits[1000];
      memcpy(reflogits, rbytes, sizeof reflogits);
      int w, h, c;
      uint8_t *rgb = sqz_decode_image(pbytes, psize, &w, &h, &c, &err);
      CHECK(rgb && c == 3 && w == d->recipe.input_width && h == d->recipe.input_height,
            "%s: decoded %dx%dx%d", ppm, w, h, c);
      if (rgb) {
        float ds = run_crop(d, &sqz_kernels_wasmsimd, rgb, w, h, reflogits, e->d_name);
        float dc = run_crop(d, &sqz_kernels_scalar, rgb, w, h, reflogits, e->d_name);
        float dd = run_crop(d, &sqz_kernels_wasmsimd_direct, rgb, w, h, reflogits, e->d_name);
        float d2 = run_crop(d, &sqz_kernels_wasmsimd_winograd2, rgb, w, h, reflogits, e->d_name);
        float d4 = run_crop(d, &sqz_kernels_wasmsimd_winograd4, rgb, w, h, reflogits, e->d_name);
        float dsp = run_crop(d, &sqz_kernels_wasmsimd_sparse, rgb, w, h, reflogits, e->d_name);
        CHECK(dsp <= 1e-3f, "%s: max |diff| %g with %s", e->d_name, dsp, sqz_kernels_wasmsimd_sparse.name);
        worst_sparse = fmaxf(worst_sparse, dsp);
        CHECK(d2 <= 1e-3f, "%s: max |diff| %g with %s", e->d_name, d2, sqz_kernels_wasmsimd_winograd2.name);
        CHECK(d4 <= 1e-3f, "%s: max |diff| %g with %s", e->d_name, d4, sqz_kernels_wasmsimd_winograd4.name);
        worst_w2 = fmaxf(worst_w2, d2);
        worst_w4 = fmaxf(worst_w4, d4);
        CHECK(ds <= 1e-3f, "%s: max |diff| %g with %s", e->d_name, ds, sqz_kernels_wasmsimd.name);
        CHECK(dd <= 1e-3f, "%s: max |diff| %g with %s", e->d_name, dd, sqz_kernels_wasmsimd_direct.name);
        worst_direct = fmaxf(worst_direct, dd);
        CHECK(dc <= 1e-3f, "%s: max |diff| %g with %s", e->d_name, dc, sqz_kernels_scalar.name);
        worst_simd = fmaxf(worst_simd, ds);
        worst_scalar = fmaxf(worst_scalar, dc);
        /* The public API path (raw crop) gives the same logits. */
        CHECK(sqz_classify_image(m, pbytes, psize, SQZ_INPUT_RAW, &err) == SQZ_OK, "%s: %s", ppm, err.message);
        const float *lg = sqz_logits(m);
        float dapi = 0;
        for (int i = 0; lg && i < 1000; i++) dapi = fmaxf(dapi, fabsf(lg[i] - reflogits[i]));
        CHECK(lg && dapi <= 1e-3f, "%s: API max |diff| %g", e->d_name, dapi);
        sqz_image_free(rgb);
        crops++;
      }
    }
    free(pbytes);
    free(rbytes);
  }
  if (dp) closedir(dp);
  CHECK(crops >= 8, "%s: only %d golden crops found", model, crops);
  printf("%s: %d golden crops, max |diff| %.3g (%s), %.3g (%s), %.3g (%s), %.3g (%s), %.3g (%s), %.3g (%s)\n", model,
         crops,
         worst_simd, sqz_kernels_wasmsimd.name, worst_scalar, sqz_kernels_scalar.name, worst_direct,
         sqz_kernels_wasmsimd_direct.name, worst_w2, sqz_kernels_wasmsimd_winograd2.name, worst_w4,
         sqz_kernels_wasmsimd_winograd4.name, worst_sparse, sqz_kernels_wasmsimd_sparse.name);
  sqz_model_free(m);
  free(d);
  free(bytes);
}

int main(void) {
  check_model("squeezenet1_1");
  check_model("squeezenet1_0");
  return test_finish("test_golden");
}
