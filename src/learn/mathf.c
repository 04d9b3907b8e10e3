/* exp and log without libm (learn/mathf.h). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF /* and -ffp-contract=off for gcc (CMakeLists.txt) */
#endif
#include "learn/mathf.h"

#include <stdint.h>
#include <string.h>

static double pow2i(int k) { /* 2^k for -1022 <= k <= 1023, exactly */
  uint64_t bits = (uint64_t)(k + 1023) << 52;
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

float sqz_learn_exp(float xf) {
  if (!(xf > -87.0f)) return 0.0f; /* also NaN: a logit is never NaN here */
  if (xf > 0.0f) xf = 0.0f;
  const double x = xf;
  /* x = k·ln2 + r, |r| <= ln2/2; k·ln2 split so that k·LN2_HI is exact */
  const double LOG2E = 1.4426950408889634, LN2_HI = 6.93147180369123816490e-01,
               LN2_LO = 1.90821492927058770002e-10;
  const double t = x * LOG2E;
  const int k = (int)(t < 0 ? t - 0.5 : t + 0.5);
  const double r = (x - (double)k * LN2_HI) - (double)k * LN2_LO;
  /* Taylor to r^9: the remainder is below 0.35^10/10! < 1e-11 */
  double p = 1.0 / 362880;
  p = p * r + 1.0 / 40320;
  p = p * r + 1.0 / 5040;
  p = p * r + 1.0 / 720;
  p = p * r + 1.0 / 120;
  p = p * r + 1.0 / 24;
  p = p * r + 1.0 / 6;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  return (float)(p * pow2i(k));
}

double sqz_learn_log(double x) {
  /* x = m·2^e with m in [sqrt(1/2), sqrt(2)); ln m = 2·atanh(s), s = (m−1)/(m+1) */
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int e = (int)((bits >> 52) & 0x7FF) - 1023;
  bits = (bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull;
  double m;
  memcpy(&m, &bits, sizeof m);
  if (m > 1.4142135623730951) m *= 0.5, e++;
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s; /* |s| <= 0.1716 */
  /* 2·(s + s³/3 + … + s^21/21): the remainder is below 0.1716^23 < 3e-18 */
  double p = 1.0 / 21;
  for (int j = 19; j >= 1; j -= 2) p = p * s2 + 1.0 / j;
  const double LN2 = 0.6931471805599453;
  return (double)e * LN2 + 2.0 * s * p;
}
