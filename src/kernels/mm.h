/* Plain matrix products for training a head (src/learn/train.c), apart from
 * kernels.h's inference kernels (whose B is packed once at load: here B
 * changes every iteration, so it is read as it lies).
 *
 * For m < mr, n < nc:  c[m][n] += sum_{k<kc} a[m][k] * b[k][n]
 * Each sum adds to c[m][n] in order of k, one rounding per multiply and per
 * add (no FMA): every tile and ISA gives the same bits, so a trained head is
 * the same natively, in wasm and with the scalar twin. Accumulating lets a
 * caller split k into blocks (cache) without changing the result.
 * a: row m at (char*)a + m*a_stride (kc floats); b: row k at (char*)b +
 * k*b_stride (nc floats); c: row m at (char*)c + m*c_stride. 1 <= mr <= 4,
 * nc >= 1, kc >= 1. */
#ifndef SQZ_KERNELS_MM_H
#define SQZ_KERNELS_MM_H
#include <stddef.h>

#include "kernels/kernels.h" /* SQZ_KERNELS_SIMD */

typedef void (*sqz_f32_mm_fn)(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                              const float *b, size_t b_stride, float *c, size_t c_stride);
#define SQZ_F32_MM_MR 4
void sqz_f32_mm_ukernel_4x8__wasmsimd(size_t mr, size_t nc, size_t kc, const float *a,
                                      size_t a_stride, const float *b, size_t b_stride, float *c,
                                      size_t c_stride);
void sqz_f32_mm_ukernel_4x8__scalar(size_t mr, size_t nc, size_t kc, const float *a,
                                    size_t a_stride, const float *b, size_t b_stride, float *c,
                                    size_t c_stride);
/* What training runs unless told: the SIMD128 tile, or where SIMD128 does not
 * compile (the scalar .wasm) its scalar twin; both give the same bits. */
#if SQZ_KERNELS_SIMD
#define SQZ_F32_MM_DEFAULT sqz_f32_mm_ukernel_4x8__wasmsimd
#else
#define SQZ_F32_MM_DEFAULT sqz_f32_mm_ukernel_4x8__scalar
#endif
#endif
