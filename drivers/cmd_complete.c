/* benign complete: low-rank matrix completion. */
#include "cli.h"

static bn_status_t bn_complete_run(bn_ctx_t *ctx, bn_opts_t *opts,
                                   const char *subject) {
  (void)subject;
  return bn_run_problem(ctx, "complete", opts);
}

/* Options: the problem's own keys plus the shared solver keys. */
const bn_command_t bn_cmd_complete = {
    "complete",
    "low-rank matrix completion: min 1/(2p)|P_Omega(UV^T - M)|^2 + "
    "1/8|U^TU - V^TV|^2 (+ ridge, incoherence)",
    "mpirun -n P benign complete [deck.ini] --input=F.h5 --rank=R "
    "[--output=G.h5] [--solver=gd|agd|als] [--init=spectral|random] ...",
    bn_complete_optdefs,
    bn_solve_opts,
    NULL,
    bn_complete_run,
    NULL};
