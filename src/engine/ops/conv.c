/* A convolution layer: checks its geometry, works out its output and adds
 * its step. Which path runs it (the step's kind) is chosen later, once the
 * planner knows its weights' nonzeros (conv_path.c); each path is an
 * operator of its own (conv_gemm.c, conv_panels.c, conv_spmm.c,
 * conv_winograd.c, conv_im2col.c). */
#include <math.h>

#include "engine/plan.h"

sqz_status sqz_plan_conv(sqz_planner *p, const sqz_conv_desc *c, const char *name, int input, int output,
                         int out_channel, int *written) {
  sqz_error *err = p->err;
  const sqz_tensor *x = &p->net->tensors[input];
  const int ih = x->h, iw = x->w;
  if (c->cout < 1 || c->cout > SQZ_MAX_CHANNELS || c->kh < 1 || c->kw < 1 || c->kh > SQZ_MAX_KERNEL ||
      c->kw > SQZ_MAX_KERNEL || c->stride < 1 || c->stride > SQZ_MAX_KERNEL || c->pad < 0 || c->pad > SQZ_MAX_KERNEL ||
      c->relu > 1)
    return sqz_fail(err, SQZ_ERR_MODEL, "model: %s: bad convolution (cout %d, kernel %dx%d, stride %d, pad %d)", name,
                    c->cout, c->kh, c->kw, c->stride, c->pad);
  const int oh = (ih + 2 * c->pad - c->kh) / c->stride + 1;
  const int ow = (iw + 2 * c->pad - c->kw) / c->stride + 1;
  if (ih + 2 * c->pad < c->kh || iw + 2 * c->pad < c->kw || oh < 1 || ow < 1)
    return sqz_fail(err, SQZ_ERR_MODEL, "model: %s: a %dx%d kernel does not fit a %dx%d input", name, c->kh, c->kw,
                    ih, iw);
  sqz_status st;
  if (output < 0) {
    if ((st = sqz_plan_tensor(p, oh, ow, c->cout, &output))) return st;
    p->net->tensors[output].nonnegative = c->relu;
  }
  const sqz_tensor *y = &p->net->tensors[output];
  if (y->h != oh || y->w != ow || out_channel + c->cout > y->c)
    return sqz_fail(err, SQZ_ERR_MODEL, "model: %s: its output does not fit its tensor", name);
  sqz_step *s;
  if ((st = sqz_plan_step(p, SQZ_CONV_IGEMM, name, input, output, &s))) return st;
  p->conv[s - p->net->steps] = c;
  s->out_channel = out_channel;
  s->ih = ih, s->iw = iw, s->cin = x->c, s->oh = oh, s->ow = ow, s->cout = c->cout;
  sqz_conv_step *v = &s->conv;
  v->kh = c->kh, v->kw = c->kw, v->stride = c->stride, v->pad = c->pad;
  v->params.min = c->relu ? 0.0f : -INFINITY;
  v->params.max = INFINITY;
  v->nonzeros = (uint64_t)c->cout * x->c * c->kh * c->kw;
  *written = output;
  return SQZ_OK;
}
