/* Running a problem: create, initialise, solve, save, report. Shared by
 * every problem command. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"

void bn_json_put_str(FILE *f, const char *sep, const char *key, const char *s) {
  fprintf(f, "%s\"%s\":\"", sep, key);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      fprintf(f, "\\%c", *s);
    else if ((unsigned char)*s < 0x20)
      fprintf(f, "\\u%04x", *s);
    else
      fputc(*s, f);
  }
  fputc('"', f);
}

void bn_json_put_num(FILE *f, const char *sep, const char *key, double v) {
  if (isfinite(v))
    fprintf(f, "%s\"%s\":%.17g", sep, key, v);
  else
    fprintf(f, "%s\"%s\":null", sep, key);
}

bn_status_t bn_run_peak_memory(bn_ctx_t *ctx, double *lo, double *hi) {
  struct rusage ru;
  double b[2] = {0.0, 0.0};
  if (getrusage(RUSAGE_SELF, &ru) == 0) b[0] = 1024.0 * (double)ru.ru_maxrss;
  b[1] = -b[0];
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, b, 2, MPI_DOUBLE, MPI_MAX,
                            bn_ctx_comm(ctx)));
  *hi = b[0];
  *lo = -b[1];
  return BN_OK;
}

typedef struct bn_run {
  bn_ctx_t *ctx;
  const bn_problem_ops_t *ops;
  const bn_opts_t *opts;
  void *data;
  bn_solver_t *solver;
  bn_objective_t obj;
  double *x, *x0;
  bn_h5_t *out;
  bn_ckpt_t *ckpt;
  const char *output, *restart;
  bool json, save_init;
  double t0;
  bn_run_cert_t cert;
} bn_run_t;

static bn_status_t bn_run_save(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  bn_h5_t *f = run->out;
  char *optstr = bn_opts_serialize(run->opts);
  bn_status_t st = bn_agree(ctx, optstr ? BN_OK : BN_ERR_MEM);
  if (st == BN_OK) st = run->ops->save(run->data, run->x, f, "/");
  if (st == BN_OK && run->save_init)
    st = run->ops->save(run->data, run->x0, f, "/init/");
  if (st == BN_OK)
    st = bn_history_write(ctx, f, bn_solver_history(run->solver), true);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "problem", run->ops->name);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "solver", bn_solver_name(run->solver));
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "options", optstr);
  if (st == BN_OK) {
    int64_t seed = 0;
    st = bn_opts_int(run->opts, "seed", &seed);
    if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "seed", seed);
  }
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  if (st == BN_OK)
    st = bn_h5_attr_set_i64(f, "/", "processes", bn_ctx_size(ctx));
  if (st == BN_OK)
    st = bn_h5_attr_set_i64(f, "/", "iterations",
                            bn_solver_iterations(run->solver));
  double best;
  int64_t saved = bn_solver_saved_iteration(run->solver, &best);
  if (st == BN_OK)
    st = bn_h5_attr_set_i64(
        f, "/", "saved_iteration",
        saved >= 0 ? saved : bn_solver_iterations(run->solver));
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "reason",
                            bn_reason_string(bn_solver_reason(run->solver)));
  if (st == BN_OK) st = bn_run_cert_save(f, &run->cert);
  if (st == BN_OK) st = bn_h5_commit(f);
  free(optstr);
  return st;
}

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
    p->early_stop = solver && !strcmp(solver, "als") ? 3 : 0;
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

static bn_status_t bn_run_setup_solver(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  bn_solver_params_t p;
  BN_CALL(ctx, bn_run_solver_params(ctx, run->opts, &p));
  BN_CALL(ctx, bn_solver_create(ctx, bn_opts_string(run->opts, "solver"),
                                &run->solver));
  bn_solver_set_params(run->solver, &p);
  return BN_OK;
}

static void bn_run_report(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  double mlo = NAN, mhi = NAN;
  if (bn_run_peak_memory(ctx, &mlo, &mhi) != BN_OK) mlo = mhi = NAN;
  const bn_history_t *h = bn_solver_history(run->solver);
  bn_reason_t reason = bn_solver_reason(run->solver);
  size_t last = h->n - 1;
  double secs = bn_wtime() - run->t0;
  bn_log(ctx, BN_LOG_INFO,
         "%s after %lld iterations\n"
         "objective = %.10e  |grad| = %.3e",
         bn_reason_string(reason), (long long)bn_solver_iterations(run->solver),
         h->objective[last], h->grad_norm[last]);
  if (!isnan(h->rel_error[last]))
    bn_log(ctx, BN_LOG_INFO, "  rel_error = %.3e", h->rel_error[last]);
  if (!isnan(h->test_rmse[last]))
    bn_log(ctx, BN_LOG_INFO, "  test_rmse = %.6e", h->test_rmse[last]);
  double best;
  int64_t saved = bn_solver_saved_iteration(run->solver, &best);
  if (saved >= 0)
    bn_log(ctx, BN_LOG_INFO,
           "\nsaved the iterate of iteration %lld, the lowest test RMSE "
           "(%.6e; early stopping)",
           (long long)saved, best);
  bn_log(ctx, BN_LOG_INFO, "\nwrote %s (%.2f s in all)\n", run->output, secs);
  bn_run_cert_log(ctx, &run->cert);
  /* Saddle points passed on the way: objective plateaus in the history. */
  bn_plateau_t pl[8];
  size_t npl = bn_plateau_find(h, NULL, pl, 8);
  if (npl > 0) {
    bn_log(ctx, BN_LOG_INFO, "saddle points passed (objective plateaus): %zu\n",
           npl);
    for (size_t k = 0; k < npl && k < 8; k++)
      bn_log(ctx, BN_LOG_INFO,
             "  iterations %lld-%lld: f = %.6e, |grad| down to %.2e\n",
             (long long)pl[k].start, (long long)pl[k].end, pl[k].objective,
             pl[k].grad_norm);
  }
  if (!run->json || bn_ctx_rank(ctx) != 0) return;
  FILE *f = stdout;
  fputc('{', f);
  bn_json_put_str(f, "", "problem", run->ops->name);
  fputc(',', f);
  bn_json_put_str(f, "", "solver", bn_solver_name(run->solver));
  fprintf(f, ",\"processes\":%d,\"iterations\":%lld,", bn_ctx_size(ctx),
          (long long)bn_solver_iterations(run->solver));
  bn_json_put_str(f, "", "reason", bn_reason_string(reason));
  fprintf(f, ",\"converged\":%s", reason > 0 ? "true" : "false");
  bn_json_put_num(f, ",", "objective", h->objective[last]);
  bn_json_put_num(f, ",", "grad_norm", h->grad_norm[last]);
  if (!isnan(h->rel_error[last]))
    bn_json_put_num(f, ",", "rel_error", h->rel_error[last]);
  if (!isnan(h->test_rmse[last]))
    bn_json_put_num(f, ",", "test_rmse", h->test_rmse[last]);
  bn_json_put_num(f, ",", "seconds", secs);
  bn_json_put_num(f, ",", "solve_seconds", h->seconds[last]);
  fprintf(f, ",\"saved_iteration\":%lld",
          (long long)(saved >= 0 ? saved : bn_solver_iterations(run->solver)));
  if (saved >= 0) bn_json_put_num(f, ",", "saved_test_rmse", best);
  bn_json_put_num(f, ",", "peak_memory_min", mlo);
  bn_json_put_num(f, ",", "peak_memory_max", mhi);
  fprintf(f, ",\"plateaus\":[");
  for (size_t k = 0; k < npl && k < 8; k++)
    fprintf(f, "%s{\"start\":%lld,\"end\":%lld,\"objective\":%.17g}",
            k ? "," : "", (long long)pl[k].start, (long long)pl[k].end,
            pl[k].objective);
  fputc(']', f);
  bn_run_cert_json(f, &run->cert);
  fputc(',', f);
  bn_json_put_str(f, "", "output", run->output);
  fprintf(f, "}\n");
  fflush(f);
}

