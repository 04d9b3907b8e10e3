/* int8 compute (encoding qs8, ops/conv_qs8.c) end to end:
 * - which steps run in 8 bits: in models/squeezenet1_1-qs8.sqz exactly its
 *   1x1 convolutions with qs8 weights (its expand1x1s and conv10), none of
 *   its 3x3s (qs8 weights, decoded to float), nor its squeezes (f16); in
 *   the same file with its qs8 tensors relabelled int8 (encoding 4: the
 *   same payloads) none: the old encoding keeps float compute. Both ISAs'
 *   kernels;
 * - its logits against the relabelled file's (the same weights, float
 *   activations and sums): on every golden crop the same top-1, and within
 *   2% of the largest logit (8-bit activations with a scale per pixel:
 *   measured 0.4% with every 1x1 in 8 bits);
 *   the same top-1 as the independent float reference (PyTorch) on all but
 *   at most one crop;
 * - bit-identical logits on 1, 2 and 3 threads for those crops;
 * - hostile qs8 tensors (the header's size and CRC made right, so the
 *   decoder meets them): zero or non-dividing channel counts, a NaN scale,
 *   a payload a byte short, an element count off by one, an encoding past
 *   qs8: each refused with a reason, never loaded. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model.h"
#include "engine/network.h"
#include "format/format.h"
#include "model_bytes.h"
#include "squeezenet.h"
#include "testutil.h"

/* The layer's convolution a step named "conv%d" or "fire%d/<block>" runs. */
static const sqz_conv_desc *conv_of(const sqz_model_desc *d, const char *name) {
  int layer = -1, used = 0;
  if (sscanf(name, "conv%d%n", &layer, &used) == 1 && name[used] == 0 && layer < d->num_layers)
    return &d->layers[layer].conv;
  if (sscanf(name, "fire%d/%n", &layer, &used) != 1 || layer >= d->num_layers) return NULL;
  const sqz_layer_desc *l = &d->layers[layer];
  return strcmp(name + used, "squeeze") == 0     ? &l->squeeze
         : strcmp(name + used, "expand1x1") == 0 ? &l->expand1
         : strcmp(name + used, "expand3x3") == 0 ? &l->expand3
                                                 : NULL;
}

/* Checks that exactly the convolutions asking for 8 bits (qs8 weights, 1x1,
 * stride 1, unpadded: all of SqueezeNet's 1x1s read ReLU outputs) run in 8
 * bits; returns how many do. */
static int qs8_steps(const uint8_t *bytes, size_t size, const sqz_kernels *k) {
  static sqz_model_desc d;
  sqz_error err = {0, ""};
  sqz_network *net = NULL;
  CHECK(sqz_model_parse(bytes, size, &d, &err) == SQZ_OK && sqz_network_create(&d, k, NULL, &net, &err) == SQZ_OK,
        "%s", err.message);
  int n = 0;
  for (int i = 0; net && i < sqz_network_num_steps(net); i++) {
    const char *name = sqz_network_step_name(net, i);
    const sqz_conv_desc *c = sqz_network_step_kind(net, i) < SQZ_CONV_PATHS ? conv_of(&d, name) : NULL;
    const int qs8 = sqz_network_step_kind(net, i) == SQZ_CONV_QS8;
    const int asks = c && c->weights.encoding == SQZ_ENC_QS8 && c->kh == 1 && c->kw == 1 && c->stride == 1 && c->pad == 0;
    CHECK(qs8 == asks, "%s (%s): step %s %s in 8 bits", d.name, k->name, name, qs8 ? "runs" : "does not run");
    n += qs8;
  }
  sqz_network_free(net);
  return n;
}

static int top1(const float *x) {
  int best = 0;
  for (int i = 1; i < 1000; i++)
    if (x[i] > x[best]) best = i;
  return best;
}

