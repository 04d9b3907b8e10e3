/* The schedule of the operators that pack a chunk of pixel tiles into panels
 * in the thread's work buffer and pass column blocks of packed weights over
 * them (conv_panels.c in float, conv_qs8.c in 8 bits): an item is one chunk
 * × one group of column blocks, and a thread packs a chunk only when its
 * previous item was another chunk's. */
#ifndef SQZ_OPS_PANELS_H
#define SQZ_OPS_PANELS_H
#include "engine/step.h"

typedef struct sqz_panels_job {
  const sqz_exec *e;
  const sqz_step *s;
  size_t tiles, chunks, nb, n_groups, column_units;
  size_t packed_chunk[SQZ_MAX_THREADS]; /* chunk+1 in each thread's panels */
} sqz_panels_job;
SQZ_JOB_FITS(sqz_panels_job);

/* Fills the job for chunks of at most chunk_tiles tiles and column blocks
 * of nb channels; returns its items. */
static inline size_t sqz_panels_start(sqz_panels_job *j, const sqz_exec *e, const sqz_step *s, size_t chunk_tiles,
                                      size_t nb) {
  const sqz_kernels *k = e->k;
  const size_t threads = (size_t)sqz_pool_threads(e->pool);
  *j = (sqz_panels_job){.e = e, .s = s, .tiles = ((size_t)s->oh * s->ow + k->mr - 1) / k->mr, .nb = nb};
  j->chunks = sqz_parts(j->tiles, chunk_tiles, 1, threads);
  j->column_units = ((size_t)s->cout + k->nr - 1) / k->nr;
  /* few chunks (conv10's 13x13 pixels, a fire's expand1x1): the columns are
   * shared out too, in equal groups of whole nr-column panels */
  j->n_groups = threads > 1 && j->chunks < 4 * threads
                    ? sqz_parts(j->column_units, j->column_units, (4 * threads + j->chunks - 1) / j->chunks, 1)
                    : 1;
  return j->chunks * j->n_groups;
}

/* Item i's tiles [t0, t1) and output channels [n_begin, n_end); pack: the
 * thread must pack the chunk first (then counted as packed). */
typedef struct sqz_panels_part {
  size_t t0, t1, n_begin, n_end;
  int pack;
} sqz_panels_part;

static inline sqz_panels_part sqz_panels_part_of(sqz_panels_job *j, size_t i, int thread) {
  const size_t nr = j->e->k->nr, chunk = i / j->n_groups, g = i % j->n_groups;
  sqz_panels_part p;
  p.t0 = sqz_part_begin(j->tiles, j->chunks, chunk), p.t1 = sqz_part_begin(j->tiles, j->chunks, chunk + 1);
  p.n_begin = sqz_part_begin(j->column_units, j->n_groups, g) * nr;
  p.n_end = sqz_min_size(sqz_part_begin(j->column_units, j->n_groups, g + 1) * nr, (size_t)j->s->cout);
  p.pack = j->packed_chunk[thread] != chunk + 1;
  j->packed_chunk[thread] = chunk + 1;
  return p;
}

#endif
