/* Dictionary learning on the sphere (methods sphere and overcomplete):
 *
 *   f(q) = (1/p) sum_j h(q^T ybar_j),   q in S^(m-1) (within the
 *          orthogonal complement S of the atoms kept, under deflation),
 *
 * h one of huber (h = z^2/(2 mu) for |z| < mu, |z| - mu/2 beyond), l1
 * (|z|) or l4 (-z^4/4). With e = grad_E f = (1/p) Ybar h'(Ybar^T q) and
 * P the projection onto the tangent space at q within S,
 * P v = P_S v - (q^T v) q:
 *   grad f(q)    = P e,
 *   Hess f(q)[v] = P ((1/p) Ybar diag(h''(z)) Ybar^T v) - (q^T e) v,
 * the Riemannian gradient and Hessian of the sphere (of S) with the
 * retraction q -> P_S q / |P_S q|. q^T e = (1/p) sum_j h'(z_j) z_j comes
 * with the same allreduce as e and f (m + 2 numbers).
 *
 * The iterate is rank 0's (the others hold none): an evaluation
 * broadcasts q with a flag saying whether it is the point of the cached
 * evaluation (the sweeps and the Hessian-vector products of one point
 * then reuse z = Ybar^T q), applies each process's samples and reduces. */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "problems/dict/dict.h"

static void bn_dict_loss_at(const bn_dict_t *d, double z, double *h,
                            double *h1) {
  if (d->loss == BN_DICT_L4) {
    *h = -0.25 * z * z * z * z;
    *h1 = -z * z * z;
  } else if (d->loss == BN_DICT_L1) {
    *h = fabs(z);
    *h1 = z > 0 ? 1.0 : z < 0 ? -1.0 : 0.0;
  } else if (fabs(z) < d->mu) {
    *h = 0.5 * z * z / d->mu;
    *h1 = z / d->mu;
  } else {
    *h = fabs(z) - 0.5 * d->mu;
    *h1 = z > 0 ? 1.0 : -1.0;
  }
}

static double bn_dict_loss_h2(const bn_dict_t *d, double z) {
  if (d->loss == BN_DICT_L4) return -3.0 * z * z;
  if (d->loss == BN_DICT_L1) return 0.0;
  return fabs(z) < d->mu ? 1.0 / d->mu : 0.0;
}

