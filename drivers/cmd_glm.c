/* benign glm: generalized linear model with a squared loss. */
#include "cli.h"

static bn_status_t bn_glm_run(bn_ctx_t *ctx, bn_opts_t *opts,
                              const char *subject) {
  (void)subject;
  return bn_run_problem(ctx, "glm", opts);
}

/* Options: the problem's own keys plus the shared solver keys. */
const bn_command_t bn_cmd_glm = {
    "glm",
    "generalized linear model y = sigma(w^T x) + noise: min 1/(2n) sum_i "
    "(sigma(w^T x_i) - y_i)^2 (sigmoid, tanh, softplus or linear link)",
    "mpirun -n P benign glm [deck.ini] --input=F.h5 [--link=auto|sigmoid|"
    "tanh|softplus|linear] [--output=G.h5] [--solver=gd|agd] "
    "[--init=spectral|random] ...",
    bn_glm_optdefs,
    bn_solve_opts,
    NULL,
    bn_glm_run,
    NULL};
