/* Micro-kernel tests. Each SIMD kernel is checked against its scalar twin on
 * many random shapes, and each scalar twin against a naive reference computed
 * straight from unpacked OIHW weights (double accumulation), so the packing,
 * the indirection contract and both kernels are all verified. Output buffers
 * carry canary values around and between the written elements. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "testutil.h"

#define CANARY (-12345.678f)
#define MR 4
#define NR 8

static float *rand_buf(size_t n, float lo, float hi) {
  float *p = malloc((n ? n : 1) * sizeof(float));
  for (size_t i = 0; i < n; i++) p[i] = test_randf(lo, hi);
  return p;
}

static float *canary_buf(size_t n) {
  float *p = malloc((n ? n : 1) * sizeof(float));
  for (size_t i = 0; i < n; i++) p[i] = CANARY;
  return p;
}

static size_t rnd(size_t lo, size_t hi) { /* uniform in [lo, hi] */
  return lo + test_rand() % (hi - lo + 1);
}

static int close_enough(float got, double want, double mag) {
  return fabs((double)got - want) <= 1e-5 * (mag + fabs(want)) + 1e-6;
}

static float clampd(double v, const sqz_minmax_params *p) {
  if (v < p->min) v = p->min;
  if (v > p->max) v = p->max;
  return (float)v;
}

static sqz_minmax_params rand_params(void) {
  sqz_minmax_params p;
  switch (test_rand() % 3) {
    case 0: p.min = 0.0f; p.max = INFINITY; break;       /* fused ReLU */
    case 1: p.min = -INFINITY; p.max = INFINITY; break;  /* no clamp */
    default: p.min = -0.5f; p.max = 0.75f; break;        /* both bounds bite */
  }
  return p;
}

/* Byte offset of output column n for the tile layout (blocks of NR columns
 * cn_stride bytes apart). */
static size_t col_off(size_t n, size_t cn_stride) {
  return (n / NR) * cn_stride + (n % NR) * sizeof(float);
}

/* ---- packing ---------------------------------------------------------- */

static void test_pack(void) {
  for (int iter = 0; iter < 50; iter++) {
    const size_t cout = rnd(1, 20), cin = rnd(1, 9), kh = rnd(1, 3), kw = rnd(1, 3);
    const size_t nr = test_rand() % 2 ? 8 : 4;
    float *w = rand_buf(cout * cin * kh * kw, -1, 1), *b = rand_buf(cout, -1, 1);
    const size_t size = sqz_packed_conv_size(cout, cin, kh, kw, nr);
    const size_t blocks = (cout + nr - 1) / nr;
    CHECK(size == blocks * nr * (1 + kh * kw * cin), "size %zu", size);
    float *packed = canary_buf(size + 8);
    CHECK(sqz_pack_conv_weights(cout, cin, kh, kw, nr, w, b, packed) == size, "written");
    int ok = 1;
    for (size_t blk = 0; blk < blocks; blk++) {
      const float *p = packed + blk * nr * (1 + kh * kw * cin);
      for (size_t j = 0; j < nr; j++) {
        const size_t o = blk * nr + j;
        ok &= p[j] == (o < cout ? b[o] : 0.0f);
        for (size_t ky = 0; ky < kh; ky++)
          for (size_t kx = 0; kx < kw; kx++)
            for (size_t k = 0; k < cin; k++) {
              const float want = o < cout ? w[((o * cin + k) * kh + ky) * kw + kx] : 0.0f;
              ok &= p[nr + ((ky * kw + kx) * cin + k) * nr + j] == want;
            }
      }
    }
    for (size_t i = size; i < size + 8; i++) ok &= packed[i] == CANARY;
    CHECK(ok, "pack layout cout=%zu cin=%zu kh=%zu kw=%zu nr=%zu", cout, cin, kh, kw, nr);
    free(w), free(b), free(packed);
  }
}

/* ---- GEMM ------------------------------------------------------------- */

