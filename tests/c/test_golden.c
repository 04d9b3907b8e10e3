/* The golden crops: the .ppm files in ../shared/reference/<model>/ are exact network
 * inputs whose logits an independent PyTorch implementation computed.
 * Ours must match within 1e-3 with the same top-5 order, for both models,
 * with both ISAs' kernels (SIMD and the scalar twins) and every path
 * (policies forcing Winograd F(4x4)/F(2x2)/none for 3x3, spmm for the
 * pruned 1x1s / for every 1x1 / for none, the stem and pool1 fused or not). */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format/format.h"
#include "engine/network.h"
#include "engine/step.h"
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

/* The kernels and path policies the crops run with. */
typedef struct variant {
  const sqz_kernels *k;
  const sqz_conv_policy *policy;
} variant;
#define VARIANTS 7
static const variant variants[VARIANTS] = {
    {&sqz_kernels_wasmsimd, &sqz_conv_policy_default},   {&sqz_kernels_scalar, &sqz_conv_policy_default},
    {&sqz_kernels_wasmsimd, &sqz_conv_policy_direct},    {&sqz_kernels_wasmsimd, &sqz_conv_policy_winograd2},
    {&sqz_kernels_wasmsimd, &sqz_conv_policy_winograd4}, {&sqz_kernels_wasmsimd, &sqz_conv_policy_all_sparse},
    {&sqz_kernels_wasmsimd, &sqz_conv_policy_unfused},
};

static unsigned kinds_run; /* every step kind (conv path, pool) some network ran */

/* Runs one crop through a network built with the given kernels and policy. */
static float run_crop(const sqz_model_desc *d, const variant *v, const uint8_t *rgb, int w, int h, const float *ref,
                      const char *what) {
  sqz_network *net = NULL;
  sqz_error err = {0, ""};
  const sqz_kernels *k = v->k;
  CHECK(sqz_network_create(d, k, v->policy, &net, &err) == SQZ_OK, "%s: %s", what, err.message);
  if (!net) return INFINITY;
  for (int i = 0; i < sqz_network_num_steps(net); i++) kinds_run |= 1u << sqz_network_step_kind(net, i);
  CHECK(sqz_preprocess(&d->recipe, rgb, w, h, 3, 0, 1, NULL, sqz_network_input(net), &err) == SQZ_OK,
        "%s: %s", what, err.message);
  const float *logits = sqz_network_run(net);
  float maxdiff = 0;
  for (int i = 0; i < 1000; i++) maxdiff = fmaxf(maxdiff, fabsf(logits[i] - ref[i]));
  int a[5], b[5];
  top5(logits, 1000, a);
  top5(ref, 1000, b);
  CHECK(memcmp(a, b, sizeof a) == 0, "%s (%s, %s): top-5 %d %d %d %d %d, reference %d %d %d %d %d", what,
        k->name, v->policy->name, a[0], a[1], a[2], a[3], a[4], b[0], b[1], b[2], b[3], b[4]);
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
  float worst[VARIANTS] = {0};
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
        for (int v = 0; v < VARIANTS; v++) {
          float diff = run_crop(d, &variants[v], rgb, w, h, reflogits, e->d_name);
          CHECK(diff <= 1e-3f, "%s: max |diff| %g with %s kernels, %s paths", e->d_name, diff, variants[v].k->name,
                variants[v].policy->name);
          worst[v] = fmaxf(worst[v], diff);
        }
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
  printf("%s: %d golden crops, max |diff|", model, crops);
  for (int v = 0; v < VARIANTS; v++)
    printf("%s %.3g (%s, %s)", v ? "," : "", worst[v], variants[v].k->name, variants[v].policy->name);
  printf("\n");
  sqz_model_free(m);
  free(d);
  free(bytes);
}

int main(void) {
  check_model("squeezenet1_1");
  check_model("squeezenet1_0");
  /* 8-bit compute approximates the reference: test_qs8 and test_compact_models check it */
  CHECK((kinds_run | SQZ_CONV_PATH_BIT(SQZ_CONV_QS8)) == (1u << SQZ_STEP_KINDS) - 1,
        "some step kinds never ran: ran 0x%x", kinds_run);
  return test_finish("test_golden");
}
