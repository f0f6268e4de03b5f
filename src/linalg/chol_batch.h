/* Many small symmetric positive definite solves at once, for the row
 * systems of alternating least squares: BN_CHOL_LANES systems of the same
 * order interleaved, so that every step of the Cholesky factorization and
 * the two triangular solves is one vector operation across the systems
 * instead of a short dot product within one. Local: nothing here
 * communicates. */
#ifndef BN_LINALG_CHOL_BATCH_H
#define BN_LINALG_CHOL_BATCH_H

#define BN_CHOL_LANES 8

/* Solve A_l x_l = b_l for the BN_CHOL_LANES systems l of order n: element
 * (i, j <= i) of A_l at a[(i * n + j) * BN_CHOL_LANES + l] (the lower
 * triangle is read and overwritten by the factor), b_l's element i at
 * b[i * BN_CHOL_LANES + l], overwritten by x_l. Returns a bit mask of the
 * systems that are not positive definite (their x is meaningless; the
 * others are unaffected). */
unsigned bn_chol_batch(int n, double *a, double *b);

#endif
