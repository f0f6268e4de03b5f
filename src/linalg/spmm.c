/* Sparse row times dense block (linalg/spmm.h). */
#include "linalg/spmm.h"

static void bn_spmm_row_plain(int k, int cnt, const uint32_t *idx,
                              const double *w, const double *x, size_t ld,
                              double *y) {
  for (int t = 0; t < cnt; t++) {
    const double *xj = x + (size_t)idx[t] * ld;
    for (int a = 0; a < k; a++) y[a] += w[t] * xj[a];
  }
}

static void bn_spmm_row_t_plain(int k, int cnt, const uint32_t *idx,
                                const double *w, const double *y, double *x,
                                size_t ld) {
  for (int t = 0; t < cnt; t++) {
    double *xj = x + (size_t)idx[t] * ld;
    for (int a = 0; a < k; a++) xj[a] += w[t] * y[a];
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define BN_SPMM_TARGET __attribute__((target("avx512f")))
#ifdef __OPTIMIZE__
#define BN_SPMM_PRAGMA(x) _Pragma(#x)
#define BN_SPMM_UNROLL BN_SPMM_PRAGMA(GCC unroll 8)
#else
#define BN_SPMM_UNROLL
#endif

/* The mask of block b of k columns. */
static inline BN_SPMM_TARGET __mmask8 bn_spmm_mask(int k, int b) {
  int nc = k - 8 * b < 8 ? k - 8 * b : 8;
  return (__mmask8)((1u << nc) - 1u);
}

/* nb = ceil(k / 8) blocks, a compile-time constant at each call. */
static inline __attribute__((always_inline)) BN_SPMM_TARGET void bn_spmm_nb(
    const int nb, int k, int cnt, const uint32_t *restrict idx,
    const double *restrict w, const double *restrict x, size_t ld,
    double *restrict y) {
  __m512d acc[8];
  BN_SPMM_UNROLL
  for (int b = 0; b < nb; b++)
    acc[b] = _mm512_maskz_loadu_pd(bn_spmm_mask(k, b), y + 8 * b);
  for (int t = 0; t < cnt; t++) {
    const double *xj = x + (size_t)idx[t] * ld;
    __m512d s = _mm512_set1_pd(w[t]);
    BN_SPMM_UNROLL
    for (int b = 0; b < nb; b++)
      acc[b] = _mm512_fmadd_pd(
          s, _mm512_maskz_loadu_pd(bn_spmm_mask(k, b), xj + 8 * b), acc[b]);
  }
  BN_SPMM_UNROLL
  for (int b = 0; b < nb; b++)
    _mm512_mask_storeu_pd(y + 8 * b, bn_spmm_mask(k, b), acc[b]);
}

static inline __attribute__((always_inline)) BN_SPMM_TARGET void bn_spmm_t_nb(
    const int nb, int k, int cnt, const uint32_t *restrict idx,
    const double *restrict w, const double *restrict y, double *restrict x,
    size_t ld) {
  __m512d yv[8];
  BN_SPMM_UNROLL
  for (int b = 0; b < nb; b++)
    yv[b] = _mm512_maskz_loadu_pd(bn_spmm_mask(k, b), y + 8 * b);
  for (int t = 0; t < cnt; t++) {
    double *xj = x + (size_t)idx[t] * ld;
    __m512d s = _mm512_set1_pd(w[t]);
    BN_SPMM_UNROLL
    for (int b = 0; b < nb; b++) {
      __mmask8 m = bn_spmm_mask(k, b);
      _mm512_mask_storeu_pd(
          xj + 8 * b, m,
          _mm512_fmadd_pd(s, yv[b], _mm512_maskz_loadu_pd(m, xj + 8 * b)));
    }
  }
}

#define BN_SPMM_CASES(CALL) \
  CALL(1) CALL(2) CALL(3) CALL(4) CALL(5) CALL(6) CALL(7) CALL(8)

#define BN_SPMM_ROW(NB)                       \
  case NB:                                    \
    bn_spmm_nb(NB, k, cnt, idx, w, x, ld, y); \
    return;
#define BN_SPMM_ROW_T(NB)                       \
  case NB:                                      \
    bn_spmm_t_nb(NB, k, cnt, idx, w, y, x, ld); \
    return;

static BN_SPMM_TARGET void bn_spmm_row_v(int k, int cnt, const uint32_t *idx,
                                         const double *w, const double *x,
                                         size_t ld, double *y) {
  switch ((k + 7) / 8) { BN_SPMM_CASES(BN_SPMM_ROW) }
}

static BN_SPMM_TARGET void bn_spmm_row_t_v(int k, int cnt, const uint32_t *idx,
                                           const double *w, const double *y,
                                           double *x, size_t ld) {
  switch ((k + 7) / 8) { BN_SPMM_CASES(BN_SPMM_ROW_T) }
}

void bn_spmm_row(int k, int cnt, const uint32_t *idx, const double *w,
                 const double *x, size_t ld, double *y) {
  if (k > 0 && k <= 64 && __builtin_cpu_supports("avx512f"))
    bn_spmm_row_v(k, cnt, idx, w, x, ld, y);
  else
    bn_spmm_row_plain(k, cnt, idx, w, x, ld, y);
}

void bn_spmm_row_t(int k, int cnt, const uint32_t *idx, const double *w,
                   const double *y, double *x, size_t ld) {
  if (k > 0 && k <= 64 && __builtin_cpu_supports("avx512f"))
    bn_spmm_row_t_v(k, cnt, idx, w, y, x, ld);
  else
    bn_spmm_row_t_plain(k, cnt, idx, w, y, x, ld);
}

#else

void bn_spmm_row(int k, int cnt, const uint32_t *idx, const double *w,
                 const double *x, size_t ld, double *y) {
  bn_spmm_row_plain(k, cnt, idx, w, x, ld, y);
}

void bn_spmm_row_t(int k, int cnt, const uint32_t *idx, const double *w,
                   const double *y, double *x, size_t ld) {
  bn_spmm_row_t_plain(k, cnt, idx, w, y, x, ld);
}

#endif