static void bn_run_header(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  if (bn_ctx_rank(ctx) != 0 || bn_ctx_log_level(ctx) < BN_LOG_INFO) return;
  FILE *s = bn_ctx_log_stream(ctx);
  fprintf(s, "benign %s\nPROBLEM=%s\nSOLVER=%s\nINIT=%s\nPROCESSES=%d\n",
          BN_VERSION_STRING, run->ops->name, bn_solver_name(run->solver),
          bn_opts_string(run->opts, "init"), bn_ctx_size(ctx));
  run->ops->describe(run->data, s);
  fprintf(s, "OUTPUT=%s\n", run->output);
  fflush(s);
}

/* After the solve: a run stopped by a signal ends with BN_INTERRUPTED (exit
 * status 75); with a checkpoint it writes no result. */
static bn_status_t bn_run_finish(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  bool stopped = bn_solver_reason(run->solver) == BN_STOPPED_SIGNAL, done;
  int sig = bn_signal_pending();
  if (run->ckpt) sig = bn_ckpt_signal(run->ckpt, &done);
  long long it = (long long)bn_solver_iterations(run->solver);
  if (stopped && run->ckpt && done)
    return BN_ERROR_ALL(ctx, BN_INTERRUPTED,
                        "interrupted by %s at iteration %lld: checkpoint "
                        "written to %s; continue with --restart=%s",
                        bn_signal_name(sig), it,
                        bn_opts_string(run->opts, "checkpoint"),
                        bn_opts_string(run->opts, "checkpoint"));
  if (!stopped)
    BN_CALL(ctx, bn_run_certify(ctx, run->opts, run->solver, &run->obj, run->x,
                                &run->cert));
  double bytes = (run->save_init ? 2.0 : 1.0) * (double)run->obj.n;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &bytes, 1, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  bytes = 8.0 * (bytes + 7.0 * (double)bn_solver_history(run->solver)->n);
  BN_CALL(ctx, bn_h5_create(ctx, run->output, bytes, &run->out));
  BN_CALL(ctx, bn_run_save(run));
  bn_run_report(run);
  if (stopped)
    return BN_ERROR_ALL(ctx, BN_INTERRUPTED,
                        "interrupted by %s at iteration %lld: no --checkpoint "
                        "was given, so the iterate so far was written to %s "
                        "as the result",
                        bn_signal_name(sig), it, run->output);
  return BN_OK;
}

