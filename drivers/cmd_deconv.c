/* benign deconv: multichannel sparse blind deconvolution.
 *
 * The shared frame (bn_run_begin/bn_run_end: log level, --json, --output,
 * the timing table) around one solve on the sphere, its second-order
 * certificate (smooth losses), then the problem's rounding step, the
 * kernel in canonical form and the codes (bn_deconv_finish), the result
 * file and the picture. The solve and the rounding are reported apart.
 *
 * Checkpoints use the shared machinery unchanged (as run_problem.c): the
 * solver hook writes the solve's state (the iterate q and the solver's
 * vectors, on rank 0, through the problem's save/load, so a restart may
 * use another number of processes); SIGTERM/SIGUSR1 during the solve
 * write a checkpoint and end with status 75 on every rank, no result.
 * --restart continues the solve (the l1 step schedule from the restored
 * iteration: bn_deconv_resume) and then runs the same rounding. The
 * rounding and the certificate are not checkpointed: a signal that
 * arrives after the last iteration lets the run finish and write its
 * result. --init-file starts from /q of a result or checkpoint;
 * --save-init writes the start as /init/q. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/deconv.h"
#include "cli.h"

typedef struct bn_crun {
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
  bn_deconv_report_t rep;
} bn_crun_t;

static bn_status_t bn_crun_solver(bn_crun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  bn_solver_params_t p;
  BN_CALL(ctx, bn_run_solver_params(ctx, r->opts, &p));
  if (bn_opts_source(r->opts, "max-iter") < BN_SRC_DECK)
    p.max_iter = bn_deconv_max_iter(r->data);
  const char *s = bn_opts_source(r->opts, "solver") >= BN_SRC_DECK
                      ? bn_opts_string(r->opts, "solver")
                      : bn_deconv_solver(r->data);
  BN_CALL(ctx, bn_solver_create(ctx, s, &r->solver));
  bn_solver_set_params(r->solver, &p);
  return BN_OK;
}

static bn_status_t bn_crun_save(bn_crun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  bn_h5_t *f = r->out;
  int64_t seed = 0;
  char *optstr = bn_opts_serialize(r->opts);
  BN_CALL(ctx, bn_agree(ctx, optstr ? BN_OK : BN_ERR_MEM));
  bn_status_t s = bn_deconv_write_result(r->data, r->x, &r->rep, f);
  if (s == BN_OK && r->save_init) s = r->ops->save(r->data, r->x0, f, "/init/");
  if (s == BN_OK)
    s = bn_history_write(ctx, f, bn_solver_history(r->solver), true);
  if (s == BN_OK) s = bn_h5_attr_set_str(f, "/", "problem", "deconv");
  if (s == BN_OK)
    s = bn_h5_attr_set_str(f, "/", "solver", bn_solver_name(r->solver));
  if (s == BN_OK) s = bn_h5_attr_set_str(f, "/", "options", optstr);
  if (s == BN_OK) s = bn_opts_int(r->opts, "seed", &seed);
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "seed", seed);
  if (s == BN_OK) s = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "processes", bn_ctx_size(ctx));
  if (s == BN_OK)
    s = bn_h5_attr_set_i64(f, "/", "iterations",
                           bn_solver_iterations(r->solver));
  if (s == BN_OK)
    s = bn_h5_attr_set_str(f, "/", "reason",
                           bn_reason_string(bn_solver_reason(r->solver)));
  if (s == BN_OK) s = bn_run_cert_save(f, &r->cert);
  if (s == BN_OK) s = bn_h5_commit(f);
  free(optstr);
  return s;
}

static void bn_crun_report(bn_crun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  const bn_history_t *h = bn_solver_history(r->solver);
  const bn_deconv_report_t *m = &r->rep;
  size_t last = h->n - 1;
  bn_reason_t reason = bn_solver_reason(r->solver);
  double secs = bn_wtime() - r->t0;
  bn_log(ctx, BN_LOG_INFO,
         "%s after %lld iterations\nobjective = %.10e  |grad| = %.3e\n",
         bn_reason_string(reason), (long long)bn_solver_iterations(r->solver),
         h->objective[last], h->grad_norm[last]);
  bn_run_cert_log(ctx, &r->cert);
  bn_log(ctx, BN_LOG_INFO, "rounding: %d rounds, %d CG iterations (%.3f s)\n",
         m->rounds, m->cg_iterations, m->seconds);
  if (!isnan(m->kernel_error))
    bn_log(ctx, BN_LOG_INFO,
           "kernel error (1 - max shift |cos|): %.3e before rounding, %.3e "
           "after\n",
           m->kernel_error_pre, m->kernel_error);
  if (!isnan(m->codes_error))
    bn_log(ctx, BN_LOG_INFO, "codes: relative error %.3e\n", m->codes_error);
  bn_log(ctx, BN_LOG_INFO, "wrote %s (%.2f s in all)\n", r->output, secs);
  if (!r->json || bn_ctx_rank(ctx) != 0) return;
  FILE *f = stdout;
  fprintf(f, "{\"problem\":\"deconv\",\"loss\":\"%s\",\"solver\":\"%s\"",
          bn_deconv_loss(r->data), bn_solver_name(r->solver));
  fprintf(f, ",\"processes\":%d,\"iterations\":%lld,\"reason\":\"%s\"",
          bn_ctx_size(ctx), (long long)bn_solver_iterations(r->solver),
          bn_reason_string(reason));
  fprintf(f, ",\"converged\":%s", reason > 0 ? "true" : "false");
  bn_json_put_num(f, ",", "objective", h->objective[last]);
  bn_json_put_num(f, ",", "grad_norm", h->grad_norm[last]);
  bn_json_put_num(f, ",", "kernel_error", m->kernel_error);
  bn_json_put_num(f, ",", "kernel_error_before_rounding", m->kernel_error_pre);
  bn_json_put_num(f, ",", "codes_error", m->codes_error);
  fprintf(f, ",\"rounding_rounds\":%d,\"rounding_cg_iterations\":%d", m->rounds,
          m->cg_iterations);
  bn_json_put_num(f, ",", "solve_seconds", h->seconds[last]);
  bn_json_put_num(f, ",", "rounding_seconds", m->seconds);
  bn_json_put_num(f, ",", "seconds", secs);
  bn_run_cert_json(f, &r->cert);
  fprintf(f, ",\"output\":\"%s\"}\n", r->output);
  fflush(f);
}

/* After the solve: a run stopped by a signal ends with BN_INTERRUPTED
 * (exit status 75); with a checkpoint it writes no result. */
