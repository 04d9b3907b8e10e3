/* Dense convolutions by GEMM (SQZ_CONV_GEMM: 1x1, stride 1, unpadded, a
 * GEMM over pixels) and by indirect GEMM (SQZ_CONV_IGEMM: any other, over
 * an indirection buffer of pointers to input pixels or to the zero row for
 * padding, built once when the tensors get their memory, which never moves
 * after). Both run one loop over column blocks of packed weights and groups
 * of pixel tiles. */
#include "engine/step.h"

typedef struct layout {
  float *packed;
  const float **indirection; /* IGEMM */
  uint64_t bytes;
} layout;

static uint64_t tiles_of(const sqz_step *s, const sqz_kernels *k) {
  return ((uint64_t)s->oh * s->ow + k->mr - 1) / k->mr;
}

static layout lay_out(const sqz_step *s, const sqz_kernels *k, void *mem) {
  const sqz_conv_step *c = &s->conv;
  sqz_carver m = {mem, 0};
  layout l;
  l.packed = sqz_carve(&m, sqz_packed_conv_size((size_t)s->cout, (size_t)s->cin, (size_t)c->kh, (size_t)c->kw, k->nr) *
                               sizeof(float));
  l.indirection = s->kind == SQZ_CONV_IGEMM
                      ? sqz_carve(&m, tiles_of(s, k) * (uint64_t)c->kh * c->kw * k->mr * sizeof(float *))
                      : NULL;
  l.bytes = m.bytes;
  return l;
}

static sqz_step_needs size(const sqz_step *s, const sqz_kernels *k) {
  sqz_step_needs n = {lay_out(s, k, NULL).bytes, 0, s->kind == SQZ_CONV_IGEMM ? (uint64_t)s->cin : 0};
  return n;
}

static void pack(sqz_step *s, const sqz_kernels *k, const float *weights, const float *bias, void *mem,
                 const float *zero) {
  sqz_conv_step *c = &s->conv;
  const layout l = lay_out(s, k, mem);
  sqz_pack_conv_weights((size_t)s->cout, (size_t)s->cin, (size_t)c->kh, (size_t)c->kw, k->nr, weights, bias, l.packed);
  c->packed = l.packed;
  c->igemm.indirection = l.indirection;
}

/* IGEMM: each tile's pointers to its input pixels, or to the zero row for padding. */
static void bind(sqz_step *s, const sqz_kernels *k, const float *zero) {
  const sqz_conv_step *c = &s->conv;
  if (s->kind != SQZ_CONV_IGEMM) return;
  const size_t mr = k->mr, tiles = (size_t)tiles_of(s, k), m_total = (size_t)s->oh * s->ow;
  const size_t taps = (size_t)c->kh * c->kw;
  for (size_t t0 = 0; t0 < tiles; t0++) {
    for (size_t t = 0; t < taps; t++) {
      const int ky = (int)(t / c->kw), kx = (int)(t % c->kw);
      for (size_t r = 0; r < mr; r++) {
        size_t m = t0 * mr + r;
        if (m >= m_total) m = m_total - 1;
        const int oy = (int)(m / s->ow), ox = (int)(m % s->ow);
        const int y = oy * c->stride - c->pad + ky, x = ox * c->stride - c->pad + kx;
        c->igemm.indirection[(t0 * taps + t) * mr + r] =
            (y < 0 || y >= s->ih || x < 0 || x >= s->iw) ? zero : s->in + ((size_t)y * s->iw + x) * s->cin;
      }
    }
  }
}

typedef struct job {
  const sqz_exec *e;
  const sqz_step *s;
  size_t nb, m_groups, tiles;
} job;
SQZ_JOB_FITS(job);

/* An item: one column block × one group of pixel tiles. */
static void item(void *context, size_t i, int thread) {
  const job *j = context;
  const sqz_kernels *k = j->e->k;
  const sqz_step *s = j->s;
  const sqz_conv_step *c = &s->conv;
  const size_t m_total = (size_t)s->oh * s->ow, mr = k->mr, nr = k->nr;
  const size_t kc = (size_t)s->cin, ks = (size_t)c->kh * c->kw;
  const size_t cm_stride = s->out_pixel_stride * sizeof(float);
  const size_t n0 = (i / j->m_groups) * j->nb, g = i % j->m_groups;
  const size_t nc = sqz_min_size((size_t)s->cout - n0, j->nb);
  const float *w = c->packed + (n0 / nr) * (nr + kc * ks * nr);
  const size_t m_begin = sqz_part_begin(j->tiles, j->m_groups, g) * mr;
  const size_t m_end = sqz_min_size(sqz_part_begin(j->tiles, j->m_groups, g + 1) * mr, m_total);
  for (size_t m0 = m_begin; m0 < m_end; m0 += mr) {
    const size_t m = sqz_min_size(m_total - m0, mr);
    float *out = s->out + m0 * s->out_pixel_stride + n0;
    if (s->kind == SQZ_CONV_IGEMM)
      k->igemm(m, nc, kc, ks, c->igemm.indirection + (m0 / mr) * ks * mr, w, out, cm_stride, nr * sizeof(float),
               &c->params);
    else
      k->gemm(m, nc, kc, s->in + m0 * kc, kc * sizeof(float), w, out, cm_stride, nr * sizeof(float), &c->params);
  }
}

static size_t start(const sqz_exec *e, const sqz_step *s, void *space) {
  const sqz_kernels *k = e->k;
  const size_t threads = (size_t)sqz_pool_threads(e->pool);
  job *j = space;
  *j = (job){.e = e, .s = s, .tiles = ((size_t)s->oh * s->ow + k->mr - 1) / k->mr};
  j->nb = sqz_column_block((size_t)s->cin * s->conv.kh * s->conv.kw, k->nr);
  const size_t n_blocks = ((size_t)s->cout + j->nb - 1) / j->nb;
  /* one group of tiles when there are blocks enough to share out; else
   * enough items (8 per thread) for threads slowed by others to even out */
  j->m_groups = threads > 1 && n_blocks < 8 * threads
                    ? sqz_parts(j->tiles, j->tiles, (8 * threads + n_blocks - 1) / n_blocks, threads)
                    : 1;
  return n_blocks * j->m_groups;
}

const sqz_operator sqz_op_conv_gemm = {size, pack, start, item, bind};
