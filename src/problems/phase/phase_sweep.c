/* Phase retrieval: the published update rules, one per method, as the
 * objective's sweep (run by --solver=als, which calls the sweep and then
 * evaluates the method's loss for the monitor and the stopping tests).
 * With u = A z, a_i^H = row i of A, everything summed over the
 * measurements and divided by m:
 *
 *   wf, gd-random  z <- z - mu_tau / lambda^2 * 1/m A^H ((|u|^2 - y) u),
 *                  mu_tau = min(1 - exp(-tau/330), 0.2), tau = 1, 2, ...
 *                  (Candes, Li, Soltanolkotabi 2015; lambda^2 = mean(y)
 *                  is |z0|^2 of their spectral start)
 *   twf            z <- z - 0.2 * 1/m A^H (2 (|u|^2 - y) / |u|^2 u 1_E),
 *                  E: 0.3 <= |u_i|/|z| <= 5 and
 *                  ||u_i|^2 - y_i| <= 5 K_t |u_i|/|z|, K_t = mean
 *                  ||u|^2 - y| (Chen, Candes 2015: the Poisson loss's
 *                  gradient, truncated; |a_i| ~ sqrt(n) taken as such)
 *   raf            z <- z - mu * 1/m A^H (w .* (u - psi u/|u|)),
 *                  w_i = |u_i| / (|u_i| + beta psi_i), beta = 10,
 *                  mu = 6 complex, 3 real (Wang, Giannakis, Saad, Chen
 *                  2018: reweighting; mu = 6 diverged on 2 of 4 real
 *                  n = 100, m = 6n instances, 3 and 4 converged on all)
 *   rwf            z <- z - mu * 1/m A^H (u - psi u/|u|), mu = 0.8
 *                  (Zhang, Liang 2016)
 *   raf-loss       as raf with beta = 5 complex, 10 real: a step along
 *                  the gradient of its loss (phase.h)
 *
 * The sweep counter tau is kept with the iterate (saved as the attribute
 * `sweeps` of /x and restored by a --restart), so a restarted run follows
 * the same step schedule. TWF needs K_t first: two passes per sweep. */
#include <math.h>
#include <string.h>

#include "problems/phase/phase.h"

#define BN_RE(v, k, K) ((v)[(size_t)(k) * (K)])
#define BN_IM(v, k, K) ((K) == 2 ? (v)[(size_t)(k)*2 + 1] : 0.0)

typedef struct bn_sweep_data {
  double znorm, kt, coef;
} bn_sweep_data_t;

static inline void bn_put(double *w, bn_idx_t k, int K, double c,
                          const double *u) {
  w[(size_t)k * K] = c * u[(size_t)k * K];
  if (K == 2) w[(size_t)k * 2 + 1] = c * u[(size_t)k * 2 + 1];
}

/* WF: w = coef (|u|^2 - y) u. */
static void bn_k_wf(bn_phase_t *s, void *kd, bn_idx_t k0, bn_idx_t nb,
                    const double *u, const double *uv, double *w) {
  (void)uv;
  const bn_sweep_data_t *d = kd;
  const int K = s->K;
  for (bn_idx_t k = 0; k < nb; k++) {
    double ur = BN_RE(u, k, K), ui = BN_IM(u, k, K);
    bn_put(w, k, K, d->coef * (ur * ur + ui * ui - s->y[k0 + k]), u);
  }
}

/* TWF, first pass: sum ||u|^2 - y| into kt. */
static void bn_k_twf_kt(bn_phase_t *s, void *kd, bn_idx_t k0, bn_idx_t nb,
                        const double *u, const double *uv, double *w) {
  (void)uv;
  (void)w;
  bn_sweep_data_t *d = kd;
  const int K = s->K;
  for (bn_idx_t k = 0; k < nb; k++) {
    double ur = BN_RE(u, k, K), ui = BN_IM(u, k, K);
    d->kt += fabs(ur * ur + ui * ui - s->y[k0 + k]);
  }
}

