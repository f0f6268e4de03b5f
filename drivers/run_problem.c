/* The run frame of every problem command: begin -> refuse -> create ->
 * solver -> restore or initial point -> the stages (start, solve, check,
 * certify, accept; one for most problems) -> finish -> write -> report.
 * A problem of several solves (deflation) or with a post-processing step
 * (rounding) says so through its stage hooks (bn_stage_ops_t in
 * benign/problem.h); the frame is the same. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

bn_status_t bn_run_solver_params(bn_ctx_t *ctx, const bn_opts_t *o,
                                 bn_solver_params_t *p) {
  bn_solver_params_default(p);
  BN_CALL(ctx, bn_opts_real(o, "tol", &p->tol));
  BN_CALL(ctx, bn_opts_real(o, "ftol", &p->ftol));
  BN_CALL(ctx, bn_opts_real(o, "gatol", &p->gatol));
  BN_CALL(ctx, bn_opts_real(o, "fatol", &p->fatol));
  BN_CALL(ctx, bn_opts_real(o, "rel-tol", &p->rel_tol));
  BN_CALL(ctx, bn_opts_int(o, "max-iter", &p->max_iter));
  BN_CALL(ctx, bn_opts_real(o, "time-limit", &p->time_limit));
  BN_CALL(ctx, bn_opts_bool(o, "monitor", &p->monitor));
  BN_CALL(ctx, bn_opts_int(o, "monitor-every", &p->monitor_every));
  const char *prog = bn_opts_string(o, "progress");
  p->progress = prog && strcmp(prog, "off") && strcmp(prog, "false");
  p->progress_mode = prog && !strcmp(prog, "bar")     ? BN_PROGRESS_BAR
                     : prog && !strcmp(prog, "lines") ? BN_PROGRESS_LINES
                                                      : BN_PROGRESS_AUTO;
  BN_CALL(ctx, bn_opts_real(o, "progress-every", &p->progress_every));
  if (!(p->progress_every > 0))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--progress-every=%s: must be a positive number of "
                        "seconds",
                        bn_opts_string(o, "progress-every"));
  BN_CALL(ctx, bn_run_cert_options(ctx, o, p));
  const char *es = bn_opts_string(o, "early-stop");
  if (!es || !strcmp(es, "auto")) {
    const char *solver = bn_opts_string(o, "solver");
    p->early_stop = bn_solver_sweeps(solver) ? 3 : 0;
  } else {
    char *end = NULL;
    long long k = strtoll(es, &end, 10);
    if (end == es || *end || k < 0 || k > 1000000)
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--early-stop=%s: expected auto or a number of "
                          "iterations >= 0",
                          es);
    p->early_stop = k;
  }
  const struct {
    const char *key;
    double v;
  } nonneg[] = {{"tol", p->tol},
                {"ftol", p->ftol},
                {"gatol", p->gatol},
                {"fatol", p->fatol},
                {"rel-tol", p->rel_tol},
                {"time-limit", p->time_limit},
                {"max-iter", (double)p->max_iter}};
  for (size_t k = 0; k < sizeof nonneg / sizeof nonneg[0]; k++)
    if (nonneg[k].v < 0)
      return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--%s=%s: must be nonnegative",
                          nonneg[k].key, bn_opts_string(o, nonneg[k].key));
  if (p->monitor_every < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--monitor-every must be >= 1");
  return BN_OK;
}

/* Collective: the initial point x, from --init-file (the problem's load of
 * a result or checkpoint, any process count) or the problem's init. */
static bn_status_t bn_run_initial(bn_ctx_t *ctx, const bn_problem_ops_t *ops,
                                  void *data, const bn_opts_t *opts,
                                  double *x) {
  const char *path = bn_opts_string(opts, "init-file");
  if (!path || !*path) return ops->init(data, opts, x);
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_h5_open(ctx, path, &f));
  /* load's errors name the file and the dataset that does not fit. */
  bn_status_t st = ops->load(data, f, "/", x);
  bn_h5_close(f);
  return st;
}

