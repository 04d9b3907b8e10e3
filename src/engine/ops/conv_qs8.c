/* A dense 1x1 convolution (stride 1, unpadded, on a ReLU's output) in 8
 * bits, when the model asks for it (conv_path.c): conv_panels.c's loop, but
 * each chunk of pixel tiles quantized into 8-bit panels (a scale per pixel)
 * in the thread's work buffer, the weights quantized per output channel at
 * load, int32 sums by i32x4.dot_i16x8_s (kernels.h, sqz_qs8_ppmm_fn). The
 * output stays float32, as every other step reads it. */
#include "engine/ops/panels.h"

static size_t depth2(const sqz_step *s) { return ((size_t)s->cin + 1) & ~(size_t)1; }

/* A tile's panel in the work buffer, in floats: 4 rows × depth2 int16, then 4 scales. */
static size_t tile_floats(const sqz_step *s, const sqz_kernels *k) { return k->mr * depth2(s) / 2 + k->mr; }

/* Tiles per chunk: their panels within SQZ_WORK_CHUNK_BYTES. */
static size_t chunk_tiles(const sqz_step *s, const sqz_kernels *k) {
  const size_t tiles = SQZ_WORK_CHUNK_BYTES / (sizeof(float) * tile_floats(s, k));
  return tiles < 1 ? 1 : tiles;
}

/* Output channels per column block: a multiple of nr whose packed weights fit SQZ_L1_BLOCK_BYTES. */
static size_t column_block(const sqz_step *s, const sqz_kernels *k) {
  const size_t nb = SQZ_L1_BLOCK_BYTES / sqz_packed_qs8_conv_size(k->nr, (size_t)s->cin, k->nr) * k->nr;
  return nb < k->nr ? k->nr : nb;
}

static sqz_step_needs size(const sqz_step *s, const sqz_kernels *k) {
  const uint64_t packed = sqz_packed_qs8_conv_size((size_t)s->cout, (size_t)s->cin, k->nr);
  sqz_step_needs n = {sqz_align(packed), (uint64_t)chunk_tiles(s, k) * tile_floats(s, k), 0};
  return n;
}

static void pack(sqz_step *s, const sqz_kernels *k, const float *weights, const float *bias, void *mem,
                 const float *zero) {
  sqz_pack_qs8_conv_weights((size_t)s->cout, (size_t)s->cin, k->nr, weights, bias, mem);
  s->conv.packed = mem;
}

/* An item: one chunk × one group of column blocks (ops/panels.h); a tile's
 * panel is its 8-bit rows, then their 4 scales. */
static void item(void *context, size_t i, int thread) {
  sqz_panels_job *j = context;
  const sqz_step *s = j->s;
  const sqz_kernels *k = j->e->k;
  const size_t m_total = (size_t)s->oh * s->ow, mr = k->mr, nr = k->nr, kc = (size_t)s->cin;
  const size_t tile = tile_floats(s, k), block = sqz_packed_qs8_conv_size(nr, kc, nr);
  const size_t cm_stride = s->out_pixel_stride * sizeof(float);
  const sqz_panels_part part = sqz_panels_part_of(j, i, thread);
  float *panels = sqz_exec_work(j->e, thread);
  for (size_t t = part.t0; part.pack && t < part.t1; t++) {
    float *p = panels + (t - part.t0) * tile;
    const size_t m0 = t * mr;
    k->qs8_packx(sqz_min_size(m_total - m0, mr), kc, s->in + m0 * kc, kc * sizeof(float), (int16_t *)p, p + tile - mr);
  }
  for (size_t n0 = part.n_begin; n0 < part.n_end; n0 += j->nb) {
    const size_t nc = sqz_min_size(part.n_end - n0, j->nb);
    const void *w = (const uint8_t *)s->conv.packed + (n0 / nr) * block;
    for (size_t t = part.t0; t < part.t1; t++) {
      const float *p = panels + (t - part.t0) * tile;
      const size_t m0 = t * mr;
      k->qs8_ppmm(sqz_min_size(m_total - m0, mr), nc, depth2(s), (const int16_t *)p, p + tile - mr, w,
                  s->out + m0 * s->out_pixel_stride + n0, cm_stride, nr * sizeof(float), &s->conv.params);
    }
  }
}

static size_t start(const sqz_exec *e, const sqz_step *s, void *space) {
  return sqz_panels_start(space, e, s, chunk_tiles(s, e->k), column_block(s, e->k));
}

const sqz_operator sqz_op_conv_qs8 = {size, pack, start, item, NULL};
