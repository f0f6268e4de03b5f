/* Matrix sensing: fast Gaussian entries of the implicit measurement
 * matrices. An implicit evaluation draws m n1 n2 normals, so the generator
 * is written as straight-line code over a chunk of counters (Philox4x32-10
 * rounds on 32-bit lanes, then a branch-free Box-Muller with polynomial log
 * and sin/cos), which the compiler vectorises; libm's scalar log and cos
 * would cost several times more. Values are a pure function of
 * (seed, stream, i, entry). */
#include <stdint.h>
#include <string.h>

#include "problems/sense.h"

#define BN_CHUNK 256 /* pairs per vector pass (two normals per pair) */

/* One Philox4x32 round (Random123's constants) on c0..c3 with the round's
 * key; written out ten times so that the vector loop has no inner loop. */
#define BN_W0 0x9E3779B9u
#define BN_W1 0xBB67AE85u
#define BN_PHILOX_ROUND(key0, key1)                               \
  do {                                                            \
    uint64_t m0_ = (uint64_t)0xD2511F53u * c0;                    \
    uint64_t m1_ = (uint64_t)0xCD9E8D57u * c2;                    \
    uint32_t n0_ = (uint32_t)(m1_ >> 32) ^ c1 ^ (uint32_t)(key0); \
    uint32_t n2_ = (uint32_t)(m0_ >> 32) ^ c3 ^ (uint32_t)(key1); \
    c1 = (uint32_t)m1_;                                           \
    c3 = (uint32_t)m0_;                                           \
    c0 = n0_;                                                     \
    c2 = n2_;                                                     \
  } while (0)

static inline double bn_bits_to_double(uint64_t b) {
  double d;
  memcpy(&d, &b, sizeof d);
  return d;
}

static inline uint64_t bn_double_to_bits(double d) {
  uint64_t b;
  memcpy(&b, &d, sizeof b);
  return b;
}

/* sqrt(x) for x in [0, 80] as x / sqrt(x): the reciprocal square root
 * from the exponent-halving guess (error < 4%) and four Newton steps
 * (error ~1e-16). libm's sqrt keeps a scalar errno path under the default
 * -fmath-errno, which stops the loop from vectorising. */
static inline double bn_sqrt_pos(double x) {
  double r = bn_bits_to_double(UINT64_C(0x5FE6EB50C7B537A9) -
                               (bn_double_to_bits(x) >> 1));
  double h = 0.5 * x;
  r = r * (1.5 - h * r * r);
  r = r * (1.5 - h * r * r);
  r = r * (1.5 - h * r * r);
  r = r * (1.5 - h * r * r);
  return x * r;
}

/* log(u) for u in (0, 1]: u = 2^e t with t in [sqrt(1/2), sqrt(2)), and
 * log t = 2 atanh(s), s = (t - 1)/(t + 1), |s| < 0.172 (series to s^17). */
static inline double bn_log01(double u) {
  uint64_t b = bn_double_to_bits(u);
  /* The exponent field as a double, without an integer conversion. */
  double e = bn_bits_to_double((b >> 52) | UINT64_C(0x4330000000000000)) -
             4503599627370496.0 - 1023.0;
  double t = bn_bits_to_double((b & UINT64_C(0x000FFFFFFFFFFFFF)) |
                               UINT64_C(0x3FF0000000000000));
  int big = t > 1.4142135623730951;
  t = big ? 0.5 * t : t;
  e = big ? e + 1.0 : e;
  double s = (t - 1.0) / (t + 1.0), z = s * s;
  double p = 1.0 / 17;
  p = p * z + 1.0 / 15;
  p = p * z + 1.0 / 13;
  p = p * z + 1.0 / 11;
  p = p * z + 1.0 / 9;
  p = p * z + 1.0 / 7;
  p = p * z + 1.0 / 5;
  p = p * z + 1.0 / 3;
  p = p * z + 1.0;
  return e * 0.6931471805599453 + 2.0 * s * p;
}

/* Box-Muller for one pair: radius from the 32-bit word wr, angle from the
 * word wa (30 bits within a quarter turn, 2 bits for the quarter). */
