/* Multichannel sparse blind deconvolution: rounding, the kernel in
 * canonical form, the codes, the result file and the picture (deconv.h).
 *
 * Rounding. The linear program min sum_i |C_i z|_1 s.t. <r, z> = 1 (r the
 * solver's end point) is solved exactly by the inverse filter once r is
 * close enough to it (Qu, Li and Zhu's MCS-BD analysis); at that solution
 * the entries (i, j) with (C_i z)_j = 0 are the zeros of the channels x_i.
 * Each round reads a subset of them off the current z -- in every
 * channel the ceil((1 - theta) N / 2) entries of smallest magnitude, half
 * the zeros expected, so that a few misread ones do not matter -- and
 * solves the LP's active-set system in least squares,
 *   min sum_i |D_i C_i z|^2  s.t. <r, z> = 1,  z = r + t, t _|_ r,
 * by conjugate gradients on (Pi M Pi) t = -Pi M r, M = sum C_i^T D_i C_i
 * (two transforms per channel and one allreduce per product). A correct
 * zero set gives the inverse filter to rounding error; the rounds repeat
 * until the zero set no longer changes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/pictures.h"
#include "linalg/shiftcorr.h"
#include "problems/deconv/deconv.h"

typedef struct bn_dc_round {
  bn_deconv_t *d;
  unsigned char *mask; /* pl x N: 1 = a zero of the channel */
  double *r, *z, *t, *res, *pdir, *mp, *u;
  fftw_complex *vh;
} bn_dc_round_t;

