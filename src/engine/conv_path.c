/* The choice of a convolution's path (conv_path.h). Ratios below are ours
 * after / before, whole runs or single steps interleaved in one process
 * (bench/README.md, "What each change bought"). */
#include "engine/conv_path.h"

/* F(4x4, 3x3) from 13x13 up (all of SqueezeNet's 3x3 expands). At 13x13
 * F(4x4)'s tiles are 1/3 padding (16 tiles over 16x16 against F(2x2)'s 49
 * over 14x14) and its transformed weights 2.25x F(2x2)'s, yet its GEMMs do
 * 0.73x F(2x2)'s multiply-adds there. Measured on PPMM panels: the 13x13
 * expands 0.73-0.77 (squeezenet1_1; bench/README.md, "F(4x4) at 13x13").
 * Before the panels, F(2x2) at 13 measured 0.99 (squeezenet1_1) against
 * F(2x2) everywhere. */
#ifndef SQZ_WINOGRAD4_MIN_SIZE
#define SQZ_WINOGRAD4_MIN_SIZE 13
#endif

/* Fewer than 4 input channels (the stem: RGB): per tap an indirect GEMM
 * would run 1-3 steps between pointer loads, and its indirection buffer
 * would be large; copying patches into rows gives one long GEMM. Measured:
 * the stem by im2col + GEMM against IGEMM 0.97 (squeezenet1_1), 0.87
 * (squeezenet1_0), and into PPMM panels a further conv0 step 0.95 / 0.92. */
#define SQZ_IM2COL_MAX_CHANNELS 3

/* spmm pays where weights are pruned: measured per layer on squeezenet1_0
 * in V8, conv10 (density 0.20, 200 nonzeros per input channel: 15.0 → 3.7
 * ms) and the 0.5-dense expand1x1s (96, 128 per input) gain; skipping zeros
 * beats the dense GEMM's regular loads up to about half density. Each
 * transposed input row serves once per nonzero of its channel, so with few
 * (the 0.5-dense squeezes: 24, 32 per input) transposing and streaming the
 * input costs more than the zeros save: keeping them dense gave a
 * fire8/squeeze step 0.79. */
#ifndef SQZ_SPMM_MAX_DENSITY
#define SQZ_SPMM_MAX_DENSITY 0.55f
#endif
#ifndef SQZ_SPMM_MIN_NONZEROS_PER_INPUT
#define SQZ_SPMM_MIN_NONZEROS_PER_INPUT 48.0f
#endif

#define DEFAULT_POLICY                                                                             \
  .winograd4_min_size = SQZ_WINOGRAD4_MIN_SIZE, .im2col_max_channels = SQZ_IM2COL_MAX_CHANNELS, \
  .spmm_max_density = SQZ_SPMM_MAX_DENSITY, .spmm_min_nonzeros_per_input = SQZ_SPMM_MIN_NONZEROS_PER_INPUT

const sqz_conv_policy sqz_conv_policy_default = {.name = "default", .paths = SQZ_CONV_ALL_PATHS, DEFAULT_POLICY};

const sqz_conv_policy sqz_conv_policy_direct = {
    .name = "direct", .paths = SQZ_CONV_PATH_BIT(SQZ_CONV_GEMM) | SQZ_CONV_PATH_BIT(SQZ_CONV_IGEMM), DEFAULT_POLICY};

const sqz_conv_policy sqz_conv_policy_winograd2 = {
    .name = "winograd2", .paths = SQZ_CONV_ALL_PATHS & ~SQZ_CONV_PATH_BIT(SQZ_CONV_WINOGRAD4), DEFAULT_POLICY};

const sqz_conv_policy sqz_conv_policy_winograd4 = {.name = "winograd4",
                                                   .paths = SQZ_CONV_ALL_PATHS,
                                                   .winograd4_min_size = 1,
                                                   .im2col_max_channels = SQZ_IM2COL_MAX_CHANNELS,
                                                   .spmm_max_density = SQZ_SPMM_MAX_DENSITY,
                                                   .spmm_min_nonzeros_per_input = SQZ_SPMM_MIN_NONZEROS_PER_INPUT};

