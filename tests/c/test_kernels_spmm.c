/* f32 spmm (pruned 1x1 convolution): the scalar twin against a naive dense
 * 1x1 convolution computed in double from the unpacked weights (so the
 * packing is checked too), and the 16x1 wasmsimd kernel against the twin bit
 * for bit. Random shapes cover every pixel tail (16, 8, 4, 2, 1), output
 * channels with no nonzeros, fully dense and all-zero weights, -0 weights,
 * all three clamps, a pixel range starting past 0, a range of output
 * channels run alone from its own place in the packed arrays, and outputs
 * placed inside a padded NHWC image with a pixel stride wider than the
 * channels. Canaries around and between the outputs must survive. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "testutil.h"

#define CANARY (-12345.678f)

static size_t rnd(size_t lo, size_t hi) { return lo + test_rand() % (hi - lo + 1); }

static float clampd(double v, const sqz_minmax_params *p) {
  if (v < p->min) v = p->min;
  if (v > p->max) v = p->max;
  return (float)v;
}

static void test_one(int iter) {
  const size_t ih = rnd(1, 9), iw = rnd(1, 9), pixels = ih * iw, cin = rnd(1, 40), cout = rnd(1, 24);
  /* density: all zeros, 5-60%, or dense; some output channels left empty */
  const int kind = iter % 5;
  const float density = kind == 0 ? 0.0f : kind == 1 ? 1.0f : test_randf(0.05f, 0.6f);
  float *oi = malloc(cout * cin * sizeof(float)), *bias = malloc(cout * sizeof(float));
  for (size_t o = 0; o < cout; o++) {
    const int empty = test_rand() % 4 == 0;
    bias[o] = test_randf(-1, 1);
    for (size_t k = 0; k < cin; k++) {
      float v = test_randf(0, 1) < density && !empty ? test_randf(-1, 1) : 0.0f;
      if (v == 0.0f && test_rand() % 8 == 0) v = -0.0f; /* a negative zero is a zero too */
      oi[o * cin + k] = v;
    }
  }
  const size_t nnz = sqz_count_nonzeros(oi, cout * cin);
  float *input = malloc(cin * pixels * sizeof(float)); /* CHW */
  for (size_t i = 0; i < cin * pixels; i++) input[i] = test_randf(-1, 1);
  float *w = malloc((cout + nnz) * sizeof(float));
  int32_t *offsets = malloc((nnz ? nnz : 1) * sizeof(int32_t));
  uint32_t *nnzmap = malloc(cout * sizeof(uint32_t));
  const size_t packed = sqz_pack_spmm_weights(cout, cin, pixels * sizeof(float), oi, bias, w, offsets, nnzmap);
  CHECK(packed == nnz, "packed %zu nonzeros, counted %zu", packed, nnz);
  size_t sum = 0;
  for (size_t o = 0; o < cout; o++) sum += nnzmap[o];
  CHECK(sum == nnz, "nnzmap adds up to %zu, not %zu", sum, nnz);

  sqz_minmax_params params = {-INFINITY, INFINITY};
  if (iter % 3 == 1) params.min = 0.0f;
  if (iter % 3 == 2) params.min = -0.5f, params.max = 0.75f;

  /* A pixel range [m0, pixels) and an output channel range [n0, n1). */
  const size_t m0 = iter % 2 ? rnd(0, pixels - 1) : 0, mc = pixels - m0;
  const size_t n0 = iter % 4 == 3 ? rnd(0, cout - 1) : 0, n1 = n0 ? rnd(n0 + 1, cout) : cout, nc = n1 - n0;
  size_t skip = 0; /* nonzeros before channel n0 */
  for (size_t o = 0; o < n0; o++) skip += nnzmap[o];
  /* pixel (y, x) goes to (y + pad, x + pad) of an (ih+2pad) x (iw+2pad) image */
  const size_t pad = rnd(0, 2), ow = iw + 2 * pad, stride = cout + rnd(0, 3);
  const size_t cfloats = (ih + 2 * pad) * ow * stride + 8;
  uint32_t *out_pixels = malloc(pixels * sizeof(uint32_t));
  for (size_t m = 0; m < pixels; m++) out_pixels[m] = (uint32_t)(((m / iw + pad) * ow + m % iw + pad) * stride);
  float *want = malloc(cfloats * sizeof(float)), *got = malloc(cfloats * sizeof(float));
  for (size_t i = 0; i < cfloats; i++) want[i] = got[i] = CANARY;
  sqz_f32_spmm_minmax_ukernel_16x1__scalar(mc, nc, input + m0, w + n0 + skip, offsets + skip, nnzmap + n0,
                                           want + n0, out_pixels + m0, &params);
  sqz_f32_spmm_minmax_ukernel_16x1__wasmsimd(mc, nc, input + m0, w + n0 + skip, offsets + skip, nnzmap + n0,
                                             got + n0, out_pixels + m0, &params);

  int ok_ref = 1, ok_canary = 1;
  char *written = calloc(cfloats, 1);
  for (size_t m = 0; m < pixels; m++) {
    for (size_t n = 0; n < stride; n++) {
      if (m < m0 || n < n0 || n >= n1) continue;
      const float v = want[out_pixels[m] + n];
      written[out_pixels[m] + n] = 1;
      double acc = bias[n], mag = fabs(bias[n]);
      for (size_t k = 0; k < cin; k++) {
        const double t = (double)oi[n * cin + k] * input[k * pixels + m];
        acc += t, mag += fabs(t);
      }
      const float ref = clampd(acc, &params);
      ok_ref &= fabs((double)v - ref) <= 1e-5 * (mag + fabs(ref)) + 1e-6;
    }
  }
  for (size_t i = 0; i < cfloats; i++) ok_canary &= written[i] || want[i] == CANARY;
  size_t differ = 0;
  for (size_t i = 0; i < cfloats; i++) differ += memcmp(&want[i], &got[i], sizeof(float)) != 0;
  CHECK(ok_ref, "spmm scalar vs naive: pixels %zu [%zu..), cin %zu, cout %zu [%zu, %zu), nnz %zu", pixels, m0, cin,
        cout, n0, n1, nnz);
  CHECK(ok_canary, "spmm scalar wrote outside its outputs (pixels %zu, cout %zu, stride %zu)", pixels, cout, stride);
  CHECK(differ == 0, "spmm wasmsimd vs scalar: %zu floats differ (mc %zu, nc %zu, cin %zu, nnz %zu)", differ, mc,
        nc, cin, nnz);
  free(oi), free(bias), free(input), free(w), free(offsets), free(nnzmap), free(want), free(got);
  free(out_pixels), free(written);
}

int main(void) {
  for (int iter = 0; iter < 3000; iter++) test_one(iter);
  const float zeros[3] = {0.0f, -0.0f, 0.0f}, mixed[4] = {1.0f, 0.0f, -2.0f, -0.0f};
  CHECK(sqz_count_nonzeros(zeros, 3) == 0, "zeros counted as nonzeros");
  CHECK(sqz_count_nonzeros(mixed, 4) == 2, "count of 1, 0, -2, -0");
  return test_finish("test_kernels_spmm");
}
