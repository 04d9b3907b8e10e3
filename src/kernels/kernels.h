/* Micro-kernels: the inner loops, one file per operation, tile and ISA
 * (f32-gemm/4x8-minmax-wasmsimd-loadsplat.c), each with a scalar twin that
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

/* Each kind of kernel has a function type (sqz_f32_gemm_ukernel, used to
 * declare the kernels below) and a pointer type (sqz_f32_gemm_fn). */

/* GEMM with bias and clamp: for m < mr, n < nc
 *   c[m][n] = clamp(bias[n] + sum_{k<kc} a[m][k] * w[k][n])
 * a: row m at (char*)a + m*a_stride, kc floats.
 * w: packed by sqz_pack_conv_weights with this kernel's NR: for each block of
 *    NR output channels, NR biases then kc rows of NR weights (zero padded).
 * c: row m at (char*)c + m*cm_stride; columns nc, blocks of NR are cn_stride
 *    bytes apart (NR*4 when columns are contiguous). mr <= MR, nc >= 1. */
typedef void sqz_f32_gemm_ukernel(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w,
                                  float *c, size_t cm_stride, size_t cn_stride, const sqz_minmax_params *params);

/* Indirect GEMM (convolution with any kernel, stride and padding):
 *   c[m][n] = clamp(bias[n] + sum_{t<ks} sum_{k<kc} a[t*MR + m][k] * w[t][k][n])
 * a: ks*MR pointers to input pixels (kc floats each); padding taps point to a
 *    buffer of zeros. Rows m >= mr are ignored (their pointers must still be
 *    readable, e.g. copies of row 0's).
 * w: packed as for GEMM with kc*ks rows per block, tap-major. */
typedef void sqz_f32_igemm_ukernel(size_t mr, size_t nc, size_t kc, size_t ks, const float **a, const float *w,
                                   float *c, size_t cm_stride, size_t cn_stride, const sqz_minmax_params *params);

/* Pre-packed GEMM (the stem's im2col rows, dense 1x1s' panels): as GEMM, but
 * A is one panel with the MR rows interleaved: a[k*MR + m] for k < kc, m < MR.
 * Rows m >= mr must hold finite values (computed, never stored).
 *   c[m][n] = clamp(bias[n] + sum_{k<kc} a[k*MR + m] * w[k][n]) */
typedef void sqz_f32_ppmm_ukernel(size_t mr, size_t nc, size_t kc, const float *a, const float *w, float *c,
                                  size_t cm_stride, size_t cn_stride, const sqz_minmax_params *params);

/* Packs m <= 4 rows of k floats (row i at (char*)x + i*x_stride) into a PPMM
 * panel: y[j*4 + i] = row_i[j]; rows i >= m repeat row m-1. */
typedef void sqz_x32_packx_ukernel(size_t m, size_t k, const float *x, size_t x_stride, float *y);

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
typedef void sqz_f32_spmm_ukernel(size_t mc, size_t nc, const float *input, const float *weights,
                                  const int32_t *offsets, const uint32_t *nnzmap, float *output,
                                  const uint32_t *out_pixels, const sqz_minmax_params *params);

/* Max pooling, NHWC, window kernel×kernel at stride, windows clipped to the
 * input (PyTorch ceil_mode semantics with padding 0). Writes output rows
 * [oy_begin, oy_end) of an output oh×ow×channels. */
typedef void sqz_f32_maxpool_ukernel(const float *input, size_t ih, size_t iw, size_t channels, size_t kernel,
                                     size_t stride, float *output, size_t oh, size_t ow, size_t oy_begin,
                                     size_t oy_end);

/* Global average pooling: out[c] = mean over pixels of in[p][c]. */
typedef void sqz_f32_gavgpool_ukernel(size_t pixels, size_t channels, const float *input, float *output);

/* Winograd F(t×t, 3x3), t = 2 or 4, for 3x3 stride-1 convolutions padded by
 * 1 (the fire modules' expand3x3): a 2x2 output tile needs 16 products per
 * input channel instead of 36, a 4x4 tile 36 instead of 144. The image is
 * cut into tiles of t×t outputs, tw = (width+t-1)/t per row, numbered
 * row-major; kernels take a run of them.
 *
 * Input transform: for tiles [tile_begin, tile_begin+tiles) of an ih × iw ×
 * channels NHWC input (pixels `channels` floats apart; `zero` holds channels
 * zeros for the padding), writes V = B^T d B as PPMM panels of 4 tiles:
 * element xi (0..(t+2)^2-1) of tile r's channel c at
 *   v[xi*xi_stride + (r/4)*4*channels + c*4 + r%4],
 * a last panel's lanes past `tiles` zero (xi_stride >= tiles rounded up to
 * 4, times channels). Each xi is then a PPMM (tiles × channels) × (channels
 * × cout) against weights packed by sqz_pack_winograd_3x3, giving M with
 * tile r's cout products at m[xi*xi_stride + r*cout].
 * Output transform: Y = A^T M A plus bias, clamped, written to the t×t
 * outputs of each tile inside oh × ow (pixels out_pixel_stride floats apart). */
