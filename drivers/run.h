/* The run frame's state, shared by run_problem.c (the straight line and
 * the stage loop) and run_result.c (the result file, the log, the JSON
 * line). Private to the program. */
#ifndef BN_DRIVERS_RUN_H
#define BN_DRIVERS_RUN_H

#include "cli.h"

typedef struct bn_run {
  bn_ctx_t *ctx;
  const bn_problem_ops_t *ops;
  const bn_stage_ops_t *hk; /* the problem's stage hooks, NULL: none */
  bool staged;              /* several solves (hk->finished given)   */
  bool own;                 /* its own iteration (hk->solve given)   */
  const bn_opts_t *opts;
  void *data;
  bn_solver_t *solver;
  bn_solver_params_t params; /* as given on the command line */
  bn_objective_t obj;
  double *x, *x0;
  bn_h5_t *out;
  bn_ckpt_t *ckpt;
  const char *output, *restart;
  bool json, save_init, stopped;
  int sig;     /* own iteration: the signal that stopped it (0: none) */
  int64_t its; /* own iteration: the iteration reached */
  double t0;
  bn_run_cert_t cert; /* of the last solve */
} bn_run_t;

/* Rank 0: the KEY=VALUE header of the log. */
void bn_run_header(bn_run_t *run);
/* Collective: create the output (its free-space estimate first), write
 * the result and its attributes, commit. */
bn_status_t bn_run_write(bn_run_t *run);
/* Collective (peak memory): the summary in the log and the JSON line. */
void bn_run_report(bn_run_t *run);

#endif
