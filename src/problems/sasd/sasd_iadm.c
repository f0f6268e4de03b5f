/* SaS-BD by iADM with homotopy (sasd.h).
 *
 * One iteration at lambda, with momentum alpha (= beta), from (a, x) and
 * the previous (a_p, x_p):
 *   w = x + alpha (x - x_p)
 *   x <- soft(w - grad_x psi(a, w) / L_x, lambda / L_x),   L_x = max|A|^2
 *   z = P_S(a + alpha (a - a_p))
 *   a <- P_S(z - grad_S psi(z, x) / L_a),                  L_a = max|X|^2
 * grad_S is the Riemannian gradient on the sphere (the Euclidean one minus
 * its component along z); L_x and L_a are the exact Lipschitz constants
 * of the two partial gradients (the largest squared Fourier coefficients).
 * Spectra of w and z are the same linear combinations of the spectra of
 * the iterates (kept), so an iteration costs four transforms: the two
 * gradients' backward FFTs and the forward FFTs of the new x and a. When
 * the objective goes up the momentum is dropped for the next iteration
 * (adaptive restart).
 *
 * Homotopy: lambda starts at lambda_start * lambda_max (lambda_max =
 * ||C_a^T y||_inf, the smallest lambda with x = 0 at the start) and is
 * multiplied by eta after each stage (stage ends when the change is below
 * stage_tol or after stage_iter iterations) down to the final lambda, whose
 * stage runs to tol or max_iter. Between stages the kernel is recentered
 * in its window: the k (k x k) block of largest energy is moved to the
 * middle, x shifted the opposite way, so a0 never straddles the window's
 * edge. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linalg/shiftcorr.h"
#include "problems/sasd/sasd_state.h"

typedef bn_sasd_state_t bn_iadm_t; /* sasd.h */

/* max for the hot loops (fmax is a libm call there; no NaN can occur in
 * a squared modulus of finite spectra) */
static inline double bn_big(double a, double b) { return b > a ? b : a; }

static double bn_nrm(const double *v, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += v[i] * v[i];
  return sqrt(s);
}

/* L = max |S|^2 over the spectrum (collective). */
static bn_status_t bn_iadm_lip(bn_iadm_t *it, const fftw_complex *S,
                               double *L) {
  bn_sasd_grid_t *g = it->g;
  const size_t nl = g->ns;
  double m = 0;
  for (size_t q = 0; q < nl; q++)
    m = bn_big(m, S[q][0] * S[q][0] + S[q][1] * S[q][1]);
  BN_CALL(g->ctx, bn_sasd_max(g, &m, 1));
  *L = m;
  return BN_OK;
}

/* Spectra of the current a and x, their constants and ||x||_1; momentum
 * dropped. */
static bn_status_t bn_iadm_fresh(bn_iadm_t *it) {
  bn_sasd_grid_t *g = it->g;
  double l1 = 0;
  for (bn_idx_t i = 0; i < g->n0; i++)
    for (bn_idx_t j = 0; j < g->w; j++)
      l1 += fabs(it->x[(size_t)i * g->ws + (size_t)j]);
  BN_CALL(g->ctx, bn_sasd_sum(g, &l1, 1));
  it->l1 = l1;
  bn_sasd_kernel_spec(it->g, it->a, it->s->kh, it->s->kw, it->A);
  bn_sasd_real_spec(it->g, it->x, it->Xh);
  BN_CALL(it->g->ctx, bn_iadm_lip(it, it->A, &it->Lx));
  BN_CALL(it->g->ctx, bn_iadm_lip(it, it->Xh, &it->La));
  it->restart = true;
  return BN_OK;
}

/* The offset (o0, o1) of the k (k x k) block of the window with the most
 * energy (first on ties). */
static void bn_iadm_best(const bn_sasd_t *s, const double *a, int *o0,
                         int *o1) {
  const int k = s->k, kw = s->kw, hk = s->kh > 1 ? k : 1;
  double best = -1;
  *o0 = *o1 = 0;
  for (int i = 0; i + hk <= s->kh; i++)
    for (int j = 0; j + k <= kw; j++) {
      double e = 0;
      for (int p = 0; p < hk; p++)
        for (int q = 0; q < k; q++) {
          double v = a[(i + p) * kw + j + q];
          e += v * v;
        }
      if (e > best) {
        best = e;
        *o0 = i;
        *o1 = j;
      }
    }
}

