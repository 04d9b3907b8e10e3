/* Network planning and execution.
 *
 * Activations are NHWC float32 in two ping-pong buffers plus one for the
 * squeeze outputs, each sized at creation for the largest tensor it holds. A fire
 * module runs squeeze into the squeeze buffer, then both expands straight
 * into their channel halves of the output (output row stride e1+e3).
 * 1×1 stride-1 unpadded convolutions are GEMMs; every other convolution is
 * an indirect GEMM whose indirection buffer (pointers to input pixels or to
 * a zero row for padding) is built once here, since the buffers never move.
 * 1×1 convolutions with pruned weights (density at most the kernel set's
 * spmm_max_density) skip the zeros instead: sparse weights times the input
 * transposed to channel-major (STEP_SPMM). */
#include "engine/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEPS (SQZ_MAX_LAYERS * 3)
#ifndef SQZ_WINOGRAD_CHUNK_BYTES
#define SQZ_WINOGRAD_CHUNK_BYTES 98304
#endif
#define ALIGN 64

typedef enum { STEP_CONV, STEP_WINOGRAD, STEP_IM2COL, STEP_SPMM, STEP_MAXPOOL, STEP_GAP } step_kind;

typedef struct step {
  step_kind kind;
  char name[32];
  /* shapes */
  int ih, iw, cin, oh, ow, cout;
  /* conv */
  int kh, kw, stride, pad;
  sqz_minmax_params params;
  const float *packed;
  const float **indirection; /* NULL: plain GEMM */
  const float *input;
  float *output;
  size_t out_pixel_stride;   /* floats between output pixels */
  /* Winograd: biases (apart from the packed weights), tiles per chunk */
  const float *bias;
  size_t winograd_tile, winograd_chunk;
  size_t im2col_chunk; /* pixels per im2col chunk */
  size_t panel_tiles;  /* 1x1 GEMM by panels: GEMM tiles packed per chunk (0: plain GEMM) */
  /* spmm: packed holds biases and nonzeros; their input row offsets, counts;
   * where each input pixel's outputs go; with padding, the border's outputs
   * (the clamped biases) */
  const int32_t *spmm_offsets;
  const uint32_t *spmm_nnz, *spmm_out_pixels;
  const float *spmm_border;
  sqz_f32_winograd_input_fn winograd_input;
  sqz_f32_winograd_output_fn winograd_output;
  /* maxpool */
  int pool_kernel, pool_stride;
} step;

struct sqz_network {
  const sqz_kernels *k;
  const sqz_conv_policy *policy;
  int num_steps;
  step steps[MAX_STEPS];
  int in_w, in_h, num_classes;
  float *input;
  float *logits;
  const float *zero;      /* zeros for padding, as wide as the widest input */
  float *work;            /* thread 0's work: a chunk's Winograd transforms, im2col rows or
                             GEMM panels; spmm's input transposed (shared by all threads) */
  size_t work_floats;
  sqz_pool *pool;         /* threads (not owned); NULL: the caller alone */
  float *thread_work;     /* work for threads 1.., work_floats apart */
  void *memory; /* one allocation holds everything */
  size_t memory_bytes;
  sqz_clock_fn clock;
  double *step_ms;
};

static uint64_t align_up(uint64_t n) { return (n + ALIGN - 1) & ~(uint64_t)(ALIGN - 1); }

/* Planning runs twice: first to add up sizes (base == NULL), then to assign
 * memory and pack weights. */
typedef struct planner {
  sqz_network *net;
  const sqz_model_desc *desc;
  uint8_t *base;
  uint64_t offset;
  uint64_t act_floats[2], squeeze_floats, zero_floats, work_floats;
  float *buf[2], *squeeze, *zero;
  float *scratch; /* decoded weights, largest tensor */
  uint64_t scratch_floats;
  /* Nonzero weights of each step that may run by spmm, counted in pass 1
   * (which decodes those weights once more) to size pass 2's packing. */
  uint64_t nonzeros[MAX_STEPS];
  int sparse; /* 0: every convolution dense (the first sizing, before any decoding) */
  sqz_error *err;
} planner;

static void *take(planner *p, uint64_t bytes) {
  void *ptr = p->base ? p->base + p->offset : NULL;
  p->offset += align_up(bytes);
  return ptr;
}

/* Decodes a convolution's weights (count floats) and biases (cout). */
static sqz_status decode_conv(const sqz_conv_desc *c, const char *name, float *weights, uint64_t count,
                              float *bias, sqz_error *err) {
  char what[48];
  snprintf(what, sizeof what, "%s weights", name);
  sqz_status st = sqz_tensor_decode(&c->weights, weights, (size_t)count, what, err);
  if (st || !bias) return st;
  snprintf(what, sizeof what, "%s bias", name);
  return sqz_tensor_decode(&c->bias, bias, (size_t)c->cout, what, err);
}

/* Plans step s (a 1x1 stride-1 convolution, shapes set) as STEP_SPMM if its
 * weights are sparse enough for the kernel set (kernels.h): *chosen says
 * whether it did. The density is known only from the decoded weights,
 * so pass 1 decodes them (once more than pass 2) to size the packing.
 * Offsets into the transposed input are int32 bytes. Padding (v1.0's conv10
 * has 1) only adds a border of clamped biases around the outputs. */
