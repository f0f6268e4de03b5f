/* The lower triangle of a^T a for small n (linalg/gram.h).
 *
 * The kernel tiles g by 8-column blocks. For column block c0 it sweeps the
 * rows of a once per group of at most 24 rows of g at or below the block
 * (rows >= c0): per row of a, one masked load of a[c0 .. c0 + 8) and, for
 * each g row in the group, one fused multiply-add with a broadcast of its
 * element; the group's 24 accumulators and the loaded vector stay in the
 * 32 vector registers. The tiles above the diagonal are never touched,
 * so it does half of dgemm's work, at close to the core's FMA rate while a
 * (k x n doubles) sits in L1/L2. */
#include "linalg/gram.h"

#include <cblas.h>

void bn_gram_lower_blas(int n, int k, const double *a, double *g) {
  if (k > 0 && n > 0)
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, k, 1.0, a, n, a,
                n, 1.0, g, n);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define BN_GRAM_TARGET __attribute__((target("avx512f")))

/* Full unrolling keeps the accumulators in registers; an unoptimised
 * build ignores (and warns about) the annotation, so it is left out. */
#ifdef __OPTIMIZE__
#define BN_PRAGMA(x) _Pragma(#x)
#define BN_UNROLL(n) BN_PRAGMA(GCC unroll n)
#else
#define BN_UNROLL(n)
#endif

/* Rows [r0, r0 + nr) of g, columns [c0, c0 + 8) under mask m. nr is a
 * compile-time constant at every call, so the loops unroll and the
 * accumulators live in registers. */
static inline __attribute__((always_inline)) BN_GRAM_TARGET void bn_gram_tile(
    int n, int k, const double *restrict a, double *restrict g, int c0,
    __mmask8 m, int r0, const int nr) {
  __m512d acc[24];
  BN_UNROLL(24)
  for (int q = 0; q < nr; q++) acc[q] = _mm512_setzero_pd();
  const double *row = a;
  for (int t = 0; t < k; t++, row += n) {
    __m512d v = _mm512_maskz_loadu_pd(m, row + c0);
    BN_UNROLL(24)
    for (int q = 0; q < nr; q++)
      acc[q] = _mm512_fmadd_pd(_mm512_set1_pd(row[r0 + q]), v, acc[q]);
  }
  BN_UNROLL(24)
  for (int q = 0; q < nr; q++) {
    double *gq = g + (size_t)(r0 + q) * n + c0;
    __m512d s = _mm512_add_pd(_mm512_maskz_loadu_pd(m, gq), acc[q]);
    _mm512_mask_storeu_pd(gq, m, s);
  }
}

#define BN_GRAM_CASE(N)                     \
  case N:                                   \
    bn_gram_tile(n, k, a, g, c0, m, r0, N); \
    break;

static BN_GRAM_TARGET void bn_gram_avx512(int n, int k, const double *a,
                                          double *g) {
  for (int c0 = 0; c0 < n; c0 += 8) {
    int nc = n - c0 < 8 ? n - c0 : 8;
    __mmask8 m = (__mmask8)((1u << nc) - 1u);
    for (int r0 = c0; r0 < n; r0 += 24) {
      int nr = n - r0 < 24 ? n - r0 : 24;
      switch (nr) {
        BN_GRAM_CASE(1)
        BN_GRAM_CASE(2)
        BN_GRAM_CASE(3)
        BN_GRAM_CASE(4)
        BN_GRAM_CASE(5)
        BN_GRAM_CASE(6)
        BN_GRAM_CASE(7)
        BN_GRAM_CASE(8)
        BN_GRAM_CASE(9)
        BN_GRAM_CASE(10)
        BN_GRAM_CASE(11)
        BN_GRAM_CASE(12)
        BN_GRAM_CASE(13)
        BN_GRAM_CASE(14)
        BN_GRAM_CASE(15)
        BN_GRAM_CASE(16)
        BN_GRAM_CASE(17)
        BN_GRAM_CASE(18)
        BN_GRAM_CASE(19)
        BN_GRAM_CASE(20)
        BN_GRAM_CASE(21)
        BN_GRAM_CASE(22)
        BN_GRAM_CASE(23)
        default:
          bn_gram_tile(n, k, a, g, c0, m, r0, 24);
      }
    }
  }
}

