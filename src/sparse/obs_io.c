/* Observations from HDF5, the column distribution and the ghost plan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "sparse/obs_impl.h"

bn_status_t bn_obs_read(bn_ctx_t *ctx, bn_h5_t *f, const char *group,
                        bn_idx_t nrows, bn_idx_t ncols, bn_dist_t *rdist,
                        bn_obs_dup_t dup, bn_obs_t **out) {
  static const char *parts[3] = {"row", "col", "val"};
  char name[3][256], what[600];
  bn_idx_t len[3];
  for (int k = 0; k < 3; k++) {
    int nd;
    bn_idx_t dims[4];
    snprintf(name[k], sizeof(name[k]), "%s/%s", group, parts[k]);
    BN_CALL(ctx, bn_h5_shape(f, name[k], &nd, dims));
    if (nd != 1)
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: dataset %s has %d dimensions, must be 1-D",
                          bn_h5_path(f), name[k], nd);
    len[k] = dims[0];
  }
  if (len[1] != len[0] || len[2] != len[0])
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s/row, col and val differ in length (%lld, %lld, "
                        "%lld)",
                        bn_h5_path(f), group, (long long)len[0],
                        (long long)len[1], (long long)len[2]);
  int P = bn_ctx_size(ctx), p = bn_ctx_rank(ctx);
  bn_idx_t start = bn_uniform_offset(len[0], P, p);
  bn_idx_t count = bn_uniform_offset(len[0], P, p + 1) - start;
  int64_t *row = NULL, *col = NULL;
  double *val = NULL;
  bn_status_t st = bn_malloc(ctx, (size_t)count * sizeof(int64_t), &row);
  if (st == BN_OK) st = bn_malloc(ctx, (size_t)count * sizeof(int64_t), &col);
  if (st == BN_OK) st = bn_malloc(ctx, (size_t)count * sizeof(double), &val);
  st = bn_agree(ctx, st);
  if (st == BN_OK) st = bn_h5_read_i64(f, name[0], start, count, row);
  if (st == BN_OK) st = bn_h5_read_i64(f, name[1], start, count, col);
  if (st == BN_OK) st = bn_h5_read_f64(f, name[2], start, count, val);
  snprintf(what, sizeof(what), "%s: %s", bn_h5_path(f), group);
  if (st == BN_OK)
    st = bn_obs_create(ctx, nrows, ncols, count, row, col, val, rdist, dup,
                       what, out);
  free(row);
  free(col);
  free(val);
  return st;
}

bn_status_t bn_obs_col_dist(bn_obs_t *o, bn_dist_t **cdist) {
  bn_ctx_t *ctx = o->ctx;
  bn_dist_t *uni = NULL;
  bn_plan_t *plan = NULL;
  double *cnt = NULL, *w = NULL;
  BN_CALL(ctx, bn_dist_create_uniform(ctx, o->ncols, &uni));
  bn_status_t st = bn_plan_create(uni, o->nghost, o->ghost, &plan);
  bn_idx_t nloc = bn_dist_local(uni);
  if (st == BN_OK) st = bn_calloc(ctx, (size_t)o->nghost, sizeof(double), &cnt);
  if (st == BN_OK) st = bn_malloc(ctx, (size_t)nloc * sizeof(double), &w);
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    for (bn_idx_t k = 0; k < o->nnz; k++) cnt[o->gcol[k]] += 1.0;
    for (bn_idx_t j = 0; j < nloc; j++) w[j] = 0.25;
    st = bn_plan_scatter_add(plan, cnt, 1, w);
  }
  if (st == BN_OK) st = bn_dist_create_weighted(ctx, o->ncols, w, cdist);
  free(cnt);
  free(w);
  bn_plan_destroy(plan);
  bn_dist_destroy(uni);
  return st;
}

bn_status_t bn_obs_plan(bn_obs_t *o, bn_dist_t *cdist) {
  bn_plan_destroy(o->plan);
  o->plan = NULL;
  return bn_plan_create(cdist, o->nghost, o->ghost, &o->plan);
}
