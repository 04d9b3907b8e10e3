/* The planner: a model description into steps over the network's memory.
 *  1. Walk the layers: each operator's plan function checks its layer and
 *     adds its steps and tensors (ops/). Nothing is decoded.
 *  2. Choose each convolution's path (conv_path.c) as if every weight were
 *     nonzero, size every step (its operator's size step: nothing allocated
 *     or decoded) and place the tensors by lifetime: that arena is checked
 *     against the limit before any weights are decoded. Then count the
 *     nonzeros of the convolutions that may run sparse, choose and size again.
 *  3. Allocate the weights part, place each step's memory in it, and let
 *     each operator pack its step from the decoded weights. The tensors'
 *     offsets are placed; their memory comes at the first run (network.c).
 *  4. Group consecutive steps that neither read what another writes nor
 *     write what another reads or writes (a fire module's two expands):
 *     each group runs as one job, with one barrier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/plan.h"

sqz_status sqz_plan_tensor(sqz_planner *p, int h, int w, int c, int *id) {
  sqz_network *net = p->net;
  if (net->num_tensors >= SQZ_MAX_TENSORS) return sqz_fail(p->err, SQZ_ERR_MODEL, "model: too many tensors");
  sqz_tensor *t = &net->tensors[net->num_tensors];
  memset(t, 0, sizeof *t);
  t->h = h, t->w = w, t->c = c;
  t->first = SQZ_KEPT, t->last = -1;
  *id = net->num_tensors++;
  return SQZ_OK;
}

sqz_status sqz_plan_step(sqz_planner *p, sqz_step_kind kind, const char *name, int input, int output,
                         sqz_step **out) {
  sqz_network *net = p->net;
  if (net->num_steps >= SQZ_MAX_STEPS) return sqz_fail(p->err, SQZ_ERR_MODEL, "model: too many steps");
  const int i = net->num_steps++;
  sqz_step *s = &net->steps[i];
  memset(s, 0, sizeof *s);
  s->kind = kind;
  snprintf(s->name, sizeof s->name, "%s", name);
  s->input = input, s->output = output;
  sqz_tensor *x = &net->tensors[input], *y = &net->tensors[output];
  if (x->last < i) x->last = i;
  if (y->first > i) y->first = i;
  p->conv[i] = NULL;
  *out = s;
  return SQZ_OK;
}

void sqz_plan_remove_step(sqz_planner *p, int i) {
  sqz_network *net = p->net;
  for (int j = i; j + 1 < net->num_steps; j++) net->steps[j] = net->steps[j + 1], p->conv[j] = p->conv[j + 1];
  net->num_steps--;
  for (int t = 0; t < net->num_tensors; t++) {
    sqz_tensor *x = &net->tensors[t];
    if (x->first > i && x->first != SQZ_KEPT) x->first--;
    if (x->last > i && x->last != SQZ_KEPT) x->last--;
  }
  if (net->tap_step > i) net->tap_step--;
}

/* The layers in order, each reading the previous one's output. The last
 * must be the global average pool; the tap, the class maps and the logits
 * are kept (read after the run). */
static sqz_status plan_layers(sqz_planner *p, const sqz_model_desc *d) {
  sqz_network *net = p->net;
  sqz_error *err = p->err;
  sqz_status st;
  int x = -1, y = -1;
  net->tap = net->tap_step = net->class_maps = net->logits = -1;
  if ((st = sqz_plan_tensor(p, d->recipe.input_height, d->recipe.input_width, 3, &x))) return st;
  net->input = x;
  net->tensors[x].first = 0; /* filled before step 0 */
  for (int i = 0; i < d->num_layers; i++) {
    const sqz_layer_desc *l = &d->layers[i];
    char name[32];
    if (net->logits >= 0) return sqz_fail(err, SQZ_ERR_MODEL, "model: layer %d follows the global average pool", i);
    switch (l->op) {
      case SQZ_OP_CONV:
        snprintf(name, sizeof name, "conv%d", i);
        st = sqz_plan_conv(p, &l->conv, name, x, -1, 0, &y);
        break;
      case SQZ_OP_FIRE:
        st = sqz_plan_fire(p, l, i, x, &y);
        net->tap = y, net->tap_step = net->num_steps - 1;
        break;
      case SQZ_OP_MAXPOOL:
        st = sqz_plan_maxpool(p, l, i, x, &y);
        break;
      case SQZ_OP_GAP:
        st = sqz_plan_gavgpool(p, i, x, &y);
        net->class_maps = x, net->logits = y;
        break;
      default:
        return sqz_fail(err, SQZ_ERR_MODEL, "model: layer %d: unknown operation %d", i, (int)l->op);
    }
    if (st) return st;
    x = y;
  }
  if (net->logits < 0) return sqz_fail(err, SQZ_ERR_MODEL, "model: the network does not end in a global average pool");
  const int classes = net->tensors[net->logits].c;
  if ((uint32_t)classes != d->num_labels)
    return sqz_fail(err, SQZ_ERR_MODEL, "model: the network outputs %d classes but there are %u labels", classes,
                    d->num_labels);
  net->num_classes = classes;
  net->tensors[net->logits].last = net->tensors[net->class_maps].last = SQZ_KEPT;
  if (net->tap >= 0) net->tensors[net->tap].last = SQZ_KEPT;
  return SQZ_OK;
}