const sqz_conv_policy sqz_conv_policy_all_sparse = {.name = "all-sparse",
                                                    .paths = SQZ_CONV_ALL_PATHS,
                                                    .winograd4_min_size = SQZ_WINOGRAD4_MIN_SIZE,
                                                    .im2col_max_channels = SQZ_IM2COL_MAX_CHANNELS,
                                                    .spmm_max_density = 1.0f,
                                                    .spmm_min_nonzeros_per_input = 0.0f};

const sqz_conv_policy sqz_conv_policy_all_qs8 = {.name = "all-qs8", .paths = SQZ_CONV_ALL_PATHS, .qs8_unasked = 1,
                                                 DEFAULT_POLICY};

const sqz_conv_policy sqz_conv_policy_unfused = {.name = "unfused", .paths = SQZ_CONV_ALL_PATHS, .unfused = 1,
                                                 DEFAULT_POLICY};

static int allows(const sqz_conv_policy *p, sqz_conv_path path) { return (p->paths & SQZ_CONV_PATH_BIT(path)) != 0; }

int sqz_conv_may_be_sparse(const sqz_conv_shape *s, const sqz_kernels *k, const sqz_conv_policy *p) {
  /* spmm's offsets into the transposed input are int32 bytes */
  const uint64_t transposed_bytes = (uint64_t)s->cin * (uint64_t)s->ih * (uint64_t)s->iw * sizeof(float);
  return s->kh == 1 && s->kw == 1 && s->stride == 1 && allows(p, SQZ_CONV_SPMM) && k->spmm &&
         transposed_bytes <= INT32_MAX;
}

sqz_conv_path sqz_conv_choose_path(const sqz_conv_shape *s, uint64_t nonzeros, const sqz_kernels *k,
                                   const sqz_conv_policy *p) {
  /* the transforms write PPMM panels of 4 tiles (kernels.h) */
  if (s->kh == 3 && s->kw == 3 && s->stride == 1 && s->pad == 1 && k->ppmm && k->mr == 4) {
    if (allows(p, SQZ_CONV_WINOGRAD4) && k->winograd4_input && k->winograd4_output &&
        s->oh >= p->winograd4_min_size && s->ow >= p->winograd4_min_size)
      return SQZ_CONV_WINOGRAD4;
    if (allows(p, SQZ_CONV_WINOGRAD2) && k->winograd2_input && k->winograd2_output) return SQZ_CONV_WINOGRAD2;
  }
  /* 8-bit compute only where the model asks (its weights encoded qs8), and
   * only on ReLU outputs: panels hold 0..255 with a scale per pixel. It
   * comes before spmm: the model's choice wins over the weights' zeros. */
  if (s->kh == 1 && s->kw == 1 && s->stride == 1 && s->pad == 0 && s->input_nonnegative &&
      (s->int8_asked || p->qs8_unasked) && allows(p, SQZ_CONV_QS8) && k->qs8_ppmm && k->qs8_packx)
    return SQZ_CONV_QS8;
  if (sqz_conv_may_be_sparse(s, k, p)) {
    const double weights = (double)s->cout * s->cin;
    if ((double)nonzeros <= (double)p->spmm_max_density * weights &&
        (double)nonzeros >= (double)p->spmm_min_nonzeros_per_input * s->cin)
      return SQZ_CONV_SPMM;
  }
  if (s->kh == 1 && s->kw == 1 && s->stride == 1 && s->pad == 0)
    return allows(p, SQZ_CONV_PANELS) && k->ppmm && k->packx ? SQZ_CONV_PANELS : SQZ_CONV_GEMM;
  if (s->cin <= p->im2col_max_channels && allows(p, SQZ_CONV_IM2COL) && k->ppmm) return SQZ_CONV_IM2COL;
  return SQZ_CONV_IGEMM;
}
