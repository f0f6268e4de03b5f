/* Matrix sensing: the Hessian-vector product of the objective that
 * bn_sense_eval computes (sense.h), in one pass over the measurements.
 *
 * With r_i = <A_i, U V^T> - y_i, G = 1/m sum_i r_i A_i (gradient: G V,
 * G^T U), along (dU, dV) the linearised residual is dr_i = <A_i, dM>,
 * dM = dU V^T + U dV^T, dG = 1/m sum_i dr_i A_i, and
 *   h_U = dG V + G dV,   h_V = dG^T U + G^T dU
 * plus the balancing term's Hessian (bn_lr_balance_hvp).
 * Gaussian/implicit: M and dM are formed once; each block of A_i (each
 * implicit A_i generated once) gives r and dr and adds to G and dG.
 * Rank-one: with [P dP] = A [U dU] and [Q dQ] = B [V dV] (DGEMMs with 2r
 * columns), dr_i = dP_i . Q_i + P_i . dQ_i and
 *   h_U = A^T (diag(dr) Q + diag(r) dQ) / m,
 *   h_V = B^T (diag(dr) P + diag(r) dP) / m.
 * The partial products are reduce-scattered onto the owned rows as eval's
 * gradient is. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/sense.h"

/* n x r a and b side by side: out n x 2r. */
static void bn_side_by_side(bn_idx_t n, int r, const double *a, const double *b,
                            double *out) {
  for (bn_idx_t i = 0; i < n; i++) {
    memcpy(out + 2 * i * r, a + i * r, (size_t)r * sizeof(double));
    memcpy(out + (2 * i + 1) * r, b + i * r, (size_t)r * sizeof(double));
  }
}

/* Work space on first use: dU, dV gathered, their Grams with U, V, and
 * the operator's buffers. */
static bn_status_t bn_sense_hvp_buf(bn_sense_t *s) {
  if (s->hbuf) return BN_OK;
  size_t r = (size_t)s->r, nf = (size_t)(s->n1 + s->n2) * r;
  size_t nn = (size_t)s->n1 * (size_t)s->n2, ml = (size_t)s->ml;
  size_t n = nf + 2 * r * r + 1;
  if (s->op == BN_SENSE_RANK_ONE)
    n += 2 * nf + 4 * ml * r; /* [U dU], [V dV], [P dP], [Q dQ] */
  else
    n += 2 * nn + ml; /* G, dG, dr */
  return bn_agree(s->ctx, bn_mallocn(s->ctx, n, sizeof(double), &s->hbuf));
}

/* Gaussian/implicit: partial h_U, h_V of the rank's measurements into
 * s->gu, s->gv. The A_i go through in blocks that stay in cache (stored:
 * about 256 KB; implicit: each generated block), so that the four
 * matrix-vector products of a block read it from memory once. */
static void bn_sense_dense_hvp(bn_sense_t *s, const double *duf,
                               const double *dvf, double *w) {
  const int n1 = (int)s->n1, n2 = (int)s->n2, nn = n1 * n2, r = s->r;
  const double sm = 1.0 / (double)s->m;
  double *mm = s->mm, *dm = s->gm, *res = s->res;
  double *g = w, *dg = g + nn, *dres = dg + nn;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n1, n2, r, 1.0, s->uf, r,
              s->vf, r, 0.0, mm, n2);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n1, n2, r, 1.0, duf, r,
              s->vf, r, 0.0, dm, n2);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n1, n2, r, 1.0, s->uf, r,
              dvf, r, 1.0, dm, n2);
  memset(g, 0, 2 * (size_t)nn * sizeof(double));
  bn_idx_t bs = bn_sense_block(s);
  if (s->op == BN_SENSE_GAUSSIAN) bs = (bn_idx_t)((1 << 15) / nn);
  if (bs < 1) bs = 1;
  for (bn_idx_t k0 = 0; k0 < s->ml; k0 += bs) {
    bn_idx_t nb = s->ml - k0 < bs ? s->ml - k0 : bs;
    const double *ab = bn_sense_rows(s, k0, nb); /* generated once */
    memcpy(res + k0, s->y + k0, (size_t)nb * sizeof(double));
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nb, nn, 1.0, ab, nn, mm, 1,
                -1.0, res + k0, 1);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nb, nn, 1.0, ab, nn, dm, 1,
                0.0, dres + k0, 1);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)nb, nn, sm, ab, nn, res + k0, 1,
                1.0, g, 1);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)nb, nn, sm, ab, nn, dres + k0,
                1, 1.0, dg, 1);
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n1, r, n2, 1.0, dg, n2,
              s->vf, r, 0.0, s->gu, r);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n1, r, n2, 1.0, g, n2,
              dvf, r, 1.0, s->gu, r);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n2, r, n1, 1.0, dg, n2,
              s->uf, r, 0.0, s->gv, r);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n2, r, n1, 1.0, g, n2,
              duf, r, 1.0, s->gv, r);
}

