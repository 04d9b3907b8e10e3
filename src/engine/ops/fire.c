/* The fire module, a composition of three convolutions: the squeeze (1x1)
 * into a tensor of its own, then both expands (1x1 and 3x3) straight into
 * their channel halves of the output (pixel stride e1+e3): no concat copy.
 * Each runs by whatever path suits it (conv_path.c). */
#include <stdio.h>

#include "engine/plan.h"

sqz_status sqz_plan_fire(sqz_planner *p, const sqz_layer_desc *l, int index, int input, int *output) {
  const int s1 = l->squeeze.cout, e1 = l->expand1.cout, e3 = l->expand3.cout;
  if (s1 < 1 || e1 < 1 || e3 < 1 || s1 > SQZ_MAX_CHANNELS || e1 + e3 > SQZ_MAX_CHANNELS)
    return sqz_fail(p->err, SQZ_ERR_MODEL, "model: layer %d: bad fire sizes %d/%d/%d", index, s1, e1, e3);
  char name[32];
  int squeezed, written;
  sqz_status st;
  snprintf(name, sizeof name, "fire%d/squeeze", index);
  if ((st = sqz_plan_conv(p, &l->squeeze, name, input, -1, 0, &squeezed))) return st;
  const sqz_tensor *t = &p->net->tensors[squeezed];
  if ((st = sqz_plan_tensor(p, t->h, t->w, e1 + e3, output))) return st;
  snprintf(name, sizeof name, "fire%d/expand1x1", index);
  if ((st = sqz_plan_conv(p, &l->expand1, name, squeezed, *output, 0, &written))) return st;
  snprintf(name, sizeof name, "fire%d/expand3x3", index);
  if ((st = sqz_plan_conv(p, &l->expand3, name, squeezed, *output, e1, &written))) return st;
  p->net->tensors[*output].nonnegative = l->expand1.relu && l->expand3.relu;
  return SQZ_OK;
}
