/* Pieces shared by the low-rank problems (complete, factor, sense, rpca):
 * r x r Grams, the balancing term 1/8 |U^T U - V^T V|_F^2, the relative
 * error of U V^T to a ground truth X Y^T read from /truth/U, /truth/V,
 * and (lowrank_setup.c, glm too) create, init and the spectral point.
 * Private to src/problems. */
#ifndef BN_PROBLEMS_LOWRANK_H
#define BN_PROBLEMS_LOWRANK_H

#include "benign/benign.h"

/* out += a^T b for n x r row-major a, b (no communication); with a == b
 * out must be symmetric on entry (a dsyrk on the upper half, mirrored). */
bn_status_t bn_gram_local(int r, bn_idx_t n, const double *a, const double *b,
                          double *out);

/* Balancing term from the summed Grams: guu becomes D = U^T U - V^T V;
 * returns 1/8 |D|_F^2. */
double bn_lr_balance(int r, double *guu, const double *gvv);
/* Its gradient: gU += 1/2 U D, gV -= 1/2 V D (local rows). */
void bn_lr_balance_grad(int r, bn_idx_t nu, const double *u, bn_idx_t nv,
                        const double *v, const double *d, double *gu,
                        double *gv);
/* Its Hessian along (dU, dV): with D from bn_lr_balance, the summed Grams
 * gdu = dU^T U, gdv = dV^T V and dD = E + E^T, E = gdu - gdv (gdu is
 * overwritten by dD): hU += 1/2 (dU D + U dD), hV -= 1/2 (dV D + V dD)
 * (local rows, no communication). */
void bn_lr_balance_hvp(int r, bn_idx_t nu, const double *u, const double *du,
                       bn_idx_t nv, const double *v, const double *dv,
                       const double *d, double *gdu, const double *gdv,
                       double *hu, double *hv);

/* Ground truth M = X Y^T, kept as X = Qx Rx (Householder QR) so that the
 * error is measured without cancellation (accurate to ~1e-13). */
typedef struct bn_lr_truth {
  bn_dmat_t *q, *y; /* Qx (n1 x k) on the U rows, Y (n2 x k) on the V rows */
  double *rx;       /* Rx, k x k */
  double norm2;     /* |X Y^T|_F^2 */
  double *buf;      /* work space, allocated on first use */
  int k;
  int buf_r; /* the rank buf was sized for (a retune may change it) */
} bn_lr_truth_t;

/* Collective. Reads /truth/U (on rdist) and /truth/V (on cdist) if both
 * exist; *out = NULL (no error) otherwise. Checks 1 <= k <= min(n1, n2). */
bn_status_t bn_lr_truth_read(bn_ctx_t *ctx, bn_h5_t *f, bn_dist_t *rdist,
                             bn_dist_t *cdist, bn_lr_truth_t **out);
void bn_lr_truth_destroy(bn_lr_truth_t *t);
/* Collective: |U V^T - X Y^T|_F / |X Y^T|_F for the local rows of U (nu x
 * r) and V (nv x r), two allreduces. */
bn_status_t bn_lr_truth_error(bn_ctx_t *ctx, bn_lr_truth_t *t, int r,
                              bn_idx_t nu, const double *u, bn_idx_t nv,
                              const double *v, double *rel);

/* Collective: the factors of an iterate x = [U local rows | V local rows]
 * as datasets PREFIXU and PREFIXV (vdist NULL: U only), and back onto this
 * run's distributions (the problems' save/load, used by checkpoints). */
bn_status_t bn_lr_save_uv(bn_ctx_t *ctx, bn_h5_t *f, const char *prefix,
                          bn_dist_t *udist, bn_dist_t *vdist, int r,
                          const double *x);
bn_status_t bn_lr_load_uv(bn_h5_t *f, const char *prefix, bn_dist_t *udist,
                          bn_dist_t *vdist, int r, double *x);
/* Collective: the result's attributes rows, cols and rank on "/". */
bn_status_t bn_lr_save_shape(bn_h5_t *f, bn_idx_t n1, bn_idx_t n2, int r);

/* A random initial point: entries N(0, sigma^2) keyed by (seed, global
 * index), the same on any number of processes; U rows u0 .. u0+nu-1, V
 * rows v0 .. v0+nv-1 of x = [U local | V local]. */
void bn_lr_random_fill(uint64_t seed, double sigma, int r, bn_idx_t u0,
                       bn_idx_t nu, bn_idx_t v0, bn_idx_t nv, double *x);

/* Collective (lowrank_truth.c): the balanced factors of the truth as an
 * iterate [U* local | V* local] (sym: U* only); *have = false when t is
 * NULL. The problems' `truth` ops wrap it. */