/* Collective (closes the output): what the run holds at its end -- signal
 * handlers, the output, checkpoint, solver, problem data, iterate; any
 * may be NULL. */
static void bn_run_release(const bn_problem_ops_t *ops, void *data,
                           bn_solver_t *solver, bn_ckpt_t *ckpt, bn_h5_t *out,
                           double *x) {
  bn_signals_uninstall();
  bn_h5_close(out);
  bn_ckpt_destroy(ckpt);
  bn_solver_destroy(solver);
  if (data) ops->destroy(data);
  free(x);
}

static bn_status_t bn_run_create_solver(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  bn_solver_params_t p = run->params;
  const char *name = bn_opts_string(run->opts, "solver");
  if (run->hk && run->hk->solver)
    name = run->hk->solver(run->data, run->opts, &p);
  BN_CALL(ctx, bn_solver_create(ctx, name, &run->solver));
  bn_solver_set_params(run->solver, &p);
  return BN_OK;
}

/* " of solve 3" in messages about a staged run, else "". */
static const char *bn_run_where(const bn_run_t *run, char *buf, size_t len) {
  buf[0] = 0;
  if (run->staged && run->hk->stage_word && run->hk->stages_done)
    snprintf(buf, len, " of %s %d", run->hk->stage_word,
             run->hk->stages_done(run->data));
  return buf;
}

/* After the stages: a run stopped by a signal ends with BN_INTERRUPTED
 * (exit status 75); with a checkpoint it writes no result. */
static bn_status_t bn_run_finish(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  const bn_stage_ops_t *hk = run->hk;
  bool done = false;
  int sig = run->own ? run->sig : bn_signal_pending();
  if (run->ckpt) {
    int s = bn_ckpt_signal(run->ckpt, &done);
    if (!run->own) sig = s;
  }
  long long it = run->own ? (long long)run->its
                          : (long long)bn_solver_iterations(run->solver);
  char where[64], what[256];
  bn_run_where(run, where, sizeof where);
  if (run->stopped && run->ckpt && done)
    return BN_ERROR_ALL(ctx, BN_INTERRUPTED,
                        "interrupted by %s at iteration %lld%s: checkpoint "
                        "written to %s; continue with --restart=%s",
                        bn_signal_name(sig), it, where,
                        bn_opts_string(run->opts, "checkpoint"),
                        bn_opts_string(run->opts, "checkpoint"));
  if (hk && hk->finish)
    BN_CALL(ctx, hk->finish(run->data, run->x, run->stopped));
  BN_CALL(ctx, bn_run_write(run));
  if (hk && hk->pictures) BN_CALL(ctx, hk->pictures(run->data, run->opts));
  bn_run_report(run);
  if (run->stopped)
    return BN_ERROR_ALL(ctx, BN_INTERRUPTED,
                        "interrupted by %s at iteration %lld%s: no "
                        "--checkpoint was given, so %s written to %s",
                        bn_signal_name(sig), it, where,
                        hk && hk->partial
                            ? hk->partial(run->data, what, sizeof what)
                            : "the iterate so far was",
                        run->output);
  if (hk && hk->outcome) BN_CALL(ctx, hk->outcome(run->data, run->output));
  return BN_OK;
}

/* A problem with its own iteration: its solve hook, then the same end. */
static bn_status_t bn_run_own(bn_run_t *run) {
  BN_CALL(run->ctx, run->hk->solve(run->data, run->opts, run->ckpt,
                                   run->restart, &run->sig, &run->its));
  run->stopped = run->sig != 0;
  return bn_run_finish(run);
}

