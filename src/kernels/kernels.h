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

/* Pre-packed GEMM (the stem's im2col rows): as sqz_f32_gemm_fn, but A is one
 * panel with the MR rows interleaved: a[k*MR + m] for k < kc, m < MR. Rows
 * m >= mr must hold finite values (computed, never stored).
 *   c[m][n] = clamp(bias[n] + sum_{k<kc} a[k*MR + m] * w[k][n]) */
typedef void (*sqz_f32_ppmm_fn)(size_t mr, size_t nc, size_t kc, const float *a, const float *w, float *c,
                                size_t cm_stride, size_t cn_stride, const sqz_minmax_params *params);

/* Packs m <= 4 rows of k floats (row i at (char*)x + i*x_stride) into a PPMM
 * panel: y[j*4 + i] = row_i[j]; rows i >= m repeat row m-1. */
typedef void (*sqz_x32_packx_fn)(size_t m, size_t k, const float *x, size_t x_stride, float *y);
void sqz_x32_packx_ukernel_4x__wasmsimd(size_t, size_t, const float *, size_t, float *);
void sqz_x32_packx_ukernel_4x__scalar(size_t, size_t, const float *, size_t, float *);

/* Sparse x dense matrix multiply: a 1x1 convolution whose weights are mostly
 * zeros (pruned), skipping the zeros. For pixels m < mc, output channels n < nc:
 *   output[out_pixels[m] + n] = clamp(bias[n] + sum_{j<nnz[n]} w[n][j] * row_j[m])
 * where row_j = (char*)input + offsets[j] is the input channel of nonzero j.
 * input: channel-major (CHW): SIMD runs over contiguous pixels, as in
 *   XNNPACK's f32-spmm; pass input + m0 and out_pixels + m0 to start at pixel m0.
 * weights, offsets, nnzmap: packed by sqz_pack_spmm_weights: per output
 *   channel its bias then its nonzero values; per nonzero the byte offset of
 *   its input row (absolute, so a range of output channels [n0, n1) runs alone
 *   from its own position in the three arrays).
 * output, out_pixels: pixel m's channels start at output + out_pixels[m]
 *   (floats), so results land in the engine's NHWC layout, also inside a
 *   padded output or a fire module's channel half. mc, nc >= 1. */
