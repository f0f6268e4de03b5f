/* benign dict: dictionary learning.
 *
 * The shared driver (run_problem.c) runs one solve; dictionary learning
 * may need several (the sphere method finds one atom per solve, the
 * overcomplete method runs one solve per random start, l4 one solve in
 * all). So this command runs its own loop over the solver API:
 *   create the problem; until bn_dict_finished: an initial point
 *   (ops->init, or --init-file for the first solve), bn_solver_solve, the
 *   certificate of that solve, bn_dict_accept (deflation, duplicates);
 *   then bn_dict_finish (dictionary, codes, metrics) and the result.
 * Checkpoints use the shared machinery unchanged: the solver hook writes
 * the current solve's state, and the problem's save/load at "/" carry the
 * atoms and the finished solves, so --restart continues the solve it
 * stopped in and then the remaining ones. --max-iter, --time-limit and the
 * stopping tests apply to each solve. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/dict.h"
#include "cli.h"

typedef struct bn_drun {
  bn_ctx_t *ctx;
  const bn_problem_ops_t *ops;
  const bn_opts_t *opts;
  void *data;
  bn_solver_t *solver;
  bn_objective_t obj;
  double *x;
  bn_h5_t *out;
  bn_ckpt_t *ckpt;
  const char *output, *restart;
  bool json, stopped;
  double t0;
  bn_run_cert_t cert; /* of the last solve */
  int certified;      /* solves certified approximate local minimizers */
  bn_dict_report_t rep;
} bn_drun_t;

static bn_status_t bn_drun_solver(bn_drun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  bn_solver_params_t p;
  bool si = false;
  if (bn_opts_is_set(r->opts, "save-init"))
    BN_CALL(ctx, bn_opts_bool(r->opts, "save-init", &si));
  if (si)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--save-init: benign dict may run several solves and "
                        "keeps no single initial point");
  BN_CALL(ctx, bn_run_solver_params(ctx, r->opts, &p));
  BN_CALL(ctx, bn_solver_create(ctx, bn_dict_solver(r->data), &r->solver));
  bn_solver_set_params(r->solver, &p);
  return BN_OK;
}

static void bn_drun_header(bn_drun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  if (bn_ctx_rank(ctx) != 0 || bn_ctx_log_level(ctx) < BN_LOG_INFO) return;
  FILE *s = bn_ctx_log_stream(ctx);
  const char *file = bn_opts_string(r->opts, "init-file");
  fprintf(s, "benign %s\nPROBLEM=dict\nSOLVER=%s\nINIT=%s\nPROCESSES=%d\n",
          BN_VERSION_STRING, bn_solver_name(r->solver),
          file && *file ? file : bn_opts_string(r->opts, "init"),
          bn_ctx_size(ctx));
  r->ops->describe(r->data, s);
  fprintf(s, "OUTPUT=%s\n", r->output);
  fflush(s);
}

static void bn_drun_totals(bn_drun_t *r, int64_t *its, int64_t *conv,
                           double *secs) {
  const bn_dict_stage_t *st = bn_dict_stages(r->data);
  *its = *conv = 0;
  *secs = 0.0;
  for (int j = 0; j < bn_dict_stages_done(r->data); j++) {
    *its += st[j].iterations;
    *conv += st[j].reason > 0;
    *secs += st[j].seconds;
  }
}

