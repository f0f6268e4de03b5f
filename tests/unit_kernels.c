/* The small kernels of completion: the sparse-row products of the
 * spectral start (linalg/spmm.h) against plain loops; for ALS, the
 * batched Cholesky solves (linalg/chol_batch.h) by their residuals, and
 * the lower-triangle Gram kernel (linalg/gram.h) against a plain triple
 * loop and dgemm, at every size its dispatch distinguishes: the fixed-size
 * kernels that read rows in place (with and without the constant column),
 * the generic tiles, the gathered fallback and dgemm; it adds into g and
 * writes nothing outside it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "linalg/chol_batch.h"
#include "linalg/gram.h"
#include "linalg/spmm.h"

/* g0 + a^T a, lower triangle, against g (tolerance relative to the sum of
 * absolute products). */
static void check_case(int n, int k, unsigned seed, int blas) {
  const int guard = 16;
  double *a = malloc(sizeof(double) * ((size_t)n * k + 1));
  double *buf = malloc(sizeof(double) * ((size_t)n * n + 2 * guard));
  double *g0 = malloc(sizeof(double) * (size_t)n * n);
  double *g = buf + guard;
  srand(seed);
  for (int t = 0; t < n * k; t++) a[t] = rand() / (double)RAND_MAX - 0.5;
  for (int t = 0; t < n * n + 2 * guard; t++) buf[t] = 7.0;
  for (int t = 0; t < n * n; t++) g[t] = g0[t] = rand() / (double)RAND_MAX;
  if (blas)
    bn_gram_lower_blas(n, k, a, g);
  else
    bn_gram_lower(n, k, a, g);
  double worst = 0.0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j <= i; j++) {
      double s = g0[i * n + j], m = fabs(s);
      for (int t = 0; t < k; t++) {
        s += a[t * n + i] * a[t * n + j];
        m += fabs(a[t * n + i] * a[t * n + j]);
      }
      double e = fabs(g[i * n + j] - s) / (m > 0 ? m : 1.0);
      if (e > worst) worst = e;
    }
  CHECK(worst < 1e-14, "n = %d, k = %d (%s): error %.3g", n, k,
        blas ? "dgemm" : "kernel", worst);
  for (int t = 0; t < guard; t++) {
    CHECK(buf[t] == 7.0, "n = %d, k = %d: wrote before g", n, k);
    CHECK(buf[guard + n * n + t] == 7.0, "n = %d, k = %d: wrote after g", n, k);
  }
  free(a);
  free(buf);
  free(g0);
}

/* bn_gram_rows: rows of x picked by idx (ld apart, the first r values),
 * a 1 if one, the target y, against the same rows written out. */
static void check_rows(int n, int one, int k, unsigned seed) {
  const int r = n - 1 - one, ld = r + 3, nx = 50;
  double *x = malloc(sizeof(double) * (size_t)nx * ld);
  double *y = malloc(sizeof(double) * ((size_t)k + 1));
  double *a = malloc(sizeof(double) * ((size_t)n * k + 1));
  double *scratch = malloc(sizeof(double) * ((size_t)n * k + 1));
  double *g = malloc(sizeof(double) * (size_t)n * n);
  double *h = malloc(sizeof(double) * (size_t)n * n);
  uint32_t *idx = malloc(sizeof(uint32_t) * ((size_t)k + 1));
  srand(seed);
  for (int t = 0; t < nx * ld; t++) x[t] = rand() / (double)RAND_MAX - 0.5;
  for (int t = 0; t < k; t++) {
    idx[t] = (uint32_t)(rand() % nx);
    y[t] = rand() / (double)RAND_MAX;
    for (int q = 0; q < r; q++) a[t * n + q] = x[idx[t] * ld + q];
    if (one) a[t * n + r] = 1.0;
    a[t * n + n - 1] = y[t];
  }
  for (int t = 0; t < n * n; t++) g[t] = h[t] = 0.5;
  bn_gram_rows(n, one, k, x, (size_t)ld, idx, y, scratch, g);
  bn_gram_lower_blas(n, k, a, h);
  double worst = 0.0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j <= i && j < n - 1; j++) { /* not y^T y */
      double e = fabs(g[i * n + j] - h[i * n + j]) / (1.0 + fabs(h[i * n + j]));
      if (e > worst) worst = e;
    }
  CHECK(worst < 1e-13, "rows: n = %d, one = %d, k = %d: error %.3g", n, one, k,
        worst);
  free(x);
  free(y);
  free(a);
  free(scratch);
  free(g);
  free(h);
  free(idx);
}

/* bn_chol_batch: BN_CHOL_LANES systems A_l = M_l M_l^T + I of order n
 * (lane 3 indefinite when `bad`), against their residuals. */