static sqz_status add_spmm(planner *p, step *s, const sqz_conv_shape *shape, const sqz_conv_desc *c,
                           const char *name, uint64_t wcount, int *chosen) {
  const int idx = (int)(s - p->net->steps);
  const uint64_t pixels = (uint64_t)s->ih * s->iw, cin = (uint64_t)s->cin, cout = (uint64_t)c->cout;
  *chosen = 0;
  if (!p->base) {
    float *w = malloc((size_t)wcount * sizeof(float));
    if (!w) return sqz_fail(p->err, SQZ_ERR_MEMORY, "out of memory decoding %s weights", name);
    sqz_status st = decode_conv(c, name, w, wcount, NULL, p->err);
    p->nonzeros[idx] = st ? 0 : sqz_count_nonzeros(w, (size_t)wcount);
    free(w);
    if (st) return st;
  }
  const uint64_t nnz = p->nonzeros[idx];
  if (sqz_conv_choose_path(shape, nnz, p->net->k, p->net->policy) != SQZ_CONV_SPMM) return SQZ_OK;
  *chosen = 1;
  s->kind = STEP_SPMM;
  float *weights = take(p, (cout + nnz) * sizeof(float));
  int32_t *offsets = take(p, nnz * sizeof(int32_t));
  uint32_t *nnzmap = take(p, cout * sizeof(uint32_t));
  uint32_t *out_pixels = take(p, pixels * sizeof(uint32_t));
  float *border = s->pad ? take(p, cout * sizeof(float)) : NULL;
  if (cin * pixels > p->work_floats) p->work_floats = cin * pixels;
  if (!p->base) return SQZ_OK;

  float bias[SQZ_MAX_CHANNELS];
  sqz_status st = decode_conv(c, name, p->scratch, wcount, bias, p->err);
  if (st) return st;
  sqz_pack_spmm_weights((size_t)cout, (size_t)cin, (size_t)pixels * sizeof(float), p->scratch, bias, weights,
                        offsets, nnzmap);
  for (size_t y = 0; y < (size_t)s->ih; y++)
    for (size_t x = 0; x < (size_t)s->iw; x++)
      out_pixels[y * s->iw + x] = (uint32_t)(((y + s->pad) * s->ow + x + s->pad) * s->out_pixel_stride);
  for (size_t n = 0; border && n < cout; n++) border[n] = fminf(fmaxf(bias[n], s->params.min), s->params.max);
  s->packed = weights, s->spmm_offsets = offsets, s->spmm_nnz = nnzmap;
  s->spmm_out_pixels = out_pixels, s->spmm_border = border;
  return SQZ_OK;
}

