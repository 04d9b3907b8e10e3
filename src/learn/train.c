/* Training a head (sqz_train_head): multinomial logistic regression, i.e.
 * mean softmax cross-entropy + l2 × Σ weights², full batch, by L-BFGS with a
 * backtracking line search, from zero.
 *
 * The examples are centred and divided by their mean length first. Both are
 * exact reparametrisations of a linear head with a free bias (the head found
 * is mapped back to the features as given), so the optimum is that of the
 * features scaled to unit length on average; centring only makes the problem
 * better conditioned (the mean direction, shared by every non-negative
 * feature vector, otherwise dominates the curvature).
 *
 * Determinism: the matrix products are kernels/mm.h's (fixed order of adds,
 * SIMD and scalar alike), exp and log are learn/mathf.c's, every other sum is
 * a loop in a fixed order in double, and nothing contracts to FMA: the same
 * examples give the same bytes on every platform. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF /* and -ffp-contract=off for gcc (CMakeLists.txt) */
#endif
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "format/format.h"
#include "learn/mathf.h"
#include "learn/train.h"

#define DEFAULT_L2 1e-4f
#define DEFAULT_ITERATIONS 200
#define DEFAULT_TOLERANCE 1e-3f
#define MEMORY 5 /* L-BFGS pairs */
#define MAX_ITERATIONS 100000
#define MAX_HALVINGS 10
#define MIN_DECREASE 1e-9 /* relative: below it, rounding noise of the float logits */

typedef struct problem {
  int n, d, c, c4;
  const int *y;
  float *u;   /* n × d: the examples, centred and scaled */
  float *vt;  /* d × c4: the weights transposed, columns past c zero */
  float *z;   /* n × c4: logits, then exponentials */
  float *dt;  /* c × n: (probabilities − targets) / n */
  double l2;
  sqz_f32_mm_fn mm;
  int correct; /* examples whose top-1 was their label at the last evaluation */
} problem;

/* c (rows × cols, row stride cs floats) += a (rows × k, stride as) · b (k × cols,
 * stride bs), k in blocks so that a block of b's rows stays in cache (and in
 * the TLB: b's rows can be 2 KB apart) while every row tile passes over it.
 * The kernel accumulates, so the blocks leave every sum's order unchanged. */
static void matmul(sqz_f32_mm_fn mm, int rows, int cols, int k, const float *a, int as,
                   const float *b, int bs, float *c, int cs) {
  const int block = 128;
  for (int k0 = 0; k0 < k; k0 += block) {
    const int kc = k - k0 < block ? k - k0 : block;
    for (int m0 = 0; m0 < rows; m0 += SQZ_F32_MM_MR) {
      const int mr = rows - m0 < SQZ_F32_MM_MR ? rows - m0 : SQZ_F32_MM_MR;
      mm((size_t)mr, (size_t)cols, (size_t)kc, a + (size_t)m0 * as + k0, (size_t)as * sizeof(float),
         b + (size_t)k0 * bs, (size_t)bs * sizeof(float), c + (size_t)m0 * cs,
         (size_t)cs * sizeof(float));
    }
  }
}

/* The objective at theta = (V: c × d, beta: c); its gradient into grad unless NULL. */
static double evaluate(problem *p, const float *theta, float *grad) {
  const int n = p->n, d = p->d, c = p->c, c4 = p->c4;
  const float *v = theta, *beta = theta + (size_t)c * d;
  for (int j = 0; j < c; j++)
    for (int k = 0; k < d; k++) p->vt[(size_t)k * c4 + j] = v[(size_t)j * d + k];
  for (int i = 0; i < n; i++) memcpy(p->z + (size_t)i * c4, beta, (size_t)c * sizeof(float));
  matmul(p->mm, n, c4, d, p->u, d, p->vt, c4, p->z, c4); /* logits = beta + V·u */
  const float inv_n = 1.0f / (float)n;
  double loss = 0;
  int correct = 0;
  for (int i = 0; i < n; i++) {
    float *z = p->z + (size_t)i * c4;
    int best = 0;
    for (int j = 1; j < c; j++)
      if (z[j] > z[best]) best = j;
    correct += best == p->y[i];
    const float mx = z[best], zy = z[p->y[i]];
    double sum = 0;
    for (int j = 0; j < c; j++) sum += (double)(z[j] = sqz_learn_exp(z[j] - mx));
    loss += sqz_learn_log(sum) + (double)mx - (double)zy;
    if (grad) {
      const double inv_sum = 1.0 / sum;
      for (int j = 0; j < c; j++) {
        const float prob = (float)((double)z[j] * inv_sum);
        p->dt[(size_t)j * n + i] = (prob - (j == p->y[i] ? 1.0f : 0.0f)) * inv_n;
      }
    }
  }
  double penalty = 0;
  for (size_t k = 0; k < (size_t)c * d; k++) penalty += (double)v[k] * v[k];
  p->correct = correct;
  if (grad) {
    memset(grad, 0, (size_t)c * d * sizeof(float));
    matmul(p->mm, c, d, n, p->dt, n, p->u, d, grad, d);
    const float twice_l2 = (float)(2 * p->l2);
    for (size_t k = 0; k < (size_t)c * d; k++) grad[k] = grad[k] + twice_l2 * v[k];
    for (int j = 0; j < c; j++) {
      double s = 0;
      for (int i = 0; i < n; i++) s += p->dt[(size_t)j * n + i];
      grad[(size_t)c * d + j] = (float)s;
    }
  }
  return loss / n + p->l2 * penalty;
}