/* For compile-time n and one: passes over consecutive rows of g, each as
 * many rows as keep at most 24 accumulators; per gathered row the pass
 * loads the column blocks its rows reach once, broadcasts each of its
 * rows' elements once and multiplies it into every block at or left of
 * the row's diagonal block. Row t is [x[idx[t]] (r = n - 1 - one values),
 * 1 if one, y[t]]: the blocks hold the features (the 1 set in its lane,
 * the target's lane zero), the broadcasts the features and the target. */
static inline __attribute__((always_inline)) BN_GRAM_TARGET void bn_gram_pass(
    const int n, const int one, int k, const double *restrict x, size_t ld,
    const uint32_t *restrict idx, const double *restrict y, double *restrict g,
    const int a0, const int a1) {
  const int r = n - 1 - one, nb = (a1 - 1) / 8 + 1;
  const __m512d ones = _mm512_set1_pd(1.0);
  __m512d acc[24][5];
  BN_UNROLL(24)
  for (int q = a0; q < a1; q++) BN_UNROLL(5)
  for (int b = 0; b <= q / 8; b++) acc[q - a0][b] = _mm512_setzero_pd();
  for (int t = 0; t < k; t++) {
    const double *p = x + (size_t)idx[t] * ld;
    if (t + 8 < k)
      _mm_prefetch((const char *)(x + (size_t)idx[t + 8] * ld), _MM_HINT_T0);
    __m512d v[5];
    BN_UNROLL(5)
    for (int b = 0; b < nb; b++) {
      int nc = r - 8 * b < 0 ? 0 : r - 8 * b < 8 ? r - 8 * b : 8;
      v[b] = _mm512_maskz_loadu_pd((__mmask8)((1u << nc) - 1u), p + 8 * b);
      if (one && r >= 8 * b && r < 8 * b + 8)
        v[b] = _mm512_mask_mov_pd(v[b], (__mmask8)(1u << (r - 8 * b)), ones);
    }
    BN_UNROLL(24)
    for (int q = a0; q < a1; q++) {
      __m512d s = q < r       ? _mm512_set1_pd(p[q])
                  : q < n - 1 ? ones
                              : _mm512_set1_pd(y[t]);
      BN_UNROLL(5)
      for (int b = 0; b <= q / 8; b++)
        acc[q - a0][b] = _mm512_fmadd_pd(s, v[b], acc[q - a0][b]);
    }
  }
  BN_UNROLL(24)
  for (int q = a0; q < a1; q++) BN_UNROLL(5)
  for (int b = 0; b <= q / 8; b++) {
    int nc = n - 8 * b < 8 ? n - 8 * b : 8;
    __mmask8 m = (__mmask8)((1u << nc) - 1u);
    double *gq = g + (size_t)q * n + 8 * b;
    _mm512_mask_storeu_pd(
        gq, m, _mm512_add_pd(_mm512_maskz_loadu_pd(m, gq), acc[q - a0][b]));
  }
}

#define BN_GRAM_ARGS                                                       \
  int k, const double *x, size_t ld, const uint32_t *idx, const double *y, \
      double *g
#define BN_GRAM_PASS(N, ONE, A0, A1) \
  bn_gram_pass(N, ONE, k, x, ld, idx, y, g, A0, A1)

/* The passes for n <= 24: rows [0, 16) (24 accumulators at most), then
 * rows [16, n) (3 each). */
#define BN_GRAM_FIXED(N, ONE)                                    \
  static BN_GRAM_TARGET void bn_gram_##N##_##ONE(BN_GRAM_ARGS) { \
    BN_GRAM_PASS(N, ONE, 0, (N) < 16 ? (N) : 16);                \
    if ((N) > 16) BN_GRAM_PASS(N, ONE, 16, (N) > 16 ? (N) : 17); \
  }
/* n in (32, 40]: rows [0, 16), [16, 24), [24, 30) (24 accumulators
 * each), then [30, n) (at most 5 each). */
