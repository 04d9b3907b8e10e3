/* The head's global average pool: one average per channel, the logits. It
 * must end the network; what it reads are the class maps (network.h). */
#include <stdio.h>

#include "engine/plan.h"

sqz_status sqz_plan_gavgpool(sqz_planner *p, int index, int input, int *output) {
  const sqz_tensor *x = &p->net->tensors[input];
  const int h = x->h, w = x->w, c = x->c;
  char name[32];
  snprintf(name, sizeof name, "gap%d", index);
  sqz_step *step;
  sqz_status st;
  if ((st = sqz_plan_tensor(p, 1, 1, c, output)) ||
      (st = sqz_plan_step(p, SQZ_STEP_GAVGPOOL, name, input, *output, &step)))
    return st;
  step->ih = h, step->iw = w, step->cin = c, step->oh = 1, step->ow = 1, step->cout = c;
  return SQZ_OK;
}

static sqz_step_needs size(const sqz_step *s, const sqz_kernels *k) {
  sqz_step_needs n = {0, 0, 0};
  return n;
}

static size_t start(const sqz_exec *e, const sqz_step *s, void *space) {
  *(sqz_step_items *)space = (sqz_step_items){e, s};
  return 1;
}

/* One item: a thousand averages (some µs) do not pay for a cut. */
static void item(void *context, size_t i, int thread) {
  const sqz_step_items *j = context;
  j->e->k->gavgpool((size_t)j->s->ih * j->s->iw, (size_t)j->s->cin, j->s->in, j->s->out);
}

const sqz_operator sqz_op_gavgpool = {size, NULL, start, item, NULL};
