/* The end of a run: the result file and its attributes, the summary in
 * the log and the one-line JSON summary -- the same frame for every
 * problem, with the problem's own datasets, lines and fields from its
 * stage hooks (benign/problem.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "run.h"

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

/* The totals of the run: a staged problem's own, else the solver's. */
static void bn_run_totals(const bn_run_t *run, bn_run_summary_t *s) {
  if (run->staged && run->hk->summary) {
    run->hk->summary(run->data, s);
    return;
  }
  const bn_history_t *h = bn_solver_history(run->solver);
  size_t last = h->n ? h->n - 1 : 0;
  s->iterations = bn_solver_iterations(run->solver);
  s->converged = bn_solver_reason(run->solver) > 0;
  s->objective = h->n ? h->objective[last] : NAN;
  s->grad_norm = h->n ? h->grad_norm[last] : NAN;
  s->solve_seconds = h->n ? h->seconds[last] : 0.0;
}

/* The root attributes: what every result has, then, for a solver's run,
 * the solver's (a problem with its own iteration writes its own). */
static bn_status_t bn_run_attrs(bn_run_t *run, const char *optstr) {
  bn_ctx_t *ctx = run->ctx;
  bn_h5_t *f = run->out;
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "problem", run->ops->name));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "options", optstr));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "processes", bn_ctx_size(ctx)));
  if (run->own) return BN_OK;
  bn_run_summary_t sum;
  bn_run_totals(run, &sum);
  int64_t seed = 0;
  BN_CALL(ctx,
          bn_h5_attr_set_str(f, "/", "solver", bn_solver_name(run->solver)));
  BN_CALL(ctx, bn_opts_int(run->opts, "seed", &seed));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "seed", seed));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "iterations", sum.iterations));
  if (!run->staged) {
    double best;
    int64_t saved = bn_solver_saved_iteration(run->solver, &best);
    BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "saved_iteration",
                                    saved >= 0 ? saved : sum.iterations));
  }
  BN_CALL(ctx,
          bn_h5_attr_set_str(f, "/", "reason",
                             bn_reason_string(bn_solver_reason(run->solver))));
  return bn_run_cert_save(f, &run->cert);
}

static bn_status_t bn_run_save(bn_run_t *run, const char *optstr) {
  bn_ctx_t *ctx = run->ctx;
  bn_h5_t *f = run->out;
  const bn_stage_ops_t *hk = run->hk;
  BN_CALL(ctx, hk && hk->write ? hk->write(run->data, run->x, f)
                               : run->ops->save(run->data, run->x, f, "/"));
  if (run->save_init)
    BN_CALL(ctx, run->ops->save(run->data, run->x0, f, "/init/"));
  /* A staged problem writes its own history (all solves, one after the
   * other) with its datasets. */
  if (!run->staged && !run->own)
    BN_CALL(ctx,
            bn_history_write(ctx, f, bn_solver_history(run->solver), true));
  BN_CALL(ctx, bn_run_attrs(run, optstr));
  return bn_h5_commit(f);
}

bn_status_t bn_run_write(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  double bytes;
  if (run->hk && run->hk->result_bytes) {
    bytes = run->hk->result_bytes(run->data, run->obj.n);
  } else {
    bytes = (run->save_init ? 2.0 : 1.0) * (double)run->obj.n;
    BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &bytes, 1, MPI_DOUBLE, MPI_SUM,
                              bn_ctx_comm(ctx)));
    bytes = 8.0 * (bytes + 7.0 * (double)bn_solver_history(run->solver)->n);
  }
  BN_CALL(ctx, bn_h5_create(ctx, run->output, bytes, &run->out));
  char *optstr = bn_opts_serialize(run->opts);
  BN_CALL(ctx, bn_agree(ctx, optstr ? BN_OK : BN_ERR_MEM));
  bn_status_t st = bn_run_save(run, optstr);
  free(optstr);
  return st;
}

/* The summary lines of a single solve. */
static void bn_run_log_solve(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  const bn_history_t *h = bn_solver_history(run->solver);
  size_t last = h->n - 1;
  bn_log(ctx, BN_LOG_INFO,
         "%s after %lld iterations\n"
         "objective = %.10e  |grad| = %.3e",
         bn_reason_string(bn_solver_reason(run->solver)),
         (long long)bn_solver_iterations(run->solver), h->objective[last],
         h->grad_norm[last]);
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
  bn_log(ctx, BN_LOG_INFO, "\n");
}