static void test_gemm_one(size_t mr, size_t nc, size_t kc, int wide_cn) {
  const sqz_minmax_params params = rand_params();
  const size_t a_stride_f = kc + rnd(0, 5);
  float *a = rand_buf(mr * a_stride_f, -1, 1);
  float *w = rand_buf(nc * kc, -1, 1), *bias = rand_buf(nc, -1, 1);
  float *packed = malloc(sqz_packed_conv_size(nc, kc, 1, 1, NR) * sizeof(float));
  sqz_pack_conv_weights(nc, kc, 1, 1, NR, w, bias, packed);

  const size_t blocks = (nc + NR - 1) / NR;
  const size_t cn_stride = (NR + (wide_cn ? rnd(1, 5) : 0)) * sizeof(float);
  const size_t row_bytes = (blocks - 1) * cn_stride + NR * sizeof(float);
  const size_t cm_stride = row_bytes + rnd(0, 4) * sizeof(float);
  const size_t guard = 16; /* floats of canary before and after */
  const size_t total = 2 * guard + (mr * cm_stride) / sizeof(float) + NR;
  float *c_simd = canary_buf(total), *c_scalar = canary_buf(total);
  float *cs = c_simd + guard, *cr = c_scalar + guard;

  sqz_kernels_wasmsimd.gemm(mr, nc, kc, a, a_stride_f * sizeof(float), packed, cs, cm_stride, cn_stride, &params);
  sqz_f32_gemm_minmax_ukernel_4x8__scalar(mr, nc, kc, a, a_stride_f * sizeof(float), packed,
                                          cr, cm_stride, cn_stride, &params);

  int ok_simd = 1, ok_ref = 1, ok_canary = 1;
  char *written = calloc(total, 1);
  for (size_t m = 0; m < mr; m++) {
    for (size_t n = 0; n < nc; n++) {
      const size_t idx = guard + (m * cm_stride + col_off(n, cn_stride)) / sizeof(float);
      written[idx] = 1;
      double sum = bias[n], mag = fabs(bias[n]);
      for (size_t k = 0; k < kc; k++) {
        const double t = (double)a[m * a_stride_f + k] * w[n * kc + k];
        sum += t, mag += fabs(t);
      }
      const float want = clampd(sum, &params);
      ok_ref &= close_enough(c_scalar[idx], want, mag);
      ok_simd &= close_enough(c_simd[idx], c_scalar[idx], mag);
    }
  }
  for (size_t i = 0; i < total; i++)
    if (!written[i]) ok_canary &= c_simd[i] == CANARY && c_scalar[i] == CANARY;
  CHECK(ok_ref, "gemm scalar vs naive mr=%zu nc=%zu kc=%zu min=%g", mr, nc, kc, params.min);
  CHECK(ok_simd, "gemm simd vs scalar mr=%zu nc=%zu kc=%zu min=%g", mr, nc, kc, params.min);
  CHECK(ok_canary, "gemm canary mr=%zu nc=%zu kc=%zu cn_stride=%zu", mr, nc, kc, cn_stride);
  free(written), free(a), free(w), free(bias), free(packed), free(c_simd), free(c_scalar);
}

static void test_gemm(void) {
  for (size_t mr = 1; mr <= MR; mr++)
    for (size_t nc = 1; nc <= 40; nc++)
      test_gemm_one(mr, nc, rnd(1, 70), nc % 3 == 0);
  for (size_t kc = 1; kc <= 70; kc++) test_gemm_one(rnd(1, MR), rnd(1, 40), kc, kc % 2);
  for (int i = 0; i < 300; i++) test_gemm_one(rnd(1, MR), rnd(1, 40), rnd(1, 70), i % 2);
  test_gemm_one(4, 128, 512, 0); /* a fire-module-sized case */
}

/* ---- IGEMM, raw: random indirection pointers ------------------------- */

