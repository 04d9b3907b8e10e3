/* 3x3 stride-1 convolutions padded by 1 (the fire modules' expand3x3) by
 * Winograd F(t×t, 3x3), t = 2 (SQZ_CONV_WINOGRAD2) or 4 (SQZ_CONV_WINOGRAD4),
 * chunk by chunk of output tiles (an item): transform the chunk's input
 * tiles into PPMM panels of mr tiles, (t+2)^2 PPMMs (one per transformed
 * element), transform back into the output. Each thread has its own work
 * buffer. Measured: the PPMM on panels the transform writes (one A pointer
 * per k step instead of four), against the 4-row-pointer GEMM on rows,
 * v1.1's expand3x3 steps 0.91-0.97 (F(2x2) at 13x13 gaining most). */
#include <math.h>
#include <string.h>

#include "engine/step.h"

static size_t tile_of(const sqz_step *s) { return s->kind == SQZ_CONV_WINOGRAD4 ? 4 : 2; }

/* Tiles per chunk: their transformed inputs and products ((t+2)^2 each)
 * within SQZ_WORK_CHUNK_BYTES, a multiple of the GEMM tile height. */
static size_t chunk_tiles(const sqz_step *s, const sqz_kernels *k) {
  const size_t t = tile_of(s), sets = (t + 2) * (t + 2);
  size_t chunk = SQZ_WORK_CHUNK_BYTES / (sizeof(float) * sets * ((size_t)s->cin + (size_t)s->cout));
  chunk -= chunk % k->mr;
  return chunk < k->mr ? k->mr : chunk;
}

/* Floats between consecutive transformed elements' rows of `width` channels
 * for a chunk: one cache line more than they fill, so the (t+2)^2 elements
 * of a tile, which the transforms read or write together, fall in different
 * cache sets (a power-of-two stride put them in two or four). */
static size_t xi_stride(size_t chunk, size_t width) { return chunk * width + SQZ_ALIGN / sizeof(float); }

static sqz_step_needs size(const sqz_step *s, const sqz_kernels *k) {
  const size_t t = tile_of(s), sets = (t + 2) * (t + 2);
  const uint64_t packed = sqz_packed_winograd_3x3_size(t, (size_t)s->cout, (size_t)s->cin, k->nr) + (uint64_t)s->cout;
  sqz_step_needs n = {sqz_align(packed * sizeof(float)),
                      (uint64_t)sets * (xi_stride(chunk_tiles(s, k), (size_t)s->cin) +
                                        xi_stride(chunk_tiles(s, k), (size_t)s->cout)),
                      (uint64_t)s->cin};
  return n;
}

/* The weight sets, then the biases. */
static void pack(sqz_step *s, const sqz_kernels *k, const float *weights, const float *bias, void *mem,
                 const float *zero) {
  float *packed = mem;
  const size_t n = sqz_pack_winograd_3x3(tile_of(s), (size_t)s->cout, (size_t)s->cin, k->nr, weights, packed);
  memcpy(packed + n, bias, (size_t)s->cout * sizeof(float));
  s->conv.packed = packed;
  s->conv.winograd.bias = packed + n;
}

typedef struct job {
  const sqz_exec *e;
  const sqz_step *s;
  size_t chunk, tiles, units, chunks; /* units: GEMM tiles of mr output tiles */
  sqz_f32_winograd_input_fn input;
  sqz_f32_winograd_output_fn output;
} job;
SQZ_JOB_FITS(job);

static void item(void *context, size_t i, int thread) {
  const job *j = context;
  const sqz_step *s = j->s;
  const sqz_kernels *k = j->e->k;
  const size_t mr = k->mr, cin = (size_t)s->cin, cout = (size_t)s->cout, chunk = j->chunk;
  const size_t t = tile_of(s), sets = (t + 2) * (t + 2);
  const size_t set = sqz_packed_conv_size(cout, cin, 1, 1, k->nr);
  float *work = sqz_exec_work(j->e, thread);
  const size_t v_stride = xi_stride(chunk, cin), m_stride = xi_stride(chunk, cout);
  float *v = work, *m = work + sets * v_stride;
  const sqz_minmax_params none = {-INFINITY, INFINITY};
  const size_t t0 = sqz_part_begin(j->units, j->chunks, i) * mr;
  const size_t n = sqz_min_size(sqz_part_begin(j->units, j->chunks, i + 1) * mr, j->tiles) - t0;
  j->input(s->in, (size_t)s->ih, (size_t)s->iw, cin, j->e->zero, t0, n, v, v_stride);
  for (size_t xi = 0; xi < sets; xi++) {
    for (size_t r = 0; r < n; r += mr) {
      k->ppmm(sqz_min_size(n - r, mr), cout, cin, v + xi * v_stride + r * cin, s->conv.packed + xi * set,
              m + xi * m_stride + r * cout, cout * sizeof(float), k->nr * sizeof(float), &none);
    }
  }
  j->output(m, m_stride, cout, s->conv.winograd.bias, t0, n, (size_t)s->oh, (size_t)s->ow, s->out,
            s->out_pixel_stride, &s->conv.params);
}

/* Chunks of whole GEMM tiles (mr output tiles; the network's last may be
 * short), equal to within one GEMM tile, as many as the work buffer needs
 * and a multiple of the threads. */
static size_t start(const sqz_exec *e, const sqz_step *s, void *space) {
  const sqz_kernels *k = e->k;
  const size_t t = tile_of(s);
  job *j = space;
  *j = (job){.e = e, .s = s, .chunk = chunk_tiles(s, k)};
  j->tiles = (((size_t)s->oh + t - 1) / t) * (((size_t)s->ow + t - 1) / t);
  j->units = (j->tiles + k->mr - 1) / k->mr;
  j->chunks = sqz_parts(j->units, j->chunk / k->mr, 1, (size_t)sqz_pool_threads(e->pool));
  j->input = t == 4 ? k->winograd4_input : k->winograd2_input;
  j->output = t == 4 ? k->winograd4_output : k->winograd2_output;
  return j->chunks;
}

const sqz_operator sqz_op_conv_winograd = {size, pack, start, item, NULL};
