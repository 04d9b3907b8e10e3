/* The input patch of a Winograd tile, shared by the input transforms. */
#ifndef SQZ_WINOGRAD_PATCH_H
#define SQZ_WINOGRAD_PATCH_H
#include <stddef.h>

/* The (t+2)×(t+2) input pixels of tile `tile` (F(t×t), t = 2 or 4) for
 * p[i*(t+2) + j]: padding, and every pixel of a tile past the last
 * (present = 0: a panel's unused lanes), point to `zero`. */
static inline void sqz_winograd_patch(size_t t, const float *input, size_t ih, size_t iw, size_t channels,
                                      const float *zero, size_t tile, int present, const float **p) {
  const size_t tw = (iw + t - 1) / t, ty = tile / tw, tx = tile % tw, alpha = t + 2;
  for (size_t i = 0; i < alpha; i++) {
    for (size_t j = 0; j < alpha; j++) {
      const size_t y = t * ty + i - 1, x = t * tx + j - 1; /* wraps past 0 when -1: caught below */
      p[i * alpha + j] = present && y < ih && x < iw ? input + (y * iw + x) * channels : zero;
    }
  }
}
#endif
