/* Orthogonal symmetric 4th-order tensor decomposition, private to
 * src/problems/tensor*.c.
 *
 *   T = sum_k lambda_k a_k^{(x)4},   f(x) = -T(x, x, x, x) on the sphere
 *
 * Components are found one at a time (deflation): after a solve converges
 * to x, the pair (mu, b) = (T_eff(x,x,x,x), x) is kept and every later
 * evaluation uses T_eff = T - sum_j mu_j b_j^{(x)4}; the deflation loop is
 * the program's run frame, steered by the stage hooks of tensor_run.c
 * (one solve per component).
 *
 * The tensor comes in one of three forms (the datasets present decide):
 *   components  /A (n x K, columns a_k) and /lambda (K): rows of /A are
 *               partitioned like x; T(., u, x, x) = A (lambda o c^2 o e)
 *               with c = A^T x, e = A^T u (one allreduce of K values);
 *   samples     /Z (N x n), rows (samples) partitioned; T is the sample
 *               fourth cumulant of the (centered) samples:
 *                 T(x,x,x,x) = mean (x^T z)^4 - 3 (x^T C x)^2,
 *               C = mean z z^T, the covariance correction that removes the
 *               Gaussian part (for whitened z it is 3 |x|^4). If z = A s
 *               with independent unit-variance sources of kurtosis
 *               kappa_k, T -> sum_k kappa_k a_k^{(x)4};
 *   explicit    /T stored as its n x n^3 unfolding (row i holds T[i,:,:,:]
 *               in C order, the bytes of a C-ordered n x n x n x n array),
 *               rows partitioned like x, checked for symmetry.
 *
 * The iterate x in S^{n-1} is small but the solvers' inner products are
 * sums over ranks of each rank's local part, so x is row-partitioned on a
 * uniform distribution of its n entries (xdist), like the rows of /A, /T,
 * /A_true and of the kept components: the components and explicit kernels
 * then need no gather of A or T, and every dot product with x is a local
 * partial sum plus the one allreduce each evaluation makes anyway. Samples
 * and explicit forms allgather x (n doubles) first. */
#ifndef BN_PROBLEMS_TENSOR_H
#define BN_PROBLEMS_TENSOR_H

#include <stdbool.h>

#include "benign/benign.h"
#include "benign/problem.h"

/* The run's state between solves (formerly public; used by the stage
 * hooks and the tests). */
/* One solve of the deflation loop. */
typedef struct bn_tensor_stage {
  int64_t iterations;
  int64_t reason;   /* a bn_reason_t */
  double objective; /* f = -T_eff(x,x,x,x) at the end */
  double grad_norm; /* Riemannian gradient norm at the end */
  double seconds;   /* the solve's own clock */
  double shift;     /* the shift in use at the end (power methods) */
} bn_tensor_stage_t;

/* Components to find (--components, or the file's number) and found so
 * far. Not collective (replicated). */
int bn_tensor_target(const void *data);
int bn_tensor_found(const void *data);
/* The solver the method runs on: "als" for --method=power|shifted-power
 * (the power step is the objective's sweep), the --solver option (gd or
 * agd) for --method=rgd. */
const char *bn_tensor_solver(const void *data);
const char *bn_tensor_method(const void *data);

/* Collective: keep x (the end of solver s's solve; a unit vector) as the
 * next component, its weight mu = T_eff(x,x,x,x), and the solve's record
 * and history. The sign of the component is fixed so that its entry of
 * largest magnitude is positive. */
bn_status_t bn_tensor_accept(void *data, const double *x, const bn_solver_t *s);

/* Collective: is x (the end of a solve) a component with a positive
 * weight? *mu = T_eff(x,x,x,x)/|x|^4 and *floor = 1e-6 max(|T(g,g,g,g)|
 * for a fixed Gaussian unit g, max_j |mu_j| kept); *ok = mu > floor. A
 * solve that ends with mu <= floor found no component: none with
 * lambda_k > 0 remains (a tensor of negative weights ends at a point
 * orthogonal to every component, mu ~ 1e-16). */