static void test_igemm_one(size_t mr, size_t nc, size_t kc, size_t ks, int wide_cn) {
  const sqz_minmax_params params = rand_params();
  /* A pool of input rows; each (tap, row) pointer picks one at random. Rows
   * m >= mr point at a row of huge values that must not leak into outputs. */
  const size_t pool_rows = 6;
  float *pool = rand_buf(pool_rows * kc, -1, 1);
  float *junk = rand_buf(kc, 1e30f, 2e30f);
  const float **ind = malloc(ks * MR * sizeof(*ind));
  for (size_t t = 0; t < ks; t++)
    for (size_t m = 0; m < MR; m++)
      ind[t * MR + m] = m < mr ? pool + (test_rand() % pool_rows) * kc : junk;
  /* Weights as OIHW with kh = 1, kw = ks: tap t is kx = t. */
  float *w = rand_buf(nc * kc * ks, -1, 1), *bias = rand_buf(nc, -1, 1);
  float *packed = malloc(sqz_packed_conv_size(nc, kc, 1, ks, NR) * sizeof(float));
  sqz_pack_conv_weights(nc, kc, 1, ks, NR, w, bias, packed);

  const size_t blocks = (nc + NR - 1) / NR;
  const size_t cn_stride = (NR + (wide_cn ? rnd(1, 5) : 0)) * sizeof(float);
  const size_t cm_stride = (blocks - 1) * cn_stride + NR * sizeof(float) + rnd(0, 4) * 4;
  const size_t guard = 16;
  const size_t total = 2 * guard + (mr * cm_stride) / sizeof(float) + NR;
  float *c_simd = canary_buf(total), *c_scalar = canary_buf(total);

  sqz_f32_igemm_minmax_ukernel_4x8__wasmsimd_splat(mr, nc, kc, ks, ind, packed, c_simd + guard,
                                                   cm_stride, cn_stride, &params);
  sqz_f32_igemm_minmax_ukernel_4x8__scalar(mr, nc, kc, ks, ind, packed, c_scalar + guard,
                                           cm_stride, cn_stride, &params);

  int ok_simd = 1, ok_ref = 1, ok_canary = 1;
  char *written = calloc(total, 1);
  for (size_t m = 0; m < mr; m++) {
    for (size_t n = 0; n < nc; n++) {
      const size_t idx = guard + (m * cm_stride + col_off(n, cn_stride)) / sizeof(float);
      written[idx] = 1;
      double sum = bias[n], mag = fabs(bias[n]);
      for (size_t t = 0; t < ks; t++)
        for (size_t k = 0; k < kc; k++) {
          const double x = (double)ind[t * MR + m][k] * w[(n * kc + k) * ks + t];
          sum += x, mag += fabs(x);
        }
      ok_ref &= close_enough(c_scalar[idx], clampd(sum, &params), mag);
      ok_simd &= close_enough(c_simd[idx], c_scalar[idx], mag);
    }
  }
  for (size_t i = 0; i < total; i++)
    if (!written[i]) ok_canary &= c_simd[i] == CANARY && c_scalar[i] == CANARY;
  CHECK(ok_ref, "igemm scalar vs naive mr=%zu nc=%zu kc=%zu ks=%zu", mr, nc, kc, ks);
  CHECK(ok_simd, "igemm simd vs scalar mr=%zu nc=%zu kc=%zu ks=%zu", mr, nc, kc, ks);
  CHECK(ok_canary, "igemm canary mr=%zu nc=%zu kc=%zu ks=%zu", mr, nc, kc, ks);
  free(written), free(pool), free(junk), free(ind), free(w), free(bias), free(packed);
  free(c_simd), free(c_scalar);
}

static void test_igemm(void) {
  for (size_t mr = 1; mr <= MR; mr++)
    for (size_t nc = 1; nc <= 40; nc++) test_igemm_one(mr, nc, rnd(1, 70), rnd(1, 9), nc % 3 == 0);
  for (size_t kc = 1; kc <= 70; kc++)
    test_igemm_one(rnd(1, MR), rnd(1, 40), kc, rnd(1, 9), kc % 2);
  for (size_t ks = 1; ks <= 9; ks++)
    for (int i = 0; i < 10; i++) test_igemm_one(rnd(1, MR), rnd(1, 40), rnd(1, 70), ks, i % 2);
  for (int i = 0; i < 10; i++) test_igemm_one(rnd(1, MR), rnd(1, 40), rnd(1, 16), 49, i % 2);
}

/* ---- IGEMM as a convolution: NHWC, stride, zero padding -------------- */

