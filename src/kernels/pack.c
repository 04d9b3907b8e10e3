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

size_t sqz_packed_winograd_3x3_size(size_t tile, size_t cout, size_t cin, size_t nr) {
  return (tile + 2) * (tile + 2) * sqz_packed_conv_size(cout, cin, 1, 1, nr);
}

size_t sqz_pack_winograd_3x3(size_t tile, size_t cout, size_t cin, size_t nr, const float *oihw, float *out) {
  static const double G2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  static const double G4[6][3] = {{1.0 / 4, 0, 0},           {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                  {-1.0 / 6, 1.0 / 6, -1.0 / 6}, {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                  {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};
  const size_t alpha = tile + 2, sets = alpha * alpha;
  const size_t set = sqz_packed_conv_size(cout, cin, 1, 1, nr);
  for (size_t o0 = 0; o0 < cout; o0 += nr) {
    const size_t n = cout - o0 < nr ? cout - o0 : nr;
    const size_t block = (o0 / nr) * nr * (1 + cin);
    for (size_t xi = 0; xi < sets; xi++)
      for (size_t j = 0; j < nr; j++) out[xi * set + block + j] = 0.0f; /* biases: added after */
    for (size_t k = 0; k < cin; k++) {
      for (size_t j = 0; j < nr; j++) {
        double u[6][6] = {{0}};
        if (j < n) {
          const float *g = oihw + ((o0 + j) * cin + k) * 9;
          for (size_t a = 0; a < alpha; a++)
            for (size_t b = 0; b < alpha; b++)
              for (size_t y = 0; y < 3; y++)
                for (size_t x = 0; x < 3; x++) {
                  const double ga = tile == 2 ? G2[a][y] : G4[a][y], gb = tile == 2 ? G2[b][x] : G4[b][x];
                  u[a][b] += ga * g[y * 3 + x] * gb;
                }
        }
        for (size_t xi = 0; xi < sets; xi++) out[xi * set + block + nr + k * nr + j] = (float)u[xi / alpha][xi % alpha];
      }
    }
  }
  return sets * set;
}

size_t sqz_count_nonzeros(const float *w, size_t count) {
  size_t nnz = 0;
  for (size_t i = 0; i < count; i++) nnz += w[i] != 0.0f;
  return nnz;
}

size_t sqz_pack_spmm_weights(size_t cout, size_t cin, size_t row_stride, const float *oi, const float *bias,
                             float *weights, int32_t *offsets, uint32_t *nnzmap) {
  size_t nnz = 0;
  for (size_t o = 0; o < cout; o++) {
    *weights++ = bias != NULL ? bias[o] : 0.0f;
    uint32_t row = 0;
    for (size_t k = 0; k < cin; k++) {
      const float v = oi[o * cin + k];
      if (v == 0.0f) continue;
      *weights++ = v;
      *offsets++ = (int32_t)(k * row_stride);
      row++;
    }
    nnzmap[o] = row;
    nnz += row;
  }
  return nnz;
}
