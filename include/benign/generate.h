/* benign -- synthetic instances with ground truth. */
#ifndef BENIGN_GENERATE_H
#define BENIGN_GENERATE_H

#include "benign/types.h"

/* Matrix completion: M = X Y^T with X (rows x rank), Y (cols x rank)
 * Gaussian with column scales s_k spread geometrically from 1 down to
 * 1/condition (normalised so sum s_k^2 = 1, hence entries of M are about
 * N(0, 1) and M's condition number is about `condition`). Each entry is
 * observed with probability sample_rate (geometric skips per row, so the
 * cost is proportional to the entries kept); an observed entry goes to the
 * held-out test set with probability test_fraction; noise adds
 * N(0, noise^2). Every draw is keyed by (seed, global index): the file is
 * the same for any number of processes. */
typedef struct bn_complete_gen {
  bn_idx_t rows, cols;
  int rank;
  double sample_rate, test_fraction, noise, condition;
  uint64_t seed;
} bn_complete_gen_t;

typedef struct bn_gen_stats {
  bn_idx_t train, test;
} bn_gen_stats_t;

/* Collective. Writes /omega, /test (if test_fraction > 0), /truth/U and
 * /truth/V atomically to output. Validates the parameters first. */
bn_status_t bn_generate_complete(bn_ctx_t *ctx, const bn_complete_gen_t *g,
                                 const char *output, bn_gen_stats_t *stats);

#endif
