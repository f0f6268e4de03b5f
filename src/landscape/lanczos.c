/* The smallest Hessian eigenvalue by Lanczos with full reorthogonalization
 * and explicit restarts.
 *
 * Why not PARPACK: the certificate needs one extreme eigenvalue of an
 * operator applied through a problem's callbacks, at Krylov dimensions of a
 * few dozen. Full reorthogonalization (classical Gram-Schmidt twice, one
 * allreduce of j+1 numbers per pass) keeps the basis orthogonal to machine
 * precision, so no spurious copies of converged Ritz values appear, and the
 * code stays in C with the same collective pattern as the solvers. The
 * storage is max_iter + 1 vectors of the iterate's local length. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/dmat.h"
#include "benign/error.h"
#include "benign/rng.h"
#include "landscape/landscape_impl.h"
#include "linalg/lapack_decl.h"

#define BN_STREAM_LANCZOS 70

/* Smallest eigenpair of the j x j tridiagonal (alpha, beta): theta and the
 * eigenvector s (j entries); every eigenvalue's |.| max in *amax. */
static int bn_tri_min(int j, const double *alpha, const double *beta,
                      double *theta, double *s, double *amax, double *work) {
  double *d = work, *e = d + j, *z = e + j, *w = z + (size_t)j * j;
  memcpy(d, alpha, (size_t)j * sizeof(double));
  if (j > 1) memcpy(e, beta, (size_t)(j - 1) * sizeof(double));
  int info = 0, ldz = j;
  dstev_("V", &j, d, e, z, &ldz, w, &info, 1);
  if (info != 0) return info;
  *theta = d[0]; /* ascending */
  *amax = fmax(fabs(d[0]), fabs(d[j - 1]));
  memcpy(s, z, (size_t)j * sizeof(double)); /* first column */
  return 0;
}

/* Orthogonalize w against q_0..q_j (each n long, stride ld), twice; c gets
 * the first pass's coefficients (c[j] = <q_j, H q_j>). */
static bn_status_t bn_reorth(bn_ctx_t *ctx, size_t n, size_t ld,
                             const double *q, int j, double *w, double *c,
                             double *c2) {
  for (int pass = 0; pass < 2; pass++) {
    double *cc = pass ? c2 : c;
    for (int i = 0; i <= j; i++) {
      const double *qi = q + (size_t)i * ld;
      double s = 0.0;
      for (size_t k = 0; k < n; k++) s += qi[k] * w[k];
      cc[i] = s;
    }
    BN_CALL(ctx, bn_allreduce_sum(ctx, cc, (size_t)j + 1));
    for (int i = 0; i <= j; i++) {
      const double *qi = q + (size_t)i * ld;
      for (size_t k = 0; k < n; k++) w[k] -= cc[i] * qi[k];
    }
  }
  return BN_OK;
}

/* A random unit start vector, tangent at x. Keyed by the rank-order
 * position of each entry (the same vector on the same process count). */
static bn_status_t bn_start(bn_ctx_t *ctx, const bn_objective_t *obj,
                            const double *x, uint64_t seed, double *q) {
  long long n = (long long)obj->n, off = 0;
  BN_MPI(ctx,
         MPI_Exscan(&n, &off, 1, MPI_LONG_LONG, MPI_SUM, bn_ctx_comm(ctx)));
  if (bn_ctx_rank(ctx) == 0) off = 0;
  bn_rng_fill_normal(seed, BN_STREAM_LANCZOS, (uint64_t)off, obj->n, q);
  BN_CALL(ctx, bn_ls_project(obj, x, q));
  double nq;
  BN_CALL(ctx, bn_ls_dot(ctx, obj->n, q, q, &nq));
  nq = sqrt(nq);
  for (size_t k = 0; k < obj->n; k++) q[k] = nq > 0 ? q[k] / nq : 0.0;
  return BN_OK;
}

typedef struct bn_lz {
  double *q, *w, *alpha, *beta, *c, *c2, *s, *tw;
  size_t ld;
  int m;
} bn_lz_t;

static bn_status_t bn_lz_alloc(bn_ctx_t *ctx, size_t n, int m, bn_lz_t *z) {
  z->ld = n ? n : 1;
  z->m = m;
  size_t small = 6 * (size_t)(m + 2) + (size_t)(m + 2) * (m + 2);
  bn_status_t st = bn_mallocn(ctx, bn_size_mul(((size_t)m + 2), z->ld),
                              sizeof(double), &z->q);
  if (st == BN_OK) st = bn_mallocn(ctx, small, sizeof(double), &z->alpha);
  BN_CALL(ctx, bn_agree(ctx, st));
  z->w = z->q + (size_t)(m + 1) * z->ld;
  z->beta = z->alpha + (m + 2);
  z->c = z->beta + (m + 2);
  z->c2 = z->c + (m + 2);
  z->s = z->c2 + (m + 2);
  z->tw = z->s + (m + 2);
  return BN_OK;
}

