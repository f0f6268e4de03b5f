/* Private helpers of src/sparse. */
#ifndef BN_SPARSE_OBS_IMPL_H
#define BN_SPARSE_OBS_IMPL_H

#include "sparse/obs.h"

/* Collective. o->rowptr, o->gcol (global columns) and o->val hold each
 * owned row's entries in file order: sort each row by column (stably),
 * merge repeated pairs by `dup`, number the ghost columns (gcol becomes
 * the ghost index) and sum the counts over the processes. `what` names the
 * source in messages. */
bn_status_t bn_obs_finish(bn_obs_t *o, bn_obs_dup_t dup, const char *what);

#endif
