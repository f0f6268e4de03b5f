/* Matrix completion: the state shared by src/problems/lowrank/complete*.c.
 *
 * The model of entry (i, j) is y_ij = mu + b_i + c_j + u_i . v_j, the
 * biases b, c and the mean mu only with --bias (else y_ij = u_i . v_j):
 *
 *   f = 1/(2p) |P_Omega(Y - M)|^2 + beta |U^T U - V^T V|^2
 *       + 1/2 sum_i w_i (|u_i|^2 + b_i^2) + 1/2 sum_j w'_j (|v_j|^2 + c_j^2)
 *       + mu_inc sum_rows (|row| - alpha)_+^4      (incoherence, U and V)
 *
 * p = |Omega| / (n1 n2). Ridge weights: --lambda-scale=uniform w_i = w'_j =
 * lambda; count w_i = lambda n_i / p, w'_j = lambda n_j / p (n_i, n_j the
 * entries of row i, column j), so that a row's least-squares problem is
 * sum_j (y_ij - m_ij)^2 + lambda n_i |u_i|^2: LIBMF's -l2, ALS-WR. beta is
 * 1/8 (the balancing term that removes the GL(r) freedom of U V^T), or 0
 * with count-scaled lambda > 0, where the ridge fixes the scale itself.
 *
 * U rows live with the rows of M they own; V rows on a column distribution
 * balanced by entries per column; each rank fetches the V rows (with c_j:
 * ghost rows of width w = r + bias) its entries touch through the
 * observations' plan. The iterate is [U | V | b | c], local rows, U and V
 * row-major r per row, b and c only with --bias. */
#ifndef BN_PROBLEMS_COMPLETE_H
#define BN_PROBLEMS_COMPLETE_H

#include "benign/benign.h"
#include "benign/problem.h"
#include "problems/lowrank/lowrank.h"
#include "sparse/obs.h"

/* Column tiles of the pass over the entries (complete_tiles.c): the work
 * space that carries each row's partial sums from one tile to the next;
 * NULL pointers when no pass is tiled. */
typedef struct bn_pass_tiles {
  int n;          /* tiles of this pass (1: untiled) */
  bn_idx_t *cur;  /* local rows + 1: each row's next entry */
  double *rowsum; /* local rows + 1: each row's sum of squares so far */
  double *gi;     /* local rows x w (the pass's reals): rows' gradient */
} bn_pass_tiles_t;

typedef struct bn_complete {
  bn_ctx_t *ctx;
  char *input;
  bn_idx_t n1, n2;
  int r;
  double p, lambda, mu, alpha;
  bool bias;        /* --bias */
  bool count;       /* --lambda-scale=count */
  bool balance;     /* the balancing term is on (beta = 1/8) */
  bool implicit;    /* --loss=implicit (complete_implicit.c)   */
  double ialpha;    /* its --alpha: confidence 1 + alpha r_ij  */
  double *imp_buf;  /* its ALS work space, made on the first sweep */
  double mean;      /* mu of the model: mean training value (--bias), or 0 */
  int w;            /* ghost row width: r + bias */
  bn_obs_dup_t dup; /* --duplicates */
  bn_obs_t *obs, *test;
  bn_dist_t *rdist, *cdist;
  int64_t *row_ids, *col_ids; /* the input's /map: ids of this process's
                               * rows and columns, or NULL */
  bn_idx_t nu, nv;            /* local rows of U and V */
  double *regu, *regv;        /* ridge weight of each local row of U, V */
  double *stage;    /* owned rows [v_j | c_j] or their gradient, nv x w */
  double *vg, *gvg; /* ghost rows of V and their gradient, nghost x w */
  double *tvg;      /* ghost rows of V for the test entries */
  /* --precision=mixed (complete_pass32.c): single-precision passes until
   * the relative residual |P(Y - M)| / |P(M)| falls below BN_MIXED_SWITCH,
   * then double (dbl; saved in checkpoints). */
  bool mixed, dbl;
  double summ2; /* |P_Omega(M)|^2: with --precision=mixed (and when the
                 * incoherence radius comes from the data) */
  float *vgf;   /* vg and gvg in float: 2 x nvgf */
  size_t nvgf;
  double tile_cache;     /* --tile-cache in bytes (0: no tiles) */
  bn_pass_tiles_t tiles; /* its work space */
  bn_lr_truth_t *truth;  /* ground truth, NULL if none */
  double *als_buf;       /* ALS work space, allocated on the first sweep */
  bn_idx_t als_eb;       /* its entries per group of the column solves */
  struct bn_als_chunks *als_chunks; /* the column solves' chunks */
  /* Tests only (they compare the ways): where the column systems come
   * from (0 auto, 1 row blocks, 2 column ranges) and how many chunks of
   * columns (0 auto). */
  int als_group, als_nchunks;
  double *red;      /* allreduce buffer of eval and metrics */
  const double *ib; /* during the spectral init: b (with vg = ghost c) */
  double *hbuf;     /* hvp work space, allocated on first use */
  double *pcbuf;    /* precond work space (2 inverses, a block of rows) */
  size_t npcbuf;    /* its length: made on first use, again for a new r */
  int t_gather, t_kernel, t_scatter, t_reduce, t_usweep, t_vsweep;
} bn_complete_t;