/* One Lanczos run from q_0 (in z->q): up to m steps; leaves the Ritz vector
 * of the smallest Ritz value in evec and returns the value. */
static bn_status_t bn_lz_run(bn_ctx_t *ctx, const bn_objective_t *obj,
                             const double *x, double tol, int64_t cap,
                             bn_lz_t *z, double *evec, bn_cert_t *info,
                             double *theta, bool *conv) {
  size_t n = obj->n, ld = z->ld;
  int j, steps = 0;
  double amax = 0.0, resid = INFINITY;
  *conv = false;
  for (j = 0; j < z->m && info->hvps < cap; j++) {
    double *qj = z->q + (size_t)j * ld;
    BN_CALL(ctx, bn_hvp(ctx, obj, x, qj, z->w));
    info->hvps++;
    BN_CALL(ctx, bn_reorth(ctx, n, ld, z->q, j, z->w, z->c, z->c2));
    z->alpha[j] = z->c[j] + z->c2[j];
    /* On a manifold, rounding leaves w slightly off the tangent space and
     * the normal part grows from step to step (the operator is not P H P
     * there): keep the basis tangent. */
    BN_CALL(ctx, bn_ls_project(obj, x, z->w));
    double b2;
    BN_CALL(ctx, bn_ls_dot(ctx, n, z->w, z->w, &b2));
    z->beta[j] = sqrt(b2);
    steps = j + 1;
    if (bn_tri_min(steps, z->alpha, z->beta, theta, z->s, &amax, z->tw))
      return BN_ERROR_ALL(ctx, BN_ERR_NUM, "Lanczos: dstev failed");
    resid = z->beta[j] * fabs(z->s[j]);
    if (amax > info->hnorm) info->hnorm = amax;
    /* Converged, or an invariant subspace (the Krylov space is exact). */
    if (resid <= tol * fmax(info->hnorm, 1e-300) ||
        z->beta[j] <= 1e-14 * fmax(info->hnorm, 1e-300)) {
      *conv = true;
      break;
    }
    if (j + 1 < z->m) {
      double *qn = z->q + (size_t)(j + 1) * ld;
      for (size_t k = 0; k < n; k++) qn[k] = z->w[k] / z->beta[j];
    }
  }
  /* Ritz vector y = Q s. */
  memset(evec, 0, n * sizeof(double));
  for (int i = 0; i < steps; i++) {
    const double *qi = z->q + (size_t)i * ld;
    for (size_t k = 0; k < n; k++) evec[k] += z->s[i] * qi[k];
  }
  info->residual = resid;
  return BN_OK;
}

bn_status_t bn_lambda_min(bn_ctx_t *ctx, const bn_objective_t *obj,
                          const double *x, const bn_cert_params_t *p,
                          double *evec, bn_cert_t *info) {
  long long nglob = (long long)obj->n;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &nglob, 1, MPI_LONG_LONG, MPI_SUM,
                            bn_ctx_comm(ctx)));
  info->lambda_min = NAN;
  info->hnorm = 0.0;
  info->residual = NAN;
  info->lanczos_converged = false;
  info->capped = false;
  if (nglob == 0) return BN_OK;
  int64_t cap = p->max_hvps > 0 ? p->max_hvps : INT64_MAX;
  int m = p->max_iter > 1 ? p->max_iter : 2;
  if (m > nglob) m = (int)nglob;
  if (m > cap) m = cap > 2 ? (int)cap : 2; /* the basis' memory too */
  bn_lz_t z = {0};
  double *y = NULL;
  BN_CALL(ctx, bn_lz_alloc(ctx, obj->n, m, &z));
  bn_status_t st =
      bn_agree(ctx, bn_mallocn(ctx, obj->n ? obj->n : 1, sizeof(double), &y));
  if (st == BN_OK) st = bn_start(ctx, obj, x, p->seed, z.q);
  double theta = NAN;
  bool conv = false;
  for (int r = 0; st == BN_OK && r <= p->max_restarts; r++) {
    st = bn_lz_run(ctx, obj, x, p->tol, cap, &z, y, info, &theta, &conv);
    if (st != BN_OK || conv) break;
    if (info->hvps >= cap) {
      info->capped = true;
      break;
    }
    /* Explicit restart from the current best Ritz vector. */
    double ny;
    st = bn_ls_project(obj, x, y);
    if (st == BN_OK) st = bn_ls_dot(ctx, obj->n, y, y, &ny);
    if (st == BN_OK && ny > 0)
      for (size_t k = 0; k < obj->n; k++) z.q[k] = y[k] / sqrt(ny);
  }
  if (st == BN_OK) {
    double ny;
    st = bn_ls_dot(ctx, obj->n, y, y, &ny);
    if (st == BN_OK && ny > 0)
      for (size_t k = 0; k < obj->n; k++) y[k] /= sqrt(ny);
    info->lambda_min = theta;
    info->lanczos_converged = conv;
    if (evec && st == BN_OK) memcpy(evec, y, obj->n * sizeof(double));
  }
  free(z.q);
  free(z.alpha);
  free(y);
  return st;
}
