/* Phase retrieval: initial points.
 *
 * The spectral starts are the leading eigenvector of
 *   Y = 1/m sum_i c_i a_i a_i^H      (a_i^H = row i of A)
 * scaled to the norm estimate lambda = sqrt(mean(y)) (E|a^H x|^2 = |x|^2
 * for both Gaussian ensembles), with weights c_i by --init:
 *   spectral   c_i = y_i                        (WF)
 *   truncated  c_i = y_i 1{y_i <= 9 lambda^2}   (TWF, alpha_y = 3)
 *   reshaped   c_i = psi_i 1{lambda <= psi_i <= 5 lambda}   (RWF)
 *   weighted   c_i = psi_i^(1/2) / |a_i|^2 for the floor(3m/13) largest
 *              psi_i / |a_i|, else 0 (RAF's weighted maximal correlation)
 *   optimal    c_i = ybar T(y_i / ybar), T(t) = (t - 1)/(t + sqrt(m/n) - 1),
 *              ybar = mean(y) (Luo, Alghamdi, Lu 2019, as PhasePack
 *              normalises it; sqrt(m/n) - 1 floored at 0.1 near m = n)
 * found by power iterations (--power-iters, auto: 50): each is one pass
 * of the model over the rank's rows, Y v = 1/m A^H (c .* (A v)), and one
 * allreduce of K n doubles, from a random vector keyed by the seed. The
 * vector is replicated, so every rank iterates identically (a local
 * model, cdp, keeps only the rank's share and sums its norm instead).
 * The optimal weights are negative below the mean, so Y is indefinite and
 * its largest eigenvalue need not be its largest in modulus. With
 * --power-iters=auto its top eigenvector comes from Lanczos (the landscape
 * tools' bn_lambda_min on -Y: full reorthogonalization, 20 basis vectors
 * of the process's share, restarts) to a Ritz residual of 1e-3 |Y|, or
 * 1e-8 |Y| on a dense model below m/n = 4 (there the start decides
 * success); at 512^2, L = 8 that is 16 products against 60 power
 * iterations for a start as good. With --power-iters=N: a first min(10, N)
 * plain iterations estimate the spectral radius r, then N iterations of
 * Y + 0.75 r I (from the same random vector) find the top eigenvector (the
 * shift makes it dominant as long as r is estimated within a factor 1.5).
 * The optimal start is scaled not by lambda
 * but by the least-squares fit s = sum |u_i| psi_i / sum |u_i|^2 of
 * u = A v to the amplitudes (as PhasePack does), one more pass: its
 * eigenvector is less aligned with x, so |A v| underestimates psi.
 * random: z0 with i.i.d. Gaussian entries keyed by (seed, global index),
 * scaled to |z0| = lambda (the same point on any number of processes). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/landscape.h"
#include "problems/phase/phase.h"

/* --power-iters=auto for the optimal start: Lanczos to a Ritz residual of
 * BN_PHASE_LZ_TOL |Y|, or BN_PHASE_LZ_TIGHT on a dense model below m/n =
 * 4, where the start decides success (the measurements: bench/README.md,
 * "Phase retrieval against PhasePack"). */
#define BN_PHASE_LZ_TOL 1e-3
#define BN_PHASE_LZ_TIGHT 1e-8
#define BN_PHASE_LZ_BASIS 20

static void bn_k_weighted(bn_phase_t *s, void *kd, bn_idx_t k0, bn_idx_t nb,
                          const double *u, const double *uv, double *w) {
  (void)uv;
  const double *c = kd;
  const size_t K = (size_t)s->K;
  for (bn_idx_t k = 0; k < nb; k++)
    for (size_t e = 0; e < K; e++)
      w[(size_t)k * K + e] = c[k0 + k] * u[(size_t)k * K + e];
}

/* Collective: the number of the rank's values above t, summed. */
static bn_status_t bn_phase_count_above(bn_phase_t *s, const double *v,
                                        double t, int64_t *count) {
  int64_t n = 0;
  for (bn_idx_t k = 0; k < s->ml; k++) n += v[k] > t;
  BN_MPI(s->ctx, MPI_Allreduce(&n, count, 1, MPI_INT64_T, MPI_SUM,
                               bn_ctx_comm(s->ctx)));
  return BN_OK;
}

