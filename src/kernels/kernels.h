/* Micro-kernels: the inner loops, one file per operation, tile and ISA
 * (f32-gemm/4x8-minmax-wasmsimd-splat.c), each with a scalar twin that
 * computes the same contract and serves as its reference in tests.
 *
 * Activations are NHWC float32: a pixel's channels are contiguous, so a 1×1
 * convolution is a GEMM over pixels and a fire module's two expands write
 * straight into their halves of one output row (no concat copy).
 * Strides are in bytes, as in XNNPACK. */
#ifndef SQZ_KERNELS_H
#define SQZ_KERNELS_H
#include <stddef.h>
#include <stdint.h>

typedef struct sqz_minmax_params {
  float min; /* 0 for a fused ReLU, -INFINITY for none */
  float max;
} sqz_minmax_params;

/* GEMM with bias and clamp: for m < mr, n < nc
 *   c[m][n] = clamp(bias[n] + sum_{k<kc} a[m][k] * w[k][n])
 * a: row m at (char*)a + m*a_stride, kc floats.
 * w: packed by sqz_pack_conv_weights with this kernel's NR: for each block of
 *    NR output channels, NR biases then kc rows of NR weights (zero padded).
 * c: row m at (char*)c + m*cm_stride; columns nc, blocks of NR are cn_stride
 *    bytes apart (NR*4 when columns are contiguous). mr <= MR, nc >= 1. */
typedef void (*sqz_f32_gemm_fn)(size_t mr, size_t nc, size_t kc, const float *a,
                                size_t a_stride, const float *w, float *c, size_t cm_stride,
                                size_t cn_stride, const sqz_minmax_params *params);

/* Indirect GEMM (convolution with any kernel, stride and padding):
 *   c[m][n] = clamp(bias[n] + sum_{t<ks} sum_{k<kc} a[t*MR + m][k] * w[t][k][n])
 * a: ks*MR pointers to input pixels (kc floats each); padding taps point to a
 *    buffer of zeros. Rows m >= mr are ignored (their pointers must still be
 *    readable, e.g. copies of row 0's).
 * w: packed as for GEMM with kc*ks rows per block, tap-major. */
typedef void (*sqz_f32_igemm_fn)(size_t mr, size_t nc, size_t kc, size_t ks,
                                 const float **a, const float *w, float *c, size_t cm_stride,
                                 size_t cn_stride, const sqz_minmax_params *params);

/* Max pooling, NHWC, window kernel×kernel at stride, windows clipped to the
 * input (PyTorch ceil_mode semantics with padding 0). Writes output rows
 * [oy_begin, oy_end) of an output oh×ow×channels. */
typedef void (*sqz_f32_maxpool_fn)(const float *input, size_t ih, size_t iw, size_t channels,
                                   size_t kernel, size_t stride, float *output, size_t oh,
                                   size_t ow, size_t oy_begin, size_t oy_end);

/* Global average pooling: out[c] = mean over pixels of in[p][c]. */
typedef void (*sqz_f32_gavgpool_fn)(size_t pixels, size_t channels, const float *input,
                                    float *output);

void sqz_f32_gemm_minmax_ukernel_4x8__wasmsimd_splat(size_t, size_t, size_t, const float *,
                                                     size_t, const float *, float *, size_t,
                                                     size_t, const sqz_minmax_params *);
void sqz_f32_gemm_minmax_ukernel_4x8__scalar(size_t, size_t, size_t, const float *, size_t,
                                             const float *, float *, size_t, size_t,
                                             const sqz_minmax_params *);
void sqz_f32_igemm_minmax_ukernel_4x8__wasmsimd_splat(size_t, size_t, size_t, size_t,
                                                      const float **, const float *, float *,
                                                      size_t, size_t,
                                                      const sqz_minmax_params *);
void sqz_f32_igemm_minmax_ukernel_4x8__scalar(size_t, size_t, size_t, size_t, const float **,
                                              const float *, float *, size_t, size_t,
                                              const sqz_minmax_params *);
void sqz_f32_maxpool_ukernel__wasmsimd(const float *, size_t, size_t, size_t, size_t, size_t,
                                       float *, size_t, size_t, size_t, size_t);
void sqz_f32_maxpool_ukernel__scalar(const float *, size_t, size_t, size_t, size_t, size_t,
                                     float *, size_t, size_t, size_t, size_t);
void sqz_f32_gavgpool_ukernel__wasmsimd(size_t, size_t, const float *, float *);
void sqz_f32_gavgpool_ukernel__scalar(size_t, size_t, const float *, float *);

/* Packs OIHW weights (cout × cin × kh × kw) and biases for a GEMM/IGEMM
 * kernel of tile width nr: returns the number of floats written to out,
 * which must hold sqz_packed_conv_size(...) floats. Taps are ordered
 * row-major (ky, kx), matching the indirection buffer. */
size_t sqz_packed_conv_size(size_t cout, size_t cin, size_t kh, size_t kw, size_t nr);
size_t sqz_pack_conv_weights(size_t cout, size_t cin, size_t kh, size_t kw, size_t nr,
                             const float *oihw, const float *bias, float *out);

/* A set of kernels the engine runs with, chosen once. */
typedef struct sqz_kernels {
  const char *name;
  size_t mr, nr;
  sqz_f32_gemm_fn gemm;
  sqz_f32_igemm_fn igemm;
  sqz_f32_maxpool_fn maxpool;
  sqz_f32_gavgpool_fn gavgpool;
} sqz_kernels;

extern const sqz_kernels sqz_kernels_wasmsimd;
extern const sqz_kernels sqz_kernels_scalar;

#endif
