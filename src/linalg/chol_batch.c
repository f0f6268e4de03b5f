/* Batched small Cholesky solves (linalg/chol_batch.h): right-looking, the
 * systems in the innermost (vector) dimension. */
#include "linalg/chol_batch.h"

#include <math.h>
#include <stddef.h>

#define L BN_CHOL_LANES

unsigned bn_chol_batch(int n, double *a, double *b) {
  unsigned bad = 0;
  for (int j = 0; j < n; j++) {
    double *ajj = a + (size_t)(j * n + j) * L, inv[L], *bj = b + (size_t)j * L;
    for (int l = 0; l < L; l++) {
      double d = ajj[l];
      if (!(d > 0)) { /* a failed system runs on harmlessly */
        bad |= 1u << l;
        d = 1.0;
      }
      ajj[l] = sqrt(d);
      inv[l] = 1.0 / ajj[l];
    }
#pragma omp simd
    for (int l = 0; l < L; l++) bj[l] *= inv[l];
    for (int i = j + 1; i < n; i++) {
      double *aij = a + (size_t)(i * n + j) * L, *bi = b + (size_t)i * L;
#pragma omp simd
      for (int l = 0; l < L; l++) {
        aij[l] *= inv[l];
        bi[l] -= aij[l] * bj[l];
      }
    }
    for (int i = j + 1; i < n; i++) {
      const double *aij = a + (size_t)(i * n + j) * L;
      for (int k = j + 1; k <= i; k++) {
        double *aik = a + (size_t)(i * n + k) * L;
        const double *akj = a + (size_t)(k * n + j) * L;
#pragma omp simd
        for (int l = 0; l < L; l++) aik[l] -= aij[l] * akj[l];
      }
    }
  }
  for (int i = n - 1; i >= 0; i--) { /* L^T x = y */
    const double *aii = a + (size_t)(i * n + i) * L;
    double *bi = b + (size_t)i * L;
#pragma omp simd
    for (int l = 0; l < L; l++) bi[l] /= aii[l];
    for (int k = 0; k < i; k++) {
      const double *aik = a + (size_t)(i * n + k) * L;
      double *bk = b + (size_t)k * L;
#pragma omp simd
      for (int l = 0; l < L; l++) bk[l] -= aik[l] * bi[l];
    }
  }
  return bad;
}
