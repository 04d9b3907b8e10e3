/* A dense 1x1 convolution (stride 1, unpadded) as conv_gemm.c's GEMM, but
 * its input packed into PPMM panels a chunk of tiles at a time in the
 * thread's work buffer (one A pointer per k step in the kernel instead of
 * four), each column block of weights then passing over the chunk's tiles.
 * Measured against the plain GEMM: v1.1's steps 0.94 (conv10 0.86). */
#include "engine/ops/panels.h"

/* Tiles per chunk: their panels within SQZ_WORK_CHUNK_BYTES. */
static size_t chunk_tiles(const sqz_step *s, const sqz_kernels *k) {
  const size_t tiles = SQZ_WORK_CHUNK_BYTES / (sizeof(float) * (size_t)s->cin * k->mr);
  return tiles < 1 ? 1 : tiles;
}

static sqz_step_needs size(const sqz_step *s, const sqz_kernels *k) {
  const uint64_t packed = sqz_packed_conv_size((size_t)s->cout, (size_t)s->cin, 1, 1, k->nr);
  sqz_step_needs n = {sqz_align(packed * sizeof(float)), (uint64_t)chunk_tiles(s, k) * k->mr * s->cin, 0};
  return n;
}

static void pack(sqz_step *s, const sqz_kernels *k, const float *weights, const float *bias, void *mem,
                 const float *zero) {
  sqz_pack_conv_weights((size_t)s->cout, (size_t)s->cin, 1, 1, k->nr, weights, bias, mem);
  s->conv.packed = mem;
}

/* An item: one chunk × one group of column blocks (ops/panels.h). */
static void item(void *context, size_t i, int thread) {
  sqz_panels_job *j = context;
  const sqz_step *s = j->s;
  const sqz_kernels *k = j->e->k;
  const size_t m_total = (size_t)s->oh * s->ow, mr = k->mr, nr = k->nr, kc = (size_t)s->cin;
  const size_t block = nr + kc * nr;
  const size_t cm_stride = s->out_pixel_stride * sizeof(float);
  const sqz_panels_part p = sqz_panels_part_of(j, i, thread);
  float *panel = sqz_exec_work(j->e, thread);
  for (size_t t = p.t0; p.pack && t < p.t1; t++) {
    const size_t m0 = t * mr;
    k->packx(sqz_min_size(m_total - m0, mr), kc, s->in + m0 * kc, kc * sizeof(float), panel + (t - p.t0) * kc * mr);
  }
  for (size_t n0 = p.n_begin; n0 < p.n_end; n0 += j->nb) {
    const size_t nc = sqz_min_size(p.n_end - n0, j->nb);
    const float *w = s->conv.packed + (n0 / nr) * block;
    for (size_t t = p.t0; t < p.t1; t++) {
      const size_t m0 = t * mr;
      k->ppmm(sqz_min_size(m_total - m0, mr), nc, kc, panel + (t - p.t0) * kc * mr, w,
              s->out + m0 * s->out_pixel_stride + n0, cm_stride, nr * sizeof(float), &s->conv.params);
    }
  }
}

static size_t start(const sqz_exec *e, const sqz_step *s, void *space) {
  return sqz_panels_start(space, e, s, chunk_tiles(s, e->k), sqz_column_block((size_t)s->cin, e->k->nr));
}

const sqz_operator sqz_op_conv_panels = {size, pack, start, item, NULL};
