/* sqz_network_step_madds, the multiply-adds the bench divides by time and
 * the machine's peak, against squeezenet1_1's architecture written out here
 * (torchvision: a 3x3/2 stem of 64, fire modules (squeeze, expand) at 55, 27
 * and 13 pixels, conv10 of 1000):
 * - direct paths: every convolution's pixels × cout × cin × taps;
 * - Winograd F(2x2) and F(4x4): each 3x3 expand's tiles × (t+2)^2 × cin × cout;
 * - the stem fused with pool1 (conv0+pool1): the stem's;
 * - pools 0, out of range -1;
 * - spmm on the pruned v1.0: nonzeros only, conv10 at the README's density 0.20. */
#include <stdlib.h>

#include "engine/network.h"
#include "engine/step.h"
#include "format/format.h"
#include "testutil.h"

/* A convolution of squeezenet1_1 as the architecture defines it. */
typedef struct conv {
  int64_t pixels_side, cin, cout, taps;
} conv;

static int v11_convs(conv *out) {
  static const struct {
    int side, cin, squeeze, expand;
  } fires[] = {{55, 64, 16, 64},   {55, 128, 16, 64},  {27, 128, 32, 128}, {27, 256, 32, 128},
               {13, 256, 48, 192}, {13, 384, 48, 192}, {13, 384, 64, 256}, {13, 512, 64, 256}};
  int n = 0;
  out[n++] = (conv){111, 3, 64, 9};
  for (int f = 0; f < 8; f++) {
    out[n++] = (conv){fires[f].side, fires[f].cin, fires[f].squeeze, 1};
    out[n++] = (conv){fires[f].side, fires[f].squeeze, fires[f].expand, 1};
    out[n++] = (conv){fires[f].side, fires[f].squeeze, fires[f].expand, 9};
  }
  out[n++] = (conv){13, 512, 1000, 1};
  return n;
}

static sqz_model_desc *parse(const char *model, uint8_t **bytes) {
  size_t size;
  *bytes = test_read_model(model, &size);
  if (!*bytes) return NULL;
  sqz_model_desc *d = malloc(sizeof *d);
  sqz_error err = {0, ""};
  CHECK(sqz_model_parse(*bytes, size, d, &err) == SQZ_OK, "%s: %s", model, err.message);
  return d;
}

/* The network's convolution steps' madds in order (a convolution fused with
 * its pool counted as a convolution; pools must give 0); returns how many,
 * and in *fused how many of them are fused. */
static int conv_madds(const sqz_model_desc *d, const sqz_conv_policy *policy, int64_t *madds, int max, int *fused) {
  sqz_error err = {0, ""};
  sqz_network *net = NULL;
  CHECK(sqz_network_create(d, &sqz_kernels_wasmsimd, policy, &net, &err) == SQZ_OK, "%s: %s", policy->name,
        err.message);
  if (!net) return 0;
  int n = 0;
  *fused = 0;
  for (int i = 0; i < sqz_network_num_steps(net); i++) {
    const int kind = sqz_network_step_kind(net, i);
    const int64_t m = sqz_network_step_madds(net, i);
    *fused += kind == SQZ_STEP_CONV_MAXPOOL;
    if (kind >= SQZ_CONV_PATHS && kind != SQZ_STEP_CONV_MAXPOOL) {
      CHECK(m == 0, "%s: pool step %d gives %lld multiply-adds", policy->name, i, (long long)m);
    } else if (n < max) {
      madds[n++] = m;
    }
  }
  CHECK(sqz_network_step_madds(net, -1) == -1 && sqz_network_step_madds(net, sqz_network_num_steps(net)) == -1,
        "out of range steps give -1");
  sqz_network_free(net);
  return n;
}

