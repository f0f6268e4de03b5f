/* benign sasd: short-and-sparse blind deconvolution of one signal or one
 * image, y = a0 (*) x0, by iADM with homotopy on the bilinear lasso
 * (src/problems/sasd*.c). The method is a problem-specific alternating
 * scheme, so this command runs its own loop (bn_sasd_solve) inside the
 * shared frame (bn_run_begin / bn_run_end).
 *
 * Checkpoints use the shared machinery (include/benign/checkpoint.h, the
 * bn_ckpt_*_loop functions for a loop without bn_solver_t): the options
 * (bn_run_ckpt_options), the root attributes, the refusal of another
 * input or other options, the period and the atomic write with
 * --checkpoint-keep are the shared ones; the solve calls back at every
 * iteration boundary (after a homotopy stage change) and the state it
 * writes (bn_sasd_state_write: the window a and activation x, the
 * previous ones, lambda and the stage, F, L_x, the momentum flag, the
 * counters and the history) is all a restart needs: on the same process
 * count it continues bit for bit, on another one x is re-read by global
 * rows. SIGTERM/SIGUSR1 write a checkpoint and end with status 75 on
 * every rank and no result; without --checkpoint the current iterate is
 * written as the result (status 75). An image input cannot be
 * checkpointed (no HDF5 identity). --time-limit counts the restored
 * run's seconds too. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/sasd.h"
#include "cli.h"

static const bn_optdef_t bn_sasd_opts[] = {
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

typedef struct bn_srun {
  bn_ctx_t *ctx;
  const bn_opts_t *opts;
  const char *output;
  bool json;
  bn_sasd_t *s;
  bn_sasd_result_t r;
  bn_sasd_params_t p;
  bn_h5_t *out;
  bn_ckpt_t *ckpt;
  bn_ckpt_loop_t loop;
  const char *restart;
  int64_t it0; /* the iteration restarted from (0: a fresh start) */
  double t0, tsolve, fft_pair, fft_pre, fft_post, fft_in, hwm_max, hwm_min;
} bn_srun_t;

static bn_status_t bn_srun_params(bn_srun_t *u, int64_t *k) {
  bn_ctx_t *ctx = u->ctx;
  const bn_opts_t *o = u->opts;
  bn_sasd_params_t *p = &u->p;
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

/* Peak resident memory of each process (VmHWM, kB): max and min. */
static bn_status_t bn_srun_memory(bn_srun_t *u) {
  double kb = 0;
  FILE *f = fopen("/proc/self/status", "r");
  if (f) {
    char line[256];
    while (fgets(line, sizeof line, f))
      if (!strncmp(line, "VmHWM:", 6)) kb = atof(line + 6);
    fclose(f);
  }
  double v[2] = {kb, -kb};
  BN_MPI(u->ctx, MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_DOUBLE, MPI_MAX,
                               bn_ctx_comm(u->ctx)));
  u->hwm_max = v[0];
  u->hwm_min = -v[1];
  return BN_OK;
}

static bn_status_t bn_srun_save(bn_srun_t *u) {
  bn_ctx_t *ctx = u->ctx;
  int dims, k, K;
  int64_t h, w;
  bn_sasd_shape(u->s, &dims, &h, &w, &k, &K);
  double bytes = 8.0 * ((double)h * w + 8.0 * u->r.hist.n + 4096);
  BN_CALL(ctx, bn_h5_create(ctx, u->output, bytes, &u->out));
  bn_h5_t *f = u->out;
  const bn_sasd_result_t *r = &u->r;
  char *optstr = bn_opts_serialize(u->opts);
  BN_CALL(ctx, bn_agree(ctx, optstr ? BN_OK : BN_ERR_MEM));
  bn_status_t s = bn_sasd_write_result(u->s, r, f);
  if (s == BN_OK) s = bn_h5_attr_set_str(f, "/", "problem", "sasd");
  if (s == BN_OK) s = bn_h5_attr_set_str(f, "/", "method", "iadm");
  if (s == BN_OK) s = bn_h5_attr_set_str(f, "/", "options", optstr);
  if (s == BN_OK) s = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "processes", bn_ctx_size(ctx));
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "dims", dims);
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "kernel_size", k);
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "iterations", r->iterations);
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "stages", r->stages);
  if (s == BN_OK) s = bn_h5_attr_set_i64(f, "/", "converged", r->converged);
  if (s == BN_OK) s = bn_h5_attr_set_f64(f, "/", "lambda", r->lambda);
  if (s == BN_OK) s = bn_h5_attr_set_f64(f, "/", "lambda_max", r->lambda_max);
  if (s == BN_OK) s = bn_h5_attr_set_f64(f, "/", "objective", r->objective);
  if (s == BN_OK) s = bn_h5_attr_set_f64(f, "/", "residual", r->resid);
  if (s == BN_OK && !isnan(r->kernel_error))
    s = bn_h5_attr_set_f64(f, "/", "kernel_error", r->kernel_error);
  if (s == BN_OK) s = bn_h5_commit(f);
  free(optstr);
  return s;
}