static double bn_dc_dot2(const double *a, const double *b, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

static int bn_dc_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Collective: out = M v (replicated), M = sum_i C_i^T D_i C_i / (N p). */
static bn_status_t bn_dc_mv(bn_dc_round_t *w, const double *v, double *out) {
  bn_deconv_t *d = w->d;
  const size_t nc = (size_t)d->nc;
  const int64_t N = d->N;
  memcpy(d->rb, v, (size_t)N * sizeof(double));
  fftw_execute(d->fwd);
  memcpy(w->vh, d->cb, nc * sizeof(fftw_complex));
  memset(d->acc, 0, (2 * nc) * sizeof(double));
  for (int64_t i = 0; i < d->pl; i++) {
    const unsigned char *m = w->mask + (size_t)i * (size_t)N;
    const fftw_complex *y = d->yb + (size_t)i * nc;
    bn_dc_conv(d, i, w->vh, d->rb);
    for (int64_t j = 0; j < N; j++)
      if (!m[j]) d->rb[j] = 0;
    fftw_execute(d->fwd);
    for (size_t k = 0; k < nc; k++) {
      d->acc[2 * k] += y[k][0] * d->cb[k][0] + y[k][1] * d->cb[k][1];
      d->acc[2 * k + 1] += y[k][0] * d->cb[k][1] - y[k][1] * d->cb[k][0];
    }
  }
  BN_MPI(d->ctx, MPI_Allreduce(MPI_IN_PLACE, d->acc, (int)(2 * nc), MPI_DOUBLE,
                               MPI_SUM, bn_ctx_comm(d->ctx)));
  memcpy(d->cb, d->acc, nc * sizeof(fftw_complex));
  fftw_execute(d->bwd);
  const double s = 1.0 / ((double)N * (double)N * (double)d->p);
  for (int64_t j = 0; j < N; j++) out[j] = d->rb[j] * s;
  return BN_OK;
}

static void bn_dc_perp(const double *r, double *v, int64_t n) {
  double a = bn_dc_dot2(r, v, n);
  for (int64_t i = 0; i < n; i++) v[i] -= a * r[i];
}

/* Collective: the zero set of the current z; *changed = entries that
 * differ from the last one (summed over processes). */
static bn_status_t bn_dc_zero_set(bn_dc_round_t *w, int64_t *changed) {
  bn_deconv_t *d = w->d;
  const int64_t N = d->N;
  const size_t nc = (size_t)d->nc;
  int64_t keep = (int64_t)ceil(0.5 * (1.0 - d->theta) * (double)N), diff = 0;
  if (keep < 1) keep = 1;
  memcpy(d->rb, w->z, (size_t)N * sizeof(double));
  fftw_execute(d->fwd);
  memcpy(w->vh, d->cb, nc * sizeof(fftw_complex));
  for (int64_t i = 0; i < d->pl; i++) {
    unsigned char *m = w->mask + (size_t)i * (size_t)N;
    bn_dc_conv(d, i, w->vh, w->u);
    for (int64_t j = 0; j < N; j++) w->mp[j] = fabs(w->u[j]);
    qsort(w->mp, (size_t)N, sizeof(double), bn_dc_cmp);
    double thr = w->mp[keep - 1];
    for (int64_t j = 0; j < N; j++) {
      unsigned char z = fabs(w->u[j]) <= thr;
      diff += z != m[j];
      m[j] = z;
    }
  }
  BN_MPI(d->ctx, MPI_Allreduce(MPI_IN_PLACE, &diff, 1, MPI_INT64_T, MPI_SUM,
                               bn_ctx_comm(d->ctx)));
  *changed = diff;
  return BN_OK;
}

/* Collective: one least-squares solve on the zero set; returns CG its. */
static bn_status_t bn_dc_cg(bn_dc_round_t *w, int *its) {
  bn_deconv_t *d = w->d;
  const int64_t N = d->N;
  double *t = w->t, *res = w->res, *pd = w->pdir, *mp = w->mp;
  BN_CALL(d->ctx, bn_dc_mv(w, w->r, res));
  for (int64_t j = 0; j < N; j++) res[j] = -res[j], t[j] = 0;
  bn_dc_perp(w->r, res, N);
  memcpy(pd, res, (size_t)N * sizeof(double));
  double rr = bn_dc_dot2(res, res, N), rr0 = rr;
  int k = 0;
  for (;;) {
    /* The vectors are replicated; rank 0 decides, so that no process can
     * leave the loop (and its allreduce) alone on a rounding difference. */
    int go = rr > 1e-30 * rr0 && rr > 0 && k < 500;
    BN_MPI(d->ctx, MPI_Bcast(&go, 1, MPI_INT, 0, bn_ctx_comm(d->ctx)));
    if (!go) break;
    BN_CALL(d->ctx, bn_dc_mv(w, pd, mp));
    bn_dc_perp(w->r, mp, N);
    double pap = bn_dc_dot2(pd, mp, N);
    go = pap > 0;
    BN_MPI(d->ctx, MPI_Bcast(&go, 1, MPI_INT, 0, bn_ctx_comm(d->ctx)));
    if (!go) break;
    double al = rr / pap;
    for (int64_t j = 0; j < N; j++) t[j] += al * pd[j], res[j] -= al * mp[j];
    double rn = bn_dc_dot2(res, res, N);
    for (int64_t j = 0; j < N; j++) pd[j] = res[j] + rn / rr * pd[j];
    rr = rn;
    k++;
  }
  for (int64_t j = 0; j < N; j++) w->z[j] = w->r[j] + t[j];
  *its = k;
  return BN_OK;
}

/* Collective: the rounding rounds from rank 0's x; z (unit) replicated. */
static bn_status_t bn_dc_round(bn_deconv_t *d, const double *x, double *z,
                               bn_deconv_report_t *rep) {
  bn_ctx_t *ctx = d->ctx;
  const size_t N = (size_t)d->N, nc = (size_t)d->nc;
  bn_dc_round_t w = {.d = d};
  bn_status_t st = bn_agree(
      ctx, bn_calloc(ctx, bn_size_add(bn_size_mul((size_t)d->pl, N), 1), 1,
                     &w.mask));
  double *buf = NULL;
  if (st == BN_OK)
    st =
        bn_agree(ctx, bn_mallocn(ctx, bn_size_mul(7, N), sizeof(double), &buf));
  w.vh = st == BN_OK ? fftw_alloc_complex(nc) : NULL;
  if (st == BN_OK) st = bn_agree(ctx, w.vh ? BN_OK : BN_ERR_MEM);
  if (st != BN_OK) {
    free(w.mask);
    free(buf);
    return st;
  }
  w.r = buf, w.z = buf + N, w.t = buf + 2 * N, w.res = buf + 3 * N;
  w.pdir = buf + 4 * N, w.mp = buf + 5 * N, w.u = buf + 6 * N;
  if (bn_ctx_rank(ctx) == 0) memcpy(w.r, x, N * sizeof(double));
  if (MPI_Bcast(w.r, (int)N, MPI_DOUBLE, 0, bn_ctx_comm(ctx)) != MPI_SUCCESS)
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Bcast failed");
  memcpy(w.z, w.r, N * sizeof(double));
  for (int k = 0; st == BN_OK && k < d->rounds_max; k++) {
    int64_t changed = 0;
    int its = 0;
    st = bn_dc_zero_set(&w, &changed);
    if (st != BN_OK || (k > 0 && changed == 0)) break;
    memcpy(w.u, w.z, N * sizeof(double));
    st = bn_dc_cg(&w, &its);
    rep->rounds++;
    /* The zero set of an exact solution flips among entries at rounding
     * level: stop once z stops moving. */
    double a = sqrt(bn_dc_dot2(w.u, w.u, (int64_t)N));
    double b = sqrt(bn_dc_dot2(w.z, w.z, (int64_t)N)), dz = 0;
    for (size_t j = 0; j < N; j++) {
      double e = w.z[j] / b - w.u[j] / a;
      dz += e * e;
    }
    /* The same decision on every process. */
    if (st == BN_OK && MPI_Allreduce(MPI_IN_PLACE, &dz, 1, MPI_DOUBLE, MPI_MAX,
                                     bn_ctx_comm(ctx)) != MPI_SUCCESS)
      st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allreduce failed");
    rep->cg_iterations += its;
    if (k > 0 && sqrt(dz) < 1e-13) break;
    bn_log(ctx, BN_LOG_DEBUG,
           "rounding round %d: %lld zero-set changes, %d "
           "CG iterations\n",
           k, (long long)changed, its);
  }
  if (st == BN_OK) {
    /* Every process holds the same z up to the reductions' rounding:
     * rank 0's is the answer. */
    double s = sqrt(bn_dc_dot2(w.z, w.z, (int64_t)N));
    for (size_t j = 0; j < N; j++) z[j] = w.z[j] / s;
    if (MPI_Bcast(z, (int)N, MPI_DOUBLE, 0, bn_ctx_comm(ctx)) != MPI_SUCCESS)
      st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Bcast failed");
  }
  free(w.mask);
  free(buf);
  fftw_free(w.vh);
  return st;
}

/* Collective: x_i = y_i deconvolved by the kernel a (canonical), and the
 * codes' error against /X_true (shift tau and sign of a vs the truth). */
static bn_status_t bn_dc_codes(bn_deconv_t *d, bn_deconv_report_t *rep) {
  bn_ctx_t *ctx = d->ctx;
  const size_t N = (size_t)d->N, nc = (size_t)d->nc;
  fftw_complex *ah = fftw_alloc_complex(nc);
  BN_CALL(ctx, bn_agree(ctx, ah ? BN_OK : BN_ERR_MEM));
  bn_status_t st = bn_agree(
      ctx, bn_mallocn(ctx, bn_size_add(bn_size_mul((size_t)d->pl, N), 1),
                      sizeof(double), &d->xhat));
  if (st != BN_OK) {
    fftw_free(ah);
    return st;
  }
  memcpy(d->rb, d->kernel, N * sizeof(double));
  fftw_execute(d->fwd);
  memcpy(ah, d->cb, nc * sizeof(fftw_complex));
  double big = 0;
  for (size_t k = 0; k < nc; k++)
    big = fmax(big, ah[k][0] * ah[k][0] + ah[k][1] * ah[k][1]);
  for (int64_t i = 0; i < d->pl; i++) {
    const fftw_complex *y = d->yb + (size_t)i * nc;
    for (size_t k = 0; k < nc; k++) {
      double m2 = ah[k][0] * ah[k][0] + ah[k][1] * ah[k][1];
      double s = m2 > 1e-28 * big ? 1.0 / (m2 * d->phat[k] * (double)N) : 0.0;
      double yr = y[k][0], yi = y[k][1];
      d->cb[k][0] = (yr * ah[k][0] + yi * ah[k][1]) * s;
      d->cb[k][1] = (yi * ah[k][0] - yr * ah[k][1]) * s;
    }
    fftw_execute(d->bwd);
    memcpy(d->xhat + (size_t)i * N, d->rb, N * sizeof(double));
  }
  st = d->lasso > 0 ? bn_dc_lasso(d, ah) : BN_OK;
  fftw_free(ah);
  BN_CALL(ctx, bn_agree(ctx, st));
  int xt = d->xtrue != NULL;
  MPI_Allreduce(MPI_IN_PLACE, &xt, 1, MPI_INT, MPI_MIN, bn_ctx_comm(ctx));
  if (!xt || !d->atrue) return BN_OK;
  /* kernel ~ sg s_tau[a] / |a|, so x_hat ~ sg |a| s_{-tau}[x]. */
  double par[3] = {0, 1, 0};
  if (bn_ctx_rank(ctx) == 0) {
    size_t tau = 0;
    bn_shift_error(d->kernel, d->atrue, (size_t)d->h, (size_t)d->w, &tau);
    double *sa = bn_alloc_n(N, sizeof(double));
    if (sa) {
      bn_shift_apply(d->atrue, (size_t)d->h, (size_t)d->w, tau, sa);
      double dot = bn_dc_dot2(d->kernel, sa, d->N);
      double na = sqrt(bn_dc_dot2(d->atrue, d->atrue, d->N));
      par[0] = (double)tau;
      par[1] = (dot < 0 ? -1 : 1) * na;
      par[2] = 1;
    }
    free(sa);
  }
  BN_MPI(ctx, MPI_Bcast(par, 3, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
  if (par[2] == 0) return BN_OK;
  size_t tau = (size_t)par[0];
  size_t t0 = tau / (size_t)d->w, t1 = tau % (size_t)d->w;
  size_t back = ((size_t)d->h - t0) % (size_t)d->h * (size_t)d->w +
                ((size_t)d->w - t1) % (size_t)d->w;
  double e[2] = {0, 0};
  for (int64_t i = 0; i < d->pl; i++) {
    bn_shift_apply(d->xtrue + (size_t)i * N, (size_t)d->h, (size_t)d->w, back,
                   d->rb);
    const double *xh = d->xhat + (size_t)i * N;
    for (size_t j = 0; j < N; j++) {
      double ref = par[1] * d->rb[j];
      e[0] += (xh[j] - ref) * (xh[j] - ref);
      e[1] += ref * ref;
    }
  }
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, e, 2, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  rep->codes_error = e[1] > 0 ? sqrt(e[0] / e[1]) : NAN;
  return BN_OK;
}

bn_status_t bn_deconv_finish(void *data, const double *x,
                             bn_deconv_report_t *rep) {
  bn_deconv_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  const size_t N = (size_t)d->N;
  double t0 = bn_wtime(), rmse;
  memset(rep, 0, sizeof(*rep));
  rep->kernel_error = rep->kernel_error_pre = rep->codes_error = NAN;
  BN_CALL(ctx, bn_dc_metrics(d, x, &rep->kernel_error_pre, &rmse));
  free(d->kernel);
  free(d->xhat);
  d->xhat = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_mul(2, N), sizeof(double),
                                        &d->kernel)));
  double *z = d->kernel + N;
  bn_timer_start(ctx, d->t_round);
  bn_status_t st = bn_dc_round(d, x, z, rep);
  bn_timer_stop(ctx, d->t_round);
  BN_CALL(ctx, st);
  bn_dc_kernel_of(d, z, d->kernel);
  bn_shift_canonical(d->kernel, (size_t)d->h, (size_t)d->w);
  /* One kernel for all: rank 0's. */
  BN_MPI(ctx, MPI_Bcast(d->kernel, (int)N, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
  if (d->atrue) {
    double e =
        bn_shift_error(d->kernel, d->atrue, (size_t)d->h, (size_t)d->w, NULL);
    BN_MPI(ctx, MPI_Bcast(&e, 1, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
    rep->kernel_error = e;
  }
  if (d->codes) BN_CALL(ctx, bn_dc_codes(d, rep));
  rep->seconds = bn_wtime() - t0;
  return BN_OK;
}

double bn_deconv_result_bytes(void *data) {
  bn_deconv_t *d = data;
  return 8.0 * (2.0 * (double)d->N + (d->xhat ? (double)d->p * d->N : 0.0));
}

bn_status_t bn_deconv_write_result(void *data, const double *x,
                                   const bn_deconv_report_t *rep, bn_h5_t *f) {
  bn_deconv_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  const bool root = bn_ctx_rank(ctx) == 0;
  int64_t kd[2] = {d->h, d->w}, xd[3] = {d->p, d->h, d->w};
  int kn = d->ndims - 1;
  const int64_t *kdims = kn == 1 ? kd + 1 : kd, *xdims = xd;
  int64_t xd2[2] = {d->p, d->w};
  if (d->ndims == 2) xdims = xd2;
  BN_CALL(ctx, bn_h5_write_rows(f, "/kernel", kn, kdims, 0, root ? kdims[0] : 0,
                                d->kernel));
  if (d->xhat)
    BN_CALL(ctx,
            bn_h5_write_rows(f, "/X", d->ndims, xdims, d->c0, d->pl, d->xhat));
  int64_t n = d->N;
  BN_CALL(ctx, bn_h5_write_rows(f, "/q", 1, &n, 0, root ? n : 0, x));
  BN_CALL(ctx, bn_h5_attr_set_f64(f, "/", "kernel_error", rep->kernel_error));
  BN_CALL(ctx, bn_h5_attr_set_f64(f, "/", "kernel_error_before_rounding",
                                  rep->kernel_error_pre));
  BN_CALL(ctx, bn_h5_attr_set_f64(f, "/", "codes_error", rep->codes_error));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "rounding_rounds", rep->rounds));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "rounding_cg_iterations",
                                  rep->cg_iterations));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "loss", bn_deconv_loss(d)));
  return BN_OK;
}

/* The kernel is stored with its peak at index 0 (canonical form); the
 * picture shifts it circularly so that its support is drawn in one piece
 * in the middle (include/benign/pictures.h): 1-D a line plot, 2-D a gray
 * image from its minimum to its maximum. */
bn_status_t bn_deconv_png(void *data, const char *path) {
  bn_deconv_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  bn_kernel_pic_t pi;
  memset(&pi, 0, sizeof pi);
  bn_status_t st = bn_ctx_rank(ctx) == 0
                       ? bn_kernel_png(ctx, path, d->kernel, (int)d->h,
                                       (int)d->w, "kernel", &pi)
                       : BN_OK;
  BN_CALL(ctx, bn_agree(ctx, st));
  if (d->h > 1)
    bn_log(ctx, BN_LOG_INFO,
           "kernel picture centred on stored index (%d, %d), values %.3g .. "
           "%.3g\n",
           pi.cy, pi.cx, pi.lo, pi.hi);
  else
    bn_log(ctx, BN_LOG_INFO,
           "kernel picture centred on stored index %d, values %.3g .. %.3g\n",
           pi.cx, pi.lo, pi.hi);
  return BN_OK;
}