static void test_conv_one(size_t ih, size_t iw, size_t cin, size_t cout, size_t kh, size_t kw,
                          size_t stride, size_t pad) {
  const sqz_minmax_params params = rand_params();
  const size_t oh = (ih + 2 * pad - kh) / stride + 1, ow = (iw + 2 * pad - kw) / stride + 1;
  const size_t ks = kh * kw, pixels = oh * ow, tiles = (pixels + MR - 1) / MR;
  float *in = rand_buf(ih * iw * cin, -1, 1);
  float *zero = calloc(cin, sizeof(float));
  float *w = rand_buf(cout * cin * ks, -1, 1), *bias = rand_buf(cout, -1, 1);
  float *packed = malloc(sqz_packed_conv_size(cout, cin, kh, kw, NR) * sizeof(float));
  sqz_pack_conv_weights(cout, cin, kh, kw, NR, w, bias, packed);

  /* Indirection buffer: per tile of MR output pixels, ks*MR pointers;
   * pixels past the end copy the tile's row 0. */
  const float **ind = malloc(tiles * ks * MR * sizeof(*ind));
  for (size_t tile = 0; tile < tiles; tile++)
    for (size_t t = 0; t < ks; t++)
      for (size_t m = 0; m < MR; m++) {
        size_t p = tile * MR + m;
        if (p >= pixels) p = tile * MR;
        const size_t oy = p / ow, ox = p % ow, ky = t / kw, kx = t % kw;
        const long iy = (long)(oy * stride + ky) - (long)pad;
        const long ix = (long)(ox * stride + kx) - (long)pad;
        ind[(tile * ks + t) * MR + m] = (iy < 0 || ix < 0 || iy >= (long)ih || ix >= (long)iw)
                                            ? zero
                                            : in + ((size_t)iy * iw + (size_t)ix) * cin;
      }

  /* Output rows of ostride channels (as when writing one half of a concat). */
  const size_t ostride = cout + rnd(0, 9), guard = 8;
  const size_t total = 2 * guard + pixels * ostride;
  float *out[2] = {canary_buf(total), canary_buf(total)};
  const sqz_f32_igemm_fn fns[2] = {sqz_f32_igemm_minmax_ukernel_4x8__wasmsimd_splat,
                                   sqz_f32_igemm_minmax_ukernel_4x8__scalar};
  for (int f = 0; f < 2; f++)
    for (size_t tile = 0; tile < tiles; tile++) {
      const size_t mr = pixels - tile * MR < MR ? pixels - tile * MR : MR;
      fns[f](mr, cout, cin, ks, ind + tile * ks * MR, packed,
             out[f] + guard + tile * MR * ostride, ostride * sizeof(float), NR * sizeof(float),
             &params);
    }

  int ok_ref = 1, ok_simd = 1, ok_canary = 1;
  for (size_t i = 0; i < total; i++) {
    const int inside = i >= guard && i < guard + pixels * ostride && (i - guard) % ostride < cout;
    if (!inside) {
      ok_canary &= out[0][i] == CANARY && out[1][i] == CANARY;
      continue;
    }
    const size_t p = (i - guard) / ostride, o = (i - guard) % ostride;
    const size_t oy = p / ow, ox = p % ow;
    double sum = bias[o], mag = fabs(bias[o]);
    for (size_t k = 0; k < cin; k++)
      for (size_t ky = 0; ky < kh; ky++)
        for (size_t kx = 0; kx < kw; kx++) {
          const long iy = (long)(oy * stride + ky) - (long)pad;
          const long ix = (long)(ox * stride + kx) - (long)pad;
          if (iy < 0 || ix < 0 || iy >= (long)ih || ix >= (long)iw) continue;
          const double x = (double)in[((size_t)iy * iw + (size_t)ix) * cin + k] *
                           w[((o * cin + k) * kh + ky) * kw + kx];
          sum += x, mag += fabs(x);
        }
    ok_ref &= close_enough(out[1][i], clampd(sum, &params), mag);
    ok_simd &= close_enough(out[0][i], out[1][i], mag);
  }
  CHECK(ok_ref, "conv scalar vs naive %zux%zux%zu->%zu k=%zux%zu s=%zu p=%zu", ih, iw, cin, cout,
        kh, kw, stride, pad);
  CHECK(ok_simd, "conv simd vs scalar %zux%zux%zu->%zu k=%zux%zu s=%zu p=%zu", ih, iw, cin, cout,
        kh, kw, stride, pad);
  CHECK(ok_canary, "conv canary %zux%zux%zu->%zu", ih, iw, cin, cout);
  free(in), free(zero), free(w), free(bias), free(packed), free(ind), free(out[0]), free(out[1]);
}

