/* Matrix completion: the pass over the owned entries, written once for
 * the element type of the ghost rows. complete_eval.c includes it with
 * BN_PASS_REAL double (the pass of f and its gradient), complete_pass32.c
 * with float (--precision=mixed); each defines BN_PASS_NAME, the name of
 * the static dispatcher it gets:
 *
 *   double BN_PASS_NAME(o, r, bias, u, b, mean, vg, s, gu, gb, gvg, tl)
 *
 * the sum of squared residuals and, when gu is given, gu += s res v_j,
 * gb += s res, gvg[j] += s res [u_i | 1] with s = 1/p. With tl.n > 1 the
 * pass runs over tl.n ranges of ghost indices in turn (complete_tiles.c),
 * carrying each row's sums in tl's work space: the same operations in the
 * same order for every row and every ghost row, so the results are
 * bitwise those of tl.n = 1 (each row's sum of squares is added into the
 * total once the row is done, tiled or not). Inlined with a
 * compile-time r and bias for the common ranks, so u_i and the row's
 * gradient stay in vector registers across the row's entries. Ghost rows
 * are [v_j | c_j], width w = r + bias, stored as BN_PASS_REAL. Each
 * residual is summed in double, and U, the row gradients added into gu
 * and the sum of squares are double whatever BN_PASS_REAL is; the
 * gradient's products and the row's partial gradient are BN_PASS_REAL. */
#if !defined(BN_PASS_REAL) || !defined(BN_PASS_NAME)
#error "define BN_PASS_REAL and BN_PASS_NAME before including this file"
#endif

#include "problems/lowrank/complete_state.h"

#ifndef BN_PREFETCH
#define BN_PREFETCH 16
#define BN_PREFETCH_TILED 4
#endif
#define BN_PASS_CAT2(a, b) a##b
#define BN_PASS_CAT(a, b) BN_PASS_CAT2(a, b)
#define BN_PASS_R BN_PASS_CAT(BN_PASS_NAME, _r)
/* elements of a 64-byte cache line */
#define BN_PASS_LINE (64 / sizeof(BN_PASS_REAL))

static inline __attribute__((always_inline)) double BN_PASS_R(
    const bn_obs_t *o, const int r, const int bias, const double *restrict u,
    const double *restrict b, double mean, const BN_PASS_REAL *restrict vg,
    double s, double *restrict gu, double *restrict gb,
    BN_PASS_REAL *restrict gvg, bn_pass_tiles_t tl) {
  double sumsq = 0.0;
  const bn_idx_t nloc = bn_dist_local(o->rdist);
  const bn_idx_t *rowptr = o->rowptr;
  const uint32_t *gc = o->gcol;
  const double *val = o->val;
  const size_t w = (size_t)(r + bias);
  const int nt = tl.n;
  /* untiled, the entries ahead are the pass's next ones (CSR is
   * contiguous); tiled, those of the row's range, and the next row's
   * first ones at the start of each row */
  const bn_idx_t pf = nt == 1 ? BN_PREFETCH : BN_PREFETCH_TILED;
  BN_PASS_REAL *tgi = (BN_PASS_REAL *)tl.gi;
  /* u_i in double (the residual) and in the pass's reals (gradients) */
  BN_PASS_REAL gi[r + 1], uf[r + 1];
  double ui[r + 1];
  for (int t = 0; t < nt; t++) {
    const bool first = t == 0, last = t == nt - 1;
    const uint32_t g1 =
        last ? UINT32_MAX : (uint32_t)((int64_t)o->nghost * (t + 1) / nt);
    for (bn_idx_t i = 0; i < nloc; i++) {
      const double off = bias ? mean + b[i] : 0;
      for (int k = 0; k < r; k++) ui[k] = u[i * r + k];
      for (int k = 0; k < r; k++) uf[k] = (BN_PASS_REAL)ui[k];
      double rs = 0.0;
      if (first)
        for (int k = 0; k <= r; k++) gi[k] = 0;
      else {
        rs = tl.rowsum[i];
        for (int k = 0; k < (int)w; k++) gi[k] = tgi[(size_t)i * w + k];
      }
      const bn_idx_t end = rowptr[i + 1];
      const bn_idx_t lim = nt == 1 ? o->nnz : end;
      if (nt > 1 && i + 1 < nloc) {
        bn_idx_t n0 = first ? rowptr[i + 1] : tl.cur[i + 1];
        for (bn_idx_t q = n0; q < n0 + pf && q < rowptr[i + 2] && gc[q] < g1;
             q++)
          for (size_t k = 0; k < w; k += BN_PASS_LINE) {
            __builtin_prefetch(vg + (size_t)gc[q] * w + k);
            if (gu) __builtin_prefetch(gvg + (size_t)gc[q] * w + k, 1);
          }
      }
      bn_idx_t e = first ? rowptr[i] : tl.cur[i];
      for (; e < end && gc[e] < g1; e++) {
        const BN_PASS_REAL *vj = vg + (size_t)gc[e] * w;
        if (e + pf < lim && gc[e + pf] < g1) {
          /* every cache line of the row pf entries ahead */
          size_t ahead = (size_t)gc[e + pf] * w;
          for (size_t k = 0; k < w; k += BN_PASS_LINE) {
            __builtin_prefetch(vg + ahead + k);
            if (gu) __builtin_prefetch(gvg + ahead + k, 1);
          }
        }
        /* A SIMD reduction: a strict left-to-right sum would serialise the
         * dot product on the FP adder (-fopenmp-simd, no OpenMP runtime). */
        double res = -val[e];
#pragma omp simd reduction(+ : res)
        for (int k = 0; k < r; k++) res += ui[k] * vj[k];
        if (bias) res += off + vj[r];
        rs += res * res;
        if (gu) {
          BN_PASS_REAL *gj = gvg + (size_t)gc[e] * w;
          BN_PASS_REAL sr = (BN_PASS_REAL)(s * res);
#pragma omp simd
          for (int k = 0; k < r; k++) {
            gi[k] += sr * vj[k];
            gj[k] += sr * uf[k];
          }
          if (bias) {
            gi[r] += sr;
            gj[r] += sr;
          }
        }
      }
      if (!last) { /* carried to the next tile */
        tl.cur[i] = e;
        tl.rowsum[i] = rs;
        if (gu)
          for (int k = 0; k < (int)w; k++) tgi[(size_t)i * w + k] = gi[k];
        continue;
      }
      sumsq += rs;
      if (gu) {
        for (int k = 0; k < r; k++) gu[i * r + k] += gi[k];
        if (bias) gb[i] += gi[r];
      }
    }
  }
  return sumsq;
}

#define BN_PASS_CASE(R)                                                  \
  case R:                                                                \
    return bias ? BN_PASS_R(o, R, 1, u, b, mean, vg, s, gu, gb, gvg, tl) \
                : BN_PASS_R(o, R, 0, u, b, mean, vg, s, gu, gb, gvg, tl);

static double BN_PASS_NAME(const bn_obs_t *o, int r, bool bias, const double *u,
                           const double *b, double mean, const BN_PASS_REAL *vg,
                           double s, double *gu, double *gb, BN_PASS_REAL *gvg,
                           bn_pass_tiles_t tl) {
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
      return bias ? BN_PASS_R(o, r, 1, u, b, mean, vg, s, gu, gb, gvg, tl)
                  : BN_PASS_R(o, r, 0, u, b, mean, vg, s, gu, gb, gvg, tl);
  }
}

#undef BN_PASS_CASE
#undef BN_PASS_LINE
#undef BN_PASS_R
#undef BN_PASS_CAT
#undef BN_PASS_CAT2