/* Move the best block to the middle of the window (offset k - 1), x the
 * opposite way, a back to unit norm with x scaled to keep a (*) x. */
static bn_status_t bn_iadm_recenter(bn_iadm_t *it) {
  const bn_sasd_t *s = it->s;
  const int k = s->k, kw = s->kw, kh = s->kh;
  int o0, o1;
  bn_iadm_best(s, it->a, &o0, &o1);
  int d0 = kh > 1 ? o0 - (k - 1) : 0, d1 = o1 - (k - 1);
  if (d0 == 0 && d1 == 0) return BN_OK;
  memset(it->tw, 0, it->nw * sizeof(double));
  for (int i = 0; i < kh; i++)
    for (int j = 0; j < kw; j++) {
      int si = i + d0, sj = j + d1;
      if (si >= 0 && si < kh && sj >= 0 && sj < kw)
        it->tw[i * kw + j] = it->a[si * kw + sj];
    }
  double nr = bn_nrm(it->tw, it->nw);
  if (nr == 0) return BN_OK;
  for (size_t i = 0; i < it->nw; i++) it->a[i] = it->tw[i] / nr;
  bn_sasd_grid_t *g = it->g;
  bn_sasd_shift(g, it->x, d0, d1);
  for (size_t i = 0; i < 2 * g->alloc; i++) it->x[i] *= nr;
  memcpy(it->xp, it->x, 2 * g->alloc * sizeof(double));
  memcpy(it->ap, it->a, it->nw * sizeof(double));
  return bn_iadm_fresh(it);
}

static bn_status_t bn_iadm_xstep(bn_iadm_t *it, double al) {
  bn_sasd_grid_t *g = it->g;
  const size_t nl = g->ns;
  const double inv = 1.0 / ((double)g->h * (double)g->w);
  const fftw_complex *A = it->A, *Xh = it->Xh, *Xp = it->Xhp, *Y = it->s->Y;
  fftw_complex *T = it->T;
  for (size_t q = 0; q < nl; q++) {
    double wr = Xh[q][0] + al * (Xh[q][0] - Xp[q][0]);
    double wi = Xh[q][1] + al * (Xh[q][1] - Xp[q][1]);
    double rr = A[q][0] * wr - A[q][1] * wi - Y[q][0];
    double ri = A[q][0] * wi + A[q][1] * wr - Y[q][1];
    T[q][0] = (A[q][0] * rr + A[q][1] * ri) * inv;
    T[q][1] = (A[q][0] * ri - A[q][1] * rr) * inv;
  }
  bn_sasd_fft_bwd(g, T);
  const double *gx = (const double *)T;
  const double t = 1.0 / it->Lx, thr = it->lambda * t;
  double *xt = (double *)T; /* gx is read, then overwritten by the new x */
  double v[3] = {0, 0, 0};  /* ||dx||^2, ||x||^2, ||x||_1 */
  for (bn_idx_t i = 0; i < g->n0; i++) {
    for (bn_idx_t j = 0; j < g->w; j++) {
      size_t q = (size_t)i * g->ws + (size_t)j;
      double x = it->x[q], wv = x + al * (x - it->xp[q]);
      double u = wv - t * gx[q];
      double xn = u > thr ? u - thr : u < -thr ? u + thr : 0.0;
      v[0] += (xn - x) * (xn - x);
      v[1] += xn * xn;
      v[2] += fabs(xn);
      it->xp[q] = x;
      it->x[q] = xn;
      xt[q] = xn;
    }
    for (size_t j = (size_t)g->w; j < g->ws; j++) xt[(size_t)i * g->ws + j] = 0;
  }
  BN_CALL(g->ctx, bn_sasd_sum(g, v, 3));
  it->change = v[1] > 0 ? sqrt(v[0] / v[1]) : sqrt(v[0]);
  it->x2 = v[1];
  it->l1 = v[2];
  /* X_p <- X, X <- FFT(x) */
  bn_sasd_fft_fwd(g, T);
  it->T = it->Xhp;
  it->Xhp = it->Xh;
  it->Xh = T;
  return BN_OK;
}