static void test_conv(void) {
  for (int i = 0; i < 150; i++) {
    const size_t kh = rnd(1, 3), kw = rnd(1, 3), pad = rnd(0, 1);
    const size_t ih = rnd(kh > 2 * pad ? kh - 2 * pad : 1, 11);
    const size_t iw = rnd(kw > 2 * pad ? kw - 2 * pad : 1, 11);
    test_conv_one(ih, iw, rnd(1, 20), rnd(1, 40), kh, kw, rnd(1, 2), pad);
  }
  test_conv_one(15, 15, 3, 20, 7, 7, 2, 0); /* conv1 of SqueezeNet 1.0, shrunk */
  test_conv_one(13, 13, 3, 64, 3, 3, 2, 0); /* conv1 of SqueezeNet 1.1, shrunk */
  test_conv_one(13, 13, 16, 64, 3, 3, 1, 1); /* an expand3x3 */
}

/* ---- max pooling ------------------------------------------------------ */

static size_t pool_out(size_t in, size_t k, size_t s) { /* ceil_mode, padding 0 */
  size_t o = (in - k + s - 1) / s + 1;
  if ((o - 1) * s >= in) o--;
  return o;
}

static void test_maxpool_one(size_t ih, size_t iw, size_t ch, size_t kernel, size_t stride) {
  const size_t oh = pool_out(ih, kernel, stride), ow = pool_out(iw, kernel, stride);
  float *in = rand_buf(ih * iw * ch, -10, 10);
  const size_t guard = 8, n = oh * ow * ch, total = n + 2 * guard;
  float *out[2] = {canary_buf(total), canary_buf(total)};
  const sqz_f32_maxpool_fn fns[2] = {sqz_f32_maxpool_ukernel__wasmsimd,
                                     sqz_f32_maxpool_ukernel__scalar};
  /* Two calls over a split of the output rows, as the engine may thread it;
   * first check the first call wrote only its rows. */
  const size_t split = rnd(0, oh);
  int ok_split = 1;
  for (int f = 0; f < 2; f++) {
    fns[f](in, ih, iw, ch, kernel, stride, out[f] + guard, oh, ow, 0, split);
    for (size_t i = guard + split * ow * ch; i < total; i++) ok_split &= out[f][i] == CANARY;
    fns[f](in, ih, iw, ch, kernel, stride, out[f] + guard, oh, ow, split, oh);
  }
  int ok_ref = 1, ok_simd = 1, ok_canary = 1;
  for (size_t i = 0; i < guard; i++)
    ok_canary &= out[0][i] == CANARY && out[1][i] == CANARY &&
                 out[0][guard + n + i] == CANARY && out[1][guard + n + i] == CANARY;
  for (size_t oy = 0; oy < oh; oy++)
    for (size_t ox = 0; ox < ow; ox++)
      for (size_t c = 0; c < ch; c++) {
        float want = -INFINITY;
        for (size_t iy = oy * stride; iy < oy * stride + kernel && iy < ih; iy++)
          for (size_t ix = ox * stride; ix < ox * stride + kernel && ix < iw; ix++)
            want = fmaxf(want, in[(iy * iw + ix) * ch + c]);
        const size_t idx = guard + (oy * ow + ox) * ch + c;
        ok_ref &= out[1][idx] == want;
        ok_simd &= out[0][idx] == out[1][idx];
      }
  CHECK(ok_ref, "maxpool scalar vs naive %zux%zux%zu k=%zu s=%zu", ih, iw, ch, kernel, stride);
  CHECK(ok_simd, "maxpool simd vs scalar %zux%zux%zu k=%zu s=%zu", ih, iw, ch, kernel, stride);
  CHECK(ok_canary && ok_split, "maxpool canary %zux%zux%zu k=%zu s=%zu split=%zu", ih, iw, ch,
        kernel, stride, split);
  free(in), free(out[0]), free(out[1]);
}

static void test_maxpool(void) {
  for (size_t ch = 1; ch <= 40; ch++) test_maxpool_one(rnd(3, 12), rnd(3, 12), ch, 3, 2);
  for (int i = 0; i < 200; i++) {
    const size_t kernel = rnd(1, 4);
    test_maxpool_one(rnd(kernel, 17), rnd(kernel, 17), rnd(1, 40), kernel, rnd(1, 3));
  }
  test_maxpool_one(111, 111, 96, 3, 2); /* SqueezeNet 1.0 pool1: 111 -> 55 */
  test_maxpool_one(13, 13, 64, 3, 2);   /* ceil mode: 13 -> 6 */
  CHECK(pool_out(111, 3, 2) == 55 && pool_out(55, 3, 2) == 27 && pool_out(27, 3, 2) == 13 &&
            pool_out(113, 3, 2) == 56 && pool_out(56, 3, 2) == 28 && pool_out(28, 3, 2) == 14,
        "ceil-mode sizes");
}

