/* The planner's fusion of an im2col convolution with the max pool that
 * alone reads it (ops/conv_maxpool.c), against the same network planned
 * unfused (sqz_conv_policy_unfused: the two steps, the convolution's whole
 * output in the activations):
 * - random small networks (RGB convolution of kernel 1-7, stride 1-3, pad
 *   0-3, with or without ReLU, then a max pool of kernel 1-4, stride 1-4,
 *   floor or ceil mode, a 1x1 convolution and the global pool) on odd input
 *   sizes: the pool's output and the logits are the same bits fused and
 *   unfused, with the SIMD kernels and the scalar twins, on 1 and 3 threads
 *   (strips of uneven heights), run twice (nothing stale reused); the
 *   pool's output read after running the steps up to it alone (later steps
 *   may reuse its memory);
 * - where the planner must not fuse (a second reader of the convolution's
 *   output) it does not;
 * - on squeezenet1_1 and 1_0 the same logits, and the stem's output is no longer planned: the
 *   activations shrink by at least 40% of its bytes (v1.0: 2.05 of 4.73 MB,
 *   the input and fire modules' tensors then the largest). */
#include <stdlib.h>
#include <string.h>

#include "engine/plan.h"
#include "testutil.h"

typedef struct shape {
  int side_h, side_w, cout, k, stride, pad, relu; /* the convolution */
  int pool_k, pool_stride, pool_ceil;
} shape;

enum { CLASSES = 3 };

/* Weights for a desc: values in floats, pointed to by the desc's views. */
typedef struct model {
  sqz_model_desc d;
  float *w0, *b0, *w1, *b1;
} model;

static sqz_tensor_view f32_view(const float *v, int count) {
  sqz_tensor_view t = {SQZ_ENC_F32, (uint32_t)count, (uint32_t)count * 4, (const uint8_t *)v};
  return t;
}

static float *random_floats(int n) {
  float *v = malloc((size_t)n * sizeof(float));
  for (int i = 0; i < n; i++) v[i] = test_randf(-1.0f, 1.0f);
  return v;
}

static void make_model(model *m, const shape *s) {
  memset(m, 0, sizeof *m);
  sqz_model_desc *d = &m->d;
  d->input_channels = 3;
  d->recipe.input_height = s->side_h, d->recipe.input_width = s->side_w;
  d->num_labels = CLASSES;
  d->num_layers = 4;
  const int n0 = s->cout * 3 * s->k * s->k;
  m->w0 = random_floats(n0), m->b0 = random_floats(s->cout);
  m->w1 = random_floats(CLASSES * s->cout), m->b1 = random_floats(CLASSES);
  sqz_layer_desc *l = d->layers;
  l[0].op = SQZ_OP_CONV;
  l[0].conv = (sqz_conv_desc){s->cout, s->k, s->k, s->stride, s->pad, s->relu, f32_view(m->w0, n0),
                              f32_view(m->b0, s->cout)};
  l[1].op = SQZ_OP_MAXPOOL;
  l[1].pool_kernel = s->pool_k, l[1].pool_stride = s->pool_stride, l[1].pool_ceil = s->pool_ceil;
  l[2].op = SQZ_OP_CONV;
  l[2].conv = (sqz_conv_desc){CLASSES, 1, 1, 1, 0, 0, f32_view(m->w1, CLASSES * s->cout), f32_view(m->b1, CLASSES)};
  l[3].op = SQZ_OP_GAP;
}

static void free_model(model *m) { free(m->w0), free(m->b0), free(m->w1), free(m->b1); }

/* What a run gives: the pool's output and the logits. */
typedef struct result {
  float *pooled, logits[CLASSES];
  size_t pooled_floats;
  int fused;        /* the network has a fused step */
  uint64_t activations;
} result;

static uint64_t activations_of(const sqz_network *net) {
  uint64_t end = 0;
  for (int i = 0; i < net->num_tensors; i++) {
    const sqz_tensor *t = &net->tensors[i];
    const uint64_t e = t->first == SQZ_KEPT ? 0 : t->offset + (uint64_t)t->h * t->w * t->c * sizeof(float);
    if (e > end) end = e;
  }
  return end;
}

