/* benign factor: fully observed low-rank factorization. */
#include "cli.h"

static bn_status_t bn_factor_run(bn_ctx_t *ctx, bn_opts_t *opts,
                                 const char *subject) {
  (void)subject;
  return bn_run_problem(ctx, "factor", opts);
}

/* Options: the problem's own keys plus the shared solver keys. */
const bn_command_t bn_cmd_factor = {
    "factor",
    "low-rank factorization of a full matrix: min 1/4|Y - UU^T|^2 (sym) or "
    "1/2|Y - UV^T|^2 + 1/8|U^TU - V^TV|^2",
    "mpirun -n P benign factor [deck.ini] --input=F.h5 --rank=R "
    "[--mode=sym|general] [--output=G.h5] [--solver=gd|agd] "
    "[--init=spectral|random] ...",
    bn_factor_optdefs,
    bn_solve_opts,
    NULL,
    bn_factor_run,
    NULL};
