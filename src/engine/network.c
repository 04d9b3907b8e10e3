/* Running the network planned by plan.c: each step by its kind's operator,
 * through one dispatch table; the steps of a group (plan.c) as one job. */
#include <stdlib.h>

#include "engine/plan.h"

const sqz_operator *const sqz_step_ops[SQZ_STEP_KINDS] = {
    [SQZ_CONV_GEMM] = &sqz_op_conv_gemm,          [SQZ_CONV_PANELS] = &sqz_op_conv_panels,
    [SQZ_CONV_QS8] = &sqz_op_conv_qs8,
    [SQZ_CONV_SPMM] = &sqz_op_conv_spmm,          [SQZ_CONV_WINOGRAD2] = &sqz_op_conv_winograd,
    [SQZ_CONV_WINOGRAD4] = &sqz_op_conv_winograd, [SQZ_CONV_IM2COL] = &sqz_op_conv_im2col,
    [SQZ_CONV_IGEMM] = &sqz_op_conv_gemm,         [SQZ_STEP_MAXPOOL] = &sqz_op_maxpool,
    [SQZ_STEP_GAVGPOOL] = &sqz_op_gavgpool,      [SQZ_STEP_CONV_MAXPOOL] = &sqz_op_conv_maxpool,
};

const char *sqz_step_kind_name(sqz_step_kind kind) {
  static const char *const names[SQZ_STEP_KINDS] = {
      [SQZ_CONV_GEMM] = "gemm",           [SQZ_CONV_PANELS] = "panels",       [SQZ_CONV_SPMM] = "spmm",
      [SQZ_CONV_QS8] = "qs8",
      [SQZ_CONV_WINOGRAD2] = "winograd2", [SQZ_CONV_WINOGRAD4] = "winograd4", [SQZ_CONV_IM2COL] = "im2col",
      [SQZ_CONV_IGEMM] = "igemm",         [SQZ_STEP_MAXPOOL] = "maxpool",     [SQZ_STEP_GAVGPOOL] = "gavgpool",
      [SQZ_STEP_CONV_MAXPOOL] = "im2col+maxpool",
  };
  return kind >= 0 && kind < SQZ_STEP_KINDS ? names[kind] : NULL;
}

sqz_status sqz_network_create(const sqz_model_desc *desc, const sqz_kernels *kernels,
                              const sqz_conv_policy *policy, sqz_network **out, sqz_error *err) {
  *out = NULL;
  sqz_network *net = calloc(1, sizeof *net);
  if (!net) return sqz_fail(err, SQZ_ERR_MEMORY, "out of memory for the network");
  net->exec.k = kernels ? kernels : sqz_kernels_default;
  sqz_status st = sqz_plan_network(net, desc, policy ? policy : &sqz_conv_policy_default, err);
  if (st) {
    free(net);
    return st;
  }
  *out = net;
  return SQZ_OK;
}

void sqz_network_free(sqz_network *net) {
  if (!net) return;
  free(net->exec.thread_work);
  free(net->activations);
  free(net->memory);
  free(net);
}

sqz_status sqz_network_activate(sqz_network *net, sqz_error *err) {
  if (net->activations) return SQZ_OK;
  net->activations = malloc(net->activations_bytes);
  if (!net->activations)
    return sqz_fail(err, SQZ_ERR_MEMORY, "out of memory: the network's activations need %zu bytes",
                    net->activations_bytes);
  uint8_t *base = (uint8_t *)(((uintptr_t)net->activations + SQZ_ALIGN - 1) & ~(uintptr_t)(SQZ_ALIGN - 1));
  for (int i = 0; i < net->num_tensors; i++) net->tensors[i].data = (float *)(base + net->tensors[i].offset);
  for (int i = 0; i < net->num_steps; i++) {
    sqz_step *s = &net->steps[i];
    s->in = net->tensors[s->input].data;
    s->out = net->tensors[s->output].data + s->out_channel;
    const sqz_operator *op = sqz_step_ops[s->kind];
    if (op->bind) op->bind(s, net->exec.k, net->exec.zero);
  }
  return SQZ_OK;
}