static bn_status_t bn_drun_save(bn_drun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  bn_h5_t *f = r->out;
  int64_t its, conv, seed = 0;
  double secs;
  bn_drun_totals(r, &its, &conv, &secs);
  char *optstr = bn_opts_serialize(r->opts);
  BN_CALL(ctx, bn_agree(ctx, optstr ? BN_OK : BN_ERR_MEM));
  bn_status_t s = bn_dict_write_result(r->data, r->x, &r->rep, f);
  if (s == BN_OK) s = bn_h5_attr_set_str(f, "/", "problem", "dict");
  if (s == BN_OK)
    s = bn_h5_attr_set_str(f, "/", "solver", bn_solver_name(r->solver));
  if (s == BN_OK) s = bn_h5_attr_set_str(f, "/", "options", optstr);
  if (s == BN_OK) s = bn_opts_int(r->opts, "seed", &seed);
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "seed", seed);
  if (s == BN_OK) s = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "processes", bn_ctx_size(ctx));
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "iterations", its);
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "converged_solves", conv);
  if (s == BN_OK)
    s = bn_h5_attr_set_str(f, "/", "reason",
                           bn_reason_string(bn_solver_reason(r->solver)));
  if (s == BN_OK) s = bn_run_cert_save(f, &r->cert);
  if (s == BN_OK)
    s = bn_h5_attr_set_i64(f, "/", "certified_solves", r->certified);
  if (s == BN_OK) s = bn_h5_commit(f);
  free(optstr);
  return s;
}

static void bn_drun_report(bn_drun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  const bn_dict_report_t *m = &r->rep;
  const int done = bn_dict_stages_done(r->data);
  const bn_dict_stage_t *last =
      done ? &bn_dict_stages(r->data)[done - 1] : NULL;
  int64_t its, conv;
  double solve_secs, secs = bn_wtime() - r->t0;
  bn_drun_totals(r, &its, &conv, &solve_secs);
  bn_log(ctx, BN_LOG_INFO,
         "learned %d of %d atoms in %d solves (%lld converged, %lld "
         "iterations)\n",
         bn_dict_atoms_found(r->data), bn_dict_atoms_target(r->data), done,
         (long long)conv, (long long)its);
  if (!isnan(m->matched))
    bn_log(ctx, BN_LOG_INFO,
           "ground truth: %.1f%% of %d atoms matched (|cos| > 0.99), min "
           "best |cos| = %.6f, 1 - |A^T A0|_4^4/n = %.3e\n",
           100.0 * m->matched, m->truth_atoms, m->min_cos, m->l4_error);
  if (!isnan(m->sparsity))
    bn_log(ctx, BN_LOG_INFO,
           "codes: %.2f%% nonzero, |Y - A X|_F / |Y|_F = %.3e\n",
           100.0 * m->sparsity, m->rep_error);
  bn_log(ctx, BN_LOG_INFO, "wrote %s (%.2f s in all)\n", r->output, secs);
  if (!r->json || bn_ctx_rank(ctx) != 0) return;
  FILE *f = stdout;
  fprintf(f, "{\"problem\":\"dict\"");
  bn_json_put_str(f, ",", "method", bn_dict_method(r->data));
  bn_json_put_str(f, ",", "loss", bn_dict_loss(r->data));
  bn_json_put_str(f, ",", "solver", bn_solver_name(r->solver));
  fprintf(f, ",\"processes\":%d,\"atoms\":%d,\"found\":%d,\"solves\":%d",
          bn_ctx_size(ctx), bn_dict_atoms_target(r->data),
          bn_dict_atoms_found(r->data), done);
  fprintf(f, ",\"iterations\":%lld,\"converged_solves\":%lld", (long long)its,
          (long long)conv);
  bn_json_put_str(f, ",", "reason",
                  bn_reason_string(bn_solver_reason(r->solver)));
  fprintf(f, ",\"converged\":%s",
          bn_dict_atoms_found(r->data) == bn_dict_atoms_target(r->data) &&
                  last && last->reason > 0
              ? "true"
              : "false");
  bn_json_put_num(f, ",", "objective", last ? last->objective : NAN);
  bn_json_put_num(f, ",", "grad_norm", last ? last->grad_norm : NAN);
  bn_json_put_num(f, ",", "l4_error", m->l4_error);
  bn_json_put_num(f, ",", "matched_fraction", m->matched);
  bn_json_put_num(f, ",", "min_abs_cos", m->min_cos);
  bn_json_put_num(f, ",", "atom_abs_cos_min", m->atom_cos);
  bn_json_put_num(f, ",", "code_sparsity", m->sparsity);
  bn_json_put_num(f, ",", "rep_error", m->rep_error);
  bn_json_put_num(f, ",", "synthesis_objective", m->synthesis);
  fprintf(f, ",\"certified_solves\":%d", r->certified);
  bn_run_cert_json(f, &r->cert);
  bn_json_put_num(f, ",", "solve_seconds", solve_secs);
  bn_json_put_num(f, ",", "seconds", secs);
  bn_json_put_str(f, ",", "output", r->output);
  fprintf(f, "}\n");
  fflush(f);
}