/* Plans d with kernels k and policy p on a pool of `threads`, runs it twice on
 * input (both runs must agree) and keeps what the second gives. */
static int run(const sqz_model_desc *d, const sqz_kernels *k, const sqz_conv_policy *p, int threads,
               const float *input, result *r, const char *what) {
  sqz_error err = {0, ""};
  sqz_network *net = NULL;
  sqz_pool *pool = threads > 1 ? sqz_pool_create(threads, &err) : NULL;
  memset(r, 0, sizeof *r);
  const int ok = (threads == 1 || pool) && sqz_network_create(d, k, p, &net, &err) == SQZ_OK &&
                 sqz_network_set_pool(net, pool, &err) == SQZ_OK;
  CHECK(ok, "%s (%s, %s, %d threads): %s", what, k->name, p->name, threads, err.message);
  if (ok) {
    /* the pool's output: what the step after the stem (fused or the pool) writes */
    int pool_step = -1;
    for (int i = 0; i < net->num_steps && pool_step < 0; i++)
      if (net->steps[i].kind == SQZ_STEP_MAXPOOL || net->steps[i].kind == SQZ_STEP_CONV_MAXPOOL) pool_step = i;
    CHECK(pool_step >= 0, "%s: no pool step", what);
    const sqz_tensor *t = &net->tensors[net->steps[pool_step < 0 ? 0 : pool_step].output];
    r->fused = pool_step >= 0 && net->steps[pool_step].kind == SQZ_STEP_CONV_MAXPOOL;
    r->activations = activations_of(net);
    r->pooled_floats = (size_t)t->h * t->w * t->c;
    r->pooled = malloc(r->pooled_floats * sizeof(float));
    const size_t input_floats = (size_t)d->recipe.input_height * d->recipe.input_width * 3;
    for (int pass = 0; pass < 2; pass++) {
      /* the pool's output, read before later steps reuse its memory */
      memcpy(sqz_network_input(net), input, input_floats * sizeof(float));
      for (int i = 0; i <= pool_step; i++) sqz_network_run_step(net, i);
      if (pass == 1)
        CHECK(memcmp(r->pooled, t->data, r->pooled_floats * sizeof(float)) == 0,
              "%s (%s, %s, %d threads): a second run's pool differs", what, k->name, p->name, threads);
      memcpy(r->pooled, t->data, r->pooled_floats * sizeof(float));
      memcpy(sqz_network_input(net), input, input_floats * sizeof(float));
      const float *logits = sqz_network_run(net);
      if (pass == 1)
        CHECK(memcmp(r->logits, logits, sizeof r->logits) == 0, "%s (%s, %s, %d threads): a second run differs",
              what, k->name, p->name, threads);
      memcpy(r->logits, logits, sizeof r->logits);
    }
  }
  sqz_network_free(net);
  sqz_pool_free(pool);
  return ok;
}

/* Fused against unfused on one shape; returns whether it fused. */
static int check_shape(const shape *s) {
  char what[160];
  snprintf(what, sizeof what, "%dx%d conv %dx%d/%d pad %d relu %d cout %d, pool %d/%d %s", s->side_h, s->side_w, s->k,
           s->k, s->stride, s->pad, s->relu, s->cout, s->pool_k, s->pool_stride, s->pool_ceil ? "ceil" : "floor");
  model m;
  make_model(&m, s);
  const size_t input_floats = (size_t)s->side_h * s->side_w * 3;
  float *input = random_floats((int)input_floats);
  const sqz_kernels *isas[2] = {&sqz_kernels_wasmsimd, &sqz_kernels_scalar};
  int fused = 1;
  for (int isa = 0; isa < 2; isa++) {
    result base, r;
    if (!run(&m.d, isas[isa], &sqz_conv_policy_unfused, 1, input, &base, what)) continue;
    CHECK(!base.fused, "%s: fused under the unfused policy", what);
    const int threads[2] = {1, 3};
    for (int t = 0; t < 2; t++) {
      if (!run(&m.d, isas[isa], &sqz_conv_policy_default, threads[t], input, &r, what)) continue;
      fused &= r.fused;
      CHECK(r.pooled_floats == base.pooled_floats &&
                memcmp(r.pooled, base.pooled, base.pooled_floats * sizeof(float)) == 0 &&
                memcmp(r.logits, base.logits, sizeof r.logits) == 0,
            "%s (%s, %d threads): fused %s differs from unfused", what, isas[isa]->name, threads[t],
            r.fused ? "step" : "(not fused)");
      free(r.pooled);
    }
    free(base.pooled);
  }
  free(input);
  free_model(&m);
  return fused;
}

