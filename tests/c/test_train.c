/* The trainer (sqz_train_head, src/learn/train.c) against independent facts:
 *  - its exp and log (learn/mathf.c) against libm in double;
 *  - its result against the optimum found by a separately written Newton
 *    method in double (full Hessian) on small problems of the same
 *    objective: mean softmax cross-entropy + l2·ē²·Σ W² on the features as
 *    given, ē their mean length (the trainer's centred, rescaled problem
 *    mapped back); weights, centred biases and objective must agree, at a
 *    tight tolerance and at the default one;
 *  - its report (loss, training accuracy) against the same objective;
 *  - determinism: the same bytes twice, with the scalar twin kernel as with
 *    the SIMD one, on shapes with every tail (classes not a multiple of 4,
 *    sizes not of 8); features scaled by 3 give weights scaled by 1/3;
 *  - misuse refused with a reason, the outputs left untouched. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/mathf.h"
#include "learn/train.h"
#include "testutil.h"

typedef struct problem {
  int n, d, c;
  float *x;
  int *y;
} problem;

/* Non-negative features (as pooled ReLU outputs), class-dependent means and
 * overlap, so the classes are learnable but not separable. */
static problem make_problem(int n, int d, int c) {
  problem p = {n, d, c, malloc((size_t)n * d * sizeof(float)), malloc((size_t)n * sizeof(int))};
  float *centre = malloc((size_t)c * d * sizeof(float));
  for (int i = 0; i < c * d; i++) centre[i] = test_randf(0, 2);
  for (int i = 0; i < n; i++) {
    p.y[i] = (int)(test_rand() % (unsigned)c);
    if (i < c) p.y[i] = i; /* every class present */
    const float len = test_randf(0.5f, 2.0f); /* examples of different lengths */
    for (int k = 0; k < d; k++) {
      float v = centre[p.y[i] * d + k] + test_randf(-1.5f, 1.5f);
      p.x[(size_t)i * d + k] = (v > 0 ? v : 0) * len;
    }
  }
  free(centre);
  return p;
}

static void free_problem(problem *p) { free(p->x), free(p->y); }

static double mean_length(const problem *p) {
  double s = 0;
  for (int i = 0; i < p->n; i++) {
    double q = 0;
    for (int k = 0; k < p->d; k++) q += (double)p->x[(size_t)i * p->d + k] * p->x[(size_t)i * p->d + k];
    s += sqrt(q);
  }
  return s / p->n;
}

/* The objective in double, independently of the trainer; its gradient
 * (W then b) and Hessian (same order) when asked. */
static double objective(const problem *p, double l2, const double *w, const double *b,
                        double *grad, double *hess, int *correct) {
  const int n = p->n, d = p->d, c = p->c, np = c * d + c;
  const double pen = l2 * mean_length(p) * mean_length(p);
  double f = 0, *z = malloc((size_t)c * sizeof(double));
  if (grad) memset(grad, 0, (size_t)np * sizeof(double));
  if (hess) memset(hess, 0, (size_t)np * np * sizeof(double));
  if (correct) *correct = 0;
  for (int i = 0; i < n; i++) {
    const float *x = p->x + (size_t)i * d;
    double mx = -INFINITY, s = 0;
    int best = 0;
    for (int j = 0; j < c; j++) {
      z[j] = b[j];
      for (int k = 0; k < d; k++) z[j] += w[j * d + k] * x[k];
      if (z[j] > mx) mx = z[j], best = j;
    }
    if (correct) *correct += best == p->y[i];
    for (int j = 0; j < c; j++) s += exp(z[j] - mx);
    f += log(s) + mx - z[p->y[i]];
    for (int j = 0; j < c; j++) z[j] = exp(z[j] - mx) / s; /* probabilities */
    if (grad)
      for (int j = 0; j < c; j++) {
        const double r = (z[j] - (j == p->y[i])) / n;
        for (int k = 0; k < d; k++) grad[j * d + k] += r * x[k];
        grad[c * d + j] += r;
      }
    if (hess)
      for (int j = 0; j < c; j++)
        for (int j2 = 0; j2 < c; j2++) {
          const double a = (z[j] * ((j == j2) - z[j2])) / n;
          for (int k = 0; k <= d; k++)
            for (int k2 = 0; k2 <= d; k2++) {
              const int r = k < d ? j * d + k : c * d + j, q = k2 < d ? j2 * d + k2 : c * d + j2;
              hess[(size_t)r * np + q] += a * (k < d ? x[k] : 1) * (k2 < d ? x[k2] : 1);
            }
        }
  }
  f /= n;
  for (int k = 0; k < c * d; k++) {
    f += pen * w[k] * w[k];
    if (grad) grad[k] += 2 * pen * w[k];
    if (hess) hess[(size_t)k * np + k] += 2 * pen;
  }
  free(z);
  return f;
}

