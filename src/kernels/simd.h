/* One spelling of SIMD for every target: wasm SIMD128 intrinsics, compiled
 * for the browser by emcc -msimd128 and natively through SIMDe, so the very
 * kernels the browser runs also run under gcc, sanitizers and valgrind. */
#ifndef SQZ_SIMD_H
#define SQZ_SIMD_H
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#else
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/wasm/simd128.h>
#endif
#endif