/* RAF's weights: the floor(3m/13) largest psi_i/|a_i| by bisection on the
 * threshold (one allreduce of a count per step, no gather of the data). */
static bn_status_t bn_phase_weighted(bn_phase_t *s, double *c) {
  bn_ctx_t *ctx = s->ctx;
  int64_t want = 3 * (int64_t)s->m / 13, cnt;
  if (want < 1) want = 1;
  s->model->row_norms2(s, c);
  double hi = 0.0, lo = 0.0;
  for (bn_idx_t k = 0; k < s->ml; k++) {
    double a2 = c[k];
    c[k] = a2 > 0 ? s->psi[k] / sqrt(a2) : 0.0; /* psi_i / |a_i| */
    if (c[k] > hi) hi = c[k];
  }
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPI_DOUBLE, MPI_MAX,
                            bn_ctx_comm(ctx)));
  for (int it = 0; it < 100 && hi - lo > 1e-15 * hi; it++) {
    double mid = 0.5 * (lo + hi);
    BN_CALL(ctx, bn_phase_count_above(s, c, mid, &cnt));
    if (cnt >= want)
      lo = mid;
    else
      hi = mid;
  }
  for (bn_idx_t k = 0; k < s->ml; k++) {
    double r = c[k]; /* psi/|a|, so 1/|a|^2 = (r/psi)^2 */
    double inv = s->psi[k] > 0 ? (r / s->psi[k]) * (r / s->psi[k]) : 0.0;
    c[k] = r > lo ? sqrt(s->psi[k]) * inv : 0.0;
  }
  return BN_OK;
}

/* Collective: the weights of --init for the rank's measurements. */
static bn_status_t bn_phase_weights(bn_phase_t *s, double *c) {
  const double lam = sqrt(s->lambda2);
  double sd = sqrt((double)s->m / (double)s->n) - 1.0;
  if (sd < 0.1) sd = 0.1;
  for (bn_idx_t k = 0; k < s->ml; k++) {
    double y = s->y[k], p = s->psi[k];
    switch (s->init) {
      case BN_PHASE_INIT_TRUNCATED:
        c[k] = y <= 9.0 * s->lambda2 ? y : 0.0;
        break;
      case BN_PHASE_INIT_RESHAPED:
        c[k] = p >= lam && p <= 5.0 * lam ? p : 0.0;
        break;
      case BN_PHASE_INIT_OPTIMAL:
        c[k] = s->lambda2 > 0
                   ? s->lambda2 * (y / s->lambda2 - 1.0) / (y / s->lambda2 + sd)
                   : 0.0;
        break;
      default:
        c[k] = y;
    }
  }
  if (s->init == BN_PHASE_INIT_WEIGHTED) return bn_phase_weighted(s, c);
  return BN_OK;
}

/* Collective: v = the leading eigenvector of Y + shift I after iters power
 * iterations (*done: the count, fewer if Y v = 0), as a pass vector (full
 * and replicated, or the rank's share for a local model);
 * *eig = |(Y + shift I) v_prev| - shift. */
static bn_status_t bn_phase_power(bn_phase_t *s, const double *c, uint64_t seed,
                                  int iters, double shift, double *v,
                                  double *eig, int *done) {
  bn_ctx_t *ctx = s->ctx;
  const size_t len = s->vlen;
  const uint64_t first =
      s->model->local ? (uint64_t)s->K * (uint64_t)bn_dist_first(s->xdist) : 0;
  bn_rng_fill_normal(seed, BN_PHASE_STREAM_INIT, first, len, v);
  double nrm = bn_phase_vnorm(s, v);
  for (size_t e = 0; e < len; e++) v[e] /= nrm;
  *eig = 0.0;
  *done = 0;
  for (int it = 0; it < iters; it++) {
    memset(s->red, 0, (len + 1) * sizeof(double));
    s->model->pass(s, v, NULL, bn_k_weighted, (void *)c, s->red + 1);
    BN_CALL(ctx, bn_phase_finish(s, 0, 1, NULL));
    if (shift != 0.0) { /* red = m (Y + shift I) v */
      for (size_t e = 0; e < len; e++)
        s->red[1 + e] += shift * (double)s->m * v[e];
    }
    nrm = bn_phase_vnorm(s, s->red + 1);
    if (!(nrm > 0) || !isfinite(nrm)) break; /* Y v = 0: keep v */
    *eig = nrm / (double)s->m - shift;
    *done = it + 1;
    for (size_t e = 0; e < len; e++) v[e] = s->red[1 + e] / nrm;
  }
  return BN_OK;
}