static bn_status_t bn_iadm_astep(bn_iadm_t *it, double be) {
  bn_sasd_grid_t *g = it->g;
  const size_t nl = g->ns, nw = it->nw;
  const double inv = 1.0 / ((double)g->h * (double)g->w);
  for (size_t i = 0; i < nw; i++)
    it->z[i] = it->a[i] + be * (it->a[i] - it->ap[i]);
  double c = 1.0 / bn_nrm(it->z, nw);
  for (size_t i = 0; i < nw; i++) it->z[i] *= c;
  double da = 0, la = 0; /* L_a = max |X|^2, in the same pass */
  const fftw_complex *A = it->A, *Ap = it->Ap, *X = it->Xh, *Y = it->s->Y;
  fftw_complex *T = it->T;
  for (size_t q = 0; q < nl; q++) {
    double zr = c * (A[q][0] + be * (A[q][0] - Ap[q][0]));
    double zi = c * (A[q][1] + be * (A[q][1] - Ap[q][1]));
    double rr = zr * X[q][0] - zi * X[q][1] - Y[q][0];
    double ri = zr * X[q][1] + zi * X[q][0] - Y[q][1];
    la = bn_big(la, X[q][0] * X[q][0] + X[q][1] * X[q][1]);
    T[q][0] = (X[q][0] * rr + X[q][1] * ri) * inv;
    T[q][1] = (X[q][0] * ri - X[q][1] * rr) * inv;
  }
  BN_CALL(g->ctx, bn_sasd_max(g, &la, 1));
  it->La = la;
  if (it->La > 0) {
    bn_sasd_fft_bwd(g, T);
    BN_CALL(g->ctx, bn_sasd_window(g, T, it->s->kh, it->s->kw, 1.0, it->ga));
    double d = 0;
    for (size_t i = 0; i < nw; i++) d += it->ga[i] * it->z[i];
    for (size_t i = 0; i < nw; i++)
      it->tw[i] = it->z[i] - (it->ga[i] - d * it->z[i]) / it->La;
    double n = bn_nrm(it->tw, nw);
    for (size_t i = 0; i < nw; i++) it->tw[i] /= n;
  } else {
    memcpy(it->tw, it->a, nw * sizeof(double));
  }
  for (size_t i = 0; i < nw; i++) {
    da += (it->tw[i] - it->a[i]) * (it->tw[i] - it->a[i]);
    it->ap[i] = it->a[i];
    it->a[i] = it->tw[i];
  }
  it->change = fmax(it->change, sqrt(da));
  /* A_p <- A, A <- FFT(a); L_x comes with the objective */
  bn_sasd_kernel_spec(g, it->a, it->s->kh, it->s->kw, T);
  it->T = it->Ap;
  it->Ap = it->A;
  it->A = T;
  return BN_OK;
}

/* F = psi(a, x) + lambda ||x||_1 at the current iterate (||x||_1 from
 * the x-step or bn_iadm_fresh), and L_x = max |A|^2 in the same pass. */
static bn_status_t bn_iadm_objective(bn_iadm_t *it) {
  bn_sasd_grid_t *g = it->g;
  const size_t nl = g->ns;
  const fftw_complex *A = it->A, *X = it->Xh, *Y = it->s->Y;
  double v = 0, lx = 0;
  for (size_t q = 0; q < nl; q++) {
    double rr = A[q][0] * X[q][0] - A[q][1] * X[q][1] - Y[q][0];
    double ri = A[q][0] * X[q][1] + A[q][1] * X[q][0] - Y[q][1];
    v += bn_sasd_wq(g, q) * (rr * rr + ri * ri);
    lx = bn_big(lx, A[q][0] * A[q][0] + A[q][1] * A[q][1]);
  }
  BN_CALL(g->ctx, bn_sasd_sum(g, &v, 1));
  BN_CALL(g->ctx, bn_sasd_max(g, &lx, 1));
  it->Lx = lx;
  double psi = 0.5 * v / ((double)g->h * (double)g->w);
  it->F = psi + it->lambda * it->l1;
  it->resid = sqrt(2 * psi / it->s->ynorm2);
  return BN_OK;
}