/* After the loop: a run stopped by a signal ends with BN_INTERRUPTED
 * (exit status 75); with a checkpoint it writes no result. */
static bn_status_t bn_drun_finish(bn_drun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  bool done = false;
  int sig = bn_signal_pending();
  if (r->ckpt) sig = bn_ckpt_signal(r->ckpt, &done);
  int stage = bn_dict_stages_done(r->data);
  long long it = (long long)bn_solver_iterations(r->solver);
  if (r->stopped && r->ckpt && done)
    return BN_ERROR_ALL(ctx, BN_INTERRUPTED,
                        "interrupted by %s at iteration %lld of solve %d: "
                        "checkpoint written to %s; continue with "
                        "--restart=%s",
                        bn_signal_name(sig), it, stage,
                        bn_opts_string(r->opts, "checkpoint"),
                        bn_opts_string(r->opts, "checkpoint"));
  BN_CALL(ctx, bn_dict_finish(r->data, &r->rep));
  double ng = (double)r->obj.n, nnz = (double)r->rep.nnz;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &ng, 1, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  double bytes = 8.0 * (4.0 * ng + 3.0 * nnz +
                        8.0 * (double)bn_dict_history(r->data, NULL)->n);
  BN_CALL(ctx, bn_h5_create(ctx, r->output, bytes, &r->out));
  BN_CALL(ctx, bn_drun_save(r));
  const char *png = bn_opts_string(r->opts, "atoms-png");
  if (png && *png) {
    BN_CALL(ctx, bn_dict_atoms_png(r->data, png));
    bn_log(ctx, BN_LOG_INFO, "wrote %s (%d atoms)\n", png,
           bn_dict_atoms_found(r->data));
  }
  bn_drun_report(r);
  if (r->stopped)
    return BN_ERROR_ALL(ctx, BN_INTERRUPTED,
                        "interrupted by %s at iteration %lld of solve %d: no "
                        "--checkpoint was given, so the %d atoms found so far "
                        "were written to %s",
                        bn_signal_name(sig), it, stage,
                        bn_dict_atoms_found(r->data), r->output);
  return BN_OK;
}

/* One line per solve (overcomplete: per atom kept; the others at debug). */
static void bn_drun_log(bn_drun_t *r, int kept) {
  const int j = bn_dict_stages_done(r->data) - 1;
  const bn_dict_stage_t *st = &bn_dict_stages(r->data)[j];
  bool over = !strcmp(bn_dict_method(r->data), "overcomplete");
  bn_log(r->ctx, over && !kept ? BN_LOG_DEBUG : BN_LOG_INFO,
         "solve %4d: f = %.9e  its = %5lld  |grad| = %.2e  %s; %d atom%s "
         "kept (%d in all)%s%s\n",
         j, st->objective, (long long)st->iterations, st->grad_norm,
         bn_reason_string((bn_reason_t)st->reason), kept, kept == 1 ? "" : "s",
         bn_dict_atoms_found(r->data), r->cert.done ? "; certificate: " : "",
         r->cert.done ? bn_cert_verdict_string(r->cert.c.verdict) : "");
}

/* The first solve's start: --init-file (the iterate only), else init. */
static bn_status_t bn_drun_start(bn_drun_t *r, bool first) {
  bn_ctx_t *ctx = r->ctx;
  const char *path = bn_opts_string(r->opts, "init-file");
  if (!first || !path || !*path) return r->ops->init(r->data, r->opts, r->x);
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_h5_open(ctx, path, &f));
  bn_status_t st = bn_dict_load_start(r->data, f, r->x);
  bn_h5_close(f);
  return st;
}

