/* The tensor decomposition's stages in the run frame (bn_stage_ops_t):
 * one solve per component, each on the tensor deflated by the components
 * found before it; a solve that ends at a weight of rounding size found
 * nothing and ends the run. Checkpoints need nothing here: the problem's
 * save/load at "/" carry the components found so far, so --restart
 * continues the component it stopped in and then the others. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tensor.h"

/* Shared solver keys this problem does not implement, refused when given
 * with a value that would ask for them. */
static bn_status_t bn_tensor_refuse(bn_ctx_t *ctx, const bn_opts_t *o) {
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

static const char *bn_tensor_solver_of(void *data, const bn_opts_t *o,
                                       bn_solver_params_t *p) {
  (void)o;
  (void)p;
  return bn_tensor_solver(data);
}

static bool bn_tensor_finished(const void *data) {
  return bn_tensor_found(data) >= bn_tensor_target(data);
}

static bn_status_t bn_tensor_start(void *data, const bn_opts_t *o,
                                   bn_solver_t *s, const bn_solver_params_t *p,
                                   bool resume, double *x) {
  bn_tensor_t *t = data;
  /* Once a component is known, its weight sets the scale of the
   * gradient's rounding error (about 1e-15 lambda): the last components
   * start almost where they end (K = n leaves a one-dimensional
   * complement), where no step can reduce |grad| relative to its start
   * and gd's line search would end without a convergence test met. */
  bn_solver_params_t q = *p;
  for (int j = 0; j < t->found; j++)
    q.gatol = fmax(q.gatol, 1e-13 * fabs(t->mu[j]));
  bn_solver_set_params(s, &q);
  return resume ? BN_OK : bn_tensor_init(t, o, x);
}

/* A solve that ends at a weight of rounding size found nothing: no
 * component with lambda_k > 0 remains. */
static bn_status_t bn_tensor_check(void *data, const double *x, bool *more) {
  bn_tensor_t *t = data;
  bool ok;
  BN_CALL(t->ctx,
          bn_tensor_weight_check(t, x, &t->spent_mu, &t->spent_floor, &ok));
  t->spent = !ok;
  *more = ok;
  return BN_OK;
}

/* Deflate by the component found; one line per component. */
static bn_status_t bn_tensor_keep(void *data, const double *x,
                                  const bn_solver_t *s, const bn_cert_t *cert) {
  bn_tensor_t *t = data;
  if (cert && cert->verdict == BN_CERT_LOCAL_MIN) t->certified++;
  BN_CALL(t->ctx, bn_tensor_accept(t, x, s));
  const int j = t->found - 1;
  const bn_tensor_stage_t *st = &t->stages[j];
  bn_log(t->ctx, BN_LOG_INFO,
         "component %3d: lambda = %.9g  its = %5lld  |grad| = %.2e  %s%s%s\n",
         j, t->mu[j], (long long)st->iterations, st->grad_norm,
         bn_reason_string((bn_reason_t)st->reason),
         cert ? "; certificate: " : "",
         cert ? bn_cert_verdict_string(cert->verdict) : "");
  return BN_OK;
}

static bn_status_t bn_tensor_final(void *data, const double *x, bool stopped) {
  (void)x;
  (void)stopped;
  bn_tensor_t *t = data;
  if (t->spent && t->found == 0)
    return BN_ERROR_ALL(t->ctx, BN_ERR_DATA,
                        "no component with a positive weight: the first "
                        "solve ended at T(x,x,x,x) = %.3g, not above %.3g "
                        "(1e-6 of the tensor's scale); this method finds "
                        "the components with lambda_k > 0 (for negative "
                        "weights, negate the tensor); no result written",
                        t->spent_mu, t->spent_floor);
  t->min_cos = NAN;
  return bn_tensor_recovery(t, &t->min_cos);
}

static double bn_tensor_bytes(void *data, size_t n) {
  bn_tensor_t *t = data;
  double ng = (double)n;
  if (MPI_Allreduce(MPI_IN_PLACE, &ng, 1, MPI_DOUBLE, MPI_SUM,
                    bn_ctx_comm(t->ctx)) != MPI_SUCCESS)
    return 0.0;
  return 8.0 * (ng * (t->found + 1) + 8.0 * t->found + 8.0 * (double)t->hist.n);
}

static int64_t bn_tensor_converged(const bn_tensor_t *t) {
  int64_t conv = 0;
  for (int j = 0; j < t->found; j++) conv += t->stages[j].reason > 0;
  return conv;
}

static void bn_tensor_sum(const void *data, bn_run_summary_t *s) {
  const bn_tensor_t *t = data;
  const bn_tensor_stage_t *last = t->found ? &t->stages[t->found - 1] : NULL;
  memset(s, 0, sizeof(*s));
  for (int j = 0; j < t->found; j++) {
    s->iterations += t->stages[j].iterations;
    s->solve_seconds += t->stages[j].seconds;
  }
  s->converged = t->found == t->target && bn_tensor_converged(t) == t->found;
  s->objective = last ? last->objective : NAN;
  s->grad_norm = last ? last->grad_norm : NAN;
}

static bn_status_t bn_tensor_write(void *data, const double *x, bn_h5_t *f) {
  bn_tensor_t *t = data;
  BN_CALL(t->ctx, bn_tensor_write_result(t, x, f));
  BN_CALL(t->ctx, bn_h5_attr_set_i64(f, "/", "converged_components",
                                     bn_tensor_converged(t)));
  if (!isnan(t->min_cos))
    BN_CALL(t->ctx, bn_h5_attr_set_f64(f, "/", "min_abs_cos", t->min_cos));
  return bn_h5_attr_set_i64(f, "/", "certified_components", t->certified);
}

static void bn_tensor_report(void *data, FILE *f) {
  bn_tensor_t *t = data;
  double lo = INFINITY, hi = -INFINITY;
  int64_t its = 0;
  for (int j = 0; j < t->found; j++) {
    its += t->stages[j].iterations;
    lo = fmin(lo, t->mu[j]);
    hi = fmax(hi, t->mu[j]);
  }
  bn_log(t->ctx, BN_LOG_INFO,
         "found %d of %d components (%lld converged) in %lld iterations; "
         "lambda_hat in [%.6g, %.6g]\n",
         t->found, t->target, (long long)bn_tensor_converged(t), (long long)its,
         lo, hi);
  if (!isnan(t->min_cos))
    bn_log(t->ctx, BN_LOG_INFO,
           "min over true components of the best |cos| = %.12f\n", t->min_cos);
  if (!f) return;
  bn_json_put_str(f, ",", "method", bn_tensor_method(t));
  fprintf(f, ",\"components\":%d,\"found\":%d", t->target, t->found);
  fprintf(f, ",\"converged_components\":%lld",
          (long long)bn_tensor_converged(t));
  if (!isnan(t->min_cos)) bn_json_put_num(f, ",", "min_abs_cos", t->min_cos);
  bn_json_put_num(f, ",", "weight_min", lo);
  bn_json_put_num(f, ",", "weight_max", hi);
  fprintf(f, ",\"certified_components\":%d", t->certified);
}

static const char *bn_tensor_partial(const void *data, char *buf, size_t len) {
  snprintf(buf, len, "the %d components found so far were",
           ((const bn_tensor_t *)data)->found);
  return buf;
}

static bn_status_t bn_tensor_outcome(void *data, const char *output) {
  bn_tensor_t *t = data;
  if (!t->spent) return BN_OK;
  return BN_ERROR_ALL(t->ctx, BN_ERR_DATA,
                      "only %d of %d components have a positive weight: "
                      "solve %d ended at T_eff(x,x,x,x) = %.3g, not above "
                      "%.3g (1e-6 of the largest weight); the %d found "
                      "were written to %s",
                      t->found, t->target, t->found, t->spent_mu,
                      t->spent_floor, t->found, output);
}

const bn_stage_ops_t bn_tensor_stage_ops = {.stage_word = "component",
                                            .truth_name = "/A_true",
                                            .refuse = bn_tensor_refuse,
                                            .solver = bn_tensor_solver_of,
                                            .finished = bn_tensor_finished,
                                            .stages_done = bn_tensor_found,
                                            .start = bn_tensor_start,
                                            .check = bn_tensor_check,
                                            .accept = bn_tensor_keep,
                                            .finish = bn_tensor_final,
                                            .result_bytes = bn_tensor_bytes,
                                            .write = bn_tensor_write,
                                            .summary = bn_tensor_sum,
                                            .report = bn_tensor_report,
                                            .partial = bn_tensor_partial,
                                            .outcome = bn_tensor_outcome};