static sqz_status add_conv(planner *p, const sqz_conv_desc *c, const char *name, int ih, int iw,
                           int cin, const float *input, float *output, size_t out_stride,
                           int *oh_out, int *ow_out) {
  sqz_network *net = p->net;
  sqz_error *err = p->err;
  if (net->num_steps >= MAX_STEPS) return sqz_fail(err, SQZ_ERR_MODEL, "model: too many steps");
  if (c->cout < 1 || c->cout > SQZ_MAX_CHANNELS || c->kh < 1 || c->kw < 1 ||
      c->kh > SQZ_MAX_KERNEL || c->kw > SQZ_MAX_KERNEL || c->stride < 1 || c->stride > SQZ_MAX_KERNEL ||
      c->pad < 0 || c->pad > SQZ_MAX_KERNEL || c->relu > 1)
    return sqz_fail(err, SQZ_ERR_MODEL,
                    "model: %s: bad convolution (cout %d, kernel %dx%d, stride %d, pad %d)", name,
                    c->cout, c->kh, c->kw, c->stride, c->pad);
  int oh = (ih + 2 * c->pad - c->kh) / c->stride + 1;
  int ow = (iw + 2 * c->pad - c->kw) / c->stride + 1;
  if (ih + 2 * c->pad < c->kh || iw + 2 * c->pad < c->kw || oh < 1 || ow < 1)
    return sqz_fail(err, SQZ_ERR_MODEL, "model: %s: a %dx%d kernel does not fit a %dx%d input", name,
                    c->kh, c->kw, ih, iw);
  step *s = &net->steps[net->num_steps++];
  memset(s, 0, sizeof *s);
  s->kind = STEP_CONV;
  snprintf(s->name, sizeof s->name, "%s", name);
  s->ih = ih, s->iw = iw, s->cin = cin, s->oh = oh, s->ow = ow, s->cout = c->cout;
  s->kh = c->kh, s->kw = c->kw, s->stride = c->stride, s->pad = c->pad;
  s->params.min = c->relu ? 0.0f : -INFINITY;
  s->params.max = INFINITY;
  s->input = input, s->output = output, s->out_pixel_stride = out_stride;

  uint64_t wcount = (uint64_t)c->cout * cin * c->kh * c->kw;
  if (wcount > p->scratch_floats) p->scratch_floats = wcount;
  const sqz_kernels *k = net->k;
  const sqz_conv_shape shape = {ih, iw, cin, oh, ow, c->cout, c->kh, c->kw, c->stride, c->pad};
  const sqz_conv_path path = sqz_conv_choose_path(&shape, wcount, k, net->policy);
  size_t winograd = 0; /* tile size */
  if (path == SQZ_CONV_WINOGRAD4) {
    winograd = 4;
    s->winograd_input = k->winograd4_input, s->winograd_output = k->winograd4_output;
  } else if (path == SQZ_CONV_WINOGRAD2) {
    winograd = 2;
    s->winograd_input = k->winograd2_input, s->winograd_output = k->winograd2_output;
  }
  /* 1x1 stride 1 (squeezes, expand1x1, conv10) by spmm when pruned enough. */
  if (p->sparse && sqz_conv_may_be_sparse(&shape, k, net->policy)) {
    int chosen = 0;
    sqz_status st = add_spmm(p, s, &shape, c, name, wcount, &chosen);
    if (st || chosen) {
      *oh_out = oh, *ow_out = ow;
      return st;
    }
  }
  uint64_t packed_floats =
      winograd ? sqz_packed_winograd_3x3_size(winograd, (size_t)c->cout, (size_t)cin, net->k->nr) + (uint64_t)c->cout
               : sqz_packed_conv_size((size_t)c->cout, (size_t)cin, (size_t)c->kh, (size_t)c->kw, net->k->nr);
  float *packed = take(p, packed_floats * 4);
  int direct = winograd || (c->kh == 1 && c->kw == 1 && c->stride == 1 && c->pad == 0);
  /* Fewer than 4 input channels (the stem: RGB): per tap the indirect GEMM
   * would run 1-3 steps between pointer loads, and its indirection buffer
   * would be large; copying patches into rows (im2col) gives one long GEMM. */
  int im2col = path == SQZ_CONV_IM2COL;
  if (im2col) {
    uint64_t row = (uint64_t)cin * c->kh * c->kw, chunk = 16384 / (row * 4);
    chunk -= chunk % net->k->mr;
    if (chunk < net->k->mr) chunk = net->k->mr;
    s->kind = STEP_IM2COL;
    s->im2col_chunk = (size_t)chunk;
    if (chunk * row > p->work_floats) p->work_floats = chunk * row;
    direct = 1; /* no indirection buffer */
  }
  if (winograd) {
    /* Chunks of tiles whose transformed inputs and products (alpha^2 each)
     * stay within SQZ_WINOGRAD_CHUNK_BYTES, a multiple of the GEMM tile height. */
    const uint64_t sets = (winograd + 2) * (winograd + 2);
    uint64_t chunk = SQZ_WINOGRAD_CHUNK_BYTES / (4 * sets * ((uint64_t)cin + (uint64_t)c->cout));
    chunk -= chunk % net->k->mr;
    if (chunk < net->k->mr) chunk = net->k->mr;
    s->kind = STEP_WINOGRAD;
    s->winograd_tile = winograd;
    s->winograd_chunk = (size_t)chunk;
    uint64_t need = sets * chunk * ((uint64_t)cin + (uint64_t)c->cout);
    if (need > p->work_floats) p->work_floats = need;
  }
  if (path == SQZ_CONV_PANELS) {
    /* A 1x1 GEMM's input packed into PPMM panels a chunk of tiles at a time,
     * the chunk within what Winograd's chunks already take of net->work. */
    uint64_t tiles = SQZ_WINOGRAD_CHUNK_BYTES / (4 * (uint64_t)cin * k->mr);
    if (tiles < 1) tiles = 1;
    s->panel_tiles = (size_t)tiles;
    if (tiles * k->mr * cin > p->work_floats) p->work_floats = tiles * k->mr * cin;
  }
  uint64_t mr = net->k->mr;
  uint64_t tiles = ((uint64_t)oh * ow + mr - 1) / mr;
  const float **ind = direct ? NULL : take(p, tiles * c->kh * c->kw * mr * sizeof(float *));
  if ((uint64_t)cin > p->zero_floats) p->zero_floats = (uint64_t)cin;
  *oh_out = oh, *ow_out = ow;
  if (!p->base) return SQZ_OK;

  /* Decode and pack the weights. */
  float bias[SQZ_MAX_CHANNELS];
  sqz_status st = decode_conv(c, name, p->scratch, wcount, bias, err);
  if (st) return st;
  if (winograd) {
    size_t n = sqz_pack_winograd_3x3(winograd, (size_t)c->cout, (size_t)cin, net->k->nr, p->scratch, packed);
    memcpy(packed + n, bias, (size_t)c->cout * sizeof(float));
    s->bias = packed + n;
  } else {
    sqz_pack_conv_weights((size_t)c->cout, (size_t)cin, (size_t)c->kh, (size_t)c->kw, net->k->nr,
                          p->scratch, bias, packed);
  }
  s->packed = packed;

  if (ind) {
    size_t m_total = (size_t)oh * ow, taps = (size_t)c->kh * c->kw;
    for (size_t t0 = 0; t0 < tiles; t0++) {
      for (size_t t = 0; t < taps; t++) {
        int ky = (int)(t / c->kw), kx = (int)(t % c->kw);
        for (size_t r = 0; r < mr; r++) {
          size_t m = t0 * mr + r;
          if (m >= m_total) m = m_total - 1;
          int oy = (int)(m / ow), ox = (int)(m % ow);
          int y = oy * c->stride - c->pad + ky, x = ox * c->stride - c->pad + kx;
          ind[(t0 * taps + t) * mr + r] =
              (y < 0 || y >= ih || x < 0 || x >= iw) ? p->zero : input + ((size_t)y * iw + x) * cin;
        }
      }
    }
    s->indirection = ind;
  }
  return SQZ_OK;
}

