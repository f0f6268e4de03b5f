/* Private solver layout shared by the files of src/solvers. */
#ifndef BN_SOLVERS_IMPL_H
#define BN_SOLVERS_IMPL_H

#include "benign/landscape.h"
#include "benign/solver.h"

typedef struct bn_solver_ops {
  const char *name;
  /* On entry f = f(x), g = grad f(x); on exit the same at the new x and
   * *step the step taken. Sets s->reason on a failure that ends the run. */
  bn_status_t (*step)(bn_solver_t *s, const bn_objective_t *obj, double *x,
                      double *f, double *g, double *step);
  /* Work vectors that carry state from one iteration to the next (w3, w4
   * in that order), saved in checkpoints under these names. */
  int nvec;
  const char *vec_names[BN_SOLVER_MAX_VECTORS];
  /* The step is the objective's sweep (a fixed-point map, not descent on
   * a model): the problem must have one, and there is no saddle escape. */
  bool sweeps;
} bn_solver_ops_t;

struct bn_solver {
  bn_ctx_t *ctx;
  const bn_solver_ops_t *ops;
  bn_solver_params_t params;
  bn_reason_t reason;
  int64_t iter;
  bn_history_t hist;
  size_t hist_cap;
  /* work space, n doubles each, allocated by the loop */
  size_t n;
  double *w1, *w2, *w3, *w4, *w5;
  double *wbest; /* early stopping: the iterate of the lowest test RMSE */
  /* method state */
  double t;        /* last accepted step */
  double momentum; /* AGD: extrapolation counter */
  int have_prev;
  int stalls; /* consecutive steps that did not change x */
  /* A method that knows how far its step moved x (cg: t |d|) sets
   * move_known and move2 = |x_new - x|^2 (summed over the ranks) on every
   * step; the loop then keeps no copy of the previous x. */
  int move_known;
  double move2;
  double fring[16]; /* GD: last accepted objectives (nonmonotone test) */
  int nring;
  /* loop state kept for checkpoints */
  double f, g0, seconds;
  double prog_frac, prog_next; /* progress shown so far; next line due */
  bool prog_bar;               /* progress as a bar (else status lines) */
  int resume; /* the next solve continues from a restored state */
  /* saddle escape: how many, and after which iterations (the first
   * BN_ESC_RECORD of this solve; none before a restart) */
  int64_t escapes;
  int64_t esc_iter[BN_ESC_RECORD];
  int esc_n;
  bn_cert_t cert; /* computed by the escape test at the final iterate */
  int cert_valid;
  /* early stopping (early.c) */
  double early_best, early_ref; /* lowest test RMSE; last real improvement */
  int64_t early_iter, early_stall;
  bn_solver_hook_fn hook;
  void *hook_data;
};

/* Work space for local length n: w1..w5, then the loop's g and previous x.
 * Kept when already allocated for n. Not collective (agree after). */
bn_status_t bn_solver_alloc(bn_solver_t *s, size_t n);
/* Room for one more / for `want` history entries (not collective). */
bn_status_t bn_history_reserve(bn_solver_t *s);
bn_status_t bn_history_reserve_to(bn_solver_t *s, size_t want);

/* Collective, at a stop decision: when s->reason is a test that escape
 * checks (gradient, step, ftol) and x is a saddle (lambda_min < -eps_H),
 * move off it and set s->reason back to iterating; f, g, *g0 follow x. */
bn_status_t bn_escape_check(bn_solver_t *s, const bn_objective_t *obj,
                            double *x, double *f, double *g, double *g0);

/* Early stopping (early.c). Not collective: the test RMSE is agreed. At
 * the start (iteration 0), after each iteration (may set s->reason), and
 * at the end (x becomes the best iterate). */
void bn_early_start(bn_solver_t *s, const double *x, double rmse);
void bn_early_update(bn_solver_t *s, const double *x, double rmse);
void bn_early_finish(bn_solver_t *s, double *x);

/* Collective: an error (agreed) when obj has no sweep for this solver. */
bn_status_t bn_solver_need_sweep(bn_solver_t *s, const bn_objective_t *obj);

extern const bn_solver_ops_t bn_solver_gd;
extern const bn_solver_ops_t bn_solver_agd;
extern const bn_solver_ops_t bn_solver_als;
extern const bn_solver_ops_t bn_solver_aals;
extern const bn_solver_ops_t bn_solver_cg;

/* Collective helpers on distributed vectors of s->n local entries. */
bn_status_t bn_vdot(bn_solver_t *s, const double *a, const double *b,
                    double *out);
/* Two inner products with one allreduce: out[0] = <a,b>, out[1] = <c,d>. */
bn_status_t bn_vdot2(bn_solver_t *s, const double *a, const double *b,
                     const double *c, const double *d, double *out);

/* Shared by gd and agd: from base point y with f(y) and g(y) (|g|^2 = gy2),
 * halve t until x = y - t g gives f(x) <= f(y) - 1e-4 t |g|^2. Leaves x and
 * f(x); sets s->reason when no such t exists above machine precision. */
bn_status_t bn_backtrack(bn_solver_t *s, const bn_objective_t *obj,
                         const double *y, double fy, const double *gy,
                         double gy2, double *t, double *x, double *fx);

#endif
