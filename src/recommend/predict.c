/* Predictions for (user, item) pairs in original ids (benign/
 * recommend.h): the owner of a known user's row computes the pair, rank 0
 * the pairs of unknown users, and one allreduce gives every process all
 * of them. */
#include <limits.h>
#include <math.h>

#include "recommend/model_state.h"

/* A pair with an unknown id (i or j < 0; l: i's local row). */
static double bn_model_cold(const bn_model_t *m, bn_idx_t i, bn_idx_t l,
                            bn_idx_t j, bn_cold_start_t cold) {
  if (cold != BN_COLD_MEAN) return NAN;
  if (!m->brow) return m->vmean;
  if (i >= 0) return m->mu + m->brow[l]; /* an unknown item */
  if (j >= 0) return m->mu + m->bcol[j]; /* an unknown user */
  return m->mu;
}

bn_status_t bn_model_predict(bn_model_t *m, bn_idx_t n, const int64_t *user,
                             const int64_t *item, const bn_predict_params_t *p,
                             double *out, unsigned char *known) {
  bn_ctx_t *ctx = m->ctx;
  if (n > INT_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "bn_model_predict: at most 2^31 - 1 pairs a call");
  const bn_idx_t first = bn_dist_first(m->dist);
  const bn_idx_t last = first + bn_dist_local(m->dist);
  const bool root = bn_ctx_rank(ctx) == 0;
  for (bn_idx_t k = 0; k < n; k++) {
    bn_idx_t i = bn_model_row_index(m, user[k]);
    bn_idx_t j = bn_model_col_index(m, item[k]);
    known[k] = i >= 0 && j >= 0;
    bool mine = i >= 0 ? i >= first && i < last : root;
    out[k] = !mine      ? 0.0
             : known[k] ? bn_model_score(m, i - first, j)
                        : bn_model_cold(m, i, i - first, j, p->cold);
  }
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, out, (int)n, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  if (p->clip && isfinite(m->vmin) && isfinite(m->vmax))
    for (bn_idx_t k = 0; k < n; k++)
      if (!isnan(out[k])) out[k] = fmin(fmax(out[k], m->vmin), m->vmax);
  return BN_OK;
}
