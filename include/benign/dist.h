/* benign -- row distributions: which rank owns which contiguous rows.
 *
 * Rank p owns global rows [offset(p), offset(p+1)). A distribution is shared
 * by reference between the matrices laid out on it. */
#ifndef BENIGN_DIST_H
#define BENIGN_DIST_H

#include "benign/types.h"

typedef struct bn_dist bn_dist_t;

/* Collective. Equal row counts (the first n % P ranks get one more). */
bn_status_t bn_dist_create_uniform(bn_ctx_t *ctx, bn_idx_t n, bn_dist_t **out);
/* Collective. Balanced by work: the weights of the rows of this rank's
 * *uniform* block are given (weights[k] is the weight of global row
 * uniform_offset(rank) + k; nonnegative). Split points are placed so every
 * rank gets about the same total weight. A rank may end up with no rows. */
bn_status_t bn_dist_create_weighted(bn_ctx_t *ctx, bn_idx_t n,
                                    const double *uniform_block_weights,
                                    bn_dist_t **out);
/* Collective. From explicit offsets (size P+1, identical on every rank). */
bn_status_t bn_dist_create_offsets(bn_ctx_t *ctx, const bn_idx_t *offsets,
                                   bn_dist_t **out);

bn_dist_t *bn_dist_ref(bn_dist_t *dist); /* take a reference */
void bn_dist_destroy(bn_dist_t *dist);   /* drop a reference; NULL is fine */

bn_ctx_t *bn_dist_ctx(const bn_dist_t *dist);
bn_idx_t bn_dist_global(const bn_dist_t *dist);
bn_idx_t bn_dist_offset(const bn_dist_t *dist, int rank); /* rank in [0,P] */
bn_idx_t bn_dist_local(const bn_dist_t *dist);            /* this rank */
bn_idx_t bn_dist_first(const bn_dist_t *dist);            /* this rank */
/* Owner of a global row (binary search). */
int bn_dist_owner(const bn_dist_t *dist, bn_idx_t row);
/* Offsets of the uniform distribution of n rows over P ranks. */
bn_idx_t bn_uniform_offset(bn_idx_t n, int nranks, int rank);

#endif
