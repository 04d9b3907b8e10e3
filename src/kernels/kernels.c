/* The kernels each ISA has, as tables made from the lists in kernels.h:
 * wasm SIMD128 (natively through SIMDe) and the portable scalar twins. Both
 * use a 4x8 GEMM tile, so weights packed with nr = 8 serve either. The tile
 * is V8's on x64: 8 accumulators, 2 weight vectors and a splat fit its XMM
 * registers; measured against it, a 5x8 PPMM took 1.5-2.0x the time, 6x8
 * 1.4-1.8x (spills), 3x8 1.07-1.15x (bench/README.md). ARM's 32 NEON
 * registers may favour a taller tile: unmeasured (no ARM machine); it would
 * be another table's mr here. */
#include "kernels/kernels.h"

#define SQZ_KERNEL_SLOT(kind, slot, function) .slot = function,

const sqz_kernels sqz_kernels_scalar = {.name = "scalar", .mr = 4, .nr = 8, SQZ_KERNELS_SCALAR(SQZ_KERNEL_SLOT)};

#if SQZ_KERNELS_SIMD
const sqz_kernels sqz_kernels_wasmsimd = {.name = "wasmsimd", .mr = 4, .nr = 8, SQZ_KERNELS_WASMSIMD(SQZ_KERNEL_SLOT)};
const sqz_kernels *const sqz_kernels_default = &sqz_kernels_wasmsimd;
#else /* the scalar .wasm: its build leaves out the *-wasmsimd.c files */
const sqz_kernels *const sqz_kernels_default = &sqz_kernels_scalar;
#endif
