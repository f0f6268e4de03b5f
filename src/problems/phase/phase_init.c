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
 * found by power iterations (--power-iters, default 50): each is one pass
 * of the model over the rank's rows, Y v = 1/m A^H (c .* (A v)), and one
 * allreduce of K n doubles, from a random vector keyed by the seed. The
 * vector is replicated, so every rank iterates identically (a local
 * model, cdp, keeps only the rank's share and sums its norm instead).
 * random: z0 with i.i.d. Gaussian entries keyed by (seed, global index),
 * scaled to |z0| = lambda (the same point on any number of processes). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/phase/phase.h"

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
  for (bn_idx_t k = 0; k < s->ml; k++) {
    double y = s->y[k], p = s->psi[k];
    switch (s->init) {
      case BN_PHASE_INIT_TRUNCATED:
        c[k] = y <= 9.0 * s->lambda2 ? y : 0.0;
        break;
      case BN_PHASE_INIT_RESHAPED:
        c[k] = p >= lam && p <= 5.0 * lam ? p : 0.0;
        break;
      default:
        c[k] = y;
    }
  }
  if (s->init == BN_PHASE_INIT_WEIGHTED) return bn_phase_weighted(s, c);
  return BN_OK;
}

/* Collective: v = the leading eigenvector of Y, as a pass vector (full
 * and replicated, or the rank's share for a local model). */
static bn_status_t bn_phase_power(bn_phase_t *s, const double *c, uint64_t seed,
                                  double *v, double *eig) {
  bn_ctx_t *ctx = s->ctx;
  const size_t len = s->vlen;
  const uint64_t first =
      s->model->local ? (uint64_t)s->K * (uint64_t)bn_dist_first(s->xdist) : 0;
  bn_rng_fill_normal(seed, BN_PHASE_STREAM_INIT, first, len, v);
  double nrm = bn_phase_vnorm(s, v);
  for (size_t e = 0; e < len; e++) v[e] /= nrm;
  *eig = 0.0;
  for (int it = 0; it < s->power_iters; it++) {
    memset(s->red, 0, (len + 1) * sizeof(double));
    s->model->pass(s, v, NULL, bn_k_weighted, (void *)c, s->red + 1);
    BN_CALL(ctx, bn_phase_finish(s, 0, 1, NULL));
    nrm = bn_phase_vnorm(s, s->red + 1);
    if (!(nrm > 0) || !isfinite(nrm)) break; /* Y v = 0: keep v */
    *eig = nrm / (double)s->m;
    for (size_t e = 0; e < len; e++) v[e] = s->red[1 + e] / nrm;
  }
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
    st = bn_agree(ctx, bn_mallocn(ctx, (size_t)s->ml + 1, sizeof(double), &c));
    if (st == BN_OK) st = bn_phase_weights(s, c);
    if (st == BN_OK) st = bn_phase_power(s, c, (uint64_t)seed, s->vf, &eig);
    if (st == BN_OK) {
      const double lam = sqrt(s->lambda2);
      const double *mine = s->vf + s->voff;
      for (size_t e = 0; e < (size_t)s->K * (size_t)s->nl; e++)
        x[e] = lam * mine[e];
      bn_log(ctx, BN_LOG_INFO,
             "%s init: %d power iterations, top eigenvalue %.6g, |z0| = "
             "%.6g\n",
             bn_phase_init_names[s->init], s->power_iters, eig, lam);
    }
    free(c);
  }
  bn_timer_stop(ctx, t);
  return st;
}
