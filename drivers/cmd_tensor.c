/* benign tensor: orthogonal symmetric 4th-order tensor decomposition.
 *
 * The shared driver (run_problem.c) runs one solve; a decomposition needs
 * one per component, each on the tensor deflated by the components found
 * before it. So this command runs its own loop over the solver API:
 *   create the problem; for each component: its initial point (ops->init),
 *   bn_solver_solve, bn_tensor_accept (deflate); then write the result.
 * Checkpoints use the shared machinery unchanged: the solver hook writes
 * the current solve's state, and the problem's save/load at "/" carry the
 * components found so far, so --restart continues the component it
 * stopped in and then the remaining ones. --max-iter, --time-limit and
 * the stopping tests apply to each component's solve. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/tensor.h"
#include "cli.h"

typedef struct bn_trun {
  bn_ctx_t *ctx;
  const bn_problem_ops_t *ops;
  const bn_opts_t *opts;
  void *data;
  bn_solver_t *solver;
  bn_solver_params_t params; /* as given; gatol floored per solve */
  bn_objective_t obj;
  double *x;
  bn_h5_t *out;
  bn_ckpt_t *ckpt;
  const char *output, *restart;
  bool json, stopped;
  bool spent; /* a solve ended with no positive weight */
  double spent_mu, spent_floor;
  double t0, min_cos;
  bn_run_cert_t cert; /* of the last solve */
  int certified;      /* solves certified approximate local minimizers */
} bn_trun_t;

/* Shared solver keys this command does not implement, refused when given
 * with a value that would ask for them. */
static bn_status_t bn_trun_refuse(bn_ctx_t *ctx, const bn_opts_t *o) {
  const char *f = bn_opts_string(o, "init-file");
  if (f && *f)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--init-file: benign tensor starts each component "
                        "from --init (one solve per component)");
  bool si = false;
  if (bn_opts_is_set(o, "save-init"))
    BN_CALL(ctx, bn_opts_bool(o, "save-init", &si));
  if (si)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--save-init: benign tensor runs one solve per "
                        "component and keeps no single initial point");
  return BN_OK;
}

static bn_status_t bn_trun_solver(bn_trun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  const bn_opts_t *o = r->opts;
  bn_solver_params_t p;
  BN_CALL(ctx, bn_run_solver_params(ctx, o, &p));
  BN_CALL(ctx, bn_solver_create(ctx, bn_tensor_solver(r->data), &r->solver));
  bn_solver_set_params(r->solver, &p);
  r->params = p;
  return BN_OK;
}

static void bn_trun_header(bn_trun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  if (bn_ctx_rank(ctx) != 0 || bn_ctx_log_level(ctx) < BN_LOG_INFO) return;
  FILE *s = bn_ctx_log_stream(ctx);
  fprintf(s, "benign %s\nPROBLEM=tensor\nSOLVER=%s\nINIT=%s\nPROCESSES=%d\n",
          BN_VERSION_STRING, bn_solver_name(r->solver),
          bn_opts_string(r->opts, "init"), bn_ctx_size(ctx));
  r->ops->describe(r->data, s);
  fprintf(s, "OUTPUT=%s\n", r->output);
  fflush(s);
}

static bn_status_t bn_trun_save(bn_trun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  bn_h5_t *f = r->out;
  const int found = bn_tensor_found(r->data);
  const bn_tensor_stage_t *st = bn_tensor_stages(r->data);
  int64_t its = 0, conv = 0, seed = 0;
  for (int j = 0; j < found; j++) {
    its += st[j].iterations;
    conv += st[j].reason > 0;
  }
  char *optstr = bn_opts_serialize(r->opts);
  BN_CALL(ctx, bn_agree(ctx, optstr ? BN_OK : BN_ERR_MEM));
  bn_status_t s = bn_tensor_write_result(r->data, r->x, f);
  if (s == BN_OK) s = bn_h5_attr_set_str(f, "/", "problem", "tensor");
  if (s == BN_OK)
    s = bn_h5_attr_set_str(f, "/", "solver", bn_solver_name(r->solver));
  if (s == BN_OK) s = bn_h5_attr_set_str(f, "/", "options", optstr);
  if (s == BN_OK) s = bn_opts_int(r->opts, "seed", &seed);
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "seed", seed);
  if (s == BN_OK) s = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "processes", bn_ctx_size(ctx));
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "iterations", its);
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "converged_components", conv);
  if (s == BN_OK)
    s = bn_h5_attr_set_str(f, "/", "reason",
                           bn_reason_string(bn_solver_reason(r->solver)));
  if (s == BN_OK && !isnan(r->min_cos))
    s = bn_h5_attr_set_f64(f, "/", "min_abs_cos", r->min_cos);
  if (s == BN_OK) s = bn_run_cert_save(f, &r->cert);
  if (s == BN_OK)
    s = bn_h5_attr_set_i64(f, "/", "certified_components", r->certified);
  if (s == BN_OK) s = bn_h5_commit(f);
  free(optstr);
  return s;
}

