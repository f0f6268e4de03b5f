/* Hessian-vector products: the problem's own (analytic) when it has one,
 * else a central difference of gradients. Also the small vector helpers the
 * landscape files share. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/dmat.h"
#include "benign/error.h"
#include "landscape/landscape_impl.h"

void bn_cert_params_default(bn_cert_params_t *p) {
  p->gtol = 0.0;
  p->htol = 0.0;
  p->max_iter = 60;
  p->max_restarts = 4;
  p->tol = 1e-6;
  p->seed = 1;
  p->max_hvps = 0;
}

const char *bn_cert_verdict_string(bn_cert_verdict_t v) {
  switch (v) {
    case BN_CERT_LOCAL_MIN:
      return "approximate local minimizer";
    case BN_CERT_SADDLE:
      return "saddle";
    default:
      return "not converged";
  }
}

const char *bn_cert_verdict_key(bn_cert_verdict_t v) {
  switch (v) {
    case BN_CERT_LOCAL_MIN:
      return "local-minimizer";
    case BN_CERT_SADDLE:
      return "saddle";
    default:
      return "not-converged";
  }
}

bn_status_t bn_ls_dot(bn_ctx_t *ctx, size_t n, const double *a, const double *b,
                      double *out) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  BN_CALL(ctx, bn_allreduce_sum(ctx, &s, 1));
  *out = s;
  return BN_OK;
}

bn_status_t bn_ls_project(const bn_objective_t *obj, const double *x,
                          double *v) {
  return obj->project ? obj->project(obj->data, x, v) : BN_OK;
}

/* x + h v, retracted onto the manifold when there is one. */
static bn_status_t bn_ls_move(const bn_objective_t *obj, const double *x,
                              double h, const double *v, double *out) {
  for (size_t i = 0; i < obj->n; i++) out[i] = x[i] + h * v[i];
  return obj->retract ? obj->retract(obj->data, out) : BN_OK;
}

bn_status_t bn_hvp(bn_ctx_t *ctx, const bn_objective_t *obj, const double *x,
                   const double *v, double *hv) {
  if (obj->hvp) {
    BN_CALL(ctx, obj->hvp(obj->data, x, v, hv));
    return bn_ls_project(obj, x, hv);
  }
  return bn_hvp_fd(ctx, obj, x, v, hv);
}

bn_status_t bn_hvp_fd(bn_ctx_t *ctx, const bn_objective_t *obj, const double *x,
                      const double *v, double *hv) {
  /* Central difference: error O(h^2 |f'''|) + O(eps |g| / h); h ~ eps^(1/3)
   * relative to |x| balances the two (about 1e-5 relative accuracy). */
  size_t n = obj->n, nn = n ? n : 1;
  double nrm[2], f;
  double s[2] = {0, 0};
  for (size_t i = 0; i < n; i++) {
    s[0] += x[i] * x[i];
    s[1] += v[i] * v[i];
  }
  BN_CALL(ctx, bn_allreduce_sum(ctx, s, 2));
  nrm[0] = sqrt(s[0]);
  nrm[1] = sqrt(s[1]);
  if (nrm[1] == 0.0) {
    memset(hv, 0, n * sizeof(double));
    return BN_OK;
  }
  double h = 6e-6 * (1.0 + nrm[0]) / nrm[1];
  double *w = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_mul(2, nn), sizeof(double),
                                        &w)));
  double *xp = w, *gm = w + nn;
  bn_status_t st = bn_ls_move(obj, x, h, v, xp);
  if (st == BN_OK) st = obj->eval(obj->data, xp, &f, hv);
  if (st == BN_OK) st = bn_ls_move(obj, x, -h, v, xp);
  if (st == BN_OK) st = obj->eval(obj->data, xp, &f, gm);
  if (st == BN_OK) {
    for (size_t i = 0; i < n; i++) hv[i] = (hv[i] - gm[i]) / (2.0 * h);
    st = bn_ls_project(obj, x, hv);
  }
  free(w);
  return st;
}