/* Solves a·x = r (n × n, a overwritten) by Gaussian elimination with partial pivoting. */
static void solve(double *a, double *r, int n) {
  for (int col = 0; col < n; col++) {
    int piv = col;
    for (int i = col + 1; i < n; i++)
      if (fabs(a[(size_t)i * n + col]) > fabs(a[(size_t)piv * n + col])) piv = i;
    for (int k = 0; k < n; k++) {
      double t = a[(size_t)col * n + k];
      a[(size_t)col * n + k] = a[(size_t)piv * n + k], a[(size_t)piv * n + k] = t;
    }
    double t = r[col];
    r[col] = r[piv], r[piv] = t;
    for (int i = col + 1; i < n; i++) {
      const double f = a[(size_t)i * n + col] / a[(size_t)col * n + col];
      for (int k = col; k < n; k++) a[(size_t)i * n + k] -= f * a[(size_t)col * n + k];
      r[i] -= f * r[col];
    }
  }
  for (int i = n - 1; i >= 0; i--) {
    for (int k = i + 1; k < n; k++) r[i] -= a[(size_t)i * n + k] * r[k];
    r[i] /= a[(size_t)i * n + i];
  }
}

/* Newton's method in double. The biases are defined up to a common shift:
 * a tiny extra curvature on them fixes it without moving the optimum
 * (the gradient along that shift is always 0). Returns the objective. */
static double newton(const problem *p, double l2, double *w, double *b) {
  const int np = p->c * p->d + p->c;
  double *theta = calloc((size_t)np, sizeof(double)), *g = malloc((size_t)np * sizeof(double));
  double *h = malloc((size_t)np * np * sizeof(double)), *step = malloc((size_t)np * sizeof(double));
  double *trial = malloc((size_t)np * sizeof(double));
  const int cd = p->c * p->d;
  double f = objective(p, l2, theta, theta + cd, g, h, NULL);
  for (int it = 0; it < 100; it++) {
    double gn = 0;
    for (int k = 0; k < np; k++) gn += g[k] * g[k];
    if (sqrt(gn) < 1e-14) break;
    for (int k = cd; k < np; k++) h[(size_t)k * np + k] += 1e-12;
    for (int k = 0; k < np; k++) step[k] = -g[k];
    solve(h, step, np);
    double t = 1, f1;
    do {
      for (int k = 0; k < np; k++) trial[k] = theta[k] + t * step[k];
      f1 = objective(p, l2, trial, trial + cd, NULL, NULL, NULL);
      t *= 0.5;
    } while (f1 > f && t > 1e-10);
    if (!(f1 <= f)) break;
    memcpy(theta, trial, (size_t)np * sizeof(double));
    f = objective(p, l2, theta, theta + cd, g, h, NULL);
  }
  memcpy(w, theta, (size_t)cd * sizeof(double));
  memcpy(b, theta + cd, (size_t)p->c * sizeof(double));
  free(theta), free(g), free(h), free(step), free(trial);
  return f;
}