static sqz_status plan(planner *p) {
  sqz_network *net = p->net;
  const sqz_model_desc *d = p->desc;
  sqz_error *err = p->err;
  net->num_steps = 0;
  int h = d->recipe.input_height, w = d->recipe.input_width, c = 3, cur = 0;
  uint64_t act[2] = {(uint64_t)h * w * c, 0}, squeeze = 0;
  const float *in = p->buf[0];
  char name[32];
  int gap_seen = 0;
  for (int i = 0; i < d->num_layers; i++) {
    const sqz_layer_desc *l = &d->layers[i];
    float *out = p->buf[cur ^ 1];
    if (gap_seen) return sqz_fail(err, SQZ_ERR_MODEL, "model: layer %d follows the global average pool", i);
    int oh = 0, ow = 0;
    sqz_status st;
    switch (l->op) {
      case SQZ_OP_CONV:
        snprintf(name, sizeof name, "conv%d", i);
        if ((st = add_conv(p, &l->conv, name, h, w, c, in, out, (size_t)l->conv.cout, &oh, &ow))) return st;
        c = l->conv.cout;
        break;
      case SQZ_OP_FIRE: {
        int s1 = l->squeeze.cout, e1 = l->expand1.cout, e3 = l->expand3.cout;
        if (s1 < 1 || e1 < 1 || e3 < 1 || s1 > SQZ_MAX_CHANNELS || e1 + e3 > SQZ_MAX_CHANNELS)
          return sqz_fail(err, SQZ_ERR_MODEL, "model: layer %d: bad fire sizes %d/%d/%d", i, s1, e1, e3);
        int sh, sw;
        snprintf(name, sizeof name, "fire%d/squeeze", i);
        if ((st = add_conv(p, &l->squeeze, name, h, w, c, in, p->squeeze, (size_t)s1, &sh, &sw))) return st;
        if ((uint64_t)h * w * s1 > squeeze) squeeze = (uint64_t)h * w * s1;
        snprintf(name, sizeof name, "fire%d/expand1x1", i);
        if ((st = add_conv(p, &l->expand1, name, h, w, s1, p->squeeze, out, (size_t)(e1 + e3), &oh, &ow))) return st;
        snprintf(name, sizeof name, "fire%d/expand3x3", i);
        if ((st = add_conv(p, &l->expand3, name, h, w, s1, p->squeeze, out ? out + e1 : NULL,
                           (size_t)(e1 + e3), &oh, &ow)))
          return st;
        oh = h, ow = w;
        c = e1 + e3;
        break;
      }
      case SQZ_OP_MAXPOOL: {
        int k = l->pool_kernel, s = l->pool_stride;
        if (k < 1 || k > SQZ_MAX_KERNEL || s < 1 || s > SQZ_MAX_KERNEL || l->pool_pad != 0 || l->pool_ceil > 1)
          return sqz_fail(err, SQZ_ERR_MODEL, "model: layer %d: unsupported max pool (kernel %d, stride %d, pad %d)",
                          i, k, s, l->pool_pad);
        if (h < k || w < k) return sqz_fail(err, SQZ_ERR_MODEL, "model: layer %d: pool window larger than its %dx%d input", i, h, w);
        if (l->pool_ceil) {
          oh = (h - k + s - 1) / s + 1;
          ow = (w - k + s - 1) / s + 1;
          /* as PyTorch: a last window starting past the input is dropped
             (possible when the stride exceeds the kernel; found by fuzzing) */
          if ((oh - 1) * s >= h) oh--;
          if ((ow - 1) * s >= w) ow--;
        } else {
          oh = (h - k) / s + 1;
          ow = (w - k) / s + 1;
        }
        if (net->num_steps >= MAX_STEPS) return sqz_fail(err, SQZ_ERR_MODEL, "model: too many steps");
        step *st2 = &net->steps[net->num_steps++];
        memset(st2, 0, sizeof *st2);
        st2->kind = STEP_MAXPOOL;
        snprintf(st2->name, sizeof st2->name, "pool%d", i);
        st2->ih = h, st2->iw = w, st2->cin = c, st2->oh = oh, st2->ow = ow, st2->cout = c;
        st2->pool_kernel = k, st2->pool_stride = s;
        st2->input = in, st2->output = out;
        break;
      }
      case SQZ_OP_GAP: {
        if (net->num_steps >= MAX_STEPS) return sqz_fail(err, SQZ_ERR_MODEL, "model: too many steps");
        step *st2 = &net->steps[net->num_steps++];
        memset(st2, 0, sizeof *st2);
        st2->kind = STEP_GAP;
        snprintf(st2->name, sizeof st2->name, "gap%d", i);
        st2->ih = h, st2->iw = w, st2->cin = c, st2->oh = 1, st2->ow = 1, st2->cout = c;
        st2->input = in, st2->output = net->logits;
        oh = ow = 1;
        gap_seen = 1;
        break;
      }
      default:
        return sqz_fail(err, SQZ_ERR_MODEL, "model: layer %d: unknown operation %d", i, (int)l->op);
    }
    h = oh, w = ow;
    if (!gap_seen) {
      uint64_t n = (uint64_t)h * w * c;
      if (n > act[cur ^ 1]) act[cur ^ 1] = n;
      cur ^= 1;
      in = p->buf[cur];
    }
  }
  if (!gap_seen) return sqz_fail(err, SQZ_ERR_MODEL, "model: the network does not end in a global average pool");
  if ((uint32_t)c != d->num_labels)
    return sqz_fail(err, SQZ_ERR_MODEL, "model: the network outputs %d classes but there are %u labels", c,
                    d->num_labels);
  net->num_classes = c;
  p->act_floats[0] = act[0];
  p->act_floats[1] = act[1];
  p->squeeze_floats = squeeze;
  return SQZ_OK;
}

