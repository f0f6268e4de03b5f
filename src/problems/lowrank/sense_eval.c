/* Matrix sensing: objective, gradient, metrics and the measurement
 * operator applied to the rank's measurements.
 *
 * Gaussian and implicit operators work on M = U V^T (n1 x n2, formed once
 * per evaluation): r_i = <A_i, M> - y_i and G = 1/m sum_i r_i A_i are two
 * matrix-vector products per block of stored A_i, then gU = G V,
 * gV = G^T U; each implicit A_i is generated once per evaluation, in a
 * sweep fused with both sums (bn_sense_implicit_pass). The rank-one
 * operator never forms M: with P = A U and Q = B V (the rows a_i,
 * b_i stacked), r_i = P_i . Q_i - y_i, gU = A^T diag(r) Q / m and
 * gV = B^T diag(r) P / m, four DGEMMs with r columns, O(m r (n1 + n2)). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/sense.h"

const double *bn_sense_rows(bn_sense_t *s, bn_idx_t k0, bn_idx_t nb) {
  size_t nn = (size_t)s->n1 * (size_t)s->n2;
  if (s->op == BN_SENSE_GAUSSIAN) return s->a + (size_t)k0 * nn;
  bn_idx_t i0 = bn_dist_first(s->mdist) + k0;
  for (bn_idx_t k = 0; k < nb; k++)
    bn_sense_normals(s->seed, BN_SENSE_STREAM_A, (uint64_t)(i0 + k), nn,
                     s->blk + (size_t)k * nn);
  return s->blk;
}

bn_idx_t bn_sense_block(const bn_sense_t *s) {
  return s->op == BN_SENSE_GAUSSIAN ? (s->ml > 0 ? s->ml : 1) : s->blk_rows;
}

void bn_sense_forward(bn_sense_t *s, const double *xd, double *out) {
  const int n1 = (int)s->n1, n2 = (int)s->n2;
  if (s->ml == 0) return;
  if (s->op == BN_SENSE_RANK_ONE) { /* out_k = a_k^T X b_k */
    double *z = bn_alloc_n((size_t)n1, sizeof(double));
    for (bn_idx_t k = 0; k < s->ml && z; k++) {
      cblas_dgemv(CblasRowMajor, CblasNoTrans, n1, n2, 1.0, xd, n2,
                  s->b + (size_t)k * n2, 1, 0.0, z, 1);
      out[k] = cblas_ddot(n1, s->a + (size_t)k * n1, 1, z, 1);
    }
    free(z);
    return;
  }
  const int nn = n1 * n2;
  bn_idx_t bs = bn_sense_block(s);
  for (bn_idx_t k0 = 0; k0 < s->ml; k0 += bs) {
    bn_idx_t nb = s->ml - k0 < bs ? s->ml - k0 : bs;
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nb, nn, 1.0,
                bn_sense_rows(s, k0, nb), nn, xd, 1, 0.0, out + k0, 1);
  }
}

void bn_sense_adjoint(bn_sense_t *s, const double *z, double *g) {
  const int n1 = (int)s->n1, n2 = (int)s->n2;
  if (s->ml == 0) return;
  if (s->op == BN_SENSE_RANK_ONE) { /* G += sum_k z_k a_k b_k^T */
    for (bn_idx_t k = 0; k < s->ml; k++)
      cblas_dger(CblasRowMajor, n1, n2, z[k], s->a + (size_t)k * n1, 1,
                 s->b + (size_t)k * n2, 1, g, n2);
    return;
  }
  const int nn = n1 * n2;
  bn_idx_t bs = bn_sense_block(s);
  for (bn_idx_t k0 = 0; k0 < s->ml; k0 += bs) {
    bn_idx_t nb = s->ml - k0 < bs ? s->ml - k0 : bs;
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)nb, nn, 1.0,
                bn_sense_rows(s, k0, nb), nn, z + k0, 1, 1.0, g, 1);
  }
}

