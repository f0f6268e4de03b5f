/* Dictionary learning, method `overcomplete`: refinement of the atoms the
 * l4 solves kept. The maximisers of |q^T Ybar|_4^4 lie near the atoms of
 * an overcomplete frame but not on them: at q = a_j the population
 * gradient keeps the term sum_{k != j} (a_k^T a_j)^3 a_k of the other,
 * coherent atoms, a bias of a few percent in angle for n = 2m. --refine
 * rounds of MOD (the method of optimal directions, Engan, Aase and Husoy
 * 1999) remove it: lasso codes C of the samples (FISTA, warm-started, as
 * for the final codes) and the least-squares dictionary
 * Q = (Ybar^T C)(C^T C)^-1 with unit columns -- a local product per
 * process and one allreduce of m n + n^2 numbers per round. Atoms the
 * solves did not find are first taken from the largest residuals
 * ybar - Q c of the samples (MOD then moves them onto the missing
 * atoms). A full
 * synthesis method (alternating minimisation of the sparse-coding
 * objective) would replace this step. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/dict/dict.h"

#define BN_DICT_REFINE_FISTA 30

/* Collective: |ybar_j - Q c_j|^2 of this process's samples into res. */
static void bn_dict_resid(bn_dict_t *d, const double *c, double *e,
                          double *res) {
  const int m = (int)d->m, J = d->found, pl = (int)d->pl;
  memcpy(e, d->y, (size_t)pl * m * sizeof(double));
  if (pl > 0 && J > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, pl, m, J, -1.0, c, J,
                d->qk, d->n, 1.0, e, m);
  for (int j = 0; j < pl; j++)
    res[j] = cblas_ddot(m, e + (size_t)j * m, 1, e + (size_t)j * m, 1);
}

/* Collective: the residual e_j of largest norm (lowest index on ties) as
 * the unit atom `slot` -- a sample that uses a missing atom keeps about
 * x a of it in its residual -- then that direction is removed from every
 * residual, so the next atom comes from another one. */
static bn_status_t bn_dict_fill(bn_dict_t *d, double *e, double *res,
                                int slot) {
  bn_ctx_t *ctx = d->ctx;
  const int m = (int)d->m;
  struct {
    double v;
    int i;
  } loc = {-1.0, 0}, glob;
  for (bn_idx_t j = 0; j < d->pl; j++)
    if (res[j] > loc.v) loc.v = res[j], loc.i = (int)(d->p0 + j);
  BN_MPI(ctx, MPI_Allreduce(&loc, &glob, 1, MPI_DOUBLE_INT, MPI_MAXLOC,
                            bn_ctx_comm(ctx)));
  int owner = bn_dist_owner(d->sdist, glob.i);
  double *v = d->bq + d->m + 1;
  if (bn_ctx_rank(ctx) == owner)
    memcpy(v, e + (size_t)(glob.i - d->p0) * m, (size_t)m * sizeof(double));
  BN_MPI(ctx, MPI_Bcast(v, m, MPI_DOUBLE, owner, bn_ctx_comm(ctx)));
  double s = cblas_ddot(m, v, 1, v, 1);
  if (!(s > 0) || !isfinite(s))
    return BN_ERROR_ALL(ctx, BN_ERR_NUM,
                        "refinement: no residual left to start atom %d from",
                        slot);
  for (int i = 0; i < m; i++) v[i] /= sqrt(s);
  /* The l4 fixed point on the residuals from there: they are sparse
   * combinations of the missing atoms (plus the codes' errors). */
  double *w = d->red;
  for (int it = 0; it < 100; it++) {
    memset(w, 0, (size_t)m * sizeof(double));
    for (bn_idx_t j = 0; j < d->pl; j++) {
      const double *ej = e + (size_t)j * m;
      double z = cblas_ddot(m, ej, 1, v, 1);
      cblas_daxpy(m, z * z * z, ej, 1, w, 1);
    }
    BN_CALL(ctx, bn_allreduce_sum(ctx, w, (size_t)m));
    double w2 = cblas_ddot(m, w, 1, w, 1), dv = 0.0;
    if (!(w2 > 0) || !isfinite(w2)) break;
    for (int i = 0; i < m; i++) {
      double t = w[i] / sqrt(w2);
      dv += (t - v[i]) * (t - v[i]);
      v[i] = t;
    }
    if (dv < 1e-20) break;
  }
  for (int i = 0; i < m; i++) d->qk[(size_t)i * d->n + slot] = v[i];
  for (bn_idx_t j = 0; j < d->pl; j++) {
    double *ej = e + (size_t)j * m, c = cblas_ddot(m, ej, 1, v, 1);
    for (int i = 0; i < m; i++) ej[i] -= c * v[i];
    res[j] = cblas_ddot(m, ej, 1, ej, 1);
  }
  return BN_OK;
}

