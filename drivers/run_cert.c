/* The certificate every solve ends with: |grad|, lambda_min of the Hessian
 * and a verdict, in the log, the JSON summary and the result file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

bn_status_t bn_run_cert_options(bn_ctx_t *ctx, const bn_opts_t *o,
                                bn_solver_params_t *p) {
  double gtol, htol;
  int64_t seed;
  BN_CALL(ctx, bn_opts_bool(o, "escape", &p->escape));
  BN_CALL(ctx, bn_opts_int(o, "escape-max", &p->escape_max));
  BN_CALL(ctx, bn_opts_real(o, "cert-gtol", &gtol));
  BN_CALL(ctx, bn_opts_real(o, "cert-htol", &htol));
  BN_CALL(ctx, bn_opts_int(o, "seed", &seed));
  if (p->escape_max < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--escape-max=%lld: must be >= 0",
                        (long long)p->escape_max);
  if (!(gtol >= 0) || !(htol >= 0))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--cert-gtol and --cert-htol must be nonnegative");
  p->escape_htol = htol;
  p->seed = (uint64_t)seed;
  return BN_OK;
}

/* eps_g from --cert-gtol, else the solver's own threshold (its gatol and
 * tol relative to the first gradient of the solve). */
static double bn_cert_gtol(const bn_opts_t *o, const bn_solver_t *s) {
  double gtol = 0;
  bn_opts_real(o, "cert-gtol", &gtol);
  if (gtol > 0) return gtol;
  bn_solver_params_t p;
  bn_solver_get_params(s, &p);
  const bn_history_t *h = bn_solver_history(s);
  double g0 = h->n ? h->grad_norm[0] : 0.0;
  if (g0 == 0.0) /* started at a critical point: the largest seen */
    for (size_t k = 0; k < h->n; k++) g0 = fmax(g0, h->grad_norm[k]);
  gtol = fmax(p.gatol, p.tol * g0);
  return gtol > 0 ? gtol : 1e-8 * g0;
}

/* The bounded certificate's share of the solve time, and its floor (a
 * short solve still gets a useful Lanczos run). */
#define BN_CERT_SHARE 0.1
#define BN_CERT_MIN_SECONDS 0.5
#define BN_CERT_MIN_HVPS 8

/* Collective: the Hessian-vector products that fit the bounded
 * certificate's time, from one timed product (the slowest process's). */
static bn_status_t bn_cert_cap(bn_ctx_t *ctx, const bn_solver_t *s,
                               const bn_objective_t *obj, const double *x,
                               int64_t *cap) {
  const bn_history_t *h = bn_solver_history(s);
  double solve = h->n ? h->seconds[h->n - 1] : 0.0;
  double budget = fmax(BN_CERT_SHARE * solve, BN_CERT_MIN_SECONDS);
  size_t n = obj->n ? obj->n : 1;
  double *v = NULL, *hv = NULL;
  bn_status_t st = bn_calloc(ctx, bn_size_mul(2, n), sizeof(double), &v);
  BN_CALL(ctx, bn_agree(ctx, st));
  hv = v + n;
  for (size_t k = 0; k < obj->n; k++) v[k] = 1.0;
  double t = bn_wtime();
  st = bn_hvp(ctx, obj, x, v, hv);
  t = bn_wtime() - t;
  free(v);
  BN_CALL(ctx, st);
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX,
                            bn_ctx_comm(ctx)));
  double k = floor(budget / fmax(t, 1e-9));
  *cap = k < BN_CERT_MIN_HVPS ? BN_CERT_MIN_HVPS : k > 1e9 ? 0 : (int64_t)k;
  return BN_OK;
}

