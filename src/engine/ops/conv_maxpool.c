/* An im2col convolution (conv_im2col.c) and the max pool that alone reads
 * its output, as one step: the convolution's output never exists whole
 * (the stem's 111x111x64 or x96 floats, 3.2 or 4.7 MB). An item is a strip
 * of pooled rows, done a band of SQZ_POOL_BAND_ROWS pooled rows at a time:
 * the convolution rows the band's windows cover into the thread's work
 * buffer (after its im2col panels), then the max pool kernel over them into
 * the output. Adjacent bands' windows share rows (3x3 stride 2: one); those
 * the thread's buffer still holds from its previous band are moved to its
 * front, not computed again. Each convolution pixel comes from the same
 * kernel calls as unfused (sqz_im2col_chunk: a pixel's sums do not depend
 * on its tile's neighbours) and the pool kernel scans the same windows in
 * the same order: the same bits as the two steps. */
#include <stdio.h>
#include <string.h>

#include "engine/ops/im2col.h"
#include "engine/plan.h"

void sqz_plan_fuse_maxpools(sqz_planner *p) {
  sqz_network *net = p->net;
  if (p->policy->unfused) return;
  for (int i = 0; i + 1 < net->num_steps; i++) {
    sqz_step *s = &net->steps[i];
    const sqz_step *pool = &net->steps[i + 1];
    sqz_tensor *t = &net->tensors[s->output];
    /* the pool alone reads the convolution's output (no other step between
       its first writer and last reader), which it alone writes whole */
    if (s->kind != SQZ_CONV_IM2COL || pool->kind != SQZ_STEP_MAXPOOL || pool->input != s->output ||
        t->first != i || t->last != i + 1 || s->out_channel != 0 || s->cout != t->c)
      continue;
    char name[sizeof s->name];
    snprintf(name, sizeof name, "%.15s+%.15s", s->name, pool->name);
    memcpy(s->name, name, sizeof name);
    s->kind = SQZ_STEP_CONV_MAXPOOL;
    s->conv.pool.kernel = pool->pool.kernel, s->conv.pool.stride = pool->pool.stride;
    s->conv.pool.oh = pool->oh, s->conv.pool.ow = pool->ow;
    s->output = pool->output;
    net->tensors[s->output].first = i;
    t->first = SQZ_KEPT, t->last = -1; /* written and read by none */
    sqz_plan_remove_step(p, i + 1);
  }
}

/* Pooled rows per band: the work buffer holds (band - 1) * stride + kernel
 * convolution rows, per thread (v1.1: 5 rows of 111x64 floats, 139 KiB; the
 * step's work 154 KiB, the network's largest, against 96 KiB unfused). The
 * step against conv0 + pool1 unfused, interleaved (bench/README.md): bands
 * of 1 row (83 KiB) 1.03-1.05, 2 rows 1.00-1.01, 4 rows (250 KiB) 0.99,
 * 8 rows (472 KiB) 0.98: a band's new rows are few PPMM chunks, and its
 * shared row is moved, costs that larger bands spread. */
#ifndef SQZ_POOL_BAND_ROWS
#define SQZ_POOL_BAND_ROWS 2
#endif

/* Convolution rows [*r0, *r1) that pooled rows [p0, p1) read. */
static void conv_rows(const sqz_step *s, size_t p0, size_t p1, size_t *r0, size_t *r1) {
  const size_t end = (p1 - 1) * (size_t)s->conv.pool.stride + (size_t)s->conv.pool.kernel;
  *r0 = p0 * (size_t)s->conv.pool.stride;
  *r1 = end < (size_t)s->oh ? end : (size_t)s->oh;
}

/* The im2col panels' floats, then the rows: the first band holds the most. */
static size_t panel_floats(const sqz_step *s, const sqz_kernels *k) {
  const size_t floats = sqz_im2col_chunk_pixels(s, k) * (size_t)s->cin * s->conv.kh * s->conv.kw;
  return (floats + 15) & ~(size_t)15; /* the rows start on a cache line */
}
static size_t row_floats(const sqz_step *s) { return (size_t)s->ow * s->cout; }