/* TWF, second pass: the truncated Poisson gradient. */
static void bn_k_twf(bn_phase_t *s, void *kd, bn_idx_t k0, bn_idx_t nb,
                     const double *u, const double *uv, double *w) {
  (void)uv;
  const bn_sweep_data_t *d = kd;
  const int K = s->K;
  for (bn_idx_t k = 0; k < nb; k++) {
    double ur = BN_RE(u, k, K), ui = BN_IM(u, k, K);
    double a2 = ur * ur + ui * ui, a = sqrt(a2), q = a / d->znorm;
    double r = a2 - s->y[k0 + k];
    int keep = a2 > 0 && q >= 0.3 && q <= 5.0 && fabs(r) <= 5.0 * d->kt * q;
    bn_put(w, k, K, keep ? d->coef * 2.0 * r / a2 : 0.0, u);
  }
}

/* RAF (coef > 0: reweighted) and RWF (coef = 0): coef is beta. */
static void bn_k_amp(bn_phase_t *s, void *kd, bn_idx_t k0, bn_idx_t nb,
                     const double *u, const double *uv, double *w) {
  (void)uv;
  const bn_sweep_data_t *d = kd;
  const int K = s->K;
  const double sm = 1.0 / (double)s->m;
  for (bn_idx_t k = 0; k < nb; k++) {
    double ur = BN_RE(u, k, K), ui = BN_IM(u, k, K), p = s->psi[k0 + k];
    double a = sqrt(ur * ur + ui * ui);
    double q = a > 0 ? 1.0 - p / a : 0.0;
    double wt = d->coef > 0 ? (a > 0 ? a / (a + d->coef * p) : 0.0) : 1.0;
    bn_put(w, k, K, sm * wt * q, u);
  }
}

bn_status_t bn_phase_sweep(void *data, double *x) {
  bn_phase_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  const size_t nloc = (size_t)s->K * (size_t)s->nl;
  bn_sweep_data_t d = {0.0, 0.0, 0.0};
  bn_phase_kernel_fn fn = NULL;
  double mu = 0.0;
  s->sweeps++;
  bn_status_t st;
  const double *z = bn_phase_view(s, x, s->zf, &st);
  BN_CALL(ctx, st);
  switch (s->method) {
    case BN_PHASE_TWF: {
      d.znorm = bn_phase_vnorm(s, z);
      s->model->pass(s, z, NULL, bn_k_twf_kt, &d, NULL);
      s->red[0] = d.kt;
      BN_CALL(ctx, bn_phase_reduce(s, 1));
      d.kt = s->red[0] / (double)s->m;
      d.coef = 1.0 / (double)s->m;
      if (!(d.znorm > 0)) return BN_OK; /* z = 0 is a fixed point */
      fn = bn_k_twf;
      mu = 0.2;
      break;
    }
    case BN_PHASE_RAF:
    case BN_PHASE_RAF_LOSS: /* raf-loss: the same rule with its own beta */
      d.coef = s->method == BN_PHASE_RAF ? 10.0 : s->beta;
      fn = bn_k_amp;
      mu = s->cplx ? 6.0 : 3.0;
      break;
    case BN_PHASE_RWF:
      fn = bn_k_amp;
      mu = 0.8;
      break;
    default: { /* wf, gd-random */
      double tau = (double)s->sweeps, mt = 1.0 - exp(-tau / 330.0);
      d.coef = 1.0 / (double)s->m;
      fn = bn_k_wf;
      mu = (mt < 0.2 ? mt : 0.2) / s->lambda2;
    }
  }
  bn_timer_start(ctx, s->t_pass);
  memset(s->red, 0, (s->vlen + 1) * sizeof(double));
  s->model->pass(s, z, NULL, fn, &d, s->red + 1);
  bn_timer_stop(ctx, s->t_pass);
  BN_CALL(ctx, bn_phase_finish(s, 0, 1, NULL));
  const double *g = s->red + 1 + s->voff;
  for (size_t e = 0; e < nloc; e++) x[e] -= mu * g[e];
  return BN_OK;
}
