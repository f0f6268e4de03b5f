/* Robust PCA, --method=altproj: the one pass over M (the objective) and
 * one projection (the objective's sweep).
 *
 * At L = U s V^T (U, V orthonormal) with D = M - S, the projection of D
 * onto the tangent space of the rank-r matrices at L is
 *   P_T D = [U Q2] [C R1^T; R2 0] [V Q1]^T,   C = U^T D V,
 *   Q2 R2 = (I - U U^T) D V,   Q1 R1 = (I - V V^T) D^T U,
 * whose best rank-r approximation (the next L) comes from the SVD of the
 * 2r x 2r middle. The threshold of the next S is beta (s_{r+1} + decay^t
 * s_1) of that SVD. Everything n-sized here is local rows times r x r
 * matrices: D = L - Z with Z = L + S - M, so D V = U s - Z V and
 * D^T U = V s - Z^T U, and Z Y, Z^T X are the gradient of the evaluation
 * at this point (bn_rpca_ap_eval: the one pass over M). The orthonormal
 * bases come from r x r Grams (one allreduce each): a Gram's eigenvectors
 * W and values l give Q = A W l^-1/2, R = l^1/2 W^T, with the directions
 * of l below 1e-26 l_max dropped, so a rank-deficient A (an exact
 * recovery: (I - U U^T) D V = 0) needs no special case. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/rpca_colsel.h"

/* out = a t (+ out if add): a n x r, t r x r (row-major, local). */
static void bn_ap_mul(bn_idx_t n, int r, const double *a, const double *t,
                      bool add, double *out) {
  if (n > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, r, r, 1.0, a,
                r, t, r, add ? 1.0 : 0.0, out, r);
}

/* The Gram g = A^T A (r x r) as A = Q R: t (Q = A t) and rr (R). w: r^2 + r
 * doubles of scratch. */
static bn_status_t bn_ap_basis(bn_ctx_t *ctx, int r, const double *g, double *t,
                               double *rr, double *w) {
  double *wt = w, *l = w + r * r;
  /* A symmetric positive semidefinite matrix's SVD is its eigensystem. */
  BN_CALL(ctx, bn_small_svd(ctx, r, r, g, t, l, wt));
  const double floor = 1e-26 * l[0];
  for (int k = 0; k < r; k++) {
    bool keep = l[k] > floor && l[k] > 0;
    double sq = keep ? sqrt(l[k]) : 0.0, inv = keep ? 1.0 / sq : 0.0;
    for (int a = 0; a < r; a++) {
      rr[k * r + a] = sq * t[a * r + k]; /* l^1/2 W^T */
      t[a * r + k] *= inv;               /* W l^-1/2  */
    }
  }
  return BN_OK;
}

bn_status_t bn_rpca_ap_factor(bn_rpca_t *c, const double *x, double *tu,
                              double *tv, double *s) {
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, r2 = r * r;
  /* Scratch after the sweep's own r x r blocks (bn_rpca_ap_sweep). */
  double *g = c->ap->small + 25 * r2, *tx = g + 2 * r2, *rx = tx + r2,
         *ty = rx + r2, *ry = ty + r2, *k = ry + r2, *wk = k + r2,
         *qt = wk + r2, *w = qt + r2;
  memset(g, 0, 2 * (size_t)r2 * sizeof(double));
  BN_CALL(ctx, bn_gram_local(r, c->nu, x, x, g));
  BN_CALL(ctx, bn_gram_local(r, c->nv, x + c->nu * r, x + c->nu * r, g + r2));
  BN_CALL(ctx, bn_allreduce_sum(ctx, g, 2 * (size_t)r2));
  BN_CALL(ctx, bn_ap_basis(ctx, r, g, tx, rx, w));
  BN_CALL(ctx, bn_ap_basis(ctx, r, g + r2, ty, ry, w));
  /* X Y^T = Qx (Rx Ry^T) Qy^T = Qx Wk s Qk^T Qy^T. */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, r, r, r, 1.0, rx, r, ry,
              r, 0.0, k, r);
  BN_CALL(ctx, bn_small_svd(ctx, r, r, k, wk, s, qt));
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r, r, r, 1.0, tx, r,
              wk, r, 0.0, tu, r);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, r, r, r, 1.0, ty, r, qt,
              r, 0.0, tv, r);
  return BN_OK;
}