static bn_status_t bn_iadm_record(bn_iadm_t *it, bn_sasd_result_t *r) {
  bn_sasd_hist_t *h = &r->hist;
  if (h->n == h->cap) {
    int64_t cap = h->cap ? 2 * h->cap : 256;
    double **arr[6] = {&h->obj,   &h->lambda, &h->change,
                       &h->resid, &h->err,    &h->secs};
    bn_status_t st = BN_OK;
    for (int i = 0; i < 6 && st == BN_OK; i++) {
      double *p = bn_realloc_n(*arr[i], (size_t)cap, sizeof(double));
      if (!p)
        st = BN_ERROR(it->g->ctx, BN_ERR_MEM, "out of memory (history)");
      else
        *arr[i] = p;
    }
    /* Agreed: the other ranks would wait in the next allreduce. */
    BN_CALL(it->g->ctx, bn_agree(it->g->ctx, st));
    h->cap = cap;
  }
  double err = NAN;
  if (it->truth_w)
    err = bn_shift_error(it->a, it->truth_w, it->s->kh, it->s->kw, NULL);
  h->obj[h->n] = it->F;
  h->lambda[h->n] = it->lambda;
  h->change[h->n] = it->change;
  h->resid[h->n] = it->resid;
  h->err[h->n] = err;
  h->secs[h->n] = bn_wtime() - it->t0;
  h->n++;
  return BN_OK;
}

/* The start: a k (k x k) segment of y at a random place (the seed's),
 * in the middle of the window, on the sphere; x = 0. A segment that is
 * zero (sparse y) is passed over for another place. */
static bn_status_t bn_iadm_start(bn_iadm_t *it) {
  bn_sasd_t *s = it->s;
  bn_sasd_grid_t *g = it->g;
  const int k = s->k, kw = s->kw, hk = s->kh > 1 ? k : 1;
  for (uint64_t t = 0; t < 1000; t++) {
    memset(it->a, 0, it->nw * sizeof(double));
    bn_idx_t i0 =
        (bn_idx_t)(bn_rng_uniform(it->p->seed, BN_SASD_STREAM_INIT, t, 0) *
                   (double)g->h);
    bn_idx_t j0 =
        (bn_idx_t)(bn_rng_uniform(it->p->seed, BN_SASD_STREAM_INIT, t, 1) *
                   (double)g->w);
    for (int p = 0; p < hk; p++) {
      bn_idx_t gi = (i0 + p) % g->h, li = gi - g->r0;
      if (li < 0 || li >= g->n0) continue;
      for (int q = 0; q < k; q++)
        it->a[(hk > 1 ? (k - 1 + p) * kw : 0) + k - 1 + q] =
            s->y[(size_t)li * g->ws + (size_t)((j0 + q) % g->w)];
    }
    BN_CALL(g->ctx, bn_sasd_sum(g, it->a, (int)it->nw));
    double n = bn_nrm(it->a, it->nw);
    if (n > 1e-300) {
      for (size_t i = 0; i < it->nw; i++) it->a[i] /= n;
      break;
    }
  }
  if (bn_nrm(it->a, it->nw) == 0) /* y is nonzero: cannot happen often */
    for (size_t i = 0; i < it->nw; i++) it->a[i] = 1.0 / sqrt((double)it->nw);
  memcpy(it->ap, it->a, it->nw * sizeof(double));
  memset(it->x, 0, 2 * g->alloc * sizeof(double));
  memset(it->xp, 0, 2 * g->alloc * sizeof(double));
  return bn_iadm_fresh(it);
}

/* lambda_max = ||C_a^T y||_inf at the start. */
static bn_status_t bn_iadm_lmax(bn_iadm_t *it, double *lmax) {
  bn_sasd_grid_t *g = it->g;
  const size_t nl = g->ns;
  const double inv = 1.0 / ((double)g->h * (double)g->w);
  const fftw_complex *A = it->A, *Y = it->s->Y;
  memset(it->T, 0, g->alloc * sizeof(fftw_complex));
  for (size_t q = 0; q < nl; q++) {
    it->T[q][0] = (A[q][0] * Y[q][0] + A[q][1] * Y[q][1]) * inv;
    it->T[q][1] = (A[q][0] * Y[q][1] - A[q][1] * Y[q][0]) * inv;
  }
  bn_sasd_fft_bwd(g, it->T);
  const double *r = (const double *)it->T;
  double m = 0;
  for (bn_idx_t i = 0; i < g->n0; i++)
    for (bn_idx_t j = 0; j < g->w; j++)
      m = fmax(m, fabs(r[(size_t)i * g->ws + (size_t)j]));
  BN_CALL(g->ctx, bn_sasd_max(g, &m, 1));
  *lmax = m;
  return BN_OK;
}