static void check_crops(sqz_model *qs8[3], sqz_model *int8) {
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/reference/squeezenet1_1", test_shared_dir());
  DIR *dp = opendir(dir);
  CHECK(dp != NULL, "cannot open %s", dir);
  int crops = 0, same_as_ref = 0;
  double worst = 0;
  struct dirent *e;
  while (dp && (e = readdir(dp))) {
    const size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 4, ".ppm")) continue;
    char ppm[2048], ref[2048];
    snprintf(ppm, sizeof ppm, "%s/%s", dir, e->d_name);
    snprintf(ref, sizeof ref, "%s/%.*s.logits.f32", dir, (int)(n - 4), e->d_name);
    size_t psize, rsize;
    uint8_t *pbytes = test_read_file(ppm, &psize);
    float *reference = (float *)test_read_file(ref, &rsize);
    sqz_error err = {0, ""};
    float logits[3][1000], floats[1000];
    int ok = pbytes && reference && rsize == 4000;
    for (int t = 0; ok && t < 3; t++) {
      ok = sqz_classify_image(qs8[t], pbytes, psize, SQZ_INPUT_RAW, &err) == SQZ_OK;
      if (ok) memcpy(logits[t], sqz_logits(qs8[t]), sizeof logits[t]);
    }
    ok = ok && sqz_classify_image(int8, pbytes, psize, SQZ_INPUT_RAW, &err) == SQZ_OK;
    CHECK(ok, "%s: %s", ppm, err.message);
    if (ok) {
      memcpy(floats, sqz_logits(int8), sizeof floats);
      CHECK(memcmp(logits[0], logits[1], sizeof logits[0]) == 0 && memcmp(logits[0], logits[2], sizeof logits[0]) == 0,
            "%s: qs8 logits differ between 1, 2 and 3 threads", e->d_name);
      double diff = 0, top = 0;
      for (int i = 0; i < 1000; i++) diff = fmax(diff, fabs(logits[0][i] - floats[i])), top = fmax(top, fabs(floats[i]));
      CHECK(diff <= 0.02 * top, "%s: qs8 logits %.3g from float compute's (largest %.3g)", e->d_name, diff, top);
      CHECK(top1(logits[0]) == top1(floats), "%s: qs8 top-1 %d, float compute %d", e->d_name, top1(logits[0]), top1(floats));
      worst = fmax(worst, diff / top);
      same_as_ref += top1(logits[0]) == top1(reference);
      crops++;
    }
    free(pbytes), free(reference);
  }
  if (dp) closedir(dp);
  CHECK(crops >= 8, "only %d golden crops", crops);
  CHECK(same_as_ref >= crops - 1, "qs8 top-1 as the reference on %d of %d crops", same_as_ref, crops);
  printf("squeezenet1_1-qs8: %d golden crops identical on 1, 2, 3 threads; top-1 as the reference on %d; "
         "max |logits - float compute's| %.2f%% of the largest\n", crops, same_as_ref, 100 * worst);
}

/* The records (their encoding bytes) of the file's qs8 weight tensors, in
 * file order; returns how many. */
static int qs8_records(const uint8_t *bytes, size_t size, size_t *at, int cap) {
  static sqz_model_desc d;
  sqz_error err;
  if (sqz_model_parse(bytes, size, &d, &err)) return 0;
  int n = 0;
  for (int i = 0; i < d.num_layers; i++) {
    const sqz_layer_desc *l = &d.layers[i];
    const sqz_tensor_view *t[4] = {&l->conv.weights, &l->squeeze.weights, &l->expand1.weights, &l->expand3.weights};
    for (int j = 0; j < 4 && n < cap; j++)
      if ((j == 0) == (l->op == SQZ_OP_CONV) && t[j]->encoding == SQZ_ENC_QS8) at[n++] = (size_t)(t[j]->data - bytes) - 12;
  }
  return n;
}

static void refused(const uint8_t *orig, size_t size, size_t at, int width, uint32_t value, const char *what) {
  uint8_t *b = malloc(size);
  memcpy(b, orig, size);
  wr(b + at, width, value);
  fix_header(b, size);
  sqz_error err = {SQZ_OK, ""};
  sqz_model *m = sqz_model_load(b, size, &err);
  CHECK(!m && err.code == SQZ_ERR_MODEL && strncmp(err.message, "model", 5) == 0 && strlen(err.message) > 20,
        "%s: loaded or refused without a reason (%d '%s')", what, err.code, err.message);
  sqz_model_free(m);
  free(b);
}

