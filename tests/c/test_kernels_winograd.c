/* Winograd F(2x2, 3x3) and F(4x4, 3x3) kernels. The scalar input and output transforms are
 * checked against the transform matrices applied straight from their
 * definition (double), each wasmsimd kernel against its scalar twin, and the
 * whole pipeline (weight packing, input transform, GEMM, output transform)
 * against a direct 3x3 convolution with padding 1 computed in double. Output
 * buffers carry canaries around and between the written elements. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "testutil.h"

#define CANARY (-12345.678f)

/* The transforms, from their definitions (Lavin & Gray 2015), per tile size. */
static const double BT2[4][4] = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
static const double AT2[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};
static const double BT4[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                 {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
static const double AT4[4][6] = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};

typedef struct variant {
  size_t tile;
  sqz_f32_winograd_input_fn input_scalar, input_simd;
  sqz_f32_winograd_output_fn output_scalar, output_simd;
} variant;

static double bt(const variant *t, size_t a, size_t i) { return t->tile == 2 ? BT2[a][i] : BT4[a][i]; }
static double at(const variant *t, size_t a, size_t i) { return t->tile == 2 ? AT2[a][i] : AT4[a][i]; }

static size_t rnd(size_t lo, size_t hi) { return lo + test_rand() % (hi - lo + 1); }

static float *rand_buf(size_t n) {
  float *p = malloc((n ? n : 1) * sizeof(float));
  for (size_t i = 0; i < n; i++) p[i] = test_randf(-1.0f, 1.0f);
  return p;
}

static float *filled(size_t n, float value) {
  float *p = malloc((n ? n : 1) * sizeof(float));
  for (size_t i = 0; i < n; i++) p[i] = value;
  return p;
}

static int near(double got, double want, double tol) { return fabs(got - want) <= tol * (1 + fabs(want)); }

static void test_input_transform(const variant *t) {
  const size_t T = t->tile, A = T + 2;
  for (int iter = 0; iter < 200; iter++) {
    const size_t ih = rnd(1, 9), iw = rnd(1, 9), ch = rnd(1, 13);
    const size_t tiles_all = ((ih + T - 1) / T) * ((iw + T - 1) / T);
    const size_t begin = rnd(0, tiles_all - 1), tiles = rnd(1, tiles_all - begin);
    const size_t panels = (tiles + 3) / 4 * 4; /* tiles rounded up to whole PPMM panels */
    const size_t xi_stride = panels * ch + rnd(0, 5);
    float *in = rand_buf(ih * iw * ch), *zero = filled(ch, 0.0f);
    float *vs = filled(A * A * xi_stride, CANARY), *vv = filled(A * A * xi_stride, CANARY);
    t->input_scalar(in, ih, iw, ch, zero, begin, tiles, vs, xi_stride);
    t->input_simd(in, ih, iw, ch, zero, begin, tiles, vv, xi_stride);
    const size_t tw = (iw + T - 1) / T;
    int bad = 0, differ = 0, canary = 0;
    for (size_t r = 0; r < panels; r++) {
      const long ty = (long)((begin + r) / tw), tx = (long)((begin + r) % tw);
      for (size_t c = 0; c < ch; c++) {
        double d[6][6];
        for (long i = 0; i < (long)A; i++)
          for (long j = 0; j < (long)A; j++) {
            const long y = (long)T * ty + i - 1, x = (long)T * tx + j - 1;
            /* a last panel's lanes past the tiles: zero */
            d[i][j] = r < tiles && y >= 0 && y < (long)ih && x >= 0 && x < (long)iw
                          ? in[((size_t)y * iw + (size_t)x) * ch + c]
                          : 0;
          }
        for (size_t a = 0; a < A; a++)
          for (size_t b = 0; b < A; b++) {
            double want = 0;
            for (size_t i = 0; i < A; i++)
              for (size_t j = 0; j < A; j++) want += bt(t, a, i) * d[i][j] * bt(t, b, j);
            const size_t e = (a * A + b) * xi_stride + r / 4 * 4 * ch + c * 4 + r % 4;
            bad += !near(vs[e], want, 1e-5);
            differ += vs[e] != vv[e];
          }
      }
    }
    for (size_t xi = 0; xi < A * A; xi++)
      for (size_t e = panels * ch; e < xi_stride; e++)
        canary += vs[xi * xi_stride + e] != CANARY || vv[xi * xi_stride + e] != CANARY;
    CHECK(!bad, "F(%zu) input transform (scalar) vs B^T d B: %d wrong, %zux%zux%zu tiles %zu+%zu", T, bad, ih, iw, ch, begin, tiles);
    CHECK(!differ, "F(%zu) input transform wasmsimd vs scalar: %d differ, %zux%zux%zu", T, differ, ih, iw, ch);
    CHECK(!canary, "input transform wrote past its tiles: %d", canary);
    free(in), free(zero), free(vs), free(vv);
  }
}

static void test_output_transform(const variant *t) {
  const size_t T = t->tile, A = T + 2;
  for (int iter = 0; iter < 200; iter++) {
    const size_t oh = rnd(1, 9), ow = rnd(1, 9), ch = rnd(1, 13), pixel_stride = ch + rnd(0, 6);
    const size_t tiles_all = ((oh + T - 1) / T) * ((ow + T - 1) / T);
    const size_t begin = rnd(0, tiles_all - 1), tiles = rnd(1, tiles_all - begin);
    const size_t xi_stride = tiles * ch + rnd(0, 5);
    sqz_minmax_params params = {-INFINITY, INFINITY};
    if (iter % 3 == 1) params.min = 0.0f;
    if (iter % 3 == 2) params.min = -0.5f, params.max = 0.75f;
    float *m = rand_buf(A * A * xi_stride), *bias = rand_buf(ch);
    float *ys = filled(oh * ow * pixel_stride, CANARY), *yv = filled(oh * ow * pixel_stride, CANARY);
    t->output_scalar(m, xi_stride, ch, bias, begin, tiles, oh, ow, ys, pixel_stride, &params);
    t->output_simd(m, xi_stride, ch, bias, begin, tiles, oh, ow, yv, pixel_stride, &params);
    const size_t tw = (ow + T - 1) / T;
    int bad = 0, differ = 0, canary = 0;
    for (size_t y = 0; y < oh; y++)
      for (size_t x = 0; x < ow; x++)
        for (size_t e = 0; e < pixel_stride; e++) {
          const size_t o = (y * ow + x) * pixel_stride + e;
          const size_t ti = (y / T) * tw + x / T;
          differ += memcmp(&ys[o], &yv[o], sizeof(float)) != 0;
          if (e >= ch || ti < begin || ti >= begin + tiles) {
            canary += ys[o] != CANARY;
            continue;
          }
          const size_t r = ti - begin, a = y % T, b = x % T;
          double want = bias[e];
          for (size_t i = 0; i < A; i++)
            for (size_t j = 0; j < A; j++) want += at(t, a, i) * m[(i * A + j) * xi_stride + r * ch + e] * at(t, b, j);
          want = fmin(fmax(want, params.min), params.max);
          bad += !near(ys[o], want, 1e-5);
        }
    CHECK(!bad, "F(%zu) output transform (scalar) vs A^T M A: %d wrong, %zux%zux%zu", T, bad, oh, ow, ch);
    CHECK(!differ, "F(%zu) output transform wasmsimd vs scalar: %d differ, %zux%zux%zu", T, differ, oh, ow, ch);
    CHECK(!canary, "output transform wrote outside its tiles' pixels and channels: %d", canary);
    free(m), free(bias), free(ys), free(yv);
  }
}

/* Packing + transforms + PPMM = a direct 3x3 convolution (pad 1, stride 1). */
static void test_pipeline(const char *name, size_t T, sqz_f32_winograd_input_fn input, sqz_f32_ppmm_fn ppmm,
                          sqz_f32_winograd_output_fn output) {
  const size_t mr = 4, nr = 8, S = (T + 2) * (T + 2);
  for (int iter = 0; iter < 60; iter++) {
    const size_t h = rnd(1, 11), w = rnd(1, 11), cin = rnd(1, 20), cout = rnd(1, 21);
    const size_t tiles = ((h + T - 1) / T) * ((w + T - 1) / T);
    float *in = rand_buf(h * w * cin), *wt = rand_buf(cout * cin * 9), *bias = rand_buf(cout);
    float *zero = filled(cin, 0.0f);
    const size_t set = sqz_packed_conv_size(cout, cin, 1, 1, nr);
    float *packed = filled(sqz_packed_winograd_3x3_size(T, cout, cin, nr), CANARY);
    CHECK(sqz_pack_winograd_3x3(T, cout, cin, nr, wt, packed) == S * set, "winograd packed size");
    const size_t v_stride = (tiles + mr - 1) / mr * mr * cin; /* whole panels */
    float *v = malloc(S * v_stride * sizeof(float)), *m = malloc(S * tiles * cout * sizeof(float));
    float *y = filled(h * w * cout, CANARY);
    const sqz_minmax_params none = {-INFINITY, INFINITY}, relu = {0.0f, INFINITY};
    input(in, h, w, cin, zero, 0, tiles, v, v_stride);
    for (size_t xi = 0; xi < S; xi++)
      for (size_t r = 0; r < tiles; r += mr)
        ppmm(tiles - r < mr ? tiles - r : mr, cout, cin, v + xi * v_stride + r * cin, packed + xi * set,
             m + xi * tiles * cout + r * cout, cout * sizeof(float), nr * sizeof(float), &none);
    output(m, tiles * cout, cout, bias, 0, tiles, h, w, y, cout, &relu);
    int bad = 0;
    for (size_t oy = 0; oy < h; oy++)
      for (size_t ox = 0; ox < w; ox++)
        for (size_t o = 0; o < cout; o++) {
          double want = bias[o], mag = fabs(bias[o]);
          for (size_t ky = 0; ky < 3; ky++)
            for (size_t kx = 0; kx < 3; kx++) {
              const long iy = (long)(oy + ky) - 1, ix = (long)(ox + kx) - 1;
              if (iy < 0 || iy >= (long)h || ix < 0 || ix >= (long)w) continue;
              for (size_t k = 0; k < cin; k++) {
                const double p = (double)in[((size_t)iy * w + (size_t)ix) * cin + k] * wt[(o * cin + k) * 9 + ky * 3 + kx];
                want += p, mag += fabs(p);
              }
            }
          want = want > 0 ? want : 0;
          bad += fabs(y[(oy * w + ox) * cout + o] - want) > 1e-5 * (mag + 1);
        }
    CHECK(!bad, "%s Winograd F(%zu) 3x3 vs direct convolution: %d wrong, %zux%zu, %zu -> %zu channels", name, T, bad, h, w, cin, cout);
    free(in), free(wt), free(bias), free(zero), free(packed), free(v), free(m), free(y);
  }
}

int main(void) {
  const variant f2 = {2, sqz_f32_winograd_input_2x2_3x3__scalar, sqz_f32_winograd_input_2x2_3x3__wasmsimd,
                      sqz_f32_winograd_output_2x2_3x3__scalar, sqz_f32_winograd_output_2x2_3x3__wasmsimd};
  const variant f4 = {4, sqz_f32_winograd_input_4x4_3x3__scalar, sqz_f32_winograd_input_4x4_3x3__wasmsimd,
                      sqz_f32_winograd_output_4x4_3x3__scalar, sqz_f32_winograd_output_4x4_3x3__wasmsimd};
  const variant *variants[] = {&f2, &f4};
  for (int i = 0; i < 2; i++) {
    const variant *t = variants[i];
    test_input_transform(t);
    test_output_transform(t);
    test_pipeline("scalar", t->tile, t->input_scalar, sqz_f32_ppmm_minmax_ukernel_4x8__scalar, t->output_scalar);
    test_pipeline("wasmsimd", t->tile, t->input_simd, sqz_kernels_wasmsimd.ppmm, t->output_simd);
  }
  return test_finish("test_kernels_winograd");
}