static void bn_srun_num(FILE *f, const char *key, double v) {
  if (isfinite(v))
    fprintf(f, ",\"%s\":%.17g", key, v);
  else
    fprintf(f, ",\"%s\":null", key);
}

static void bn_srun_report(bn_srun_t *u) {
  bn_ctx_t *ctx = u->ctx;
  const bn_sasd_result_t *r = &u->r;
  int dims, k, K;
  int64_t h, w;
  bn_sasd_shape(u->s, &dims, &h, &w, &k, &K);
  const int64_t its = r->iterations - u->it0; /* made by this run */
  double spi = its > 0 ? u->tsolve / (double)its : NAN;
  bn_log(ctx, BN_LOG_INFO,
         "%s after %lld iterations in %lld stages: lambda = %.4g "
         "(lambda_max %.4g), objective %.10g, residual %.3e\n",
         r->converged ? "converged" : "stopped", (long long)r->iterations,
         (long long)r->stages, r->lambda, r->lambda_max, r->objective,
         r->resid);
  if (!isnan(r->kernel_error))
    bn_log(ctx, BN_LOG_INFO, "kernel error (shift-invariant) %.3e\n",
           r->kernel_error);
  bn_log(ctx, BN_LOG_INFO,
         "%.4g s per iteration; peak memory per process %.1f MB (max), %.1f "
         "MB (min)\n",
         spi, u->hwm_max / 1024, u->hwm_min / 1024);
  bn_log(ctx, BN_LOG_INFO,
         "FFTs inside the solve %.4g s of %.4g s (max over processes)\n",
         u->fft_in, u->tsolve);
  if (u->fft_pair > 0)
    bn_log(ctx, BN_LOG_INFO,
           "bare FFT pair (forward + backward) %.4g s (%.4g before the solve, "
           "%.4g after): an iteration costs %.2f pairs\n",
           u->fft_pair, u->fft_pre, u->fft_post, spi / u->fft_pair);
  bn_log(ctx, BN_LOG_INFO, "wrote %s (%.2f s in all)\n", u->output,
         bn_wtime() - u->t0);
  if (!u->json || bn_ctx_rank(ctx) != 0) return;
  FILE *f = stdout;
  fprintf(f, "{\"problem\":\"sasd\",\"method\":\"iadm\",\"processes\":%d",
          bn_ctx_size(ctx));
  fprintf(f, ",\"dims\":%d,\"height\":%lld,\"width\":%lld,\"kernel_size\":%d",
          dims, (long long)h, (long long)w, k);
  fprintf(f, ",\"iterations\":%lld,\"stages\":%lld,\"converged\":%s",
          (long long)r->iterations, (long long)r->stages,
          r->converged ? "true" : "false");
  bn_srun_num(f, "lambda", r->lambda);
  bn_srun_num(f, "lambda_max", r->lambda_max);
  bn_srun_num(f, "objective", r->objective);
  bn_srun_num(f, "residual", r->resid);
  bn_srun_num(f, "kernel_error", r->kernel_error);
  bn_srun_num(f, "solve_seconds", u->tsolve);
  bn_srun_num(f, "seconds_per_iteration", spi);
  bn_srun_num(f, "fft_seconds_in_solve", u->fft_in);
  if (u->fft_pair > 0) {
    bn_srun_num(f, "fft_pair_seconds", u->fft_pair);
    bn_srun_num(f, "fft_pair_seconds_before", u->fft_pre);
    bn_srun_num(f, "fft_pair_seconds_after", u->fft_post);
  }
  bn_srun_num(f, "peak_rss_mb_max", u->hwm_max / 1024);
  bn_srun_num(f, "peak_rss_mb_min", u->hwm_min / 1024);
  fprintf(f, ",\"output\":\"%s\"}\n", u->output);
  fflush(f);
}

