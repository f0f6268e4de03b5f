/* Robust PCA: residual, objective, gradient and metrics. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/rpca_state.h"

/* Dense mode: all of V on every rank (the products U V^T need it). */
bn_status_t bn_rpca_allgather_v(bn_rpca_t *c, const double *v) {
  bn_ctx_t *ctx = c->ctx;
  const int P = bn_ctx_size(ctx);
  int *cnt = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_mul(2, (size_t)P),
                                        sizeof(int), &cnt)));
  for (int q = 0; q < P; q++) {
    cnt[q] =
        (int)((bn_dist_offset(c->cdist, q + 1) - bn_dist_offset(c->cdist, q)) *
              c->r);
    cnt[P + q] = (int)(bn_dist_offset(c->cdist, q) * c->r);
  }
  int rc = MPI_Allgatherv(v, (int)(c->nv * c->r), MPI_DOUBLE, c->vall, cnt,
                          cnt + P, MPI_DOUBLE, bn_ctx_comm(ctx));
  free(cnt);
  if (rc != MPI_SUCCESS)
    return BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allgatherv failed (rows of V)");
  return BN_OK;
}

/* Dense mode: gvall (n2 x r, this rank's part of the sum) summed over the
 * ranks and scattered to V's owners. */
bn_status_t bn_rpca_reduce_v(bn_rpca_t *c, double *gv) {
  bn_ctx_t *ctx = c->ctx;
  const int P = bn_ctx_size(ctx);
  int *cnt = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, (size_t)P, sizeof(int), &cnt)));
  for (int q = 0; q < P; q++)
    cnt[q] =
        (int)((bn_dist_offset(c->cdist, q + 1) - bn_dist_offset(c->cdist, q)) *
              c->r);
  int rc = MPI_Reduce_scatter(c->gvall, gv, cnt, MPI_DOUBLE, MPI_SUM,
                              bn_ctx_comm(ctx));
  free(cnt);
  if (rc != MPI_SUCCESS)
    return BN_ERROR(ctx, BN_ERR_MPI, "MPI_Reduce_scatter failed (V gradient)");
  return BN_OK;
}

bn_status_t bn_rpca_thresholds(bn_rpca_t *c, double frac) {
  return c->dense ? bn_rpca_thresholds_dense(c, frac)
                  : bn_rpca_thresholds_sparse(c, frac);
}

bn_status_t bn_rpca_residual(bn_rpca_t *c, const double *x, double frac) {
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r;
  if (c->dense) {
    if (x) {
      bn_timer_start(ctx, c->t_gather);
      BN_CALL(ctx, bn_rpca_allgather_v(c, x + c->nu * r));
      bn_timer_stop(ctx, c->t_gather);
    }
    return bn_rpca_residual_dense(c, x, frac);
  } else {
    const bn_obs_t *o = c->obs;
    if (x) {
      bn_timer_start(ctx, c->t_gather);
      BN_CALL(ctx, bn_plan_gather(o->plan, x + c->nu * r, r, c->vall));
      bn_timer_stop(ctx, c->t_gather);
    }
    bn_timer_start(ctx, c->t_product);
    for (bn_idx_t i = 0; i < c->nu; i++)
      for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
        double s = o->val[e];
        if (x) {
          const double *ui = x + i * r, *vj = c->vall + (size_t)o->gcol[e] * r;
          for (int k = 0; k < r; k++) s -= ui[k] * vj[k];
        }
        c->res[e] = s;
      }
    bn_timer_stop(ctx, c->t_product);
  }
  return c->frozen ? BN_OK : bn_rpca_thresholds(c, frac);
}

/* Observed mode: the residual Z = U V^T + S - M = -(M - U V^T) off the
 * support of S and 0 on it, written over res; returns |Z|^2 (local). */
static double bn_rpca_mask(bn_rpca_t *c) {
  double sumsq = 0.0;
  const bn_obs_t *o = c->obs;
  for (bn_idx_t i = 0; i < c->nu; i++)
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      double v = c->res[e];
      bool kept =
          c->frozen ? c->keep[e] : bn_rpca_kept(c, i, o->ghost[o->gcol[e]], v);
      double z = kept ? 0.0 : -v;
      c->res[e] = z;
      sumsq += z * z;
    }
  return sumsq;
}

