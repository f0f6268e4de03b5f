/* Matrix completion: the scaled metric (the objective's precond).
 *
 * Gradient steps on U, V slow down with the condition number of the
 * factors -- of the truth, and of a poor start, where some directions are
 * tiny. ScaledGD (Tong, Ma and Chi 2021) and R3MC (Mishra and Sepulchre
 * 2014) multiply the U gradient by (V^T V)^-1 and the V gradient by
 * (U^T U)^-1: the metric in which a step of alternating least squares on
 * fully observed data is one unit. It costs two r x r Grams, one
 * allreduce, two r x r inverses (Cholesky) and one product of the
 * gradient's rows with each: one pass over g and pg. */
#include "problems/lowrank/complete_precond.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/dense.h"
#include "linalg/lapack_decl.h"

/* G^-1 (G SPD, r x r) into inv, from its Cholesky factor. Local. */
static bn_status_t bn_precond_inverse(bn_ctx_t *ctx, int r, const double *gram,
                                      double *inv) {
  memcpy(inv, gram, (size_t)r * r * sizeof(double));
  int info = 0;
  dpotrf_("L", &r, inv, &r, &info, 1);
  if (info == 0) dpotri_("L", &r, inv, &r, &info, 1);
  if (info > 0)
    return BN_ERROR(ctx, BN_ERR_NUM,
                    "matrix not positive definite (leading minor %d)", info);
  if (info < 0) return BN_ERROR(ctx, BN_ERR_LIB, "dpotri: info %d", info);
  for (int a = 0; a < r; a++) /* the lower triangle (column-major) */
    for (int b = a + 1; b < r; b++) inv[b * r + a] = inv[a * r + b];
  return BN_OK;
}

/* out = a G^-1 for the n rows of a (n x r): one pass over a and out (two
 * triangular solves would read and write the rows twice). In blocks of
 * rows; in place (out == a) through tmp, a block of BN_PRECOND_BLOCK
 * rows. Local. */
#define BN_PRECOND_BLOCK 1024
static void bn_precond_apply(int r, const double *inv, bn_idx_t n,
                             const double *a, double *out, double *tmp) {
  for (bn_idx_t i = 0; i < n; i += BN_PRECOND_BLOCK) {
    int m = (int)(n - i < BN_PRECOND_BLOCK ? n - i : BN_PRECOND_BLOCK);
    double *dst = out == a ? tmp : out + (size_t)i * r;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, r, r, 1.0,
                a + (size_t)i * r, r, inv, r, 0.0, dst, r);
    if (out == a)
      memcpy(out + (size_t)i * r, tmp, (size_t)m * r * sizeof(double));
  }
}

bn_status_t bn_complete_precond(void *data, const double *x, const double *g,
                                double *pg) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, rr = r * r;
  size_t n = (size_t)(c->nu + c->nv) * (size_t)c->w;
  bn_complete_parts_t p = bn_complete_split(c, x), q = bn_complete_split(c, pg);
  bn_complete_parts_t h = bn_complete_split(c, g);
  size_t nuv = (size_t)(c->nu + c->nv) * (size_t)r;
  /* The biases' gradient unscaled; U, V's set below. */
  if (pg != g) memcpy(pg + nuv, g + nuv, (n - nuv) * sizeof(double));
  double *guu = c->red, *gvv = c->red + rr; /* eval's scratch */
  memset(guu, 0, 2 * (size_t)rr * sizeof(double));
  bn_gram_local(r, c->nu, p.u, p.u, guu);
  bn_gram_local(r, c->nv, p.v, p.v, gvv);
  BN_CALL(ctx, bn_allreduce_sum(ctx, guu, 2 * (size_t)rr));
  double tr = 0.0;
  for (int a = 0; a < r; a++) tr += guu[a * r + a] + gvv[a * r + a];
  if (!(tr > 0) || !isfinite(tr)) { /* x = 0: no metric */
    if (pg != g) memcpy(pg, g, nuv * sizeof(double));
    return BN_OK;
  }
  /* A relative shift keeps a rank-deficient factor's Gram definite. */
  double eps = 1e-10 * tr / (2 * r);
  for (int a = 0; a < r; a++) {
    guu[a * r + a] += eps;
    gvv[a * r + a] += eps;
  }
  /* gvv^-1 scales U's rows, guu^-1 V's. */
  size_t len = bn_size_add(bn_size_mul(2, (size_t)rr),
                           bn_size_mul(BN_PRECOND_BLOCK, (size_t)r));
  if (c->npcbuf != len) { /* first use, or another rank (retune) */
    free(c->pcbuf);
    c->pcbuf = NULL;
    c->npcbuf = 0;
    BN_CALL(ctx,
            bn_agree(ctx, bn_mallocn(ctx, len, sizeof(double), &c->pcbuf)));
    c->npcbuf = len;
  }
  double *inv = c->pcbuf; /* [gvv^-1, guu^-1, a block of rows] */
  bn_status_t st = BN_OK;
  if (st == BN_OK) st = bn_precond_inverse(ctx, r, gvv, inv);
  if (st == BN_OK) st = bn_precond_inverse(ctx, r, guu, inv + rr);
  if (st == BN_OK) {
    double *tmp = inv + 2 * (size_t)rr;
    bn_precond_apply(r, inv, c->nu, h.u, q.u, tmp);
    bn_precond_apply(r, inv + rr, c->nv, h.v, q.v, tmp);
  }
  return bn_agree(ctx, st);
}
