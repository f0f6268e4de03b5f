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

/* For a compile-time n: passes over consecutive rows of g, each as many
 * rows as keep at most 24 accumulators; per row of a, the pass loads the
 * column blocks its rows reach once, broadcasts each of its rows' elements
 * once and multiplies it into every block at or left of the row's
 * diagonal block (half the loads of bn_gram_tile, and no latency-bound
 * small tiles). */
static inline __attribute__((always_inline)) BN_GRAM_TARGET void bn_gram_pass(
    const int n, int k, const double *restrict a, double *restrict g,
    const int a0, const int a1) {
  const int nb = (a1 - 1) / 8 + 1;
  __m512d acc[24][5];
  BN_UNROLL(24)
  for (int q = a0; q < a1; q++) BN_UNROLL(5)
  for (int b = 0; b <= q / 8; b++) acc[q - a0][b] = _mm512_setzero_pd();
  const double *row = a;
  for (int t = 0; t < k; t++, row += n) {
    __m512d v[5];
    BN_UNROLL(5)
    for (int b = 0; b < nb; b++) {
      int nc = n - 8 * b < 8 ? n - 8 * b : 8;
      v[b] = _mm512_maskz_loadu_pd((__mmask8)((1u << nc) - 1u), row + 8 * b);
    }
    BN_UNROLL(24)
    for (int q = a0; q < a1; q++) {
      __m512d s = _mm512_set1_pd(row[q]);
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

/* The passes for n <= 24: rows [0, 16) (24 accumulators at most), then
 * rows [16, n) (3 each). */
#define BN_GRAM_FIXED(N)                                                      \
  static BN_GRAM_TARGET void bn_gram_##N(int k, const double *a, double *g) { \
    bn_gram_pass(N, k, a, g, 0, (N) < 16 ? (N) : 16);                         \
    if ((N) > 16) bn_gram_pass(N, k, a, g, 16, (N) > 16 ? (N) : 17);          \
  }
BN_GRAM_FIXED(6)
BN_GRAM_FIXED(7)
BN_GRAM_FIXED(11)
BN_GRAM_FIXED(12)
BN_GRAM_FIXED(17)
BN_GRAM_FIXED(18)
BN_GRAM_FIXED(21)
BN_GRAM_FIXED(22)
BN_GRAM_FIXED(23)

/* n in (32, 40]: rows [0, 16), [16, 24), [24, 30) (24 accumulators
 * each), then [30, n) (at most 5 each). */
#define BN_GRAM_FIXED40(N)                                                    \
  static BN_GRAM_TARGET void bn_gram_##N(int k, const double *a, double *g) { \
    bn_gram_pass(N, k, a, g, 0, 16);                                          \
    bn_gram_pass(N, k, a, g, 16, 24);                                         \
    bn_gram_pass(N, k, a, g, 24, 30);                                         \
    bn_gram_pass(N, k, a, g, 30, N);                                          \
  }
BN_GRAM_FIXED40(33)
BN_GRAM_FIXED40(34)

bool bn_gram_vector(void) { return __builtin_cpu_supports("avx512f"); }

void bn_gram_lower(int n, int k, const double *a, double *g) {
  if (k <= 0 || n <= 0) return;
  if (!bn_gram_vector()) {
    bn_gram_lower_blas(n, k, a, g);
    return;
  }
  switch (n) {
    case 6:
      bn_gram_6(k, a, g);
      return;
    case 7:
      bn_gram_7(k, a, g);
      return;
    case 11:
      bn_gram_11(k, a, g);
      return;
    case 12:
      bn_gram_12(k, a, g);
      return;
    case 17:
      bn_gram_17(k, a, g);
      return;
    case 18:
      bn_gram_18(k, a, g);
      return;
    case 21:
      bn_gram_21(k, a, g);
      return;
    case 22:
      bn_gram_22(k, a, g);
      return;
    case 23:
      bn_gram_23(k, a, g);
      return;
    case 33:
      bn_gram_33(k, a, g);
      return;
    case 34:
      bn_gram_34(k, a, g);
      return;
    default:
      bn_gram_avx512(n, k, a, g);
  }
}

#else

bool bn_gram_vector(void) { return false; }

void bn_gram_lower(int n, int k, const double *a, double *g) {
  bn_gram_lower_blas(n, k, a, g);
}

#endif
