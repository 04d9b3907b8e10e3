/* int8 weight packing for the 8-bit PPMM kernels (kernels.h,
 * sqz_pack_qs8_conv_weights): XNNPACK's c2 layout for its dot16x2 kernels,
 * with the per-channel scales beside the biases. */
#include <math.h>
#include <string.h>

#include "kernels/kernels.h"

float sqz_qc8w_scale(const float *w, size_t n) {
  float top = 0.0f;
  for (size_t i = 0; i < n; i++) top = fmaxf(top, fabsf(w[i]));
  return top / 127.0f;
}

int8_t sqz_qc8w_quantize(float w, float scale) {
  const float v = scale > 0.0f ? nearbyintf(w / scale) : 0.0f;
  return (int8_t)fminf(127.0f, fmaxf(-127.0f, v));
}

size_t sqz_packed_qs8_conv_size(size_t cout, size_t cin, size_t nr) {
  const size_t blocks = (cout + nr - 1) / nr, k2 = (cin + 1) & ~(size_t)1;
  return blocks * nr * (2 * sizeof(float) + k2);
}

size_t sqz_pack_qs8_conv_weights(size_t cout, size_t cin, size_t nr, const float *oi, const float *bias, void *out) {
  const size_t k2 = (cin + 1) & ~(size_t)1;
  int8_t *p = out;
  for (size_t o0 = 0; o0 < cout; o0 += nr) {
    const size_t n = cout - o0 < nr ? cout - o0 : nr;
    float *head = (float *)p; /* nr biases, nr scales */
    int8_t *q = p + 2 * nr * sizeof(float);
    memset(q, 0, nr * k2);
    for (size_t j = 0; j < nr; j++) {
      head[j] = j < n && bias ? bias[o0 + j] : 0.0f;
      head[nr + j] = 0.0f;
      if (j >= n) continue;
      const float *w = oi + (o0 + j) * cin;
      const float scale = head[nr + j] = sqz_qc8w_scale(w, cin);
      for (size_t k = 0; k < cin; k++) q[(k / 2) * 2 * nr + 2 * j + k % 2] = sqz_qc8w_quantize(w[k], scale);
    }
    p = q + nr * k2;
  }
  return (size_t)(p - (int8_t *)out);
}
