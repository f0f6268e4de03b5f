/* benign sense: low-rank matrix sensing. */
#include "cli.h"

static bn_status_t bn_sense_run(bn_ctx_t *ctx, bn_opts_t *opts,
                                const char *subject) {
  (void)subject;
  return bn_run_problem(ctx, "sense", opts);
}

/* Options: the problem's own keys plus the shared solver keys. */
const bn_command_t bn_cmd_sense = {
    "sense",
    "low-rank matrix sensing: min 1/(2m) sum_i (<A_i, UV^T> - y_i)^2 + "
    "1/8|U^TU - V^TV|^2 (gaussian, rank-one or implicit A_i)",
    "mpirun -n P benign sense [deck.ini] --input=F.h5 --rank=R "
    "[--output=G.h5] [--solver=gd|agd] [--init=spectral|random] ...",
    bn_sense_optdefs,
    bn_solve_opts,
    NULL,
    bn_sense_run,
    NULL};