sqz_status sqz_network_create(const sqz_model_desc *desc, const sqz_kernels *kernels,
                              const sqz_conv_policy *policy, sqz_network **out, sqz_error *err) {
  *out = NULL;
  sqz_network *net = calloc(1, sizeof *net);
  if (!net) return sqz_fail(err, SQZ_ERR_MEMORY, "out of memory for the network");
  net->k = kernels ? kernels : sqz_kernels_default;
  net->policy = policy ? policy : &sqz_conv_policy_default;
  net->in_w = desc->recipe.input_width;
  net->in_h = desc->recipe.input_height;
  planner p = {.net = net, .desc = desc, .err = err};

  /* Pass 1: sizes. Weight, indirection sizes accumulate in p.offset. It runs
   * dense first, so the memory limit is checked before any weights are
   * decoded (spmm's sizes need the decoded weights' nonzeros), then again
   * with spmm where the kernel set has it. */
  uint64_t fixed = 0, scratch_bytes = 0, total = 0;
  for (int sparse = 0; sparse <= 1; sparse++) {
    p.sparse = sparse;
    p.offset = 0;
    p.scratch_floats = p.work_floats = p.zero_floats = 0;
    sqz_status st = plan(&p);
    if (st) {
      free(net);
      return st;
    }
    fixed = p.offset;
    /* Weights are decoded into the activation buffers (idle while loading)
     * when they fit there, so the largest tensor needs no scratch of its own. */
    uint64_t act_bytes = align_up(p.act_floats[0] * 4) + align_up(p.act_floats[1] * 4);
    scratch_bytes = p.scratch_floats * 4 <= act_bytes ? 0 : align_up(p.scratch_floats * 4);
    total = fixed + act_bytes + align_up(p.squeeze_floats * 4) + align_up(p.zero_floats * 4) +
            align_up((uint64_t)net->num_classes * 4) + align_up(p.work_floats * 4) + scratch_bytes + ALIGN;
    if (total > SQZ_MAX_ARENA_BYTES || total > SIZE_MAX) {
      free(net);
      return sqz_fail(err, SQZ_ERR_LIMIT, "model: the network needs %llu MB of memory (limit %u MB)",
                      (unsigned long long)(total >> 20), (unsigned)(SQZ_MAX_ARENA_BYTES >> 20));
    }
  }
  net->memory = malloc((size_t)total);
  if (!net->memory) {
    free(net);
    return sqz_fail(err, SQZ_ERR_MEMORY, "out of memory: the network needs %llu bytes", (unsigned long long)total);
  }
  net->memory_bytes = (size_t)total;
  /* Pass 2: activation buffers first, then the same walk assigns weights. */
  uint8_t *base = (uint8_t *)(((uintptr_t)net->memory + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1));
  planner q = p;
  q.base = base;
  q.offset = fixed;
  sqz_status st;
  q.buf[0] = take(&q, p.act_floats[0] * 4);
  q.buf[1] = take(&q, p.act_floats[1] * 4);
  q.squeeze = take(&q, p.squeeze_floats * 4);
  q.zero = take(&q, p.zero_floats * 4);
  net->logits = take(&q, (uint64_t)net->num_classes * 4);
  net->work = p.work_floats ? take(&q, p.work_floats * 4) : NULL;
  net->work_floats = (size_t)p.work_floats;
  net->zero = q.zero;
  q.scratch = scratch_bytes ? take(&q, scratch_bytes) : q.buf[0];
  memset(q.zero, 0, (size_t)p.zero_floats * 4);
  q.offset = 0;
  st = plan(&q);
  if (st) {
    free(net->memory);
    free(net);
    return st;
  }
  net->input = q.buf[0];
  *out = net;
  return SQZ_OK;
}

void sqz_network_free(sqz_network *net) {
  if (!net) return;
  free(net->thread_work);
  free(net->memory);
  free(net);
}

float *sqz_network_input(sqz_network *net) { return net->input; }
int sqz_network_num_classes(const sqz_network *net) { return net->num_classes; }
size_t sqz_network_memory_bytes(const sqz_network *net) {
  size_t extra = net->thread_work ? (size_t)(sqz_pool_threads(net->pool) - 1) * net->work_floats * sizeof(float) : 0;
  return net->memory_bytes + sizeof *net + extra;
}

sqz_status sqz_network_set_pool(sqz_network *net, sqz_pool *pool, sqz_error *err) {
  int threads = sqz_pool_threads(pool);
  float *work = NULL;
  if (threads > 1 && net->work_floats) {
    work = malloc((size_t)(threads - 1) * net->work_floats * sizeof(float));
    if (!work) return sqz_fail(err, SQZ_ERR_MEMORY, "out of memory for %d threads' work buffers", threads);
  }
  free(net->thread_work);
  net->thread_work = work;
  net->pool = pool;
  return SQZ_OK;
}

static float *work_of(const sqz_network *net, int thread) {
  return thread == 0 ? net->work : net->thread_work + (size_t)(thread - 1) * net->work_floats;
}
int sqz_network_num_steps(const sqz_network *net) { return net->num_steps; }
const char *sqz_network_step_name(const sqz_network *net, int i) {
  return i >= 0 && i < net->num_steps ? net->steps[i].name : NULL;
}
void sqz_network_set_clock(sqz_network *net, sqz_clock_fn clock, double *step_ms) {
  net->clock = clock;
  net->step_ms = step_ms;
}

/* Each step runs as items spread over the pool's threads. An item's work is
 * the same kernel calls whichever thread runs it and however many there are,
 * so results are identical for every thread count. */
typedef struct step_job {
  const sqz_network *net;
  const step *s;
  size_t nb, n_blocks, m_groups, tiles_per_group; /* run_conv, run_conv_panels */
  size_t n_groups, blocks_per_group;                /* run_conv_panels */
  size_t packed_chunk[SQZ_MAX_THREADS];             /* run_conv_panels: chunk+1 in the thread's panels */
} step_job;

