/* 8-bit kernels (int8 compute for dense 1x1 convolutions):
 * - f32-qd8-packx: the scalar twin against the quantization's definition
 *   (per row scale = max/255, |q*scale - x| within half a step, 0 for x <= 0,
 *   the row's largest value 255, the panel layout, zero padding of odd k),
 *   the wasmsimd kernel against the twin byte for byte;
 * - qd8-f32-qc8w-ppmm: with unit scales and integer weights both kernels'
 *   outputs are their int32 sums, which must equal the sums computed here in
 *   int64 from the unpacked rows and weights, exactly; with random scales,
 *   biases and clamps the twin against a double reference of the dequantized
 *   sum, and the wasmsimd kernel against the twin bit for bit. Rows past mr
 *   carry huge scales that must reach no output; nothing outside the written
 *   elements may change. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "testutil.h"

#define CANARY (-12345.678f)

static size_t rnd(size_t lo, size_t hi) { return lo + test_rand() % (hi - lo + 1); }
static size_t even(size_t k) { return (k + 1) & ~(size_t)1; }

static void test_packx(void) {
  int checked = 0;
  for (int iter = 0; iter < 1000; iter++) {
    const size_t m = rnd(1, 4), k = iter < 40 ? (size_t)iter + 1 : rnd(1, 90), stride = k + rnd(0, 5);
    const size_t k2 = even(k), panel = k2 * 4 + 8;
    float *x = malloc(4 * stride * sizeof(float));
    for (size_t i = 0; i < 4; i++) {
      const int kind = (int)(test_rand() % 6);
      const float top = kind == 0 ? 0.0f : test_randf(0.01f, 40.0f);
      for (size_t j = 0; j < stride; j++)
        x[i * stride + j] = kind == 1 && j % 3 == 0 ? -test_randf(0, 5) /* negatives become 0 */
                                                    : test_randf(0, top);
    }
    int16_t *want = malloc(panel * sizeof(int16_t)), *got = malloc(panel * sizeof(int16_t));
    float ws[5] = {CANARY, CANARY, CANARY, CANARY, CANARY}, gs[5];
    memcpy(gs, ws, sizeof ws);
    for (size_t i = 0; i < panel; i++) want[i] = got[i] = 0x5a5a;
    sqz_f32_qd8_packx_ukernel_4x__scalar(m, k, x, stride * sizeof(float), want, ws);
    sqz_f32_qd8_packx_ukernel_4x__wasmsimd(m, k, x, stride * sizeof(float), got, gs);
    int ok = ws[4] == CANARY;
    for (size_t i = 0; i < 4; i++) {
      const float *row = x + (i < m ? i : m - 1) * stride;
      float top = 0;
      for (size_t j = 0; j < k; j++) top = fmaxf(top, row[j]);
      ok &= ws[i] == top / 255.0f;
      int saw_top = top == 0.0f;
      for (size_t j = 0; j < k2; j++) {
        const int q = want[(j / 2) * 8 + 2 * i + j % 2];
        if (j >= k || row[j] <= 0.0f) {
          ok &= q == 0;
          continue;
        }
        ok &= q >= 0 && q <= 255 && fabs(q * (double)ws[i] - row[j]) <= 0.5 * ws[i] * (1 + 1e-5);
        saw_top |= q == 255 && row[j] == top;
      }
      ok &= saw_top;
    }
    for (size_t i = k2 * 4; i < panel; i++) ok &= want[i] == 0x5a5a;
    CHECK(ok, "qd8 packx scalar: not the quantized panel of its rows (m %zu, k %zu)", m, k);
    CHECK(memcmp(want, got, panel * sizeof(int16_t)) == 0 && memcmp(ws, gs, sizeof ws) == 0,
          "qd8 packx wasmsimd vs scalar (m %zu, k %zu)", m, k);
    checked++;
    free(x), free(want), free(got);
  }
  CHECK(checked == 1000, "packx cases %d", checked);
}

