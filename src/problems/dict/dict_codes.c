/* Dictionary learning: the dictionary in the data's coordinates, the codes
 * and the metrics.
 *
 * An atom q (preconditioned coordinates) is the data direction
 * a = M^(1/2) q / d, d = |M^(1/2) q|. With C the codes in preconditioned
 * units (ybar ~ Q c), the codes of the data are x = D c (y ~ A x).
 *   complete (l4, or sphere with all m atoms): Q is orthogonal, so
 *     c = Q^T ybar exactly; entries below --code-threshold times their
 *     atom's RMS code are set to zero;
 *   otherwise (overcomplete, or fewer atoms): the lasso
 *     min_c 1/2 |ybar - Q c|^2 + lasso |c|_1 per sample, by FISTA with the
 *     step 1/L, L the largest eigenvalue of Q^T Q (power iteration).
 * Everything is local to each process's samples but the n x n Gram, the
 * per-atom sums of squares and the metric sums (one allreduce each). The
 * representation error |Y - A X|_F / |Y|_F uses
 * y - A x = M^(1/2) (ybar - Q c). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/dict/dict.h"

#define BN_DICT_BLOCK 1024

/* ahat (m x J) and the scales dn (J). */
static void bn_dict_ahat(bn_dict_t *d, double *dn) {
  const int m = (int)d->m, J = d->found;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, J, m, 1.0, d->msq,
              m, d->qk, d->n, 0.0, d->ahat, J);
  for (int k = 0; k < J; k++) {
    double s = 0.0;
    for (int i = 0; i < m; i++) s += d->ahat[i * J + k] * d->ahat[i * J + k];
    dn[k] = sqrt(s);
    for (int i = 0; i < m; i++) d->ahat[i * J + k] /= dn[k] > 0 ? dn[k] : 1.0;
  }
}

static double bn_dict_soft(double v, double t) {
  return v > t ? v - t : v < -t ? v + t : 0.0;
}

/* Largest eigenvalue of the J x J Gram g (power iteration; an upper
 * bound from the row sums if it fails). */
static double bn_dict_lmax(int J, const double *g, double *v, double *w) {
  double bound = 0.0, lam = 0.0;
  for (int i = 0; i < J; i++) {
    double s = 0.0;
    for (int k = 0; k < J; k++) s += fabs(g[i * J + k]);
    bound = fmax(bound, s);
  }
  for (int i = 0; i < J; i++) v[i] = 1.0 + 0.01 * i;
  for (int it = 0; it < 100; it++) {
    cblas_dgemv(CblasRowMajor, CblasNoTrans, J, J, 1.0, g, J, v, 1, 0.0, w, 1);
    double s = sqrt(cblas_ddot(J, w, 1, w, 1));
    if (!(s > 0)) return bound;
    lam = s / sqrt(cblas_ddot(J, v, 1, v, 1));
    for (int i = 0; i < J; i++) v[i] = w[i] / s;
  }
  return fmin(bound, 1.01 * lam);
}

