/* benign -- distributed dense linear algebra on row-partitioned matrices:
 * conversion to ScaLAPACK's 2-D block-cyclic layout, QR and the randomized
 * truncated SVD; plus small replicated r x r helpers (LAPACK). */
#ifndef BENIGN_DENSE_H
#define BENIGN_DENSE_H

#include "benign/dmat.h"

/* A matrix in ScaLAPACK 2-D block-cyclic layout (column-major local
 * storage) on a process grid owned by the context. */
typedef struct bn_bcmat bn_bcmat_t;

/* Collective. Grid nprow x npcol must equal the communicator size; mb x nb
 * blocks. nprow = npcol = 0 picks a near-square grid. */
bn_status_t bn_dmat_to_bc(const bn_dmat_t *a, int nprow, int npcol, int mb,
                          int nb, bn_bcmat_t **out);
/* Collective. Copies back into b (same global shape as the bc matrix). */
bn_status_t bn_bc_to_dmat(const bn_bcmat_t *m, bn_dmat_t *b);
void bn_bcmat_destroy(bn_bcmat_t *m);
/* Local storage and the 9-integer ScaLAPACK descriptor. */
double *bn_bcmat_local(bn_bcmat_t *m, int *local_rows, int *local_cols);
const int *bn_bcmat_desc(const bn_bcmat_t *m);

/* Collective. Thin QR of a tall matrix (N >= k) through ScaLAPACK
 * (pdgeqrf + pdorgqr): Q overwrites A; R (k x k, row-major, upper
 * triangular) is replicated when r != NULL. */
bn_status_t bn_dmat_qr(bn_dmat_t *a, double *r);

/* A linear operator between two row distributions, applied to blocks of
 * vectors (dmats): y = A x (x on col_dist, y on row_dist) and x = A^T y. */
typedef struct bn_linop {
  bn_idx_t rows, cols;
  bn_dist_t *row_dist, *col_dist;
  void *data;
  bn_status_t (*apply)(void *data, const bn_dmat_t *x, bn_dmat_t *y);
  bn_status_t (*apply_t)(void *data, const bn_dmat_t *y, bn_dmat_t *x);
} bn_linop_t;

/* Collective. Top-r singular triplets A ~ U diag(s) V^T by the randomized
 * range finder (Halko, Martinsson, Tropp 2011): Gaussian sketch keyed by
 * global index (identical on any number of ranks), `power` subspace
 * iterations with QR re-orthonormalisation, then a small SVD. u (rows x r)
 * and v (cols x r) are created on the operator's distributions. */
bn_status_t bn_rsvd(bn_ctx_t *ctx, const bn_linop_t *a, int r, int oversample,
                    int power, uint64_t seed, bn_dmat_t **u, double *s,
                    bn_dmat_t **v);

/* Small replicated helpers, row-major n x n (LAPACK; no communication). */
/* Cholesky A = R^T R, R upper; returns BN_ERR_NUM if not positive definite. */
bn_status_t bn_small_chol(bn_ctx_t *ctx, int n, const double *a, double *r);
/* Thin SVD of an m x n (m >= n) matrix: A = U diag(s) V^T, U m x n, V n x n;
 * each column of U has its entry of largest magnitude positive (signs that
 * do not flip under rounding-level changes of A). */
bn_status_t bn_small_svd(bn_ctx_t *ctx, int m, int n, const double *a,
                         double *u, double *s, double *vt);
/* Solve A x = b for SPD A (n x n), nrhs right-hand sides stored as rows of
 * b (row-major nrhs x n). Returns BN_ERR_NUM if A is not SPD. */
bn_status_t bn_small_spd_solve(bn_ctx_t *ctx, int n, double *a, int nrhs,
                               double *b);

#endif
