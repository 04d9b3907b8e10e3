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

static void run(const sqz_exec *e, const sqz_step *s) {
  e->k->gavgpool((size_t)s->ih * s->iw, (size_t)s->cin, s->in, s->out);
}

const sqz_operator sqz_op_gavgpool = {size, NULL, run};
