/* x32 packx, 4 rows, portable scalar twin of 4x-wasmsimd.c: the same
 * contract (kernels.h, sqz_x32_packx_fn), one float at a time. */
#include <assert.h>

#include "kernels/kernels.h"

void sqz_x32_packx_ukernel_4x__scalar(size_t m, size_t k, const float *restrict x, size_t x_stride,
                                      float *restrict y) {
  assert(m != 0 && m <= 4);
  assert(k != 0);
  for (size_t j = 0; j < k; j++)
    for (size_t i = 0; i < 4; i++)
      y[j * 4 + i] = ((const float *)((uintptr_t)x + (i < m ? i : m - 1) * x_stride))[j];
}