typedef void sqz_f32_winograd_input_ukernel(const float *input, size_t ih, size_t iw, size_t channels,
                                            const float *zero, size_t tile_begin, size_t tiles, float *v,
                                            size_t xi_stride);
typedef void sqz_f32_winograd_output_ukernel(const float *m, size_t xi_stride, size_t channels, const float *bias,
                                             size_t tile_begin, size_t tiles, size_t oh, size_t ow, float *output,
                                             size_t out_pixel_stride, const sqz_minmax_params *params);

/* 8-bit PPMM (int8 compute for dense 1x1 convolutions; XNNPACK's
 * qd8-f32-qc8w GEMMs): 8-bit activations with a scale per row, int8 weights
 * with a scale per output channel, exact int32 sums, float output:
 *   c[m][n] = clamp((float)(sum_{k<kc} a[m][k] * q[n][k]) * (a_scale[m] * w_scale[n]) + bias[n])
 * a: a panel from sqz_qs8_packx_fn (int16 values 0..255, k in pairs:
 *    a[(k/2)*8 + 2m + k%2]); a_scale: 4 row scales (rows >= mr computed, not
 *    stored: finite, as packx makes them). kc even (the panel's padded depth).
 * w: packed by sqz_pack_qs8_conv_weights (nr = 8): per block of 8 output
 *    channels 8 float biases, 8 float scales, then kc/2 steps of 8 channels ×
 *    2 k int8 (w[(k/2)*16 + 2n + k%2]), zero padded.
 * c: as sqz_f32_ppmm_fn. Sums are exact while kc * 255 * 127 < 2^31
 * (kc < 66,000; channels are at most SQZ_MAX_CHANNELS). */
typedef void sqz_qs8_ppmm_ukernel(size_t mr, size_t nc, size_t kc, const int16_t *a, const float *a_scale,
                                  const void *w, float *c, size_t cm_stride, size_t cn_stride,
                                  const sqz_minmax_params *params);

/* Quantizes m <= 4 rows of k floats (row i at (char*)x + i*x_stride; rows
 * i >= m repeat row m-1) into a panel for sqz_qs8_ppmm_fn: per row
 * scale[i] = max(0, max_j x[i][j]) / 255 and q = round(clamp(x * 255/max,
 * 0, 255)) (0 where max is 0; negative values and NaN become 0: meant for
 * post-ReLU inputs), k padded to even with zeros. */
typedef void sqz_qs8_packx_ukernel(size_t m, size_t k, const float *x, size_t x_stride, int16_t *y, float *scale);

typedef sqz_f32_gemm_ukernel *sqz_f32_gemm_fn;
typedef sqz_f32_igemm_ukernel *sqz_f32_igemm_fn;
typedef sqz_f32_ppmm_ukernel *sqz_f32_ppmm_fn;
typedef sqz_x32_packx_ukernel *sqz_x32_packx_fn;
typedef sqz_f32_spmm_ukernel *sqz_f32_spmm_fn;
typedef sqz_f32_maxpool_ukernel *sqz_f32_maxpool_fn;
typedef sqz_f32_gavgpool_ukernel *sqz_f32_gavgpool_fn;
typedef sqz_f32_winograd_input_ukernel *sqz_f32_winograd_input_fn;
typedef sqz_f32_winograd_output_ukernel *sqz_f32_winograd_output_fn;
typedef sqz_qs8_ppmm_ukernel *sqz_qs8_ppmm_fn;
typedef sqz_qs8_packx_ukernel *sqz_qs8_packx_fn;

/* Every kernel there is, per ISA, one line each: X(kind, slot, function).
 * These lists declare the kernels (below) and fill each ISA's table
 * (kernels.c); every kernel has its scalar twin in the same slot of the
 * scalar list, and its test against that twin (tests/c/test_kernels*.c).
 * Which slot runs where is the engine's policy (src/engine/conv_path.c). */
#define SQZ_KERNELS_WASMSIMD(X)                                                              \
  X(f32_gemm, gemm, sqz_f32_gemm_minmax_ukernel_4x8__wasmsimd_loadsplat)                     \
  X(f32_igemm, igemm, sqz_f32_igemm_minmax_ukernel_4x8__wasmsimd_splat)                      \
  X(f32_ppmm, ppmm, sqz_f32_ppmm_minmax_ukernel_4x8__wasmsimd_loadsplat)                     \
  X(x32_packx, packx, sqz_x32_packx_ukernel_4x__wasmsimd)                                    \
  X(f32_spmm, spmm, sqz_f32_spmm_minmax_ukernel_16x1__wasmsimd)                              \
  X(f32_winograd_input, winograd2_input, sqz_f32_winograd_input_2x2_3x3__wasmsimd)           \
  X(f32_winograd_output, winograd2_output, sqz_f32_winograd_output_2x2_3x3__wasmsimd)        \
  X(f32_winograd_input, winograd4_input, sqz_f32_winograd_input_4x4_3x3__wasmsimd)           \
  X(f32_winograd_output, winograd4_output, sqz_f32_winograd_output_4x4_3x3__wasmsimd)        \
  X(f32_maxpool, maxpool, sqz_f32_maxpool_ukernel__wasmsimd)                                 \
  X(f32_gavgpool, gavgpool, sqz_f32_gavgpool_ukernel__wasmsimd)                             \
  X(qs8_ppmm, qs8_ppmm, sqz_qd8_f32_qc8w_ppmm_minmax_ukernel_4x8c2__wasmsimd_dot16x2)        \
  X(qs8_packx, qs8_packx, sqz_f32_qd8_packx_ukernel_4x__wasmsimd)