/* ---- global average pooling ------------------------------------------ */

static void test_gavgpool_one(size_t pixels, size_t ch) {
  float *in = rand_buf(pixels * ch, -5, 5);
  const size_t guard = 8, total = ch + 2 * guard;
  float *out[2] = {canary_buf(total), canary_buf(total)};
  sqz_f32_gavgpool_ukernel__wasmsimd(pixels, ch, in, out[0] + guard);
  sqz_f32_gavgpool_ukernel__scalar(pixels, ch, in, out[1] + guard);
  int ok_ref = 1, ok_simd = 1, ok_canary = 1;
  for (size_t i = 0; i < guard; i++)
    ok_canary &= out[0][i] == CANARY && out[1][i] == CANARY &&
                 out[0][guard + ch + i] == CANARY && out[1][guard + ch + i] == CANARY;
  for (size_t c = 0; c < ch; c++) {
    double sum = 0, mag = 0;
    for (size_t p = 0; p < pixels; p++) sum += in[p * ch + c], mag += fabs(in[p * ch + c]);
    ok_ref &= close_enough(out[1][guard + c], sum / pixels, mag / pixels);
    ok_simd &= close_enough(out[0][guard + c], out[1][guard + c], mag / pixels);
  }
  CHECK(ok_ref, "gavgpool scalar vs naive pixels=%zu ch=%zu", pixels, ch);
  CHECK(ok_simd, "gavgpool simd vs scalar pixels=%zu ch=%zu", pixels, ch);
  CHECK(ok_canary, "gavgpool canary pixels=%zu ch=%zu", pixels, ch);
  free(in), free(out[0]), free(out[1]);
}

static void test_gavgpool(void) {
  for (size_t ch = 1; ch <= 70; ch++) test_gavgpool_one(rnd(1, 200), ch);
  for (int i = 0; i < 50; i++) test_gavgpool_one(rnd(1, 200), rnd(1, 70));
  test_gavgpool_one(169, 1000); /* SqueezeNet's head: 13x13x1000 */
}

/* ---- kernel tables ---------------------------------------------------- */

/* Both ISAs fill every slot (a missing kernel would quietly turn its path
 * off), with a tile these tests and the packing assume; natively the engine
 * runs the SIMD table. */
static void test_tables(void) {
  const sqz_kernels *ks[2] = {&sqz_kernels_wasmsimd, &sqz_kernels_scalar};
  for (int i = 0; i < 2; i++) {
    const sqz_kernels *k = ks[i];
    CHECK(k->mr == MR && k->nr == NR, "%s tile", k->name);
    CHECK(k->gemm && k->igemm && k->ppmm && k->packx && k->spmm && k->maxpool && k->gavgpool, "%s: a slot is empty",
          k->name);
    CHECK(k->winograd2_input && k->winograd2_output && k->winograd4_input && k->winograd4_output,
          "%s: a Winograd slot is empty", k->name);
  }
  CHECK(strcmp(sqz_kernels_wasmsimd.name, "wasmsimd") == 0 && strcmp(sqz_kernels_scalar.name, "scalar") == 0, "names");
  CHECK(sqz_kernels_scalar.gemm == sqz_f32_gemm_minmax_ukernel_4x8__scalar, "scalar gemm");
  CHECK(sqz_kernels_wasmsimd.gemm != sqz_kernels_scalar.gemm && sqz_kernels_wasmsimd.spmm != sqz_kernels_scalar.spmm,
        "the SIMD table holds scalar kernels");
  CHECK(sqz_kernels_default == &sqz_kernels_wasmsimd, "the native default is not wasmsimd");
}

int main(void) {
  test_tables();
  test_pack();
  test_gemm();
  test_igemm();
  test_conv();
  test_maxpool();
  test_gavgpool();
  return test_finish("test_kernels");
}
