/* Observed entries of a sparse matrix, distributed by the owner of the row.
 *
 * Rank p keeps the entries of its rows in CSR form. Columns are stored as
 * indices into the rank's sorted list of distinct columns ("ghosts"), which
 * is what a communication plan fetches (the rows of V that the entries
 * touch). Internal to the library (src/), used by the low-rank problems. */
#ifndef BN_SPARSE_OBS_H
#define BN_SPARSE_OBS_H

#include <stdint.h>

#include "benign/h5.h"
#include "benign/plan.h"

/* What to do with a (row, col) pair given more than once. The order of the
 * copies is the order of the input: rank 0's share first, each share in its
 * own order (for a file read with bn_obs_read: file order). */
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
} bn_obs_t;

/* Collective. Entries given as triplets in any distribution (each rank any
 * share). They are checked (indices in range, values finite; `what` names
 * the source in messages), moved to their row owners, sorted, and repeated
 * pairs are resolved by `dup`. rdist NULL: rows are balanced by entry count
 * and the distribution is created. */
bn_status_t bn_obs_create(bn_ctx_t *ctx, bn_idx_t nrows, bn_idx_t ncols,
                          bn_idx_t n, const int64_t *row, const int64_t *col,
                          const double *val, bn_dist_t *rdist, bn_obs_dup_t dup,
                          const char *what, bn_obs_t **out);
/* Collective. Reads GROUP/row, GROUP/col, GROUP/val (each rank a contiguous
 * share, in rank order) and calls bn_obs_create. */
bn_status_t bn_obs_read(bn_ctx_t *ctx, bn_h5_t *f, const char *group,
                        bn_idx_t nrows, bn_idx_t ncols, bn_dist_t *rdist,
                        bn_obs_dup_t dup, bn_obs_t **out);
/* Collective. Column distribution balanced by entries per column. */
bn_status_t bn_obs_col_dist(bn_obs_t *o, bn_dist_t **cdist);
/* Collective. Build the plan that fetches the ghost rows from cdist. */
bn_status_t bn_obs_plan(bn_obs_t *o, bn_dist_t *cdist);
void bn_obs_destroy(bn_obs_t *o);

#endif