/* One MOD round on the codes c (pl x J, J = atoms kept): Q <- (Ybar^T C)
 * (C^T C)^-1, unit columns; an atom no sample uses stays as it is.
 * *moved: the largest 1 - |cos| between an atom and its update. */
static bn_status_t bn_dict_mod(bn_dict_t *d, const double *c, double *buf,
                               double *moved) {
  bn_ctx_t *ctx = d->ctx;
  const int m = (int)d->m, n = d->n, J = d->found, pl = (int)d->pl;
  double *bm = buf, *g = buf + (size_t)m * J;
  memset(buf, 0, ((size_t)m * J + (size_t)J * J) * sizeof(double));
  if (pl > 0) {
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, J, pl, 1.0, d->y, m,
                c, J, 0.0, bm, J);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, J, J, pl, 1.0, c, J, c,
                J, 0.0, g, J);
  }
  BN_CALL(ctx, bn_allreduce_sum(ctx, buf, (size_t)m * J + (size_t)J * J));
  double tr = 0.0;
  for (int k = 0; k < J; k++) tr += g[k * J + k];
  for (int k = 0; k < J; k++) {
    g[k * J + k] += 1e-12 * tr / J;
    if (g[k * J + k] <= 1e-9 * tr / J) { /* unused: keep the atom */
      g[k * J + k] += 1.0;
      for (int i = 0; i < m; i++) bm[i * J + k] += d->qk[(size_t)i * n + k];
    }
  }
  BN_CALL(ctx, bn_agree(ctx, bn_small_spd_solve(ctx, J, g, m, bm)));
  *moved = 0.0;
  for (int k = 0; k < J; k++) {
    double s = 0.0, big = -1.0, sg = 1.0, cs = 0.0;
    for (int i = 0; i < m; i++) {
      double v = bm[i * J + k];
      s += v * v;
      if (fabs(v) > big) big = fabs(v), sg = v < 0 ? -1.0 : 1.0;
    }
    if (!(s > 0) || !isfinite(s)) continue;
    for (int i = 0; i < m; i++) {
      double v = sg * bm[i * J + k] / sqrt(s);
      cs += v * d->qk[(size_t)i * n + k];
      d->qk[(size_t)i * n + k] = v;
    }
    *moved = fmax(*moved, 1.0 - fabs(cs));
  }
  return BN_OK;
}

/* Collective: lasso codes c of the samples for the kept atoms (b: work). */
static bn_status_t bn_dict_code(bn_dict_t *d, double *b, double *c, bool warm) {
  const int m = (int)d->m, J = d->found, pl = (int)d->pl;
  if (pl > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, pl, J, m, 1.0, d->y,
                m, d->qk, d->n, 0.0, b, J);
  return bn_dict_lasso(d, b, c, BN_DICT_REFINE_FISTA, warm);
}

/* --refine rounds; with atoms missing, the first third polish the atoms
 * kept (so that the residuals show the missing ones), then the missing
 * atoms are filled and the rest run on all n. The rounds stop early once
 * no atom moves (1 - |cos| < 1e-9 between rounds). */
bn_status_t bn_dict_refine(bn_dict_t *d, int *filled) {
  bn_ctx_t *ctx = d->ctx;
  const int m = (int)d->m, n = d->n, pl = (int)d->pl;
  *filled = 0;
  if (d->refine <= 0 || d->found == 0) return BN_OK;
  const size_t pn = (size_t)pl * n + 1;
  double *b = NULL;
  size_t len =
      2 * pn + (size_t)pl * m + (size_t)pl + 1 + (size_t)m * n + (size_t)n * n;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, len, sizeof(double), &b)));
  double *c = b + pn, *e = c + pn, *res = e + (size_t)pl * m,
         *buf = res + pl + 1;
  const int64_t at = d->found < n ? (d->refine + 1) / 3 : -1;
  bool warm = false;
  bn_status_t st = BN_OK;
  for (int64_t r = 0; st == BN_OK && r <= d->refine; r++) {
    if (r == at) {
      const int J = d->found;
      st = bn_dict_code(d, b, c, warm);
      if (st == BN_OK) bn_dict_resid(d, c, e, res);
      for (int k = J; st == BN_OK && k < n; k++)
        st = bn_dict_fill(d, e, res, k);
      if (st == BN_OK) {
        *filled = n - J;
        d->found = n;
      }
      warm = false;
    }
    if (st == BN_OK && r < d->refine) {
      double moved = 1.0;
      st = bn_dict_code(d, b, c, warm);
      if (st == BN_OK) st = bn_dict_mod(d, c, buf, &moved);
      warm = true;
      d->refined = r + 1;
      if (moved < 1e-9 && r > at) break; /* every atom settled */
    }
  }
  free(b);
  return st;
}