bn_status_t bn_lr_truth_point(bn_ctx_t *ctx, bn_lr_truth_t *t, int r, int sym,
                              double *x, bool *have);

/* lowrank_setup.c: the pieces of setup the problems share. */

/* A problem's create, in steps (the state is size bytes, zeroed):
 * options sets the state's ctx (and timers) and checks the options (it
 * keeps --input through bn_lr_input); read takes the open input file;
 * prepare allocates work space; destroy frees a state at any step. */
typedef struct bn_lr_setup {
  size_t size;
  bn_status_t (*options)(void *data, bn_ctx_t *ctx, const bn_opts_t *opts);
  bn_status_t (*read)(void *data, bn_h5_t *f, const bn_opts_t *opts);
  bn_status_t (*prepare)(void *data);
  void (*destroy)(void *data);
} bn_lr_setup_t;

/* Collective: the problems' create: the steps above, the file opened from
 * --input between options and read; on error the state is destroyed and
 * *data is NULL. */
bn_status_t bn_lr_create(bn_ctx_t *ctx, const bn_opts_t *opts,
                         const bn_lr_setup_t *setup, void **data);
/* Not collective: --oversample, --power-iters >= 0 and --init-scale > 0
 * (the options of the two initial points, checked at create so that an
 * absurd value fails before the input is read). */
bn_status_t bn_lr_check_init(bn_ctx_t *ctx, const bn_opts_t *opts);
/* Collective-safe (every rank the same verdict, no communication): an
 * error naming the attribute `attr` (e.g. "/omega rows") when a factor of
 * n rows of k values could not fit in the processes' memory. */
bn_status_t bn_lr_check_fits(bn_ctx_t *ctx, const char *path, const char *attr,
                             bn_idx_t n, int k);
/* Not collective: *input = a copy of --input, or an error (no file given,
 * out of memory). */
bn_status_t bn_lr_input(bn_ctx_t *ctx, const bn_opts_t *opts, char **input);

/* An initial point of a problem: fill its iterate x from the options and
 * the seed (collective). */
typedef bn_status_t (*bn_lr_init_fn)(void *data, const bn_opts_t *opts,
                                     uint64_t seed, double *x);
/* Collective: the problems' init: reads --seed and --init, then, timed as
 * "init", random (--init=random) or spectral (otherwise). */
bn_status_t bn_lr_init(bn_ctx_t *ctx, void *data, const bn_opts_t *opts,
                       bn_lr_init_fn random, bn_lr_init_fn spectral, double *x);
/* Collective: the spectral point of an operator op (rows x cols): its top
 * r singular triplets by bn_rsvd (--oversample, clipped to min(rows, cols)
 * - r, and --power-iters) as balanced factors x = [Us s^(1/2) (nu local
 * rows) | Vs s^(1/2) (nv local rows; 0 for U only)]. sv = {s_1, s_r}
 * for the caller's own log line; sv NULL: logs "spectral init: top
 * singular values s_1 .. s_r". */
bn_status_t bn_lr_spectral(bn_ctx_t *ctx, const bn_opts_t *opts,
                           const bn_linop_t *op, int r, uint64_t seed,
                           bn_idx_t nu, bn_idx_t nv, double *x, double *sv);

/* Collective: full (all rows of dist, k values each, on every rank) from
 * each rank's local rows loc; and out (local rows) = the sum over the ranks
 * of buf (all rows). what names the call in an MPI error. */
bn_status_t bn_lr_allgather_rows(bn_ctx_t *ctx, bn_dist_t *dist,
                                 const double *loc, int k, double *full,
                                 const char *what);
bn_status_t bn_lr_reduce_scatter_rows(bn_ctx_t *ctx, bn_dist_t *dist,
                                      const double *buf, int k, double *out,
                                      const char *what);

/* Collective: *bad = the first global row (or -1) holding a non-finite
 * value among a rank's n local values (per values a row) starting at
 * global row first. */
bn_status_t bn_lr_first_bad(bn_ctx_t *ctx, const double *v, size_t n,
                            bn_idx_t first, size_t per, int64_t *bad);

/* lowrank_setup.c. Collective (the same verdict on every process): the
 * keys every low-rank generator reads -- --rows, --cols, --rank (in [1,
 * 2^20]), --seed and the required --output. */
bn_status_t bn_lr_gen_common(bn_ctx_t *ctx, const bn_opts_t *opts,
                             bn_idx_t *rows, bn_idx_t *cols, int *rank,
                             uint64_t *seed, const char **out);

#endif