/* The convolution's output read by a second step: no fusion. A model's
 * layers run in a chain, so the test plans a chain and then adds a reader. */
static void check_not_fused_with_two_readers(void) {
  const shape s = {20, 20, 8, 3, 2, 0, 1, 3, 2, 1};
  model m;
  make_model(&m, &s);
  sqz_network *net = calloc(1, sizeof *net);
  net->exec.k = &sqz_kernels_wasmsimd;
  sqz_error err = {0, ""};
  sqz_planner p = {.net = net, .policy = &sqz_conv_policy_default, .err = &err};
  int x, y, z;
  sqz_step *extra;
  /* conv → pool, and a 1x1 convolution also reading the conv's output */
  CHECK(sqz_plan_tensor(&p, 20, 20, 3, &x) == SQZ_OK && sqz_plan_conv(&p, &m.d.layers[0].conv, "conv0", x, -1, 0, &y) == SQZ_OK &&
            sqz_plan_maxpool(&p, &m.d.layers[1], 1, y, &z) == SQZ_OK &&
            sqz_plan_step(&p, SQZ_STEP_MAXPOOL, "reader", y, z, &extra) == SQZ_OK,
        "planning the chain: %s", err.message);
  net->steps[0].kind = SQZ_CONV_IM2COL;
  const int steps = net->num_steps;
  sqz_plan_fuse_maxpools(&p);
  CHECK(net->num_steps == steps && net->steps[0].kind == SQZ_CONV_IM2COL, "fused though a third step reads it");
  /* without the extra reader it fuses, and the intermediate is read and written by none */
  net->num_steps = 2;
  net->tensors[y].last = 1;
  sqz_plan_fuse_maxpools(&p);
  CHECK(net->num_steps == 1 && net->steps[0].kind == SQZ_STEP_CONV_MAXPOOL && net->steps[0].output == z &&
            net->tensors[y].first == SQZ_KEPT && net->tensors[y].last == -1 && net->tensors[z].first == 0 &&
            strcmp(net->steps[0].name, "conv0+pool1") == 0,
        "the chain conv0 → pool1 not fused as expected (%d steps, %s)", net->num_steps, net->steps[0].name);
  free(net);
  free_model(&m);
}

