/* Dictionary learning's stages in the run frame (bn_stage_ops_t): the
 * sphere method finds one atom per solve (deflation), the overcomplete
 * method runs one solve per random start (duplicates dropped), l4 and the
 * synthesis methods one solve in all. Then the codes, the result, the
 * atoms' picture and the summary. Checkpoints need nothing here: the
 * problem's save/load at "/" carry the atoms and the finished solves, so
 * --restart continues the solve it stopped in and then the others. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"

static bn_status_t bn_dict_refuse(bn_ctx_t *ctx, const bn_opts_t *o) {
  bool si = false;
  if (bn_opts_is_set(o, "save-init"))
    BN_CALL(ctx, bn_opts_bool(o, "save-init", &si));
  if (si)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--save-init: benign dict may run several solves and "
                        "keeps no single initial point");
  return BN_OK;
}

static void bn_dict_side(const bn_opts_t *o, bn_side_outputs_t *side) {
  const char *png = bn_opts_string(o, "atoms-png");
  if (!png || !*png) return;
  snprintf(side->path[0], sizeof side->path[0], "%s", png);
  side->option[0] = "--atoms-png";
  side->n = 1;
}

/* l4's MSP fixed point (solver als) stops by the relative change of the
 * objective in one step unless --ftol is given: the gradient test
 * relative to a random start asks for 15 more steps than the atoms need
 * (a linear rate of about 1/3 a step), and on real data the rounding
 * floor of |grad| may never reach it. */
#define BN_DICT_L4_FTOL 1e-6

static const char *bn_dict_solver_of(void *data, const bn_opts_t *o,
                                     bn_solver_params_t *p) {
  const char *solver = bn_dict_solver(data);
  if (!strcmp(bn_dict_method(data), "l4") &&
      (!strcmp(solver, "als") || !strcmp(solver, "aals")) &&
      bn_opts_source(o, "ftol") < BN_SRC_DECK)
    p->ftol = BN_DICT_L4_FTOL;
  return solver;
}

/* The first solve's start: --init-file (the iterate only), else init. */
static bn_status_t bn_dict_start(void *data, const bn_opts_t *o, bn_solver_t *s,
                                 const bn_solver_params_t *p, bool resume,
                                 double *x) {
  (void)s;
  (void)p;
  bn_dict_t *d = data;
  if (resume) return BN_OK;
  const char *path = bn_opts_string(o, "init-file");
  if (d->done > 0 || !path || !*path) return bn_problem_dict.init(d, o, x);
  bn_h5_t *f = NULL;
  BN_CALL(d->ctx, bn_h5_open(d->ctx, path, &f));
  bn_status_t st = bn_dict_load_start(d, f, x);
  bn_h5_close(f);
  return st;
}

/* Keep the solve's atoms; one line per solve (overcomplete: per atom
 * kept, the others at debug level). */
static bn_status_t bn_dict_keep(void *data, const double *x,
                                const bn_solver_t *s, const bn_cert_t *cert) {
  bn_dict_t *d = data;
  int kept = 0;
  if (cert && cert->verdict == BN_CERT_LOCAL_MIN) d->certified++;
  BN_CALL(d->ctx, bn_dict_accept(d, x, s, cert, &kept));
  const bn_dict_stage_t *st = &d->st[d->done - 1];
  bool over = !strcmp(bn_dict_method(d), "overcomplete");
  bn_log(d->ctx, over && !kept ? BN_LOG_DEBUG : BN_LOG_INFO,
         "solve %4d: f = %.9e  its = %5lld  |grad| = %.2e  %s; %d atom%s "
         "kept (%d in all)%s%s\n",
         d->done - 1, st->objective, (long long)st->iterations, st->grad_norm,
         bn_reason_string((bn_reason_t)st->reason), kept, kept == 1 ? "" : "s",
         d->found, cert ? "; certificate: " : "",
         cert ? bn_cert_verdict_string(cert->verdict) : "");
  return BN_OK;
}

static bn_status_t bn_dict_final(void *data, const double *x, bool stopped) {
  (void)x;
  (void)stopped;
  return bn_dict_finish(data, &((bn_dict_t *)data)->rep);
}

static double bn_dict_bytes(void *data, size_t n) {
  bn_dict_t *d = data;
  double ng = (double)n;
  if (MPI_Allreduce(MPI_IN_PLACE, &ng, 1, MPI_DOUBLE, MPI_SUM,
                    bn_ctx_comm(d->ctx)) != MPI_SUCCESS)
    return 0.0;
  return 8.0 * (4.0 * ng + 3.0 * (double)d->rep.nnz + 8.0 * (double)d->hist.n);
}