static sqz_step_needs size(const sqz_step *s, const sqz_kernels *k) {
  size_t r0, r1;
  conv_rows(s, 0, sqz_min_size(SQZ_POOL_BAND_ROWS, (size_t)s->conv.pool.oh), &r0, &r1);
  sqz_step_needs n = sqz_op_conv_im2col.size(s, k);
  n.work_floats = panel_floats(s, k) + (uint64_t)(r1 - r0) * row_floats(s);
  return n;
}

static void pack(sqz_step *s, const sqz_kernels *k, const float *weights, const float *bias, void *mem,
                 const float *zero) {
  sqz_op_conv_im2col.pack(s, k, weights, bias, mem, zero);
}

typedef struct job {
  const sqz_exec *e;
  const sqz_step *s;
  size_t strips;
  uint32_t held_begin[SQZ_MAX_THREADS], held_end[SQZ_MAX_THREADS]; /* the rows in each thread's buffer */
} job;
SQZ_JOB_FITS(job);

static void item(void *context, size_t i, int thread) {
  job *j = context;
  const sqz_step *s = j->s;
  const sqz_kernels *k = j->e->k;
  const size_t pooled = (size_t)s->conv.pool.oh, pw = (size_t)s->conv.pool.ow, c = (size_t)s->cout;
  const size_t ow = (size_t)s->ow, row = row_floats(s), chunk = sqz_im2col_chunk_pixels(s, k);
  float *work = sqz_exec_work(j->e, thread), *rows = work + panel_floats(s, k);
  const size_t end = sqz_part_begin(pooled, j->strips, i + 1);
  for (size_t p0 = sqz_part_begin(pooled, j->strips, i); p0 < end; p0 += SQZ_POOL_BAND_ROWS) {
    const size_t p1 = sqz_min_size(p0 + SQZ_POOL_BAND_ROWS, end);
    size_t r0, r1;
    conv_rows(s, p0, p1, &r0, &r1);
    size_t done = r0; /* rows [r0, done) are in the buffer */
    if (j->held_begin[thread] <= r0 && r0 < j->held_end[thread]) { /* rows of its previous band */
      done = sqz_min_size(j->held_end[thread], r1);
      memmove(rows, rows + (r0 - j->held_begin[thread]) * row, (done - r0) * row * sizeof(float));
    }
    for (size_t m = done * ow; m < r1 * ow; m += chunk)
      sqz_im2col_chunk(j->e, s, m, sqz_min_size(chunk, r1 * ow - m), work, rows + (m - r0 * ow) * c, c);
    j->held_begin[thread] = (uint32_t)r0, j->held_end[thread] = (uint32_t)r1;
    k->maxpool(rows, r1 - r0, ow, c, (size_t)s->conv.pool.kernel, (size_t)s->conv.pool.stride, s->out + p0 * pw * c,
               p1 - p0, pw, 0, p1 - p0);
  }
}

/* Two strips per thread when threads share it (each strip's first band
 * computes its shared row again unless the same thread did the strip before:
 * 3 rows of v1.1's 111 on 2 threads); on one thread, one strip. The
 * buffers' contents of an earlier run or step are forgotten here. */
static size_t start(const sqz_exec *e, const sqz_step *s, void *space) {
  job *j = space;
  const size_t threads = (size_t)sqz_pool_threads(e->pool);
  memset(j, 0, sizeof *j);
  j->e = e, j->s = s;
  j->strips = sqz_parts((size_t)s->conv.pool.oh, (size_t)s->conv.pool.oh, 2 * threads, threads);
  return j->strips;
}

const sqz_operator sqz_op_conv_maxpool = {size, pack, start, item, NULL};