static void test_math(void) {
  double worst = 0;
  int n = 0;
  for (double x = -86.99; x <= 0; x += 0.0137, n++) {
    const float xf = (float)x;
    const double e = fabs(sqz_learn_exp(xf) - exp((double)xf)) / exp((double)xf);
    worst = e > worst ? e : worst;
  }
  CHECK(worst < 2e-7 && n > 6000, "exp: worst relative error %.3g over %d points", worst, n);
  CHECK(sqz_learn_exp(-88.0f) == 0 && sqz_learn_exp(-1e30f) == 0 && sqz_learn_exp(0) == 1.0f,
        "exp at its ends");
  worst = 0, n = 0;
  for (double x = 1.0; x < 2e6; x *= 1.0123, n++) {
    const double e = fabs(sqz_learn_log(x) - log(x)) / (log(x) > 1e-300 ? log(x) : 1);
    worst = e > worst ? e : worst;
  }
  CHECK(worst < 1e-14 && n > 1000, "log: worst relative error %.3g over %d points", worst, n);
  CHECK(sqz_learn_log(1.0) == 0, "log(1) = %g", sqz_learn_log(1.0));
}

/* Our head for problem p vs Newton's; tolerance 0: the default. */
static void test_optimum(int n, int d, int c, float l2, float tolerance) {
  problem p = make_problem(n, d, c);
  float *w = malloc((size_t)c * d * sizeof(float)), *b = malloc((size_t)c * sizeof(float));
  double *ws = malloc((size_t)c * d * sizeof(double)), *bs = malloc((size_t)c * sizeof(double));
  double *wd = malloc((size_t)c * d * sizeof(double)), *bd = malloc((size_t)c * sizeof(double));
  sqz_train_config cfg = {NULL, tolerance, 0};
  sqz_train_options o = {l2, tolerance ? 2000 : 0};
  sqz_train_report r;
  sqz_error err = {SQZ_OK, ""};
  sqz_status st = sqz_train_head_with(&cfg, p.x, p.y, n, d, c, &o, w, b, &r, &err);
  CHECK(st == SQZ_OK, "train %dx%d, %d classes: %s", n, d, c, err.message);
  const double f_star = newton(&p, l2, ws, bs);
  for (int k = 0; k < c * d; k++) wd[k] = w[k];
  for (int j = 0; j < c; j++) bd[j] = b[j];
  int correct = 0;
  const double f = objective(&p, l2, wd, bd, NULL, NULL, &correct);
  double wmax = 0, wdiff = 0, bmean = 0, bsmean = 0, bdiff = 0;
  for (int k = 0; k < c * d; k++) {
    wmax = fmax(wmax, fabs(ws[k]));
    wdiff = fmax(wdiff, fabs(ws[k] - wd[k]));
  }
  for (int j = 0; j < c; j++) bmean += bd[j] / c, bsmean += bs[j] / c;
  for (int j = 0; j < c; j++) bdiff = fmax(bdiff, fabs((bd[j] - bmean) - (bs[j] - bsmean)));
  printf("  %4d x %3d, %2d classes, l2 %g, tolerance %g: %d iterations, %d evaluations; objective "
         "%.9f vs Newton %.9f; max |W - W*| %.2e (max |W*| %.3g), centred biases %.2e\n",
         n, d, c, (double)l2, (double)tolerance, r.iterations, cfg.evaluations, f, f_star, wdiff,
         wmax, bdiff);
  const double tight = tolerance != 0;
  CHECK(f - f_star <= (tight ? 1e-6 : 1e-4) * f_star && f >= f_star - 1e-9,
        "objective %.9f vs the optimum %.9f", f, f_star);
  CHECK(wdiff <= (tight ? 1e-3 : 1e-2) * wmax, "weights differ from the optimum's by %.3g", wdiff);
  CHECK(bdiff <= (tight ? 1e-3 : 1e-2) * (wmax + 1), "centred biases differ by %.3g", bdiff);
  CHECK(fabs(r.loss - f) <= 1e-5 * f, "report loss %.7f, objective at the result %.7f", r.loss, f);
  CHECK(r.train_accuracy == (float)correct / n, "report accuracy %g, counted %d/%d",
        r.train_accuracy, correct, n);
  CHECK(r.iterations > 0 && r.iterations <= (tight ? 2000 : 200) && r.gradient_norm >= 0,
        "report: %d iterations, gradient norm %g", r.iterations, r.gradient_norm);
  free(w), free(b), free(ws), free(bs), free(wd), free(bd);
  free_problem(&p);
}