bn_status_t bn_tensor_weight_check(void *data, const double *x, double *mu,
                                   double *floor, bool *ok);

/* Records of the completed solves (bn_tensor_found() of them) and the
 * weights mu_j found. */
const bn_tensor_stage_t *bn_tensor_stages(const void *data);
const double *bn_tensor_weights(const void *data);
/* The completed solves' histories, concatenated: iteration numbers and
 * seconds run on across solves; comp[r] is the component of row r. */
const bn_history_t *bn_tensor_history(const void *data, const int64_t **comp);

/* Collective: with a ground truth /A_true, each true component's best
 * |cos| with the components found so far, and the smallest of these
 * (0 when none has been found); NaN without a ground truth. */
bn_status_t bn_tensor_recovery(void *data, double *min_cos);

/* Collective: the result datasets /A_hat (n x found), /lambda_hat,
 * /x (the last iterate), /stages/... and /history/... (with
 * /history/component), and the attributes dim, components, form, method,
 * input. */
bn_status_t bn_tensor_write_result(void *data, const double *x, bn_h5_t *f);

typedef enum bn_tensor_form {
  BN_TENSOR_COMPONENTS = 0,
  BN_TENSOR_SAMPLES = 1,
  BN_TENSOR_EXPLICIT = 2
} bn_tensor_form_t;
extern const char *const bn_tensor_form_names[3];

typedef enum bn_tensor_method {
  BN_TENSOR_RGD = 0,   /* Riemannian gradient (solver gd or agd) */
  BN_TENSOR_POWER = 1, /* x <- T x^3 / |T x^3| (solver als)      */
  BN_TENSOR_SHIFTED = 2
} bn_tensor_method_t;
extern const char *const bn_tensor_method_names[3];

/* Streams (rng.h: problems use >= 64). */
enum {
  BN_TENSOR_STREAM_INIT = 80,  /* random starts (draw = component index) */
  BN_TENSOR_STREAM_SLICE = 81, /* spectral start: the slicing vector     */
  BN_TENSOR_STREAM_A = 82,     /* generator: Gaussian before orthonormal */
  BN_TENSOR_STREAM_MASK = 83,  /* generator: Bernoulli source supports   */
  BN_TENSOR_STREAM_SRC = 84,   /* generator: Gaussian source values      */
  BN_TENSOR_STREAM_SCALE = 85  /* the tensor's scale |T(g,g,g,g)|        */
};

/* Largest n of the explicit form (n^4 entries). */
#define BN_TENSOR_EXPLICIT_MAX 256

typedef struct bn_tensor {
  bn_ctx_t *ctx;
  char *input;
  bn_tensor_form_t form;
  bn_tensor_method_t method;
  char *solver;     /* "als" (power methods), "gd" or "agd" (rgd) */
  bn_idx_t n;       /* dimension */
  bn_dist_t *xdist; /* entries of x: uniform */
  bn_idx_t nl, x0;  /* this rank's entries [x0, x0 + nl) */
  int *cnt, *dsp;   /* allgather counts and displacements of x */
  /* components form */
  int k;           /* columns of /A */
  bn_dmat_t *amat; /* rows of /A on xdist */
  double *lambda;  /* k, replicated */
  bool orthonormal;
  /* samples form */
  bn_idx_t nsamp;
  bn_dist_t *zdist;
  bn_dmat_t *zmat; /* rows of /Z (centered if `center`) */
  bool center;
  /* explicit form */
  bn_dmat_t *tmat; /* rows of the n x n^3 unfolding on xdist */
  /* ground truth /A_true (NULL if none), columns scaled to unit norm */
  bn_dmat_t *truth;
  int kt;
  /* deflation: kept components b_j (rows on xdist, nl x target row-major,
   * column j for the j-th kept one) and weights mu_j */
  int target, found;
  double *b, *mu;
  bn_tensor_stage_t *stages; /* target records */
  bn_history_t hist;         /* completed solves, concatenated */
  int64_t *hcomp;            /* the component of each history row */
  size_t hcap;
  /* shifted power: shift >= 0 fixed, < 0 adaptive (alpha, per solve) */
  double shift, alpha;
  /* |T(g,g,g,g)| for a fixed Gaussian unit g: the scale below which a
   * weight counts as zero (bn_tensor_weight_check) */
  double tscale;
  /* evaluation cache (power methods: the sweep and the following eval
   * share one application of T) */
  double *cx, *cy, cq;
  bool cvalid;
  double *xt, *yt; /* the sweep's trial point and its T x^3 */
  /* work space */
  double *xf, *uf; /* full x and u (n each) */
  double *red;     /* reduction buffer */
  size_t nred;
  double *w1, *w2; /* kernels' work (see bn_tensor_prepare) */
  double *mbuf;    /* metrics: kt + 1 */
  int t_apply, t_reduce;
  /* The run (tensor_run.c): certified solves; a solve that ended at a
   * weight of rounding size (spent) and that weight and floor; the
   * recovery against /A_true (NaN: none). */
  int certified;
  bool spent;
  double spent_mu, spent_floor, min_cos;
} bn_tensor_t;