static double dot(const float *a, const float *b, size_t len) {
  double s = 0;
  for (size_t i = 0; i < len; i++) s += (double)a[i] * b[i];
  return s;
}

static sqz_status check_arguments(const float *x, const int *labels, int n, int dim, int classes,
                                  const sqz_train_options *o, const float *weights,
                                  const float *bias, sqz_error *err) {
  if (!x || !labels || !weights || !bias)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "train: a required pointer is NULL");
  if (classes < 2 || classes > SQZ_MAX_TAUGHT_CLASSES)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "train: %d classes (2..%d allowed)", classes,
                    SQZ_MAX_TAUGHT_CLASSES);
  if (dim < 1 || dim > SQZ_MAX_CHANNELS)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "train: embedding size %d (1..%d allowed)", dim,
                    SQZ_MAX_CHANNELS);
  if (n < classes || n > SQZ_MAX_TRAIN_EXAMPLES)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "train: %d examples for %d classes (%d..%d allowed)", n,
                    classes, classes, SQZ_MAX_TRAIN_EXAMPLES);
  if (o && (!(o->l2 >= 0 && o->l2 <= 1e3f) || o->max_iterations < 0 ||
            o->max_iterations > MAX_ITERATIONS))
    return sqz_fail(err, SQZ_ERR_ARGUMENT,
                    "train: options out of range (l2 %g: 0..1000; max_iterations %d: 0..%d)",
                    (double)o->l2, o->max_iterations, MAX_ITERATIONS);
  return SQZ_OK;
}

static sqz_status check_examples(const float *x, const int *labels, int n, int dim, int classes,
                                 sqz_error *err) {
  int *count = calloc((size_t)classes, sizeof(int));
  if (!count) return sqz_fail(err, SQZ_ERR_MEMORY, "train: out of memory");
  sqz_status st = SQZ_OK;
  for (int i = 0; i < n && st == SQZ_OK; i++) {
    if (labels[i] < 0 || labels[i] >= classes)
      st = sqz_fail(err, SQZ_ERR_ARGUMENT, "train: example %d has label %d (0..%d allowed)", i,
                    labels[i], classes - 1);
    else count[labels[i]]++;
    for (int k = 0; k < dim && st == SQZ_OK; k++)
      if (!isfinite(x[(size_t)i * dim + k]))
        st = sqz_fail(err, SQZ_ERR_ARGUMENT, "train: example %d value %d is not finite", i, k);
  }
  for (int j = 0; j < classes && st == SQZ_OK; j++)
    if (count[j] == 0) st = sqz_fail(err, SQZ_ERR_ARGUMENT, "train: class %d has no examples", j);
  free(count);
  return st;
}

/* u = (x − mean) / scale, scale the mean length of the examples (> 0). */
static sqz_status prepare_features(const float *x, int n, int d, float *u, double *mean,
                                   double *scale, sqz_error *err) {
  double total = 0;
  for (int i = 0; i < n; i++) {
    const float *xi = x + (size_t)i * d;
    for (int k = 0; k < d; k++) mean[k] += xi[k];
    total += sqrt(dot(xi, xi, (size_t)d));
  }
  if (!(total > 0)) return sqz_fail(err, SQZ_ERR_ARGUMENT, "train: every example is all zeros");
  *scale = total / n;
  for (int k = 0; k < d; k++) mean[k] /= n;
  for (int i = 0; i < n; i++)
    for (int k = 0; k < d; k++)
      u[(size_t)i * d + k] = (float)((x[(size_t)i * d + k] - mean[k]) / *scale);
  return SQZ_OK;
}