/* The JSON fields every problem has, after "{". */
static void bn_run_json_head(bn_run_t *run, FILE *f,
                             const bn_run_summary_t *sum, double secs) {
  bn_ctx_t *ctx = run->ctx;
  bn_reason_t reason = bn_solver_reason(run->solver);
  bn_json_put_str(f, "", "problem", run->ops->name);
  bn_json_put_str(f, ",", "solver", bn_solver_name(run->solver));
  fprintf(f, ",\"processes\":%d,\"iterations\":%lld,", bn_ctx_size(ctx),
          (long long)sum->iterations);
  bn_json_put_str(f, "", "reason", bn_reason_string(reason));
  fprintf(f, ",\"converged\":%s", sum->converged ? "true" : "false");
  bn_json_put_num(f, ",", "objective", sum->objective);
  bn_json_put_num(f, ",", "grad_norm", sum->grad_norm);
  bn_json_put_num(f, ",", "seconds", secs);
  bn_json_put_num(f, ",", "solve_seconds", sum->solve_seconds);
  if (run->staged) return;
  const bn_history_t *h = bn_solver_history(run->solver);
  size_t last = h->n - 1;
  if (!isnan(h->rel_error[last]))
    bn_json_put_num(f, ",", "rel_error", h->rel_error[last]);
  if (!isnan(h->test_rmse[last]))
    bn_json_put_num(f, ",", "test_rmse", h->test_rmse[last]);
  double best;
  int64_t saved = bn_solver_saved_iteration(run->solver, &best);
  fprintf(f, ",\"saved_iteration\":%lld",
          (long long)(saved >= 0 ? saved : sum->iterations));
  if (saved >= 0) bn_json_put_num(f, ",", "saved_test_rmse", best);
}

void bn_run_report(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  double mlo = NAN, mhi = NAN;
  if (bn_run_peak_memory(ctx, &mlo, &mhi) != BN_OK) mlo = mhi = NAN;
  double secs = bn_wtime() - run->t0;
  const bool solver = !run->own; /* a solver's run, with its certificate */
  FILE *f = run->json && bn_ctx_rank(ctx) == 0 ? stdout : NULL;
  if (f) {
    fputc('{', f);
    if (solver) {
      bn_run_summary_t sum;
      bn_run_totals(run, &sum);
      bn_run_json_head(run, f, &sum, secs);
    } else {
      bn_json_put_str(f, "", "problem", run->ops->name);
      fprintf(f, ",\"processes\":%d", bn_ctx_size(ctx));
    }
  }
  if (solver && !run->staged) bn_run_log_solve(run);
  if (run->hk && run->hk->report) run->hk->report(run->data, f);
  bn_log(ctx, BN_LOG_INFO, "wrote %s (%.2f s in all)\n", run->output, secs);
  if (solver && (!run->hk || !run->hk->smooth || run->hk->smooth(run->data)))
    bn_run_cert_log(ctx, &run->cert);
  else if (solver)
    bn_log(ctx, BN_LOG_INFO,
           "certificate: skipped (the objective is not smooth: its "
           "subgradient does not vanish at its minimizers)\n");
  /* Saddle points passed on the way: objective plateaus in the history. */
  bn_plateau_t pl[BN_PLATEAU_REPORT];
  size_t npl = 0;
  if (solver && !run->staged)
    npl = bn_plateau_report(ctx, bn_solver_history(run->solver), pl);
  if (!f) return;
  bn_json_put_num(f, ",", "peak_memory_min", mlo);
  bn_json_put_num(f, ",", "peak_memory_max", mhi);
  if (solver && !run->staged) bn_plateau_json(f, pl, npl);
  if (solver) bn_run_cert_json(f, &run->cert);
  bn_json_put_str(f, ",", "output", run->output);
  fprintf(f, "}\n");
  fflush(f);
}

void bn_run_header(bn_run_t *run) {
  bn_ctx_t *ctx = run->ctx;
  if (bn_ctx_rank(ctx) != 0 || bn_ctx_log_level(ctx) < BN_LOG_INFO) return;
  FILE *s = bn_ctx_log_stream(ctx);
  fprintf(s, "benign %s\nPROBLEM=%s\n", BN_VERSION_STRING, run->ops->name);
  if (!run->own) {
    const char *file = bn_opts_string(run->opts, "init-file");
    fprintf(s, "SOLVER=%s\nINIT=%s\n", bn_solver_name(run->solver),
            file && *file ? file : bn_opts_string(run->opts, "init"));
  }
  fprintf(s, "PROCESSES=%d\n", bn_ctx_size(ctx));
  run->ops->describe(run->data, s);
  fprintf(s, "OUTPUT=%s\n", run->output);
  fflush(s);
}
