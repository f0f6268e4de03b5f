/* Matrix sensing: fast Gaussian entries of the implicit measurement
 * matrices. An implicit evaluation draws m n1 n2 normals, so the generator
 * is written as straight-line code over a chunk of counters (Philox4x32-10
 * rounds, then a branch-free Box-Muller with polynomial log and sin/cos),
 * which the compiler vectorises; libm's scalar log and cos would cost
 * several times more. Values are a pure function of
 * (seed, stream, i, entry).
 *
 * Speed without changing a bit of the values (the normals define stored
 * operators): the 32-bit Philox words live in 64-bit lanes with zero upper
 * halves, so the 32 x 32 -> 64 products need no packing shuffles; each
 * vector iteration works on two Philox blocks (four Box-Muller pairs) with
 * their statements interleaved, so that the long dependency chains of the
 * polynomials and Newton steps overlap; the selections are integer masks
 * on the bits (exact: halving t, e + 1, the sign flips), which also lets
 * SSE2 and AVX2 builds vectorise the loop. The floating-point operations
 * of each value and their order are those of the scalar formulas, so the
 * values are bit for bit those of the first (scalar-lane) version; compiled
 * without contraction (gcc: -std=c11 implies -ffp-contract=off; clang: the
 * pragma below): an FMA would change bits. */
#include <stdint.h>
#include <string.h>

#include "problems/lowrank/sense.h"

#ifdef __clang__ /* clang contracts a * b + c by default; gcc in ISO C not */
#pragma STDC FP_CONTRACT OFF
#endif

#define BN_CHUNK 256 /* Philox blocks per vector pass (four normals each) */
#define BN_HALF (BN_CHUNK / 2)

/* Random123's Philox4x32 constants. */
#define BN_W0 0x9E3779B9u
#define BN_W1 0xBB67AE85u
#define BN_M32 UINT64_C(0xFFFFFFFF)
#define BN_EXP1 UINT64_C(0x3FF0000000000000)    /* the bits of 1.0 */
#define BN_EXP_ONE UINT64_C(0x0010000000000000) /* 1 in the exponent field */
#define BN_MANT UINT64_C(0x000FFFFFFFFFFFFF)
#define BN_MANT_SQRT2 UINT64_C(0x6A09E667F3BCD) /* sqrt(2)'s mantissa */
#define BN_E_BIAS UINT64_C(0x43300000000003FF)  /* 2^52 + 1023 */

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

/* Statement macros applied to the two blocks J = 0, 1 (words aJ..dJ) or
 * the four pairs J = 0..3 (words wrJ, waJ), one after the other. */
#define BN_EACH_BLOCK(M, ...) M(0, __VA_ARGS__) M(1, __VA_ARGS__)
#define BN_EACH_PAIR(M, ...) \
  M(0, __VA_ARGS__) M(1, __VA_ARGS__) M(2, __VA_ARGS__) M(3, __VA_ARGS__)