/* The 2r x 2r middle [C R1^T; R2 0], C = diag(s) - E. */
static void bn_ap_middle(int r, const double *s, const double *e,
                         const double *r1, const double *r2, double *m) {
  const int n = 2 * r;
  memset(m, 0, (size_t)n * (size_t)n * sizeof(double));
  for (int a = 0; a < r; a++)
    for (int b = 0; b < r; b++) {
      m[a * n + b] = (a == b ? s[a] : 0.0) - e[a * r + b];
      m[a * n + r + b] = r1[b * r + a];
      m[(r + a) * n + b] = r2[a * r + b];
    }
}

/* Collective: f = 1/2 |Z|^2 and g = [Z Y; Z^T X] at x for the current
 * zeta, one streaming pass over the local rows of M. */
static bn_status_t bn_ap_pass(bn_rpca_t *c, const double *x, double *f,
                              double *g) {
  bn_ctx_t *ctx = c->ctx;
  bn_rpca_ap_t *ap = c->ap;
  const int r = c->r;
  const bn_idx_t n2 = c->n2;
  bn_timer_start(ctx, c->t_gather);
  BN_CALL(ctx, bn_rpca_allgather_v(c, x + c->nu * r));
  bn_rpca_transpose_v(c);
  bn_timer_stop(ctx, c->t_gather);
  bn_timer_start(ctx, c->t_product);
  memset(c->gvt, 0, (size_t)(n2 * r) * sizeof(double));
  double *restrict row = c->colsel->rrow, *restrict z = c->rowbuf;
  const double zeta = ap->zeta;
  double red[2] = {0.0, 0.0}; /* |Z|^2, entries of S */
  for (bn_idx_t i = 0; i < c->nu; i++) {
    bn_rpca_res_row(c, x, i, row);
    double kept = 0;
    for (bn_idx_t j = 0; j < n2; j++) {
      double v = row[j];
      bool s = fabs(v) > zeta; /* as the authors' wthresh(.,'h',zeta) */
      z[j] = s ? 0.0 : -v;
      kept += s;
    }
    red[1] += kept;
    for (bn_idx_t j = 0; j < n2; j++) red[0] += z[j] * z[j];
    bn_rpca_grad_row(c, z, x + i * r, 1.0, g + i * r);
  }
  for (bn_idx_t j = 0; j < n2; j++)
    for (int a = 0; a < r; a++) c->gvall[j * r + a] = c->gvt[a * n2 + j];
  bn_timer_stop(ctx, c->t_product);
  bn_timer_start(ctx, c->t_reduce);
  BN_CALL(ctx, bn_rpca_reduce_v(c, g + c->nu * r));
  BN_CALL(ctx, bn_allreduce_sum(ctx, red, 2));
  bn_timer_stop(ctx, c->t_reduce);
  *f = 0.5 * red[0];
  ap->kept = red[1];
  return BN_OK;
}

bn_status_t bn_rpca_ap_eval(void *data, const double *x, double *f, double *g) {
  bn_rpca_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  bn_rpca_ap_t *ap = c->ap;
  const size_t len = (size_t)(c->nu + c->nv) * (size_t)c->r;
  int bad = 0;
  for (size_t e = 0; e < len && !bad; e++) bad = !isfinite(x[e]);
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX,
                            bn_ctx_comm(ctx)));
  if (bad) {
    *f = NAN;
    for (size_t e = 0; g && e < len; e++) g[e] = NAN;
    ap->cached = false;
    return BN_OK;
  }
  if (!ap->zeta_set) { /* the start: zeta_0 = beta s_1(X Y^T) */
    double *t = ap->small, *s = t + 2 * c->r * c->r;
    BN_CALL(ctx, bn_rpca_ap_factor(c, x, t, t + c->r * c->r, s));
    ap->zeta = ap->beta * s[0];
    ap->zeta_set = true;
  }
  BN_CALL(ctx, bn_ap_pass(c, x, f, ap->g));
  memcpy(ap->x, x, len * sizeof(double));
  ap->cached = true;
  if (g) memcpy(g, ap->g, len * sizeof(double));
  return BN_OK;
}

