/* Robust PCA, --method=altproj: accelerated alternating projections (Cai,
 * Cai, Wei, JMLR 2019) on the shared solver loop. The objective is
 * f(X, Y) = 1/2 |M - X Y^T - S|_F^2 with S = H_zeta(M - X Y^T) (the
 * entries over zeta in magnitude), at the threshold of the current step;
 * its gradient (Z Y, Z^T X with Z = X Y^T + S - M) is one pass over M, the
 * same pass that the projection needs (D V and D^T U for D = M - S are
 * linear in it, rpca_altproj_step.c). So each iteration of solver als (the
 * objective's sweep, then an evaluation) streams M once; the monitor, the
 * stopping tests (--rel-tol, --tol on this gradient, --fatol on f), the
 * time limit and the checkpoints are the loop's. The threshold and the
 * number of projections are the method's own state: zeta travels with the
 * iterate in results and checkpoints (attribute altproj_zeta), the count
 * comes back through the run frame's resumed hook. Dense /M only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/rpca_state.h"

bn_status_t bn_rpca_ap_options(bn_rpca_t *c, const bn_opts_t *opts) {
  bn_ctx_t *ctx = c->ctx;
  if (strcmp(bn_opts_string(opts, "method"), "altproj")) return BN_OK;
  const char *solver = bn_opts_string(opts, "solver");
  if (bn_opts_source(opts, "solver") >= BN_SRC_DECK && solver &&
      strcmp(solver, "als"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=%s: --method=altproj runs its own step "
                        "(the objective's sweep, solver als); leave --solver "
                        "unset",
                        solver);
  const char *init = bn_opts_string(opts, "init");
  if (init && !strcmp(init, "random"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--init=random: --method=altproj starts from the "
                        "spectral point (its thresholds scale with the top "
                        "singular value); use --init=spectral or --init-file");
  bn_rpca_ap_t *ap = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*ap), &ap)));
  c->ap = ap;
  BN_CALL(ctx, bn_opts_real(opts, "altproj-beta", &ap->beta));
  BN_CALL(ctx, bn_opts_real(opts, "altproj-decay", &ap->decay));
  if (!(ap->beta >= 0) || !isfinite(ap->beta))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--altproj-beta=%s: must be >= 0 (0: automatic)",
                        bn_opts_string(opts, "altproj-beta"));
  if (!(ap->decay > 0 && ap->decay < 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--altproj-decay=%s: must be in (0, 1)",
                        bn_opts_string(opts, "altproj-decay"));
  return BN_OK;
}

bn_status_t bn_rpca_ap_alloc(bn_rpca_t *c) {
  bn_rpca_ap_t *ap = c->ap;
  if (!ap) return BN_OK;
  if (!c->dense)
    return BN_ERROR_ALL(c->ctx, BN_ERR_ARG,
                        "--method=altproj needs a dense matrix /M; %s holds "
                        "observed entries (/omega): use --method=gd",
                        c->input);
  /* The authors' default: beta = 1 / (2 (rows cols)^(1/4)). */
  if (ap->beta == 0) ap->beta = 0.5 / pow((double)c->n1 * (double)c->n2, 0.25);
  const size_t n = (size_t)(c->nu + c->nv) * (size_t)c->r + 1;
  bn_status_t st = bn_mallocn(c->ctx, n, sizeof(double), &ap->x);
  if (st == BN_OK) st = bn_mallocn(c->ctx, n, sizeof(double), &ap->g);
  if (st == BN_OK)
    st = bn_mallocn(c->ctx, bn_size_mul(6, n), sizeof(double), &ap->work);
  if (st == BN_OK)
    st = bn_mallocn(c->ctx,
                    bn_size_mul(bn_size_mul(48, (size_t)c->r), (size_t)c->r),
                    sizeof(double), &ap->small);
  return bn_agree(c->ctx, st);
}

void bn_rpca_ap_free(bn_rpca_ap_t *ap) {
  if (!ap) return;
  free(ap->x);
  free(ap->g);
  free(ap->work);
  free(ap->small);
  free(ap);
}

void bn_rpca_ap_objective(bn_objective_t *obj) {
  obj->eval = bn_rpca_ap_eval;
  obj->sweep = bn_rpca_ap_sweep;
  obj->hvp = NULL;
}

/* In a result or checkpoint: the threshold that goes with the iterate. */
bn_status_t bn_rpca_ap_save(bn_rpca_t *c, bn_h5_t *f, const char *prefix) {
  if (!c->ap || strcmp(prefix, "/")) return BN_OK;
  BN_CALL(c->ctx, bn_h5_attr_set_str(f, "/", "method", "altproj"));
  BN_CALL(c->ctx, bn_h5_attr_set_f64(f, "/", "altproj_beta", c->ap->beta));
  BN_CALL(c->ctx, bn_h5_attr_set_f64(f, "/", "altproj_decay", c->ap->decay));
  return bn_h5_attr_set_f64(f, "/", "altproj_zeta", c->ap->zeta);
}

/* A checkpoint of this method continues with its threshold; any other
 * start (a gd result as --init-file) gets zeta = beta s_1 afresh. */
bn_status_t bn_rpca_ap_load(bn_rpca_t *c, bn_h5_t *f, const char *prefix) {
  bn_rpca_ap_t *ap = c->ap;
  if (!ap || strcmp(prefix, "/")) return BN_OK;
  int has = 0;
  ap->cached = false;
  BN_CALL(c->ctx, bn_h5_attr_exists(f, "/", "altproj_zeta", &has));
  ap->zeta_set = has != 0;
  if (has)
    BN_CALL(c->ctx, bn_h5_attr_get_f64(f, "/", "altproj_zeta", &ap->zeta));
  return BN_OK;
}

/* The run frame's hooks: solver als for altproj (its sweep), no
 * certificate (f is piecewise smooth with a moving threshold), and the
 * projection count of a restored run. */
static const char *bn_rpca_solver_of(void *data, const bn_opts_t *o,
                                     bn_solver_params_t *p) {
  (void)p;
  return ((bn_rpca_t *)data)->ap ? "als" : bn_opts_string(o, "solver");
}
static bool bn_rpca_smooth(const void *data) {
  return !((const bn_rpca_t *)data)->ap;
}
static void bn_rpca_resumed(void *data, int64_t it) {
  bn_rpca_t *c = data;
  if (c->ap) c->ap->iter = it;
}

const bn_stage_ops_t bn_rpca_stage_ops = {.truth_name = "/truth",
                                          .solver = bn_rpca_solver_of,
                                          .resumed = bn_rpca_resumed,
                                          .smooth = bn_rpca_smooth};
