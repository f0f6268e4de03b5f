/* Multichannel sparse blind deconvolution: the objective on the sphere,
 * its Riemannian gradient and Hessian, the l1 sweep, the metrics
 * (deconv.h). Scaling: FFTW's c2r of an r2c is N times the input, so
 * C_i q = c2r(ybhat_i .* FFT(q)) / N and C_i^T u = c2r(conj(ybhat_i) .*
 * FFT(u)) / N. */
#include <math.h>
#include <string.h>

#include "linalg/shiftcorr.h"
#include "problems/deconv/deconv.h"

static void bn_dc_psi(const bn_deconv_t *d, double z, double *h, double *h1) {
  if (d->loss == BN_DC_L4) {
    *h = -0.25 * z * z * z * z;
    *h1 = -z * z * z;
  } else if (d->loss == BN_DC_L1) {
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

static double bn_dc_psi2(const bn_deconv_t *d, double z) {
  if (d->loss == BN_DC_L4) return -3.0 * z * z;
  if (d->loss == BN_DC_L1) return 0.0;
  return fabs(z) < d->mu ? 1.0 / d->mu : 0.0;
}

void bn_dc_conv(bn_deconv_t *d, int64_t i, const fftw_complex *zh,
                double *out) {
  const size_t nc = (size_t)d->nc;
  const fftw_complex *y = d->yb + (size_t)i * nc;
  for (size_t k = 0; k < nc; k++) {
    d->cb[k][0] = y[k][0] * zh[k][0] - y[k][1] * zh[k][1];
    d->cb[k][1] = y[k][0] * zh[k][1] + y[k][1] * zh[k][0];
  }
  fftw_execute(d->bwd); /* cb -> rb, the planned arrays */
  const double s = 1.0 / (double)d->N;
  for (int64_t j = 0; j < d->N; j++) out[j] = d->rb[j] * s;
}

/* acc += conj(ybhat_i) .* FFT(u), u in rb (destroyed). */
static void bn_dc_corr_acc(bn_deconv_t *d, int64_t i) {
  const size_t nc = (size_t)d->nc;
  const fftw_complex *y = d->yb + (size_t)i * nc;
  fftw_execute(d->fwd);
  for (size_t k = 0; k < nc; k++) {
    d->acc[2 * k] += y[k][0] * d->cb[k][0] + y[k][1] * d->cb[k][1];
    d->acc[2 * k + 1] += y[k][0] * d->cb[k][1] - y[k][1] * d->cb[k][0];
  }
}

/* Not collective: out = c2r(acc as nc complex) / N. */
static void bn_dc_acc_back(bn_deconv_t *d, double *out) {
  const size_t nc = (size_t)d->nc;
  memcpy(d->cb, d->acc, nc * sizeof(fftw_complex));
  fftw_execute(d->bwd);
  const double s = 1.0 / (double)d->N;
  for (int64_t j = 0; j < d->N; j++) out[j] = d->rb[j] * s;
}

/* Collective: broadcast rank 0's x into d->q (and v into d->v). */
static bn_status_t bn_dc_bcast(bn_deconv_t *d, const double *x,
                               const double *v) {
  bn_ctx_t *ctx = d->ctx;
  const size_t N = (size_t)d->N;
  if (bn_ctx_rank(ctx) == 0) {
    memcpy(d->q, x, N * sizeof(double));
    if (v) memcpy(d->q + N + 1, v, N * sizeof(double));
  }
  BN_MPI(ctx, MPI_Bcast(d->q, (int)(v ? 2 * N + 2 : N), MPI_DOUBLE, 0,
                        bn_ctx_comm(ctx)));
  return BN_OK;
}

static double bn_dc_dot(const double *a, const double *b, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

bn_status_t bn_dc_eval(void *data, const double *x, double *f, double *g) {
  bn_deconv_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  const size_t nc = (size_t)d->nc;
  const int64_t N = d->N;
  BN_CALL(ctx, bn_dc_bcast(d, x, NULL));
  bn_timer_start(ctx, d->t_eval);
  memcpy(d->rb, d->q, (size_t)N * sizeof(double));
  fftw_execute(d->fwd);
  memcpy(d->qh, d->cb, nc * sizeof(fftw_complex));
  memset(d->acc, 0, (2 * nc + 4) * sizeof(double));
  double fs = 0;
  for (int64_t i = 0; i < d->pl; i++) {
    bn_dc_conv(d, i, d->qh, d->rb);
    for (int64_t j = 0; j < N; j++) {
      double h, h1;
      bn_dc_psi(d, d->rb[j], &h, &h1);
      fs += h;
      d->rb[j] = h1;
    }
    if (g) bn_dc_corr_acc(d, i);
  }
  d->acc[2 * nc] = fs;
  int cnt = g ? (int)(2 * nc + 1) : 1;
  double *buf = g ? d->acc : d->acc + 2 * nc;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, buf, cnt, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  const double sc = 1.0 / ((double)N * (double)d->p);
  *f = d->acc[2 * nc] * sc;
  if (g && bn_ctx_rank(ctx) == 0) {
    bn_dc_acc_back(d, g);
    for (int64_t j = 0; j < N; j++) g[j] *= sc;
    double qe = bn_dc_dot(d->q, g, N);
    for (int64_t j = 0; j < N; j++) g[j] -= qe * d->q[j];
  }
  bn_timer_stop(ctx, d->t_eval);
  return BN_OK;
}

bn_status_t bn_dc_retract(void *data, double *x) {
  bn_deconv_t *d = data;
  if (bn_ctx_rank(d->ctx) != 0) return BN_OK;
  double s = sqrt(bn_dc_dot(x, x, d->N));
  if (!(s > 0) || !isfinite(s)) return BN_OK; /* the solver sees NaN/0 */
  for (int64_t j = 0; j < d->N; j++) x[j] /= s;
  return BN_OK;
}

bn_status_t bn_dc_project(void *data, const double *x, double *v) {
  bn_deconv_t *d = data;
  if (bn_ctx_rank(d->ctx) != 0) return BN_OK;
  double a = bn_dc_dot(x, v, d->N);
  for (int64_t j = 0; j < d->N; j++) v[j] -= a * x[j];
  return BN_OK;
}

/* Hess f(q)[v] = P_q((1/(N p)) sum_i C_i^T diag(psi''(C_i q)) C_i v)
 *                - (q^T e) v, for v tangent at q (projected here). Three
 * transforms per channel: C_i q, C_i v, and the correlation; e's q^T e =
 * (1/(N p)) sum psi'(z) z comes with the same allreduce. */
bn_status_t bn_dc_hvp(void *data, const double *x, const double *v,
                      double *hv) {
  bn_deconv_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  const size_t nc = (size_t)d->nc;
  const int64_t N = d->N;
  BN_CALL(ctx, bn_dc_bcast(d, x, v));
  double *vt = d->v;
  double a = bn_dc_dot(d->q, vt, N);
  for (int64_t j = 0; j < N; j++) vt[j] -= a * d->q[j];
  fftw_complex *vh = fftw_alloc_complex(nc);
  double *z = fftw_alloc_real((size_t)N);
  /* Agreed before the allreduce below: one rank alone must not leave. */
  bn_status_t st = bn_agree(
      ctx, vh && z ? BN_OK : BN_ERROR(ctx, BN_ERR_MEM, "out of memory (hvp)"));
  if (st != BN_OK) {
    fftw_free(vh);
    fftw_free(z);
    return st;
  }
  memcpy(d->rb, d->q, (size_t)N * sizeof(double));
  fftw_execute(d->fwd);
  memcpy(d->qh, d->cb, nc * sizeof(fftw_complex));
  memcpy(d->rb, vt, (size_t)N * sizeof(double));
  fftw_execute(d->fwd);
  memcpy(vh, d->cb, nc * sizeof(fftw_complex));
  memset(d->acc, 0, (2 * nc + 4) * sizeof(double));
  double zg = 0;
  for (int64_t i = 0; i < d->pl; i++) {
    bn_dc_conv(d, i, d->qh, z);
    bn_dc_conv(d, i, vh, d->rb);
    for (int64_t j = 0; j < N; j++) {
      double h, h1;
      bn_dc_psi(d, z[j], &h, &h1);
      zg += h1 * z[j];
      d->rb[j] *= bn_dc_psi2(d, z[j]);
    }
    bn_dc_corr_acc(d, i);
  }
  fftw_free(vh);
  fftw_free(z);
  d->acc[2 * nc] = zg;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, d->acc, (int)(2 * nc + 1), MPI_DOUBLE,
                            MPI_SUM, bn_ctx_comm(ctx)));
  if (bn_ctx_rank(ctx) != 0) return BN_OK;
  const double sc = 1.0 / ((double)N * (double)d->p);
  const double qe = d->acc[2 * nc] * sc;
  bn_dc_acc_back(d, hv);
  for (int64_t j = 0; j < N; j++) hv[j] *= sc;
  double b = bn_dc_dot(d->q, hv, N);
  for (int64_t j = 0; j < N; j++) hv[j] -= b * d->q[j] + qe * vt[j];
  return BN_OK;
}

/* l1: q <- R(q - eta_k g / |g|), eta_k = step0 decay^k. */
bn_status_t bn_dc_sweep(void *data, double *x) {
  bn_deconv_t *d = data;
  const int64_t N = d->N;
  double f, *g = d->v;
  BN_CALL(d->ctx, bn_dc_eval(d, x, &f, g));
  if (bn_ctx_rank(d->ctx) == 0) {
    double eta = d->step0 * pow(d->decay, (double)d->sweeps);
    double g2 = bn_dc_dot(g, g, N);
    if (g2 > 0)
      for (int64_t j = 0; j < N; j++) x[j] -= eta / sqrt(g2) * g[j];
  }
  d->sweeps++;
  return bn_dc_retract(d, x);
}

void bn_dc_kernel_of(bn_deconv_t *d, const double *q, double *a) {
  const size_t nc = (size_t)d->nc;
  memcpy(d->rb, q, (size_t)d->N * sizeof(double));
  fftw_execute(d->fwd);
  for (size_t k = 0; k < nc; k++) {
    double re = d->cb[k][0] * d->phat[k], im = d->cb[k][1] * d->phat[k];
    double m2 = re * re + im * im, s = m2 > 0 ? 1.0 / m2 : 0.0;
    d->cb[k][0] = re * s;
    d->cb[k][1] = -im * s;
  }
  fftw_execute(d->bwd);
  memcpy(a, d->rb, (size_t)d->N * sizeof(double));
}

/* The kernel error of the point's kernel estimate 1 / (Phat FFT(q)),
 * rank 0's, broadcast (NaN without /a_true). */
bn_status_t bn_dc_metrics(void *data, const double *x, double *rel,
                          double *rmse) {
  bn_deconv_t *d = data;
  *rmse = NAN;
  *rel = NAN;
  if (!d->atrue) return BN_OK;
  if (bn_ctx_rank(d->ctx) == 0) {
    double *a = fftw_alloc_real((size_t)d->N);
    if (a) {
      bn_dc_kernel_of(d, x, a);
      *rel = bn_shift_error(a, d->atrue, (size_t)d->h, (size_t)d->w, NULL);
    }
    fftw_free(a);
  }
  BN_MPI(d->ctx, MPI_Bcast(rel, 1, MPI_DOUBLE, 0, bn_ctx_comm(d->ctx)));
  return BN_OK;
}
