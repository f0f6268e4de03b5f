/* Fully observed low-rank factorization, private to src/problems/factor*.c.
 *
 *   sym:      f(U)    = 1/4 |Y - U U^T|_F^2            (Y n x n symmetric)
 *   general:  f(U, V) = 1/2 |Y - U V^T|_F^2 + 1/8 |U^T U - V^T V|_F^2
 *
 * Y is row-partitioned (uniform rows). U rows live with the Y rows each rank
 * owns; V (general mode) has its own uniform distribution of the n2 rows.
 * An evaluation all-gathers the small factor the local rows multiply (U in
 * sym mode, V in general mode, n x r), forms the residual block by block
 * (no cancellation: the objective is accurate down to rounding of the
 * residual, which the noiseless tests need), and reduce-scatters Y^T U's
 * contribution onto V's distribution. The iterate is [U local | V local]
 * (V absent in sym mode), row-major, r per row: no variable is replicated,
 * so the solver's inner products are plain sums over ranks. */
#ifndef BN_PROBLEMS_FACTOR_H
#define BN_PROBLEMS_FACTOR_H

#include "benign/benign.h"
#include "benign/problem.h"
#include "problems/lowrank/lowrank.h"

/* The stream of the symmetry probes (problems use values >= 64). */
enum { BN_STREAM_FACTOR_PROBE = 64 };

typedef struct bn_factor {
  bn_ctx_t *ctx;
  char *input;
  bn_idx_t n1, n2;
  int r;
  int sym;              /* --mode=sym */
  bn_dist_t *rdist;     /* rows of Y and U */
  bn_dist_t *cdist;     /* rows of V (general); rdist again in sym mode */
  bn_dmat_t *y;         /* Y, local rows, n2 columns */
  bn_idx_t nu, nv;      /* local rows of U and V (nv = 0 in sym mode) */
  double ynorm2;        /* |Y|_F^2 */
  bn_lr_truth_t *truth; /* ground truth, NULL if none */
  double *full;         /* the gathered factor, n x r (n = n1 sym, n2 gen) */
  double *gfull;        /* general: -R^T U before the reduce-scatter */
  double *blk;          /* residual block, blk_rows x n2 */
  bn_idx_t blk_rows;
  int *counts, *displs; /* per rank: local rows x r of the gathered factor */
  double *red;          /* allreduce buffer: 1 + 2 r^2 */
  double *hbuf;         /* hvp: gathered direction, Grams (first use) */
  int t_gather, t_kernel, t_reduce;
} bn_factor_t;

bn_status_t bn_factor_eval(void *data, const double *x, double *f, double *g);
/* Collective (factor_hvp.c): hv = H(x) v, the Hessian of eval's f. */
bn_status_t bn_factor_hvp(void *data, const double *x, const double *v,
                          double *hv);
bn_status_t bn_factor_metrics(void *data, const double *x, double *rel,
                              double *rmse);
bn_status_t bn_factor_init(void *data, const bn_opts_t *opts, double *x);
/* Collective: the full factor (n x r) gathered from its local rows. */
bn_status_t bn_factor_gather(bn_factor_t *c, const double *local);

/* factor_gen_opts.c: `benign generate factor`, its options and run
 * (collective). */
extern const bn_optdef_t bn_gen_factor_opts[];
bn_status_t bn_gen_factor_run(bn_ctx_t *ctx, bn_opts_t *opts);

#endif