bn_status_t bn_run_initial(bn_ctx_t *ctx, const bn_problem_ops_t *ops,
                           void *data, const bn_opts_t *opts, double *x) {
  const char *path = bn_opts_string(opts, "init-file");
  if (!path || !*path) return ops->init(data, opts, x);
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_h5_open(ctx, path, &f));
  /* load's errors name the file and the dataset that does not fit. */
  bn_status_t st = ops->load(data, f, "/", x);
  bn_h5_close(f);
  return st;
}

void bn_run_release(const bn_problem_ops_t *ops, void *data,
                    bn_solver_t *solver, bn_ckpt_t *ckpt, bn_h5_t *out,
                    double *x) {
  bn_signals_uninstall();
  bn_h5_close(out);
  bn_ckpt_destroy(ckpt);
  bn_solver_destroy(solver);
  if (data) ops->destroy(data);
  free(x);
}

static bn_status_t bn_run_body(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  bn_ckpt_params_t cp;
  BN_CALL(ctx, bn_run_setup_solver(run));
  /* An output that cannot be written fails before the solve; the file is
   * created only when there is a result to put in it. */
  BN_CALL(ctx, bn_run_ckpt_options(ctx, run->opts, &cp, &run->restart));
  BN_CALL(ctx, bn_run_check_paths(ctx, run->opts, &cp, run->restart, NULL, 0));
  /* From here a scheduler's SIGTERM/SIGUSR1 is handled at the next
   * iteration boundary (a checkpoint, then exit status 75). */
  bn_signals_install();
  BN_CALL(ctx, run->ops->create(ctx, run->opts, &run->data));
  run->ops->objective(run->data, &run->obj);
  if (cp.path || run->restart) {
    BN_CALL(ctx, bn_ckpt_create(ctx, &cp, run->ops, run->data, run->opts,
                                run->obj.n, &run->ckpt));
    bn_solver_set_hook(run->solver, bn_ckpt_hook, run->ckpt);
  }
  bn_run_header(run);
  size_t n = run->obj.n ? run->obj.n : 1;
  /* The initial point is kept only for --save-init (one iterate's memory). */
  bn_status_t st = bn_mallocn(ctx, bn_size_mul((run->save_init ? 2 : 1), n),
                              sizeof(double), &run->x);
  BN_CALL(ctx, bn_agree(ctx, st));
  run->x0 = run->save_init ? run->x + n : NULL;
  if (run->restart)
    BN_CALL(ctx, bn_ckpt_restore(run->ckpt, run->restart, run->solver, run->x,
                                 run->obj.n));
  else
    BN_CALL(ctx, bn_run_initial(ctx, run->ops, run->data, run->opts, run->x));
  double rel_tol, rel, rmse;
  BN_CALL(ctx, bn_opts_real(run->opts, "rel-tol", &rel_tol));
  if (rel_tol > 0) {
    BN_CALL(ctx, run->obj.metrics
                     ? run->obj.metrics(run->data, run->x, &rel, &rmse)
                     : BN_OK);
    if (!run->obj.metrics || rel != rel) /* NaN: no ground truth */
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--rel-tol needs a ground truth (/truth) in the "
                          "input");
  }
  if (run->x0) memcpy(run->x0, run->x, run->obj.n * sizeof(double));
  BN_CALL(ctx, bn_solver_solve(run->solver, &run->obj, run->x));
  return bn_run_finish(run);
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
  BN_CALL(ctx, bn_run_begin(ctx, opts, &run.json, &run.output));
  BN_CALL(ctx, bn_opts_bool(opts, "save-init", &run.save_init));
  bn_status_t st = bn_run_body(&run);
  st = bn_run_end(ctx, st);
  bn_run_release(run.ops, run.data, run.solver, run.ckpt, run.out, run.x);
  return st;
}
