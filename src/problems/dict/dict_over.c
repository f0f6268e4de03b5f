/* Dictionary learning, method `overcomplete`: n > m atoms (e.g. a unit-norm
 * tight frame) as the maximisers of |q^T Ybar|_4^4 on the sphere (Qu,
 * Zhai, Li, Zhang and Zhu 2020: for overcomplete tight frames the local
 * maximisers with large objective lie near the atoms). Each solve starts
 * from a new random point and runs to a maximiser -- the fixed point
 * q <- Ybar (Ybar^T q)^3 / |.| (solver als, the default) or Riemannian
 * gradient descent on -|q^T Ybar|_4^4 / (4p) (gd, agd) -- with no
 * deflation; an end point is kept unless its |cos| with an atom kept
 * already exceeds --dup-cos (a duplicate) or its solve did not converge.
 * The run stops once n atoms are kept or after --trials solves. */
#include <math.h>
#include <string.h>

#include "problems/dict/dict.h"

static bn_status_t bn_dict_over_options(bn_dict_t *d, const bn_opts_t *opts,
                                        const char **solver) {
  if (bn_opts_source(opts, "loss") >= BN_SRC_DECK &&
      strcmp(bn_opts_string(opts, "loss"), "l4"))
    return BN_ERROR_ALL(d->ctx, BN_ERR_ARG,
                        "--loss=%s: --method=overcomplete maximizes the l4 "
                        "norm (--loss=l4); other losses are for "
                        "--method=sphere",
                        bn_opts_string(opts, "loss"));
  d->loss = BN_DICT_L4;
  d->sweep = BN_DICT_SWEEP_FIXED;
  d->deflate = false;
  bool given = bn_opts_source(opts, "solver") >= BN_SRC_DECK;
  *solver = given ? bn_opts_string(opts, "solver") : "als";
  return BN_OK;
}

static bn_status_t bn_dict_over_setup(bn_dict_t *d) {
  if (d->n == 0 && d->nt == 0)
    return BN_ERROR_ALL(d->ctx, BN_ERR_ARG,
                        "--method=overcomplete: give the number of atoms with "
                        "--atoms=N (the input has no /A_true to take it from)");
  if (d->n == 0) d->n = d->nt;
  int64_t trials = d->trials ? d->trials : 20 * (int64_t)d->n;
  d->stages = trials > (1 << 24) ? (1 << 24) : (int)trials;
  if (d->patience == 0) d->patience = 2 * (int64_t)d->n;
  return bn_dict_sph_setup(d);
}

static bn_status_t bn_dict_over_finish(bn_dict_t *d) {
  BN_CALL(d->ctx, bn_dict_refine(d, &d->filled));
  if (d->refine > 0)
    bn_log(d->ctx, BN_LOG_INFO,
           "refinement: %lld MOD rounds on %d atoms (%d started from "
           "residuals)\n",
           (long long)d->refined, d->n, d->filled);
  return BN_OK;
}

static void bn_dict_over_objective(bn_dict_t *d, bn_objective_t *obj) {
  bn_dict_sph_objective(d, obj);
}

/* Keep x unless its solve did not converge or it repeats an atom. */
static bn_status_t bn_dict_over_accept(bn_dict_t *d, const double *x,
                                       int *kept) {
  double *v = d->bq + d->m + 1;
  BN_CALL(d->ctx, bn_dict_sph_unit(d, x, v));
  *kept = 0;
  if (d->st[d->done].reason <= 0) return BN_OK;
  for (int j = 0; j < d->found; j++) {
    double c = 0.0;
    for (bn_idx_t i = 0; i < d->m; i++) c += d->qk[i * d->n + j] * v[i];
    if (fabs(c) > d->dup_cos) return BN_OK;
  }
  for (bn_idx_t i = 0; i < d->m; i++) d->qk[i * d->n + d->found] = v[i];
  d->found++;
  *kept = 1;
  return BN_OK;
}

const bn_dict_method_t bn_dict_method_overcomplete = {
    .name = "overcomplete",
    .options = bn_dict_over_options,
    .setup = bn_dict_over_setup,
    .objective = bn_dict_over_objective,
    .init = bn_dict_sph_init,
    .accept = bn_dict_over_accept,
    .truth = bn_dict_sph_truth,
    .save = bn_dict_sph_save,
    .load = bn_dict_sph_load,
    .finish = bn_dict_over_finish,
    .complete = false};
