/* Matrix completion: the penalties' weights (ridge, incoherence radius),
 * and the biases' mean, start, save and load (--bias). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/complete_state.h"

/* Damping of the biases' start: b_i = sum (m_ij - mu) / (n_i + DAMP), so
 * that a row with few entries starts near 0 rather than at its mean. */
#define BN_BIAS_DAMP 5.0

/* Collective: cnt[j] = entries of each owned column (from the ghosts). */
static bn_status_t bn_col_counts(bn_complete_t *c, double *cnt) {
  const bn_obs_t *o = c->obs;
  double *gc = c->gvg; /* scratch, nghost doubles */
  memset(gc, 0, (size_t)o->nghost * sizeof(double));
  for (bn_idx_t e = 0; e < o->nnz; e++) gc[o->gcol[e]] += 1.0;
  memset(cnt, 0, (size_t)c->nv * sizeof(double));
  return bn_plan_scatter_add(o->plan, gc, 1, cnt);
}

bn_status_t bn_complete_weights(bn_complete_t *c) {
  bn_ctx_t *ctx = c->ctx;
  const bn_obs_t *o = c->obs;
  bool radius = c->mu > 0 && c->alpha == 0;
  if (radius || c->mixed) { /* |P_Omega(M)|^2 */
    double s = 0.0;
    for (bn_idx_t e = 0; e < o->nnz; e++) s += o->val[e] * o->val[e];
    BN_CALL(ctx, bn_allreduce_sum(ctx, &s, 1));
    c->summ2 = s;
  }
  if (radius) {
    /* alpha = 3 sqrt(sqrt(r) |M|_F / n): three times the row norm of
     * balanced factors of a matrix with |M|_* <= sqrt(r) |M|_F. Set here,
     * from the data, so that a restart gets the same objective. */
    double nmin = (double)(c->n1 < c->n2 ? c->n1 : c->n2);
    c->alpha = 3 * sqrt(sqrt((double)c->r) * sqrt(c->summ2 / c->p) / nmin);
  }
  if (c->bias) {
    double s = 0.0;
    for (bn_idx_t e = 0; e < o->nnz; e++) s += o->val[e];
    BN_CALL(ctx, bn_allreduce_sum(ctx, &s, 1));
    c->mean = s / (double)o->nnz_global;
  }
  if (!c->count) return BN_OK;
  size_t n = (size_t)(c->nu + c->nv);
  BN_CALL(ctx,
          bn_agree(ctx, bn_mallocn(ctx, n ? n : 1, sizeof(double), &c->regu)));
  c->regv = c->regu + c->nu;
  BN_CALL(ctx, bn_col_counts(c, c->regv));
  for (bn_idx_t j = 0; j < c->nv; j++) c->regv[j] *= c->lambda / c->p;
  for (bn_idx_t i = 0; i < c->nu; i++)
    c->regu[i] = c->lambda * (double)(o->rowptr[i + 1] - o->rowptr[i]) / c->p;
  return BN_OK;
}