static void check_shipped(const char *name) {
  size_t size;
  uint8_t *bytes = test_read_model(name, &size);
  if (!bytes) return;
  sqz_model_desc *d = malloc(sizeof *d);
  sqz_error err = {0, ""};
  CHECK(sqz_model_parse(bytes, size, d, &err) == SQZ_OK, "%s: %s", name, err.message);
  sqz_network *fused = NULL, *unfused = NULL;
  CHECK(sqz_network_create(d, NULL, NULL, &fused, &err) == SQZ_OK &&
            sqz_network_create(d, NULL, &sqz_conv_policy_unfused, &unfused, &err) == SQZ_OK,
        "%s: %s", name, err.message);
  if (fused && unfused) {
    const sqz_step *stem = &unfused->steps[0];
    const uint64_t stem_bytes = (uint64_t)stem->oh * stem->ow * stem->cout * sizeof(float);
    CHECK(fused->num_steps == unfused->num_steps - 1 && fused->steps[0].kind == SQZ_STEP_CONV_MAXPOOL &&
              strcmp(fused->steps[0].name, "conv0+pool1") == 0,
          "%s: the stem and pool1 not fused (%s)", name, fused->steps[0].name);
    CHECK(activations_of(fused) + stem_bytes * 2 / 5 <= activations_of(unfused),
          "%s: activations %llu fused, %llu unfused (the stem's output %llu bytes)", name,
          (unsigned long long)activations_of(fused), (unsigned long long)activations_of(unfused),
          (unsigned long long)stem_bytes);
    /* the same logits, to the bit, on an input of random values */
    const size_t n = (size_t)d->recipe.input_height * d->recipe.input_width * 3;
    for (size_t i = 0; i < n; i++) sqz_network_input(unfused)[i] = test_randf(-2.0f, 2.0f);
    memcpy(sqz_network_input(fused), sqz_network_input(unfused), n * sizeof(float));
    const float *a = sqz_network_run(fused), *b = sqz_network_run(unfused);
    CHECK(memcmp(a, b, (size_t)sqz_network_num_classes(fused) * sizeof(float)) == 0, "%s: fused logits differ", name);
    printf("%s: activations %.2f MB fused, %.2f MB unfused; work %.1f KiB, %.1f KiB a thread\n", name,
           activations_of(fused) / 1e6, activations_of(unfused) / 1e6, fused->exec.work_floats * 4 / 1024.0,
           unfused->exec.work_floats * 4 / 1024.0);
  }
  sqz_network_free(fused);
  sqz_network_free(unfused);
  free(d);
  free(bytes);
}

int main(void) {
  int fused = 0, cases = 0;
  /* the stems of SqueezeNet, then random shapes */
  const shape fixed[] = {
      {64, 64, 64, 3, 2, 0, 1, 3, 2, 1}, /* v1.1's stem and pool1, smaller */
      {63, 63, 96, 7, 2, 0, 1, 3, 2, 1}, /* v1.0's */
      {31, 45, 16, 3, 2, 1, 0, 3, 2, 0}, /* floor mode, no ReLU (negative maxima) */
      {33, 17, 5, 5, 3, 2, 1, 2, 3, 1},  /* pool stride past its kernel: rows no window reads */
      {9, 9, 33, 3, 1, 0, 1, 3, 2, 1},   /* a 7x7 output: one band */
  };
  for (int i = 0; i < (int)(sizeof fixed / sizeof fixed[0]); i++) fused += check_shape(&fixed[i]), cases++;
  for (int i = 0; i < 40; i++) {
    shape s;
    s.k = 1 + (int)(test_rand() % 7);
    s.stride = 1 + (int)(test_rand() % 3);
    s.pad = (int)(test_rand() % 4);
    if (s.pad >= s.k) s.pad = s.k - 1;
    s.relu = (int)(test_rand() % 2);
    s.cout = 1 + (int)(test_rand() % 40);
    s.pool_k = 1 + (int)(test_rand() % 4);
    s.pool_stride = 1 + (int)(test_rand() % 4);
    s.pool_ceil = (int)(test_rand() % 2);
    const int least = s.k + (s.pool_k - 1) * s.stride; /* room for one pool window */
    s.side_h = least + (int)(test_rand() % 30);
    s.side_w = least + (int)(test_rand() % 30);
    if (s.k == 3 && s.stride == 1 && s.pad == 1) s.pad = 0; /* that is Winograd's, never im2col's */
    if (s.k == 1 && s.stride == 1 && s.pad == 0) s.pad = 1; /* a plain 1x1 is panels' */
    fused += check_shape(&s), cases++;
  }
  CHECK(cases == 45 && fused >= 40, "only %d of %d shapes fused", fused, cases);
  printf("%d of %d shapes fused, each the same bits as unfused (2 ISAs, 1 and 3 threads)\n", fused, cases);
  check_not_fused_with_two_readers();
  check_shipped("squeezenet1_1");
  check_shipped("squeezenet1_0");
  return test_finish("test_conv_maxpool");
}