/* Rank-one: the same through [P dP] and [Q dQ]. */
static void bn_sense_rank1_hvp(bn_sense_t *s, const double *duf,
                               const double *dvf, double *w) {
  const int n1 = (int)s->n1, n2 = (int)s->n2, r = s->r, ml = (int)s->ml;
  const int r2 = 2 * r;
  if (ml == 0) {
    memset(s->gu, 0, (size_t)(n1 + n2) * r * sizeof(double));
    return;
  }
  double *wu = w, *wv = wu + (size_t)n1 * r2, *pp = wv + (size_t)n2 * r2;
  double *qq = pp + (size_t)ml * r2;
  bn_side_by_side(n1, r, s->uf, duf, wu);
  bn_side_by_side(n2, r, s->vf, dvf, wv);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ml, r2, n1, 1.0, s->a,
              n1, wu, r2, 0.0, pp, r2);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ml, r2, n2, 1.0, s->b,
              n2, wv, r2, 0.0, qq, r2);
  const double sm = 1.0 / (double)s->m;
  for (int k = 0; k < ml; k++) {
    const double *p = pp + (size_t)k * r2, *q = qq + (size_t)k * r2;
    double *dp = pp + (size_t)k * r2 + r, *dq = qq + (size_t)k * r2 + r;
    double res = -s->y[k], dres = 0.0;
#pragma omp simd reduction(+ : res, dres)
    for (int a = 0; a < r; a++) {
      res += p[a] * q[a];
      dres += dp[a] * q[a] + p[a] * dq[a];
    }
    for (int a = 0; a < r; a++) { /* dQ <- T_k, dP <- S_k */
      double t = sm * (dres * q[a] + res * dq[a]);
      double u = sm * (dres * p[a] + res * dp[a]);
      dq[a] = t;
      dp[a] = u;
    }
  }
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n1, r, ml, 1.0, s->a, n1,
              qq + r, r2, 0.0, s->gu, r);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n2, r, ml, 1.0, s->b, n2,
              pp + r, r2, 0.0, s->gv, r);
}

bn_status_t bn_sense_hvp(void *data, const double *x, const double *v,
                         double *hv) {
  bn_sense_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  MPI_Comm comm = bn_ctx_comm(ctx);
  const int r = s->r, rr = r * r;
  BN_CALL(ctx, bn_sense_hvp_buf(s));
  double *duf = s->hbuf, *dvf = duf + (size_t)s->n1 * r;
  double *gdu = dvf + (size_t)s->n2 * r, *gdv = gdu + rr, *w = gdv + rr;
  bn_timer_start(ctx, s->t_gather);
  const double *src[4] = {x, x + s->nu * r, v, v + s->nu * r};
  double *dst[4] = {s->uf, s->vf, duf, dvf};
  for (int k = 0; k < 4; k++) {
    int *cnt = k % 2 ? s->vcnt : s->ucnt, *dsp = k % 2 ? s->vdsp : s->udsp;
    int mine = (int)((k % 2 ? s->nv : s->nu) * r);
    BN_MPI(ctx, MPI_Allgatherv(src[k], mine, MPI_DOUBLE, dst[k], cnt, dsp,
                               MPI_DOUBLE, comm));
  }
  bn_timer_stop(ctx, s->t_gather);

  bn_timer_start(ctx, s->t_kernel);
  if (s->op == BN_SENSE_RANK_ONE)
    bn_sense_rank1_hvp(s, duf, dvf, w);
  else
    bn_sense_dense_hvp(s, duf, dvf, w);
  /* Grams of the full (replicated) factors, as in eval. */
  double *guu = s->gram, *gvv = s->gram + rr;
  memset(guu, 0, 2 * (size_t)rr * sizeof(double));
  memset(gdu, 0, 2 * (size_t)rr * sizeof(double));
  bn_gram_local(r, s->n1, s->uf, s->uf, guu);
  bn_gram_local(r, s->n2, s->vf, s->vf, gvv);
  bn_gram_local(r, s->n1, duf, s->uf, gdu);
  bn_gram_local(r, s->n2, dvf, s->vf, gdv);
  bn_lr_balance(r, guu, gvv); /* guu = D */
  bn_timer_stop(ctx, s->t_kernel);

  bn_timer_start(ctx, s->t_reduce);
  bn_status_t st = BN_OK;
  if (MPI_Reduce_scatter(s->gu, hv, s->ucnt, MPI_DOUBLE, MPI_SUM, comm) !=
          MPI_SUCCESS ||
      MPI_Reduce_scatter(s->gv, hv + s->nu * r, s->vcnt, MPI_DOUBLE, MPI_SUM,
                         comm) != MPI_SUCCESS)
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Reduce_scatter failed (hvp)");
  bn_timer_stop(ctx, s->t_reduce);
  if (st == BN_OK)
    bn_lr_balance_hvp(r, s->nu, x, v, s->nv, x + s->nu * r, v + s->nu * r, guu,
                      gdu, gdv, hv, hv + s->nu * r);
  return st;
}