static void check_hostile(const uint8_t *bytes, size_t size) {
  size_t r = 0;
  qs8_records(bytes, size, &r, 1);
  CHECK(r > 16 && bytes[r] == SQZ_ENC_QS8, "no qs8 tensor found");
  if (!(r > 16 && bytes[r] == SQZ_ENC_QS8)) return;
  const uint32_t count = rd(bytes + r + 4, 4), payload = (uint32_t)(r + 12);
  const uint32_t channels = rd(bytes + payload, 4);
  CHECK(channels > 2 && count % channels == 0 && count % (channels - 1) != 0, "first qs8 tensor: %u values, %u channels",
        count, channels);
  refused(bytes, size, payload, 4, 0, "qs8 with 0 channels");
  refused(bytes, size, payload, 4, channels - 1, "qs8 with channels not dividing its values");
  refused(bytes, size, payload, 4, 5000, "qs8 with 5000 channels");
  refused(bytes, size, payload + 4, 4, 0x7fc00000u, "qs8 with a NaN scale");
  refused(bytes, size, payload + 4, 4, 0x7f800000u, "qs8 with an infinite scale");
  refused(bytes, size, r + 8, 4, rd(bytes + r + 8, 4) - 1, "qs8 payload a byte short");
  refused(bytes, size, r + 4, 4, count + 1, "qs8 with one value more");
  refused(bytes, size, r, 1, SQZ_ENC_QS8 + 1, "an encoding past qs8");
}

int main(void) {
  size_t size;
  uint8_t *bytes = test_read_model("squeezenet1_1-qs8", &size);
  if (!bytes) return test_finish("test_qs8");
  /* the same file with its qs8 tensors relabelled int8: the same weights, float compute */
  uint8_t *int8_bytes = malloc(size);
  memcpy(int8_bytes, bytes, size);
  size_t records[64];
  const int relabelled = qs8_records(bytes, size, records, 64);
  for (int i = 0; i < relabelled; i++) int8_bytes[records[i]] = SQZ_ENC_INT8;
  fix_header(int8_bytes, size);
  const size_t int8_size = size;
  CHECK(relabelled >= 9 + 8, "squeezenet1_1-qs8: only %d qs8 tensors", relabelled); /* 1x1s and 3x3s */
  const sqz_kernels *isas[2] = {&sqz_kernels_wasmsimd, &sqz_kernels_scalar};
  for (int k = 0; k < 2; k++) {
    const int n = qs8_steps(bytes, size, isas[k]);
    CHECK(n >= 9, "squeezenet1_1-qs8 (%s): only %d steps in 8 bits", isas[k]->name, n); /* its expand1x1s, conv10 */
    CHECK(qs8_steps(int8_bytes, int8_size, isas[k]) == 0, "squeezenet1_1-qs8 relabelled int8 runs 8-bit steps");
  }
  sqz_model *qs8[3] = {0}, *int8 = NULL;
  sqz_error err = {0, ""};
  for (int t = 0; t < 3; t++) {
    const sqz_options opt = {.threads = t + 1};
    qs8[t] = sqz_model_load_with_options(bytes, size, &opt, &err);
    CHECK(qs8[t] != NULL, "squeezenet1_1-qs8 on %d threads: %s", t + 1, err.message);
  }
  int8 = sqz_model_load(int8_bytes, int8_size, &err);
  CHECK(int8 != NULL, "squeezenet1_1-qs8 relabelled int8: %s", err.message);
  if (qs8[0] && qs8[1] && qs8[2] && int8) check_crops(qs8, int8);
  check_hostile(bytes, size);
  for (int t = 0; t < 3; t++) sqz_model_free(qs8[t]);
  sqz_model_free(int8);
  free(bytes), free(int8_bytes);
  return test_finish("test_qs8");
}