/* gU = s Z V, gV = s Z^T U (s = 1/p), from the masked residual (dense:
 * bn_rpca_fit_dense made gU and this rank's part of gV; sum the parts). */
static bn_status_t bn_rpca_data_grad(bn_rpca_t *c, const double *u, double *gu,
                                     double *gv) {
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r;
  const double s = 1.0 / c->p;
  if (c->dense) {
    bn_timer_start(ctx, c->t_reduce);
    bn_status_t st = bn_rpca_reduce_v(c, gv);
    bn_timer_stop(ctx, c->t_reduce);
    return st;
  }
  const bn_obs_t *o = c->obs;
  memset(c->gvall, 0, (size_t)(o->nghost * r) * sizeof(double));
  for (bn_idx_t i = 0; i < c->nu; i++) {
    const double *ui = u + i * r;
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      double z = s * c->res[e];
      if (z == 0.0) continue;
      const double *vj = c->vall + (size_t)o->gcol[e] * r;
      double *gj = c->gvall + (size_t)o->gcol[e] * r;
      for (int k = 0; k < r; k++) {
        gu[i * r + k] += z * vj[k];
        gj[k] += z * ui[k];
      }
    }
  }
  memset(gv, 0, (size_t)(c->nv * r) * sizeof(double));
  return bn_plan_scatter_add(o->plan, c->gvall, r, gv);
}

static bn_status_t bn_rpca_eval_at(bn_rpca_t *c, const double *x, double *f,
                                   double *g) {
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, rr = r * r;
  const double *u = x, *v = x + c->nu * r;
  BN_CALL(ctx, bn_rpca_residual(c, x, c->gamma * c->alpha));
  /* red = [|Z|^2, U^T U, V^T V]: one allreduce. */
  double *red = c->red, *guu = red + 1, *gvv = guu + rr;
  memset(red, 0, (1 + 2 * (size_t)rr) * sizeof(double));
  if (g) memset(g, 0, (size_t)(c->nu + c->nv) * r * sizeof(double));
  bn_timer_start(ctx, c->t_product);
  red[0] = c->dense ? bn_rpca_fit_dense(c, u, g) : bn_rpca_mask(c);
  bn_gram_local(r, c->nu, u, u, guu);
  bn_gram_local(r, c->nv, v, v, gvv);
  bn_timer_stop(ctx, c->t_product);
  if (c->stream) BN_CALL(ctx, bn_rpca_fit_finish(c, u, g, &red[0]));
  if (g) BN_CALL(ctx, bn_rpca_data_grad(c, u, g, g + c->nu * r));
  bn_timer_start(ctx, c->t_reduce);
  BN_CALL(ctx, bn_allreduce_sum(ctx, red, 1 + 2 * (size_t)rr));
  bn_timer_stop(ctx, c->t_reduce);
  double bal = bn_lr_balance(r, guu, gvv); /* guu becomes D */
  *f = red[0] / (2 * c->p) + bal;
  if (g) bn_lr_balance_grad(r, c->nu, u, c->nv, v, guu, g, g + c->nu * r);
  return BN_OK;
}

bn_status_t bn_rpca_eval(void *data, const double *x, double *f, double *g) {
  bn_rpca_t *c = data;
  /* A non-finite factor (a trial step that overflowed) has no sparse
   * estimate -- the threshold search cannot order a NaN: f = NaN, which
   * the line search rejects, and no pass over M. */
  const size_t len = (size_t)(c->nu + c->nv) * (size_t)c->r;
  int bad = 0;
  for (size_t e = 0; e < len && !bad; e++) bad = !isfinite(x[e]);
  BN_MPI(c->ctx, MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX,
                               bn_ctx_comm(c->ctx)));
  if (bad) {
    *f = NAN;
    for (size_t e = 0; g && e < len; e++) g[e] = NAN;
    return BN_OK;
  }
  c->stream = c->dense && !c->frozen;
  bn_status_t st = bn_rpca_eval_at(c, x, f, g);
  c->stream = false;
  return st;
}

bn_status_t bn_rpca_metrics(void *data, const double *x, double *rel,
                            double *rmse) {
  bn_rpca_t *c = data;
  *rel = NAN;
  *rmse = NAN;
  if (c->truth)
    BN_CALL(c->ctx, bn_lr_truth_error(c->ctx, c->truth, c->r, c->nu, x, c->nv,
                                      x + c->nu * c->r, rel));
  return BN_OK;
}
