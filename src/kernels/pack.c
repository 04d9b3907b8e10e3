/* Weight packing for the GEMM/IGEMM micro-kernels (XNNPACK's "goi" packing).
 * For each block of nr output channels: nr biases, then for each tap
 * t = (ky, kx) in row-major order and each input channel k < cin, the nr
 * weights w[o][k][ky][kx] of that block; output channels past cout are zero. */
#include "kernels/kernels.h"

size_t sqz_packed_conv_size(size_t cout, size_t cin, size_t kh, size_t kw, size_t nr) {
  const size_t blocks = (cout + nr - 1) / nr;
  return blocks * nr * (1 + kh * kw * cin);
}

size_t sqz_pack_conv_weights(size_t cout, size_t cin, size_t kh, size_t kw, size_t nr,
                             const float *oihw, const float *bias, float *out) {
  float *p = out;
  const size_t taps = kh * kw;
  for (size_t o0 = 0; o0 < cout; o0 += nr) {
    const size_t n = cout - o0 < nr ? cout - o0 : nr;
    for (size_t j = 0; j < nr; j++) *p++ = (j < n && bias != NULL) ? bias[o0 + j] : 0.0f;
    for (size_t t = 0; t < taps; t++) {
      for (size_t k = 0; k < cin; k++) {
        for (size_t j = 0; j < nr; j++) {
          /* oihw[o][k][ky][kx] with t = ky*kw + kx */
          *p++ = j < n ? oihw[((o0 + j) * cin + k) * taps + t] : 0.0f;
        }
      }
    }
  }
  return (size_t)(p - out);
}
