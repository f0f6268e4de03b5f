/* benign -- optimizers that see only an objective over a distributed
 * iterate.
 *
 * The iterate is a local array of n doubles on each rank (the rank's share
 * of all variables); the inner product is the sum over ranks. A problem
 * supplies the objective and gradient (eval), optionally an alternating
 * sweep (a problem-specific fixed point such as ALS), and metrics. Solvers
 * are registered by name and share one loop: monitor, history, stopping
 * tests and the convergence reason. Life cycle:
 *   create -> set_* -> solve -> query (reason, iterations, history) ->
 *   destroy. */
#ifndef BENIGN_SOLVER_H
#define BENIGN_SOLVER_H

#include <stdbool.h>
#include <stddef.h>

#include "benign/objective.h"
#include "benign/opts.h"
#include "benign/types.h"

/* Signed convergence reasons: positive converged, negative stopped. */
typedef enum bn_reason {
  BN_CONVERGED_GTOL = 1,       /* ||grad|| <= tol * ||grad_0||         */
  BN_CONVERGED_FTOL = 2,       /* relative objective change <= ftol     */
  BN_CONVERGED_FATOL = 3,      /* objective <= fatol                    */
  BN_CONVERGED_GATOL = 4,      /* ||grad|| <= gatol                     */
  BN_CONVERGED_STEP = 5,       /* steps no longer change x (rounding)   */
  BN_CONVERGED_REL_ERROR = 6,  /* error to ground truth <= rel_tol   */
  BN_CONVERGED_EARLY_STOP = 7, /* held-out RMSE stopped improving    */
  BN_REASON_ITERATING = 0,
  BN_DIVERGED_MAX_ITER = -1,
  BN_DIVERGED_TIME_LIMIT = -2,
  BN_DIVERGED_LINE_SEARCH = -3,
  BN_DIVERGED_NAN = -4,
  BN_STOPPED_SIGNAL = -5 /* SIGTERM/SIGUSR1 at an iteration boundary      */
} bn_reason_t;
const char *bn_reason_string(bn_reason_t reason);

typedef struct bn_history {
  size_t n;
  int64_t *iteration;
  double *objective, *grad_norm, *step, *rel_error, *test_rmse, *seconds;
} bn_history_t;

/* Free a history's arrays (one allocated by bn_history_read). */
void bn_history_clear(bn_history_t *h);

typedef struct bn_solver bn_solver_t;

/* Names: "gd" (gradient descent, Barzilai-Borwein trial step + nonmonotone
 * Armijo backtracking), "agd" (Nesterov accelerated gradient with backtracking
 * and adaptive restart), "als" (the objective's alternating sweep), "aals"
 * (the sweep at a point extrapolated along its last move, with restart), "cg"
 * (nonlinear conjugate gradient, Polak-Ribiere+, in the objective's
 * precond metric and with its exact line step when it has them). */
bn_status_t bn_solver_create(bn_ctx_t *ctx, const char *name,
                             bn_solver_t **out);
void bn_solver_destroy(bn_solver_t *s);
const char *bn_solver_names(void); /* "gd|agd|als|aals|cg" */
/* Whether the solver of that name runs the objective's sweep ("als",
 * "aals"), i.e. needs a problem with one. Not collective. */
bool bn_solver_sweeps(const char *name);

enum { BN_PROGRESS_AUTO = 0, BN_PROGRESS_BAR = 1, BN_PROGRESS_LINES = 2 };

typedef struct bn_solver_params {
  double tol;        /* ||g|| <= tol * ||g_0||; 0 disables              */
  double gatol;      /* ||g|| <= gatol; 0 disables                      */
  double ftol;       /* |f_k - f_k-1| <= ftol * |f_k|; 0 disables       */
  double fatol;      /* f <= fatol; 0 disables                          */
  double rel_tol;    /* error to ground truth <= rel_tol; 0 disables    */
  int64_t max_iter;  /* iteration limit                                 */
  double time_limit; /* seconds; 0 = none                               */
  bool monitor;      /* one line per iteration on rank 0                */
  int64_t monitor_every;
  /* Progress on rank 0's stderr, on iterations without a monitor line:
   * progress_mode AUTO draws a bar when stderr is a terminal and otherwise
   * (a batch log: Open MPI never gives rank 0 a terminal) writes a status
   * line every progress_every seconds; BAR and LINES force one of them.
   * The fraction shown never decreases. */
  bool progress;
  int progress_mode;     /* BN_PROGRESS_AUTO (default), _BAR, _LINES */
  double progress_every; /* seconds between status lines (10) */
  /* Saddle escape (gd, agd; src/solvers/escape.c): when a gradient or step
   * test says "converged", lambda_min of the Hessian is computed by Lanczos;
   * below -escape_htol the run steps along the negative-curvature
   * eigenvector (line search), adds a small random perturbation (Jin et al.
   * 2017) and goes on. Off by default in the library, on in the CLI. */
  bool escape;
  int64_t escape_max;   /* at most this many escapes per solve (20)        */
  double escape_htol;   /* eps_H; <= 0: 1e-5 times the |Hessian| estimate */
  double escape_radius; /* perturbation radius, relative to the step (1e-2) */
  uint64_t seed;        /* Lanczos start and perturbations                 */
  /* Early stopping on a held-out set (metrics' test RMSE): stop when the
   * test RMSE has not improved by a relative 1e-4 for early_stop
   * iterations, and return the iterate with the lowest test RMSE. 0: off;
   * no effect without a held-out set. */
  int64_t early_stop;
} bn_solver_params_t;
void bn_solver_params_default(bn_solver_params_t *p);
void bn_solver_set_params(bn_solver_t *s, const bn_solver_params_t *p);
void bn_solver_get_params(const bn_solver_t *s, bn_solver_params_t *p);

