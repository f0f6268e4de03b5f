/* benign -- private layout of bn_dmat, shared by the linalg sources. */
#ifndef BENIGN_LINALG_DMAT_IMPL_H
#define BENIGN_LINALG_DMAT_IMPL_H

#include <stddef.h>

#include "benign/dmat.h"

struct bn_dmat {
  bn_ctx_t *ctx;
  bn_dist_t *dist; /* referenced */
  int ncols;
  bn_idx_t nlocal; /* rows on this rank */
  bn_idx_t first;  /* global index of the first local row */
  double *data;    /* nlocal x ncols, row-major */
};

static inline size_t bn_dmat_local_size(const bn_dmat_t *a) {
  return (size_t)a->nlocal * (size_t)a->ncols;
}

/* Not collective: BN_ERR_ARG unless a and b have the same columns and the
 * same local rows. */
bn_status_t bn_dmat_check_same_layout(const bn_dmat_t *a, const bn_dmat_t *b,
                                      const char *what);

/* Not collective: a committed MPI datatype of k contiguous doubles (one
 * row), so message counts stay in rows; free it with MPI_Type_free. */
bn_status_t bn_row_type(bn_ctx_t *ctx, int k, MPI_Datatype *type);

/* Not collective: BN_ERR_ARG if a row count or offset does not fit the int
 * that MPI counts use. */
bn_status_t bn_check_int(bn_ctx_t *ctx, bn_idx_t v, const char *what);

#endif
