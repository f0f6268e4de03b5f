/* Phase retrieval: objective, gradient, Hessian-vector product (the
 * intensity, amplitude and reweighted amplitude losses) and the error to
 * the ground truth (formulas in phase.h).
 *
 * Every evaluation is: allgather z's shares into the replicated z, one
 * pass of the model over the rank's measurements with a pointwise kernel
 * (u_i -> w_i), one allreduce of [f | A^H w], and each rank keeps the
 * slice of the gradient it owns. A local model (cdp) skips the gather
 * and reduces only f: its pass reads and writes the rank's own share. Kernels
 * work on interleaved (re, im) pairs when complex; the real case is the same
 * code with im = 0. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/phase/phase.h"

bn_status_t bn_phase_gather(bn_phase_t *s, const double *x, double *z) {
  bn_ctx_t *ctx = s->ctx;
  int me = bn_ctx_rank(ctx);
  bn_timer_start(ctx, s->t_gather);
  BN_MPI(ctx, MPI_Allgatherv(x, s->cnt[me], MPI_DOUBLE, z, s->cnt, s->dsp,
                             MPI_DOUBLE, bn_ctx_comm(ctx)));
  bn_timer_stop(ctx, s->t_gather);
  return BN_OK;
}

bn_status_t bn_phase_reduce(bn_phase_t *s, size_t len) {
  bn_ctx_t *ctx = s->ctx;
  bn_timer_start(ctx, s->t_reduce);
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, s->red, (int)len, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  bn_timer_stop(ctx, s->t_reduce);
  return BN_OK;
}

/* Value of entry k of a block (K doubles each) as (re, im). */
#define BN_RE(v, k, K) ((v)[(size_t)(k) * (K)])
#define BN_IM(v, k, K) ((K) == 2 ? (v)[(size_t)(k)*2 + 1] : 0.0)

static inline void bn_phase_put(double *w, bn_idx_t k, int K, double re,
                                double im) {
  w[(size_t)k * K] = re;
  if (K == 2) w[(size_t)k * 2 + 1] = im;
}

/* Intensity loss: sum (|u|^2 - y)^2, w = (2/m) (|u|^2 - y) u. */
static void bn_k_intensity(bn_phase_t *s, void *kd, bn_idx_t k0, bn_idx_t nb,
                           const double *u, const double *uv, double *w) {
  (void)uv;
  const int K = s->K;
  const double c = 2.0 / (double)s->m;
  double acc = 0.0;
  for (bn_idx_t k = 0; k < nb; k++) {
    double ur = BN_RE(u, k, K), ui = BN_IM(u, k, K);
    double r = ur * ur + ui * ui - s->y[k0 + k];
    acc += r * r;
    bn_phase_put(w, k, K, c * r * ur, c * r * ui);
  }
  *(double *)kd += acc;
}

/* Amplitude loss: sum (|u| - psi)^2, w = (1/m) (u - psi u/|u|). */
static void bn_k_amplitude(bn_phase_t *s, void *kd, bn_idx_t k0, bn_idx_t nb,
                           const double *u, const double *uv, double *w) {
  (void)uv;
  const int K = s->K;
  const double c = 1.0 / (double)s->m;
  double acc = 0.0;
  for (bn_idx_t k = 0; k < nb; k++) {
    double ur = BN_RE(u, k, K), ui = BN_IM(u, k, K), p = s->psi[k0 + k];
    double a = sqrt(ur * ur + ui * ui), d = a - p;
    double q = a > 0 ? 1.0 - p / a : 0.0;
    acc += d * d;
    bn_phase_put(w, k, K, c * q * ur, c * q * ui);
  }
  *(double *)kd += acc;
}

/* log1p(t) - t without the cancellation near t = 0 (t > -1). */
static inline double bn_log1p_minus(double t) {
  if (fabs(t) > 1e-3) return log1p(t) - t;
  return t * t * (-0.5 + t * (1.0 / 3.0 + t * (-0.25 + t * 0.2)));
}

/* Reweighted amplitude loss (phase.h), a = |u|, d = a - psi:
 * rho = d^2/2 + beta (1 + beta) psi^2 (log1p(t) - t), t = d/((1+beta) psi),
 * the integral of rho'(a) = a d/(a + beta psi) from psi (rho = a^2/2 when
 * psi = 0); w = (1/m) d/(a + beta psi) u. kd accumulates 2 rho. */
static void bn_k_reweighted(bn_phase_t *s, void *kd, bn_idx_t k0, bn_idx_t nb,
                            const double *u, const double *uv, double *w) {
  (void)uv;
  const int K = s->K;
  const double c = 1.0 / (double)s->m, b = s->beta;
  double acc = 0.0;
  for (bn_idx_t k = 0; k < nb; k++) {
    double ur = BN_RE(u, k, K), ui = BN_IM(u, k, K), p = s->psi[k0 + k];
    double a = sqrt(ur * ur + ui * ui), d = a - p, q = 1.0, rho = 0.5 * a * a;
    if (p > 0) {
      rho = 0.5 * d * d +
            b * (1.0 + b) * p * p * bn_log1p_minus(d / ((1.0 + b) * p));
      q = d / (a + b * p);
    }
    acc += 2.0 * rho;
    bn_phase_put(w, k, K, c * q * ur, c * q * ui);
  }
  *(double *)kd += acc;
}