static bn_status_t bn_crun_finish(bn_crun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  bool stopped = bn_solver_reason(r->solver) == BN_STOPPED_SIGNAL, done = false;
  int sig = bn_signal_pending();
  if (r->ckpt) sig = bn_ckpt_signal(r->ckpt, &done);
  long long it = (long long)bn_solver_iterations(r->solver);
  if (stopped && r->ckpt && done)
    return BN_ERROR_ALL(ctx, BN_INTERRUPTED,
                        "interrupted by %s at iteration %lld: checkpoint "
                        "written to %s; continue with --restart=%s",
                        bn_signal_name(sig), it,
                        bn_opts_string(r->opts, "checkpoint"),
                        bn_opts_string(r->opts, "checkpoint"));
  if (!stopped && bn_deconv_smooth(r->data))
    BN_CALL(ctx,
            bn_run_certify(ctx, r->opts, r->solver, &r->obj, r->x, &r->cert));
  BN_CALL(ctx, bn_deconv_finish(r->data, r->x, &r->rep));
  BN_CALL(ctx, bn_h5_create(ctx, r->output, bn_deconv_result_bytes(r->data),
                            &r->out));
  BN_CALL(ctx, bn_crun_save(r));
  const char *png = bn_opts_string(r->opts, "png-prefix");
  if (png && *png) {
    char path[4096];
    snprintf(path, sizeof path, "%skernel.png", png);
    BN_CALL(ctx, bn_deconv_png(r->data, path));
    bn_log(ctx, BN_LOG_INFO, "wrote %s\n", path);
  }
  bn_crun_report(r);
  if (stopped)
    return BN_ERROR_ALL(ctx, BN_INTERRUPTED,
                        "interrupted by %s at iteration %lld: no --checkpoint "
                        "was given, so the kernel of the iterate so far was "
                        "written to %s",
                        bn_signal_name(sig), it, r->output);
  return BN_OK;
}

