/* Matrix completion, private to src/problems/complete*.c.
 *
 *   f(U, V) = 1/(2p) |P_Omega(U V^T - M)|^2 + 1/8 |U^T U - V^T V|^2
 *             + lambda/2 (|U|^2 + |V|^2)
 *             + mu sum_rows (|row| - alpha)_+^4      (incoherence, U and V)
 *
 * p = |Omega| / (n1 n2). U rows live with the rows of M they own; V rows on
 * a column distribution balanced by entries per column; each rank fetches
 * the V rows its entries touch through the observations' plan. The iterate
 * is [U local rows | V local rows], row-major, r per row. */
#ifndef BN_PROBLEMS_COMPLETE_H
#define BN_PROBLEMS_COMPLETE_H

#include "benign/benign.h"
#include "benign/problem.h"
#include "problems/lowrank.h"
#include "sparse/obs.h"

typedef struct bn_complete {
  bn_ctx_t *ctx;
  char *input;
  bn_idx_t n1, n2;
  int r;
  double p, lambda, mu, alpha;
  bn_obs_dup_t dup; /* --duplicates */
  bn_obs_t *obs, *test;
  bn_dist_t *rdist, *cdist;
  bn_idx_t nu, nv;      /* local rows of U and V */
  double *vg, *gvg;     /* ghost rows of V and their gradient, nghost x r */
  double *tvg;          /* ghost rows of V for the test entries */
  bn_lr_truth_t *truth; /* ground truth, NULL if none */
  double *als_buf;      /* ALS normal equations, allocated on first sweep */
  double *red;          /* allreduce buffer of eval and metrics */
  double *hbuf;         /* hvp work space, allocated on first use */
  int t_gather, t_kernel, t_scatter, t_reduce;
} bn_complete_t;

bn_status_t bn_complete_eval(void *data, const double *x, double *f, double *g);
/* Collective (complete_hvp.c): hv = H(x) v, the Hessian of eval's f. */
bn_status_t bn_complete_hvp(void *data, const double *x, const double *v,
                            double *hv);
bn_status_t bn_complete_metrics(void *data, const double *x, double *rel,
                                double *rmse);
bn_status_t bn_complete_sweep(void *data, double *x);
bn_status_t bn_complete_init(void *data, const bn_opts_t *opts, double *x);
/* Rebalance U, V in place so U^T U = V^T V (same product U V^T). */
bn_status_t bn_complete_balance(bn_complete_t *c, double *x);

/* Small dense helpers (row-major, r x r). */
int bn_chol_solve(int n, double *a, double *b); /* 0 on success */

#endif
