/* Writing observed entries (sparse/obs.h): each process's entries at its
 * offset in GROUP/row, GROUP/col, GROUP/val, with the matrix size as the
 * group's rows and cols attributes -- the layout of a completion input
 * (docs/file-formats.md), for generate complete and split. */
#include <stdio.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "sparse/obs.h"

bn_status_t bn_obs_write(bn_ctx_t *ctx, bn_h5_t *f, const char *group,
                         bn_idx_t n, const int64_t *row, const int64_t *col,
                         const double *val, bn_idx_t rows, bn_idx_t cols,
                         bn_idx_t *total) {
  bn_idx_t start = 0;
  char name[64];
  BN_MPI(ctx, MPI_Exscan(&n, &start, 1, BN_IDX_MPI, MPI_SUM, bn_ctx_comm(ctx)));
  if (bn_ctx_rank(ctx) == 0) start = 0;
  BN_MPI(ctx,
         MPI_Allreduce(&n, total, 1, BN_IDX_MPI, MPI_SUM, bn_ctx_comm(ctx)));
  snprintf(name, sizeof name, "%s/row", group);
  BN_CALL(ctx, bn_h5_write_i64(f, name, *total, start, n, row));
  snprintf(name, sizeof name, "%s/col", group);
  BN_CALL(ctx, bn_h5_write_i64(f, name, *total, start, n, col));
  snprintf(name, sizeof name, "%s/val", group);
  BN_CALL(ctx, bn_h5_write_f64(f, name, *total, start, n, val));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, group, "rows", rows));
  return bn_h5_attr_set_i64(f, group, "cols", cols);
}
