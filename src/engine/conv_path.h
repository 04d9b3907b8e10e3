/* Which path runs a convolution: one pure function of its shape, its
 * weights' nonzeros and the kernels the ISA has, under a policy whose
 * thresholds are named, each with the measurement that set it (conv_path.c).
 * Tests override the policy so the shipped models take every path. */
#ifndef SQZ_CONV_PATH_H
#define SQZ_CONV_PATH_H
#include <stdint.h>

#include "kernels/kernels.h"

typedef enum sqz_conv_path {
  SQZ_CONV_GEMM,      /* 1x1, stride 1, unpadded: a GEMM over pixels (ops/conv_gemm.c) */
  SQZ_CONV_PANELS,    /* the same on its input packed into PPMM panels (ops/conv_panels.c) */
  SQZ_CONV_QS8,       /* the same in 8 bits: int8 weights, 8-bit panels, int32 sums (ops/conv_qs8.c) */
  SQZ_CONV_SPMM,      /* 1x1, stride 1, pruned: sparse weights times the input (ops/conv_spmm.c) */
  SQZ_CONV_WINOGRAD2, /* 3x3, stride 1, pad 1: Winograd F(2x2, 3x3) (ops/conv_winograd.c) */
  SQZ_CONV_WINOGRAD4, /* the same, F(4x4, 3x3) */
  SQZ_CONV_IM2COL,    /* few input channels (the stem): im2col rows into PPMM panels (ops/conv_im2col.c) */
  SQZ_CONV_IGEMM,     /* any convolution: indirect GEMM (ops/conv_gemm.c) */
  SQZ_CONV_PATHS
} sqz_conv_path;

#define SQZ_CONV_PATH_BIT(path) (1u << (path))
#define SQZ_CONV_ALL_PATHS (SQZ_CONV_PATH_BIT(SQZ_CONV_PATHS) - 1u)

typedef struct sqz_conv_shape {
  int ih, iw, cin, oh, ow, cout, kh, kw, stride, pad;
  int int8_asked;        /* its weights are encoded qs8: the model asks for 8-bit compute */
  int input_nonnegative; /* its input comes out of a ReLU (8-bit panels hold 0..255) */
} sqz_conv_shape;

typedef struct sqz_conv_policy {
  const char *name;
  unsigned paths;                    /* SQZ_CONV_PATH_BIT of each path it may take (GEMM, IGEMM: always) */
  int winograd4_min_size;            /* F(4x4) only for outputs at least this large on both sides */
  int im2col_max_channels;           /* im2col only up to this many input channels */
  float spmm_max_density;            /* spmm only up to this density (nonzeros / weights) */
  float spmm_min_nonzeros_per_input; /* and from this many nonzeros per input channel */
  int qs8_unasked;                   /* 8-bit compute also where the model does not ask for it */
  int unfused;                       /* no im2col step fused with the max pool after it (plan.c) */
} sqz_conv_policy;

extern const sqz_conv_policy sqz_conv_policy_default;
/* Overrides for tests, so that the shipped models run every path: */
extern const sqz_conv_policy sqz_conv_policy_direct;     /* GEMM and IGEMM only */
extern const sqz_conv_policy sqz_conv_policy_winograd2;  /* F(2x2) for every 3x3 */
extern const sqz_conv_policy sqz_conv_policy_winograd4;  /* F(4x4) for every 3x3 */
extern const sqz_conv_policy sqz_conv_policy_all_sparse; /* spmm for every 1x1, dense or not */
extern const sqz_conv_policy sqz_conv_policy_all_qs8;    /* 8-bit compute for every 1x1 it can run */
extern const sqz_conv_policy sqz_conv_policy_unfused;    /* the default, the stem and its pool two steps */

/* Whether the convolution may run by spmm for some count of nonzeros: only
 * then does the planner count them (which means decoding the weights). */
int sqz_conv_may_be_sparse(const sqz_conv_shape *s, const sqz_kernels *k, const sqz_conv_policy *p);

/* The path of a convolution of shape s whose weights have `nonzeros`
 * nonzeros out of cout*cin*kh*kw (not yet counted: pass that count). */
sqz_conv_path sqz_conv_choose_path(const sqz_conv_shape *s, uint64_t nonzeros, const sqz_kernels *k,
                                   const sqz_conv_policy *p);

#endif