bn_status_t bn_complete_bias_init(bn_complete_t *c, double *x, double *rms) {
  bn_ctx_t *ctx = c->ctx;
  const bn_obs_t *o = c->obs;
  bn_complete_parts_t p = bn_complete_split(c, x);
  double sum = 0.0;
  if (!c->bias) {
    for (bn_idx_t e = 0; e < o->nnz; e++) sum += o->val[e] * o->val[e];
    BN_CALL(ctx, bn_allreduce_sum(ctx, &sum, 1));
    *rms = sqrt(sum / (double)o->nnz_global);
    return BN_OK;
  }
  /* Rows: their own entries. */
  for (bn_idx_t i = 0; i < c->nu; i++) {
    double s = 0.0;
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++)
      s += o->val[e] - c->mean;
    p.b[i] = s / ((double)(o->rowptr[i + 1] - o->rowptr[i]) + BN_BIAS_DAMP);
  }
  /* Columns: sums and counts over the ghosts, added at the owners. */
  double *gs = c->gvg, *own = c->stage ? c->stage : NULL; /* w >= 2 */
  memset(gs, 0, 2 * (size_t)o->nghost * sizeof(double));
  for (bn_idx_t i = 0; i < c->nu; i++)
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      gs[2 * (size_t)o->gcol[e]] += o->val[e] - c->mean - p.b[i];
      gs[2 * (size_t)o->gcol[e] + 1] += 1.0;
    }
  memset(own, 0, 2 * (size_t)c->nv * sizeof(double));
  BN_CALL(ctx, bn_plan_scatter_add(o->plan, gs, 2, own));
  for (bn_idx_t j = 0; j < c->nv; j++)
    p.c[j] = own[2 * j] / (own[2 * j + 1] + BN_BIAS_DAMP);
  /* The scale of what the factors are left to fit. */
  double *cg = c->vg; /* ghost c, nghost doubles */
  BN_CALL(ctx, bn_plan_gather(o->plan, p.c, 1, cg));
  for (bn_idx_t i = 0; i < c->nu; i++)
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      double t = o->val[e] - c->mean - p.b[i] - cg[o->gcol[e]];
      sum += t * t;
    }
  BN_CALL(ctx, bn_allreduce_sum(ctx, &sum, 1));
  *rms = sqrt(sum / (double)o->nnz_global);
  return BN_OK;
}

bn_status_t bn_complete_bias_save(bn_complete_t *c, const double *x, bn_h5_t *f,
                                  const char *prefix) {
  bn_complete_parts_t p = bn_complete_split(c, x);
  char name[300];
  snprintf(name, sizeof(name), "%sbias/row", prefix);
  BN_CALL(c->ctx,
          bn_h5_write_f64(f, name, c->n1, bn_dist_first(c->rdist), c->nu, p.b));
  snprintf(name, sizeof(name), "%sbias/col", prefix);
  BN_CALL(c->ctx,
          bn_h5_write_f64(f, name, c->n2, bn_dist_first(c->cdist), c->nv, p.c));
  snprintf(name, sizeof(name), "%sbias", prefix);
  return bn_h5_attr_set_f64(f, name, "mean", c->mean);
}

/* One bias vector: a 1-D dataset of n finite values. */
static bn_status_t bn_bias_read(bn_complete_t *c, bn_h5_t *f, const char *name,
                                bn_idx_t n, bn_dist_t *dist, double *out) {
  bn_ctx_t *ctx = c->ctx;
  int exists, nd;
  bn_idx_t dims[4];
  BN_CALL(ctx, bn_h5_exists(f, name, &exists));
  if (!exists)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: no %s: --bias=true needs the biases (a result "
                        "written with --bias=true)",
                        bn_h5_path(f), name);
  BN_CALL(ctx, bn_h5_shape(f, name, &nd, dims));
  if (nd != 1 || dims[0] != n)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s has shape %s%lld%s, expected {%lld} (one bias "
                        "per %s)",
                        bn_h5_path(f), name, nd == 1 ? "{" : "a ",
                        (long long)dims[0], nd == 1 ? "}" : "-D array",
                        (long long)n, n == c->n1 ? "row" : "column");
  bn_idx_t nl = bn_dist_local(dist);
  BN_CALL(ctx, bn_h5_read_f64(f, name, bn_dist_first(dist), nl, out));
  bn_status_t st = BN_OK;
  for (bn_idx_t k = 0; k < nl && st == BN_OK; k++)
    if (!isfinite(out[k]))
      st = BN_ERROR(ctx, BN_ERR_DATA, "%s: %s holds a NaN or infinite value",
                    bn_h5_path(f), name);
  return bn_agree(ctx, st);
}

bn_status_t bn_complete_bias_load(bn_complete_t *c, bn_h5_t *f,
                                  const char *prefix, double *x) {
  bn_complete_parts_t p = bn_complete_split(c, x);
  char name[300];
  snprintf(name, sizeof(name), "%sbias/row", prefix);
  BN_CALL(c->ctx, bn_bias_read(c, f, name, c->n1, c->rdist, p.b));
  snprintf(name, sizeof(name), "%sbias/col", prefix);
  return bn_bias_read(c, f, name, c->n2, c->cdist, p.c);
}