bn_status_t bn_dict_lasso(bn_dict_t *d, const double *b, double *c,
                          int64_t iters, bool warm) {
  bn_ctx_t *ctx = d->ctx;
  const int m = (int)d->m, J = d->found, pl = (int)d->pl;
  const size_t pj = (size_t)pl * J;
  double *g = NULL;
  BN_CALL(
      ctx,
      bn_agree(ctx, bn_mallocn(
                        ctx,
                        bn_size_add(
                            bn_size_add(bn_size_add(bn_size_mul((size_t)J, J),
                                                    bn_size_mul(2, (size_t)J)),
                                        bn_size_mul(3, pj)),
                            1),
                        sizeof(double), &g)));
  double *v = g + (size_t)J * J, *w = v + J, *z = w + J, *cn = z + pj,
         *gr = cn + pj;
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, J, J, m, 1.0, d->qk,
              d->n, d->qk, d->n, 0.0, g, J);
  const double L = bn_dict_lmax(J, g, v, w), thr = d->lasso / L;
  if (!warm) memset(c, 0, pj * sizeof(double));
  memcpy(z, c, pj * sizeof(double));
  double t = 1.0;
  (void)cn;
  for (int64_t it = 0; it < iters && pl > 0; it++) {
    /* gr = Z G; then one pass: the prox step from z and the momentum. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, pl, J, J, 1.0, z, J,
                g, J, 0.0, gr, J);
    double tn = 0.5 * (1.0 + sqrt(1.0 + 4.0 * t * t)), mom = (t - 1.0) / tn;
    for (size_t k = 0; k < pj; k++) {
      double v = bn_dict_soft(z[k] - (gr[k] - b[k]) / L, thr);
      z[k] = v + mom * (v - c[k]);
      c[k] = v;
    }
    t = tn;
  }
  free(g);
  return BN_OK;
}

/* Complete: c = Q^T ybar (already in c), thresholded per atom. */
static bn_status_t bn_dict_threshold(bn_dict_t *d, double *c) {
  const int J = d->found, pl = (int)d->pl;
  double *s = NULL;
  BN_CALL(d->ctx, bn_agree(d->ctx, bn_calloc(d->ctx, (size_t)J + 1,
                                             sizeof(double), &s)));
  for (int j = 0; j < pl; j++)
    for (int k = 0; k < J; k++)
      s[k] += c[(size_t)j * J + k] * c[(size_t)j * J + k];
  bn_status_t st = bn_allreduce_sum(d->ctx, s, (size_t)J);
  for (int k = 0; k < J; k++) s[k] = d->code_thr * sqrt(s[k] / (double)d->p);
  for (int j = 0; j < pl; j++)
    for (int k = 0; k < J; k++)
      if (fabs(c[(size_t)j * J + k]) < s[k]) c[(size_t)j * J + k] = 0.0;
  free(s);
  return st;
}

/* Sums over this process's samples: [nnz, |y - A x|^2, |ybar - Q c|^2,
 * |c|_1] (rows blocked through a small buffer). */
static bn_status_t bn_dict_residual(bn_dict_t *d, const double *c,
                                    double *sums) {
  const int m = (int)d->m, J = d->found, pl = (int)d->pl;
  double *e = NULL;
  BN_CALL(
      d->ctx,
      bn_agree(d->ctx,
               bn_mallocn(d->ctx,
                          bn_size_mul(bn_size_mul(2, (size_t)BN_DICT_BLOCK), m),
                          sizeof(double), &e)));
  double *f = e + (size_t)BN_DICT_BLOCK * m;
  for (size_t k = 0; k < (size_t)pl * J; k++) {
    sums[0] += c[k] != 0.0;
    sums[3] += fabs(c[k]);
  }
  for (int r = 0; r < pl; r += BN_DICT_BLOCK) {
    int nb = pl - r < BN_DICT_BLOCK ? pl - r : BN_DICT_BLOCK;
    memcpy(e, d->y + (size_t)r * m, (size_t)nb * m * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, m, J, -1.0,
                c + (size_t)r * J, J, d->qk, d->n, 1.0, e, m);
    for (size_t k = 0; k < (size_t)nb * m; k++) sums[2] += e[k] * e[k];
    if (d->precond) {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nb, m, m, 1.0, e,
                  m, d->msq, m, 0.0, f, m);
      for (size_t k = 0; k < (size_t)nb * m; k++) sums[1] += f[k] * f[k];
    }
  }
  if (!d->precond) sums[1] = sums[2];
  free(e);
  return BN_OK;
}

/* Metrics against /A_true: G = Ahat^T A0 (J x nt). */
static bn_status_t bn_dict_truth_metrics(bn_dict_t *d, bn_dict_report_t *r) {
  const int m = (int)d->m, J = d->found, nt = d->nt;
  double *g = NULL;
  BN_CALL(
      d->ctx,
      bn_agree(d->ctx,
               bn_mallocn(d->ctx, bn_size_add(bn_size_mul((size_t)J, nt), 1),
                          sizeof(double), &g)));
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, J, nt, m, 1.0, d->ahat,
              J, d->atrue, nt, 0.0, g, nt);
  double s4 = 0.0, mc = 1.0, ac = 1.0;
  int matched = 0;
  for (int k = 0; k < nt; k++) {
    double best = 0.0;
    for (int j = 0; j < J; j++) {
      double v = g[j * nt + k] * g[j * nt + k];
      s4 += v * v;
      best = fmax(best, fabs(g[j * nt + k]));
    }
    matched += best > 0.99;
    mc = fmin(mc, best);
  }
  for (int j = 0; j < J; j++) {
    double best = 0.0;
    for (int k = 0; k < nt; k++) best = fmax(best, fabs(g[j * nt + k]));
    ac = fmin(ac, best);
  }
  r->l4_error = 1.0 - s4 / nt;
  r->matched = (double)matched / nt;
  r->min_cos = mc;
  r->atom_cos = ac;
  free(g);
  return BN_OK;
}