static void check_chol(int n, int bad, unsigned seed) {
  enum { L = BN_CHOL_LANES };
  double *A = malloc(sizeof(double) * (size_t)n * n * L);
  double *a = malloc(sizeof(double) * (size_t)n * n * L);
  double *b = malloc(sizeof(double) * (size_t)n * L);
  double *x = malloc(sizeof(double) * (size_t)n * L);
  srand(seed);
  for (int l = 0; l < L; l++) {
    double m[40 * 40];
    for (int t = 0; t < n * n; t++) m[t] = rand() / (double)RAND_MAX - 0.5;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = i == j ? 1.0 : 0.0;
        for (int t = 0; t < n; t++) s += m[i * n + t] * m[j * n + t];
        A[(i * n + j) * L + l] = A[(j * n + i) * L + l] = s;
      }
      b[i * L + l] = rand() / (double)RAND_MAX;
    }
    if (bad && l == 3) A[(n - 1) * (n + 1) * L + l] = -1.0;
  }
  memcpy(a, A, sizeof(double) * (size_t)n * n * L);
  memcpy(x, b, sizeof(double) * (size_t)n * L);
  unsigned got = bn_chol_batch(n, a, x);
  CHECK(got == (bad ? 1u << 3 : 0u), "chol n = %d: failed lanes %#x", n, got);
  for (int l = 0; l < L; l++) {
    if (bad && l == 3) continue;
    double worst = 0.0;
    for (int i = 0; i < n; i++) {
      double s = -b[i * L + l];
      for (int j = 0; j < n; j++) s += A[(i * n + j) * L + l] * x[j * L + l];
      if (fabs(s) > worst) worst = fabs(s);
    }
    CHECK(worst < 1e-10, "chol n = %d lane %d: residual %.3g", n, l, worst);
  }
  free(A);
  free(a);
  free(b);
  free(x);
}

/* bn_spmm_row and bn_spmm_row_t against plain loops, for k across the
 * vector kernels' block counts and beyond (the plain fallback). */
static void check_spmm(int k, int cnt, unsigned seed) {
  const int nx = 40, ld = k + 2;
  double *x = malloc(sizeof(double) * (size_t)nx * ld);
  double *x2 = malloc(sizeof(double) * (size_t)nx * ld);
  double *y = malloc(sizeof(double) * (size_t)k),
         *w = malloc(sizeof(double) * (size_t)cnt + 8);
  double *y0 = malloc(sizeof(double) * (size_t)k);
  uint32_t *idx = malloc(sizeof(uint32_t) * (size_t)cnt + 4);
  srand(seed);
  for (int t = 0; t < nx * ld; t++)
    x[t] = x2[t] = rand() / (double)RAND_MAX - 0.5;
  for (int a = 0; a < k; a++) y[a] = y0[a] = rand() / (double)RAND_MAX;
  for (int t = 0; t < cnt; t++) { /* distinct rows, as one row's columns */
    idx[t] = (uint32_t)((t * 7 + (int)seed) % nx);
    w[t] = rand() / (double)RAND_MAX - 0.5;
  }
  bn_spmm_row(k, cnt, idx, w, x, (size_t)ld, y);
  double worst = 0.0;
  for (int a = 0; a < k; a++) {
    double s = y0[a];
    for (int t = 0; t < cnt; t++) s += w[t] * x[idx[t] * ld + a];
    if (fabs(y[a] - s) > worst) worst = fabs(y[a] - s);
  }
  CHECK(worst < 1e-13, "spmm k = %d, cnt = %d: error %.3g", k, cnt, worst);
  bn_spmm_row_t(k, cnt, idx, w, y0, x2, (size_t)ld);
  worst = 0.0;
  for (int t = 0; t < cnt; t++)
    for (int a = 0; a < ld; a++) {
      double want = x[idx[t] * ld + a] + (a < k ? w[t] * y0[a] : 0.0);
      if (fabs(x2[idx[t] * ld + a] - want) > worst)
        worst = fabs(x2[idx[t] * ld + a] - want);
    }
  CHECK(worst < 1e-13, "spmm_t k = %d, cnt = %d: error %.3g", k, cnt, worst);
  free(x);
  free(x2);
  free(y);
  free(y0);
  free(w);
  free(idx);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  const int ks[] = {0, 1, 2, 7, 64, 223, 513};
  unsigned seed = 1;
  for (int n = 1; n <= 70; n++)
    for (size_t q = 0; q < sizeof ks / sizeof ks[0]; q++) {
      check_case(n, ks[q], seed++, 0);
      if (n % 7 == 1) check_case(n, ks[q], seed++, 1);
    }
  for (int n = 2; n <= 40; n++)
    for (int one = 0; one <= 1 && one < n - 1; one++)
      for (size_t q = 0; q < sizeof ks / sizeof ks[0]; q++)
        check_rows(n, one, ks[q], seed++);
  for (int n = 1; n <= 40; n++) {
    check_chol(n, 0, seed++);
    check_chol(n, 1, seed++);
  }
  for (int k = 1; k <= 70; k++)
    for (int cnt = 0; cnt <= 40; cnt += 13) check_spmm(k, cnt, seed++);
  printf("unit_kernels: vector kernel %s\n",
         bn_gram_vector() ? "used (AVX-512)" : "not available: dgemm");
  int rc = bn_test_finish("unit_kernels");
  MPI_Finalize();
  return rc;
}