/* A tensor no step writes (a fused step's intermediate) takes no memory. */
static uint64_t tensor_bytes(const sqz_tensor *t) {
  return t->first == SQZ_KEPT ? 0 : sqz_align((uint64_t)t->h * t->w * t->c * sizeof(float));
}

/* Two tensors need memory of their own if both live at some step, or if
 * one is kept and the other is the input (the next input is written while
 * the last run's kept tensors may still be read). */
static int coexist(const sqz_network *net, int a, int b) {
  const sqz_tensor *x = &net->tensors[a], *y = &net->tensors[b];
  const int x_last = x->last < x->first ? x->first : x->last, y_last = y->last < y->first ? y->first : y->last;
  if ((a == net->input && y->last == SQZ_KEPT) || (b == net->input && x->last == SQZ_KEPT)) return 1;
  return x->first <= y_last && y->first <= x_last;
}

/* Places the tensors in the activations, largest first, each at the lowest
 * offset where it overlaps no tensor already placed that it coexists with
 * (the greedy-by-size plan of TFLite's arena planner); returns their bytes. */
static uint64_t place_tensors(sqz_network *net) {
  int order[SQZ_MAX_TENSORS];
  const int n = net->num_tensors;
  for (int i = 0; i < n; i++) {
    int j = i;
    for (; j > 0 && tensor_bytes(&net->tensors[order[j - 1]]) < tensor_bytes(&net->tensors[i]); j--)
      order[j] = order[j - 1];
    order[j] = i;
  }
  uint64_t total = 0;
  for (int a = 0; a < n; a++) {
    sqz_tensor *t = &net->tensors[order[a]];
    const uint64_t bytes = tensor_bytes(t);
    uint64_t offset = 0;
    for (int moved = 1; moved;) { /* past every placed tensor it would overlap, until none */
      moved = 0;
      for (int b = 0; b < a; b++) {
        const sqz_tensor *u = &net->tensors[order[b]];
        const uint64_t end = u->offset + tensor_bytes(u);
        if (offset < end && u->offset < offset + bytes && coexist(net, order[a], order[b])) offset = end, moved = 1;
      }
    }
    t->offset = offset;
    if (offset + bytes > total) total = offset + bytes;
  }
  return total;
}

static sqz_conv_shape shape_of(const sqz_planner *p, int i) {
  const sqz_step *s = &p->net->steps[i];
  const sqz_conv_shape shape = {s->ih,          s->iw,          s->cin,           s->oh,        s->ow,
                                s->cout,        s->conv.kh,     s->conv.kw,       s->conv.stride, s->conv.pad,
                                p->conv[i]->weights.encoding == SQZ_ENC_QS8, p->net->tensors[s->input].nonnegative};
  return shape;
}

static uint64_t weight_count(const sqz_step *s) { return (uint64_t)s->cout * s->cin * s->conv.kh * s->conv.kw; }

static void choose_paths(sqz_planner *p) {
  sqz_network *net = p->net;
  for (int i = 0; i < net->num_steps; i++) {
    sqz_step *s = &net->steps[i];
    if (!p->conv[i]) continue;
    const sqz_conv_shape shape = shape_of(p, i);
    s->kind = (sqz_step_kind)sqz_conv_choose_path(&shape, s->conv.nonzeros, net->exec.k, p->policy);
  }
}