/* The stages: one solve, or until the problem has none left. */
static bn_status_t bn_run_stages(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  const bn_stage_ops_t *hk = run->hk;
  bool resume = run->restart != NULL;
  for (;;) {
    if (run->staged) {
      if (hk->finished(run->data)) break;
      if (hk->start)
        BN_CALL(ctx, hk->start(run->data, run->opts, run->solver, &run->params,
                               resume, run->x));
    }
    resume = false;
    BN_CALL(ctx, bn_solver_solve(run->solver, &run->obj, run->x));
    if (bn_solver_reason(run->solver) == BN_STOPPED_SIGNAL) {
      run->stopped = true;
      break;
    }
    bool more = true;
    if (hk && hk->check) BN_CALL(ctx, hk->check(run->data, run->x, &more));
    if (!more) break;
    /* The certificate of this solve, on the (deflated) objective it
     * minimised; none for a nonsmooth loss. */
    memset(&run->cert, 0, sizeof(run->cert));
    if (!hk || !hk->smooth || hk->smooth(run->data))
      BN_CALL(ctx, bn_run_certify(ctx, run->opts, run->solver, &run->obj,
                                  run->x, &run->cert));
    if (hk && hk->accept)
      BN_CALL(ctx, hk->accept(run->data, run->x, run->solver,
                              run->cert.done ? &run->cert.c : NULL));
    if (!run->staged) break;
  }
  return bn_run_finish(run);
}

/* Collective: the checkpoint object; a problem with its own iteration
 * may read an input that is not HDF5 (an image), which has no identity to
 * check on a restart. */
static bn_status_t bn_run_ckpt_create(bn_run_t *run,
                                      const bn_ckpt_params_t *cp) {
  bn_ctx_t *ctx = run->ctx;
  bn_status_t st = bn_ckpt_create(ctx, cp, run->ops, run->data, run->opts,
                                  run->obj.n, &run->ckpt);
  if (st == BN_ERR_DATA && run->own) {
    bn_error_clear(ctx);
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--checkpoint and --restart need an HDF5 input: the "
                        "identity of '%s' cannot be checked on a restart",
                        bn_opts_string(run->opts, "input"));
  }
  BN_CALL(ctx, st);
  if (run->solver) bn_solver_set_hook(run->solver, bn_ckpt_hook, run->ckpt);
  return BN_OK;
}

static bn_status_t bn_run_body(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  const bn_stage_ops_t *hk = run->hk;
  bn_ckpt_params_t cp;
  if (hk && hk->refuse) BN_CALL(ctx, hk->refuse(ctx, run->opts));
  if (!run->own) {
    BN_CALL(ctx, bn_run_solver_params(ctx, run->opts, &run->params));
    /* A solver chosen on the command line is checked before the input is
     * read; a problem's own choice after. */
    if (!hk || !hk->solver) BN_CALL(ctx, bn_run_create_solver(run));
  }
  /* An output that cannot be written fails before the solve; the file is
   * created only when there is a result to put in it. */
  BN_CALL(ctx, bn_run_ckpt_options(ctx, run->opts, &cp, &run->restart));
  bn_side_outputs_t sides = {0};
  if (hk && hk->side_outputs) hk->side_outputs(run->opts, &sides);
  const char *side[4];
  for (int k = 0; k < sides.n; k++) {
    side[2 * k] = sides.path[k];
    side[2 * k + 1] = sides.option[k];
  }
  BN_CALL(ctx,
          bn_run_check_paths(ctx, run->opts, &cp, run->restart, side, sides.n));
  if (!run->own)
    BN_CALL(ctx, bn_opts_bool(run->opts, "save-init", &run->save_init));
  /* From here a scheduler's SIGTERM/SIGUSR1 is handled at the next
   * iteration boundary (a checkpoint, then exit status 75). */
  bn_signals_install();
  BN_CALL(ctx, run->ops->create(ctx, run->opts, &run->data));
  if (run->ops->objective) run->ops->objective(run->data, &run->obj);
  if (!run->own && !run->solver) BN_CALL(ctx, bn_run_create_solver(run));
  if (cp.path || run->restart) BN_CALL(ctx, bn_run_ckpt_create(run, &cp));
  bn_run_header(run);
  if (run->own) return bn_run_own(run);
  size_t n = run->obj.n ? run->obj.n : 1;
  /* The initial point is kept only for --save-init (one iterate's memory). */
  bn_status_t st = bn_calloc(ctx, bn_size_mul((run->save_init ? 2 : 1), n),
                             sizeof(double), &run->x);
  BN_CALL(ctx, bn_agree(ctx, st));
  run->x0 = run->save_init ? run->x + n : NULL;
  if (run->restart) {
    BN_CALL(ctx, bn_ckpt_restore(run->ckpt, run->restart, run->solver, run->x,
                                 run->obj.n));
    if (hk && hk->resumed)
      hk->resumed(run->data, bn_solver_iterations(run->solver));
  } else if (!run->staged) {
    BN_CALL(ctx, bn_run_initial(ctx, run->ops, run->data, run->opts, run->x));
  }
  double rel_tol, rel, rmse;
  BN_CALL(ctx, bn_opts_real(run->opts, "rel-tol", &rel_tol));
  if (rel_tol > 0) {
    BN_CALL(ctx, run->obj.metrics
                     ? run->obj.metrics(run->data, run->x, &rel, &rmse)
                     : BN_OK);
    if (!run->obj.metrics || rel != rel) /* NaN: no ground truth */
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--rel-tol needs a ground truth (%s) in the input",
                          hk && hk->truth_name ? hk->truth_name : "/truth");
  }
  if (run->x0) memcpy(run->x0, run->x, run->obj.n * sizeof(double));
  return bn_run_stages(run);
}

