/* Private helpers shared by the files of src/landscape. */
#ifndef BN_LANDSCAPE_IMPL_H
#define BN_LANDSCAPE_IMPL_H

#include "benign/landscape.h"

/* Collective: *out = sum over ranks of <a, b> (n local entries). */
bn_status_t bn_ls_dot(bn_ctx_t *ctx, size_t n, const double *a, const double *b,
                      double *out);
/* Collective: project v onto the tangent space at x (no-op off manifolds). */
bn_status_t bn_ls_project(const bn_objective_t *obj, const double *x,
                          double *v);

#endif
