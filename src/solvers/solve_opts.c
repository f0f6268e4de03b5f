/* The option keys every solve shares (benign/solver.h): the input and
 * output, the solver and start, stopping tests, monitor, checkpoints,
 * saddle escape and certificate, log level. A problem's own table comes
 * first when they are merged (bn_problem_optdefs), so a problem may
 * declare a shared key itself with its own default or choices. */
#include "benign/solver.h"

const bn_optdef_t bn_solve_optdefs[] = {
    {"input", BN_OPT_STRING, NULL, "input HDF5 file (see docs/file-formats.md)",
     NULL},
    {"output", BN_OPT_STRING, "result.h5",
     "result HDF5 file, written atomically at the end (an existing file is "
     "replaced only by a complete new one)",
     NULL},
    {"solver", BN_OPT_CHOICE, "gd",
     "gd: gradient descent (Barzilai-Borwein step, nonmonotone Armijo "
     "backtracking); "
     "agd: Nesterov accelerated gradient with restart; als: alternating "
     "least squares (the problem's sweep); aals: the sweep at a point "
     "extrapolated along its last move (weight 0.8, plain sweep when that "
     "raises the objective); cg: nonlinear conjugate gradient (Polak-Ribiere+) "
     "in "
     "the problem's scaled metric, with its exact line step where it has "
     "them (complete), else backtracking",
     "gd|agd|als|aals|cg"},
    {"init", BN_OPT_CHOICE, "spectral",
     "initial point: spectral (the problem's spectral estimate from the "
     "data, e.g. a top-r SVD) or random (a small random start)",
     "spectral|random"},
    {"init-file", BN_OPT_STRING, "",
     "start from the iterate stored in this HDF5 file (a result of the same "
     "problem and sizes, written by any process count); overrides --init",
     NULL},
    {"seed", BN_OPT_INT, "1",
     "seed of the counter-based random numbers (the same initial point on "
     "any number of processes)",
     NULL},
    {"tol", BN_OPT_REAL, "1e-8",
     "stop when |grad| <= tol * |grad at the initial point| (0 = off)", NULL},
    {"gatol", BN_OPT_REAL, "0", "stop when |grad| <= gatol (absolute; 0 = off)",
     NULL},
    {"fatol", BN_OPT_REAL, "0", "stop when the objective <= fatol (0 = off)",
     NULL},
    {"rel-tol", BN_OPT_REAL, "0",
     "stop when the relative error to the input's ground truth <= rel-tol "
     "(0 = off; an input without a truth is refused; for benchmarks)",
     NULL},
    {"ftol", BN_OPT_REAL, "0",
     "stop when |f_k - f_k-1| <= ftol * |f_k| (0 = off)", NULL},
    {"max-iter", BN_OPT_INT, "1000", "iteration limit", NULL},
    {"early-stop", BN_OPT_STRING, "auto",
     "only where the input has a held-out set (complete's /test): stop "
     "when its error has not improved by a relative 1e-4 for K iterations "
     "and keep the best iterate; K, 0 = off, or auto (3 for --solver=als or "
     "aals, "
     "off for gd and agd, whose iterations are many and small)",
     NULL},
    {"time-limit", BN_OPT_REAL, "0", "solver time limit in seconds (0 = none)",
     NULL},
    {"monitor", BN_OPT_BOOL, "false",
     "print one line per iteration (iteration, seconds, objective, |grad|, "
     "step, and the error against a truth or held-out set where the input "
     "has one)",
     NULL},
    {"monitor-every", BN_OPT_INT, "1", "with --monitor: every N iterations",
     NULL},
    {"progress", BN_OPT_CHOICE, "auto",
     "progress on stderr (rank 0), on iterations without a monitor line: "
     "auto = a bar when stderr is a terminal, else a status line every "
     "--progress-every seconds (a batch log under mpirun); bar; lines; off "
     "(true = auto, false = off)",
     "auto|bar|lines|off|true|false"},
    {"progress-every", BN_OPT_REAL, "10",
     "seconds between progress lines (--progress=auto without a terminal, "
     "or lines)",
     NULL},
    {"json", BN_OPT_BOOL, "false",
     "print one JSON summary line on stdout at the end (other output goes to "
     "stderr)",
     NULL},
    {"save-init", BN_OPT_BOOL, "false",
     "also write the initial point to the result (under /init)", NULL},
    {"checkpoint", BN_OPT_STRING, "",
     "checkpoint file (HDF5), written atomically every --checkpoint-every "
     "iterations and/or --checkpoint-seconds seconds, and on SIGTERM or "
     "SIGUSR1 (then the run exits with status 75); empty = none",
     NULL},
    {"checkpoint-every", BN_OPT_INT, "0",
     "with --checkpoint: write every N iterations (0 = off)", NULL},
    {"checkpoint-seconds", BN_OPT_REAL, "0",
     "with --checkpoint: write when S seconds of solving have passed since "
     "the last one (0 = off)",
     NULL},
    {"checkpoint-keep", BN_OPT_INT, "2",
     "checkpoints kept: the newest is PATH, older ones PATH.1, PATH.2, ...",
     NULL},
    {"restart", BN_OPT_STRING, "",
     "continue the run saved in this checkpoint; 'auto' = the --checkpoint "
     "file if it exists, else start afresh (for requeued jobs)",
     NULL},
    {"escape", BN_OPT_BOOL, "true",
     "saddle escape for gd/agd: where the first-order tests would stop, "
     "compute the smallest Hessian eigenvalue (Lanczos); at a saddle step "
     "along its eigenvector, perturb slightly, and go on",
     NULL},
    {"escape-max", BN_OPT_INT, "20", "with --escape: at most N escapes", NULL},
    {"certificate", BN_OPT_CHOICE, "on",
     "end with a second-order certificate: |grad|, the smallest Hessian "
     "eigenvalue and a verdict (approximate local minimizer, saddle, not "
     "converged). on: bounded, no Lanczos when the gradient test already "
     "fails and at most about 10% of the solve time; full: Lanczos to the "
     "end; off: none",
     "on|full|off"},
    {"cert-gtol", BN_OPT_REAL, "0",
     "certificate: |grad| bound eps_g of a local minimizer (0 = the "
     "solver's: max(gatol, tol |grad_0|), or 1e-8 |grad_0| if both are 0)",
     NULL},
    {"cert-htol", BN_OPT_REAL, "0",
     "certificate and escape: curvature bound eps_H, lambda_min >= -eps_H "
     "(0 = 1e-5 times the largest |Ritz value|)",
     NULL},
    {"log-level", BN_OPT_CHOICE, "info",
     "quiet: errors only; info: header and summary; debug: more, with error "
     "locations",
     "quiet|info|debug"},
    {NULL, 0, NULL, NULL, NULL}};