bn_status_t bn_run_begin(bn_ctx_t *ctx, const bn_opts_t *opts, bool *json,
                         const char **output) {
  const char *lvl = bn_opts_string(opts, "log-level");
  bn_ctx_set_log_level(ctx, !strcmp(lvl, "quiet")   ? BN_LOG_QUIET
                            : !strcmp(lvl, "debug") ? BN_LOG_DEBUG
                                                    : BN_LOG_INFO);
  BN_CALL(ctx, bn_opts_bool(opts, "json", json));
  if (*json) bn_ctx_set_log_stream(ctx, stderr);
  *output = bn_opts_string(opts, "output");
  if (!*output || !**output)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--output must name a file");
  return BN_OK;
}

bn_status_t bn_run_end(bn_ctx_t *ctx, bn_status_t st) {
  if (st != BN_OK && !bn_error_agreed(ctx)) {
    /* One rank alone failed: the others may be inside a collective call,
     * and closing the output file is collective. Stop the job now. */
    fprintf(stderr, "benign: error on process %d: %s (at %s)\n",
            bn_ctx_rank(ctx), bn_error_message(ctx), bn_error_where(ctx));
    fflush(stderr);
    MPI_Abort(bn_ctx_comm(ctx), 1);
  }
  if (st == BN_OK && bn_ctx_log_level(ctx) >= BN_LOG_INFO)
    st = bn_timer_summary(ctx, bn_ctx_log_stream(ctx));
  double lo, hi;
  if (st == BN_OK) st = bn_run_peak_memory(ctx, &lo, &hi);
  if (st == BN_OK)
    bn_log(ctx, BN_LOG_INFO,
           "peak memory per process (resident): min %.1f MB, max %.1f MB\n",
           lo / 1e6, hi / 1e6);
  return st;
}

bn_status_t bn_run_problem(bn_ctx_t *ctx, const char *name,
                           const bn_opts_t *opts) {
  bn_run_t run = {0};
  run.ctx = ctx;
  run.opts = opts;
  run.t0 = bn_wtime();
  run.ops = bn_problem_find(name);
  if (!run.ops)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "no problem named '%s'", name);
  run.hk = run.ops->stages;
  run.staged = run.hk && run.hk->finished;
  run.own = run.hk && run.hk->solve;
  BN_CALL(ctx, bn_run_begin(ctx, opts, &run.json, &run.output));
  bn_status_t st = bn_run_body(&run);
  st = bn_run_end(ctx, st);
  bn_run_release(run.ops, run.data, run.solver, run.ckpt, run.out, run.x);
  return st;
}