static void bn_iadm_free(bn_iadm_t *it) {
  fftw_free(it->Xh);
  fftw_free(it->Xhp);
  fftw_free(it->A);
  fftw_free(it->Ap);
  fftw_free(it->T);
  fftw_free(it->xp);
  free(it->a);
  free(it->ap);
  free(it->z);
  free(it->ga);
  free(it->tw);
  free(it->truth_w);
}

static bn_status_t bn_iadm_alloc(bn_iadm_t *it) {
  bn_sasd_grid_t *g = it->g;
  bn_sasd_t *s = it->s;
  it->nw = (size_t)s->kh * (size_t)s->kw;
  it->Xh = bn_sasd_alloc(g);
  it->Xhp = bn_sasd_alloc(g);
  it->A = bn_sasd_alloc(g);
  it->Ap = bn_sasd_alloc(g);
  it->T = bn_sasd_alloc(g);
  it->x = (double *)bn_sasd_alloc(g);
  it->xp = (double *)bn_sasd_alloc(g);
  it->a = calloc(it->nw, sizeof(double));
  it->ap = calloc(it->nw, sizeof(double));
  it->z = calloc(it->nw, sizeof(double));
  it->ga = calloc(it->nw, sizeof(double));
  it->tw = calloc(it->nw, sizeof(double));
  bool ok = it->Xh && it->Xhp && it->A && it->Ap && it->T && it->x && it->xp &&
            it->a && it->ap && it->z && it->ga && it->tw;
  if (ok && s->a_true) {
    const int k = s->k, hk = s->kh > 1 ? k : 1;
    it->truth_w = calloc(it->nw, sizeof(double));
    ok = it->truth_w != NULL;
    for (int i = 0; ok && i < hk; i++)
      for (int j = 0; j < k; j++)
        it->truth_w[i * s->kw + j] = s->a_true[i * k + j];
  }
  return bn_agree(g->ctx, ok ? BN_OK
                             : BN_ERROR(g->ctx, BN_ERR_MEM,
                                        "out of memory for the iADM iterates"));
}

/* The canonical kernel (best block, unit norm, largest entry positive)
 * and x aligned with it. */
static bn_status_t bn_iadm_finish(bn_iadm_t *it, bn_sasd_result_t *r) {
  bn_sasd_t *s = it->s;
  const int k = s->k, kw = s->kw, hk = s->kh > 1 ? k : 1;
  const size_t nk = (size_t)hk * (size_t)k;
  r->a_win = bn_alloc_n(it->nw, sizeof(double));
  r->a = bn_alloc_n(nk, sizeof(double));
  BN_CALL(it->g->ctx,
          bn_agree(it->g->ctx,
                   r->a_win && r->a
                       ? BN_OK
                       : BN_ERROR(it->g->ctx, BN_ERR_MEM, "out of memory")));
  memcpy(r->a_win, it->a, it->nw * sizeof(double));
  int o0, o1;
  bn_iadm_best(s, it->a, &o0, &o1);
  size_t imax = 0;
  for (int p = 0; p < hk; p++)
    for (int q = 0; q < k; q++) {
      r->a[p * k + q] = it->a[(o0 + p) * kw + o1 + q];
      if (fabs(r->a[p * k + q]) > fabs(r->a[imax])) imax = (size_t)(p * k + q);
    }
  double n = bn_nrm(r->a, nk), sg = r->a[imax] < 0 ? -1.0 : 1.0;
  if (n > 0)
    for (size_t i = 0; i < nk; i++) r->a[i] *= sg / n;
  bn_sasd_shift(it->g, it->x, hk > 1 ? o0 : 0, o1);
  for (size_t i = 0; i < 2 * it->g->alloc; i++) it->x[i] *= sg * n;
  r->x = it->x;
  it->x = NULL;
  r->kernel_error = bn_sasd_kernel_error(s, r->a);
  return BN_OK;
}

/* One iteration boundary: the state (a, x, the previous ones, lambda,
 * the stage, F, L_x, the restart flag, the counters and the history) is
 * all a restart needs; checkpoints are taken here, after the stage
 * change, so a restored run continues as the same run. */
