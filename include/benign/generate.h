/* benign -- synthetic instances with ground truth. */
#ifndef BENIGN_GENERATE_H
#define BENIGN_GENERATE_H

#include <stdbool.h>

#include "benign/types.h"

/* Matrix completion: M = X Y^T with X (rows x rank), Y (cols x rank)
 * Gaussian with column scales s_k spread geometrically from 1 down to
 * 1/condition (normalised so sum s_k^2 = 1, hence entries of M are about
 * N(0, 1) and M's condition number is about `condition`). Each entry is
 * observed with probability sample_rate (geometric skips per row, so the
 * cost is proportional to the entries kept); an observed entry goes to the
 * held-out test set with probability test_fraction; noise adds
 * N(0, noise^2). Every draw is keyed by (seed, global index): the file is
 * the same for any number of processes.
 *
 * Ratings-like instances: bias_scale > 0 adds mu + b_i + c_j with b, c
 * N(0, bias_scale^2) and mu the middle of the value range (0 without one);
 * lo < hi clips the values to [lo, hi] as ratings are (lo = hi = 0: no
 * clipping). The truth is then written with the biases as two more columns,
 * /truth/U = [X | b + mu | 1], /truth/V = [Y | 1 | c], so that /truth/U
 * /truth/V^T is the whole model (before clipping and noise). */
