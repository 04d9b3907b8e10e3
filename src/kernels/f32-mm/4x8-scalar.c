/* f32 matrix product, accumulating (kernels/mm.h), scalar twin of 4x8-wasmsimd.c:
 * the same sums in the same order (k ascending, one rounding per multiply and
 * per add), so the two give identical bits. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF /* and -ffp-contract=off for gcc (CMakeLists.txt) */
#endif
#include <assert.h>

#include "kernels/mm.h"

void sqz_f32_mm_ukernel_4x8__scalar(size_t mr, size_t nc, size_t kc, const float *a,
                                    size_t a_stride, const float *b, size_t b_stride, float *c,
                                    size_t c_stride) {
  assert(mr >= 1 && mr <= 4 && nc >= 1 && kc >= 1);
  for (size_t m = 0; m < mr; m++) {
    const float *am = (const float *)((const char *)a + m * a_stride);
    float *cm = (float *)((char *)c + m * c_stride);
    for (size_t n = 0; n < nc; n++) {
      float acc = cm[n];
      for (size_t k = 0; k < kc; k++) {
        const float *bk = (const float *)((const char *)b + k * b_stride);
        const float p = am[k] * bk[n];
        acc = acc + p;
      }
      cm[n] = acc;
    }
  }
}
