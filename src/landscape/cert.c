/* The certificate at a point: |grad|, lambda_min and the verdict. */
#include <math.h>
#include <stdlib.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "landscape/landscape_impl.h"

void bn_cert_decide(bn_cert_t *c) {
  if (!(c->grad_norm <= c->gtol) || !isfinite(c->lambda_min))
    c->verdict = BN_CERT_NOT_CONVERGED;
  else if (c->lambda_min < -c->htol)
    c->verdict = BN_CERT_SADDLE;
  else
    c->verdict = BN_CERT_LOCAL_MIN;
}

bn_status_t bn_certify(bn_ctx_t *ctx, const bn_objective_t *obj,
                       const double *x, const bn_cert_params_t *p,
                       bn_cert_t *cert, double *evec) {
  size_t n1 = obj->n ? obj->n : 1;
  double *g = NULL, f, g2;
  cert->hvps = 0;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, n1, sizeof(double), &g)));
  bn_status_t st = obj->eval(obj->data, x, &f, g);
  if (st == BN_OK) st = bn_ls_dot(ctx, obj->n, g, g, &g2);
  free(g);
  BN_CALL(ctx, st);
  cert->grad_norm = sqrt(g2);
  BN_CALL(ctx, bn_lambda_min(ctx, obj, x, p, evec, cert));
  cert->gtol = p->gtol;
  /* eps_H: relative to the Hessian's scale, above the accuracy of the
   * Ritz value and of a finite-difference Hessian (~1e-5 relative). */
  cert->htol = p->htol > 0 ? p->htol : 1e-5 * cert->hnorm;
  if (!isfinite(cert->lambda_min) && cert->hnorm == 0.0)
    cert->lambda_min = 0.0; /* no variables */
  bn_cert_decide(cert);
  return BN_OK;
}
