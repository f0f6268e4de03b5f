/* Matrix completion: balancing U and V (the same product U V^T with
 * U^T U = V^T V), and the small Cholesky solve of the row systems. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/complete_state.h"

/* The dot products run as SIMD reductions (-fopenmp-simd): the row
 * systems of ALS are small and many, and a strict left-to-right sum would
 * serialise them on the FP adder. */
int bn_chol_solve(int n, double *a, double *b) {
  for (int j = 0; j < n; j++) {
    const double *aj = a + (size_t)j * n;
    double d = 0.0;
#pragma omp simd reduction(+ : d)
    for (int k = 0; k < j; k++) d += aj[k] * aj[k];
    d = aj[j] - d;
    if (!(d > 0)) return -1;
    d = sqrt(d);
    a[j * n + j] = d;
    for (int i = j + 1; i < n; i++) {
      const double *ai = a + (size_t)i * n;
      double s = 0.0;
#pragma omp simd reduction(+ : s)
      for (int k = 0; k < j; k++) s += ai[k] * aj[k];
      a[i * n + j] = (ai[j] - s) / d;
    }
  }
  for (int i = 0; i < n; i++) { /* L y = b */
    const double *ai = a + (size_t)i * n;
    double s = 0.0;
#pragma omp simd reduction(+ : s)
    for (int k = 0; k < i; k++) s += ai[k] * b[k];
    b[i] = (b[i] - s) / ai[i];
  }
  for (int i = n - 1; i >= 0; i--) { /* L^T x = y */
    double s = b[i];
    for (int k = i + 1; k < n; k++) s -= a[k * n + i] * b[k];
    b[i] = s / a[i * n + i];
  }
  return 0;
}

/* Invert an upper-triangular n x n matrix in place (row-major). */
static void bn_triu_inv(int n, double *t) {
  for (int j = n - 1; j >= 0; j--) {
    t[j * n + j] = 1.0 / t[j * n + j];
    for (int i = j - 1; i >= 0; i--) {
      double s = 0.0;
      for (int k = i + 1; k <= j; k++) s += t[i * n + k] * t[k * n + j];
      t[i * n + j] = -s / t[i * n + i];
    }
  }
}

/* Rank 0 computes the two r x r transforms from the summed Grams:
 * K = Ru Rv^T = W S Z^T; Tu = Ru^-1 W S^1/2, Tv = Rv^-1 Z S^1/2. Returns 0
 * if a factor is rank deficient (it cannot be balanced). */
static int bn_balance_transforms(bn_ctx_t *ctx, int r, const double *gu,
                                 const double *gv, double *tu, double *tv) {
  const int rr = r * r;
  double *m = calloc(bn_size_mul(7, (size_t)rr), sizeof(double));
  if (!m) return 0;
  double *ru = m, *rv = ru + rr, *k = rv + rr, *w = k + rr, *sv = w + rr;
  double *zt = sv + rr, *z = zt + rr;
  int ok = bn_small_chol(ctx, r, gu, ru) == BN_OK &&
           bn_small_chol(ctx, r, gv, rv) == BN_OK;
  if (ok) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, r, r, r, 1.0, ru, r,
                rv, r, 0.0, k, r);
    ok = bn_small_svd(ctx, r, r, k, w, sv, zt) == BN_OK;
  }
  if (ok) {
    bn_triu_inv(r, ru);
    bn_triu_inv(r, rv);
    for (int i = 0; i < r; i++)
      for (int j = 0; j < r; j++) {
        w[i * r + j] *= sqrt(sv[j]);
        z[j * r + i] = zt[i * r + j] * sqrt(sv[i]); /* Z S^1/2 */
      }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r, r, r, 1.0, ru, r,
                w, r, 0.0, tu, r);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r, r, r, 1.0, rv, r,
                z, r, 0.0, tv, r);
  }
  bn_error_clear(ctx); /* a failed Cholesky/SVD only means "leave it" */
  free(m);
  return ok;
}

static void bn_apply_small(bn_idx_t n, int r, double *a, const double *t,
                           double *tmp) {
  if (n == 0) return;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, r, r, 1.0, a,
              r, t, r, 0.0, tmp, r);
  memcpy(a, tmp, (size_t)n * r * sizeof(double));
}

bn_status_t bn_complete_balance(bn_complete_t *c, double *x) {
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, rr = r * r;
  double *u = x, *v = x + c->nu * r, *m = NULL, *tmp = NULL;
  size_t nmax = (size_t)(c->nu > c->nv ? c->nu : c->nv) * r;
  bn_status_t st = bn_calloc(ctx, bn_size_add(bn_size_mul(4, (size_t)rr), 1),
                             sizeof(double), &m);
  if (st == BN_OK) st = bn_mallocn(ctx, nmax ? nmax : 1, sizeof(double), &tmp);
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    double *gu = m, *gv = gu + rr, *t = gv + rr; /* t = [Tu, Tv, ok] */
    bn_gram_local(r, c->nu, u, u, gu);
    bn_gram_local(r, c->nv, v, v, gv);
    st = bn_allreduce_sum(ctx, m, 2 * (size_t)rr);
    /* One rank decides, so every rank applies the same transforms even if
     * the small factorizations were not bitwise reproducible across
     * processes. */
    if (st == BN_OK) {
      if (bn_ctx_rank(ctx) == 0)
        t[2 * rr] = bn_balance_transforms(ctx, r, gu, gv, t, t + rr);
      MPI_Bcast(t, 2 * rr + 1, MPI_DOUBLE, 0, bn_ctx_comm(ctx));
      if (t[2 * rr] != 0) {
        bn_apply_small(c->nu, r, u, t, tmp);
        bn_apply_small(c->nv, r, v, t + rr, tmp);
      }
    }
  }
  free(m);
  free(tmp);
  return st;
}
