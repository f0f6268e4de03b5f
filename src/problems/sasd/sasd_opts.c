/* Short-and-sparse blind deconvolution: the options of `benign sasd`
 * (its own complete table: iADM has its own stopping rules), their
 * checks, and the generator's options and run (`benign generate sasd`:
 * one signal or image y = a0 (*) x0 (+ noise) with a short random kernel
 * a0 and a Bernoulli-Gaussian x0). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sasd_state.h"

const bn_optdef_t bn_sasd_optdefs[] = {
    {"input", BN_OPT_STRING, NULL,
     "input: HDF5 with /y (1-D signal or 2-D image, optional /a_true) or an "
     "image file (PNG, JPEG, PGM)",
     NULL},
    {"output", BN_OPT_STRING, "result.h5", "HDF5 result (written atomically)",
     NULL},
    {"kernel-size", BN_OPT_INT, "0",
     "kernel size k (k x k in 2-D); 0 = the input's kernel_size attribute",
     NULL},
    {"lambda", BN_OPT_REAL, "0",
     "final lambda of the lasso; 0 = lambda-ratio times lambda_max", NULL},
    {"lambda-ratio", BN_OPT_REAL, "0.02",
     "with --lambda=0: final lambda / lambda_max (lambda_max = ||C_a^T y||_inf "
     "at the start)",
     NULL},
    {"lambda-start", BN_OPT_REAL, "0.5",
     "first lambda of the homotopy as a fraction of lambda_max", NULL},
    {"homotopy", BN_OPT_REAL, "0.8",
     "lambda is multiplied by this after each stage (in (0, 1))", NULL},
    {"momentum", BN_OPT_REAL, "0.9", "inertia alpha = beta of iADM, in [0, 1)",
     NULL},
    {"tol", BN_OPT_REAL, "1e-6",
     "final stage: stop when the relative change of x and of a is below", NULL},
    {"stage-tol", BN_OPT_REAL, "1e-3", "earlier stages end at this change",
     NULL},
    {"stage-iter", BN_OPT_INT, "100", "earlier stages end after N iterations",
     NULL},
    {"max-iter", BN_OPT_INT, "5000", "iteration limit (all stages)", NULL},
    {"time-limit", BN_OPT_REAL, "0", "seconds (0 = none)", NULL},
    {"seed", BN_OPT_INT, "1", "seed of the start (a random segment of y)",
     NULL},
    {"center", BN_OPT_BOOL, "true", "image input: subtract the mean gray level",
     NULL},
    {"png-prefix", BN_OPT_STRING, "",
     "write PREFIX_kernel.png (and in 2-D PREFIX_activation.png)", NULL},
    {"fft-plan", BN_OPT_CHOICE, "estimate",
     "FFTW planning: estimate (instant) or measure (times candidate plans "
     "first; faster transforms for large images)",
     "estimate|measure"},
    {"fft-bench", BN_OPT_INT, "0",
     "time N bare forward + backward transform pairs of the same size before "
     "and N after the solve (fft_pair_seconds: the smaller mean)",
     NULL},
    {"monitor", BN_OPT_BOOL, "false",
     "print a line every monitor-every "
     "iterations",
     NULL},
    {"monitor-every", BN_OPT_INT, "10", "with --monitor: every N iterations",
     NULL},
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
     "continue the run saved in this checkpoint (any process count); "
     "'auto' = the --checkpoint file if it exists, else start afresh",
     NULL},
    {"json", BN_OPT_BOOL, "false",
     "print one JSON line with the result on stdout (the log goes to stderr)",
     NULL},
    {"log-level", BN_OPT_CHOICE, "info", "quiet, info or debug",
     "quiet|info|debug"},
    {NULL, 0, NULL, NULL, NULL}};

bn_status_t bn_sasd_read_params(bn_ctx_t *ctx, const bn_opts_t *o,
                                bn_sasd_params_t *p, int64_t *k) {
  memset(p, 0, sizeof(*p));
  int64_t seed, mon_every;
  bool mon;
  BN_CALL(ctx, bn_opts_int(o, "kernel-size", k));
  BN_CALL(ctx, bn_opts_real(o, "lambda", &p->lambda));
  BN_CALL(ctx, bn_opts_real(o, "lambda-ratio", &p->lambda_ratio));
  BN_CALL(ctx, bn_opts_real(o, "lambda-start", &p->lambda_start));
  BN_CALL(ctx, bn_opts_real(o, "homotopy", &p->eta));
  BN_CALL(ctx, bn_opts_real(o, "momentum", &p->momentum));
  BN_CALL(ctx, bn_opts_real(o, "tol", &p->tol));
  BN_CALL(ctx, bn_opts_real(o, "stage-tol", &p->stage_tol));
  BN_CALL(ctx, bn_opts_int(o, "stage-iter", &p->stage_iter));
  BN_CALL(ctx, bn_opts_int(o, "max-iter", &p->max_iter));
  BN_CALL(ctx, bn_opts_real(o, "time-limit", &p->time_limit));
  BN_CALL(ctx, bn_opts_int(o, "seed", &seed));
  BN_CALL(ctx, bn_opts_bool(o, "monitor", &mon));
  BN_CALL(ctx, bn_opts_int(o, "monitor-every", &mon_every));
  p->seed = (uint64_t)seed;
  p->monitor = mon ? (mon_every < 1 ? 1 : mon_every) : 0;
  const char *bad = NULL;
  double val = 0;
  if (*k < 0 || *k > 100000)
    bad = "kernel-size", val = (double)*k;
  else if (!(p->lambda >= 0) || !isfinite(p->lambda))
    bad = "lambda", val = p->lambda;
  else if (!(p->lambda_ratio > 0 && p->lambda_ratio <= 1))
    bad = "lambda-ratio", val = p->lambda_ratio;
  else if (!(p->lambda_start > 0 && p->lambda_start <= 1))
    bad = "lambda-start", val = p->lambda_start;
  else if (!(p->eta > 0 && p->eta < 1))
    bad = "homotopy", val = p->eta;
  else if (!(p->momentum >= 0 && p->momentum < 1))
    bad = "momentum", val = p->momentum;
  else if (!(p->tol > 0))
    bad = "tol", val = p->tol;
  else if (!(p->stage_tol > 0))
    bad = "stage-tol", val = p->stage_tol;
  else if (p->stage_iter < 1)
    bad = "stage-iter", val = (double)p->stage_iter;
  else if (p->max_iter < 1)
    bad = "max-iter", val = (double)p->max_iter;
  else if (!(p->time_limit >= 0))
    bad = "time-limit", val = p->time_limit;
  if (bad)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--%s=%g is out of range (see benign sasd --help)", bad,
                        val);
  return BN_OK;
}

const bn_optdef_t bn_gen_sasd_opts[] = {
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"length", BN_OPT_INT, "10000", "1-D: signal length n", NULL},
    {"height", BN_OPT_INT, "0", "2-D: image height (0 = a 1-D signal)", NULL},
    {"width", BN_OPT_INT, "0", "2-D: image width (with --height)", NULL},
    {"kernel-size", BN_OPT_INT, "32", "kernel size k (k x k in 2-D)", NULL},
    {"theta", BN_OPT_REAL, "0",
     "sparsity rate of x0 in (0, 1); 0 = k^(-3/4) (1-D) or (k^2)^(-3/4) (2-D)",
     NULL},
    {"kernel", BN_OPT_CHOICE, "gaussian",
     "gaussian (i.i.d. normal entries) or smooth (three Gaussian bumps); unit "
     "norm",
     "gaussian|smooth"},
    {"noise", BN_OPT_REAL, "0", "standard deviation of additive noise", NULL},
    {"seed", BN_OPT_INT, "1", "seed (same file on any number of processes)",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

bn_status_t bn_gen_sasd_run(bn_ctx_t *ctx, bn_opts_t *opts) {
  bn_sasd_gen_t g = {0};
  int64_t n, h, w, k, seed;
  BN_CALL(ctx, bn_opts_int(opts, "length", &n));
  BN_CALL(ctx, bn_opts_int(opts, "height", &h));
  BN_CALL(ctx, bn_opts_int(opts, "width", &w));
  BN_CALL(ctx, bn_opts_int(opts, "kernel-size", &k));
  BN_CALL(ctx, bn_opts_real(opts, "theta", &g.theta));
  BN_CALL(ctx, bn_opts_real(opts, "noise", &g.noise));
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  g.kernel = bn_opts_string(opts, "kernel");
  const char *out = bn_opts_string(opts, "output");
  if (!out || !*out)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--output=FILE.h5 is required");
  g.dims = h > 0 ? 2 : 1;
  if (g.dims == 2 && (w < 1 || h > (1 << 20) || w > (1 << 20)))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--height=%lld --width=%lld: both in [1, 2^20]",
                        (long long)h, (long long)w);
  if (g.dims == 1 && (n < 1 || n > INT32_MAX))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--length=%lld must be in [1, 2^31 - 1] (FFTW's int "
                        "sizes)",
                        (long long)n);
  if (k < 1 || k > 4096)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--kernel-size=%lld must be in "
                        "[1, 4096]",
                        (long long)k);
  g.h = g.dims == 2 ? h : 1;
  g.w = g.dims == 2 ? w : n;
  g.k = (int)k;
  g.seed = (uint64_t)seed;
  if (g.theta == 0)
    g.theta = pow((double)k * (g.dims == 2 ? (double)k : 1.0), -0.75);
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_sasd_generate(ctx, &g, out));
  char shape[64], ks[32];
  if (g.dims == 2) {
    snprintf(shape, sizeof shape, "image %lld x %lld", (long long)g.h,
             (long long)g.w);
    snprintf(ks, sizeof ks, "%d x %d", g.k, g.k);
  } else {
    snprintf(shape, sizeof shape, "signal of length %lld", (long long)g.w);
    snprintf(ks, sizeof ks, "%d", g.k);
  }
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %s, %s kernel %s, theta = %g, noise = %g (%.2f s)\n", out,
         shape, g.kernel, ks, g.theta, g.noise, bn_wtime() - t0);
  return BN_OK;
}
