/* A 1x1 stride-1 convolution with pruned weights (SQZ_CONV_SPMM): sparse
 * weights times the input transposed to channel-major, skipping the zeros,
 * ITEM_PIXELS pixels at a time: an item transposes its pixels into its
 * thread's work buffer (cin rows of ITEM_PIXELS floats: an L1-sized block
 * whose row offsets are packed once), then multiplies. Padding (v1.0's
 * conv10 has 1) only adds a border of clamped biases around the outputs,
 * written by one more item. */
#include <math.h>
#include <string.h>

#include "engine/step.h"

#define ITEM_PIXELS 16 /* input pixels per item */

typedef struct layout {
  float *weights; /* per output channel its bias, then its nonzeros */
  int32_t *offsets;
  uint32_t *nnzmap, *out_pixels;
  float *border;
  uint64_t bytes;
} layout;

static layout lay_out(const sqz_step *s, void *mem) {
  const uint64_t nnz = s->conv.nonzeros, cout = (uint64_t)s->cout, pixels = (uint64_t)s->ih * s->iw;
  sqz_carver m = {mem, 0};
  layout l;
  l.weights = sqz_carve(&m, (cout + nnz) * sizeof(float));
  l.offsets = sqz_carve(&m, nnz * sizeof(int32_t));
  l.nnzmap = sqz_carve(&m, cout * sizeof(uint32_t));
  l.out_pixels = sqz_carve(&m, pixels * sizeof(uint32_t));
  l.border = s->conv.pad ? sqz_carve(&m, cout * sizeof(float)) : NULL;
  l.bytes = m.bytes;
  return l;
}

/* The work buffer holds an item's pixels transposed. */
static sqz_step_needs size(const sqz_step *s, const sqz_kernels *k) {
  sqz_step_needs n = {lay_out(s, NULL).bytes, (uint64_t)s->cin * ITEM_PIXELS, 0};
  return n;
}

static void pack(sqz_step *s, const sqz_kernels *k, const float *weights, const float *bias, void *mem,
                 const float *zero) {
  sqz_conv_step *c = &s->conv;
  const layout l = lay_out(s, mem);
  const size_t pad = (size_t)c->pad;
  sqz_pack_spmm_weights((size_t)s->cout, (size_t)s->cin, ITEM_PIXELS * sizeof(float), weights, bias, l.weights,
                        l.offsets, l.nnzmap);
  for (size_t y = 0; y < (size_t)s->ih; y++)
    for (size_t x = 0; x < (size_t)s->iw; x++)
      l.out_pixels[y * s->iw + x] = (uint32_t)(((y + pad) * s->ow + x + pad) * s->out_pixel_stride);
  for (size_t n = 0; l.border && n < (size_t)s->cout; n++) l.border[n] = fminf(fmaxf(bias[n], c->params.min), c->params.max);
  c->packed = l.weights, c->spmm.offsets = l.offsets, c->spmm.nnzmap = l.nnzmap;
  c->spmm.out_pixels = l.out_pixels, c->spmm.border = l.border;
}

static void write_border(const sqz_step *s);

/* An item: input pixels [m_begin, m_end) transposed to channel-major in the
 * thread's work buffer, then sparse weights times them; past the pixels'
 * items, the border's. */
static void item(void *context, size_t i, int thread) {
  const sqz_step_items *j = context;
  const sqz_step *s = j->s;
  const sqz_conv_step *c = &s->conv;
  const size_t pixels = (size_t)s->ih * s->iw, cin = (size_t)s->cin;
  const size_t m_begin = i * ITEM_PIXELS, m_end = sqz_min_size(m_begin + ITEM_PIXELS, pixels);
  if (m_begin >= pixels) {
    write_border(s);
    return;
  }
  float *chw = sqz_exec_work(j->e, thread);
  for (size_t m0 = m_begin; m0 < m_end; m0 += 8) {
    const size_t m1 = sqz_min_size(m0 + 8, m_end);
    for (size_t k = 0; k < cin; k++)
      for (size_t m = m0; m < m1; m++) chw[k * ITEM_PIXELS + m - m_begin] = s->in[m * cin + k];
  }
  j->e->k->spmm(m_end - m_begin, (size_t)s->cout, chw, c->packed, c->spmm.offsets, c->spmm.nnzmap, s->out,
                c->spmm.out_pixels + m_begin, &c->params);
}

/* A padded convolution's border: no input under it, only the biases. */
static void write_border(const sqz_step *s) {
  const size_t pad = (size_t)s->conv.pad, oh = (size_t)s->oh, ow = (size_t)s->ow;
  const size_t bytes = (size_t)s->cout * sizeof(float);
  for (size_t y = 0; y < oh; y++) {
    const int edge_row = y < pad || y >= oh - pad;
    for (size_t x = 0; x < ow; x++) {
      if (!edge_row && x == pad) x = ow - pad; /* skip the inside */
      memcpy(s->out + (y * ow + x) * s->out_pixel_stride, s->conv.spmm.border, bytes);
    }
  }
}

static size_t start(const sqz_exec *e, const sqz_step *s, void *space) {
  *(sqz_step_items *)space = (sqz_step_items){e, s};
  const size_t pixels = (size_t)s->ih * s->iw;
  return (pixels + ITEM_PIXELS - 1) / ITEM_PIXELS + (s->conv.spmm.border ? 1 : 0);
}

const sqz_operator sqz_op_conv_spmm = {size, pack, start, item, NULL};