/* One Philox4x32 round on the words (a, b, c, d) of block J. */
#define BN_ROUND1(J, key0, key1)                            \
  {                                                         \
    uint64_t m0_ = UINT64_C(0xD2511F53) * (a##J & BN_M32);  \
    uint64_t m1_ = UINT64_C(0xCD9E8D57) * (c##J & BN_M32);  \
    a##J = (m1_ >> 32) ^ b##J ^ (uint64_t)(uint32_t)(key0); \
    c##J = (m0_ >> 32) ^ d##J ^ (uint64_t)(uint32_t)(key1); \
    b##J = m1_ & BN_M32;                                    \
    d##J = m0_ & BN_M32;                                    \
  }
#define BN_ROUND(r)                                          \
  do {                                                       \
    BN_EACH_BLOCK(BN_ROUND1, k0 + r * BN_W0, k1 + r * BN_W1) \
  } while (0)

/* Box-Muller for pair J: radius from the 32-bit word wrJ, angle from waJ
 * (30 bits within a quarter turn, 2 bits for the quarter).
 * u in (0, 1]; log(u) with u = 2^e t, t in [sqrt(1/2), sqrt(2)), and
 * log t = 2 atanh(s), s = (t - 1)/(t + 1), |s| < 0.172 (series to s^17);
 * the exponent field as a double without an integer conversion. */
#define BN_BM_LOG(J, unused)                                                  \
  double phi##J = (bn_bits_to_double(((wa##J >> 2) << 22) | BN_EXP1) - 1.5) * \
                  1.5707963267948966; /* [-pi/4, pi/4) */                     \
  uint64_t ub##J =                                                            \
      bn_double_to_bits(2.0 - bn_bits_to_double((wr##J << 20) | BN_EXP1));    \
  /* t > sqrt(2) compared on the mantissa; t / 2 and e + 1 as bits. */        \
  uint64_t mb##J = ub##J & BN_MANT;                                           \
  uint64_t big##J = (uint64_t)0 - ((BN_MANT_SQRT2 - mb##J) >> 63);            \
  double t##J = bn_bits_to_double(mb##J | (BN_EXP1 - (big##J & BN_EXP_ONE))); \
  double e##J =                                                               \
      bn_bits_to_double((ub##J >> 52) | UINT64_C(0x4330000000000000)) -       \
      bn_bits_to_double(BN_E_BIAS - (big##J & 1u));                           \
  double s##J = (t##J - 1.0) / (t##J + 1.0);                                  \
  double z##J = s##J * s##J, x2##J = phi##J * phi##J;                         \
  double p##J = 1.0 / 17, sn##J = -1.0 / 1307674368000.0,                     \
         cs##J = 1.0 / 87178291200.0;
/* One Horner step v = v w + c of pair J. */
#define BN_HORNER(J, v, w, c) v##J = v##J * w##J + (c);
/* x = -2 log u, then sqrt(x) for x in [0, 80] as x / sqrt(x): the
 * reciprocal square root from the exponent-halving guess (error < 4%) and
 * four Newton steps (error ~1e-16); libm's sqrt keeps a scalar errno path
 * under the default -fmath-errno, which stops the loop from vectorising. */
#define BN_BM_X(J, unused)                                              \
  double x##J = -2.0 * (e##J * 0.6931471805599453 + 2.0 * s##J * p##J); \
  double r##J = bn_bits_to_double(UINT64_C(0x5FE6EB50C7B537A9) -        \
                                  (bn_double_to_bits(x##J) >> 1));      \
  double h##J = 0.5 * x##J;
#define BN_NEWTON(J, unused) r##J = r##J * (1.5 - h##J * r##J * r##J);
/* Rotate (cos, sin) by the quarter q pi/2: the angle is uniform on the
 * circle. */
#define BN_BM_OUT(J, unused)                                                   \
  double y0_##J, y1_##J;                                                       \
  {                                                                            \
    double rho = x##J * r##J;                                                  \
    uint64_t sn = bn_double_to_bits(phi##J + phi##J * x2##J * sn##J);          \
    uint64_t cs = bn_double_to_bits(1.0 - x2##J * cs##J);                      \
    uint64_t q = wa##J & 3u, odd = (uint64_t)0 - (q & 1u);                     \
    /* The sign flips as bits: rho (-a) = -(rho a) exactly. */                 \
    uint64_t a = (sn & odd) | (cs & ~odd), b = (cs & odd) | (sn & ~odd);       \
    y0_##J = bn_bits_to_double(bn_double_to_bits(rho * bn_bits_to_double(a)) ^ \
                               (((q + 1u) & 2u) << 62)); /* q = 1, 2 */        \
    y1_##J = bn_bits_to_double(bn_double_to_bits(rho * bn_bits_to_double(b)) ^ \
                               ((q & 2u) << 62)); /* q = 2, 3 */               \
  }

/* Philox blocks p0 .. p0 + BN_CHUNK - 1 of (key; block, i, stream): four
 * normals per block (two Box-Muller pairs of 32-bit words; the radius word
 * gives |z| up to 6.7, beyond which a normal falls with probability
 * 2e-11), z[j][k] from block p0 + k. */
static void bn_normals_chunk(uint32_t k0, uint32_t k1, uint64_t ilo,
                             uint64_t ihi, uint64_t stream, size_t p0,
                             double z[4][BN_CHUNK]) {
#pragma omp simd
  for (size_t k = 0; k < BN_HALF; k++) {
    /* Blocks p0 + k and p0 + k + BN_HALF, interleaved. */
    uint64_t a0 = (p0 + k) & BN_M32, b0 = ilo, c0 = ihi, d0 = stream;
    uint64_t a1 = (p0 + k + BN_HALF) & BN_M32, b1 = ilo, c1 = ihi, d1 = stream;
    BN_ROUND(0);
    BN_ROUND(1);
    BN_ROUND(2);
    BN_ROUND(3);
    BN_ROUND(4);
    BN_ROUND(5);
    BN_ROUND(6);
    BN_ROUND(7);
    BN_ROUND(8);
    BN_ROUND(9);
    uint64_t wr0 = a0, wa0 = b0, wr1 = c0, wa1 = d0;
    uint64_t wr2 = a1, wa2 = b1, wr3 = c1, wa3 = d1;
    BN_EACH_PAIR(BN_BM_LOG, 0)
    BN_EACH_PAIR(BN_HORNER, p, z, 1.0 / 15)
    BN_EACH_PAIR(BN_HORNER, sn, x2, 1.0 / 6227020800.0)
    BN_EACH_PAIR(BN_HORNER, cs, x2, -1.0 / 479001600.0)
    BN_EACH_PAIR(BN_HORNER, p, z, 1.0 / 13)
    BN_EACH_PAIR(BN_HORNER, sn, x2, -1.0 / 39916800.0)
    BN_EACH_PAIR(BN_HORNER, cs, x2, 1.0 / 3628800.0)
    BN_EACH_PAIR(BN_HORNER, p, z, 1.0 / 11)
    BN_EACH_PAIR(BN_HORNER, sn, x2, 1.0 / 362880.0)
    BN_EACH_PAIR(BN_HORNER, cs, x2, -1.0 / 40320.0)
    BN_EACH_PAIR(BN_HORNER, p, z, 1.0 / 9)
    BN_EACH_PAIR(BN_HORNER, sn, x2, -1.0 / 5040.0)
    BN_EACH_PAIR(BN_HORNER, cs, x2, 1.0 / 720.0)
    BN_EACH_PAIR(BN_HORNER, p, z, 1.0 / 7)
    BN_EACH_PAIR(BN_HORNER, sn, x2, 1.0 / 120.0)
    BN_EACH_PAIR(BN_HORNER, cs, x2, -1.0 / 24.0)
    BN_EACH_PAIR(BN_HORNER, p, z, 1.0 / 5)
    BN_EACH_PAIR(BN_HORNER, sn, x2, -1.0 / 6.0)
    BN_EACH_PAIR(BN_HORNER, cs, x2, 0.5)
    BN_EACH_PAIR(BN_HORNER, p, z, 1.0 / 3)
    BN_EACH_PAIR(BN_HORNER, p, z, 1.0)
    BN_EACH_PAIR(BN_BM_X, 0)
    BN_EACH_PAIR(BN_NEWTON, 0)
    BN_EACH_PAIR(BN_NEWTON, 0)
    BN_EACH_PAIR(BN_NEWTON, 0)
    BN_EACH_PAIR(BN_NEWTON, 0)
    BN_EACH_PAIR(BN_BM_OUT, 0)
    z[0][k] = y0_0;
    z[1][k] = y1_0;
    z[2][k] = y0_1;
    z[3][k] = y1_1;
    z[0][k + BN_HALF] = y0_2;
    z[1][k + BN_HALF] = y1_2;
    z[2][k + BN_HALF] = y0_3;
    z[3][k + BN_HALF] = y1_3;
  }
}

/* Block p gives entries p, nq + p, 2 nq + p and 3 nq + p of A_i,
 * nq = ceil(n / 4), so the stores stay contiguous. The arguments are those
 * of bn_sense_normals_dots (mm NULL: store only). */
static void bn_normals_pass(uint64_t seed, uint32_t stream, uint64_t i0,
                            size_t nb, size_t n, const double *mm, double *out,
                            double *g, const double *coef, size_t nprev,
                            double scale, double *dots) {
  const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  size_t nq = (n + 3) / 4;
  double z[4][BN_CHUNK];
  if (mm)
    for (size_t b = 0; b < nb; b++) dots[b] = 0.0;
  for (size_t p0 = 0; p0 < nq; p0 += BN_CHUNK) {
    size_t len = nq - p0 < BN_CHUNK ? nq - p0 : BN_CHUNK;
    /* The previous rows' gradient terms, before this chunk is overwritten. */
    for (size_t b = 0; g && b < nprev; b++) {
      const double c = scale * coef[b], *ob = out + b * n;
      for (size_t e0 = p0; e0 < n; e0 += nq) {
        size_t l = n - e0 < len ? n - e0 : len;
#pragma omp simd
        for (size_t t = e0; t < e0 + l; t++) g[t] += c * ob[t];
      }
    }
    for (size_t b = 0; b < nb; b++) {
      uint64_t i = i0 + b;
      double *ob = out ? out + b * n : NULL, dot = 0.0;
      bn_normals_chunk(k0, k1, i & BN_M32, i >> 32, stream, p0, z);
      for (int j = 0; j < 4; j++) {
        size_t e0 = (size_t)j * nq + p0; /* first entry of this quarter */
        if (e0 >= n) break;
        size_t l = n - e0 < len ? n - e0 : len;
        const double *zj = z[j];
        double acc = 0.0;
        if (!mm) {
          memcpy(ob + e0, zj, l * sizeof(double));
        } else if (!ob) {
#pragma omp simd reduction(+ : acc)
          for (size_t t = 0; t < l; t++) acc += zj[t] * mm[e0 + t];
        } else {
#pragma omp simd reduction(+ : acc)
          for (size_t t = 0; t < l; t++) {
            ob[e0 + t] = zj[t];
            acc += zj[t] * mm[e0 + t];
          }
        }
        dot += acc;
      }
      if (mm) dots[b] += dot;
    }
  }
}

void bn_sense_normals(uint64_t seed, uint32_t stream, uint64_t i, size_t n,
                      double *out) {
  bn_normals_pass(seed, stream, i, 1, n, NULL, out, NULL, NULL, 0, 0.0, NULL);
}

void bn_sense_normals_dots(uint64_t seed, uint32_t stream, uint64_t i0,
                           size_t nb, size_t n, const double *mm, double *out,
                           double *g, const double *coef, size_t nprev,
                           double scale, double *dots) {
  bn_normals_pass(seed, stream, i0, nb, n, mm, out, out ? g : NULL, coef, nprev,
                  scale, dots);
}