/* The network's memory, two allocations: the weights part (thread 0's
 * work, each step's memory, zeros for padding), allocated and packed at
 * load, and the activations, allocated at the first run (network.c), when
 * a loader may have freed the model's bytes for them to take their place. */
typedef struct arena {
  uint64_t steps, activations, zero_floats, work_floats, weights, total;
} arena;

static sqz_status size_arena(sqz_planner *p, arena *a) {
  sqz_network *net = p->net;
  memset(a, 0, sizeof *a);
  for (int i = 0; i < net->num_steps; i++) {
    const sqz_step *s = &net->steps[i];
    const sqz_step_needs n = sqz_step_ops[s->kind]->size(s, net->exec.k);
    a->steps += p->step_bytes[i] = sqz_align(n.arena_bytes);
    if (n.work_floats > a->work_floats) a->work_floats = n.work_floats;
    if (n.zero_floats > a->zero_floats) a->zero_floats = n.zero_floats;
  }
  a->activations = place_tensors(net);
  a->weights = sqz_align(a->work_floats * sizeof(float)) + a->steps + sqz_align(a->zero_floats * sizeof(float)) +
               SQZ_ALIGN;
  a->total = a->weights + a->activations + SQZ_ALIGN;
  if (a->total > SQZ_MAX_ARENA_BYTES || a->total > SIZE_MAX)
    return sqz_fail(p->err, SQZ_ERR_LIMIT, "model: the network needs %llu MB of memory (limit %u MB)",
                    (unsigned long long)(a->total >> 20), (unsigned)(SQZ_MAX_ARENA_BYTES >> 20));
  return SQZ_OK;
}

/* Decodes a convolution's weights (count floats) and, unless bias is NULL,
 * its cout biases. Not inlined: two callers, and the .wasm's size counts. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static sqz_status decode_conv(const sqz_conv_desc *c, const char *name, float *weights, uint64_t count, float *bias,
                              sqz_error *err) {
  char what[48];
  snprintf(what, sizeof what, "%s weights", name);
  sqz_status st = sqz_tensor_decode(&c->weights, weights, (size_t)count, what, err);
  if (st || !bias) return st;
  snprintf(what, sizeof what, "%s bias", name);
  return sqz_tensor_decode(&c->bias, bias, (size_t)c->cout, what, err);
}

/* Counts the nonzero weights of each convolution that may run by spmm.
 * Only decoding tells them, so these weights are decoded here once more than
 * for packing, into a scratch as large as the largest of them (which the
 * dense sizing has already bounded). */
static sqz_status count_nonzeros(sqz_planner *p, int *counted) {
  sqz_network *net = p->net;
  uint64_t largest = 0;
  *counted = 0;
  for (int i = 0; i < net->num_steps; i++) {
    if (!p->conv[i]) continue;
    const sqz_conv_shape shape = shape_of(p, i);
    if (sqz_conv_may_be_sparse(&shape, net->exec.k, p->policy) && weight_count(&net->steps[i]) > largest)
      largest = weight_count(&net->steps[i]);
  }
  if (!largest) return SQZ_OK;
  float *w = malloc((size_t)largest * sizeof(float));
  if (!w) return sqz_fail(p->err, SQZ_ERR_MEMORY, "out of memory decoding weights (%llu floats)", (unsigned long long)largest);
  sqz_status st = SQZ_OK;
  for (int i = 0; i < net->num_steps && !st; i++) {
    sqz_step *s = &net->steps[i];
    if (!p->conv[i]) continue;
    const sqz_conv_shape shape = shape_of(p, i);
    if (!sqz_conv_may_be_sparse(&shape, net->exec.k, p->policy)) continue;
    st = decode_conv(p->conv[i], s->name, w, weight_count(s), NULL, p->err);
    if (!st) s->conv.nonzeros = sqz_count_nonzeros(w, (size_t)weight_count(s));
  }
  free(w);
  *counted = 1;
  return st;
}

/* Allocates the weights part and packs every step, the last first: a
 * convolution's weights are decoded below its memory (thread 0's work and
 * the earlier steps' memory, not packed yet) when they fit there, so that
 * loading needs no memory but the network's (conv10's 2 MB do); only a
 * first layer too large for the work buffer takes a scratch of its own.
 * The activations are placed (offsets) but not allocated. */
