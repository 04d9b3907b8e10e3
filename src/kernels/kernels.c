/* The kernel sets the engine chooses between: wasm SIMD128 (natively through
 * SIMDe) and portable scalar. Both use a 4x8 GEMM tile, so weights packed
 * with nr = 8 serve either. */
#include "kernels/kernels.h"

#define WASMSIMD_BASE                                           \
  .mr = 4, .nr = 8, .gemm = sqz_f32_gemm_minmax_ukernel_4x8__wasmsimd_loadsplat, \
  .igemm = sqz_f32_igemm_minmax_ukernel_4x8__wasmsimd_splat,      \
  .maxpool = sqz_f32_maxpool_ukernel__wasmsimd, .gavgpool = sqz_f32_gavgpool_ukernel__wasmsimd

/* When a 1x1 convolution runs by spmm (kernels.h), measured per layer on
 * squeezenet1_0 in V8: conv10 (density 0.2, 200 nonzeros per input) and the
 * 0.5-dense expand1x1s (96, 128) gain, the 0.5-dense squeezes (24, 32) lose. */
#ifndef SQZ_SPMM_MAX_DENSITY
#define SQZ_SPMM_MAX_DENSITY 0.55f
#endif
#ifndef SQZ_SPMM_MIN_NONZEROS_PER_INPUT
#define SQZ_SPMM_MIN_NONZEROS_PER_INPUT 48.0f
#endif
/* PPMM on panels for the stem's im2col and the dense 1x1s */
#define WASMSIMD_PANELS \
  .ppmm = sqz_f32_ppmm_minmax_ukernel_4x8__wasmsimd_loadsplat, .packx = sqz_x32_packx_ukernel_4x__wasmsimd
#define WASMSIMD_SPMM                                                      \
  .spmm = sqz_f32_spmm_minmax_ukernel_16x1__wasmsimd, .spmm_max_density = SQZ_SPMM_MAX_DENSITY, \
  .spmm_min_nonzeros_per_input = SQZ_SPMM_MIN_NONZEROS_PER_INPUT

#ifndef SQZ_WINOGRAD4_MIN_SIZE
#define SQZ_WINOGRAD4_MIN_SIZE 20
#endif

/* F(4x4) from 27x27 up (SqueezeNet's 55 and 27), F(2x2) at 13x13: F(4x4)'s
 * weights there would be the largest (fire6-9) and its tiles 1/3 padding. */
#define WASMSIMD_WINOGRAD                                                    \
  .winograd4_min_size = SQZ_WINOGRAD4_MIN_SIZE,                              \
  .winograd4_input = sqz_f32_winograd_input_4x4_3x3__wasmsimd,               \
  .winograd4_output = sqz_f32_winograd_output_4x4_3x3__wasmsimd,             \
  .winograd2_input = sqz_f32_winograd_input_2x2_3x3__wasmsimd,               \
  .winograd2_output = sqz_f32_winograd_output_2x2_3x3__wasmsimd

#if SQZ_KERNELS_SIMD
const sqz_kernels sqz_kernels_wasmsimd = {
    .name = "wasmsimd",
    WASMSIMD_BASE,
    WASMSIMD_WINOGRAD,
    WASMSIMD_SPMM,
    WASMSIMD_PANELS,
};

const sqz_kernels sqz_kernels_wasmsimd_winograd4 = {
    .name = "wasmsimd-winograd4",
    WASMSIMD_BASE,
    .winograd4_min_size = 1,
    .winograd4_input = sqz_f32_winograd_input_4x4_3x3__wasmsimd,
    .winograd4_output = sqz_f32_winograd_output_4x4_3x3__wasmsimd,
    WASMSIMD_SPMM,
    WASMSIMD_PANELS,
};

const sqz_kernels sqz_kernels_wasmsimd_winograd2 = {
    .name = "wasmsimd-winograd2",
    WASMSIMD_BASE,
    .winograd2_input = sqz_f32_winograd_input_2x2_3x3__wasmsimd,
    .winograd2_output = sqz_f32_winograd_output_2x2_3x3__wasmsimd,
    WASMSIMD_SPMM,
    WASMSIMD_PANELS,
};

/* The plain paths, so the golden tests keep running them: no Winograd, no
 * spmm, no panels (the stem by IGEMM, 1x1s by GEMM). */
const sqz_kernels sqz_kernels_wasmsimd_direct = {
    .name = "wasmsimd-direct",
    WASMSIMD_BASE,
};

/* As the default, but every 1x1 convolution, dense or not, by spmm: the
 * golden tests run the sparse path over every 1x1 layer of both models. */
const sqz_kernels sqz_kernels_wasmsimd_sparse = {
    .name = "wasmsimd-sparse",
    WASMSIMD_BASE,
    WASMSIMD_WINOGRAD,
    .spmm = sqz_f32_spmm_minmax_ukernel_16x1__wasmsimd,
    .spmm_max_density = 1.0f,
    .spmm_min_nonzeros_per_input = 0.0f,
    WASMSIMD_PANELS,
};

const sqz_kernels *const sqz_kernels_default = &sqz_kernels_wasmsimd;
#else
const sqz_kernels *const sqz_kernels_default = &sqz_kernels_scalar;
#endif /* SQZ_KERNELS_SIMD */

const sqz_kernels sqz_kernels_scalar = {
    .name = "scalar",
    .mr = 4,
    .nr = 8,
    .gemm = sqz_f32_gemm_minmax_ukernel_4x8__scalar,
    .igemm = sqz_f32_igemm_minmax_ukernel_4x8__scalar,
    .ppmm = sqz_f32_ppmm_minmax_ukernel_4x8__scalar,
    .packx = sqz_x32_packx_ukernel_4x__scalar,
    .maxpool = sqz_f32_maxpool_ukernel__scalar,
    .gavgpool = sqz_f32_gavgpool_ukernel__scalar,
    .winograd4_min_size = 20,
    .winograd4_input = sqz_f32_winograd_input_4x4_3x3__scalar,
    .winograd4_output = sqz_f32_winograd_output_4x4_3x3__scalar,
    .winograd2_input = sqz_f32_winograd_input_2x2_3x3__scalar,
    .winograd2_output = sqz_f32_winograd_output_2x2_3x3__scalar,
    .spmm = sqz_f32_spmm_minmax_ukernel_16x1__scalar,
    .spmm_max_density = SQZ_SPMM_MAX_DENSITY,
    .spmm_min_nonzeros_per_input = SQZ_SPMM_MIN_NONZEROS_PER_INPUT,
};
