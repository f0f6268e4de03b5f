/* The dense Hessian of a small instance and its whole spectrum (the Hessian
 * index of a critical point; the reference Lanczos is tested against).
 *
 * Column j is H e_j, one Hessian-vector product each. On a manifold the
 * matrix is P H P + c (I - P) with c above the tangent spectrum, so the
 * normal directions show up as eigenvalues equal to c and are dropped. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "landscape/landscape_impl.h"
#include "linalg/lapack_decl.h"

typedef struct bn_hess_work {
  double *a, *b, *col, *loc, *hv;
  int *counts, *displs;
} bn_hess_work_t;

static void bn_hess_free(bn_hess_work_t *w) {
  free(w->a);
  free(w->b);
  free(w->col);
  free(w->loc);
  free(w->counts);
}

/* The N columns of P H P (into a) and of I - P (into b, manifold only), as
 * full vectors on every rank. */
static bn_status_t bn_hess_columns(bn_ctx_t *ctx, const bn_objective_t *obj,
                                   const double *x, int64_t nglob, int off,
                                   bn_hess_work_t *w) {
  MPI_Comm comm = bn_ctx_comm(ctx);
  size_t n = obj->n;
  for (int64_t j = 0; j < nglob; j++) {
    memset(w->loc, 0, n * sizeof(double));
    if (j >= off && j < off + (int64_t)n) w->loc[j - off] = 1.0;
    BN_CALL(ctx, bn_ls_project(obj, x, w->loc));
    if (w->b) {
      /* column of I - P: e_j - P e_j */
      for (size_t k = 0; k < n; k++)
        w->hv[k] = ((int64_t)k + off == j ? 1.0 : 0.0) - w->loc[k];
      BN_MPI(ctx,
             MPI_Allgatherv(w->hv, (int)n, MPI_DOUBLE, w->b + (size_t)j * nglob,
                            w->counts, w->displs, MPI_DOUBLE, comm));
    }
    BN_CALL(ctx, bn_hvp(ctx, obj, x, w->loc, w->hv));
    BN_MPI(ctx,
           MPI_Allgatherv(w->hv, (int)n, MPI_DOUBLE, w->a + (size_t)j * nglob,
                          w->counts, w->displs, MPI_DOUBLE, comm));
  }
  return BN_OK;
}

bn_status_t bn_hessian_eigs(bn_ctx_t *ctx, const bn_objective_t *obj,
                            const double *x, int64_t max_dim, double *eig,
                            int64_t *count) {
  MPI_Comm comm = bn_ctx_comm(ctx);
  int np = bn_ctx_size(ctx), ln = (int)obj->n, off = 0;
  long long nglob = obj->n;
  *count = 0;
  BN_MPI(ctx,
         MPI_Allreduce(MPI_IN_PLACE, &nglob, 1, MPI_LONG_LONG, MPI_SUM, comm));
  if (nglob > max_dim || nglob > 20000)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "the dense Hessian has dimension %lld, above the "
                        "limit %lld (--max-dim)",
                        nglob, (long long)max_dim);
  if (nglob == 0) return BN_OK;
  bn_hess_work_t w = {0};
  size_t nn = (size_t)nglob, n1 = obj->n ? obj->n : 1;
  bn_status_t st = bn_mallocn(ctx, bn_size_mul(nn, nn), sizeof(double), &w.a);
  if (st == BN_OK && obj->project)
    st = bn_mallocn(ctx, bn_size_mul(nn, nn), sizeof(double), &w.b);
  if (st == BN_OK) st = bn_mallocn(ctx, n1, sizeof(double), &w.loc);
  if (st == BN_OK) st = bn_mallocn(ctx, n1, sizeof(double), &w.col);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul(2, (size_t)np), sizeof(int), &w.counts);
  st = bn_agree(ctx, st);
  if (st != BN_OK) goto done;
  w.hv = w.col;
  w.displs = w.counts + np;
  st = BN_ERR_MPI;
  if (MPI_Allgather(&ln, 1, MPI_INT, w.counts, 1, MPI_INT, comm) != MPI_SUCCESS)
    goto done;
  for (int r = 0; r < np; r++) {
    w.displs[r] = off;
    off += w.counts[r];
  }
  off = w.displs[bn_ctx_rank(ctx)];
  st = bn_hess_columns(ctx, obj, x, nglob, off, &w);
  if (st != BN_OK) goto done;
  /* Symmetrize (finite differences are not exactly symmetric). */
  double fro = 0.0, c = 0.0;
  for (size_t i = 0; i < nn; i++)
    for (size_t j = 0; j < i; j++) {
      double s = 0.5 * (w.a[i * nn + j] + w.a[j * nn + i]);
      w.a[i * nn + j] = w.a[j * nn + i] = s;
    }
  for (size_t k = 0; k < nn * nn; k++) fro += w.a[k] * w.a[k];
  if (w.b) {
    c = 1.0 + 2.0 * sqrt(fro);
    for (size_t k = 0; k < nn * nn; k++) w.a[k] += c * w.b[k];
  }
  int info = 0, ni = (int)nglob, lwork = -1;
  double wq;
  dsyev_("N", "U", &ni, w.a, &ni, eig, &wq, &lwork, &info, 1, 1);
  lwork = (int)wq;
  double *work = bn_alloc_n((size_t)(lwork > 1 ? lwork : 1), sizeof(double));
  if (work) dsyev_("N", "U", &ni, w.a, &ni, eig, work, &lwork, &info, 1, 1);
  free(work);
  st = bn_agree(ctx, !work ? BN_ERROR(ctx, BN_ERR_MEM, "out of memory")
                     : info
                         ? BN_ERROR(ctx, BN_ERR_NUM, "dsyev failed (%d)", info)
                         : BN_OK);
  if (st != BN_OK) goto done;
  /* Every rank computed the same spectrum; take rank 0's to be exact. */
  st = BN_ERR_MPI;
  if (MPI_Bcast(eig, ni, MPI_DOUBLE, 0, comm) != MPI_SUCCESS) goto done;
  st = BN_OK;
  int64_t keep = nglob;
  if (w.b)
    while (keep > 0 && eig[keep - 1] > c - 0.5) keep--;
  *count = keep;
done:
  bn_hess_free(&w);
  return st;
}
