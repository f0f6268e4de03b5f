/* Matrix completion: what a recommender needs from the input beside the
 * factors -- the id maps (/map/row_ids, /map/col_ids, from a CSV import),
 * so predictions and recommendations can be given in the original user
 * and item ids (each process keeps the ids of its rows and of its
 * columns, 8 bytes each), and the training values' mean and range
 * (root attributes value_mean, value_min, value_max: the fallback of a
 * cold start and the clipping of `benign predict`). */
#include <math.h>
#include <stdlib.h>

#include "problems/lowrank/complete_state.h"

/* Read one map's block for dist (NULL *out when the input has none). */
static bn_status_t bn_map_read(bn_complete_t *c, bn_h5_t *f, const char *name,
                               bn_idx_t n, const bn_dist_t *dist,
                               int64_t **out) {
  bn_ctx_t *ctx = c->ctx;
  int has = 0, nd = 0;
  bn_idx_t dims[4] = {0};
  *out = NULL;
  BN_CALL(ctx, bn_h5_exists(f, name, &has));
  if (!has) return BN_OK;
  BN_CALL(ctx, bn_h5_shape(f, name, &nd, dims));
  if (nd != 1 || dims[0] != n)
    return BN_ERROR_ALL(
        ctx, BN_ERR_DATA, "%s: %s must hold one id for each of the %lld %s",
        c->input, name, (long long)n, dist == c->rdist ? "rows" : "columns");
  bn_idx_t local = bn_dist_local(dist);
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, (size_t)local + 1, sizeof(int64_t),
                                        out)));
  return bn_h5_read_i64(f, name, bn_dist_first(dist), local, *out);
}

bn_status_t bn_complete_map_read(bn_complete_t *c, bn_h5_t *f) {
  BN_CALL(c->ctx,
          bn_map_read(c, f, "/map/row_ids", c->n1, c->rdist, &c->row_ids));
  return bn_map_read(c, f, "/map/col_ids", c->n2, c->cdist, &c->col_ids);
}

bn_status_t bn_complete_map_save(bn_complete_t *c, bn_h5_t *f) {
  if (c->row_ids)
    BN_CALL(c->ctx,
            bn_h5_write_i64(f, "/map/row_ids", c->n1, bn_dist_first(c->rdist),
                            bn_dist_local(c->rdist), c->row_ids));
  if (c->col_ids)
    BN_CALL(c->ctx,
            bn_h5_write_i64(f, "/map/col_ids", c->n2, bn_dist_first(c->cdist),
                            bn_dist_local(c->cdist), c->col_ids));
  return BN_OK;
}

bn_status_t bn_complete_values_save(bn_complete_t *c, bn_h5_t *f) {
  const bn_obs_t *o = c->obs;
  double v[3] = {0.0, -INFINITY, -INFINITY}; /* sum, -min, max */
  for (bn_idx_t e = 0; e < o->nnz; e++) {
    v[0] += o->val[e];
    v[1] = fmax(v[1], -o->val[e]);
    v[2] = fmax(v[2], o->val[e]);
  }
  BN_MPI(c->ctx, MPI_Allreduce(MPI_IN_PLACE, v, 1, MPI_DOUBLE, MPI_SUM,
                               bn_ctx_comm(c->ctx)));
  BN_MPI(c->ctx, MPI_Allreduce(MPI_IN_PLACE, v + 1, 2, MPI_DOUBLE, MPI_MAX,
                               bn_ctx_comm(c->ctx)));
  if (o->nnz_global == 0) return BN_OK;
  BN_CALL(c->ctx, bn_h5_attr_set_f64(f, "/", "value_mean",
                                     v[0] / (double)o->nnz_global));
  BN_CALL(c->ctx, bn_h5_attr_set_f64(f, "/", "value_min", -v[1]));
  return bn_h5_attr_set_f64(f, "/", "value_max", v[2]);
}

void bn_complete_map_free(bn_complete_t *c) {
  free(c->row_ids);
  free(c->col_ids);
}
