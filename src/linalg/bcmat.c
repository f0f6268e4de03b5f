/* benign -- conversion between row-partitioned matrices and ScaLAPACK's 2-D
 * block-cyclic layout.
 *
 * A bn_dmat's blocks are contiguous but uneven (balanced by work), which no
 * ScaLAPACK descriptor can describe. So conversion goes in two steps: an
 * MPI_Alltoallv to uniform row blocks of ceil(N/P) rows -- exactly a P x 1
 * block-cyclic layout -- then pdgemr2d to the requested grid and blocks. */
#include <stdlib.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "linalg/bcmat_impl.h"
#include "linalg/dmat_impl.h"
#include "linalg/scalapack_decl.h"

/* Not collective: a grid for the context's communicator. The BLACS system
 * handle is only needed by Cblacs_gridinit (which duplicates the
 * communicator), and BLACS hands out one shared handle per communicator,
 * so it is released at once rather than kept per matrix. */
static void grid_init(bn_ctx_t *ctx, int nprow, int npcol, int *ictxt) {
  int sys = Csys2blacs_handle(bn_ctx_comm(ctx));
  *ictxt = sys;
  Cblacs_gridinit(ictxt, "Row", nprow, npcol);
  Cfree_blacs_system_handle(sys);
}

bn_status_t bn_bcmat_alloc(bn_ctx_t *ctx, int m, int n, int nprow, int npcol,
                           int mb, int nb, bn_bcmat_t **out) {
  *out = NULL;
  bn_bcmat_t *bc = NULL;
  bn_status_t st = bn_calloc(ctx, 1, sizeof(*bc), &bc);
  BN_CALL(ctx, bn_agree(ctx, st));
  bc->ctx = ctx;
  grid_init(ctx, nprow, npcol, &bc->ictxt);
  int np, nq, zero = 0, info = 0;
  Cblacs_gridinfo(bc->ictxt, &np, &nq, &bc->myrow, &bc->mycol);
  bc->nprow = np;
  bc->npcol = nq;
  if (np != nprow || nq != npcol || bc->myrow < 0 ||
      bc->myrow * npcol + bc->mycol != bn_ctx_rank(ctx)) {
    st = BN_ERROR(ctx, BN_ERR_LIB,
                  "BLACS grid %d x %d places rank %d at (%d, %d)", np, nq,
                  bn_ctx_rank(ctx), bc->myrow, bc->mycol);
  } else {
    bc->lrows = numroc_(&m, &mb, &bc->myrow, &zero, &nprow);
    bc->lcols = numroc_(&n, &nb, &bc->mycol, &zero, &npcol);
    int lld = bc->lrows > 1 ? bc->lrows : 1;
    descinit_(bc->desc, &m, &n, &mb, &nb, &zero, &zero, &bc->ictxt, &lld,
              &info);
    if (info != 0)
      st = BN_ERROR(ctx, BN_ERR_LIB, "descinit failed (info %d)", info);
    else
      st = bn_calloc(ctx, bn_size_mul((size_t)lld, (size_t)bc->lcols),
                     sizeof(double), &bc->data);
  }
  st = bn_agree(ctx, st);
  if (st != BN_OK) {
    bn_bcmat_destroy(bc);
    return bn_error_trace(ctx, st, __FILE__, __LINE__);
  }
  *out = bc;
  return BN_OK;
}

void bn_bcmat_destroy(bn_bcmat_t *m) {
  if (!m) return;
  if (m->myrow >= 0) Cblacs_gridexit(m->ictxt);
  free(m->data);
  free(m);
}

double *bn_bcmat_local(bn_bcmat_t *m, int *local_rows, int *local_cols) {
  if (local_rows) *local_rows = m->lrows;
  if (local_cols) *local_cols = m->lcols;
  return m->data;
}

const int *bn_bcmat_desc(const bn_bcmat_t *m) { return m->desc; }

/* Collective: the uniform-block distribution of the 1-D layout. */
static bn_status_t col_dist(bn_ctx_t *ctx, bn_idx_t n, bn_dist_t **out) {
  int p = bn_ctx_size(ctx);
  bn_idx_t bs = (n + p - 1) / p, *off = NULL;
  BN_CALL(ctx,
          bn_agree(ctx, bn_mallocn(ctx, (size_t)(p + 1), sizeof(*off), &off)));
  for (int q = 0; q <= p; q++) off[q] = (bn_idx_t)q * bs < n ? q * bs : n;
  bn_status_t st = bn_dist_create_offsets(ctx, off, out);
  free(off);
  return st == BN_OK ? BN_OK : bn_error_trace(ctx, st, __FILE__, __LINE__);
}

/* Shapes must fit ScaLAPACK's 32-bit integers; all ranks see the same. */
static bn_status_t check_shape(bn_ctx_t *ctx, bn_idx_t n, int k) {
  if (n < 1 || k < 1)
    return BN_ERROR(ctx, BN_ERR_ARG, "empty matrix (%lld x %d)", (long long)n,
                    k);
  return bn_check_int(ctx, n, "global rows");
}