/* gU = G V and gV = G^T U from G = gm = 1/m sum_i r_i A_i. */
static void bn_sense_factor_grads(bn_sense_t *s) {
  const int n1 = (int)s->n1, n2 = (int)s->n2, r = s->r;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n1, r, n2, 1.0, s->gm,
              n2, s->vf, r, 0.0, s->gu, r);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n2, r, n1, 1.0, s->gm,
              n2, s->uf, r, 0.0, s->gv, r);
}

/* Implicit: one sweep per block of A_i generates it, forms <A_i, M> while
 * each chunk is in cache, and adds the previous block's r_i A_i / m to G
 * from the buffer it overwrites: the block is written once and read once,
 * and M and G are swept once per block (instead of a write and two reads of
 * A and separate sweeps of M and G per block), so the memory traffic per
 * measurement falls with the block's rows (s->blk_rows). The sums change
 * order (roundoff), not the A_i. */
static double bn_sense_implicit_pass(bn_sense_t *s, int grad) {
  const int nn = (int)(s->n1 * s->n2);
  const bn_idx_t i0 = bn_dist_first(s->mdist), bs = bn_sense_block(s);
  const double sm = 1.0 / (double)s->m;
  double sumsq = 0.0, *res = s->res;
  bn_idx_t kp = 0, np = 0; /* the previous block */
  for (bn_idx_t k0 = 0; k0 < s->ml; k0 += bs) {
    bn_idx_t nb = s->ml - k0 < bs ? s->ml - k0 : bs;
    bn_sense_normals_dots(s->seed, BN_SENSE_STREAM_A, (uint64_t)(i0 + k0),
                          (size_t)nb, (size_t)nn, s->mm, grad ? s->blk : NULL,
                          s->gm, res + kp, (size_t)np, sm, res + k0);
    for (bn_idx_t k = k0; k < k0 + nb; k++) {
      res[k] -= s->y[k];
      sumsq += res[k] * res[k];
    }
    kp = k0;
    np = nb;
  }
  if (grad && np > 0)
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)np, nn, sm, s->blk, nn,
                res + kp, 1, 1.0, s->gm, 1);
  if (grad) bn_sense_factor_grads(s);
  return sumsq;
}

/* Gaussian/implicit: the sum of squared residuals; with grad, the partial
 * gradients gu (n1 x r), gv (n2 x r) of the rank's measurements. */
static double bn_sense_dense_pass(bn_sense_t *s, int grad) {
  const int n1 = (int)s->n1, n2 = (int)s->n2, nn = n1 * n2, r = s->r;
  double sumsq = 0.0, *res = s->res;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n1, n2, r, 1.0, s->uf, r,
              s->vf, r, 0.0, s->mm, n2);
  if (grad) memset(s->gm, 0, (size_t)nn * sizeof(double));
  if (s->op == BN_SENSE_IMPLICIT) return bn_sense_implicit_pass(s, grad);
  bn_idx_t bs = bn_sense_block(s);
  for (bn_idx_t k0 = 0; k0 < s->ml; k0 += bs) {
    bn_idx_t nb = s->ml - k0 < bs ? s->ml - k0 : bs;
    const double *ab = bn_sense_rows(s, k0, nb); /* generated once */
    memcpy(res + k0, s->y + k0, (size_t)nb * sizeof(double));
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nb, nn, 1.0, ab, nn, s->mm, 1,
                -1.0, res + k0, 1);
    for (bn_idx_t k = k0; k < k0 + nb; k++) sumsq += res[k] * res[k];
    if (grad)
      cblas_dgemv(CblasRowMajor, CblasTrans, (int)nb, nn, 1.0 / (double)s->m,
                  ab, nn, res + k0, 1, 1.0, s->gm, 1);
  }
  if (grad) bn_sense_factor_grads(s);
  return sumsq;
}

