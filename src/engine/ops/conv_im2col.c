/* A convolution with few input channels (the stem: RGB) by im2col: the rows
 * of kh*kw*cin floats (tap-major, as the weights are packed) of a chunk of
 * output pixels (an item) written straight into PPMM panels in the thread's
 * work buffer (each tile of mr rows interleaved, kernels.h), then one PPMM
 * per tile. A tile of pixels inside one output row and the input is
 * interleaved by packx, a kernel row at a time. */
#include "engine/ops/im2col.h"

static size_t row_floats(const sqz_step *s) { return (size_t)s->cin * s->conv.kh * s->conv.kw; }

size_t sqz_im2col_chunk_pixels(const sqz_step *s, const sqz_kernels *k) {
  size_t chunk = SQZ_L1_BLOCK_BYTES / (row_floats(s) * sizeof(float));
  chunk -= chunk % k->mr;
  return chunk < k->mr ? k->mr : chunk;
}

static sqz_step_needs size(const sqz_step *s, const sqz_kernels *k) {
  const uint64_t packed = sqz_packed_conv_size((size_t)s->cout, (size_t)s->cin, (size_t)s->conv.kh,
                                               (size_t)s->conv.kw, k->nr);
  sqz_step_needs n = {sqz_align(packed * sizeof(float)), (uint64_t)sqz_im2col_chunk_pixels(s, k) * row_floats(s),
                      (uint64_t)s->cin};
  return n;
}

static void pack(sqz_step *s, const sqz_kernels *k, const float *weights, const float *bias, void *mem,
                 const float *zero) {
  sqz_pack_conv_weights((size_t)s->cout, (size_t)s->cin, (size_t)s->conv.kh, (size_t)s->conv.kw, k->nr, weights,
                        bias, mem);
  s->conv.packed = mem;
}

/* Copies n floats into every mr-th float of dst (a row into a PPMM panel). */
static inline void put_floats(float *dst, const float *src, size_t n, size_t mr) {
  for (size_t i = 0; i < n; i++) dst[i * mr] = src[i];
}
static inline void put_zeros(float *dst, size_t n, size_t mr) {
  for (size_t i = 0; i < n; i++) dst[i * mr] = 0.0f;
}

/* Whether the mr output pixels from (oy, ox) on (`left` of the chunk's
 * pixels remain) lie in one output row with every tap inside the input. */
static int whole_tile(const sqz_step *s, size_t mr, size_t left, int oy, int ox) {
  const sqz_conv_step *c = &s->conv;
  const int y0 = oy * c->stride - c->pad, x0 = ox * c->stride - c->pad;
  const int x_last = (ox + (int)mr - 1) * c->stride - c->pad;
  return left >= mr && ox + (int)mr <= s->ow && y0 >= 0 && y0 + c->kh <= s->ih && x0 >= 0 &&
         x_last + c->kw <= s->iw;
}

void sqz_im2col_chunk(const sqz_exec *e, const sqz_step *s, size_t m0, size_t n, float *work, float *out,
                      size_t out_stride) {
  const sqz_conv_step *c = &s->conv;
  const sqz_kernels *k = e->k;
  const size_t cin = (size_t)s->cin, kw = (size_t)c->kw, kc = row_floats(s), mr = k->mr;
  for (size_t r = 0; r < n; r++) {
    float *row = work + (r / mr) * kc * mr + r % mr; /* element j at row[j*mr] */
    const int oy = (int)((m0 + r) / s->ow), ox = (int)((m0 + r) % s->ow);
    const int x0 = ox * c->stride - c->pad;
    if (r % mr == 0 && whole_tile(s, mr, n - r, oy, ox)) {
      /* mr pixels of one output row, their windows inside the input: per
       * kernel row, mr runs of kw*cin floats stride*cin apart, which packx
       * interleaves with SIMD (the same panel as put_floats row by row) */
      const float *src = s->in + ((size_t)(oy * c->stride - c->pad) * s->iw + x0) * cin;
      for (int ky = 0; ky < c->kh; ky++)
        k->packx(mr, kw * cin, src + (size_t)ky * s->iw * cin, (size_t)c->stride * cin * sizeof(float),
                 row + (size_t)ky * kw * cin * mr);
      r += mr - 1;
      continue;
    }
    for (int ky = 0; ky < c->kh; ky++) {
      const int y = oy * c->stride - c->pad + ky;
      float *dst = row + (size_t)ky * kw * cin * mr;
      if (y < 0 || y >= s->ih) {
        put_zeros(dst, kw * cin, mr);
      } else if (x0 >= 0 && x0 + c->kw <= s->iw) {
        put_floats(dst, s->in + ((size_t)y * s->iw + x0) * cin, kw * cin, mr);
      } else {
        for (int kx = 0; kx < c->kw; kx++) {
          const int x = x0 + kx;
          const float *src = x < 0 || x >= s->iw ? e->zero : s->in + ((size_t)y * s->iw + x) * cin;
          put_floats(dst + (size_t)kx * cin * mr, src, cin, mr);
        }
      }
    }
  }
  for (size_t r = n; r % mr != 0; r++) /* the last tile's missing rows: zeros, computed and dropped */
    put_zeros(work + (r / mr) * kc * mr + r % mr, kc, mr);
  for (size_t r = 0; r < n; r += mr) {
    k->ppmm(sqz_min_size(n - r, mr), (size_t)s->cout, kc, work + r * kc, c->packed, out + r * out_stride,
            out_stride * sizeof(float), k->nr * sizeof(float), &c->params);
  }
}

typedef struct job {
  const sqz_exec *e;
  const sqz_step *s;
  size_t units, chunks; /* units: tiles of mr pixels */
} job;
SQZ_JOB_FITS(job);

static void item(void *context, size_t i, int thread) {
  const job *j = context;
  const sqz_step *s = j->s;
  const size_t m_total = (size_t)s->oh * s->ow, mr = j->e->k->mr;
  const size_t m0 = sqz_part_begin(j->units, j->chunks, i) * mr;
  const size_t n = sqz_min_size(sqz_part_begin(j->units, j->chunks, i + 1) * mr, m_total) - m0;
  sqz_im2col_chunk(j->e, s, m0, n, sqz_exec_work(j->e, thread), s->out + m0 * s->out_pixel_stride,
                   s->out_pixel_stride);
}

static size_t start(const sqz_exec *e, const sqz_step *s, void *space) {
  const size_t mr = e->k->mr;
  job *j = space;
  *j = (job){.e = e, .s = s, .units = ((size_t)s->oh * s->ow + mr - 1) / mr};
  j->chunks = sqz_parts(j->units, sqz_im2col_chunk_pixels(s, e->k) / mr, 1, (size_t)sqz_pool_threads(e->pool));
  return j->chunks;
}

const sqz_operator sqz_op_conv_im2col = {size, pack, start, item, NULL};
