/* Private helpers of src/sparse. */
#ifndef BN_SPARSE_OBS_IMPL_H
#define BN_SPARSE_OBS_IMPL_H

#include "sparse/obs.h"

typedef struct bn_triplets {
  bn_idx_t n;
  int64_t *row, *col;
  double *val;
} bn_triplets_t;

bn_status_t bn_triplets_alloc(bn_ctx_t *ctx, bn_idx_t n, bn_triplets_t *t);
void bn_triplets_free(bn_triplets_t *t);
/* Collective: every triplet moves to the owner of its row in dest. */
bn_status_t bn_triplets_shuffle(bn_ctx_t *ctx, const bn_dist_t *dest,
                                bn_triplets_t *t);

#endif