bn_status_t bn_rpca_ap_sweep(void *data, double *x) {
  bn_rpca_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  bn_rpca_ap_t *ap = c->ap;
  const int r = c->r, r2 = r * r, n = 2 * r;
  const bn_idx_t nu = c->nu, nv = c->nv;
  const size_t len = (size_t)(nu + nv) * (size_t)r;
  double f;
  if (!ap->cached || memcmp(ap->x, x, len * sizeof(double)))
    BN_CALL(ctx, bn_rpca_ap_eval(c, x, &f, NULL));
  double *sm = ap->small, *tu = sm, *tv = tu + r2, *e = tv + r2, *g = e + r2,
         *t2 = g + 2 * r2, *q2r = t2 + r2, *t1 = q2r + r2, *q1r = t1 + r2,
         *m = q1r + r2, *um = m + 4 * r2, *vmt = um + 4 * r2,
         *pu = vmt + 4 * r2, *pv = pu + 2 * r2, *s = sm + 37 * r2 + 4 * r,
         *w = s + 2 * r;
  double *u = ap->work, *zv = u + nu * r, *a2 = zv + nu * r, *v = a2 + nu * r,
         *zu = v + nv * r, *b2 = zu + nv * r;
  const double *gx = ap->g, *gy = ap->g + nu * r, *xx = x, *yy = x + nu * r;
  BN_CALL(ctx, bn_rpca_ap_factor(c, x, tu, tv, s));
  bn_ap_mul(nu, r, xx, tu, false, u);
  bn_ap_mul(nv, r, yy, tv, false, v);
  bn_ap_mul(nu, r, gx, tv, false, zv); /* Z V   */
  bn_ap_mul(nv, r, gy, tu, false, zu); /* Z^T U */
  /* E = U^T Z V; then A2 = (I - U U^T) D V = U E - Z V, and
   * B2 = (I - V V^T) D^T U = V E^T - Z^T U. */
  memset(e, 0, (size_t)r2 * sizeof(double));
  BN_CALL(ctx, bn_gram_local(r, nu, u, zv, e));
  BN_CALL(ctx, bn_allreduce_sum(ctx, e, (size_t)r2));
  memcpy(a2, zv, (size_t)(nu * r) * sizeof(double));
  memcpy(b2, zu, (size_t)(nv * r) * sizeof(double));
  if (nu > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nu, r, r, 1.0,
                u, r, e, r, -1.0, a2, r);
  if (nv > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nv, r, r, 1.0, v,
                r, e, r, -1.0, b2, r);
  memset(g, 0, 2 * (size_t)r2 * sizeof(double));
  BN_CALL(ctx, bn_gram_local(r, nu, a2, a2, g));
  BN_CALL(ctx, bn_gram_local(r, nv, b2, b2, g + r2));
  BN_CALL(ctx, bn_allreduce_sum(ctx, g, 2 * (size_t)r2));
  BN_CALL(ctx, bn_ap_basis(ctx, r, g, t2, q2r, w));
  BN_CALL(ctx, bn_ap_basis(ctx, r, g + r2, t1, q1r, w));
  bn_ap_middle(r, s, e, q1r, q2r, m);
  BN_CALL(ctx, bn_small_svd(ctx, n, n, m, um, s, vmt));
  /* X = [U Q2] Um(:, 1:r) s^1/2 = U pu_top + A2 (T2 Um_bot s^1/2), and
   * Y likewise with Vm = vmt^T. */
  for (int a = 0; a < n; a++)
    for (int k = 0; k < r; k++) {
      const double h = sqrt(s[k]);
      pu[a * r + k] = um[a * n + k] * h;
      pv[a * r + k] = vmt[k * n + a] * h;
    }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r, r, r, 1.0, t2, r,
              pu + r2, r, 0.0, e, r);
  memcpy(pu + r2, e, (size_t)r2 * sizeof(double));
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r, r, r, 1.0, t1, r,
              pv + r2, r, 0.0, e, r);
  memcpy(pv + r2, e, (size_t)r2 * sizeof(double));
  bn_ap_mul(nu, r, u, pu, false, x);
  bn_ap_mul(nu, r, a2, pu + r2, true, x);
  bn_ap_mul(nv, r, v, pv, false, x + nu * r);
  bn_ap_mul(nv, r, b2, pv + r2, true, x + nu * r);
  ap->iter++;
  ap->zeta = ap->beta * (s[r] + pow(ap->decay, (double)ap->iter) * s[0]);
  ap->cached = false;
  bn_log(ctx, BN_LOG_DEBUG,
         "altproj step %lld: s_1 = %.6g, s_r+1 = %.6g, S had %.0f entries, "
         "next zeta = %.6g\n",
         (long long)ap->iter, s[0], s[r], ap->kept, ap->zeta);
  return BN_OK;
}
