/* The kernels each ISA has, as tables made from the lists in kernels.h:
 * wasm SIMD128 (natively through SIMDe) and the portable scalar twins. Both
 * use a 4x8 GEMM tile, so weights packed with nr = 8 serve either. */
#include "kernels/kernels.h"

#define SQZ_KERNEL_SLOT(kind, slot, function) .slot = function,

const sqz_kernels sqz_kernels_scalar = {.name = "scalar", .mr = 4, .nr = 8, SQZ_KERNELS_SCALAR(SQZ_KERNEL_SLOT)};

#if SQZ_KERNELS_SIMD
const sqz_kernels sqz_kernels_wasmsimd = {.name = "wasmsimd", .mr = 4, .nr = 8, SQZ_KERNELS_WASMSIMD(SQZ_KERNEL_SLOT)};
const sqz_kernels *const sqz_kernels_default = &sqz_kernels_wasmsimd;
#else /* the scalar .wasm: its build leaves out the *-wasmsimd.c files */
const sqz_kernels *const sqz_kernels_default = &sqz_kernels_scalar;
#endif