extern const bn_problem_ops_t bn_problem_tensor;
extern const bn_stage_ops_t bn_tensor_stage_ops;

void bn_tensor_free(bn_tensor_t *t);
/* Collective, after the form's data are read: work space and counts. */
bn_status_t bn_tensor_prepare(bn_tensor_t *t);
/* Collective, before any component is kept: t->tscale. */
bn_status_t bn_tensor_scale(bn_tensor_t *t);

/* Collective. The input (tensor_read.c): the form's datasets checked and
 * read, and /A_true if present; the number of components to find
 * (want > 0, else the file's number). */
bn_status_t bn_tensor_read(bn_tensor_t *t, bn_h5_t *f, int64_t want,
                           bool check_orth);

/* Collective kernel: y (local rows) = T_eff(., u, x, x) and q =
 * T_eff(x, x, x, x), for x, u local rows (u may equal x; x need not be a
 * unit vector). One allreduce (and allgathers of x, u for the samples and
 * explicit forms). */
bn_status_t bn_tensor_apply(bn_tensor_t *t, const double *x, const double *u,
                            double *y, double *q);

/* Collective: the sum over ranks of n local doubles products. */
bn_status_t bn_tensor_dot(bn_tensor_t *t, const double *a, const double *b,
                          double *out);

/* The objective's functions (tensor_eval.c). */
bn_status_t bn_tensor_eval(void *data, const double *x, double *f, double *g);
bn_status_t bn_tensor_hvp(void *data, const double *x, const double *v,
                          double *hv);
bn_status_t bn_tensor_retract(void *data, double *x);
bn_status_t bn_tensor_project(void *data, const double *x, double *v);
bn_status_t bn_tensor_sweep(void *data, double *x);
/* Collective: the true component of lowest objective, as a point (for
 * `benign landscape` slices); *have = false without /A_true. */
bn_status_t bn_tensor_truth(void *data, double *x, bool *have);
bn_status_t bn_tensor_metrics(void *data, const double *x, double *rel,
                              double *rmse);
/* Initial point of the next solve (tensor_deflate.c). */
bn_status_t bn_tensor_init(void *data, const bn_opts_t *opts, double *x);

/* Checkpoint/result pieces (tensor_deflate.c): the kept components,
 * weights, stage records and (with hist_prefix) the completed solves'
 * history, and back. */
bn_status_t bn_tensor_write_state(bn_tensor_t *t, bn_h5_t *f,
                                  const char *hist_prefix);
bn_status_t bn_tensor_read_state(bn_tensor_t *t, bn_h5_t *f);

/* tensor_gen_opts.c: `benign generate tensor`, its options and run
 * (collective). */
extern const bn_optdef_t bn_gen_tensor_opts[];
bn_status_t bn_gen_tensor_run(bn_ctx_t *ctx, bn_opts_t *opts);

#endif
