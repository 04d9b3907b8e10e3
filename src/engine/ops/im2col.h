/* The stem's im2col (conv_im2col.c), shared with the operator that fuses it
 * with the max pool after it (conv_maxpool.c). */
#ifndef SQZ_OPS_IM2COL_H
#define SQZ_OPS_IM2COL_H
#include "engine/step.h"

/* Output pixels per chunk: a multiple of mr whose rows fit SQZ_L1_BLOCK_BYTES. */
size_t sqz_im2col_chunk_pixels(const sqz_step *s, const sqz_kernels *k);

/* Computes output pixels [m0, m0 + n) (n <= sqz_im2col_chunk_pixels; flat
 * indices oy * ow + ox) of an im2col step: their rows into PPMM panels at
 * work, then one PPMM per tile, pixel m0 + r's channels written at
 * out + r * out_stride. A pixel's sums do not depend on m0 or n. */
void sqz_im2col_chunk(const sqz_exec *e, const sqz_step *s, size_t m0, size_t n, float *work, float *out,
                      size_t out_stride);

#endif
