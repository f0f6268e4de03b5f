/* Observed entries of a sparse matrix, distributed by the owner of the row.
 *
 * Rank p keeps the entries of its rows in CSR form. Columns are stored as
 * indices into the rank's sorted list of distinct columns ("ghosts"), which
 * is what a communication plan fetches (the rows of V that the entries
 * touch). Values and 32-bit ghost indices are held once: 12 bytes per
 * entry, plus 4 for the optional column-major index (bn_obs_csc) that the
 * alternating solvers use. Internal to the library (src/), used by the
 * low-rank problems. */
#ifndef BN_SPARSE_OBS_H
#define BN_SPARSE_OBS_H

#include <stdint.h>

#include "benign/h5.h"
#include "benign/plan.h"

/* What to do with a (row, col) pair given more than once. The order of the
 * copies is their order in the file. */
typedef enum bn_obs_dup {
  BN_OBS_DUP_ERROR, /* refuse, with the count and the first pair */
  BN_OBS_DUP_FIRST, /* keep the earliest copy's value */
  BN_OBS_DUP_LAST,  /* keep the latest copy's value */
  BN_OBS_DUP_SUM    /* add the values (an overflow is an error) */
} bn_obs_dup_t;

typedef struct bn_obs {
  bn_ctx_t *ctx;
  bn_dist_t *rdist;      /* rows owned (a reference)                    */
  bn_idx_t nrows, ncols; /* global shape                                 */
  bn_idx_t nnz;          /* entries on this rank                         */
  bn_idx_t nnz_global;
  bn_idx_t ndup_global; /* copies merged away by the duplicates policy */
  bn_idx_t *rowptr;     /* local rows + 1                                  */
  uint32_t *gcol;       /* ghost index of each entry                         */
  double *val;
  bn_idx_t nghost;
  bn_idx_t *ghost; /* global column of each ghost, increasing           */
  bn_plan_t *plan; /* ghosts on the column distribution (bn_obs_plan)   */
  /* Column-major index (bn_obs_csc; NULL until built): the local rows of
   * ghost g's entries are crow[cptr[g] .. cptr[g+1]), increasing. */
  bn_idx_t *cptr;
  uint32_t *crow;
} bn_obs_t;

/* Collective. Reads GROUP/row, GROUP/col, GROUP/val in rounds of bounded
 * size (each process a slice of each round; the extra memory is a few MB
 * whatever the file's size). Entries are checked (indices in range, values
 * finite; messages quote the first bad entry of the file), sent to their
 * row owners, sorted by column within a row, and repeated pairs are
 * resolved by `dup` in file order. rdist NULL: rows are balanced by entry
 * count and the distribution is created. */
bn_status_t bn_obs_read(bn_ctx_t *ctx, bn_h5_t *f, const char *group,
                        bn_idx_t nrows, bn_idx_t ncols, bn_dist_t *rdist,
                        bn_obs_dup_t dup, bn_obs_t **out);
/* Collective. Column distribution balanced by entries per column. */
bn_status_t bn_obs_col_dist(bn_obs_t *o, bn_dist_t **cdist);
/* Collective. Build the plan that fetches the ghost rows from cdist. */
bn_status_t bn_obs_plan(bn_obs_t *o, bn_dist_t *cdist);
/* Collective (agreed allocation). Build the column-major index once. */
bn_status_t bn_obs_csc(bn_obs_t *o);
/* Bytes this rank holds for the entries (CSR, ghosts, column index). */
double bn_obs_bytes(const bn_obs_t *o);
void bn_obs_destroy(bn_obs_t *o);

/* Collective (obs_write.c): write this process's n entries (row, col,
 * val; the processes' blocks in rank order) as GROUP/row, GROUP/col,
 * GROUP/val and the group's rows, cols attributes; *total gets the count
 * over all processes. */
bn_status_t bn_obs_write(bn_ctx_t *ctx, bn_h5_t *f, const char *group,
                         bn_idx_t n, const int64_t *row, const int64_t *col,
                         const double *val, bn_idx_t rows, bn_idx_t cols,
                         bn_idx_t *total);

#endif