bn_status_t bn_dmat_to_col(const bn_dmat_t *a, bn_bcmat_t **out) {
  bn_ctx_t *ctx = a->ctx;
  int p = bn_ctx_size(ctx), k = a->ncols;
  bn_idx_t n = bn_dist_global(a->dist);
  *out = NULL;
  BN_CALL(ctx, check_shape(ctx, n, k));
  bn_dist_t *dist = NULL;
  bn_dmat_t *tmp = NULL;
  bn_bcmat_t *col = NULL;
  int bs = (int)((n + p - 1) / p);
  BN_CALL(ctx, col_dist(ctx, n, &dist));
  bn_status_t st = bn_dmat_redistribute(a, dist, &tmp);
  if (st == BN_OK) st = bn_bcmat_alloc(ctx, (int)n, k, p, 1, bs, k, &col);
  if (st == BN_OK) {
    /* Row-major rows -> column-major local block (same rows, same order). */
    int lld = col->desc[BN_DESC_LLD];
    for (bn_idx_t i = 0; i < tmp->nlocal; i++)
      for (int j = 0; j < k; j++)
        col->data[i + (size_t)j * lld] = tmp->data[i * k + j];
  }
  bn_dmat_destroy(tmp);
  bn_dist_destroy(dist);
  if (st != BN_OK) return bn_error_trace(ctx, st, __FILE__, __LINE__);
  *out = col;
  return BN_OK;
}

bn_status_t bn_col_to_dmat(const bn_bcmat_t *col, bn_dmat_t *b) {
  bn_ctx_t *ctx = col->ctx;
  int k = b->ncols;
  bn_idx_t n = bn_dist_global(b->dist);
  bn_dist_t *dist = NULL;
  bn_dmat_t *tmp = NULL, *moved = NULL;
  BN_CALL(ctx, col_dist(ctx, n, &dist));
  bn_status_t st = bn_dmat_create(dist, k, &tmp);
  if (st == BN_OK) {
    int lld = col->desc[BN_DESC_LLD];
    for (bn_idx_t i = 0; i < tmp->nlocal; i++)
      for (int j = 0; j < k; j++)
        tmp->data[i * k + j] = col->data[i + (size_t)j * lld];
    st = bn_dmat_redistribute(tmp, b->dist, &moved);
  }
  if (st == BN_OK) st = bn_dmat_copy(moved, b);
  bn_dmat_destroy(moved);
  bn_dmat_destroy(tmp);
  bn_dist_destroy(dist);
  return st == BN_OK ? BN_OK : bn_error_trace(ctx, st, __FILE__, __LINE__);
}

/* Near-square grid: the largest divisor of P not above sqrt(P) rows. */
static void square_grid(int p, int *nprow, int *npcol) {
  int r = 1;
  for (int d = 1; d * d <= p; d++)
    if (p % d == 0) r = d;
  *nprow = r;
  *npcol = p / r;
}

bn_status_t bn_dmat_to_bc(const bn_dmat_t *a, int nprow, int npcol, int mb,
                          int nb, bn_bcmat_t **out) {
  bn_ctx_t *ctx = a->ctx;
  int p = bn_ctx_size(ctx), one = 1;
  *out = NULL;
  if (nprow == 0 && npcol == 0) square_grid(p, &nprow, &npcol);
  if (nprow < 1 || npcol < 1 || nprow * npcol != p || mb < 1 || nb < 1)
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "bad grid %d x %d for %d processes or blocks %d x %d",
                    nprow, npcol, p, mb, nb);
  bn_bcmat_t *col = NULL, *bc = NULL;
  BN_CALL(ctx, bn_dmat_to_col(a, &col));
  int m = col->desc[BN_DESC_M], n = col->desc[BN_DESC_N];
  bn_status_t st = bn_bcmat_alloc(ctx, m, n, nprow, npcol, mb, nb, &bc);
  /* The P x 1 grid spans every process, so it serves as the context that
   * contains both grids. */
  if (st == BN_OK)
    pdgemr2d_(&m, &n, col->data, &one, &one, col->desc, bc->data, &one, &one,
              bc->desc, &col->ictxt);
  bn_bcmat_destroy(col);
  if (st != BN_OK) return bn_error_trace(ctx, st, __FILE__, __LINE__);
  *out = bc;
  return BN_OK;
}

bn_status_t bn_bc_to_dmat(const bn_bcmat_t *m, bn_dmat_t *b) {
  bn_ctx_t *ctx = m->ctx;
  int p = bn_ctx_size(ctx), one = 1;
  int rows = m->desc[BN_DESC_M], cols = m->desc[BN_DESC_N];
  if ((bn_idx_t)rows != bn_dist_global(b->dist) || cols != b->ncols)
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "bn_bc_to_dmat: %d x %d into a %lld x %d matrix", rows,
                    cols, (long long)bn_dist_global(b->dist), b->ncols);
  bn_bcmat_t *col = NULL;
  int bs = (rows + p - 1) / p;
  BN_CALL(ctx, bn_bcmat_alloc(ctx, rows, cols, p, 1, bs, cols, &col));
  pdgemr2d_(&rows, &cols, m->data, &one, &one, m->desc, col->data, &one, &one,
            col->desc, &col->ictxt);
  bn_status_t st = bn_col_to_dmat(col, b);
  bn_bcmat_destroy(col);
  return st == BN_OK ? BN_OK : bn_error_trace(ctx, st, __FILE__, __LINE__);
}
