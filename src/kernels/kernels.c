/* The kernel sets the engine chooses between: wasm SIMD128 (natively through
 * SIMDe) and portable scalar. Both use a 4x8 GEMM tile, so weights packed
 * with nr = 8 serve either. */
#include "kernels/kernels.h"

const sqz_kernels sqz_kernels_wasmsimd = {
    .name = "wasmsimd",
    .mr = 4,
    .nr = 8,
    .gemm = sqz_f32_gemm_minmax_ukernel_4x8__wasmsimd_splat,
    .igemm = sqz_f32_igemm_minmax_ukernel_4x8__wasmsimd_splat,
    .maxpool = sqz_f32_maxpool_ukernel__wasmsimd,
    .gavgpool = sqz_f32_gavgpool_ukernel__wasmsimd,
    .winograd_input = sqz_f32_winograd_input_2x2_3x3__wasmsimd,
    .winograd_output = sqz_f32_winograd_output_2x2_3x3__wasmsimd,
};

const sqz_kernels sqz_kernels_wasmsimd_direct = {
    .name = "wasmsimd-direct",
    .mr = 4,
    .nr = 8,
    .gemm = sqz_f32_gemm_minmax_ukernel_4x8__wasmsimd_splat,
    .igemm = sqz_f32_igemm_minmax_ukernel_4x8__wasmsimd_splat,
    .maxpool = sqz_f32_maxpool_ukernel__wasmsimd,
    .gavgpool = sqz_f32_gavgpool_ukernel__wasmsimd,
};

const sqz_kernels sqz_kernels_scalar = {
    .name = "scalar",
    .mr = 4,
    .nr = 8,
    .gemm = sqz_f32_gemm_minmax_ukernel_4x8__scalar,
    .igemm = sqz_f32_igemm_minmax_ukernel_4x8__scalar,
    .maxpool = sqz_f32_maxpool_ukernel__scalar,
    .gavgpool = sqz_f32_gavgpool_ukernel__scalar,
    .winograd_input = sqz_f32_winograd_input_2x2_3x3__scalar,
    .winograd_output = sqz_f32_winograd_output_2x2_3x3__scalar,
};
