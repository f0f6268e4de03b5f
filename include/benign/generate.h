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

/* Fully observed factorization: Y = X X^T (sym; rows = cols) or X Z^T
 * (general) with X, Z Gaussian times column scales spread geometrically
 * from 1 to 1/condition (as for completion), plus N(0, noise^2) noise
 * (symmetric in sym mode). Writes /Y (rows x cols) and the truth /truth/U =
 * X, /truth/V = Z (= X in sym mode) atomically; the same file on any number
 * of processes. */
typedef struct bn_factor_gen {
  bn_idx_t rows, cols;
  int rank;
  int sym;
  double noise, condition;
  uint64_t seed;
} bn_factor_gen_t;

/* Collective. Validates the parameters first. */
bn_status_t bn_generate_factor(bn_ctx_t *ctx, const bn_factor_gen_t *g,
                               const char *output);

/* Robust PCA: M = L + S with L = X Y^T (X, Y Gaussian with the column
 * scales of completion, so entries of L are about N(0, 1)) and S a fraction
 * `corrupt` of the entries (each independently) set to a random sign times
 * magnitude * max|L| * U(0.5, 1.5). sample_rate 1 writes the dense /M
 * (rows x cols); below 1 each entry is observed with that probability and
 * /omega/row, col, val are written instead. Truth: /truth/U = X,
 * /truth/V = Y, /truth/S/row, col, val (the corruptions, of observed
 * entries only). Every draw is keyed by (seed, global index): the same
 * file on any number of processes. */
typedef struct bn_rpca_gen {
  bn_idx_t rows, cols;
  int rank;
  double corrupt, magnitude, sample_rate, condition;
  uint64_t seed;
} bn_rpca_gen_t;

/* Collective. Validates the parameters first; stats->train = entries
 * written, stats->test = corrupted entries among them. */
bn_status_t bn_generate_rpca(bn_ctx_t *ctx, const bn_rpca_gen_t *g,
                             const char *output, bn_gen_stats_t *stats);

/* Matrix sensing: M = X Y^T (X, Y as for completion, entries of M about
 * N(0, 1)) and m measurements y_i = <A_i, M> (+ N(0, noise^2)). op is
 * "gaussian" (A_i with N(0, 1) entries stored as row i of /A, m x rows
 * cols), "rank-one" (A_i = a_i b_i^T, /a m x rows, /b m x cols, N(0, 1)) or
 * "implicit" (the gaussian A_i, never stored: the seed is kept and the
 * solver regenerates them). Writes /y (attributes operator, rows, cols,
 * seed), the operator's arrays, /truth/U and /truth/V; the same file on any
 * number of processes. */
typedef struct bn_sense_gen {
  bn_idx_t rows, cols, measurements;
  int rank;
  const char *op;
  double noise, condition;
  uint64_t seed;
} bn_sense_gen_t;

/* Collective. Validates the parameters first. */
bn_status_t bn_generate_sense(bn_ctx_t *ctx, const bn_sense_gen_t *g,
                              const char *output);

#endif