/* Its Hessian along v, s = u/a, r = Re(conj(s) uv):
 * w = (1/m) (rho''(a) s r + rho'(a)/a (uv - s r)), rho'(a)/a = d/(a +
 * beta psi), rho''(a) = (a^2 + 2 a beta psi - beta psi^2)/(a + beta psi)^2;
 * at a = 0 both are -1/beta (psi > 0) or 1 (psi = 0). */
static void bn_k_reweighted_hvp(bn_phase_t *s, void *kd, bn_idx_t k0,
                                bn_idx_t nb, const double *u, const double *uv,
                                double *w) {
  (void)kd;
  const int K = s->K;
  const double c = 1.0 / (double)s->m, b = s->beta;
  for (bn_idx_t k = 0; k < nb; k++) {
    double ur = BN_RE(u, k, K), ui = BN_IM(u, k, K);
    double vr = BN_RE(uv, k, K), vi = BN_IM(uv, k, K);
    double a = sqrt(ur * ur + ui * ui), p = s->psi[k0 + k], bp = b * p;
    double g1 = p > 0 ? (a - p) / (a + bp) : 1.0, wr = g1 * vr, wi = g1 * vi;
    if (a > 0) {
      double g2 = (a * a + 2.0 * a * bp - bp * p) / ((a + bp) * (a + bp));
      double sr = ur / a, si = ui / a, t = sr * vr + si * vi;
      wr += (g2 - g1) * sr * t;
      wi += (g2 - g1) * si * t;
    }
    bn_phase_put(w, k, K, c * wr, c * wi);
  }
}

/* Intensity Hessian along v (uv = A v):
 * w = (2/m) (2 Re(conj(u) uv) u + (|u|^2 - y) uv). */
static void bn_k_intensity_hvp(bn_phase_t *s, void *kd, bn_idx_t k0,
                               bn_idx_t nb, const double *u, const double *uv,
                               double *w) {
  (void)kd;
  const int K = s->K;
  const double c = 2.0 / (double)s->m;
  for (bn_idx_t k = 0; k < nb; k++) {
    double ur = BN_RE(u, k, K), ui = BN_IM(u, k, K);
    double vr = BN_RE(uv, k, K), vi = BN_IM(uv, k, K);
    double r = ur * ur + ui * ui - s->y[k0 + k];
    double d = 2.0 * (ur * vr + ui * vi);
    bn_phase_put(w, k, K, c * (d * ur + r * vr), c * (d * ui + r * vi));
  }
}

/* Amplitude Hessian along v, s = u/|u|:
 * w = (1/m) (uv - psi (uv - s Re(conj(s) uv)) / |u|)  (u = 0: w = uv/m). */
static void bn_k_amplitude_hvp(bn_phase_t *s, void *kd, bn_idx_t k0,
                               bn_idx_t nb, const double *u, const double *uv,
                               double *w) {
  (void)kd;
  const int K = s->K;
  const double c = 1.0 / (double)s->m;
  for (bn_idx_t k = 0; k < nb; k++) {
    double ur = BN_RE(u, k, K), ui = BN_IM(u, k, K);
    double vr = BN_RE(uv, k, K), vi = BN_IM(uv, k, K);
    double a = sqrt(ur * ur + ui * ui), p = s->psi[k0 + k];
    double wr = vr, wi = vi;
    if (a > 0) {
      double sr = ur / a, si = ui / a, t = sr * vr + si * vi;
      wr = vr - p * (vr - sr * t) / a;
      wi = vi - p * (vi - si * t) / a;
    }
    bn_phase_put(w, k, K, c * wr, c * wi);
  }
}

/* The loss's kernels by s->amp_loss (0 intensity, 1 amplitude, 2
 * reweighted). */
static const bn_phase_kernel_fn bn_k_loss[3] = {bn_k_intensity, bn_k_amplitude,
                                                bn_k_reweighted};
static const bn_phase_kernel_fn bn_k_loss_hvp[3] = {
    bn_k_intensity_hvp, bn_k_amplitude_hvp, bn_k_reweighted_hvp};

const double *bn_phase_view(bn_phase_t *s, const double *x, double *buf,
                            bn_status_t *st) {
  *st = BN_OK;
  if (s->model->local) return x;
  *st = bn_phase_gather(s, x, buf);
  return buf;
}

bn_status_t bn_phase_finish(bn_phase_t *s, int with_f, int with_g, double *g) {
  const size_t len = s->model->local || !with_g ? 0 : s->vlen;
  if (with_f || len) BN_CALL(s->ctx, bn_phase_reduce(s, len + 1));
  if (g)
    memcpy(g, s->red + 1 + s->voff,
           (size_t)s->K * (size_t)s->nl * sizeof(double));
  return BN_OK;
}