static void bn_trun_report(bn_trun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  const int found = bn_tensor_found(r->data);
  const bn_tensor_stage_t *st = bn_tensor_stages(r->data);
  const double *mu = bn_tensor_weights(r->data);
  int64_t its = 0, conv = 0;
  double lo = INFINITY, hi = -INFINITY, secs = bn_wtime() - r->t0;
  for (int j = 0; j < found; j++) {
    its += st[j].iterations;
    conv += st[j].reason > 0;
    lo = fmin(lo, mu[j]);
    hi = fmax(hi, mu[j]);
  }
  bn_log(ctx, BN_LOG_INFO,
         "found %d of %d components (%lld converged) in %lld iterations; "
         "lambda_hat in [%.6g, %.6g]\n",
         found, bn_tensor_target(r->data), (long long)conv, (long long)its, lo,
         hi);
  if (!isnan(r->min_cos))
    bn_log(ctx, BN_LOG_INFO,
           "min over true components of the best |cos| = %.12f\n", r->min_cos);
  bn_log(ctx, BN_LOG_INFO, "wrote %s (%.2f s in all)\n", r->output, secs);
  if (!r->json || bn_ctx_rank(ctx) != 0) return;
  FILE *f = stdout;
  const bn_tensor_stage_t *last = found ? &st[found - 1] : NULL;
  fprintf(f, "{\"problem\":\"tensor\"");
  bn_json_put_str(f, ",", "method", bn_tensor_method(r->data));
  bn_json_put_str(f, ",", "solver", bn_solver_name(r->solver));
  fprintf(f, ",\"processes\":%d,\"components\":%d,\"found\":%d",
          bn_ctx_size(ctx), bn_tensor_target(r->data), found);
  fprintf(f, ",\"iterations\":%lld,\"converged_components\":%lld",
          (long long)its, (long long)conv);
  bn_json_put_str(f, ",", "reason",
                  bn_reason_string(bn_solver_reason(r->solver)));
  fprintf(
      f, ",\"converged\":%s",
      found == bn_tensor_target(r->data) && conv == found ? "true" : "false");
  bn_json_put_num(f, ",", "objective", last ? last->objective : NAN);
  bn_json_put_num(f, ",", "grad_norm", last ? last->grad_norm : NAN);
  if (!isnan(r->min_cos)) bn_json_put_num(f, ",", "min_abs_cos", r->min_cos);
  bn_json_put_num(f, ",", "weight_min", lo);
  bn_json_put_num(f, ",", "weight_max", hi);
  fprintf(f, ",\"certified_components\":%d", r->certified);
  bn_run_cert_json(f, &r->cert);
  bn_json_put_num(f, ",", "seconds", secs);
  bn_json_put_str(f, ",", "output", r->output);
  fprintf(f, "}\n");
  fflush(f);
}

/* After the loop: a run stopped by a signal ends with BN_INTERRUPTED
 * (exit status 75); with a checkpoint it writes no result. */
static bn_status_t bn_trun_finish(bn_trun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  bool done = false;
  int sig = bn_signal_pending();
  if (r->ckpt) sig = bn_ckpt_signal(r->ckpt, &done);
  int comp = bn_tensor_found(r->data);
  long long it = (long long)bn_solver_iterations(r->solver);
  if (r->stopped && r->ckpt && done)
    return BN_ERROR_ALL(ctx, BN_INTERRUPTED,
                        "interrupted by %s at iteration %lld of component "
                        "%d: checkpoint written to %s; continue with "
                        "--restart=%s",
                        bn_signal_name(sig), it, comp,
                        bn_opts_string(r->opts, "checkpoint"),
                        bn_opts_string(r->opts, "checkpoint"));
  const int want = bn_tensor_target(r->data);
  if (r->spent && comp == 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "no component with a positive weight: the first "
                        "solve ended at T(x,x,x,x) = %.3g, not above %.3g "
                        "(1e-6 of the tensor's scale); this method finds "
                        "the components with lambda_k > 0 (for negative "
                        "weights, negate the tensor); no result written",
                        r->spent_mu, r->spent_floor);
  BN_CALL(ctx, bn_tensor_recovery(r->data, &r->min_cos));
  double ng = (double)r->obj.n;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &ng, 1, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  double bytes = 8.0 * (ng * (comp + 1) + 8.0 * comp +
                        8.0 * (double)bn_tensor_history(r->data, NULL)->n);
  BN_CALL(ctx, bn_h5_create(ctx, r->output, bytes, &r->out));
  BN_CALL(ctx, bn_trun_save(r));
  bn_trun_report(r);
  if (r->stopped)
    return BN_ERROR_ALL(ctx, BN_INTERRUPTED,
                        "interrupted by %s at iteration %lld of component "
                        "%d: no --checkpoint was given, so the %d components "
                        "found so far were written to %s",
                        bn_signal_name(sig), it, comp, comp, r->output);
  if (r->spent)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "only %d of %d components have a positive weight: "
                        "solve %d ended at T_eff(x,x,x,x) = %.3g, not above "
                        "%.3g (1e-6 of the largest weight); the %d found "
                        "were written to %s",
                        comp, want, comp, r->spent_mu, r->spent_floor, comp,
                        r->output);
  return BN_OK;
}

