/* Matrix sensing: spectral and random initial points.
 *
 * Spectral: the top-r SVD of Y = 1/m sum_i y_i A_i (E Y = M for the
 * Gaussian and rank-one ensembles), split U = Us S^(1/2), V = Vs S^(1/2).
 * Y is formed with one pass over the measurements (each implicit A_i drawn
 * once) and one allreduce, then handed to bn_rsvd as an operator on the
 * replicated n1 x n2 matrix: each application gathers its input block and
 * computes the rank's own output rows. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/sense.h"

typedef struct bn_sense_yop {
  bn_sense_t *s;
  const double *y; /* n1 x n2, replicated */
} bn_sense_yop_t;

/* y (n1 rows on udist) = Y x (x: n2 rows on vdist), and x = Y^T y. */
static bn_status_t bn_sense_yop_apply(void *data, const bn_dmat_t *x,
                                      bn_dmat_t *y) {
  bn_sense_yop_t *o = data;
  bn_sense_t *s = o->s;
  int k = bn_dmat_cols(x);
  double *full = NULL;
  BN_CALL(s->ctx,
          bn_agree(s->ctx, bn_mallocn(s->ctx, bn_size_mul((size_t)s->n2, k),
                                      sizeof(double), &full)));
  bn_status_t st = bn_lr_allgather_rows(s->ctx, s->vdist, bn_dmat_cdata(x), k,
                                        full, "spectral init");
  if (st == BN_OK && s->nu > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)s->nu, k,
                (int)s->n2, 1.0,
                o->y + (size_t)bn_dist_first(s->udist) * (size_t)s->n2,
                (int)s->n2, full, k, 0.0, bn_dmat_data(y), k);
  free(full);
  return st;
}

static bn_status_t bn_sense_yop_apply_t(void *data, const bn_dmat_t *y,
                                        bn_dmat_t *x) {
  bn_sense_yop_t *o = data;
  bn_sense_t *s = o->s;
  int k = bn_dmat_cols(y);
  double *full = NULL;
  BN_CALL(s->ctx,
          bn_agree(s->ctx, bn_mallocn(s->ctx, bn_size_mul((size_t)s->n1, k),
                                      sizeof(double), &full)));
  bn_status_t st = bn_lr_allgather_rows(s->ctx, s->udist, bn_dmat_cdata(y), k,
                                        full, "spectral init");
  if (st == BN_OK && s->nv > 0)
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)s->nv, k,
                (int)s->n1, 1.0, o->y + bn_dist_first(s->vdist), (int)s->n2,
                full, k, 0.0, bn_dmat_data(x), k);
  free(full);
  return st;
}

static bn_status_t bn_sense_spectral(void *data, const bn_opts_t *opts,
                                     uint64_t seed, double *x) {
  bn_sense_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  size_t nn = (size_t)s->n1 * (size_t)s->n2;
  double *ym = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, nn, sizeof(double), &ym)));
  bn_sense_adjoint(s, s->y, ym);
  bn_status_t st = bn_allreduce_sum(ctx, ym, nn);
  if (st == BN_OK) cblas_dscal((int)nn, 1.0 / (double)s->m, ym, 1);
  bn_sense_yop_t yop = {s, ym};
  bn_linop_t op = {s->n1,
                   s->n2,
                   s->udist,
                   s->vdist,
                   &yop,
                   bn_sense_yop_apply,
                   bn_sense_yop_apply_t};
  if (st == BN_OK)
    st = bn_lr_spectral(ctx, opts, &op, s->r, seed, s->nu, s->nv, x, NULL);
  free(ym);
  return st;
}

/* Small Gaussian factors keyed by global row index. E y_i^2 = |M|_F^2 for
 * both ensembles, so mean(y^2) estimates |M|_F and the typical entry of
 * balanced factors is sqrt(|M|_F / (sqrt(n1 n2) sqrt(r))). */
static bn_status_t bn_sense_random(void *data, const bn_opts_t *opts,
                                   uint64_t seed, double *x) {
  bn_sense_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  double scale, tot = 0.0;
  BN_CALL(ctx, bn_opts_real(opts, "init-scale", &scale));
  for (bn_idx_t k = 0; k < s->ml; k++) tot += s->y[k] * s->y[k];
  BN_CALL(ctx, bn_allreduce_sum(ctx, &tot, 1));
  double mf = sqrt(tot / (double)s->m);
  double sigma = scale * sqrt(mf / sqrt((double)s->n1 * (double)s->n2) /
                              sqrt((double)s->r));
  if (!(sigma > 0)) sigma = scale;
  const int r = s->r;
  bn_lr_random_fill(seed, sigma, r, bn_dist_first(s->udist), s->nu,
                    bn_dist_first(s->vdist), s->nv, x);
  return BN_OK;
}

bn_status_t bn_sense_init(void *data, const bn_opts_t *opts, double *x) {
  bn_sense_t *s = data;
  return bn_lr_init(s->ctx, s, opts, bn_sense_random, bn_sense_spectral, x);
}
