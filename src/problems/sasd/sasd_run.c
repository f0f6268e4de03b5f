/* Short-and-sparse blind deconvolution as a registered problem: iADM
 * with homotopy is its own iteration (bn_sasd_solve), so the problem has
 * no objective for a solver and gives the run frame a `solve` hook
 * instead; the frame does the rest as for every problem (paths checked
 * first, the checkpoint object and its refusals, the header, the signal
 * handling, the atomic result, the pictures, the log and the JSON line).
 *
 * Checkpoints use the shared machinery (the bn_ckpt_*_loop functions for
 * a loop without bn_solver_t): the solve calls back at every iteration
 * boundary (after a homotopy stage change) and the state it writes
 * (bn_sasd_state_write: the window a and activation x, the previous ones,
 * lambda and the stage, F, L_x, the momentum flag, the counters and the
 * history) is all a restart needs: on the same process count it
 * continues bit for bit, on another one x is re-read by global rows. An
 * image input cannot be checkpointed (no HDF5 identity). --time-limit
 * counts the restored run's seconds too. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasd_state.h"

typedef struct bn_sasd_run {
  bn_ctx_t *ctx;
  const char *input;
  bn_sasd_t *s;
  bn_sasd_params_t p;
  bn_sasd_result_t r;
  int64_t nb;     /* --fft-bench */
  int64_t it0;    /* the iteration restarted from (0: a fresh start) */
  int dims, k, K; /* 1 or 2; the kernel size, its window */
  int64_t h, w;   /* the signal's or image's shape (h = 1 in 1-D) */
  bn_ckpt_t *ckpt;
  bn_ckpt_loop_t loop;
  const char *restart;
  double tsolve, fft_pair, fft_pre, fft_post, fft_in, hwm_max, hwm_min;
} bn_sasd_run_t;

/* The options are checked before the run's paths. */
static bn_status_t bn_sasd_refuse(bn_ctx_t *ctx, const bn_opts_t *o) {
  const char *in = bn_opts_string(o, "input");
  if (!in || !*in)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--input=FILE is required");
  bn_sasd_params_t p;
  int64_t k;
  return bn_sasd_read_params(ctx, o, &p, &k);
}

static void bn_sasd_run_free(void *data) {
  bn_sasd_run_t *u = data;
  if (!u) return;
  bn_sasd_result_free(&u->r);
  bn_sasd_free(u->s);
  free(u);
}

static bn_status_t bn_sasd_create(bn_ctx_t *ctx, const bn_opts_t *o,
                                  void **data) {
  bn_sasd_run_t *u = NULL;
  *data = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*u), &u)));
  u->ctx = ctx;
  u->input = bn_opts_string(o, "input");
  int64_t k;
  bool center;
  bn_status_t st = bn_sasd_read_params(ctx, o, &u->p, &k);
  if (st == BN_OK) st = bn_opts_bool(o, "center", &center);
  if (st == BN_OK) st = bn_opts_int(o, "fft-bench", &u->nb);
  if (st == BN_OK) {
    const bool measure = !strcmp(bn_opts_string(o, "fft-plan"), "measure");
    st = bn_sasd_read(ctx, u->input, (int)k, center, measure, &u->s);
  }
  if (st == BN_OK) bn_sasd_shape(u->s, &u->dims, &u->h, &u->w, &u->k, &u->K);
  if (st != BN_OK) {
    bn_sasd_run_free(u);
    return st;
  }
  *data = u;
  return BN_OK;
}

static void bn_sasd_describe(void *data, FILE *f) {
  bn_sasd_run_t *u = data;
  fprintf(f,
          "METHOD=iadm\nDIMS=%d\nSHAPE=%lldx%lld\nKERNEL=%d\nWINDOW=%d\n"
          "LAYOUT=%s\n",
          u->dims, (long long)u->h, (long long)u->w, u->k, u->K,
          u->dims == 1 ? "replicated" : "fftw-mpi-slabs");
}

