/* benign -- private layout of bn_bcmat and the 1-D conversions that the
 * linalg sources share (bcmat.c, qr.c). */
#ifndef BENIGN_LINALG_BCMAT_IMPL_H
#define BENIGN_LINALG_BCMAT_IMPL_H

#include "benign/dense.h"

struct bn_bcmat {
  bn_ctx_t *ctx;
  int ictxt; /* BLACS grid, released by bn_bcmat_destroy */
  int nprow, npcol, myrow, mycol;
  int desc[9];
  int lrows, lcols; /* local block, column-major with lld = desc[8] */
  double *data;
};

/* Collective: a zeroed m x n matrix on a new nprow x npcol grid (row-major
 * process order) of the context's communicator, mb x nb blocks. */
bn_status_t bn_bcmat_alloc(bn_ctx_t *ctx, int m, int n, int nprow, int npcol,
                           int mb, int nb, bn_bcmat_t **out);

/* Collective: A on a P x 1 grid with uniform row blocks of ceil(N/P) rows
 * and one block of all k columns, i.e. rank p holds global rows
 * [p*ceil(N/P), (p+1)*ceil(N/P)) whole. This is the natural ScaLAPACK
 * layout for tall-skinny work. */
bn_status_t bn_dmat_to_col(const bn_dmat_t *a, bn_bcmat_t **out);
/* Collective: the reverse, into b (same global shape). */
bn_status_t bn_col_to_dmat(const bn_bcmat_t *col, bn_dmat_t *b);

#endif
