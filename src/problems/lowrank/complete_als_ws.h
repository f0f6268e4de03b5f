/* Matrix completion: the alternating least squares sweep's private pieces,
 * shared by complete_als.c (work space, row solves, the sweep) and
 * complete_als_cols.c (column solves).
 *
 * A row's system comes from one product: the gathered rows with their
 * targets appended, a = [features | target] (k x (W + 1)), give a^T a =
 * [G z; z^T .] with G the normal matrix and z the right-hand side; only
 * the lower triangle is formed (linalg/gram.h), so z is read from the
 * last row. */
#ifndef BN_PROBLEMS_COMPLETE_ALS_H
#define BN_PROBLEMS_COMPLETE_ALS_H

#include <string.h>

#include "linalg/chol_batch.h"
#include "linalg/gram.h"
#include "problems/lowrank/complete_state.h"

/* Rows gathered per BLAS call; entries per group of the column solves
 * (each group's entries are copied by column, 12 bytes an entry: there is
 * no lasting column-major copy of the entries). */
#define BN_ALS_BLK 512
#define BN_ALS_EBLK ((bn_idx_t)1 << 20)

typedef struct bn_als_ws {
  int W;     /* unknowns per row: r + bias */
  size_t P;  /* packed lower triangle of a W x W system */
  double *a; /* scratch for a block of gathered rows, BLK x (W + 1) */
  double *y; /* a block's targets, BLK */
  double *bm, *bz, *bz0; /* a batch of systems (linalg/chol_batch.h) */
  double *g;             /* their product a^T a, (W + 1) x (W + 1) */
  double *m, *z;         /* one system, W x W and W */
  double *ne;            /* one chunk's ghost column systems, (P + W) each */
  double *own;           /* one chunk's owned column systems */
  bn_idx_t *cnt;         /* entries before each ghost column (a prefix sum) */
  bn_idx_t *cur;         /* each row's next entry (column ranges) */
  bn_idx_t *bptr;        /* a group's entries by ghost column: */
  uint32_t *brow;        /* their local rows */
  double *bval;          /* and values */
} bn_als_ws_t;

/* The column solves' chunks of global columns (complete_als_cols.c): one
 * plan each, so that the systems in flight are bounded. */
typedef struct bn_als_chunk {
  bn_idx_t h0, h1; /* this rank's ghosts in the chunk */
  bn_idx_t o0, o1; /* its owned columns in the chunk (local rows of V) */
  bn_dist_t *dist; /* the chunk's columns over the ranks */
  bn_plan_t *plan; /* ghosts [h0, h1) on dist */
} bn_als_chunk_t;

struct bn_als_chunks {
  int n;
  bn_idx_t ghosts, owned; /* the most of any chunk on this rank */
  bn_als_chunk_t *c;
};

/* Collective: the chunks, once (c->als_chunks). */
bn_status_t bn_als_chunks_create(bn_complete_t *c, size_t sw);
void bn_als_chunks_destroy(struct bn_als_chunks *ch);
/* Collective: V (and c) from the column systems, U fixed. */
bn_status_t bn_als_cols(bn_complete_t *c, const bn_als_ws_t *ws,
                        bn_complete_parts_t x);

/* g += the system of k entries: features [x row idx[t] | 1 if bias],
 * targets y (rows of x ld apart). */
static inline void bn_als_accumulate(const bn_als_ws_t *ws, int bias, int k,
                                     const double *x, size_t ld,
                                     const uint32_t *idx, const double *y) {
  bn_gram_rows(ws->W + 1, bias, k, x, ld, idx, y, ws->a, ws->g);
}

/* Systems waiting for a batched solve: lanes [0, n) of ws->bm, ws->bz. */
typedef struct bn_als_batch {
  int n;
  unsigned zero;               /* lanes of systems without entries */
  bn_idx_t who[BN_CHOL_LANES]; /* the rows they solve for */
} bn_als_batch_t;

/* Queue the system in ws->m (lower triangle), ws->z for row `who`, with
 * the ridge reg plus a tiny relative jitter (rows with fewer entries than
 * unknowns stay solvable at lambda = 0); full batches are solved into the
 * rows of u (r wide) and bias (when the system has one more unknown). */
void bn_als_batch_add(const bn_als_ws_t *ws, bn_als_batch_t *bt, double reg,
                      bn_idx_t who, double *u, double *bias, int r);
/* Solve the queued systems: a row without entries gets 0, a system that
 * is not positive definite gets its right-hand side (as before ALS
 * batched them). */
void bn_als_batch_solve(const bn_als_ws_t *ws, bn_als_batch_t *bt, double *u,
                        double *bias, int r);

#endif