/* Column blocks keep a slice of packed weights in L1 while every pixel tile
 * of a group passes over it (conv10's 2 MB of weights would otherwise stream
 * from memory once per tile). An item is one column block × one group of
 * pixel tiles; one group when there are enough blocks to share out. */
static void conv_item(void *context, size_t item, int thread) {
  const step_job *j = context;
  const sqz_kernels *k = j->net->k;
  const step *s = j->s;
  size_t m_total = (size_t)s->oh * s->ow, mr = k->mr, nr = k->nr;
  size_t kc = (size_t)s->cin, ks = (size_t)s->kh * s->kw;
  size_t cm_stride = s->out_pixel_stride * sizeof(float);
  size_t n0 = (item / j->m_groups) * j->nb, g = item % j->m_groups;
  size_t nc = (size_t)s->cout - n0 < j->nb ? (size_t)s->cout - n0 : j->nb;
  const float *w = s->packed + (n0 / nr) * (nr + kc * ks * nr);
  size_t m_begin = g * j->tiles_per_group * mr, m_end = m_begin + j->tiles_per_group * mr;
  if (m_end > m_total) m_end = m_total;
  for (size_t m0 = m_begin; m0 < m_end; m0 += mr) {
    size_t m = m_total - m0 < mr ? m_total - m0 : mr;
    float *c = s->output + m0 * s->out_pixel_stride + n0;
    if (s->indirection)
      k->igemm(m, nc, kc, ks, s->indirection + (m0 / mr) * ks * mr, w, c, cm_stride, nr * sizeof(float),
               &s->params);
    else
      k->gemm(m, nc, kc, s->input + m0 * kc, kc * sizeof(float), w, c, cm_stride, nr * sizeof(float),
              &s->params);
  }
}

static void run_conv(const sqz_network *net, const step *s) {
  const sqz_kernels *k = net->k;
  size_t m_total = (size_t)s->oh * s->ow, mr = k->mr, nr = k->nr;
  size_t block_bytes = (nr + (size_t)s->cin * s->kh * s->kw * nr) * sizeof(float);
  step_job j = {.net = net, .s = s};
  j.nb = (16384 / block_bytes) * nr;
  if (j.nb < nr) j.nb = nr;
  j.n_blocks = ((size_t)s->cout + j.nb - 1) / j.nb;
  size_t tiles = (m_total + mr - 1) / mr, threads = (size_t)sqz_pool_threads(net->pool);
  /* enough items (8 per thread) for threads slowed by others to even out */
  j.m_groups = threads > 1 && j.n_blocks < 8 * threads ? (8 * threads + j.n_blocks - 1) / j.n_blocks : 1;
  if (j.m_groups > tiles) j.m_groups = tiles;
  j.tiles_per_group = (tiles + j.m_groups - 1) / j.m_groups;
  j.m_groups = (tiles + j.tiles_per_group - 1) / j.tiles_per_group;
  sqz_pool_parallelize(net->pool, conv_item, &j, j.n_blocks * j.m_groups);
}

/* A 1x1 convolution as run_conv's GEMM, but a chunk of panel_tiles tiles of
 * its input at a time packed into PPMM panels in the thread's work (one A
 * pointer per k step in the kernel instead of four), each column block of
 * weights then passing over the chunk's tiles. An item is one chunk x one
 * group of column blocks; a thread packs a chunk only when its previous item
 * was another chunk's. */
static void panels_item(void *context, size_t item, int thread) {
  step_job *j = context;
  const sqz_network *net = j->net;
  const step *s = j->s;
  const sqz_kernels *k = net->k;
  const size_t m_total = (size_t)s->oh * s->ow, mr = k->mr, nr = k->nr, kc = (size_t)s->cin;
  const size_t tiles = (m_total + mr - 1) / mr, block = nr + kc * nr;
  const size_t cm_stride = s->out_pixel_stride * sizeof(float);
  const size_t chunk = item / j->n_groups, g = item % j->n_groups;
  const size_t t0 = chunk * s->panel_tiles, t1 = tiles - t0 < s->panel_tiles ? tiles : t0 + s->panel_tiles;
  float *panel = work_of(net, thread);
  if (j->packed_chunk[thread] != chunk + 1) {
    for (size_t t = t0; t < t1; t++) {
      const size_t m0 = t * mr;
      k->packx(m_total - m0 < mr ? m_total - m0 : mr, kc, s->input + m0 * kc, kc * sizeof(float),
               panel + (t - t0) * kc * mr);
    }
    j->packed_chunk[thread] = chunk + 1;
  }
  const size_t n_begin = g * j->blocks_per_group * j->nb;
  const size_t n_end = (size_t)s->cout - n_begin < j->blocks_per_group * j->nb ? (size_t)s->cout
                                                                                : n_begin + j->blocks_per_group * j->nb;
  for (size_t n0 = n_begin; n0 < n_end; n0 += j->nb) {
    const size_t nc = (size_t)s->cout - n0 < j->nb ? (size_t)s->cout - n0 : j->nb;
    const float *w = s->packed + (n0 / nr) * block;
    for (size_t t = t0; t < t1; t++) {
      const size_t m0 = t * mr;
      k->ppmm(m_total - m0 < mr ? m_total - m0 : mr, nc, kc, panel + (t - t0) * kc * mr, w,
              s->output + m0 * s->out_pixel_stride + n0, cm_stride, nr * sizeof(float), &s->params);
    }
  }
}