/* Fit: sums |u_i| psi_i and |u_i|^2 into kd[0], kd[1]. */
static void bn_k_fit(bn_phase_t *s, void *kd, bn_idx_t k0, bn_idx_t nb,
                     const double *u, const double *uv, double *w) {
  (void)uv;
  (void)w;
  double *acc = kd;
  const size_t K = (size_t)s->K;
  for (bn_idx_t k = 0; k < nb; k++) {
    double a2 = 0.0;
    for (size_t e = 0; e < K; e++) a2 += u[k * K + e] * u[k * K + e];
    acc[0] += sqrt(a2) * s->psi[k0 + k];
    acc[1] += a2;
  }
}

/* The operator -Y on the iterate's shares, for the Lanczos solver of the
 * landscape tools (its smallest eigenpair is Y's largest). */
typedef struct bn_phase_op {
  bn_phase_t *s;
  const double *c;
} bn_phase_op_t;

static bn_status_t bn_phase_minus_y(void *data, const double *x,
                                    const double *v, double *hv) {
  (void)x;
  bn_phase_op_t *op = data;
  bn_phase_t *s = op->s;
  bn_status_t st;
  const double *z = bn_phase_view(s, v, s->vf, &st);
  BN_CALL(s->ctx, st);
  memset(s->red, 0, (s->vlen + 1) * sizeof(double));
  s->model->pass(s, z, NULL, bn_k_weighted, (void *)op->c, s->red + 1);
  BN_CALL(s->ctx, bn_phase_finish(s, 0, 1, hv));
  for (size_t e = 0; e < (size_t)s->K * (size_t)s->nl; e++)
    hv[e] *= -1.0 / (double)s->m;
  return BN_OK;
}

/* Collective: the top eigenvector of Y by Lanczos (full
 * reorthogonalization, a basis of BN_PHASE_LZ_BASIS vectors, explicit
 * restarts) to a Ritz residual of tol |Y|, into s->vf as a pass vector;
 * *done: the products spent. */
static bn_status_t bn_phase_lanczos(bn_phase_t *s, const double *c,
                                    uint64_t seed, double tol, double *eig,
                                    int *done, int *conv) {
  bn_ctx_t *ctx = s->ctx;
  const size_t nloc = (size_t)s->K * (size_t)s->nl;
  bn_phase_op_t op = {s, c};
  bn_objective_t obj = {0};
  obj.data = &op;
  obj.n = nloc;
  obj.hvp = bn_phase_minus_y;
  bn_cert_params_t p;
  bn_cert_params_default(&p);
  p.max_iter = BN_PHASE_LZ_BASIS;
  p.max_restarts = 20;
  p.tol = tol;
  p.seed = seed;
  bn_cert_t info = {0};
  double *v = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, nloc + 1, sizeof(double), &v)));
  bn_status_t st = bn_lambda_min(ctx, &obj, v, &p, v, &info);
  if (st == BN_OK) {
    const double *z = bn_phase_view(s, v, s->vf, &st);
    if (st == BN_OK && z != s->vf) memcpy(s->vf, z, nloc * sizeof(double));
  }
  free(v);
  *eig = -info.lambda_min;
  *done = (int)info.hvps;
  *conv = info.lanczos_converged;
  return st;
}