static void bn_sasd_sides(const bn_opts_t *o, bn_side_outputs_t *side) {
  const char *png = bn_opts_string(o, "png-prefix");
  if (!png || !*png) return;
  snprintf(side->path[0], sizeof side->path[0], "%s_kernel.png", png);
  snprintf(side->path[1], sizeof side->path[1], "%s_activation.png", png);
  side->option[0] = side->option[1] = "--png-prefix";
  side->n = 2;
}

/* The checkpoint callbacks of the solve (bn_sasd_params_t). */
static bn_status_t bn_sasd_ck_write(void *data, bn_h5_t *f) {
  return bn_sasd_state_write(data, f);
}
static bn_status_t bn_sasd_ck_read(void *data, bn_h5_t *f, double *secs) {
  return bn_sasd_state_read(data, f, secs);
}
static bn_status_t bn_sasd_resume(void *data, bn_sasd_state_t *st) {
  bn_sasd_run_t *u = data;
  double secs;
  u->loop.data = st;
  return bn_ckpt_restore_loop(u->ckpt, u->restart, &u->loop, &u->it0, &secs);
}
static bn_status_t bn_sasd_step(void *data, bn_sasd_state_t *st, int64_t iter,
                                double seconds, int signal, bool *stop) {
  bn_sasd_run_t *u = data;
  u->loop.data = st;
  return bn_ckpt_step_loop(u->ckpt, &u->loop, iter, seconds, signal, stop);
}

static bn_status_t bn_sasd_run_solve(void *data, const bn_opts_t *o,
                                     struct bn_ckpt *ckpt, const char *restart,
                                     int *signal, int64_t *iterations) {
  (void)o;
  bn_sasd_run_t *u = data;
  bn_ctx_t *ctx = u->ctx;
  u->ckpt = ckpt;
  u->restart = restart;
  if (ckpt) {
    u->loop.method = "iadm";
    u->loop.bytes = bn_sasd_state_bytes(u->s);
    u->loop.write = bn_sasd_ck_write;
    u->loop.read = bn_sasd_ck_read;
    u->p.step = bn_sasd_step;
    u->p.resume = restart ? bn_sasd_resume : NULL;
    u->p.cb_data = u;
  }
  if (u->nb > 0) BN_CALL(ctx, bn_sasd_fft_bench(u->s, u->nb, &u->fft_pre));
  const int tid = bn_timer_id(ctx, "sasd FFTs");
  double f0 = bn_timer_total(ctx, tid), t = bn_wtime();
  BN_CALL(ctx, bn_sasd_solve(u->s, &u->p, &u->r));
  u->tsolve = bn_wtime() - t;
  u->fft_in = bn_timer_total(ctx, tid) - f0;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &u->fft_in, 1, MPI_DOUBLE, MPI_MAX,
                            bn_ctx_comm(ctx)));
  if (u->nb > 0) {
    BN_CALL(ctx, bn_sasd_fft_bench(u->s, u->nb, &u->fft_post));
    u->fft_pair = fmin(u->fft_pre, u->fft_post);
  }
  *signal = u->r.signal;
  *iterations = u->r.iterations;
  return BN_OK;
}

/* Peak resident memory of each process (VmHWM, kB): max and min. */
static bn_status_t bn_sasd_memory(void *data, const double *x, bool stopped) {
  (void)x;
  (void)stopped;
  bn_sasd_run_t *u = data;
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

static double bn_sasd_bytes(void *data, size_t n) {
  (void)n;
  bn_sasd_run_t *u = data;
  return 8.0 * ((double)u->h * u->w + 8.0 * u->r.hist.n + 4096);
}

static bn_status_t bn_sasd_write(void *data, const double *x, bn_h5_t *f) {
  (void)x;
  bn_sasd_run_t *u = data;
  bn_ctx_t *ctx = u->ctx;
  const bn_sasd_result_t *r = &u->r;
  BN_CALL(ctx, bn_sasd_write_result(u->s, r, f));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "method", "iadm"));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "dims", u->dims));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "kernel_size", u->k));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "iterations", r->iterations));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "stages", r->stages));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "converged", r->converged));
  BN_CALL(ctx, bn_h5_attr_set_f64(f, "/", "lambda", r->lambda));
  BN_CALL(ctx, bn_h5_attr_set_f64(f, "/", "lambda_max", r->lambda_max));
  BN_CALL(ctx, bn_h5_attr_set_f64(f, "/", "objective", r->objective));
  BN_CALL(ctx, bn_h5_attr_set_f64(f, "/", "residual", r->resid));
  if (!isnan(r->kernel_error))
    BN_CALL(ctx, bn_h5_attr_set_f64(f, "/", "kernel_error", r->kernel_error));
  return BN_OK;
}