typedef struct bn_complete_gen {
  bn_idx_t rows, cols;
  int rank;
  double sample_rate, test_fraction, noise, condition;
  uint64_t seed;
  double bias_scale, lo, hi;
  /* implicit feedback: a sampled entry is an interaction only when its
   * score (x_i . y_j + noise, about N(0, 1)) is at least 1, and its value
   * is a count, min(floor(score), 5); the others are not in the file. */
  bool implicit;
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

/* Phase retrieval: x_true with E|x|^2 = 1 (entries N(0, 1/n), or CN(0, 1/n)
 * when field is "complex") and m measurements y_i = |a_i^H x|^2 (data
 * "intensity") or |a_i^H x| ("amplitude"), plus N(0, noise^2) clipped at
 * 0, with rows a_i^H of A N(0, 1) or CN(0, 1) keyed by (seed, i). model
 * "gaussian" stores /A (m x n x 2, or m x n real), "implicit" only the
 * seed ("cdp" is refused: not yet available). Writes /y (attributes model,
 * field, data, n, seed), /A, /x_true (n x 2 or n); the same file on any
 * number of processes. */
typedef struct bn_phase_gen {
  bn_idx_t n, measurements;
  const char *field, *model, *data;
  double noise;
  uint64_t seed;
} bn_phase_gen_t;

/* Collective. Validates the parameters first. */
bn_status_t bn_generate_phase(bn_ctx_t *ctx, const bn_phase_gen_t *g,
                              const char *output);

/* Generalized linear model: n samples x_i ~ N(0, I_d) (/X, n x d), w* a
 * Gaussian direction scaled to |w*| = norm (/truth/w), and responses
 * y_i = sigma(w*^T x_i) + N(0, noise^2) (/y, attribute `link`), sigma one
 * of "sigmoid", "tanh", "softplus", "linear". Every draw is keyed by
 * (seed, global index): the same file on any number of processes. */
typedef struct bn_glm_gen {
  bn_idx_t samples, dim;
  const char *link;
  double norm, noise;
  uint64_t seed;
} bn_glm_gen_t;

/* Collective. Validates the parameters first. */
bn_status_t bn_generate_glm(bn_ctx_t *ctx, const bn_glm_gen_t *g,
                            const char *output);

/* Symmetric matrix with known leading eigenpairs: A = sum of blocks
 * Q_b diag(lambda_b) Q_b^T on interleaved index sets {i : i mod nb = b}
 * (nb = ceil(n / block); block = n: one dense random rotation), Q_b
 * orthogonal from Gaussian blocks. Eigenvalues: the top k are
 * 1 + gap k, 1 + gap (k - 1), ..., 1 + gap; the rest U(-1, 1). format
 * "dense" writes /A (n x n), "sparse" writes /omega/row, col, val (both
 * triangles, `block` entries per row; attributes rows = cols = n). Truth:
 * /truth/X (n x k, the top eigenvectors in order) and /truth/eigenvalues
 * (k, descending). block 0 picks n (dense) or 16 (sparse). The same file
 * on any number of processes. */
typedef struct bn_eig_gen {
  bn_idx_t n, block;
  int k;
  double gap;
  const char *format;
  uint64_t seed;
} bn_eig_gen_t;

/* Collective. Validates the parameters first. */
bn_status_t bn_generate_eig(bn_ctx_t *ctx, const bn_eig_gen_t *g,
                            const char *output);

/* Orthogonal symmetric 4th-order tensor T = sum_k lambda_k a_k^{(x)4}:
 * A (dim x components) with orthonormal columns (Gram-Schmidt, twice, of
 * a Gaussian matrix keyed by (seed, entry)), lambda positive (components
 * values). form "components" writes /A and /lambda; "explicit" writes /T,
 * the dim x dim^3 unfolding (dim <= 256); "samples" writes /Z (samples x
 * dim), rows z = A s with independent sources s_k = b g / sqrt(p_k), b
 * Bernoulli(p_k), g N(0, 1), p_k = 3 / (lambda_k + 3): unit variance and
 * kurtosis E s_k^4 - 3 = lambda_k, so the fourth cumulant of z is T. Every
 * form writes /A_true and /lambda_true. The same file on any number of
 * processes. */
typedef struct bn_tensor_gen {
  bn_idx_t dim, samples;
  int components;
  const double *lambda;
  const char *form;
  uint64_t seed;
} bn_tensor_gen_t;

/* Collective. Validates the parameters first. */
bn_status_t bn_generate_tensor(bn_ctx_t *ctx, const bn_tensor_gen_t *g,
                               const char *output);

/* Dictionary learning: Y = A X (+ noise, outliers, corruptions), m x p,
 * stored as /Y (p x m, one sample per row). A (m x n, unit columns):
 * "orthogonal" (n = m; the polar factor of a Gaussian matrix), "untf" (a
 * unit-norm tight frame: a Gaussian matrix alternately projected onto
 * tight frames A A^T = (n/m) I and unit columns) or "gaussian" (unit
 * Gaussian columns); "auto" is orthogonal for n = m, untf otherwise. X
 * (n x p) Bernoulli(theta)-Gaussian. noise adds N(0, noise^2) to every
 * entry; a fraction `outliers` of the samples is replaced by Gaussian
 * vectors of the inliers' expected norm; a fraction `corrupt` of the
 * entries gets +-corrupt_scale times the inliers' RMS entry added.
 * Writes /Y, /A_true, with store_codes /X_true/row (atom), col (sample),
 * val, and /outliers (sample indices) when there are any. Every draw is
 * keyed by (seed, global index): the same file on any number of
 * processes. */
typedef struct bn_dict_gen {
  bn_idx_t dim, samples;
  int atoms;
  const char *dictionary;
  double theta, noise, outliers, corrupt, corrupt_scale;
  int store_codes;
  uint64_t seed;
} bn_dict_gen_t;

/* Collective. Validates the parameters first. */
bn_status_t bn_generate_dict(bn_ctx_t *ctx, const bn_dict_gen_t *g,
                             const char *output);

/* Phase retrieval with coded diffraction patterns: an h x w complex image
 * x_true (image "random": CN(0, 1/n) pixels; "smooth": a smooth magnitude
 * and phase; |x_true| = 1) and y_l = |F(d_l .* x_true)|^2 (or |.|),
 * l < patterns, with octanary masks keyed by (seed, l, pixel); /y is
 * patterns x height x width, /x_true n x 2 (row-major pixels). */
typedef struct bn_phase_cdp_gen {
  bn_idx_t height, width, patterns;
  const char *image, *data;
  double noise;
  uint64_t seed;
} bn_phase_cdp_gen_t;

/* Collective. Validates the parameters first. */
bn_status_t bn_generate_phase_cdp(bn_ctx_t *ctx, const bn_phase_cdp_gen_t *g,
                                  const char *output);

#endif
