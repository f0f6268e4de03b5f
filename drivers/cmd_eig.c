/* benign eig: leading eigenvectors of a symmetric matrix. */
#include "cli.h"

static bn_status_t bn_eig_run(bn_ctx_t *ctx, bn_opts_t *opts,
                              const char *subject) {
  (void)subject;
  return bn_run_problem(ctx, "eig", opts);
}

/* Options: the problem's own keys plus the shared solver keys. */
const bn_command_t bn_cmd_eig = {
    "eig",
    "leading eigenvectors of a symmetric matrix (dense /A or sparse /omega): "
    "min -1/2 tr(X^T A X) on the sphere (k = 1) or Stiefel manifold",
    "mpirun -n P benign eig [deck.ini] --input=F.h5 [--k=K] [--output=G.h5] "
    "[--solver=gd|agd] [--init=spectral|random] ...",
    bn_eig_optdefs,
    bn_solve_opts,
    NULL,
    bn_eig_run,
    NULL};