float *sqz_network_input(sqz_network *net) {
  return sqz_network_activate(net, NULL) == SQZ_OK ? net->tensors[net->input].data : NULL;
}
int sqz_network_num_classes(const sqz_network *net) { return net->num_classes; }
size_t sqz_network_memory_bytes(const sqz_network *net) {
  const sqz_exec *e = &net->exec;
  size_t extra = e->thread_work ? (size_t)(sqz_pool_threads(e->pool) - 1) * e->work_floats * sizeof(float) : 0;
  return net->memory_bytes + sizeof *net + extra;
}

sqz_status sqz_network_set_pool(sqz_network *net, sqz_pool *pool, sqz_error *err) {
  sqz_exec *e = &net->exec;
  int threads = sqz_pool_threads(pool);
  float *work = NULL;
  if (threads > 1 && e->work_floats) {
    work = malloc((size_t)(threads - 1) * e->work_floats * sizeof(float));
    if (!work) return sqz_fail(err, SQZ_ERR_MEMORY, "out of memory for %d threads' work buffers", threads);
  }
  free(e->thread_work);
  e->thread_work = work;
  e->pool = pool;
  return SQZ_OK;
}

int sqz_network_num_steps(const sqz_network *net) { return net->num_steps; }
int sqz_network_num_jobs(const sqz_network *net) {
  int jobs = 0;
  for (int i = 0; i < net->num_steps; i++) jobs += net->group_end[i] != 0;
  return jobs;
}
const char *sqz_network_step_name(const sqz_network *net, int i) {
  return i >= 0 && i < net->num_steps ? net->steps[i].name : NULL;
}
int sqz_network_step_kind(const sqz_network *net, int i) {
  return i >= 0 && i < net->num_steps ? net->steps[i].kind : -1;
}
int64_t sqz_network_step_madds(const sqz_network *net, int i) {
  if (i < 0 || i >= net->num_steps) return -1;
  const sqz_step *s = &net->steps[i];
  if (s->kind >= SQZ_CONV_PATHS && s->kind != SQZ_STEP_CONV_MAXPOOL) return 0;
  const int64_t cin = s->cin, cout = s->cout, taps = (int64_t)s->conv.kh * s->conv.kw;
  switch (s->kind) {
  case SQZ_CONV_WINOGRAD2:
  case SQZ_CONV_WINOGRAD4: { /* (t+2)^2 GEMMs of tiles × cin × cout */
    const int64_t t = s->kind == SQZ_CONV_WINOGRAD4 ? 4 : 2;
    return ((s->oh + t - 1) / t) * ((s->ow + t - 1) / t) * (t + 2) * (t + 2) * cin * cout;
  }
  case SQZ_CONV_SPMM: /* a padded 1x1's border is its biases: only the input's pixels multiply */
    return (int64_t)s->ih * s->iw * (int64_t)s->conv.nonzeros;
  case SQZ_CONV_GEMM:
  case SQZ_CONV_PANELS:
    return (int64_t)s->ih * s->iw * cin * cout;
  default: /* im2col (fused with a pool or not), igemm: every tap of every output, padding included */
    return (int64_t)s->oh * s->ow * cout * cin * taps;
  }
}
void sqz_network_set_clock(sqz_network *net, sqz_clock_fn clock, double *step_ms) {
  net->clock = clock;
  net->step_ms = step_ms;
}

/* Steps run as one job: their items one after another. */
typedef struct group {
  const sqz_operator *op[SQZ_MAX_GROUP];
  void *job[SQZ_MAX_GROUP];
  size_t first[SQZ_MAX_GROUP + 1]; /* each step's first item in the job; then the count */
  int steps;
} group;

static void group_item(void *context, size_t i, int thread) {
  const group *g = context;
  int k = 0;
  while (i >= g->first[k + 1]) k++;
  g->op[k]->item(g->job[k], i - g->first[k], thread);
}

/* Steps [begin, end) (at most SQZ_MAX_GROUP) as one job. */
static void run_group(sqz_network *net, int begin, int end) {
  sqz_job_space jobs[SQZ_MAX_GROUP];
  group g = {.steps = end - begin};
  g.first[0] = 0;
  for (int k = 0; k < g.steps; k++) {
    const sqz_step *s = &net->steps[begin + k];
    g.op[k] = sqz_step_ops[s->kind];
    g.job[k] = &jobs[k];
    g.first[k + 1] = g.first[k] + g.op[k]->start(&net->exec, s, g.job[k]);
  }
  sqz_pool_parallelize(net->exec.pool, group_item, &g, g.first[g.steps]);
}