static int same_bytes(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof(float)) == 0; }

static void test_determinism(int n, int d, int c) {
  problem p = make_problem(n, d, c);
  const size_t nw = (size_t)c * d;
  float *w[3], *b[3];
  sqz_train_config cfg[3] = {{NULL, 0, 0}, {NULL, 0, 0}, {sqz_f32_mm_ukernel_4x8__scalar, 0, 0}};
  for (int r = 0; r < 3; r++) {
    w[r] = malloc(nw * sizeof(float)), b[r] = malloc((size_t)c * sizeof(float));
    sqz_error err = {SQZ_OK, ""};
    CHECK(sqz_train_head_with(&cfg[r], p.x, p.y, n, d, c, NULL, w[r], b[r], NULL, &err) == SQZ_OK,
          "train %dx%d: %s", n, d, err.message);
  }
  CHECK(same_bytes(w[0], w[1], nw) && same_bytes(b[0], b[1], (size_t)c), "%dx%d, %d classes: two runs differ", n, d, c);
  CHECK(same_bytes(w[0], w[2], nw) && same_bytes(b[0], b[2], (size_t)c),
        "%dx%d, %d classes: the scalar twin gives other bytes than the SIMD kernel", n, d, c);
  /* features × 3: the same problem, so weights / 3 and the same biases (up to rounding) */
  for (size_t i = 0; i < (size_t)n * d; i++) p.x[i] *= 3;
  sqz_error err = {SQZ_OK, ""};
  CHECK(sqz_train_head(p.x, p.y, n, d, c, NULL, w[1], b[1], NULL, &err) == SQZ_OK, "%s", err.message);
  double worst = 0, wmax = 0;
  for (size_t k = 0; k < nw; k++) wmax = fmax(wmax, fabs(w[0][k]));
  for (size_t k = 0; k < nw; k++) worst = fmax(worst, fabs(3 * w[1][k] - w[0][k]) / wmax);
  for (int j = 0; j < c; j++) worst = fmax(worst, fabs(b[1][j] - b[0][j]) / (wmax + 1));
  CHECK(worst < 1e-3, "features x3: weights x1/3 and biases kept to %.3g", worst);
  printf("  %4d x %3d, %2d classes: identical bytes twice and with the scalar twin; x3 features: %.2g\n", n, d, c, worst);
  for (int r = 0; r < 3; r++) free(w[r]), free(b[r]);
  free_problem(&p);
}

/* Each call must fail with `code` and a reason, leaving weights and bias as they were. */
static void expect_failure(const char *what, sqz_status code, const float *x, const int *y, int n,
                           int d, int c, const sqz_train_options *o, float *w, float *b) {
  const size_t nw = w && c > 0 && d > 0 && c <= 16 && d <= 16 ? (size_t)c * d : 0;
  float wcopy[256], bcopy[16];
  if (nw) memcpy(wcopy, w, nw * sizeof(float)), memcpy(bcopy, b, (size_t)c * sizeof(float));
  sqz_error err = {SQZ_OK, ""};
  sqz_status st = sqz_train_head(x, y, n, d, c, o, w, b, NULL, &err);
  CHECK(st == code && err.code == code && err.message[0], "%s: status %d (%s), want %d", what, st,
        err.message, code);
  if (nw) CHECK(memcmp(wcopy, w, nw * sizeof(float)) == 0 && memcmp(bcopy, b, (size_t)c * sizeof(float)) == 0,
                "%s: outputs changed on failure", what);
  printf("  refused %s: %s\n", what, err.message);
}

