/* benign rpca: robust PCA, M = L + S with L low rank and S sparse. */
#include "cli.h"

static bn_status_t bn_rpca_run(bn_ctx_t *ctx, bn_opts_t *opts,
                               const char *subject) {
  (void)subject;
  return bn_run_problem(ctx, "rpca", opts);
}

/* Options: the problem's own keys plus the shared solver keys. */
const bn_command_t bn_cmd_rpca = {
    "rpca",
    "robust PCA: M = UV^T + S, min 1/2|UV^T + S - M|^2 + 1/8|U^TU - V^TV|^2 "
    "with S = T_(gamma alpha)(M - UV^T) (Yi et al. 2016)",
    "mpirun -n P benign rpca [deck.ini] --input=F.h5 --rank=R --alpha=A "
    "[--output=G.h5] [--solver=gd|agd] [--init=spectral|random] ...",
    bn_rpca_optdefs,
    bn_solve_opts,
    NULL,
    bn_rpca_run,
    NULL};