static inline void bn_box_muller(uint32_t wr, uint32_t wa, double *z0,
                                 double *z1) {
  double u = 2.0 - bn_bits_to_double(((uint64_t)wr << 20) |
                                     UINT64_C(0x3FF0000000000000));
  double phi = (bn_bits_to_double(((uint64_t)(wa >> 2) << 22) |
                                  UINT64_C(0x3FF0000000000000)) -
                1.5) *
               1.5707963267948966; /* [-pi/4, pi/4) */
  double rho = bn_sqrt_pos(-2.0 * bn_log01(u));
  double x2 = phi * phi;
  double sn = -1.0 / 1307674368000.0;
  sn = sn * x2 + 1.0 / 6227020800.0;
  sn = sn * x2 - 1.0 / 39916800.0;
  sn = sn * x2 + 1.0 / 362880.0;
  sn = sn * x2 - 1.0 / 5040.0;
  sn = sn * x2 + 1.0 / 120.0;
  sn = sn * x2 - 1.0 / 6.0;
  sn = phi + phi * x2 * sn;
  double cs = 1.0 / 87178291200.0;
  cs = cs * x2 - 1.0 / 479001600.0;
  cs = cs * x2 + 1.0 / 3628800.0;
  cs = cs * x2 - 1.0 / 40320.0;
  cs = cs * x2 + 1.0 / 720.0;
  cs = cs * x2 - 1.0 / 24.0;
  cs = cs * x2 + 0.5;
  cs = 1.0 - x2 * cs;
  /* Rotate by the quarter q pi/2: the angle is uniform on the circle. */
  uint32_t q = wa & 3u;
  double a = (q & 1u) ? sn : cs, b = (q & 1u) ? cs : sn;
  *z0 = rho * ((q == 1u || q == 2u) ? -a : a);
  *z1 = rho * ((q >= 2u) ? -b : b);
}

/* Four normals per Philox block (two Box-Muller pairs of 32-bit words;
 * the radius word gives |z| up to 6.7, beyond which a normal falls with
 * probability 2e-11). Block p gives entries p, nq + p, 2 nq + p and
 * 3 nq + p of A_i, nq = ceil(n / 4), so the stores stay contiguous. */
void bn_sense_normals(uint64_t seed, uint32_t stream, uint64_t i, size_t n,
                      double *out) {
  const uint32_t ilo = (uint32_t)i, ihi = (uint32_t)(i >> 32);
  const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  size_t nq = (n + 3) / 4;
  double z[4][BN_CHUNK];
  for (size_t p0 = 0; p0 < nq; p0 += BN_CHUNK) {
    size_t len = nq - p0 < BN_CHUNK ? nq - p0 : BN_CHUNK;
#pragma omp simd
    for (size_t k = 0; k < BN_CHUNK; k++) {
      uint32_t c0 = (uint32_t)(p0 + k), c1 = ilo, c2 = ihi, c3 = stream;
      BN_PHILOX_ROUND(k0, k1);
      BN_PHILOX_ROUND(k0 + 1 * BN_W0, k1 + 1 * BN_W1);
      BN_PHILOX_ROUND(k0 + 2 * BN_W0, k1 + 2 * BN_W1);
      BN_PHILOX_ROUND(k0 + 3 * BN_W0, k1 + 3 * BN_W1);
      BN_PHILOX_ROUND(k0 + 4 * BN_W0, k1 + 4 * BN_W1);
      BN_PHILOX_ROUND(k0 + 5 * BN_W0, k1 + 5 * BN_W1);
      BN_PHILOX_ROUND(k0 + 6 * BN_W0, k1 + 6 * BN_W1);
      BN_PHILOX_ROUND(k0 + 7 * BN_W0, k1 + 7 * BN_W1);
      BN_PHILOX_ROUND(k0 + 8 * BN_W0, k1 + 8 * BN_W1);
      BN_PHILOX_ROUND(k0 + 9 * BN_W0, k1 + 9 * BN_W1);
      bn_box_muller(c0, c1, &z[0][k], &z[1][k]);
      bn_box_muller(c2, c3, &z[2][k], &z[3][k]);
    }
    for (int j = 0; j < 4; j++) {
      size_t e0 = (size_t)j * nq + p0; /* first entry of this quarter */
      if (e0 >= n) break;
      size_t l = n - e0 < len ? n - e0 : len;
      memcpy(out + e0, z[j], l * sizeof(double));
    }
  }
}