static void test_misuse(void) {
  problem p = make_problem(12, 5, 3);
  float w[15], b[3], zeros[60] = {0};
  for (int i = 0; i < 15; i++) w[i] = 7;
  for (int i = 0; i < 3; i++) b[i] = 7;
  sqz_train_options bad_l2 = {-1, 0}, bad_iter = {0, -5}, nan_l2 = {NAN, 0};
  expect_failure("no embeddings", SQZ_ERR_ARGUMENT, NULL, p.y, 12, 5, 3, NULL, w, b);
  expect_failure("no labels", SQZ_ERR_ARGUMENT, p.x, NULL, 12, 5, 3, NULL, w, b);
  expect_failure("no weights", SQZ_ERR_ARGUMENT, p.x, p.y, 12, 5, 3, NULL, NULL, b);
  expect_failure("one class", SQZ_ERR_ARGUMENT, p.x, p.y, 12, 5, 1, NULL, w, b);
  expect_failure("1001 classes", SQZ_ERR_ARGUMENT, p.x, p.y, 12, 5, SQZ_MAX_TAUGHT_CLASSES + 1, NULL, w, b);
  expect_failure("dimension 0", SQZ_ERR_ARGUMENT, p.x, p.y, 12, 0, 3, NULL, w, b);
  expect_failure("dimension 4097", SQZ_ERR_ARGUMENT, p.x, p.y, 12, 4097, 3, NULL, w, b);
  expect_failure("fewer examples than classes", SQZ_ERR_ARGUMENT, p.x, p.y, 2, 5, 3, NULL, w, b);
  expect_failure("too many examples", SQZ_ERR_ARGUMENT, p.x, p.y, SQZ_MAX_TRAIN_EXAMPLES + 1, 5, 3, NULL, w, b);
  expect_failure("negative l2", SQZ_ERR_ARGUMENT, p.x, p.y, 12, 5, 3, &bad_l2, w, b);
  expect_failure("NaN l2", SQZ_ERR_ARGUMENT, p.x, p.y, 12, 5, 3, &nan_l2, w, b);
  expect_failure("negative iterations", SQZ_ERR_ARGUMENT, p.x, p.y, 12, 5, 3, &bad_iter, w, b);
  expect_failure("memory over the limit", SQZ_ERR_LIMIT, p.x, p.y, SQZ_MAX_TRAIN_EXAMPLES, 4096, 1000, NULL, w, b);
  int y_bad[12];
  memcpy(y_bad, p.y, sizeof y_bad);
  y_bad[5] = 3;
  expect_failure("a label past the classes", SQZ_ERR_ARGUMENT, p.x, y_bad, 12, 5, 3, NULL, w, b);
  y_bad[5] = -1;
  expect_failure("a negative label", SQZ_ERR_ARGUMENT, p.x, y_bad, 12, 5, 3, NULL, w, b);
  for (int i = 0; i < 12; i++) y_bad[i] = i % 2; /* class 2 empty */
  expect_failure("an empty class", SQZ_ERR_ARGUMENT, p.x, y_bad, 12, 5, 3, NULL, w, b);
  float x_bad[60];
  memcpy(x_bad, p.x, sizeof x_bad);
  x_bad[17] = INFINITY;
  expect_failure("an infinite value", SQZ_ERR_ARGUMENT, x_bad, p.y, 12, 5, 3, NULL, w, b);
  x_bad[17] = NAN;
  expect_failure("a NaN value", SQZ_ERR_ARGUMENT, x_bad, p.y, 12, 5, 3, NULL, w, b);
  expect_failure("all-zero examples", SQZ_ERR_ARGUMENT, zeros, p.y, 12, 5, 3, NULL, w, b);
  /* and after all that it still trains */
  sqz_error err = {SQZ_OK, ""};
  CHECK(sqz_train_head(p.x, p.y, 12, 5, 3, NULL, w, b, NULL, &err) == SQZ_OK, "after misuse: %s", err.message);
  free_problem(&p);
}

int main(void) {
  test_math();
  printf("against Newton's optimum in double:\n");
  test_optimum(60, 7, 4, 1e-4f, 1e-5f);
  test_optimum(90, 13, 3, 1e-3f, 1e-5f);
  test_optimum(200, 24, 6, 1e-4f, 1e-5f);
  test_optimum(60, 7, 4, 1e-4f, 0);
  test_optimum(200, 24, 6, 1e-4f, 0);
  test_optimum(150, 30, 5, 1e-2f, 0);
  printf("determinism:\n");
  test_determinism(137, 45, 7);
  test_determinism(300, 512, 10);
  test_determinism(301, 33, 2);
  printf("misuse:\n");
  test_misuse();
  return test_finish("test_train");
}