static void bn_srun_header(bn_srun_t *u) {
  bn_ctx_t *ctx = u->ctx;
  if (bn_ctx_rank(ctx) != 0 || bn_ctx_log_level(ctx) < BN_LOG_INFO) return;
  FILE *f = bn_ctx_log_stream(ctx);
  int dims, k, K;
  int64_t h, w;
  bn_sasd_shape(u->s, &dims, &h, &w, &k, &K);
  fprintf(f,
          "benign %s\nPROBLEM=sasd\nMETHOD=iadm\nPROCESSES=%d\nDIMS=%d\n"
          "SHAPE=%lldx%lld\nKERNEL=%d\nWINDOW=%d\nLAYOUT=%s\nOUTPUT=%s\n",
          BN_VERSION_STRING, bn_ctx_size(ctx), dims, (long long)h, (long long)w,
          k, K, dims == 1 ? "replicated" : "fftw-mpi-slabs", u->output);
  fflush(f);
}

/* The checkpoint callbacks of the solve (bn_sasd_params_t). */
static bn_status_t bn_srun_ck_write(void *data, bn_h5_t *f) {
  return bn_sasd_state_write(data, f);
}
static bn_status_t bn_srun_ck_read(void *data, bn_h5_t *f, double *secs) {
  return bn_sasd_state_read(data, f, secs);
}
static bn_status_t bn_srun_resume(void *data, bn_sasd_state_t *st) {
  bn_srun_t *u = data;
  double secs;
  u->loop.data = st;
  return bn_ckpt_restore_loop(u->ckpt, u->restart, &u->loop, &u->it0, &secs);
}
static bn_status_t bn_srun_step(void *data, bn_sasd_state_t *st, int64_t iter,
                                double seconds, int signal, bool *stop) {
  bn_srun_t *u = data;
  u->loop.data = st;
  return bn_ckpt_step_loop(u->ckpt, &u->loop, iter, seconds, signal, stop);
}

/* Collective: the checkpoint options; with --checkpoint or --restart, the
 * shared checkpoint object (its input identity) and the solve's hooks.
 * An image input has no HDF5 identity: refused. */
static bn_status_t bn_srun_ckpt(bn_srun_t *u, const bn_ckpt_params_t *cp) {
  static const bn_problem_ops_t ops = {.name = "sasd"};
  bn_ctx_t *ctx = u->ctx;
  if (!cp->path && !u->restart) return BN_OK;
  int dims, k, K;
  int64_t h, w;
  bn_sasd_shape(u->s, &dims, &h, &w, &k, &K);
  bn_status_t st = bn_ckpt_create(ctx, cp, &ops, NULL, u->opts, 0, &u->ckpt);
  if (st == BN_ERR_DATA) { /* not HDF5: an image input */
    bn_error_clear(ctx);
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--checkpoint and --restart need an HDF5 input (/y): "
                        "the identity of '%s' cannot be checked on a restart",
                        bn_opts_string(u->opts, "input"));
  }
  BN_CALL(ctx, st);
  u->loop.method = "iadm";
  u->loop.bytes = bn_sasd_state_bytes(u->s);
  u->loop.write = bn_srun_ck_write;
  u->loop.read = bn_srun_ck_read;
  u->p.step = bn_srun_step;
  u->p.resume = u->restart ? bn_srun_resume : NULL;
  u->p.cb_data = u;
  return BN_OK;
}

/* A run stopped by a signal with a checkpoint written: no result, exit
 * status 75 on every rank, one message. */
static bool bn_srun_ckpt_stop(bn_srun_t *u) {
  bool done = false;
  if (!u->r.signal || !u->ckpt) return false;
  bn_ckpt_signal(u->ckpt, &done);
  return done;
}