/* The parts of an iterate (or of a vector of its length). */
typedef struct bn_complete_parts {
  double *u, *v, *b, *c; /* b, c NULL without --bias */
} bn_complete_parts_t;

static inline bn_complete_parts_t bn_complete_split(const bn_complete_t *c,
                                                    const double *x) {
  double *u = (double *)x, *v = u + (size_t)c->nu * (size_t)c->r;
  double *b = c->bias ? v + (size_t)c->nv * (size_t)c->r : NULL;
  return (bn_complete_parts_t){u, v, b, b ? b + c->nu : NULL};
}

/* Collective: ghost rows [v_j | c_j] of the iterate's V (and c) into vg
 * (nghost x w) through plan. */
bn_status_t bn_complete_gather_v(bn_complete_t *c, bn_plan_t *plan,
                                 const double *x, double *vg);
/* Collective: the ghost rows gvg (nghost x w) added into the owners' rows
 * of gv (nv x r) and gc (nv; without --bias NULL). */
bn_status_t bn_complete_scatter_v(bn_complete_t *c, double *gvg, double *gv,
                                  double *gc);

bn_status_t bn_complete_eval(void *data, const double *x, double *f, double *g);
/* complete_pass32.c, --precision=mixed. Collective (the work space is
 * agreed on first use): eval's pass with the ghost rows of c->vg and
 * their gradient stored in float: the local sum of squared residuals, and
 * with g the U (b) gradient added into g and the ghost gradient written
 * to c->gvg. Local: after the allreduce, the switch to double once the
 * relative residual sqrt(sumsq / summ2) is below BN_MIXED_SWITCH (sumsq:
 * all processes'). Rounding V to float leaves a floor near 5e-8 on the
 * bench instances (the 4.8 M one stalls there with the switch at 3e-8);
 * the switch stays a few times above it. */
#define BN_MIXED_SWITCH 3e-7
bn_status_t bn_complete_pass_mixed(bn_complete_t *c, const double *x, double *g,
                                   double *sumsq);
void bn_complete_mixed_update(bn_complete_t *c, double sumsq);
/* Collective (complete_hvp.c): hv = H(x) v, the Hessian of eval's f. */
bn_status_t bn_complete_hvp(void *data, const double *x, const double *v,
                            double *hv);
bn_status_t bn_complete_metrics(void *data, const double *x, double *rel,
                                double *rmse);
/* Collective: with --bias, the relative error of the whole model
 * mu + b_i + c_j + u_i . v_j to the truth (/truth/U, /truth/V hold the
 * truth's own [X | b + mu | 1], [Y | 1 | c], as generate writes them). */
