/* Leading eigenvectors of a symmetric matrix, private to
 * src/problems/eig*.c.
 *
 *   minimise f(X) = -1/2 tr(X^T A X)  over  X^T X = I  (X n x k),
 *
 * the sphere for k = 1 and the Stiefel manifold for k > 1. Every critical
 * point spans an invariant subspace; the minimisers span the top-k
 * eigenspace and the others are strict saddles (given a gap
 * lambda_k > lambda_k+1), so the landscape is benign up to X -> X Q,
 * Q in O(k).
 *
 * A is dense (/A, n x n, each process reads its block of rows) or sparse
 * (/omega/row, col, val, the observation layout of `benign complete`, with
 * both triangles stored; `benign import` of a symmetric MatrixMarket file
 * writes exactly that). X is row-partitioned like A's rows: rank p owns
 * rows [offset(p), offset(p+1)) of both (uniform for dense A, balanced by
 * entries for sparse A). A X needs the other ranks' rows of X: the dense
 * form allgathers X (n k doubles), the sparse form fetches only the rows
 * its entries touch through a communication plan. Every k x k Gram (X^T A
 * X, X^T X, X^T V) is a local product and one allreduce.
 *
 * Geometry (embedded metric):
 *   grad f(X)   = P_X(-A X) = -A X + X M,      M = X^T A X,
 *   P_X(V)      = V - X sym(X^T V),
 *   Hess f(X)[V]= P_X(-A V + V M)   (= P_X(D^2 f[V] - V sym(X^T D f))),
 *   R_X(V)      = (X + V) ((X + V)^T (X + V))^(-1/2)   (polar retraction;
 *                 for k = 1 the normalisation). */
#ifndef BN_PROBLEMS_EIG_H
#define BN_PROBLEMS_EIG_H

#include "benign/benign.h"
#include "benign/problem.h"
#include "sparse/obs.h"

/* Streams (rng.h: problems use >= 64). */
enum {
  BN_EIG_STREAM_Q = 96,     /* generator: Gaussian blocks -> orthogonal Q_b */
  BN_EIG_STREAM_PROBE = 97, /* the symmetry probe of the input           */
  BN_EIG_STREAM_INIT = 98   /* random initial point                      */
};

typedef struct bn_eig {
  bn_ctx_t *ctx;
  char *input;
  int sparse;       /* /omega (1) or dense /A (0) */
  bn_idx_t n;       /* A is n x n */
  int k;            /* columns of X */
  bn_dist_t *dist;  /* rows of A and of X */
  bn_idx_t nl, r0;  /* local rows, first local row */
  bn_dmat_t *amat;  /* dense: the rank's rows of A (nl x n) */
  bn_obs_t *obs;    /* sparse: the rank's entries, CSR, plan on dist */
  double fro, rmax; /* |A|_F and max_i sum_j |A_ij| (Gershgorin bound) */
  double sym_tol;
  int power; /* --init=spectral: shifted subspace iterations */
  /* Ground truth: /truth/X (n x kt) orthonormalised, /truth/eigenvalues. */
  bn_dmat_t *tx;
  double *tlam; /* kt values, or NULL */
  int kt;
  /* Work space. */
  double *full;     /* dense: n x 2k gathered rows; sparse: ghosts x 2k */
  double *in, *out; /* nl x 2k each: [X | V] and [A X | A V] */
  double *small;    /* k x k matrices (8 of them) */
  int *cnt, *dsp;   /* dense: allgather counts (in rows) */
  int *wcnt, *wdsp; /* the same times a width */
  int t_apply, t_reduce;
} bn_eig_t;

void bn_eig_free(bn_eig_t *e);

/* Collective: out (nl x w) = A in, for in the rank's rows of an n x w
 * block (row-major, w <= 2k). */
bn_status_t bn_eig_apply(bn_eig_t *e, const double *in, int w, double *out);
/* Collective: out (k1 x k2) = A^T B summed over ranks, for local row blocks
 * a (nl x k1, row stride lda) and b (nl x k2, stride ldb). */
bn_status_t bn_eig_gram(bn_eig_t *e, int k1, const double *a, int lda, int k2,
                        const double *b, int ldb, double *out);

bn_status_t bn_eig_eval(void *data, const double *x, double *f, double *g);
bn_status_t bn_eig_retract(void *data, double *x);
bn_status_t bn_eig_project(void *data, const double *x, double *v);
bn_status_t bn_eig_hvp(void *data, const double *x, const double *v,
                       double *hv);
bn_status_t bn_eig_metrics(void *data, const double *x, double *rel,
                           double *rmse);
bn_status_t bn_eig_init(void *data, const bn_opts_t *opts, double *x);

/* Symmetric eigen-decomposition of a k x k row-major matrix (LAPACK dsyev):
 * eigenvalues descending in w and, when z != NULL, the unit eigenvectors as
 * the columns of z (row-major k x k). Not collective. */
bn_status_t bn_eig_small_syev(bn_ctx_t *ctx, int k, const double *a, double *w,
                              double *z);

/* Collective: Ritz values (descending) and, when vec != NULL, Ritz vectors
 * (nl x k local rows, column j for value j) of the subspace of X. */
bn_status_t bn_eig_ritz(bn_eig_t *e, const double *x, double *vals,
                        double *vec);

/* eig_gen_opts.c: `benign generate eig`, its options and run (collective). */
extern const bn_optdef_t bn_gen_eig_opts[];
bn_status_t bn_gen_eig_run(bn_ctx_t *ctx, bn_opts_t *opts);

#endif