static void run_conv_panels(const sqz_network *net, const step *s) {
  const sqz_kernels *k = net->k;
  const size_t m_total = (size_t)s->oh * s->ow, mr = k->mr, nr = k->nr;
  const size_t tiles = (m_total + mr - 1) / mr, chunks = (tiles + s->panel_tiles - 1) / s->panel_tiles;
  const size_t threads = (size_t)sqz_pool_threads(net->pool);
  step_job j = {.net = net, .s = s};
  j.nb = (16384 / ((nr + (size_t)s->cin * nr) * sizeof(float))) * nr;
  if (j.nb < nr) j.nb = nr;
  j.n_blocks = ((size_t)s->cout + j.nb - 1) / j.nb;
  /* few chunks (conv10's 13x13 pixels): the column blocks are shared out too */
  j.n_groups = threads > 1 && chunks < 4 * threads ? (4 * threads + chunks - 1) / chunks : 1;
  if (j.n_groups > j.n_blocks) j.n_groups = j.n_blocks;
  j.blocks_per_group = (j.n_blocks + j.n_groups - 1) / j.n_groups;
  j.n_groups = (j.n_blocks + j.blocks_per_group - 1) / j.blocks_per_group;
  sqz_pool_parallelize(net->pool, panels_item, &j, chunks * j.n_groups);
}

/* Winograd F(t x t, 3x3), chunk by chunk (an item): transform the chunk's
 * input tiles, (t+2)^2 GEMMs (one per transformed element), transform back
 * into the output. Each thread has its own work buffer. */
static void winograd_item(void *context, size_t item, int thread) {
  const step_job *j = context;
  const sqz_network *net = j->net;
  const step *s = j->s;
  const sqz_kernels *k = net->k;
  const size_t mr = k->mr, cin = (size_t)s->cin, cout = (size_t)s->cout, chunk = s->winograd_chunk;
  const size_t t = s->winograd_tile, sets = (t + 2) * (t + 2);
  const size_t tiles = (((size_t)s->oh + t - 1) / t) * (((size_t)s->ow + t - 1) / t);
  const size_t set = sqz_packed_conv_size(cout, cin, 1, 1, k->nr);
  float *work = work_of(net, thread);
  float *v = work, *m = work + sets * chunk * cin;
  const sqz_minmax_params none = {-INFINITY, INFINITY};
  const size_t t0 = item * chunk, n = tiles - t0 < chunk ? tiles - t0 : chunk;
  s->winograd_input(s->input, (size_t)s->ih, (size_t)s->iw, cin, net->zero, t0, n, v, chunk * cin);
  for (size_t xi = 0; xi < sets; xi++) {
    for (size_t r = 0; r < n; r += mr) {
      k->gemm(n - r < mr ? n - r : mr, cout, cin, v + xi * chunk * cin + r * cin, cin * sizeof(float),
              s->packed + xi * set, m + xi * chunk * cout + r * cout, cout * sizeof(float),
              k->nr * sizeof(float), &none);
    }
  }
  s->winograd_output(m, chunk * cout, cout, s->bias, t0, n, (size_t)s->oh, (size_t)s->ow, s->output,
                     s->out_pixel_stride, &s->params);
}

static void run_winograd(const sqz_network *net, const step *s) {
  const size_t t = s->winograd_tile;
  const size_t tiles = (((size_t)s->oh + t - 1) / t) * (((size_t)s->ow + t - 1) / t);
  step_job j = {.net = net, .s = s};
  sqz_pool_parallelize(net->pool, winograd_item, &j, (tiles + s->winograd_chunk - 1) / s->winograd_chunk);
}

/* Copies n floats into every mr-th float of dst (a row into a PPMM panel). */
static inline void put_floats(float *dst, const float *src, size_t n, size_t mr) {
  for (size_t i = 0; i < n; i++) dst[i * mr] = src[i];
}
static inline void put_zeros(float *dst, size_t n, size_t mr) {
  for (size_t i = 0; i < n; i++) dst[i * mr] = 0.0f;
}

/* im2col: the rows of kh*kw*cin floats (tap-major, as the weights are
 * packed) of a chunk of output pixels (an item), written straight into PPMM
 * panels in the thread's work (each tile of mr rows interleaved, kernels.h),
 * then one PPMM per tile. */
static void im2col_item(void *context, size_t item, int thread) {
  const step_job *j = context;
  const sqz_network *net = j->net;
  const step *s = j->s;
  const sqz_kernels *k = net->k;
  const size_t cin = (size_t)s->cin, kw = (size_t)s->kw, kc = cin * s->kh * kw, chunk = s->im2col_chunk;
  const size_t m_total = (size_t)s->oh * s->ow, mr = k->mr;
  const size_t m0 = item * chunk, n = m_total - m0 < chunk ? m_total - m0 : chunk;
  float *work = work_of(net, thread);
  for (size_t r = 0; r < n; r++) {
    float *row = work + (r / mr) * kc * mr + r % mr; /* element j at row[j*mr] */
    const int oy = (int)((m0 + r) / s->ow), ox = (int)((m0 + r) % s->ow);
    const int x0 = ox * s->stride - s->pad;
    for (int ky = 0; ky < s->kh; ky++) {
      const int y = oy * s->stride - s->pad + ky;
      float *dst = row + (size_t)ky * kw * cin * mr;
      if (y < 0 || y >= s->ih) {
        put_zeros(dst, kw * cin, mr);
      } else if (x0 >= 0 && x0 + s->kw <= s->iw) {
        put_floats(dst, s->input + ((size_t)y * s->iw + x0) * cin, kw * cin, mr);
      } else {
        for (int kx = 0; kx < s->kw; kx++) {
          const int x = x0 + kx;
          const float *src = x < 0 || x >= s->iw ? net->zero : s->input + ((size_t)y * s->iw + x) * cin;
          put_floats(dst + (size_t)kx * cin * mr, src, cin, mr);
        }
      }
    }
  }
  for (size_t r = n; r % mr != 0; r++) /* the last tile's missing rows: zeros, computed and dropped */
    put_zeros(work + (r / mr) * kc * mr + r % mr, kc, mr);
  for (size_t r = 0; r < n; r += mr) {
    k->ppmm(n - r < mr ? n - r : mr, (size_t)s->cout, kc, work + r * kc, s->packed,
            s->output + (m0 + r) * s->out_pixel_stride, s->out_pixel_stride * sizeof(float),
            k->nr * sizeof(float), &s->params);
  }
}