static void check_v11(void) {
  uint8_t *bytes;
  sqz_model_desc *d = parse("squeezenet1_1", &bytes);
  if (!d) return;
  conv arch[32];
  const int convs = v11_convs(arch);
  int64_t madds[32];
  int fused;
  CHECK(conv_madds(d, &sqz_conv_policy_direct, madds, 32, &fused) == convs && fused == 0,
        "direct: not %d convolutions, none fused (the stem runs by igemm)", convs);
  for (int i = 0; i < convs; i++) {
    const conv *c = &arch[i];
    const int64_t expect = c->pixels_side * c->pixels_side * c->cout * c->cin * c->taps;
    CHECK(madds[i] == expect, "direct: convolution %d: %lld multiply-adds, expected %lld", i, (long long)madds[i],
          (long long)expect);
  }
  const sqz_conv_policy *winograd[2] = {&sqz_conv_policy_winograd2, &sqz_conv_policy_winograd4};
  for (int w = 0; w < 2; w++) {
    const int64_t t = w ? 4 : 2;
    CHECK(conv_madds(d, winograd[w], madds, 32, &fused) == convs, "%s: not %d convolutions", winograd[w]->name, convs);
    /* the stem by im2col fused with pool1: its multiply-adds as unfused */
    const int64_t stem = arch[0].pixels_side * arch[0].pixels_side * arch[0].cout * arch[0].cin * arch[0].taps;
    CHECK(fused == 1 && madds[0] == stem, "%s: %d fused steps, the stem's %lld multiply-adds, expected %lld",
          winograd[w]->name, fused, (long long)madds[0], (long long)stem);
    int expands = 0;
    for (int i = 0; i < convs; i++) {
      const conv *c = &arch[i];
      if (c->taps != 9 || c->cin == 3) continue; /* the stem is not Winograd (stride 2) */
      const int64_t tiles = (c->pixels_side + t - 1) / t;
      const int64_t expect = tiles * tiles * (t + 2) * (t + 2) * c->cin * c->cout;
      CHECK(madds[i] == expect, "%s: expand %d: %lld multiply-adds, expected %lld", winograd[w]->name, i,
            (long long)madds[i], (long long)expect);
      expands++;
    }
    CHECK(expands == 8, "%s: %d 3x3 expands", winograd[w]->name, expands);
  }
  free(d);
  free(bytes);
}

/* v1.0 (Deep Compression, pruned): spmm counts nonzeros, conv10 at density 0.20. */
static void check_v10_sparse(void) {
  uint8_t *bytes;
  sqz_model_desc *d = parse("squeezenet1_0", &bytes);
  if (!d) return;
  int64_t dense[32], sparse[32];
  int fused;
  const int n = conv_madds(d, &sqz_conv_policy_direct, dense, 32, &fused);
  CHECK(n == 26 && conv_madds(d, &sqz_conv_policy_all_sparse, sparse, 32, &fused) == n && fused == 1,
        "v1.0: not 26 convolutions, the stem fused");
  CHECK(sparse[0] == dense[0], "v1.0: the fused stem's %lld multiply-adds, unfused %lld", (long long)sparse[0],
        (long long)dense[0]);
  int checked = 0;
  for (int i = 1; i < n && n == 26; i++) { /* the stem is no 1x1 */
    if (dense[i] != sparse[i]) {
      CHECK(sparse[i] > 0 && sparse[i] < dense[i], "v1.0: convolution %d: sparse %lld, dense %lld", i,
            (long long)sparse[i], (long long)dense[i]);
      checked++;
    }
  }
  CHECK(checked >= 17, "v1.0: only %d convolutions counted fewer sparse multiply-adds", checked);
  if (n == 26) {
    /* conv10 is padded by 1: dense counts its 15x15 outputs' taps, spmm its 13x13 input pixels */
    const double density = (double)sparse[25] / (13.0 * 13.0 * 512 * 1000);
    CHECK(density > 0.18 && density < 0.22, "v1.0 conv10: density %.3f, not about 0.20", density);
  }
  free(d);
  free(bytes);
}

int main(void) {
  check_v11();
  check_v10_sparse();
  return test_finish("test_step_madds");
}
