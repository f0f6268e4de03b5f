/* benign -- communication plans: fetch the rows a rank needs.
 *
 * Built once from the sorted global rows this rank needs (e.g. the columns
 * of its observed entries) and the owners' distribution. Then, every
 * iteration:
 *   gather:      ghost[g] = owned row need[g]            (from its owner)
 *   scatter_add: owned row need[g] += ghost[g]           (back to its owner)
 * for any row width k. Rows from one owner are contiguous in `need`, so the
 * received block lands in place with no unpacking. */
#ifndef BENIGN_PLAN_H
#define BENIGN_PLAN_H

#include "benign/dist.h"

typedef struct bn_plan bn_plan_t;

/* Collective. need: nneed strictly increasing global rows of `owners`. */
bn_status_t bn_plan_create(bn_dist_t *owners, bn_idx_t nneed,
                           const bn_idx_t *need, bn_plan_t **out);
void bn_plan_destroy(bn_plan_t *plan);
bn_idx_t bn_plan_nneed(const bn_plan_t *plan);

/* Collective. owned: local rows of the owners' distribution, k per row
 * (row-major); ghost: nneed rows of k. */
bn_status_t bn_plan_gather(bn_plan_t *plan, const double *owned, int k,
                           double *ghost);
/* Collective. Adds ghost rows into their owners' rows. */
bn_status_t bn_plan_scatter_add(bn_plan_t *plan, const double *ghost, int k,
                                double *owned);

#endif