bn_status_t bn_dict_codes(bn_dict_t *d, bn_dict_report_t *r) {
  bn_ctx_t *ctx = d->ctx;
  const int m = (int)d->m, J = d->found, pl = (int)d->pl;
  *r = (bn_dict_report_t){J, d->nt, NAN, NAN, NAN, NAN, NAN, NAN, NAN, 0};
  if (J == 0) return BN_OK;
  bn_timer_start(ctx, d->t_codes);
  const size_t pj = (size_t)pl * J;
  double *dn = NULL, *b = NULL;
  free(d->ahat);
  free(d->xc);
  d->ahat = d->xc = NULL;
  bn_status_t st = bn_mallocn(ctx, bn_size_add(bn_size_mul((size_t)m, J), 1),
                              sizeof(double), &d->ahat);
  if (st == BN_OK) st = bn_mallocn(ctx, pj + 1, sizeof(double), &d->xc);
  if (st == BN_OK)
    st = bn_mallocn(ctx, (size_t)J + pj + 1, sizeof(double), &dn);
  BN_CALL(ctx, bn_agree(ctx, st));
  b = dn + J;
  bn_dict_ahat(d, dn);
  if (pl > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, pl, J, m, 1.0, d->y,
                m, d->qk, d->n, 0.0, b, J);
  const bool complete = d->method->complete && J == m;
  if (complete) {
    memcpy(d->xc, b, pj * sizeof(double));
    st = bn_dict_threshold(d, d->xc);
  } else if (d->method->codes) {
    st = d->method->codes(d, b, d->xc);
  } else {
    st = bn_dict_lasso(d, b, d->xc, d->code_iters, false);
  }
  double sums[4] = {0, 0, 0, 0};
  if (st == BN_OK) st = bn_dict_residual(d, d->xc, sums);
  if (st == BN_OK) st = bn_allreduce_sum(ctx, sums, 4);
  for (size_t k = 0; k < pj; k++) d->xc[k] *= dn[k % J];
  if (st == BN_OK) {
    r->nnz = (int64_t)sums[0];
    r->sparsity = sums[0] / ((double)J * (double)d->p);
    r->rep_error = d->ynorm2 > 0 ? sqrt(sums[1] / d->ynorm2) : NAN;
    if (!complete)
      r->synthesis = (0.5 * sums[2] + d->lasso * sums[3]) / (double)d->p;
    d->nnz = r->nnz;
  }
  if (st == BN_OK && d->nt) st = bn_dict_truth_metrics(d, r);
  free(dn);
  bn_timer_stop(ctx, d->t_codes);
  return st;
}

bn_status_t bn_dict_write_codes(bn_dict_t *d, bn_h5_t *f) {
  bn_ctx_t *ctx = d->ctx;
  const int J = d->found, pl = (int)d->pl;
  if (J == 0 || d->codes == 0 || !d->xc) return BN_OK;
  if (d->codes == 2) {
    bn_dmat_t *x = NULL;
    BN_CALL(ctx, bn_dmat_create(d->sdist, J, &x));
    memcpy(bn_dmat_data(x), d->xc, (size_t)pl * J * sizeof(double));
    bn_status_t st = bn_h5_write_dmat(f, "/X", x);
    bn_dmat_destroy(x);
    return st;
  }
  long long loc = 0, off = 0;
  for (size_t k = 0; k < (size_t)pl * J; k++) loc += d->xc[k] != 0.0;
  BN_MPI(ctx,
         MPI_Exscan(&loc, &off, 1, MPI_LONG_LONG, MPI_SUM, bn_ctx_comm(ctx)));
  if (bn_ctx_rank(ctx) == 0) off = 0;
  int64_t *ri = NULL;
  double *v = NULL;
  bn_status_t st =
      bn_mallocn(ctx, bn_size_mul(2, ((size_t)loc + 1)), sizeof(int64_t), &ri);
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)loc + 1, sizeof(double), &v);
  st = bn_agree(ctx, st);
  int64_t *ci = ri ? ri + loc + 1 : NULL, e = 0;
  for (int j = 0; st == BN_OK && j < pl; j++)
    for (int k = 0; k < J; k++) {
      double x = d->xc[(size_t)j * J + k];
      if (x == 0.0) continue;
      ri[e] = k;
      ci[e] = d->p0 + j;
      v[e++] = x;
    }
  if (st == BN_OK) st = bn_h5_write_i64(f, "/X/row", d->nnz, off, loc, ri);
  if (st == BN_OK) st = bn_h5_write_i64(f, "/X/col", d->nnz, off, loc, ci);
  if (st == BN_OK) st = bn_h5_write_f64(f, "/X/val", d->nnz, off, loc, v);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/X", "rows", J);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/X", "cols", d->p);
  free(ri);
  free(v);
  return st;
}
