/* Blind deconvolution in the run frame (bn_stage_ops_t): one solve on the
 * sphere, then the rounding step, the kernel in canonical form and the
 * codes (bn_deconv_finish), the result, the kernel's picture; the solve
 * and the rounding are reported apart. A restart continues the l1 step
 * schedule from the restored iteration (bn_deconv_resume). The rounding
 * and the certificate are not checkpointed: a signal that arrives after
 * the last iteration lets the run finish and write its result. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "deconv.h"

static void bn_deconv_side(const bn_opts_t *o, bn_side_outputs_t *side) {
  const char *png = bn_opts_string(o, "png-prefix");
  if (!png || !*png) return;
  snprintf(side->path[0], sizeof side->path[0], "%skernel.png", png);
  side->option[0] = "--png-prefix";
  side->n = 1;
}

/* The loss's own solver and iteration limit unless given. */
static const char *bn_deconv_solver_of(void *data, const bn_opts_t *o,
                                       bn_solver_params_t *p) {
  if (bn_opts_source(o, "max-iter") < BN_SRC_DECK)
    p->max_iter = bn_deconv_max_iter(data);
  return bn_opts_source(o, "solver") >= BN_SRC_DECK
             ? bn_opts_string(o, "solver")
             : bn_deconv_solver(data);
}

static bn_status_t bn_deconv_final(void *data, const double *x, bool stopped) {
  (void)stopped;
  return bn_deconv_finish(data, x, &((bn_deconv_t *)data)->rep);
}

static double bn_deconv_bytes(void *data, size_t n) {
  (void)n;
  return bn_deconv_result_bytes(data);
}

static bn_status_t bn_deconv_write(void *data, const double *x, bn_h5_t *f) {
  return bn_deconv_write_result(data, x, &((bn_deconv_t *)data)->rep, f);
}

static bn_status_t bn_deconv_pictures(void *data, const bn_opts_t *o) {
  bn_deconv_t *d = data;
  bn_side_outputs_t side = {0};
  bn_deconv_side(o, &side);
  if (side.n == 0) return BN_OK;
  BN_CALL(d->ctx, bn_deconv_png(d, side.path[0]));
  bn_log(d->ctx, BN_LOG_INFO, "wrote %s\n", side.path[0]);
  return BN_OK;
}

static void bn_deconv_report(void *data, FILE *f) {
  bn_deconv_t *d = data;
  const bn_deconv_report_t *m = &d->rep;
  bn_log(d->ctx, BN_LOG_INFO,
         "rounding: %d rounds, %d CG iterations (%.3f s)\n", m->rounds,
         m->cg_iterations, m->seconds);
  if (!isnan(m->kernel_error))
    bn_log(d->ctx, BN_LOG_INFO,
           "kernel error (1 - max shift |cos|): %.3e before rounding, %.3e "
           "after\n",
           m->kernel_error_pre, m->kernel_error);
  if (!isnan(m->codes_error))
    bn_log(d->ctx, BN_LOG_INFO, "codes: relative error %.3e\n", m->codes_error);
  if (!f) return;
  bn_json_put_str(f, ",", "loss", bn_deconv_loss(d));
  bn_json_put_num(f, ",", "kernel_error", m->kernel_error);
  bn_json_put_num(f, ",", "kernel_error_before_rounding", m->kernel_error_pre);
  bn_json_put_num(f, ",", "codes_error", m->codes_error);
  fprintf(f, ",\"rounding_rounds\":%d,\"rounding_cg_iterations\":%d", m->rounds,
          m->cg_iterations);
  bn_json_put_num(f, ",", "rounding_seconds", m->seconds);
}

static const char *bn_deconv_partial(const void *data, char *buf, size_t len) {
  (void)data;
  snprintf(buf, len, "the kernel of the iterate so far was");
  return buf;
}

const bn_stage_ops_t bn_deconv_stage_ops = {.truth_name = "/a_true",
                                            .side_outputs = bn_deconv_side,
                                            .solver = bn_deconv_solver_of,
                                            .resumed = bn_deconv_resume,
                                            .smooth = bn_deconv_smooth,
                                            .finish = bn_deconv_final,
                                            .result_bytes = bn_deconv_bytes,
                                            .write = bn_deconv_write,
                                            .pictures = bn_deconv_pictures,
                                            .report = bn_deconv_report,
                                            .partial = bn_deconv_partial};
