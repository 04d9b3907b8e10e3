/* f32 PPMM 4x8 (pre-packed A panels, the stem's GEMM): the scalar twin
 * against a naive product in double from the unpacked rows and OI weights
 * (packed by sqz_pack_conv_weights, so the packing is checked too), and the
 * wasmsimd loadsplat kernel against the twin bit for bit (same order of
 * adds). Random tile heights, widths (up to 70: the SIMD kernel's one-row
 * path takes 32 columns at a time), depths, column-block strides and all
 * three clamps; the panel's rows past mr hold huge values that must not
 * reach any output, and nothing outside the written elements may change.
 * Also x32-packx (rows into such panels): the scalar twin against the
 * panel's definition, the wasmsimd kernel against the twin, every k tail. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "testutil.h"

#define CANARY (-12345.678f)

static size_t rnd(size_t lo, size_t hi) { return lo + test_rand() % (hi - lo + 1); }

static void test_packx(void) {
  for (int iter = 0; iter < 600; iter++) {
    const size_t m = rnd(1, 4), k = rnd(1, 70), stride = k + rnd(0, 5);
    float *x = malloc(4 * stride * sizeof(float)), *want = malloc((4 * k + 4) * sizeof(float)),
          *got = malloc((4 * k + 4) * sizeof(float));
    for (size_t i = 0; i < 4 * stride; i++) x[i] = test_randf(-1, 1);
    for (size_t i = 0; i < 4 * k + 4; i++) want[i] = got[i] = CANARY;
    sqz_x32_packx_ukernel_4x__scalar(m, k, x, stride * sizeof(float), want);
    sqz_x32_packx_ukernel_4x__wasmsimd(m, k, x, stride * sizeof(float), got);
    int ok = 1;
    for (size_t j = 0; j < k; j++)
      for (size_t i = 0; i < 4; i++) ok &= want[j * 4 + i] == x[(i < m ? i : m - 1) * stride + j];
    for (size_t i = 4 * k; i < 4 * k + 4; i++) ok &= want[i] == CANARY;
    CHECK(ok, "packx scalar: not the panel of its rows (m %zu, k %zu)", m, k);
    CHECK(memcmp(want, got, (4 * k + 4) * sizeof(float)) == 0, "packx wasmsimd vs scalar (m %zu, k %zu)", m, k);
    free(x), free(want), free(got);
  }
}

int main(void) {
  test_packx();
  for (int iter = 0; iter < 2000; iter++) {
    const size_t mr = rnd(1, 4), nc = rnd(1, 70), kc = iter < 200 ? (size_t)iter + 1 : rnd(1, 160);
    const size_t blocks = (nc + 7) / 8;
    const size_t cn_stride = (8 + 4 * rnd(0, 2)) * sizeof(float);
    const size_t cm_stride = blocks * cn_stride + rnd(0, 3) * sizeof(float);
    sqz_minmax_params params = {-INFINITY, INFINITY};
    if (iter % 3 == 1) params.min = 0.0f;
    if (iter % 3 == 2) params.min = -0.5f, params.max = 0.75f;
    /* rows as a plain matrix, then interleaved into the panel */
    float *rows = malloc(4 * kc * sizeof(float)), *panel = malloc(4 * kc * sizeof(float));
    for (size_t m = 0; m < 4; m++)
      for (size_t k = 0; k < kc; k++) rows[m * kc + k] = m < mr ? test_randf(-1, 1) : 1e30f;
    for (size_t m = 0; m < 4; m++)
      for (size_t k = 0; k < kc; k++) panel[k * 4 + m] = rows[m * kc + k];
    float *oi = malloc(nc * kc * sizeof(float)), *bias = malloc(nc * sizeof(float));
    for (size_t i = 0; i < nc * kc; i++) oi[i] = test_randf(-1, 1);
    for (size_t i = 0; i < nc; i++) bias[i] = test_randf(-1, 1);
    float *w = malloc(sqz_packed_conv_size(nc, kc, 1, 1, 8) * sizeof(float));
    sqz_pack_conv_weights(nc, kc, 1, 1, 8, oi, bias, w);

    const size_t cfloats = 4 * cm_stride / sizeof(float);
    float *want = malloc(cfloats * sizeof(float)), *got = malloc(cfloats * sizeof(float));
    for (size_t i = 0; i < cfloats; i++) want[i] = got[i] = CANARY;
    sqz_f32_ppmm_minmax_ukernel_4x8__scalar(mr, nc, kc, panel, w, want, cm_stride, cn_stride, &params);
    sqz_f32_ppmm_minmax_ukernel_4x8__wasmsimd_loadsplat(mr, nc, kc, panel, w, got, cm_stride, cn_stride, &params);

    int ok_ref = 1;
    size_t written = 0, differ = 0;
    for (size_t m = 0; m < mr; m++) {
      for (size_t n = 0; n < nc; n++) {
        const size_t idx = (m * cm_stride + (n / 8) * cn_stride) / sizeof(float) + n % 8;
        double acc = bias[n], mag = fabs(bias[n]);
        for (size_t k = 0; k < kc; k++) {
          const double t = (double)rows[m * kc + k] * oi[n * kc + k];
          acc += t, mag += fabs(t);
        }
        if (acc < params.min) acc = params.min;
        if (acc > params.max) acc = params.max;
        ok_ref &= fabs((double)want[idx] - acc) <= 1e-5 * (mag + fabs(acc)) + 1e-6;
      }
    }
    for (size_t i = 0; i < cfloats; i++) {
      differ += memcmp(&want[i], &got[i], sizeof(float)) != 0;
      written += want[i] != CANARY;
    }
    CHECK(ok_ref, "ppmm scalar vs naive (mr %zu, nc %zu, kc %zu)", mr, nc, kc);
    CHECK(differ == 0, "ppmm loadsplat vs scalar: %zu of %zu floats differ (mr %zu, nc %zu, kc %zu)", differ,
          cfloats, mr, nc, kc);
    CHECK(written == mr * nc, "scalar twin wrote %zu floats, expected %zu", written, mr * nc);
    free(rows), free(panel), free(oi), free(bias), free(w), free(want), free(got);
  }
  return test_finish("test_kernels_ppmm");
}
