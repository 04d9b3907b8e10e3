/* Max pooling, no padding, floor or ceil mode (PyTorch's semantics): a
 * window kernel×kernel at stride, clipped to the input; an output row per item. */
#include <stdio.h>

#include "engine/plan.h"

sqz_status sqz_plan_maxpool(sqz_planner *p, const sqz_layer_desc *l, int index, int input, int *output) {
  const sqz_tensor *x = &p->net->tensors[input];
  const int k = l->pool_kernel, s = l->pool_stride, h = x->h, w = x->w, c = x->c;
  if (k < 1 || k > SQZ_MAX_KERNEL || s < 1 || s > SQZ_MAX_KERNEL || l->pool_pad != 0 || l->pool_ceil > 1)
    return sqz_fail(p->err, SQZ_ERR_MODEL, "model: layer %d: unsupported max pool (kernel %d, stride %d, pad %d)",
                    index, k, s, l->pool_pad);
  if (h < k || w < k)
    return sqz_fail(p->err, SQZ_ERR_MODEL, "model: layer %d: pool window larger than its %dx%d input", index, h, w);
  int oh, ow;
  if (l->pool_ceil) {
    oh = (h - k + s - 1) / s + 1;
    ow = (w - k + s - 1) / s + 1;
    /* as PyTorch: a last window starting past the input is dropped
       (possible when the stride exceeds the kernel; found by fuzzing) */
    if ((oh - 1) * s >= h) oh--;
    if ((ow - 1) * s >= w) ow--;
  } else {
    oh = (h - k) / s + 1;
    ow = (w - k) / s + 1;
  }
  char name[32];
  snprintf(name, sizeof name, "pool%d", index);
  sqz_step *step;
  sqz_status st;
  if ((st = sqz_plan_tensor(p, oh, ow, c, output)) || (st = sqz_plan_step(p, SQZ_STEP_MAXPOOL, name, input, *output, &step)))
    return st;
  step->ih = h, step->iw = w, step->cin = c, step->oh = oh, step->ow = ow, step->cout = c;
  step->pool.kernel = k, step->pool.stride = s;
  p->net->tensors[*output].nonnegative = x->nonnegative; /* windows never reach padding */
  return SQZ_OK;
}

static sqz_step_needs size(const sqz_step *s, const sqz_kernels *k) {
  sqz_step_needs n = {0, 0, 0};
  return n;
}

static void item(void *context, size_t i, int thread) {
  const sqz_step_items *j = context;
  const sqz_step *s = j->s;
  j->e->k->maxpool(s->in, (size_t)s->ih, (size_t)s->iw, (size_t)s->cin, (size_t)s->pool.kernel,
                   (size_t)s->pool.stride, s->out, (size_t)s->oh, (size_t)s->ow, i, i + 1);
}

static size_t start(const sqz_exec *e, const sqz_step *s, void *space) {
  *(sqz_step_items *)space = (sqz_step_items){e, s};
  return (size_t)s->oh;
}

const sqz_operator sqz_op_maxpool = {size, NULL, start, item, NULL};