/* Rank-one: the same through P = A U and Q = B V. */
static double bn_sense_rank1_pass(bn_sense_t *s, int grad) {
  const int n1 = (int)s->n1, n2 = (int)s->n2, r = s->r, ml = (int)s->ml;
  double sumsq = 0.0, *p = s->p, *q = s->q;
  if (ml == 0) {
    if (grad) memset(s->gu, 0, (size_t)(n1 + n2) * r * sizeof(double));
    return 0.0;
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ml, r, n1, 1.0, s->a,
              n1, s->uf, r, 0.0, p, r);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ml, r, n2, 1.0, s->b,
              n2, s->vf, r, 0.0, q, r);
  const double sm = 1.0 / (double)s->m;
  for (int k = 0; k < ml; k++) {
    double res = -s->y[k];
#pragma omp simd reduction(+ : res)
    for (int a = 0; a < r; a++) res += p[k * r + a] * q[k * r + a];
    sumsq += res * res;
    s->res[k] = res;
    if (grad)
      for (int a = 0; a < r; a++) {
        p[k * r + a] *= sm * res;
        q[k * r + a] *= sm * res;
      }
  }
  if (grad) {
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n1, r, ml, 1.0, s->a,
                n1, q, r, 0.0, s->gu, r);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n2, r, ml, 1.0, s->b,
                n2, p, r, 0.0, s->gv, r);
  }
  return sumsq;
}

bn_status_t bn_sense_eval(void *data, const double *x, double *f, double *g) {
  bn_sense_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  MPI_Comm comm = bn_ctx_comm(ctx);
  const int r = s->r, rr = r * r;
  bn_timer_start(ctx, s->t_gather);
  BN_MPI(ctx, MPI_Allgatherv(x, (int)(s->nu * r), MPI_DOUBLE, s->uf, s->ucnt,
                             s->udsp, MPI_DOUBLE, comm));
  BN_MPI(ctx, MPI_Allgatherv(x + s->nu * r, (int)(s->nv * r), MPI_DOUBLE, s->vf,
                             s->vcnt, s->vdsp, MPI_DOUBLE, comm));
  bn_timer_stop(ctx, s->t_gather);

  bn_timer_start(ctx, s->t_kernel);
  double sumsq = s->op == BN_SENSE_RANK_ONE ? bn_sense_rank1_pass(s, g != NULL)
                                            : bn_sense_dense_pass(s, g != NULL);
  /* The Grams of the full (replicated) factors: no communication, and the
   * same bits on every rank. */
  double *guu = s->gram, *gvv = s->gram + rr;
  memset(guu, 0, 2 * (size_t)rr * sizeof(double));
  bn_gram_local(r, s->n1, s->uf, s->uf, guu);
  bn_gram_local(r, s->n2, s->vf, s->vf, gvv);
  double bal = bn_lr_balance(r, guu, gvv);
  bn_timer_stop(ctx, s->t_kernel);

  bn_timer_start(ctx, s->t_reduce);
  bn_status_t st = BN_OK;
  if (MPI_Allreduce(MPI_IN_PLACE, &sumsq, 1, MPI_DOUBLE, MPI_SUM, comm) !=
      MPI_SUCCESS)
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allreduce failed (sensing residual)");
  if (st == BN_OK && g &&
      (MPI_Reduce_scatter(s->gu, g, s->ucnt, MPI_DOUBLE, MPI_SUM, comm) !=
           MPI_SUCCESS ||
       MPI_Reduce_scatter(s->gv, g + s->nu * r, s->vcnt, MPI_DOUBLE, MPI_SUM,
                          comm) != MPI_SUCCESS))
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Reduce_scatter failed (gradient)");
  bn_timer_stop(ctx, s->t_reduce);
  if (st == BN_OK) {
    *f = sumsq / (2.0 * (double)s->m) + bal;
    if (g) /* gU += 1/2 U D, gV -= 1/2 V D on the owned rows */
      bn_lr_balance_grad(r, s->nu, x, s->nv, x + s->nu * r, guu, g,
                         g + s->nu * r);
  }
  return st;
}

bn_status_t bn_sense_metrics(void *data, const double *x, double *rel,
                             double *rmse) {
  bn_sense_t *s = data;
  *rel = NAN;
  *rmse = NAN;
  if (s->truth)
    BN_CALL(s->ctx, bn_lr_truth_error(s->ctx, s->truth, s->r, s->nu, x, s->nv,
                                      x + s->nu * s->r, rel));
  return BN_OK;
}