void sqz_network_run_step(sqz_network *net, int i) {
  if (i < 0 || i >= net->num_steps || !net->activations) return;
  run_group(net, i, i + 1);
}

/* Steps [0, end): by groups, or one by one, timed, when a clock is set;
 * the workers held awake throughout. */
static void run_steps(sqz_network *net, int end) {
  sqz_pool_hold(net->exec.pool, 1);
  for (int i = 0; i < end;) {
    if (net->clock) {
      double t0 = net->clock();
      sqz_network_run_step(net, i);
      net->step_ms[i++] = net->clock() - t0;
      continue;
    }
    int group_end = net->group_end[i] < end ? net->group_end[i] : end;
    run_group(net, i, group_end);
    i = group_end;
  }
  sqz_pool_hold(net->exec.pool, 0);
}

const float *sqz_network_run(sqz_network *net) {
  if (!net->activations) return NULL;
  run_steps(net, net->num_steps);
  return net->tensors[net->logits].data;
}

const float *sqz_network_tap(const sqz_network *net, int *h, int *w, int *c) {
  if (net->tap < 0) return NULL;
  const sqz_tensor *t = &net->tensors[net->tap];
  if (h) *h = t->h;
  if (w) *w = t->w;
  if (c) *c = t->c;
  return t->data;
}

const float *sqz_network_run_to_tap(sqz_network *net) {
  if (net->tap < 0 || !net->activations) return NULL;
  run_steps(net, net->tap_step + 1);
  return net->tensors[net->tap].data;
}

int sqz_network_embed(sqz_network *net, float *out) {
  if (net->tap < 0 || !net->activations) return 0;
  const sqz_tensor *t = &net->tensors[net->tap];
  net->exec.k->gavgpool((size_t)t->h * t->w, (size_t)t->c, sqz_network_run_to_tap(net), out);
  return t->c;
}

const float *sqz_network_class_maps(const sqz_network *net, int *h, int *w) {
  const sqz_tensor *t = &net->tensors[net->class_maps];
  if (h) *h = t->h;
  if (w) *w = t->w;
  return t->data;
}

/* Output cells [*first, *last] of one axis whose window (kernel k, stride s,
 * pad p over n inputs) holds at least one input. */
static void seen_cells(int n, int k, int s, int p, int out, int *first, int *last) {
  const int lead = p - k + 1; /* cell o sees input from o*s - p to o*s - p + k - 1 */
  *first = lead > 0 ? (lead + s - 1) / s : 0;
  *last = (n - 1 + p) / s;
  if (*last > out - 1) *last = out - 1;
}

void sqz_network_class_map_grid(const sqz_network *net, int *x0, int *y0, int *w, int *h) {
  const sqz_tensor *t = &net->tensors[net->class_maps];
  int fx = t->w, lx = -1, fy = t->h, ly = -1, found = 0;
  for (int i = 0; i < net->num_steps; i++) {
    const sqz_step *s = &net->steps[i];
    if (s->output != net->class_maps) continue;
    int a = 0, b = t->w - 1, c = 0, d = t->h - 1; /* a pool: every cell */
    if (s->kind < SQZ_CONV_PATHS) {
      seen_cells(s->iw, s->conv.kw, s->conv.stride, s->conv.pad, s->ow, &a, &b);
      seen_cells(s->ih, s->conv.kh, s->conv.stride, s->conv.pad, s->oh, &c, &d);
    }
    /* the union over the steps writing it (a fire module's two expands) */
    fx = a < fx ? a : fx, lx = b > lx ? b : lx, fy = c < fy ? c : fy, ly = d > ly ? d : ly;
    found = 1;
  }
  if (!found || lx < fx || ly < fy) fx = 0, lx = t->w - 1, fy = 0, ly = t->h - 1; /* the input itself */
  *x0 = fx, *y0 = fy, *w = lx - fx + 1, *h = ly - fy + 1;
}