static void bn_crun_header(bn_crun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  if (bn_ctx_rank(ctx) != 0 || bn_ctx_log_level(ctx) < BN_LOG_INFO) return;
  FILE *s = bn_ctx_log_stream(ctx);
  const char *file = bn_opts_string(r->opts, "init-file");
  fprintf(s, "benign %s\nPROBLEM=deconv\nSOLVER=%s\nINIT=%s\nPROCESSES=%d\n",
          BN_VERSION_STRING, bn_solver_name(r->solver),
          file && *file ? file : bn_opts_string(r->opts, "init"),
          bn_ctx_size(ctx));
  r->ops->describe(r->data, s);
  fprintf(s, "OUTPUT=%s\n", r->output);
  fflush(s);
}

static bn_status_t bn_crun_body(bn_crun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  bn_ckpt_params_t cp;
  BN_CALL(ctx, bn_run_ckpt_options(ctx, r->opts, &cp, &r->restart));
  const char *png = bn_opts_string(r->opts, "png-prefix");
  char kpng[4096];
  snprintf(kpng, sizeof kpng, "%skernel.png", png ? png : "");
  const char *side[2] = {png && *png ? kpng : NULL, "--png-prefix"};
  BN_CALL(ctx, bn_run_check_paths(ctx, r->opts, &cp, r->restart, side, 1));
  BN_CALL(ctx, bn_opts_bool(r->opts, "save-init", &r->save_init));
  /* From here a scheduler's SIGTERM/SIGUSR1 is handled at the next
   * iteration boundary (a checkpoint, then exit status 75). */
  bn_signals_install();
  BN_CALL(ctx, r->ops->create(ctx, r->opts, &r->data));
  r->ops->objective(r->data, &r->obj);
  BN_CALL(ctx, bn_crun_solver(r));
  if (cp.path || r->restart) {
    BN_CALL(ctx, bn_ckpt_create(ctx, &cp, r->ops, r->data, r->opts, r->obj.n,
                                &r->ckpt));
    bn_solver_set_hook(r->solver, bn_ckpt_hook, r->ckpt);
  }
  bn_crun_header(r);
  size_t n = r->obj.n ? r->obj.n : 1;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, bn_size_mul(2, n), sizeof(double),
                                       &r->x)));
  r->x0 = r->x + n;
  if (r->restart) {
    BN_CALL(ctx,
            bn_ckpt_restore(r->ckpt, r->restart, r->solver, r->x, r->obj.n));
    bn_deconv_resume(r->data, bn_solver_iterations(r->solver));
  } else {
    /* --init-file: /q of a result or a checkpoint, any process count. */
    BN_CALL(ctx, bn_run_initial(ctx, r->ops, r->data, r->opts, r->x));
  }
  double rel_tol, rel, rmse;
  BN_CALL(ctx, bn_opts_real(r->opts, "rel-tol", &rel_tol));
  if (rel_tol > 0) {
    BN_CALL(ctx, r->obj.metrics(r->data, r->x, &rel, &rmse));
    if (isnan(rel))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--rel-tol needs a ground truth (/a_true) in the "
                          "input");
  }
  memcpy(r->x0, r->x, r->obj.n * sizeof(double));
  BN_CALL(ctx, bn_solver_solve(r->solver, &r->obj, r->x));
  return bn_crun_finish(r);
}

bn_status_t bn_frame_deconv(bn_ctx_t *ctx, bn_opts_t *opts,
                            const char *subject) {
  (void)subject;
  bn_crun_t r = {0};
  r.ctx = ctx;
  r.opts = opts;
  r.t0 = bn_wtime();
  r.ops = bn_problem_find("deconv");
  if (!r.ops) return BN_ERROR_ALL(ctx, BN_ERR_ARG, "no problem named 'deconv'");
  BN_CALL(ctx, bn_run_begin(ctx, opts, &r.json, &r.output));
  bn_status_t st = bn_crun_body(&r);
  st = bn_run_end(ctx, st);
  bn_run_release(r.ops, r.data, r.solver, r.ckpt, r.out, r.x);
  return st;
}
