/* benign phase: phase retrieval from |Ax| or |Ax|^2. */
#include "cli.h"

static bn_status_t bn_phase_run(bn_ctx_t *ctx, bn_opts_t *opts,
                                const char *subject) {
  (void)subject;
  return bn_run_problem(ctx, "phase", opts);
}

/* Options: the problem's own keys (its --init replaces the shared one:
 * the first declaration of a key wins) plus the shared solver keys. */
const bn_command_t bn_cmd_phase = {
    "phase",
    "phase retrieval: x in C^n or R^n from y = |Ax|^2 or |Ax| (Gaussian A, "
    "stored or implicit; Wirtinger flow, truncated WF, reweighted amplitude "
    "flow, reshaped WF, gradient descent from a random start)",
    "mpirun -n P benign phase [deck.ini] --input=F.h5 [--output=G.h5] "
    "[--method=wf|twf|raf|rwf|gd-random] "
    "[--init=spectral|truncated|reshaped|weighted|random] "
    "[--solver=gd|agd|als] ...",
    bn_phase_optdefs,
    bn_solve_opts,
    NULL,
    bn_phase_run,
    NULL};