static sqz_status build(sqz_planner *p, const arena *a) {
  sqz_network *net = p->net;
  const sqz_kernels *k = net->exec.k;
  net->memory = malloc((size_t)a->weights);
  if (!net->memory)
    return sqz_fail(p->err, SQZ_ERR_MEMORY, "out of memory: the network's weights need %llu bytes",
                    (unsigned long long)a->weights);
  net->memory_bytes = (size_t)a->total;
  net->activations_bytes = (size_t)(a->activations + SQZ_ALIGN);
  uint8_t *base = (uint8_t *)(((uintptr_t)net->memory + SQZ_ALIGN - 1) & ~(uintptr_t)(SQZ_ALIGN - 1));
  float *work = (float *)base;
  uint8_t *steps = base + sqz_align(a->work_floats * sizeof(float));
  float *zero = (float *)(steps + a->steps);
  memset(zero, 0, (size_t)a->zero_floats * sizeof(float));
  net->exec.zero = zero;
  net->exec.work = a->work_floats ? work : NULL;
  net->exec.work_floats = (size_t)a->work_floats;
  float *scratch = NULL; /* a step's own, when its weights do not fit below it */
  sqz_status st = SQZ_OK;
  uint8_t *mem = steps + a->steps;
  for (int i = net->num_steps - 1; i >= 0 && !st; i--) {
    sqz_step *s = &net->steps[i];
    s->out_pixel_stride = (size_t)net->tensors[s->output].c;
    const sqz_operator *op = sqz_step_ops[s->kind];
    mem -= p->step_bytes[i];
    if (p->conv[i]) {
      const uint64_t bytes = weight_count(s) * sizeof(float);
      float *weights = (float *)base;
      if (bytes > (uint64_t)(mem - base)) {
        free(scratch);
        weights = scratch = malloc((size_t)bytes);
        if (!weights) {
          st = sqz_fail(p->err, SQZ_ERR_MEMORY, "out of memory decoding %s's weights", s->name);
          break;
        }
      }
      float bias[SQZ_MAX_CHANNELS];
      st = decode_conv(p->conv[i], s->name, weights, weight_count(s), bias, p->err);
      if (!st) op->pack(s, k, weights, bias, mem, zero);
    } else if (op->pack) {
      op->pack(s, k, NULL, NULL, mem, zero);
    }
  }
  free(scratch);
  return st;
}

/* Whether step b may run in one job with step a: neither reads the other's
 * output, and if both write one tensor, they write disjoint channels. */
static int independent(const sqz_step *a, const sqz_step *b) {
  if (a->input == b->output || b->input == a->output) return 0;
  return a->output != b->output || a->out_channel + a->cout <= b->out_channel ||
         b->out_channel + b->cout <= a->out_channel;
}

/* Whether a tensor lives from step `first` to step `last`: then no other
 * tensor live there shares its memory (place_tensors). */
static int lives(const sqz_network *net, int tensor, int first, int last) {
  const sqz_tensor *t = &net->tensors[tensor];
  return t->first <= first && t->last >= last;
}

static void group_steps(sqz_network *net) {
  for (int i = 0; i < net->num_steps;) {
    int end = i + 1;
    for (; end < net->num_steps && end - i < SQZ_MAX_GROUP; end++) {
      int alone = 0;
      for (int a = i; a <= end && !alone; a++) {
        const sqz_step *s = &net->steps[a];
        alone = !lives(net, s->input, i, end) || !lives(net, s->output, i, end) ||
                (a < end && !independent(s, &net->steps[end]));
      }
      if (alone) break;
    }
    for (int a = i; a < end; a++) net->group_end[a] = 0;
    net->group_end[i] = end;
    i = end;
  }
}

sqz_status sqz_plan_network(sqz_network *net, const sqz_model_desc *desc, const sqz_conv_policy *policy,
                            sqz_error *err) {
  sqz_planner p = {.net = net, .policy = policy, .err = err};
  arena a;
  int counted = 0;
  sqz_status st = plan_layers(&p, desc);
  if (!st) choose_paths(&p), st = size_arena(&p, &a);
  if (!st) st = count_nonzeros(&p, &counted);
  if (!st) {
    if (counted) choose_paths(&p);
    sqz_plan_fuse_maxpools(&p); /* after the last choice of paths: it fuses im2col steps */
    st = size_arena(&p, &a);
  }
  if (!st) st = build(&p, &a);
  if (!st) group_steps(net);
  if (st) {
    free(net->memory);
    net->memory = NULL;
  }
  return st;
}