sqz_status sqz_train_head_with(sqz_train_config *cfg, const float *x, const int *labels,
                               int n, int dim, int classes, const sqz_train_options *o,
                               float *weights, float *bias, sqz_train_report *report,
                               sqz_error *err) {
  sqz_status st = check_arguments(x, labels, n, dim, classes, o, weights, bias, err);
  if (st) return st;
  const int d = dim, c = classes, c4 = (classes + 3) & ~3, m = MEMORY;
  const size_t np = (size_t)c * d + c; /* parameters: V (c × d), then beta (c) */
  /* floats: u, vt, z, dt; theta, grad, trial theta and gradient, direction; m pairs.
   * doubles: the preconditioner, the mean; rho and alpha per pair. */
  const uint64_t floats = (uint64_t)n * d + (uint64_t)d * c4 + (uint64_t)n * c4 +
                          (uint64_t)c * n + (uint64_t)np * (5 + 2 * m);
  const uint64_t doubles = (uint64_t)np + (uint64_t)d + 2 * m;
  const uint64_t bytes = floats * sizeof(float) + doubles * sizeof(double);
  if (bytes > SQZ_MAX_ARENA_BYTES)
    return sqz_fail(err, SQZ_ERR_LIMIT,
                    "train: %d examples of %d values in %d classes need %llu MB (over %u MB)", n,
                    d, c, (unsigned long long)(bytes >> 20), (unsigned)(SQZ_MAX_ARENA_BYTES >> 20));
  if ((st = check_examples(x, labels, n, dim, classes, err))) return st;
  float *block = calloc((size_t)floats, sizeof(float));
  double *dblock = calloc((size_t)doubles, sizeof(double));
  if (!block || !dblock) {
    free(block), free(dblock);
    return sqz_fail(err, SQZ_ERR_MEMORY, "train: out of memory");
  }
  problem p = {n, d, c, c4, labels, NULL, NULL, NULL, NULL, 0, NULL, 0};
  p.l2 = o && o->l2 > 0 ? o->l2 : DEFAULT_L2;
  p.mm = cfg && cfg->mm ? cfg->mm : SQZ_F32_MM_DEFAULT;
  const int max_iterations = o && o->max_iterations > 0 ? o->max_iterations : DEFAULT_ITERATIONS;
  const double tolerance = cfg && cfg->tolerance > 0 ? cfg->tolerance : DEFAULT_TOLERANCE;
  float *q = block;
  p.u = q, q += (size_t)n * d;
  p.vt = q, q += (size_t)d * c4;
  p.z = q, q += (size_t)n * c4;
  p.dt = q, q += (size_t)c * n;
  float *theta = q, *grad = q + np, *theta1 = q + 2 * np, *grad1 = q + 3 * np, *dir = q + 4 * np;
  float *hist_s = q + 5 * np, *hist_y = hist_s + (size_t)m * np;
  double *pre = dblock, *mean = pre + np, *rho = mean + d, *alpha = rho + m;
  double scale = 1;
  if ((st = prepare_features(x, n, d, p.u, mean, &scale, err))) {
    free(block), free(dblock);
    return st;
  }

  /* The preconditioner D: the inverse curvature of the objective along each
   * parameter at the start, up to a common factor (probabilities 1/c: a
   * weight's ≈ (variance of its feature + 2·l2·c) / c, a bias's ≈ 1/c). */
  for (int k = 0; k < d; k++) {
    double v = 0;
    for (int i = 0; i < n; i++) v += (double)p.u[(size_t)i * d + k] * p.u[(size_t)i * d + k];
    pre[k] = 1 / (v / n + 2 * p.l2 * c);
  }
  for (int j = 1; j < c; j++) memcpy(pre + (size_t)j * d, pre, (size_t)d * sizeof(double));
  for (int j = 0; j < c; j++) pre[(size_t)c * d + j] = 1;

  /* L-BFGS (Nocedal & Wright, algorithm 7.4; H0 = gamma·D) with Armijo
   * backtracking, from zero, until the gradient shrinks by `tolerance`. */
  double f = evaluate(&p, theta, grad), gnorm = sqrt(dot(grad, grad, np));
  const double gnorm_stop = tolerance * gnorm;
  int evaluations = 1, iterations = 0, stored = 0, newest = -1, correct = p.correct, stalled = 0;
  while (iterations < max_iterations && gnorm > gnorm_stop) {
    /* direction = −H·grad by the two-loop recursion */
    memcpy(dir, grad, np * sizeof(float));
    for (int h = 0; h < stored; h++) {
      const int i = (newest - h + m) % m;
      alpha[i] = rho[i] * dot(hist_s + (size_t)i * np, dir, np);
      const float *yi = hist_y + (size_t)i * np;
      for (size_t k = 0; k < np; k++) dir[k] = (float)(dir[k] - alpha[i] * yi[k]);
    }
    /* gamma from the newest pair (sᵀy / yᵀDy); the first step has unit length */
    const float *yn = stored ? hist_y + (size_t)newest * np : grad;
    double ydy = 0;
    for (size_t k = 0; k < np; k++) ydy += (double)yn[k] * yn[k] * (stored ? pre[k] : pre[k] * pre[k]);
    const double gamma = stored ? 1 / (rho[newest] * ydy) : 1 / sqrt(ydy);
    for (size_t k = 0; k < np; k++) dir[k] = (float)(dir[k] * (gamma * pre[k]));
    for (int h = stored - 1; h >= 0; h--) {
      const int i = (newest - h + m) % m;
      const double b = rho[i] * dot(hist_y + (size_t)i * np, dir, np);
      const float *si = hist_s + (size_t)i * np;
      for (size_t k = 0; k < np; k++) dir[k] = (float)(dir[k] + (alpha[i] - b) * si[k]);
    }
    for (size_t k = 0; k < np; k++) dir[k] = -dir[k];
    double slope = dot(grad, dir, np);
    if (!(slope < 0)) { /* not a descent direction (rounding): steepest descent, memory cleared */
      stored = 0;
      for (size_t k = 0; k < np; k++) dir[k] = (float)(-grad[k] / gnorm);
      slope = -gnorm;
    }
    double step = 1, f1 = f;
    int accepted = 0;
    for (int h = 0; h < MAX_HALVINGS && !accepted; h++, step *= 0.5) {
      for (size_t k = 0; k < np; k++) theta1[k] = (float)(theta[k] + step * dir[k]);
      f1 = evaluate(&p, theta1, grad1);
      evaluations++;
      accepted = f1 <= f + 1e-4 * step * slope;
    }
    /* no decrease left at float precision: as good as it gets */
    if (!accepted || f - f1 <= MIN_DECREASE * (f > 1 ? f : 1)) stalled = 1;
    if (!accepted) break;
    /* the pair (s, y) = (theta1 − theta, grad1 − grad), kept if its curvature is positive */
    const int slot = (newest + 1) % m;
    float *s = hist_s + (size_t)slot * np, *yv = hist_y + (size_t)slot * np;
    for (size_t k = 0; k < np; k++) s[k] = theta1[k] - theta[k], yv[k] = grad1[k] - grad[k];
    const double sy = dot(s, yv, np);
    if (sy > 1e-10 * sqrt(dot(s, s, np) * dot(yv, yv, np))) {
      rho[slot] = 1 / sy;
      newest = slot;
      if (stored < m) stored++;
    }
    memcpy(theta, theta1, np * sizeof(float));
    memcpy(grad, grad1, np * sizeof(float));
    f = f1;
    correct = p.correct;
    gnorm = sqrt(dot(grad, grad, np));
    iterations++;
    if (stalled) break;
  }
  if (cfg) cfg->evaluations = evaluations;
  if (report) {
    report->loss = (float)f;
    report->train_accuracy = (float)correct / (float)n;
    report->gradient_norm = (float)gnorm;
    report->iterations = iterations;
  }

  /* Back to the features as given: logits = V·u + beta = (V/scale)·x + beta − V·mean/scale. */
  for (int j = 0; j < c; j++) {
    const float *vj = theta + (size_t)j * d;
    double shift = 0;
    for (int k = 0; k < d; k++) {
      weights[(size_t)j * d + k] = (float)(vj[k] / scale);
      shift += (double)vj[k] * mean[k];
    }
    bias[j] = (float)(theta[(size_t)c * d + j] - shift / scale);
  }
  free(block), free(dblock);
  return SQZ_OK;
}

sqz_status sqz_train_head(const float *embeddings, const int *labels, int n, int dim, int classes,
                          const sqz_train_options *options, float *weights, float *bias,
                          sqz_train_report *report, sqz_error *err) {
  return sqz_train_head_with(NULL, embeddings, labels, n, dim, classes, options, weights, bias,
                             report, err);
}
