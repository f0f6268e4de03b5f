/* Matrix completion: the pass over the owned entries, written once for
 * the element type of the ghost rows. complete_eval.c includes it with
 * BN_PASS_REAL double (the pass of f and its gradient), complete_pass32.c
 * with float (--precision=mixed); each defines BN_PASS_NAME, the name of
 * the static dispatcher it gets:
 *
 *   double BN_PASS_NAME(o, r, bias, u, b, mean, vg, s, gu, gb, gvg)
 *
 * the sum of squared residuals and, when gu is given, gu += s res v_j,
 * gb += s res, gvg[j] += s res [u_i | 1] with s = 1/p. Inlined with a
 * compile-time r and bias for the common ranks, so u_i and the row's
 * gradient stay in vector registers across the row's entries. Ghost rows
 * are [v_j | c_j], width w = r + bias. U, the row gradients added into gu
 * and the sum of squares are double whatever BN_PASS_REAL is. */
#if !defined(BN_PASS_REAL) || !defined(BN_PASS_NAME)
#error "define BN_PASS_REAL and BN_PASS_NAME before including this file"
#endif

#include "problems/lowrank/complete_state.h"

#ifndef BN_PREFETCH
#define BN_PREFETCH 16
#endif
#define BN_PASS_CAT2(a, b) a##b
#define BN_PASS_CAT(a, b) BN_PASS_CAT2(a, b)
#define BN_PASS_R BN_PASS_CAT(BN_PASS_NAME, _r)
/* elements of a 64-byte cache line */
#define BN_PASS_LINE (64 / sizeof(BN_PASS_REAL))

static inline __attribute__((always_inline)) double BN_PASS_R(
    const bn_obs_t *o, const int r, const int bias, const double *restrict u,
    const double *restrict b, double mean, const BN_PASS_REAL *restrict vg,
    BN_PASS_REAL s, double *restrict gu, double *restrict gb,
    BN_PASS_REAL *restrict gvg) {
  double sumsq = 0.0;
  bn_idx_t nloc = bn_dist_local(o->rdist);
  const uint32_t *gc = o->gcol;
  const double *val = o->val;
  const size_t w = (size_t)(r + bias);
  BN_PASS_REAL gi[r + 1], ui[r + 1];
  for (bn_idx_t i = 0; i < nloc; i++) {
    const BN_PASS_REAL off = bias ? (BN_PASS_REAL)(mean + b[i]) : 0;
    for (int k = 0; k < r; k++) ui[k] = (BN_PASS_REAL)u[i * r + k];
    for (int k = 0; k <= r; k++) gi[k] = 0;
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      const BN_PASS_REAL *vj = vg + (size_t)gc[e] * w;
      if (e + BN_PREFETCH < o->nnz) {
        /* Every cache line of the rows BN_PREFETCH entries ahead (the
         * entries of the next rows too: CSR is contiguous). */
        size_t ahead = (size_t)gc[e + BN_PREFETCH] * w;
        for (size_t k = 0; k < w; k += BN_PASS_LINE) {
          __builtin_prefetch(vg + ahead + k);
          if (gu) __builtin_prefetch(gvg + ahead + k, 1);
        }
      }
      /* A SIMD reduction: a strict left-to-right sum would serialise the
       * dot product on the FP adder (-fopenmp-simd, no OpenMP runtime). */
      BN_PASS_REAL res = -(BN_PASS_REAL)val[e];
#pragma omp simd reduction(+ : res)
      for (int k = 0; k < r; k++) res += ui[k] * vj[k];
      if (bias) res += off + vj[r];
      sumsq += (double)res * res;
      if (gu) {
        BN_PASS_REAL *gj = gvg + (size_t)gc[e] * w;
        BN_PASS_REAL sr = s * res;
#pragma omp simd
        for (int k = 0; k < r; k++) {
          gi[k] += sr * vj[k];
          gj[k] += sr * ui[k];
        }
        if (bias) {
          gi[r] += sr;
          gj[r] += sr;
        }
      }
    }
    if (gu) {
      for (int k = 0; k < r; k++) gu[i * r + k] += gi[k];
      if (bias) gb[i] += gi[r];
    }
  }
  return sumsq;
}

#define BN_PASS_CASE(R)                                              \
  case R:                                                            \
    return bias ? BN_PASS_R(o, R, 1, u, b, mean, vg, s, gu, gb, gvg) \
                : BN_PASS_R(o, R, 0, u, b, mean, vg, s, gu, gb, gvg);

static double BN_PASS_NAME(const bn_obs_t *o, int r, bool bias, const double *u,
                           const double *b, double mean, const BN_PASS_REAL *vg,
                           BN_PASS_REAL s, double *gu, double *gb,
                           BN_PASS_REAL *gvg) {
  switch (r) {
    BN_PASS_CASE(1)
    BN_PASS_CASE(2)
    BN_PASS_CASE(3)
    BN_PASS_CASE(4)
    BN_PASS_CASE(5)
    BN_PASS_CASE(8)
    BN_PASS_CASE(10)
    BN_PASS_CASE(16)
    BN_PASS_CASE(20)
    BN_PASS_CASE(32)
    BN_PASS_CASE(64)
    default:
      return bias ? BN_PASS_R(o, r, 1, u, b, mean, vg, s, gu, gb, gvg)
                  : BN_PASS_R(o, r, 0, u, b, mean, vg, s, gu, gb, gvg);
  }
}

#undef BN_PASS_CASE
#undef BN_PASS_LINE
#undef BN_PASS_R
#undef BN_PASS_CAT
#undef BN_PASS_CAT2