double bn_phase_vnorm(bn_phase_t *s, const double *v) {
  double sq = 0.0;
  for (size_t e = 0; e < s->vlen; e++) sq += v[e] * v[e];
  if (s->model->local)
    MPI_Allreduce(MPI_IN_PLACE, &sq, 1, MPI_DOUBLE, MPI_SUM,
                  bn_ctx_comm(s->ctx));
  return sqrt(sq);
}

bn_status_t bn_phase_eval(void *data, const double *x, double *f, double *g) {
  bn_phase_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  bn_status_t st;
  const double *z = bn_phase_view(s, x, s->zf, &st);
  BN_CALL(ctx, st);
  bn_timer_start(ctx, s->t_pass);
  double acc = 0.0;
  if (g) memset(s->red + 1, 0, s->vlen * sizeof(double));
  s->model->pass(s, z, NULL, bn_k_loss[s->amp_loss], &acc,
                 g ? s->red + 1 : NULL);
  s->red[0] = acc;
  bn_timer_stop(ctx, s->t_pass);
  BN_CALL(ctx, bn_phase_finish(s, 1, g != NULL, g));
  *f = s->red[0] / (2.0 * (double)s->m);
  return BN_OK;
}

bn_status_t bn_phase_hvp(void *data, const double *x, const double *v,
                         double *hv) {
  bn_phase_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  bn_status_t st;
  const double *z = bn_phase_view(s, x, s->zf, &st);
  BN_CALL(ctx, st);
  const double *zv = bn_phase_view(s, v, s->vf, &st);
  BN_CALL(ctx, st);
  bn_timer_start(ctx, s->t_pass);
  memset(s->red, 0, (s->vlen + 1) * sizeof(double));
  s->model->pass(s, z, zv, bn_k_loss_hvp[s->amp_loss], NULL, s->red + 1);
  bn_timer_stop(ctx, s->t_pass);
  return bn_phase_finish(s, 0, 1, hv);
}

/* Forward: copy the block of A z out. */
static void bn_k_copy(bn_phase_t *s, void *kd, bn_idx_t k0, bn_idx_t nb,
                      const double *u, const double *uv, double *w) {
  (void)uv;
  (void)w;
  memcpy((double *)kd + (size_t)k0 * s->K, u,
         (size_t)nb * (size_t)s->K * sizeof(double));
}

/* Adjoint: the block's w is the given vector. */
static void bn_k_given(bn_phase_t *s, void *kd, bn_idx_t k0, bn_idx_t nb,
                       const double *u, const double *uv, double *w) {
  (void)u;
  (void)uv;
  memcpy(w, (const double *)kd + (size_t)k0 * s->K,
         (size_t)nb * (size_t)s->K * sizeof(double));
}

/* A local model's pass takes the rank's shares of the full vectors. */
void bn_phase_forward(bn_phase_t *s, const double *z, double *u) {
  const size_t o = s->model->local ? s->K * (size_t)bn_dist_first(s->xdist) : 0;
  s->model->pass(s, z + o, NULL, bn_k_copy, u, NULL);
}

void bn_phase_adjoint(bn_phase_t *s, const double *w, double *g) {
  const size_t o = s->model->local ? s->K * (size_t)bn_dist_first(s->xdist) : 0;
  s->model->pass(s, s->zf, NULL, bn_k_given, (void *)w, g + o);
}

/* min over phases phi of |x e^{i phi} - x_true| / |x_true|: the best phase
 * is that of c = <x, x_true> = sum conj(x_j) xt_j (a sign when real); the
 * distance is then summed directly (not |x|^2 + |xt|^2 - 2|c|, which
 * cancels to ~1e-8 in double precision). Two allreduces. */
bn_status_t bn_phase_metrics(void *data, const double *x, double *rel,
                             double *rmse) {
  bn_phase_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  const int K = s->K;
  *rel = NAN;
  *rmse = NAN;
  if (!s->xt) return BN_OK;
  double c[3] = {0, 0, 0}; /* Re c, Im c, |xt|^2 */
  for (bn_idx_t j = 0; j < s->nl; j++) {
    double xr = BN_RE(x, j, K), xi = BN_IM(x, j, K);
    double tr = BN_RE(s->xt, j, K), ti = BN_IM(s->xt, j, K);
    c[0] += xr * tr + xi * ti;
    c[1] += xr * ti - xi * tr;
    c[2] += tr * tr + ti * ti;
  }
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, c, 3, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  double a = hypot(c[0], c[1]);
  double er = a > 0 ? c[0] / a : 1.0, ei = a > 0 ? c[1] / a : 0.0;
  if (K == 1) ei = 0.0, er = c[0] < 0 ? -1.0 : 1.0;
  double d = 0.0;
  for (bn_idx_t j = 0; j < s->nl; j++) {
    double xr = BN_RE(x, j, K), xi = BN_IM(x, j, K);
    double dr = xr * er - xi * ei - BN_RE(s->xt, j, K);
    double di = xr * ei + xi * er - BN_IM(s->xt, j, K);
    d += dr * dr + di * di;
  }
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &d, 1, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  *rel = c[2] > 0 ? sqrt(d / c[2]) : sqrt(d);
  return BN_OK;
}