typedef void (*sqz_f32_spmm_fn)(size_t mc, size_t nc, const float *input, const float *weights,
                                const int32_t *offsets, const uint32_t *nnzmap, float *output,
                                const uint32_t *out_pixels, const sqz_minmax_params *params);

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
void sqz_f32_gemm_minmax_ukernel_4x8__wasmsimd_loadsplat(size_t, size_t, size_t, const float *,
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
void sqz_f32_ppmm_minmax_ukernel_4x8__wasmsimd_loadsplat(size_t, size_t, size_t, const float *, const float *,
                                                         float *, size_t, size_t, const sqz_minmax_params *);
void sqz_f32_ppmm_minmax_ukernel_4x8__scalar(size_t, size_t, size_t, const float *, const float *, float *, size_t,
                                             size_t, const sqz_minmax_params *);
void sqz_f32_spmm_minmax_ukernel_16x1__wasmsimd(size_t, size_t, const float *, const float *,
                                                const int32_t *, const uint32_t *, float *, const uint32_t *,
                                                const sqz_minmax_params *);
void sqz_f32_spmm_minmax_ukernel_16x1__scalar(size_t, size_t, const float *, const float *, const int32_t *,
                                              const uint32_t *, float *, const uint32_t *,
                                              const sqz_minmax_params *);
void sqz_f32_maxpool_ukernel__wasmsimd(const float *, size_t, size_t, size_t, size_t, size_t,
                                       float *, size_t, size_t, size_t, size_t);
void sqz_f32_maxpool_ukernel__scalar(const float *, size_t, size_t, size_t, size_t, size_t,
                                     float *, size_t, size_t, size_t, size_t);
void sqz_f32_gavgpool_ukernel__wasmsimd(size_t, size_t, const float *, float *);
void sqz_f32_gavgpool_ukernel__scalar(size_t, size_t, const float *, float *);

/* Winograd F(2x2, 3x3) for 3x3 stride-1 convolutions padded by 1 (the fire
 * modules' expand3x3): each 2x2 output tile needs 16 products per input
 * channel instead of 36. The image is cut into tiles of 2x2 outputs, tw =
 * (width+1)/2 per row, numbered row-major; kernels take a run of them.
 *
 * Input transform: for tiles [tile_begin, tile_begin+tiles) of an ih × iw ×
 * channels NHWC input (pixels `channels` floats apart; `zero` holds channels
 * zeros for the padding), writes V = B^T d B: element xi (0..15) of tile r's
 * channel c at v[xi*xi_stride + r*channels + c]. Each xi is then a GEMM
 * (tiles × channels) × (channels × cout) against weights packed by
 * sqz_pack_winograd_2x2_3x3, giving M laid out the same way with cout.
 * Output transform: Y = A^T M A plus bias, clamped, written to the 2x2
 * outputs of each tile inside oh × ow (pixels out_pixel_stride floats apart). */
typedef void (*sqz_f32_winograd_input_fn)(const float *input, size_t ih, size_t iw, size_t channels,
                                          const float *zero, size_t tile_begin, size_t tiles, float *v,
                                          size_t xi_stride);
typedef void (*sqz_f32_winograd_output_fn)(const float *m, size_t xi_stride, size_t channels,
                                           const float *bias, size_t tile_begin, size_t tiles, size_t oh,
                                           size_t ow, float *output, size_t out_pixel_stride,
                                           const sqz_minmax_params *params);
void sqz_f32_winograd_input_2x2_3x3__wasmsimd(const float *, size_t, size_t, size_t, const float *, size_t,
                                              size_t, float *, size_t);
void sqz_f32_winograd_input_2x2_3x3__scalar(const float *, size_t, size_t, size_t, const float *, size_t,
                                            size_t, float *, size_t);
void sqz_f32_winograd_output_2x2_3x3__wasmsimd(const float *, size_t, size_t, const float *, size_t, size_t,
                                               size_t, size_t, float *, size_t, const sqz_minmax_params *);
void sqz_f32_winograd_output_2x2_3x3__scalar(const float *, size_t, size_t, const float *, size_t, size_t,
                                             size_t, size_t, float *, size_t, const sqz_minmax_params *);
/* F(4x4, 3x3): the same contracts with 4x4 output tiles (tw = (width+3)/4),
 * 6x6 patches at stride 4 and 36 transformed elements. */
void sqz_f32_winograd_input_4x4_3x3__wasmsimd(const float *, size_t, size_t, size_t, const float *, size_t,
                                              size_t, float *, size_t);
void sqz_f32_winograd_input_4x4_3x3__scalar(const float *, size_t, size_t, size_t, const float *, size_t,
                                            size_t, float *, size_t);
void sqz_f32_winograd_output_4x4_3x3__wasmsimd(const float *, size_t, size_t, const float *, size_t, size_t,
                                               size_t, size_t, float *, size_t, const sqz_minmax_params *);
void sqz_f32_winograd_output_4x4_3x3__scalar(const float *, size_t, size_t, const float *, size_t, size_t,
                                             size_t, size_t, float *, size_t, const sqz_minmax_params *);

/* Packs 3x3 OIHW weights for Winograd F(tile x tile, 3x3), tile 2 or 4, as
 * alpha^2 GEMM weight sets (alpha = tile + 2) U[xi] = (G g G^T)[xi],
 *   tile 2: G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1],
 *   tile 4: G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1],
 * each laid out like a 1x1 convolution's (zero biases) and
 * sqz_packed_conv_size(cout, cin, 1, 1, nr) floats apart. Returns the floats written. */
size_t sqz_packed_winograd_3x3_size(size_t tile, size_t cout, size_t cin, size_t nr);
size_t sqz_pack_winograd_3x3(size_t tile, size_t cout, size_t cin, size_t nr, const float *oihw, float *out);

/* Packs OIHW weights (cout × cin × kh × kw) and biases for a GEMM/IGEMM
 * kernel of tile width nr: returns the number of floats written to out,
 * which must hold sqz_packed_conv_size(...) floats. Taps are ordered
 * row-major (ky, kx), matching the indirection buffer. */
size_t sqz_packed_conv_size(size_t cout, size_t cin, size_t kh, size_t kw, size_t nr);
size_t sqz_pack_conv_weights(size_t cout, size_t cin, size_t kh, size_t kw, size_t nr,
                             const float *oihw, const float *bias, float *out);

/* Packs OI(1x1) weights for sqz_f32_spmm_fn: writes cout + nnz floats to
 * weights (per output channel its bias, then its nonzero weights in input
 * channel order), nnz offsets (input channel k's row at k*row_stride bytes)
 * and cout counts to nnzmap. Returns nnz; sqz_count_nonzeros(oihw, cout*cin)
 * gives it beforehand, for sizing. Exact zeros are skipped (+0 and -0). */
size_t sqz_count_nonzeros(const float *w, size_t count);
size_t sqz_pack_spmm_weights(size_t cout, size_t cin, size_t row_stride, const float *oi, const float *bias,
                             float *weights, int32_t *offsets, uint32_t *nnzmap);

/* A set of kernels the engine runs with, chosen once. */
typedef struct sqz_kernels {
  const char *name;
  size_t mr, nr;
  sqz_f32_gemm_fn gemm;
  sqz_f32_igemm_fn igemm;
  sqz_f32_ppmm_fn ppmm; /* the stem (fewer than 4 input channels) by im2col panels, */
  sqz_x32_packx_fn packx; /* and dense 1x1s by their input packed into panels (NULL: plain GEMM) */
  sqz_f32_maxpool_fn maxpool;
  sqz_f32_gavgpool_fn gavgpool;
  /* 3x3 stride-1 pad-1 convolutions: Winograd F(4x4, 3x3) when the output
   * is at least winograd4_min_size on both sides (its weights take 4x the
   * memory, and small images waste much of its 4x4 tiles), else F(2x2, 3x3)
   * (weights 16/9x), else indirect GEMM; NULL functions: not available. */
  size_t winograd4_min_size;
  sqz_f32_winograd_input_fn winograd4_input;
  sqz_f32_winograd_output_fn winograd4_output;
  sqz_f32_winograd_input_fn winograd2_input;
  sqz_f32_winograd_output_fn winograd2_output;
  /* 1x1 stride-1 convolutions whose weight density (nonzeros / weights) is
   * at most spmm_max_density run by spmm (NULL: never); below that density
   * skipping zeros beats the dense GEMM's regular loads. They also need at
   * least spmm_min_nonzeros_per_input nonzeros per input channel: that is
   * how often each transposed input row serves per pixel, and with fewer
   * (squeezes: many inputs, few outputs) transposing and streaming the
   * input costs more than the skipped zeros save. */
  sqz_f32_spmm_fn spmm;
  float spmm_max_density;
  float spmm_min_nonzeros_per_input;
} sqz_kernels;

/* SIMD128 kernels exist wherever they compile: natively (through SIMDe) and
 * in wasm built with -msimd128. The scalar .wasm, for browsers without wasm
 * SIMD, is built without it and has only the scalar twins. */
#if defined(__wasm__) && !defined(__wasm_simd128__)
#define SQZ_KERNELS_SIMD 0
#else
#define SQZ_KERNELS_SIMD 1
#endif

#if SQZ_KERNELS_SIMD
extern const sqz_kernels sqz_kernels_wasmsimd;           /* the default: F(4x4) on large images, else F(2x2) */
extern const sqz_kernels sqz_kernels_wasmsimd_winograd4; /* F(4x4, 3x3) for every 3x3 */
extern const sqz_kernels sqz_kernels_wasmsimd_winograd2; /* F(2x2, 3x3) for every 3x3 */
extern const sqz_kernels sqz_kernels_wasmsimd_direct;    /* no Winograd, no sparse, no panels: plain (I)GEMM only */
extern const sqz_kernels sqz_kernels_wasmsimd_sparse;    /* every 1x1 by spmm (tests: sparse on every layer) */
#endif
extern const sqz_kernels sqz_kernels_scalar;
/* What the engine runs unless told otherwise: wasmsimd, or scalar without SIMD. */
extern const sqz_kernels *const sqz_kernels_default;

#endif