/* One line per component found. */
static void bn_trun_log(bn_trun_t *r) {
  const int j = bn_tensor_found(r->data) - 1;
  const bn_tensor_stage_t *st = &bn_tensor_stages(r->data)[j];
  bn_log(r->ctx, BN_LOG_INFO,
         "component %3d: lambda = %.9g  its = %5lld  |grad| = %.2e  %s%s%s\n",
         j, bn_tensor_weights(r->data)[j], (long long)st->iterations,
         st->grad_norm, bn_reason_string((bn_reason_t)st->reason),
         r->cert.done ? "; certificate: " : "",
         r->cert.done ? bn_cert_verdict_string(r->cert.c.verdict) : "");
}

static bn_status_t bn_trun_body(bn_trun_t *r) {
  bn_ctx_t *ctx = r->ctx;
  bn_ckpt_params_t cp;
  BN_CALL(ctx, bn_trun_refuse(ctx, r->opts));
  BN_CALL(ctx, bn_run_ckpt_options(ctx, r->opts, &cp, &r->restart));
  BN_CALL(ctx, bn_run_check_paths(ctx, r->opts, &cp, r->restart, NULL, 0));
  bn_signals_install();
  BN_CALL(ctx, r->ops->create(ctx, r->opts, &r->data));
  r->ops->objective(r->data, &r->obj);
  BN_CALL(ctx, bn_trun_solver(r));
  if (cp.path || r->restart) {
    BN_CALL(ctx, bn_ckpt_create(ctx, &cp, r->ops, r->data, r->opts, r->obj.n,
                                &r->ckpt));
    bn_solver_set_hook(r->solver, bn_ckpt_hook, r->ckpt);
  }
  bn_trun_header(r);
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
  while (bn_tensor_found(r->data) < bn_tensor_target(r->data)) {
    /* Once a component is known, its weight sets the scale of the
     * gradient's rounding error (about 1e-15 lambda): the last components
     * start almost where they end (K = n leaves a one-dimensional
     * complement), where no step can reduce |grad| relative to its start
     * and gd's line search would end without a convergence test met. */
    bn_solver_params_t p = r->params;
    const double *mu = bn_tensor_weights(r->data);
    for (int j = 0; j < bn_tensor_found(r->data); j++)
      p.gatol = fmax(p.gatol, 1e-13 * fabs(mu[j]));
    bn_solver_set_params(r->solver, &p);
    if (!resume) BN_CALL(ctx, r->ops->init(r->data, r->opts, r->x));
    resume = false;
    BN_CALL(ctx, bn_solver_solve(r->solver, &r->obj, r->x));
    if (bn_solver_reason(r->solver) == BN_STOPPED_SIGNAL) {
      r->stopped = true;
      break;
    }
    /* A solve that ends at a weight of rounding size found nothing: no
     * component with lambda_k > 0 remains. */
    bool ok;
    BN_CALL(ctx, bn_tensor_weight_check(r->data, r->x, &r->spent_mu,
                                        &r->spent_floor, &ok));
    if (!ok) {
      r->spent = true;
      break;
    }
    /* The certificate of this component's solve, on the deflated
     * objective it minimised (before accepting changes the deflation). */
    BN_CALL(ctx,
            bn_run_certify(ctx, r->opts, r->solver, &r->obj, r->x, &r->cert));
    if (r->cert.done && r->cert.c.verdict == BN_CERT_LOCAL_MIN) r->certified++;
    BN_CALL(ctx, bn_tensor_accept(r->data, r->x, r->solver));
    bn_trun_log(r);
  }
  return bn_trun_finish(r);
}

bn_status_t bn_frame_tensor(bn_ctx_t *ctx, bn_opts_t *opts,
                            const char *subject) {
  (void)subject;
  bn_trun_t r = {0};
  r.ctx = ctx;
  r.opts = opts;
  r.t0 = bn_wtime();
  r.min_cos = NAN;
  r.ops = bn_problem_find("tensor");
  if (!r.ops) return BN_ERROR_ALL(ctx, BN_ERR_ARG, "no problem named 'tensor'");
  BN_CALL(ctx, bn_run_begin(ctx, opts, &r.json, &r.output));
  bn_status_t st = bn_trun_body(&r);
  st = bn_run_end(ctx, st);
  bn_run_release(r.ops, r.data, r.solver, r.ckpt, r.out, r.x);
  return st;
}
