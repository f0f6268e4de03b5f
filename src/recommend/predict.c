/* Predictions for (user, item) pairs in original ids (benign/
 * recommend.h): the owner of a known user's row computes the pair, rank 0
 * the pairs of unknown users, and one allreduce gives every process all
 * of them. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

#define BN_PREDICT_CHUNK (1 << 20)

bn_status_t bn_model_predict_pairs(bn_model_t *m, const bn_pairs_t *pairs,
                                   const bn_predict_params_t *p, double **yhat,
                                   unsigned char **known,
                                   bn_predict_stats_t *s) {
  bn_ctx_t *ctx = m->ctx;
  MPI_Comm comm = bn_ctx_comm(ctx);
  int64_t n = pairs->n;
  BN_MPI(ctx, MPI_Bcast(&n, 1, MPI_INT64_T, 0, comm));
  int64_t *u = NULL, *it = NULL;
  size_t c = n < BN_PREDICT_CHUNK ? (size_t)n + 1 : BN_PREDICT_CHUNK;
  *yhat = NULL;
  *known = NULL;
  bn_status_t st = bn_mallocn(ctx, c, sizeof(int64_t), &u);
  if (st == BN_OK) st = bn_mallocn(ctx, c, sizeof(int64_t), &it);
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)n + 1, sizeof(double), yhat);
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)n + 1, 1, known);
  st = bn_agree(ctx, st);
  for (int64_t k0 = 0; st == BN_OK && k0 < n; k0 += BN_PREDICT_CHUNK) {
    int cnt = (int)(n - k0 < BN_PREDICT_CHUNK ? n - k0 : BN_PREDICT_CHUNK);
    if (bn_ctx_rank(ctx) == 0) {
      memcpy(u, pairs->user + k0, (size_t)cnt * sizeof(int64_t));
      memcpy(it, pairs->item + k0, (size_t)cnt * sizeof(int64_t));
    }
    BN_MPI(ctx, MPI_Bcast(u, cnt, MPI_INT64_T, 0, comm));
    BN_MPI(ctx, MPI_Bcast(it, cnt, MPI_INT64_T, 0, comm));
    st = bn_model_predict(m, cnt, u, it, p, *yhat + k0, *known + k0);
  }
  free(u);
  free(it);
  BN_CALL(ctx, st);
  /* the error against the pairs' values (rank 0 holds them) */
  double v[3] = {0.0, 0.0, 0.0}; /* known, squared errors, scored */
  for (int64_t k = 0; k < n; k++) {
    v[0] += (*known)[k];
    if (!(*known)[k] || !pairs->val || !isfinite(pairs->val[k]) ||
        isnan((*yhat)[k]))
      continue;
    const double e = (*yhat)[k] - pairs->val[k];
    v[1] += e * e;
    v[2] += 1;
  }
  BN_MPI(ctx, MPI_Bcast(v, 3, MPI_DOUBLE, 0, comm));
  s->n = n;
  s->known = (int64_t)v[0];
  s->scored = (int64_t)v[2];
  s->rmse = v[2] > 0 ? sqrt(v[1] / v[2]) : NAN;
  return BN_OK;
}