/* Collective: the optimal start's eigenvector (in s->vf) and its scale. */
static bn_status_t bn_phase_optimal(bn_phase_t *s, const double *c,
                                    uint64_t seed, double *eig, double *scale,
                                    double *shift, int done[2]) {
  bn_ctx_t *ctx = s->ctx;
  double r = 0.0, acc[2] = {0.0, 0.0};
  *shift = 0.0;
  if (s->power_iters < 0) { /* auto: Lanczos; done[0] = -1 (converged) or
                               -2 (not) says so */
    const int tight = !s->model->local && (double)s->m < 4.0 * (double)s->n;
    int conv = 0;
    BN_CALL(ctx, bn_phase_lanczos(s, c, seed,
                                  tight ? BN_PHASE_LZ_TIGHT : BN_PHASE_LZ_TOL,
                                  eig, &done[1], &conv));
    done[0] = conv ? -1 : -2;
  } else {
    const int its = s->power_iters;
    BN_CALL(ctx, bn_phase_power(s, c, seed, its < 10 ? its : 10, 0.0, s->vf, &r,
                                &done[0]));
    *shift = 0.75 * fabs(r);
    BN_CALL(ctx, bn_phase_power(s, c, seed, its, *shift, s->vf, eig, &done[1]));
  }
  s->model->pass(s, s->vf, NULL, bn_k_fit, acc, NULL);
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, acc, 2, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  *scale = acc[1] > 0 ? acc[0] / acc[1] : sqrt(s->lambda2);
  return BN_OK;
}

static bn_status_t bn_phase_random(bn_phase_t *s, uint64_t seed, double *x) {
  bn_ctx_t *ctx = s->ctx;
  const size_t nloc = (size_t)s->K * (size_t)s->nl;
  uint64_t first = (uint64_t)s->K * (uint64_t)bn_dist_first(s->xdist);
  double sq = 0.0;
  for (size_t e = 0; e < nloc; e++) {
    x[e] = bn_rng_normal(seed, BN_PHASE_STREAM_INIT, first + e, 1);
    sq += x[e] * x[e];
  }
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &sq, 1, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  double scale = sq > 0 ? sqrt(s->lambda2 / sq) : 1.0;
  for (size_t e = 0; e < nloc; e++) x[e] *= scale;
  return BN_OK;
}

bn_status_t bn_phase_init_point(void *data, const bn_opts_t *opts, double *x) {
  bn_phase_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  int64_t seed;
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  int t = bn_timer_id(ctx, "init");
  bn_timer_start(ctx, t);
  s->sweeps = 0;
  bn_status_t st = BN_OK;
  if (s->init == BN_PHASE_INIT_RANDOM) {
    st = bn_phase_random(s, (uint64_t)seed, x);
  } else {
    double *c = NULL, eig = 0.0;
    int done[2] = {0, 0};
    st = bn_agree(ctx, bn_mallocn(ctx, (size_t)s->ml + 1, sizeof(double), &c));
    double lam = sqrt(s->lambda2), shift = 0.0;
    const int opt = s->init == BN_PHASE_INIT_OPTIMAL;
    if (st == BN_OK) st = bn_phase_weights(s, c);
    if (st == BN_OK && opt)
      st = bn_phase_optimal(s, c, (uint64_t)seed, &eig, &lam, &shift, done);
    else if (st == BN_OK)
      st = bn_phase_power(s, c, (uint64_t)seed,
                          s->power_iters > 0 ? s->power_iters : 50, 0.0, s->vf,
                          &eig, &done[1]);
    if (st == BN_OK) {
      const double *mine = s->vf + s->voff;
      for (size_t e = 0; e < (size_t)s->K * (size_t)s->nl; e++)
        x[e] = lam * mine[e];
      if (opt && done[0] < 0)
        bn_log(ctx, BN_LOG_INFO,
               "optimal init: Lanczos, %d products (%s), top eigenvalue "
               "%.6g, |z0| = %.6g (least-squares fit)\n",
               done[1], done[0] == -1 ? "converged" : "not converged", eig,
               lam);
      else if (opt)
        bn_log(ctx, BN_LOG_INFO,
               "optimal init: %d + %d power iterations (shift %.4g), top "
               "eigenvalue %.6g, |z0| = %.6g (least-squares fit)\n",
               done[0], done[1], shift, eig, lam);
      else
        bn_log(ctx, BN_LOG_INFO,
               "%s init: %d power iterations, top eigenvalue %.6g, |z0| = "
               "%.6g\n",
               bn_phase_init_names[s->init], done[1], eig, lam);
    }
    free(c);
  }
  bn_timer_stop(ctx, t);
  return st;
}