#define SQZ_KERNELS_SCALAR(X)                                                                \
  X(f32_gemm, gemm, sqz_f32_gemm_minmax_ukernel_4x8__scalar)                                 \
  X(f32_igemm, igemm, sqz_f32_igemm_minmax_ukernel_4x8__scalar)                              \
  X(f32_ppmm, ppmm, sqz_f32_ppmm_minmax_ukernel_4x8__scalar)                                 \
  X(x32_packx, packx, sqz_x32_packx_ukernel_4x__scalar)                                      \
  X(f32_spmm, spmm, sqz_f32_spmm_minmax_ukernel_16x1__scalar)                                \
  X(f32_winograd_input, winograd2_input, sqz_f32_winograd_input_2x2_3x3__scalar)             \
  X(f32_winograd_output, winograd2_output, sqz_f32_winograd_output_2x2_3x3__scalar)          \
  X(f32_winograd_input, winograd4_input, sqz_f32_winograd_input_4x4_3x3__scalar)             \
  X(f32_winograd_output, winograd4_output, sqz_f32_winograd_output_4x4_3x3__scalar)          \
  X(f32_maxpool, maxpool, sqz_f32_maxpool_ukernel__scalar)                                   \
  X(f32_gavgpool, gavgpool, sqz_f32_gavgpool_ukernel__scalar)                                 \
  X(qs8_ppmm, qs8_ppmm, sqz_qd8_f32_qc8w_ppmm_minmax_ukernel_4x8c2__scalar)                  \
  X(qs8_packx, qs8_packx, sqz_f32_qd8_packx_ukernel_4x__scalar)

#define SQZ_DECLARE_KERNEL(kind, slot, function) sqz_##kind##_ukernel function;
SQZ_KERNELS_WASMSIMD(SQZ_DECLARE_KERNEL)
SQZ_KERNELS_SCALAR(SQZ_DECLARE_KERNEL)

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

/* int8 weights for sqz_qs8_ppmm_fn, by the .sqz int8 encodings' rule
 * (format/tensor_encode.c uses these too): an output channel's n weights
 * get scale = max|w| / 127 (sqz_qc8w_scale) and each q = round(w / scale),
 * clamped to ±127 (sqz_qc8w_quantize; 0 when the scale is 0). Packing quantizes
 * each channel of the OI(1x1) weights so and lays out blocks of nr: nr
 * float biases, nr float scales, then for each pair of input channels nr
 * × 2 int8 (k padded to even, channels past cout zero). Sizes in bytes. */
float sqz_qc8w_scale(const float *w, size_t n);
int8_t sqz_qc8w_quantize(float w, float scale);
size_t sqz_packed_qs8_conv_size(size_t cout, size_t cin, size_t nr);
size_t sqz_pack_qs8_conv_weights(size_t cout, size_t cin, size_t nr, const float *oi, const float *bias, void *out);

/* The kernels one ISA has, a slot each (NULL: it has none of that kind).
 * The GEMM-like kernels share one tile, mr × nr, so weights packed with nr
 * serve each of them. */
typedef struct sqz_kernels {
  const char *name; /* the ISA */
  size_t mr, nr;
  sqz_f32_gemm_fn gemm;
  sqz_f32_igemm_fn igemm;
  sqz_f32_ppmm_fn ppmm;
  sqz_x32_packx_fn packx;
  sqz_f32_spmm_fn spmm;
  sqz_f32_winograd_input_fn winograd2_input;
  sqz_f32_winograd_output_fn winograd2_output;
  sqz_f32_winograd_input_fn winograd4_input;
  sqz_f32_winograd_output_fn winograd4_output;
  sqz_f32_maxpool_fn maxpool;
  sqz_f32_gavgpool_fn gavgpool;
  sqz_qs8_ppmm_fn qs8_ppmm;
  sqz_qs8_packx_fn qs8_packx;
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
extern const sqz_kernels sqz_kernels_wasmsimd; /* wasm SIMD128; natively through SIMDe */
#endif
extern const sqz_kernels sqz_kernels_scalar; /* the scalar twins */
/* What the engine runs unless told otherwise: wasmsimd, or scalar without SIMD. */
extern const sqz_kernels *const sqz_kernels_default;

#endif
