/* Robust PCA: the sparse part of a result or checkpoint (/S). */
#include <math.h>
#include <stdlib.h>

#include "problems/lowrank/rpca_state.h"

/* /S/row, /S/col, /S/val: S = T_(gamma alpha)(M - U V^T) at x (altproj:
 * the entries of M - U V^T over zeta), in row-major order of (row, col) on
 * any number of processes. */
bn_status_t bn_rpca_write_sparse(bn_rpca_t *c, const double *x, bn_h5_t *f) {
  bn_ctx_t *ctx = c->ctx;
  c->frozen = c->ap != NULL; /* altproj: no T_a thresholds */
  bn_status_t rs = bn_rpca_residual(c, x, c->gamma * c->alpha);
  c->frozen = false;
  BN_CALL(ctx, rs);
  if (c->ap) { /* kept: |v| >= the next double over zeta, i.e. |v| > zeta */
    const double t = nextafter(c->ap->zeta, INFINITY);
    for (bn_idx_t i = 0; i < c->nu; i++) c->rthr[i] = t;
    for (bn_idx_t j = 0; j < c->n2; j++) c->cthr[j] = t;
  }
  bn_idx_t n = 0, start = 0, total = 0;
  int64_t *row = NULL, *col = NULL;
  double *val = NULL;
  for (int pass = 0; pass < 2; pass++) {
    n = 0;
    for (bn_idx_t i = 0; i < c->nu; i++) {
      bn_idx_t e0 = c->dense ? i * c->n2 : c->obs->rowptr[i];
      bn_idx_t e1 = c->dense ? e0 + c->n2 : c->obs->rowptr[i + 1];
      for (bn_idx_t e = e0; e < e1; e++) {
        bn_idx_t j = c->dense ? e - e0 : c->obs->ghost[c->obs->gcol[e]];
        if (!bn_rpca_kept(c, i, j, c->res[e])) continue;
        if (pass == 1) {
          row[n] = bn_dist_first(c->rdist) + i;
          col[n] = j;
          val[n] = c->res[e];
        }
        n++;
      }
    }
    if (pass == 0) {
      bn_status_t st = bn_malloc(
          ctx, bn_size_add(bn_size_mul((size_t)n, sizeof(int64_t)), 1), &row);
      if (st == BN_OK)
        st = bn_malloc(
            ctx, bn_size_add(bn_size_mul((size_t)n, sizeof(int64_t)), 1), &col);
      if (st == BN_OK)
        st = bn_malloc(
            ctx, bn_size_add(bn_size_mul((size_t)n, sizeof(double)), 1), &val);
      if ((st = bn_agree(ctx, st)) != BN_OK) {
        free(row), free(col), free(val);
        return st;
      }
    }
  }
  bn_status_t st = BN_OK;
  MPI_Comm comm = bn_ctx_comm(ctx);
  if (MPI_Exscan(&n, &start, 1, BN_IDX_MPI, MPI_SUM, comm) != MPI_SUCCESS ||
      MPI_Allreduce(&n, &total, 1, BN_IDX_MPI, MPI_SUM, comm) != MPI_SUCCESS)
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Exscan failed (/S)");
  if (bn_ctx_rank(ctx) == 0) start = 0;
  if (st == BN_OK) st = bn_h5_write_i64(f, "/S/row", total, start, n, row);
  if (st == BN_OK) st = bn_h5_write_i64(f, "/S/col", total, start, n, col);
  if (st == BN_OK) st = bn_h5_write_f64(f, "/S/val", total, start, n, val);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/S", "rows", c->n1);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/S", "cols", c->n2);
  free(row), free(col), free(val);
  return st;
}