static double bn_dict_dot(const double *a, const double *b, bn_idx_t n) {
  double s = 0.0;
  for (bn_idx_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* Collective: make the cache hold the evaluation at rank 0's x. */
static bn_status_t bn_dict_sph_at(bn_dict_t *d, const double *x) {
  bn_ctx_t *ctx = d->ctx;
  const int m = (int)d->m, pl = (int)d->pl;
  double *b = d->bq;
  if (bn_ctx_rank(ctx) == 0) {
    b[0] = d->cvalid && !memcmp(x, d->qc, (size_t)m * sizeof(double));
    memcpy(b + 1, x, (size_t)m * sizeof(double));
  }
  BN_MPI(ctx, MPI_Bcast(b, m + 1, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
  if (b[0] != 0.0) return BN_OK;
  memcpy(d->qc, b + 1, (size_t)m * sizeof(double));
  bn_timer_start(ctx, d->t_eval);
  double fs = 0.0, zg = 0.0;
  memset(d->red, 0, ((size_t)m + 2) * sizeof(double));
  if (pl > 0) {
    cblas_dgemv(CblasRowMajor, CblasNoTrans, pl, m, 1.0, d->y, m, d->qc, 1, 0.0,
                d->z, 1);
    for (int j = 0; j < pl; j++) {
      double h, h1;
      bn_dict_loss_at(d, d->z[j], &h, &h1);
      d->u[j] = h1;
      fs += h;
      zg += h1 * d->z[j];
    }
    cblas_dgemv(CblasRowMajor, CblasTrans, pl, m, 1.0, d->y, m, d->u, 1, 0.0,
                d->red, 1);
  }
  d->red[m] = fs;
  d->red[m + 1] = zg;
  bn_timer_stop(ctx, d->t_eval);
  bn_timer_start(ctx, d->t_reduce);
  bn_status_t st = bn_allreduce_sum(ctx, d->red, (size_t)m + 2);
  bn_timer_stop(ctx, d->t_reduce);
  BN_CALL(ctx, st);
  const double ip = 1.0 / (double)d->p;
  for (int i = 0; i < m; i++) d->gc[i] = ip * d->red[i];
  d->cf = ip * d->red[m];
  d->czg = ip * d->red[m + 1];
  d->cvalid = true;
  return BN_OK;
}

/* v <- P_S v - (x^T v / x^T x) x (rank 0). */
static void bn_dict_tangent(const bn_dict_t *d, const double *x, double *v) {
  bn_dict_deflate(d, v);
  double xx = bn_dict_dot(x, x, d->m), a = bn_dict_dot(x, v, d->m);
  if (xx > 0)
    for (bn_idx_t i = 0; i < d->m; i++) v[i] -= a / xx * x[i];
}

bn_status_t bn_dict_sphere_eval(void *data, const double *x, double *f,
                                double *g) {
  bn_dict_t *d = data;
  BN_CALL(d->ctx, bn_dict_sph_at(d, x));
  *f = d->cf;
  if (g && bn_ctx_rank(d->ctx) == 0) {
    memcpy(g, d->gc, (size_t)d->m * sizeof(double));
    bn_dict_tangent(d, x, g);
  }
  return BN_OK;
}

bn_status_t bn_dict_sphere_hvp(void *data, const double *x, const double *v,
                               double *hv) {
  bn_dict_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  const int m = (int)d->m, pl = (int)d->pl;
  BN_CALL(ctx, bn_dict_sph_at(d, x));
  /* The input is projected too (H = P Hess P on all of R^m; see
   * dict_l4.c). */
  double *b = d->bq + m + 1;
  if (bn_ctx_rank(ctx) == 0) {
    memcpy(b, v, (size_t)m * sizeof(double));
    bn_dict_tangent(d, x, b);
  }
  BN_MPI(ctx, MPI_Bcast(b, m, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
  bn_timer_start(ctx, d->t_hvp);
  memset(d->red, 0, (size_t)m * sizeof(double));
  if (pl > 0) {
    cblas_dgemv(CblasRowMajor, CblasNoTrans, pl, m, 1.0, d->y, m, b, 1, 0.0,
                d->u, 1);
    for (int j = 0; j < pl; j++) d->u[j] *= bn_dict_loss_h2(d, d->z[j]);
    cblas_dgemv(CblasRowMajor, CblasTrans, pl, m, 1.0, d->y, m, d->u, 1, 0.0,
                d->red, 1);
  }
  bn_timer_stop(ctx, d->t_hvp);
  BN_CALL(ctx, bn_allreduce_sum(ctx, d->red, (size_t)m));
  if (bn_ctx_rank(ctx) != 0) return BN_OK;
  const double ip = 1.0 / (double)d->p;
  for (int i = 0; i < m; i++) hv[i] = ip * d->red[i];
  bn_dict_tangent(d, x, hv);
  const double xx = bn_dict_dot(x, x, m), xe = bn_dict_dot(x, d->gc, m) / xx;
  for (int i = 0; i < m; i++) hv[i] -= xe * b[i];
  return BN_OK;
}

bn_status_t bn_dict_sphere_retract(void *data, double *x) {
  bn_dict_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  double s = 0.0;
  if (bn_ctx_rank(ctx) == 0) {
    bn_dict_deflate(d, x);
    s = bn_dict_dot(x, x, d->m);
  }
  BN_CALL(ctx, bn_allreduce_sum(ctx, &s, 1));
  if (!(s > 0) || !isfinite(s))
    return BN_ERROR_ALL(ctx, BN_ERR_NUM,
                        "the iterate q is zero or not finite (within the "
                        "complement of the atoms found): it cannot be "
                        "normalized onto the sphere");
  if (bn_ctx_rank(ctx) == 0)
    for (bn_idx_t i = 0; i < d->m; i++) x[i] /= sqrt(s);
  return BN_OK;
}

bn_status_t bn_dict_sphere_project(void *data, const double *x, double *v) {
  bn_dict_t *d = data;
  if (bn_ctx_rank(d->ctx) == 0) bn_dict_tangent(d, x, v);
  return BN_OK;
}

/* l1: q <- R(q - eta_k g / |g|), g the Riemannian subgradient and
 * eta_k = step decay^k (the normalized subgradient method with
 * geometrically diminishing steps: step k moves q by about eta_k radians). l4:
 * q <- R(-e) = Ybar (Ybar^T q)^3 / |.|, the sphere's fixed point of l4
 * maximisation (each step raises |q^T Ybar|_4^4: a convex function grows
 * along its linearisation's maximiser). */
bn_status_t bn_dict_sphere_sweep(void *data, double *x) {
  bn_dict_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  if (d->sweep == BN_DICT_SWEEP_NONE)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "the %s loss has no sweep: use --solver=gd or agd",
                        bn_dict_loss_names[d->loss]);
  BN_CALL(ctx, bn_dict_sph_at(d, x));
  if (bn_ctx_rank(ctx) == 0) {
    const bn_idx_t m = d->m;
    if (d->sweep == BN_DICT_SWEEP_SUBGRAD) {
      double *g = d->bq + m + 1;
      const double eta = d->step0 * pow(d->decay, (double)d->sweeps);
      memcpy(g, d->gc, (size_t)m * sizeof(double));
      bn_dict_tangent(d, x, g);
      double g2 = 0.0;
      for (bn_idx_t i = 0; i < m; i++) g2 += g[i] * g[i];
      if (g2 > 0)
        for (bn_idx_t i = 0; i < m; i++) x[i] -= eta / sqrt(g2) * g[i];
    } else {
      for (bn_idx_t i = 0; i < m; i++) x[i] = -d->gc[i];
    }
  }
  d->sweeps++;
  return bn_dict_sphere_retract(d, x);
}

bn_status_t bn_dict_sphere_metrics(void *data, const double *x, double *rel,
                                   double *rmse) {
  bn_dict_t *d = data;
  *rmse = NAN;
  *rel = NAN;
  if (!d->nt) return BN_OK;
  if (bn_ctx_rank(d->ctx) == 0) *rel = bn_dict_truth_dist(d, x);
  BN_MPI(d->ctx, MPI_Bcast(rel, 1, MPI_DOUBLE, 0, bn_ctx_comm(d->ctx)));
  return BN_OK;
}