/* Collective. x holds the initial point and receives the result. */
bn_status_t bn_solver_solve(bn_solver_t *s, const bn_objective_t *obj,
                            double *x);

/* Called by the loop at every iteration boundary at which the run goes on
 * (after the stopping tests), with values every rank agrees on: the
 * iteration, rank 0's clock, and whether any rank has a pending signal
 * (bn_signal_pending). Collective. Setting *stop ends the run with
 * BN_STOPPED_SIGNAL. Used for checkpoints. */
typedef struct bn_solver_event {
  int64_t iter;
  double seconds;
  int signal; /* 0; the signal number caught; -1: several different ones */
} bn_solver_event_t;
typedef bn_status_t (*bn_solver_hook_fn)(void *data, bn_solver_t *s,
                                         const double *x,
                                         const bn_solver_event_t *ev,
                                         bool *stop);
void bn_solver_set_hook(bn_solver_t *s, bn_solver_hook_fn fn, void *data);

/* Checkpoint support. The state between two iterations is a fixed list of
 * named numbers (iteration, step, momentum, line-search memory, ...) and up
 * to BN_SOLVER_MAX_VECTORS vectors shaped like the iterate (e.g. the
 * previous iterate and gradient of a Barzilai-Borwein step). With the
 * iterate and the history they determine the rest of the run exactly. */
#define BN_SOLVER_STATE_LEN 32
#define BN_SOLVER_MAX_VECTORS 3
#define BN_SOLVER_STATE_SECONDS 8 /* index of the solver clock (seconds) */
/* Comma-separated names of the BN_SOLVER_STATE_LEN numbers. */
const char *bn_solver_state_fields(void);
void bn_solver_state_get(const bn_solver_t *s, double *state);
/* The solver's state vectors (after a solve started): names and pointers
 * to n local doubles each; returns the count. */
int bn_solver_state_vectors(bn_solver_t *s, const char **names, double **vecs);
/* Prepare a resumed solve: the next bn_solver_solve continues from `state`
 * and `hist` (copied) instead of starting afresh; the state vectors are
 * filled through the pointers given by bn_solver_state_vectors after this
 * call (the solver allocates them for local length n). Not collective. */
bn_status_t bn_solver_resume(bn_solver_t *s, size_t n, const double *state,
                             const bn_history_t *hist);

/* The certificate the escape test computed at the final iterate (when the
 * run ended by a test that escape checks and the point was not a saddle it
 * could leave), else NULL. Saves recomputing it. */
struct bn_cert;
const struct bn_cert *bn_solver_certificate(const bn_solver_t *s);
/* Saddles escaped during the last solve. */
int64_t bn_solver_escapes(const bn_solver_t *s);
/* The iterations after which this process's last solve escaped a saddle,
 * the first BN_ESC_RECORD of them, in order (escapes restored from a
 * checkpoint are counted by bn_solver_escapes but have none); returns how
 * many, copies at most max into at. Local. */
enum { BN_ESC_RECORD = 32 };
int bn_solver_escape_iterations(const bn_solver_t *s, int64_t *at, int max);
/* Local: after bn_solver_resume, the escape iterations a checkpoint
 * recorded (at most BN_ESC_RECORD are kept). */
void bn_solver_set_escape_iterations(bn_solver_t *s, const int64_t *at, int n);
/* Local: "12,57" -- at most n iterations as a checkpoint or result holds
 * them (attribute escape_iterations); returns the length written. */
int bn_escape_iterations_format(const int64_t *at, int n, char *buf,
                                size_t size);
/* Local: the reverse; returns how many (at most max) were parsed. */
int bn_escape_iterations_parse(const char *text, int64_t *at, int max);
/* With early stopping: the iteration whose iterate the solve returned (the
 * lowest test RMSE) and that RMSE; -1 and NaN otherwise. */
int64_t bn_solver_saved_iteration(const bn_solver_t *s, double *test_rmse);

bn_reason_t bn_solver_reason(const bn_solver_t *s);
int64_t bn_solver_iterations(const bn_solver_t *s);
const bn_history_t *bn_solver_history(const bn_solver_t *s);
const char *bn_solver_name(const bn_solver_t *s);

/* The option keys every solve command shares (input, output, solver,
 * init, seed, stopping tests, monitor, checkpoints, escape, certificate,
 * log level); NULL-terminated. */
extern const bn_optdef_t bn_solve_optdefs[];

#endif