bn_status_t bn_complete_bias_error(bn_complete_t *c, const double *x,
                                   double *rel);
bn_status_t bn_complete_sweep(void *data, double *x);
bn_status_t bn_complete_init(void *data, const bn_opts_t *opts, double *x);
/* Rebalance U, V in place so U^T U = V^T V (same product U V^T). */
bn_status_t bn_complete_balance(bn_complete_t *c, double *x);

/* complete.c: the work space sized by the rank (collective, agreed), and
 * the incoherence weight --incoherence gives for this lambda.
 * complete_retune.c: the `retune` op (--rank, --lambda anew on the data
 * already loaded). */
bn_status_t bn_complete_buffers(bn_complete_t *c);
bn_status_t bn_complete_incoherence(bn_ctx_t *ctx, const bn_opts_t *o,
                                    double lambda, double *mu);
bn_status_t bn_complete_retune(void *data, const bn_opts_t *opts);

/* complete_implicit.c: --loss=implicit's objective, ALS sweep and random
 * start (collective). */
bn_status_t bn_implicit_eval(void *data, const double *x, double *f, double *g);
bn_status_t bn_implicit_sweep(void *data, double *x);
bn_status_t bn_implicit_init(bn_complete_t *c, const bn_opts_t *opts,
                             double *x);

/* complete_bias.c: ridge weights, the biases' start, save and load. */
bn_status_t bn_complete_weights(bn_complete_t *c);
/* Collective: mu and damped row and column means as the biases' start
 * (b, c of x), then the values' scale: *rms = the root mean square of the
 * training values less the model's offsets. */
bn_status_t bn_complete_bias_init(bn_complete_t *c, double *x, double *rms);
bn_status_t bn_complete_bias_save(bn_complete_t *c, const double *x, bn_h5_t *f,
                                  const char *prefix);
bn_status_t bn_complete_bias_load(bn_complete_t *c, bn_h5_t *f,
                                  const char *prefix, double *x);

/* Small dense helpers (row-major, r x r). */
int bn_chol_solve(int n, double *a, double *b); /* 0 on success */

/* complete_tiles.c. Collective: --tile-cache (auto: half the last-level
 * cache over the processes on this node). */
bn_status_t bn_complete_tiles_options(bn_complete_t *c, const bn_opts_t *opts);
/* Collective (agreed): the tiles' work space for the rank (after
 * bn_complete_buffers sets w); local: free it. */
bn_status_t bn_complete_tiles_alloc(bn_complete_t *c);
void bn_complete_tiles_free(bn_complete_t *c);
/* Local: tiles of the training pass over ghost rows of `elem`-byte reals,
 * with (grad) or without the gradient; 1 without work space. */
int bn_complete_tiles(const bn_complete_t *c, size_t elem, bool grad);
static inline bn_pass_tiles_t bn_complete_tl(const bn_complete_t *c,
                                             size_t elem, const double *g) {
  bn_pass_tiles_t t = c->tiles;
  t.n = bn_complete_tiles(c, elem, g != NULL);
  return t;
}

/* complete_gen_opts.c: `benign generate complete`, its options and run
 * (collective). */
extern const bn_optdef_t bn_gen_complete_opts[];
bn_status_t bn_gen_complete_run(bn_ctx_t *ctx, bn_opts_t *opts);

/* complete_map.c. Collective: read the input's /map/row_ids and
 * /map/col_ids (when present; checked against the size) for this process's
 * rows and columns; write them into a result. */
bn_status_t bn_complete_map_read(bn_complete_t *c, bn_h5_t *f);
bn_status_t bn_complete_map_save(bn_complete_t *c, bn_h5_t *f);
/* Collective: the training values' mean, min and max as root attributes. */
bn_status_t bn_complete_values_save(bn_complete_t *c, bn_h5_t *f);
/* Local. */
void bn_complete_map_free(bn_complete_t *c);

#endif
