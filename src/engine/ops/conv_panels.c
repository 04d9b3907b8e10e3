/* A dense 1x1 convolution (stride 1, unpadded) as conv_gemm.c's GEMM, but
 * its input packed into PPMM panels a chunk of tiles at a time in the
 * thread's work buffer (one A pointer per k step in the kernel instead of
 * four), each column block of weights then passing over the chunk's tiles.
 * Measured against the plain GEMM: v1.1's steps 0.94 (conv10 0.86). */
#include "engine/step.h"

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

typedef struct job {
  const sqz_exec *e;
  const sqz_step *s;
  size_t tiles, chunks, nb, n_groups, column_units;
  size_t packed_chunk[SQZ_MAX_THREADS]; /* chunk+1 in each thread's panels */
} job;
SQZ_JOB_FITS(job);

/* An item: one chunk × one group of column blocks; a thread packs a chunk
 * only when its previous item was another chunk's. */
static void item(void *context, size_t i, int thread) {
  job *j = context;
  const sqz_step *s = j->s;
  const sqz_kernels *k = j->e->k;
  const size_t m_total = (size_t)s->oh * s->ow, mr = k->mr, nr = k->nr, kc = (size_t)s->cin;
  const size_t block = nr + kc * nr;
  const size_t cm_stride = s->out_pixel_stride * sizeof(float);
  const size_t chunk = i / j->n_groups, g = i % j->n_groups;
  const size_t t0 = sqz_part_begin(j->tiles, j->chunks, chunk), t1 = sqz_part_begin(j->tiles, j->chunks, chunk + 1);
  float *panel = sqz_exec_work(j->e, thread);
  if (j->packed_chunk[thread] != chunk + 1) {
    for (size_t t = t0; t < t1; t++) {
      const size_t m0 = t * mr;
      k->packx(sqz_min_size(m_total - m0, mr), kc, s->in + m0 * kc, kc * sizeof(float), panel + (t - t0) * kc * mr);
    }
    j->packed_chunk[thread] = chunk + 1;
  }
  const size_t n_begin = sqz_part_begin(j->column_units, j->n_groups, g) * nr;
  const size_t n_end = sqz_min_size(sqz_part_begin(j->column_units, j->n_groups, g + 1) * nr, (size_t)s->cout);
  for (size_t n0 = n_begin; n0 < n_end; n0 += j->nb) {
    const size_t nc = sqz_min_size(n_end - n0, j->nb);
    const float *w = s->conv.packed + (n0 / nr) * block;
    for (size_t t = t0; t < t1; t++) {
      const size_t m0 = t * mr;
      k->ppmm(sqz_min_size(m_total - m0, mr), nc, kc, panel + (t - t0) * kc * mr, w,
              s->out + m0 * s->out_pixel_stride + n0, cm_stride, nr * sizeof(float), &s->conv.params);
    }
  }
}

static size_t start(const sqz_exec *e, const sqz_step *s, void *space) {
  const sqz_kernels *k = e->k;
  const size_t threads = (size_t)sqz_pool_threads(e->pool);
  job *j = space;
  *j = (job){.e = e, .s = s, .tiles = ((size_t)s->oh * s->ow + k->mr - 1) / k->mr};
  j->chunks = sqz_parts(j->tiles, chunk_tiles(s, k), 1, threads);
  j->nb = sqz_column_block((size_t)s->cin, k->nr);
  j->column_units = ((size_t)s->cout + k->nr - 1) / k->nr;
  /* few chunks (conv10's 13x13 pixels, a fire's expand1x1): the columns are
   * shared out too, in equal groups of whole nr-column panels */
  j->n_groups = threads > 1 && j->chunks < 4 * threads
                    ? sqz_parts(j->column_units, j->column_units, (4 * threads + j->chunks - 1) / j->chunks, 1)
                    : 1;
  return j->chunks * j->n_groups;
}

const sqz_operator sqz_op_conv_panels = {size, pack, start, item};