/* One GEMM case: unit = integer weights with unit scales (the sums themselves). */
static void test_ppmm_case(int iter, int unit) {
  const size_t mr = rnd(1, 4), nc = rnd(1, 35), kin = iter < 100 ? (size_t)iter + 1 : rnd(1, 300);
  const size_t kc = even(kin), blocks = (nc + 7) / 8;
  const size_t cn_stride = (8 + 4 * rnd(0, 2)) * sizeof(float);
  const size_t cm_stride = blocks * cn_stride + rnd(0, 3) * sizeof(float);
  sqz_minmax_params params = {-INFINITY, INFINITY};
  if (!unit && iter % 3 == 1) params.min = 0.0f;
  if (!unit && iter % 3 == 2) params.min = -0.5f, params.max = 0.75f;
  /* rows (8-bit values) as a plain matrix, then into the panel */
  int *rows = malloc(4 * kc * sizeof(int));
  int16_t *panel = malloc(4 * kc * sizeof(int16_t));
  float a_scale[4];
  for (size_t m = 0; m < 4; m++) {
    a_scale[m] = m < mr ? (unit ? 1.0f : test_randf(0.001f, 0.1f)) : 1e30f;
    for (size_t k = 0; k < kc; k++) rows[m * kc + k] = k < kin ? (int)rnd(0, 255) : 0;
  }
  for (size_t m = 0; m < 4; m++)
    for (size_t k = 0; k < kc; k++) panel[(k / 2) * 8 + 2 * m + k % 2] = (int16_t)rows[m * kc + k];
  float *oi = malloc(nc * kin * sizeof(float)), *bias = malloc(nc * sizeof(float));
  for (size_t n = 0; n < nc; n++) {
    for (size_t k = 0; k < kin; k++)
      oi[n * kin + k] = unit ? (float)((int)rnd(0, 254) - 127) : test_randf(-1, 1);
    if (unit) oi[n * kin + rnd(0, kin - 1)] = test_rand() % 2 ? 127.0f : -127.0f; /* scale 127/127 = 1 */
    bias[n] = unit ? 0.0f : test_randf(-1, 1);
  }
  const size_t wbytes = sqz_packed_qs8_conv_size(nc, kin, 8);
  void *w = malloc(wbytes);
  CHECK(sqz_pack_qs8_conv_weights(nc, kin, 8, oi, bias, w) == wbytes, "packed bytes");
  const size_t cfloats = 4 * cm_stride / sizeof(float);
  float *want = malloc(cfloats * sizeof(float)), *got = malloc(cfloats * sizeof(float));
  for (size_t i = 0; i < cfloats; i++) want[i] = got[i] = CANARY;
  sqz_qd8_f32_qc8w_ppmm_minmax_ukernel_4x8c2__scalar(mr, nc, kc, panel, a_scale, w, want, cm_stride, cn_stride,
                                                      &params);
  sqz_qd8_f32_qc8w_ppmm_minmax_ukernel_4x8c2__wasmsimd_dot16x2(mr, nc, kc, panel, a_scale, w, got, cm_stride,
                                                               cn_stride, &params);
  int ok_ref = 1;
  size_t written = 0, differ = 0;
  for (size_t n = 0; n < nc; n++) {
    const float ws = sqz_qc8w_scale(oi + n * kin, kin);
    for (size_t m = 0; m < mr; m++) {
      const size_t idx = (m * cm_stride + (n / 8) * cn_stride) / sizeof(float) + n % 8;
      int64_t sum = 0;
      for (size_t k = 0; k < kin; k++) {
        const int q = sqz_qc8w_quantize(oi[n * kin + k], ws);
        ok_ref &= fabs(q * (double)ws - oi[n * kin + k]) <= 0.5 * ws * (1 + 1e-5);
        sum += (int64_t)rows[m * kc + k] * q;
      }
      if (unit) {
        ok_ref &= ws == 1.0f && want[idx] == (float)sum && got[idx] == (float)sum; /* |sum| < 2^24: exact */
        continue;
      }
      double v = (double)sum * a_scale[m] * ws + bias[n];
      if (v < params.min) v = params.min;
      if (v > params.max) v = params.max;
      ok_ref &= fabs((double)want[idx] - v) <= 1e-5 * (fabs((double)sum * a_scale[m] * ws) + fabs(v)) + 1e-6;
    }
  }
  for (size_t i = 0; i < cfloats; i++) {
    differ += memcmp(&want[i], &got[i], sizeof(float)) != 0;
    written += want[i] != CANARY;
  }
  CHECK(ok_ref, "qs8 ppmm %s (mr %zu, nc %zu, kc %zu)", unit ? "int32 sums differ from int64 reference" : "scalar vs reference",
        mr, nc, kin);
  CHECK(differ == 0, "qs8 ppmm dot16x2 vs scalar: %zu of %zu floats differ (mr %zu, nc %zu, kc %zu)", differ, cfloats,
        mr, nc, kin);
  CHECK(written == mr * nc, "scalar twin wrote %zu floats, expected %zu", written, mr * nc);
  free(rows), free(panel), free(oi), free(bias), free(w), free(want), free(got);
}

int main(void) {
  test_packx();
  int cases = 0;
  for (int iter = 0; iter < 1500; iter++, cases++) test_ppmm_case(iter, iter % 2);
  CHECK(cases == 1500, "ppmm cases %d", cases);
  return test_finish("test_kernels_qs8");
}