static void bn_dict_sum(const void *data, bn_run_summary_t *s) {
  const bn_dict_t *d = data;
  const bn_dict_stage_t *last = d->done ? &d->st[d->done - 1] : NULL;
  memset(s, 0, sizeof(*s));
  for (int j = 0; j < d->done; j++) {
    s->iterations += d->st[j].iterations;
    s->solve_seconds += d->st[j].seconds;
  }
  s->converged = d->found == d->n && last && last->reason > 0;
  s->objective = last ? last->objective : NAN;
  s->grad_norm = last ? last->grad_norm : NAN;
}

static int64_t bn_dict_converged(const bn_dict_t *d) {
  int64_t conv = 0;
  for (int j = 0; j < d->done; j++) conv += d->st[j].reason > 0;
  return conv;
}

static bn_status_t bn_dict_write(void *data, const double *x, bn_h5_t *f) {
  bn_dict_t *d = data;
  BN_CALL(d->ctx, bn_dict_write_result(d, x, &d->rep, f));
  BN_CALL(d->ctx,
          bn_h5_attr_set_i64(f, "/", "converged_solves", bn_dict_converged(d)));
  return bn_h5_attr_set_i64(f, "/", "certified_solves", d->certified);
}

static bn_status_t bn_dict_pictures(void *data, const bn_opts_t *o) {
  bn_dict_t *d = data;
  const char *png = bn_opts_string(o, "atoms-png");
  if (!png || !*png) return BN_OK;
  BN_CALL(d->ctx, bn_dict_atoms_png(d, png));
  bn_log(d->ctx, BN_LOG_INFO, "wrote %s (%d atoms)\n", png, d->found);
  return BN_OK;
}

static void bn_dict_report_run(void *data, FILE *f) {
  bn_dict_t *d = data;
  const bn_dict_report_t *m = &d->rep;
  bn_run_summary_t s;
  bn_dict_sum(d, &s);
  bn_log(d->ctx, BN_LOG_INFO,
         "learned %d of %d atoms in %d solves (%lld converged, %lld "
         "iterations)\n",
         d->found, d->n, d->done, (long long)bn_dict_converged(d),
         (long long)s.iterations);
  if (!isnan(m->matched))
    bn_log(d->ctx, BN_LOG_INFO,
           "ground truth: %.1f%% of %d atoms matched (|cos| > 0.99), min "
           "best |cos| = %.6f, 1 - |A^T A0|_4^4/n = %.3e\n",
           100.0 * m->matched, m->truth_atoms, m->min_cos, m->l4_error);
  if (!isnan(m->sparsity))
    bn_log(d->ctx, BN_LOG_INFO,
           "codes: %.2f%% nonzero, |Y - A X|_F / |Y|_F = %.3e\n",
           100.0 * m->sparsity, m->rep_error);
  if (!f) return;
  bn_json_put_str(f, ",", "method", bn_dict_method(d));
  bn_json_put_str(f, ",", "loss", bn_dict_loss(d));
  fprintf(f, ",\"atoms\":%d,\"found\":%d,\"solves\":%d", d->n, d->found,
          d->done);
  fprintf(f, ",\"converged_solves\":%lld", (long long)bn_dict_converged(d));
  bn_json_put_num(f, ",", "l4_error", m->l4_error);
  bn_json_put_num(f, ",", "matched_fraction", m->matched);
  bn_json_put_num(f, ",", "min_abs_cos", m->min_cos);
  bn_json_put_num(f, ",", "atom_abs_cos_min", m->atom_cos);
  bn_json_put_num(f, ",", "code_sparsity", m->sparsity);
  bn_json_put_num(f, ",", "rep_error", m->rep_error);
  bn_json_put_num(f, ",", "synthesis_objective", m->synthesis);
  fprintf(f, ",\"certified_solves\":%d", d->certified);
}

static const char *bn_dict_partial(const void *data, char *buf, size_t len) {
  snprintf(buf, len, "the %d atoms found so far were",
           ((const bn_dict_t *)data)->found);
  return buf;
}

const bn_stage_ops_t bn_dict_stage_ops = {.stage_word = "solve",
                                          .truth_name = "/A_true",
                                          .refuse = bn_dict_refuse,
                                          .side_outputs = bn_dict_side,
                                          .solver = bn_dict_solver_of,
                                          .finished = bn_dict_finished,
                                          .stages_done = bn_dict_stages_done,
                                          .start = bn_dict_start,
                                          .smooth = bn_dict_smooth,
                                          .accept = bn_dict_keep,
                                          .finish = bn_dict_final,
                                          .result_bytes = bn_dict_bytes,
                                          .write = bn_dict_write,
                                          .pictures = bn_dict_pictures,
                                          .summary = bn_dict_sum,
                                          .report = bn_dict_report_run,
                                          .partial = bn_dict_partial};