static bn_status_t bn_iadm_loop(bn_iadm_t *it, bn_sasd_result_t *r,
                                bool fresh) {
  const bn_sasd_params_t *p = it->p;
  bn_ctx_t *ctx = it->g->ctx;
  double lfinal = r->lambda;
  if (fresh) {
    BN_CALL(ctx, bn_iadm_objective(it));
    it->change = NAN;
    BN_CALL(ctx, bn_iadm_record(it, r));
  }
  for (;;) {
    bool last = it->lambda <= lfinal;
    double al = it->restart ? 0.0 : p->momentum, Fold = it->F;
    it->restart = false;
    BN_CALL(ctx, bn_iadm_xstep(it, al));
    BN_CALL(ctx, bn_iadm_astep(it, al));
    BN_CALL(ctx, bn_iadm_objective(it));
    if (!isfinite(it->F))
      return BN_ERROR_ALL(ctx, BN_ERR_NUM,
                          "iADM: the objective became %g at iteration %lld",
                          it->F, (long long)r->iterations + 1);
    if (it->F > Fold) it->restart = true;
    r->iterations++;
    it->in_stage++;
    BN_CALL(ctx, bn_iadm_record(it, r));
    const bn_sasd_hist_t *h = &r->hist;
    if (p->monitor > 0 && r->iterations % p->monitor == 0) {
      char err[48] = "";
      if (it->truth_w)
        snprintf(err, sizeof err, "  kernel_err = %.3e", h->err[h->n - 1]);
      bn_log(ctx, BN_LOG_INFO,
             "its = %6lld  lambda = %.3e  F = %.10e  resid = %.3e  change = "
             "%.2e%s\n",
             (long long)r->iterations, it->lambda, it->F, it->resid, it->change,
             err);
    }
    /* every rank sees the same numbers except the clock and the signals:
     * agree on those (the clock: the slowest's) */
    double now = bn_wtime() - it->t0;
    double stop[2] = {now, (double)bn_signal_pending()};
    BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, stop, 2, MPI_DOUBLE, MPI_MAX,
                              bn_ctx_comm(ctx)));
    if (last && it->change <= p->tol) {
      r->converged = true;
      break;
    }
    if (r->iterations >= p->max_iter ||
        (p->time_limit > 0 && stop[0] > p->time_limit))
      break;
    if (!last &&
        (it->change <= p->stage_tol || it->in_stage >= p->stage_iter)) {
      it->lambda = fmax(p->eta * it->lambda, lfinal);
      r->stages++;
      it->in_stage = 0;
      BN_CALL(ctx, bn_iadm_recenter(it));
      it->restart = true;
      BN_CALL(ctx, bn_iadm_objective(it));
    }
    bool halt = stop[1] != 0;
    if (p->step)
      BN_CALL(ctx, p->step(p->cb_data, it, r->iterations, stop[0], (int)stop[1],
                           &halt));
    if (halt) {
      r->signal = (int)stop[1];
      break;
    }
  }
  r->objective = it->F;
  r->resid = it->resid;
  r->change = it->change;
  return BN_OK;
}

bn_status_t bn_sasd_solve(bn_sasd_t *s, const bn_sasd_params_t *p,
                          bn_sasd_result_t *r) {
  memset(r, 0, sizeof(*r));
  r->kernel_error = NAN;
  bn_iadm_t it = {0};
  it.s = s;
  it.g = s->g;
  it.p = p;
  it.t0 = bn_wtime();
  it.r = r;
  bn_status_t st = bn_iadm_alloc(&it);
  if (st == BN_OK && p->resume) {
    st = p->resume(p->cb_data, &it); /* bn_sasd_state_read */
    if (st == BN_OK) st = bn_iadm_loop(&it, r, false);
  } else if (st == BN_OK) {
    st = bn_iadm_start(&it);
    if (st == BN_OK) st = bn_iadm_lmax(&it, &r->lambda_max);
    if (st == BN_OK) {
      r->lambda = p->lambda > 0 ? p->lambda : p->lambda_ratio * r->lambda_max;
      it.lambda = fmax(p->lambda_start * r->lambda_max, r->lambda);
      r->stages = 1;
      st = bn_iadm_loop(&it, r, true);
    }
  }
  if (st == BN_OK) st = bn_iadm_finish(&it, r);
  if (st == BN_OK) r->lambda = it.lambda;
  fftw_free(it.x);
  bn_iadm_free(&it);
  return st;
}