static void run_im2col(const sqz_network *net, const step *s) {
  step_job j = {.net = net, .s = s};
  const size_t m_total = (size_t)s->oh * s->ow;
  sqz_pool_parallelize(net->pool, im2col_item, &j, (m_total + s->im2col_chunk - 1) / s->im2col_chunk);
}

/* Max pooling, an output row per item. */
static void maxpool_item(void *context, size_t item, int thread) {
  const step_job *j = context;
  const step *s = j->s;
  j->net->k->maxpool(s->input, (size_t)s->ih, (size_t)s->iw, (size_t)s->cin, (size_t)s->pool_kernel,
                     (size_t)s->pool_stride, s->output, (size_t)s->oh, (size_t)s->ow, item, item + 1);
}

/* spmm over input pixels [m_begin, m_end) (of ih*iw): transpose them to
 * channel-major in net->work (row stride: all the pixels), then sparse
 * weights times them. Ranges are independent, so threads may split a step's
 * pixels; with padding, run_spmm_border writes the rest of the output. */
static void run_spmm(const sqz_network *net, const step *s, size_t m_begin, size_t m_end) {
  const size_t pixels = (size_t)s->ih * s->iw, cin = (size_t)s->cin;
  float *chw = net->work;
  for (size_t m0 = m_begin; m0 < m_end; m0 += 8) {
    const size_t m1 = m_end - m0 < 8 ? m_end : m0 + 8;
    for (size_t k = 0; k < cin; k++)
      for (size_t m = m0; m < m1; m++) chw[k * pixels + m] = s->input[m * cin + k];
  }
  net->k->spmm(m_end - m_begin, (size_t)s->cout, chw + m_begin, s->packed, s->spmm_offsets, s->spmm_nnz,
               s->output, s->spmm_out_pixels + m_begin, &s->params);
}

/* spmm a pixel range at a time: each item transposes its own columns of the
 * shared channel-major buffer and reads only those. */
#define SPMM_ITEM_PIXELS 16
static void spmm_item(void *context, size_t item, int thread) {
  const step_job *j = context;
  const size_t pixels = (size_t)j->s->ih * j->s->iw, m_begin = item * SPMM_ITEM_PIXELS;
  (void)thread;
  run_spmm(j->net, j->s, m_begin, pixels - m_begin < SPMM_ITEM_PIXELS ? pixels : m_begin + SPMM_ITEM_PIXELS);
}

/* A padded 1x1 convolution's border: no input under it, only the biases. */
static void run_spmm_border(const step *s) {
  const size_t pad = (size_t)s->pad, oh = (size_t)s->oh, ow = (size_t)s->ow, bytes = (size_t)s->cout * sizeof(float);
  for (size_t y = 0; y < oh; y++) {
    const int edge_row = y < pad || y >= oh - pad;
    for (size_t x = 0; x < ow; x++) {
      if (!edge_row && x == pad) x = ow - pad; /* skip the inside */
      memcpy(s->output + (y * ow + x) * s->out_pixel_stride, s->spmm_border, bytes);
    }
  }
}

void sqz_network_run_step(sqz_network *net, int i) {
  const sqz_kernels *k = net->k;
  if (i < 0 || i >= net->num_steps) return;
  const step *s = &net->steps[i];
  switch (s->kind) {
    case STEP_CONV:
      if (s->panel_tiles)
        run_conv_panels(net, s);
      else
        run_conv(net, s);
      break;
    case STEP_WINOGRAD:
      run_winograd(net, s);
      break;
    case STEP_IM2COL:
      run_im2col(net, s);
      break;
    case STEP_SPMM: {
      step_job j = {.net = net, .s = s};
      const size_t pixels = (size_t)s->ih * s->iw;
      sqz_pool_parallelize(net->pool, spmm_item, &j, (pixels + SPMM_ITEM_PIXELS - 1) / SPMM_ITEM_PIXELS);
      if (s->spmm_border) run_spmm_border(s);
      break;
    }
    case STEP_MAXPOOL: {
      step_job j = {.net = net, .s = s};
      sqz_pool_parallelize(net->pool, maxpool_item, &j, (size_t)s->oh);
      break;
    }
    case STEP_GAP:
      k->gavgpool((size_t)s->ih * s->iw, (size_t)s->cin, s->input, s->output);
      break;
  }
}

const float *sqz_network_run(sqz_network *net) {
  for (int i = 0; i < net->num_steps; i++) {
    double t0 = net->clock ? net->clock() : 0;
    sqz_network_run_step(net, i);
    if (net->clock) net->step_ms[i] = net->clock() - t0;
  }
  return net->logits;
}