static bn_status_t bn_drun_body(bn_drun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  bn_ckpt_params_t cp;
  BN_CALL(ctx, bn_run_ckpt_options(ctx, r->opts, &cp, &r->restart));
  const char *side[2] = {bn_opts_string(r->opts, "atoms-png"), "--atoms-png"};
  BN_CALL(ctx, bn_run_check_paths(ctx, r->opts, &cp, r->restart, side, 1));
  bn_signals_install();
  BN_CALL(ctx, r->ops->create(ctx, r->opts, &r->data));
  r->ops->objective(r->data, &r->obj);
  BN_CALL(ctx, bn_drun_solver(r));
  if (cp.path || r->restart) {
    BN_CALL(ctx, bn_ckpt_create(ctx, &cp, r->ops, r->data, r->opts, r->obj.n,
                                &r->ckpt));
    bn_solver_set_hook(r->solver, bn_ckpt_hook, r->ckpt);
  }
  bn_drun_header(r);
  size_t n = r->obj.n ? r->obj.n : 1;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, n, sizeof(double), &r->x)));
  double rel_tol, rel, rmse;
  BN_CALL(ctx, bn_opts_real(r->opts, "rel-tol", &rel_tol));
  bool resume = false;
  if (r->restart) {
    BN_CALL(ctx,
            bn_ckpt_restore(r->ckpt, r->restart, r->solver, r->x, r->obj.n));
    resume = true;
  }
  if (rel_tol > 0) {
    BN_CALL(ctx, r->obj.metrics(r->data, r->x, &rel, &rmse));
    if (isnan(rel))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--rel-tol needs a ground truth (/A_true) in the "
                          "input");
  }
  while (!bn_dict_finished(r->data)) {
    if (!resume)
      BN_CALL(ctx, bn_drun_start(r, bn_dict_stages_done(r->data) == 0));
    resume = false;
    BN_CALL(ctx, bn_solver_solve(r->solver, &r->obj, r->x));
    if (bn_solver_reason(r->solver) == BN_STOPPED_SIGNAL) {
      r->stopped = true;
      break;
    }
    /* The certificate of this solve, on the (deflated) objective it
     * minimised; none for the nonsmooth l1 loss. */
    memset(&r->cert, 0, sizeof(r->cert));
    if (bn_dict_smooth(r->data))
      BN_CALL(ctx,
              bn_run_certify(ctx, r->opts, r->solver, &r->obj, r->x, &r->cert));
    if (r->cert.done && r->cert.c.verdict == BN_CERT_LOCAL_MIN) r->certified++;
    int kept = 0;
    BN_CALL(ctx, bn_dict_accept(r->data, r->x, r->solver,
                                r->cert.done ? &r->cert.c : NULL, &kept));
    bn_drun_log(r, kept);
  }
  if (!bn_dict_smooth(r->data))
    bn_log(ctx, BN_LOG_INFO,
           "certificate: skipped (the l1 loss is not smooth: its subgradient "
           "does not vanish at its minimizers)\n");
  else
    bn_run_cert_log(ctx, &r->cert);
  return bn_drun_finish(r);
}

bn_status_t bn_frame_dict(bn_ctx_t *ctx, bn_opts_t *opts, const char *subject) {
  (void)subject;
  bn_drun_t r = {0};
  r.ctx = ctx;
  r.opts = opts;
  r.t0 = bn_wtime();
  r.ops = bn_problem_find("dict");
  if (!r.ops) return BN_ERROR_ALL(ctx, BN_ERR_ARG, "no problem named 'dict'");
  BN_CALL(ctx, bn_run_begin(ctx, opts, &r.json, &r.output));
  bn_status_t st = bn_drun_body(&r);
  st = bn_run_end(ctx, st);
  bn_run_release(r.ops, r.data, r.solver, r.ckpt, r.out, r.x);
  return st;
}