static bn_status_t bn_srun_body(bn_srun_t *u) {
  bn_ctx_t *ctx = u->ctx;
  int64_t k, nb;
  bool center;
  const char *in = bn_opts_string(u->opts, "input");
  if (!in || !*in)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--input=FILE is required");
  BN_CALL(ctx, bn_srun_params(u, &k));
  BN_CALL(ctx, bn_opts_bool(u->opts, "center", &center));
  BN_CALL(ctx, bn_opts_int(u->opts, "fft-bench", &nb));
  bn_ckpt_params_t cp;
  BN_CALL(ctx, bn_run_ckpt_options(ctx, u->opts, &cp, &u->restart));
  const char *png = bn_opts_string(u->opts, "png-prefix");
  char kpng[4096], apng[4096];
  snprintf(kpng, sizeof kpng, "%s_kernel.png", png ? png : "");
  snprintf(apng, sizeof apng, "%s_activation.png", png ? png : "");
  const char *side[4] = {png && *png ? kpng : NULL, "--png-prefix",
                         png && *png ? apng : NULL, "--png-prefix"};
  BN_CALL(ctx, bn_run_check_paths(ctx, u->opts, &cp, u->restart, side, 2));
  const bool measure = !strcmp(bn_opts_string(u->opts, "fft-plan"), "measure");
  BN_CALL(ctx, bn_sasd_read(ctx, in, (int)k, center, measure, &u->s));
  BN_CALL(ctx, bn_srun_ckpt(u, &cp));
  bn_srun_header(u);
  if (nb > 0) BN_CALL(ctx, bn_sasd_fft_bench(u->s, nb, &u->fft_pre));
  const int tid = bn_timer_id(ctx, "sasd FFTs");
  double f0 = bn_timer_total(ctx, tid), t = bn_wtime();
  BN_CALL(ctx, bn_sasd_solve(u->s, &u->p, &u->r));
  u->tsolve = bn_wtime() - t;
  u->fft_in = bn_timer_total(ctx, tid) - f0;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &u->fft_in, 1, MPI_DOUBLE, MPI_MAX,
                            bn_ctx_comm(ctx)));
  if (nb > 0) {
    BN_CALL(ctx, bn_sasd_fft_bench(u->s, nb, &u->fft_post));
    u->fft_pair = fmin(u->fft_pre, u->fft_post);
  }
  if (bn_srun_ckpt_stop(u)) {
    const char *ck = bn_opts_string(u->opts, "checkpoint");
    return BN_ERROR_ALL(ctx, BN_INTERRUPTED,
                        "interrupted by %s at iteration %lld: checkpoint "
                        "written to %s; continue with --restart=%s",
                        bn_signal_name(u->r.signal), (long long)u->r.iterations,
                        ck, ck);
  }
  BN_CALL(ctx, bn_srun_memory(u));
  BN_CALL(ctx, bn_srun_save(u));
  if (png && *png) BN_CALL(ctx, bn_sasd_png(u->s, &u->r, png));
  bn_srun_report(u);
  if (u->r.signal)
    return BN_ERROR_ALL(ctx, BN_INTERRUPTED,
                        "interrupted by %s at iteration %lld: no "
                        "--checkpoint was given, so the current iterate was "
                        "written to %s",
                        bn_signal_name(u->r.signal), (long long)u->r.iterations,
                        u->output);
  return BN_OK;
}

static bn_status_t bn_sasd_run(bn_ctx_t *ctx, bn_opts_t *opts,
                               const char *subject) {
  (void)subject;
  bn_srun_t u = {0};
  u.ctx = ctx;
  u.opts = opts;
  u.t0 = bn_wtime();
  BN_CALL(ctx, bn_run_begin(ctx, opts, &u.json, &u.output));
  bn_signals_install();
  bn_status_t st = bn_srun_body(&u);
  st = bn_run_end(ctx, st);
  bn_signals_uninstall();
  bn_h5_close(u.out);
  bn_ckpt_destroy(u.ckpt);
  bn_sasd_result_free(&u.r);
  bn_sasd_free(u.s);
  return st;
}

const bn_command_t bn_cmd_sasd = {
    "sasd",
    "short-and-sparse blind deconvolution y = a (*) x of one signal or image: "
    "bilinear lasso by iADM with homotopy (FFTW-MPI slabs in 2-D)",
    "mpirun -n P benign sasd [deck.ini] --input=F.h5|IMAGE "
    "[--kernel-size=K] [--output=G.h5] [--lambda=L] [--png-prefix=P] "
    "[--checkpoint=C.h5] [--restart=C.h5|auto] ...",
    bn_sasd_opts,
    NULL,
    NULL,
    bn_sasd_run,
    NULL};
