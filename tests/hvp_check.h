/* Shared check of an objective's analytic Hessian-vector product (obj.hvp)
 * for the MPI tests: against a central difference of gradients, and the
 * symmetry of the Hessian. */
#ifndef BN_TEST_HVP_CHECK_H
#define BN_TEST_HVP_CHECK_H

#include <math.h>
#include <stdlib.h>

#include "benign/benign.h"
#include "check.h"

static inline double hc_dot(bn_ctx_t *ctx, const double *a, const double *b,
                            size_t n) {
  double d = 0;
  for (size_t i = 0; i < n; i++) d += a[i] * b[i];
  MPI_Allreduce(MPI_IN_PLACE, &d, 1, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  return d;
}

/* Collective. At x (local length obj->n), with directions v and w:
 *   |H v - (g(x + h v) - g(x - h v)) / (2h)| <= 1e-6 |H v|,
 * h = 1e-5 |x| / |v|, and |<w, H v> - <v, H w>| <= 1e-10 max(|.|, |.|).
 * Returns |H v| / |v| (so a caller can see the check was not vacuous). */
static inline double hc_check(bn_ctx_t *ctx, const bn_objective_t *obj,
                              const double *x, const double *v, const double *w,
                              const char *name) {
  size_t n = obj->n;
  double *hv = calloc(n + 1, sizeof(double)),
         *hw = calloc(n + 1, sizeof(double));
  double *gp = calloc(n + 1, sizeof(double)),
         *gm = calloc(n + 1, sizeof(double));
  double *xp = calloc(n + 1, sizeof(double)), fv;
  CHECK(obj->hvp != NULL, "%s: no hvp", name);
  if (!obj->hvp) {
    free(hv), free(hw), free(gp), free(gm), free(xp);
    return 0.0;
  }
  CHECK_OK(ctx, obj->hvp(obj->data, x, v, hv));
  double xn = sqrt(hc_dot(ctx, x, x, n)), vn = sqrt(hc_dot(ctx, v, v, n));
  double h = 1e-5 * xn / vn;
  for (size_t i = 0; i < n; i++) xp[i] = x[i] + h * v[i];
  CHECK_OK(ctx, obj->eval(obj->data, xp, &fv, gp));
  for (size_t i = 0; i < n; i++) xp[i] = x[i] - h * v[i];
  CHECK_OK(ctx, obj->eval(obj->data, xp, &fv, gm));
  for (size_t i = 0; i < n; i++) gp[i] = (gp[i] - gm[i]) / (2 * h) - hv[i];
  double err = sqrt(hc_dot(ctx, gp, gp, n)), hn = sqrt(hc_dot(ctx, hv, hv, n));
  CHECK(err <= 1e-6 * hn, "%s: |Hv - FD| / |Hv| = %.3g (|Hv| %.6g)", name,
        err / hn, hn);
  CHECK_OK(ctx, obj->hvp(obj->data, x, w, hw));
  double a = hc_dot(ctx, w, hv, n), b = hc_dot(ctx, v, hw, n);
  CHECK(fabs(a - b) <= 1e-10 * fmax(fabs(a), fabs(b)),
        "%s: <w, Hv> = %.17g but <v, Hw> = %.17g", name, a, b);
  /* hvp is linear in v: H (v + w) = H v + H w, and a second call at the
   * same point gives the same bits (no state left from the last call). */
  for (size_t i = 0; i < n; i++) xp[i] = v[i] + w[i];
  CHECK_OK(ctx, obj->hvp(obj->data, x, xp, gm));
  for (size_t i = 0; i < n; i++) gm[i] -= hv[i] + hw[i];
  double lin = sqrt(hc_dot(ctx, gm, gm, n));
  CHECK(lin <= 1e-12 * (hn + sqrt(hc_dot(ctx, hw, hw, n))),
        "%s: H(v + w) - Hv - Hw = %.3g", name, lin);
  CHECK_OK(ctx, obj->hvp(obj->data, x, v, gm));
  size_t same = 0;
  for (size_t i = 0; i < n; i++) same += gm[i] == hv[i];
  CHECK(same == n, "%s: a repeated hvp differs in %zu of %zu values", name,
        n - same, n);
  if (bn_ctx_rank(ctx) == 0)
    printf("%s: hvp vs central difference %.2g, symmetry %.2g\n", name,
           err / hn, fabs(a - b) / fmax(fabs(a), fabs(b)));
  free(hv), free(hw), free(gp), free(gm), free(xp);
  return hn / vn;
}

#endif