bn_status_t bn_run_certify(bn_ctx_t *ctx, const bn_opts_t *o, bn_solver_t *s,
                           const bn_objective_t *obj, const double *x,
                           bn_run_cert_t *rc) {
  memset(rc, 0, sizeof(*rc));
  rc->escapes = bn_solver_escapes(s);
  rc->esc_n = bn_solver_escape_iterations(s, rc->esc_iter, BN_ESC_RECORD);
  if (rc->esc_n > BN_ESC_RECORD) rc->esc_n = BN_ESC_RECORD;
  const char *mode = bn_opts_string(o, "certificate");
  rc->on = strcmp(mode, "off") != 0;
  if (!rc->on) return BN_OK;
  bn_cert_params_t p;
  bn_cert_params_default(&p);
  int64_t seed = 1;
  BN_CALL(ctx, bn_opts_int(o, "seed", &seed));
  BN_CALL(ctx, bn_opts_real(o, "cert-htol", &p.htol));
  p.seed = (uint64_t)seed + 104729u;
  p.gtol = bn_cert_gtol(o, s);
  const bn_cert_t *have = bn_solver_certificate(s);
  const bn_history_t *h = bn_solver_history(s);
  bn_cert_t *c = &rc->c;
  if (have) {
    /* The escape test computed it at this very iterate. */
    *c = *have;
  } else if (strcmp(mode, "full") && h->n &&
             !(h->grad_norm[h->n - 1] <= p.gtol)) {
    /* The first-order test already fails (an iteration limit, --ftol, a
     * time limit far from stationarity): no curvature can make the point
     * a local minimizer, so Lanczos is not run. */
    c->grad_norm = h->grad_norm[h->n - 1];
    c->lambda_min = NAN;
    c->skipped = true;
  } else {
    if (strcmp(mode, "full"))
      BN_CALL(ctx, bn_cert_cap(ctx, s, obj, x, &p.max_hvps));
    BN_CALL(ctx, bn_certify(ctx, obj, x, &p, c, NULL));
  }
  c->gtol = p.gtol;
  c->htol = p.htol > 0 ? p.htol : 1e-5 * c->hnorm;
  bn_cert_decide(c);
  rc->done = true;
  return BN_OK;
}

void bn_run_cert_log(bn_ctx_t *ctx, const bn_run_cert_t *rc) {
  if (rc->escapes > 0)
    bn_log(ctx, BN_LOG_INFO, "saddles escaped: %lld\n", (long long)rc->escapes);
  if (!rc->done) return;
  const bn_cert_t *c = &rc->c;
  if (c->skipped) {
    bn_log(ctx, BN_LOG_INFO,
           "certificate: %s (|grad| = %.3e > eps_g = %.3e: the first-order "
           "test fails, so Lanczos was not run)\n",
           bn_cert_verdict_string(c->verdict), c->grad_norm, c->gtol);
    return;
  }
  bn_log(ctx, BN_LOG_INFO,
         "certificate: %s (|grad| = %.3e %s eps_g = %.3e, lambda_min = %.4e "
         "%s -eps_H = %.3e; Lanczos %s, %lld Hessian-vector products%s)\n",
         bn_cert_verdict_string(c->verdict), c->grad_norm,
         c->grad_norm <= c->gtol ? "<=" : ">", c->gtol, c->lambda_min,
         c->lambda_min >= -c->htol ? ">=" : "<", c->htol,
         c->lanczos_converged ? "converged" : "NOT converged",
         (long long)c->hvps,
         c->capped ? ", stopped by the cap of about 10% of the solve time; "
                     "--certificate=full runs it to the end"
                   : "");
}

static void bn_num(FILE *f, const char *key, double v) {
  if (isfinite(v))
    fprintf(f, ",\"%s\":%.17g", key, v);
  else
    fprintf(f, ",\"%s\":null", key);
}

void bn_run_cert_json(FILE *f, const bn_run_cert_t *rc) {
  fprintf(f, ",\"escapes\":%lld", (long long)rc->escapes);
  if (!rc->done) {
    fprintf(f, ",\"certificate\":\"off\",\"lambda_min\":null");
    return;
  }
  fprintf(f, ",\"certificate\":\"%s\"", bn_cert_verdict_key(rc->c.verdict));
  fprintf(f, ",\"cert_lanczos\":\"%s\"",
          rc->c.skipped  ? "skipped"
          : rc->c.capped ? "capped"
                         : "run");
  fprintf(f, ",\"cert_hvps\":%lld", (long long)rc->c.hvps);
  bn_num(f, "lambda_min", rc->c.lambda_min);
  bn_num(f, "cert_gtol", rc->c.gtol);
  bn_num(f, "cert_htol", rc->c.htol);
}

bn_status_t bn_run_cert_save(bn_h5_t *f, const bn_run_cert_t *rc) {
  bn_status_t st = bn_h5_attr_set_i64(f, "/", "escapes", rc->escapes);
  if (st != BN_OK) return st;
  if (rc->esc_n > 0) { /* "12,57": after which iterations (benign plot) */
    char at[BN_ESC_RECORD * 21];
    bn_escape_iterations_format(rc->esc_iter, rc->esc_n, at, sizeof at);
    st = bn_h5_attr_set_str(f, "/", "escape_iterations", at);
    if (st != BN_OK) return st;
  }
  if (!rc->done) return bn_h5_attr_set_str(f, "/", "certificate", "off");
  const bn_cert_t *c = &rc->c;
  st = bn_h5_attr_set_str(f, "/", "certificate",
                          bn_cert_verdict_key(c->verdict));
  if (st == BN_OK)
    st = bn_h5_attr_set_f64(f, "/", "cert_grad_norm", c->grad_norm);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "lambda_min", c->lambda_min);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "cert_gtol", c->gtol);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "cert_htol", c->htol);
  return st;
}