#define BN_GRAM_FIXED40(N, ONE)                                  \
  static BN_GRAM_TARGET void bn_gram_##N##_##ONE(BN_GRAM_ARGS) { \
    BN_GRAM_PASS(N, ONE, 0, 16);                                 \
    BN_GRAM_PASS(N, ONE, 16, 24);                                \
    BN_GRAM_PASS(N, ONE, 24, 30);                                \
    BN_GRAM_PASS(N, ONE, 30, N);                                 \
  }
/* Ranks 4, 5, 8, 10, 16, 20, 32 with and without the bias column. */
BN_GRAM_FIXED(5, 0)
BN_GRAM_FIXED(6, 1)
BN_GRAM_FIXED(6, 0)
BN_GRAM_FIXED(7, 1)
BN_GRAM_FIXED(9, 0)
BN_GRAM_FIXED(10, 1)
BN_GRAM_FIXED(11, 0)
BN_GRAM_FIXED(12, 1)
BN_GRAM_FIXED(17, 0)
BN_GRAM_FIXED(18, 1)
BN_GRAM_FIXED(21, 0)
BN_GRAM_FIXED(22, 1)
BN_GRAM_FIXED40(33, 0)
BN_GRAM_FIXED40(34, 1)

#define BN_GRAM_CALL(N, ONE)                  \
  case N * 2 + ONE:                           \
    bn_gram_##N##_##ONE(k, x, ld, idx, y, g); \
    return true;

/* The fixed kernel for (n, one), if there is one. */
static bool bn_gram_rows_fixed(int n, int one, BN_GRAM_ARGS) {
  switch (n * 2 + one) {
    BN_GRAM_CALL(5, 0)
    BN_GRAM_CALL(6, 1)
    BN_GRAM_CALL(6, 0)
    BN_GRAM_CALL(7, 1)
    BN_GRAM_CALL(9, 0)
    BN_GRAM_CALL(10, 1)
    BN_GRAM_CALL(11, 0)
    BN_GRAM_CALL(12, 1)
    BN_GRAM_CALL(17, 0)
    BN_GRAM_CALL(18, 1)
    BN_GRAM_CALL(21, 0)
    BN_GRAM_CALL(22, 1)
    BN_GRAM_CALL(33, 0)
    BN_GRAM_CALL(34, 1)
    default:
      return false;
  }
}

bool bn_gram_vector(void) { return __builtin_cpu_supports("avx512f"); }

void bn_gram_lower(int n, int k, const double *a, double *g) {
  if (k <= 0 || n <= 0) return;
  if (bn_gram_vector())
    bn_gram_avx512(n, k, a, g);
  else
    bn_gram_lower_blas(n, k, a, g);
}

static bool bn_gram_rows_vector(int n, int one, BN_GRAM_ARGS) {
  return bn_gram_vector() && bn_gram_rows_fixed(n, one, k, x, ld, idx, y, g);
}

#else

bool bn_gram_vector(void) { return false; }

void bn_gram_lower(int n, int k, const double *a, double *g) {
  bn_gram_lower_blas(n, k, a, g);
}

static bool bn_gram_rows_vector(int n, int one, int k, const double *x,
                                size_t ld, const uint32_t *idx, const double *y,
                                double *g) {
  (void)n, (void)one, (void)k, (void)x, (void)ld, (void)idx, (void)y, (void)g;
  return false;
}

#endif

void bn_gram_rows(int n, int one, int k, const double *x, size_t ld,
                  const uint32_t *idx, const double *y, double *scratch,
                  double *g) {
  if (k <= 0 || n <= 0) return;
  if (bn_gram_rows_vector(n, one, k, x, ld, idx, y, g)) return;
  const int r = n - 1 - one;
  for (int t = 0; t < k; t++) {
    const double *p = x + (size_t)idx[t] * ld;
    double *a = scratch + (size_t)t * n;
    for (int q = 0; q < r; q++) a[q] = p[q];
    if (one) a[r] = 1.0;
    a[n - 1] = y[t];
  }
  bn_gram_lower(n, k, scratch, g);
}