static bn_status_t bn_sasd_pictures(void *data, const bn_opts_t *o) {
  bn_sasd_run_t *u = data;
  const char *png = bn_opts_string(o, "png-prefix");
  return png && *png ? bn_sasd_png(u->s, &u->r, png) : BN_OK;
}

static void bn_sasd_report(void *data, FILE *f) {
  bn_sasd_run_t *u = data;
  bn_ctx_t *ctx = u->ctx;
  const bn_sasd_result_t *r = &u->r;
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
  if (!f) return;
  fprintf(f, ",\"method\":\"iadm\"");
  fprintf(f, ",\"dims\":%d,\"height\":%lld,\"width\":%lld,\"kernel_size\":%d",
          u->dims, (long long)u->h, (long long)u->w, u->k);
  fprintf(f, ",\"iterations\":%lld,\"stages\":%lld,\"converged\":%s",
          (long long)r->iterations, (long long)r->stages,
          r->converged ? "true" : "false");
  bn_json_put_num(f, ",", "lambda", r->lambda);
  bn_json_put_num(f, ",", "lambda_max", r->lambda_max);
  bn_json_put_num(f, ",", "objective", r->objective);
  bn_json_put_num(f, ",", "residual", r->resid);
  bn_json_put_num(f, ",", "kernel_error", r->kernel_error);
  bn_json_put_num(f, ",", "solve_seconds", u->tsolve);
  bn_json_put_num(f, ",", "seconds_per_iteration", spi);
  bn_json_put_num(f, ",", "fft_seconds_in_solve", u->fft_in);
  if (u->fft_pair > 0) {
    bn_json_put_num(f, ",", "fft_pair_seconds", u->fft_pair);
    bn_json_put_num(f, ",", "fft_pair_seconds_before", u->fft_pre);
    bn_json_put_num(f, ",", "fft_pair_seconds_after", u->fft_post);
  }
  bn_json_put_num(f, ",", "peak_rss_mb_max", u->hwm_max / 1024);
  bn_json_put_num(f, ",", "peak_rss_mb_min", u->hwm_min / 1024);
}

static const char *bn_sasd_partial(const void *data, char *buf, size_t len) {
  (void)data;
  snprintf(buf, len, "the current iterate was");
  return buf;
}

static const bn_stage_ops_t bn_sasd_stage_ops = {.refuse = bn_sasd_refuse,
                                                 .side_outputs = bn_sasd_sides,
                                                 .solve = bn_sasd_run_solve,
                                                 .finish = bn_sasd_memory,
                                                 .result_bytes = bn_sasd_bytes,
                                                 .write = bn_sasd_write,
                                                 .pictures = bn_sasd_pictures,
                                                 .report = bn_sasd_report,
                                                 .partial = bn_sasd_partial};

const bn_problem_ops_t bn_problem_sasd = {
    .name = "sasd",
    .summary =
        "short-and-sparse blind deconvolution y = a (*) x of one signal or "
        "image: bilinear lasso by iADM with homotopy (FFTW-MPI slabs in 2-D)",
    .opts = bn_sasd_optdefs,
    .create = bn_sasd_create,
    .describe = bn_sasd_describe,
    .destroy = bn_sasd_run_free,
    .usage =
        "mpirun -n P benign sasd [deck.ini] --input=F.h5|IMAGE "
        "[--kernel-size=K] [--output=G.h5] [--lambda=L] "
        "[--png-prefix=P] [--checkpoint=C.h5] [--restart=C.h5|auto] ...",
    .gen_opts = bn_gen_sasd_opts,
    .generate = bn_gen_sasd_run,
    .stages = &bn_sasd_stage_ops};
