/* benign -- short-and-sparse blind deconvolution (SaS-BD) of one signal
 * or one image, y = a0 (*) x0 with a0 short and x0 sparse
 * (src/problems/sasd*.c, `benign sasd`, `benign generate sasd`).
 *
 * The bilinear lasso min 1/2 ||y - a (*) x||^2 + lambda ||x||_1 over a on
 * the sphere (in a window of 3k - 2 entries per dimension) and x, by
 * inertial alternating descent (iADM) with a homotopy on lambda. A 2-D
 * image is distributed by slabs of rows (FFTW-MPI); a 1-D signal is
 * replicated on every process. Every function is collective unless it
 * says otherwise; errors are agreed. */
#ifndef BENIGN_SASD_H
#define BENIGN_SASD_H

#include <stdbool.h>
#include <stdint.h>

#include "benign/h5.h"

typedef struct bn_sasd bn_sasd_t;
/* The state of a solve in progress (checkpoints). */
typedef struct bn_sasd_state bn_sasd_state_t;

/* iADM with homotopy. */
typedef struct bn_sasd_params {
  double lambda; /* final lambda; <= 0: lambda_ratio lambda_max */
  double lambda_ratio;
  double lambda_start; /* first lambda as a fraction of lambda_max   */
  double eta;          /* lambda <- max(eta lambda, lambda_final)    */
  double momentum;     /* alpha = beta                               */
  double tol;          /* final stage: change <= tol                 */
  double stage_tol;    /* earlier stages                             */
  int64_t stage_iter;  /* iterations per earlier stage at most       */
  int64_t max_iter;    /* in all                                     */
  double time_limit;   /* seconds, 0 = none                          */
  uint64_t seed;       /* the start                                  */
  int64_t monitor;     /* print every N iterations, 0 = never        */
  /* Checkpoints (optional; cb_data is passed to both). resume, if set,
   * replaces the random start: it fills the state (bn_sasd_state_read)
   * and the solve continues it. step, if set, is called at every
   * iteration boundary with the agreed clock (seconds since the start of
   * the run, restarts included) and pending signal (0 if none); it may
   * write the state (bn_sasd_state_write) and sets *stop to end the solve
   * (r->signal = signal). Without step a signal ends the solve. */
  bn_status_t (*resume)(void *cb_data, bn_sasd_state_t *st);
  bn_status_t (*step)(void *cb_data, bn_sasd_state_t *st, int64_t iter,
                      double seconds, int signal, bool *stop);
  void *cb_data;
} bn_sasd_params_t;

typedef struct bn_sasd_hist {
  int64_t n, cap;
  double *obj, *lambda, *change, *resid, *err, *secs;
} bn_sasd_hist_t;

typedef struct bn_sasd_result {
  double *a_win; /* K^dims: the final window                    */
  double *a;     /* k^dims: canonical kernel                    */
  double *x;     /* local rows of x in padded layout, aligned   */
  double lambda, lambda_max, objective, resid, change;
  double kernel_error; /* NaN without a truth                       */
  int64_t iterations, stages;
  bool converged;
  int signal; /* SIGTERM/SIGUSR1 (bn_signals_install) stopped it, or 0 */
  bn_sasd_hist_t hist;
} bn_sasd_result_t;

/* Collective. */
bn_status_t bn_sasd_solve(bn_sasd_t *s, const bn_sasd_params_t *p,
                          bn_sasd_result_t *r);
void bn_sasd_result_free(bn_sasd_result_t *r);

/* Read an input and set up the problem: an HDF5 file with /y (1-D: a
 * signal, 2-D: an image) and optionally /a_true, or an image file (PNG,
 * JPEG, PGM: gray levels in [0, 1], minus their mean when `center`). k <= 0
 * takes the kernel size from the file's kernel_size attribute; `measure`
 * plans the FFTs with FFTW_MEASURE (else FFTW_ESTIMATE). Bad input
 * (window 3k - 2 larger than the signal, NaN, all zero) fails agreed. */
bn_status_t bn_sasd_read(bn_ctx_t *ctx, const char *path, int k, bool center,
                         bool measure, bn_sasd_t **out);
/* Not collective. NULL is fine. */
void bn_sasd_free(bn_sasd_t *s);

/* Not collective: dims (1 or 2), shape (h = 1 in 1-D), kernel size and
 * window, the layout ("replicated" or "fftw-mpi-slabs"). */
void bn_sasd_shape(const bn_sasd_t *s, int *dims, int64_t *h, int64_t *w,
                   int *k, int *window);

/* Seconds of one bare forward + backward FFT pair of the problem's size,
 * the mean of n pairs. */
bn_status_t bn_sasd_fft_bench(bn_sasd_t *s, int64_t n, double *secs);

/* The state in a checkpoint file: /a_window and /x (the current window
 * and activation, not canonical), /checkpoint/a_prev and
 * /checkpoint/x_prev (the previous ones), /checkpoint/state (the
 * numbers, named by its attribute "fields") and /history/... . x is
 * written and read by global rows, so a restart may use another number
 * of processes; on the same number (and FFTW_ESTIMATE plans) the solve
 * continues bit for bit. read: *seconds is the clock at the write. */
bn_status_t bn_sasd_state_write(bn_sasd_state_t *st, bn_h5_t *f);
bn_status_t bn_sasd_state_read(bn_sasd_state_t *st, bn_h5_t *f,
                               double *seconds);
/* Not collective: bytes of a checkpoint (about), for the space check. */
double bn_sasd_state_bytes(const bn_sasd_t *s);

/* Write the result datasets (/a, /a_window, /x, /history/...) into f. */
bn_status_t bn_sasd_write_result(bn_sasd_t *s, const bn_sasd_result_t *r,
                                 bn_h5_t *f);

/* PNG pictures PREFIX_kernel.png (a plot in 1-D, an image in 2-D) and in
 * 2-D PREFIX_activation.png (images up to 2^24 pixels; larger ones are
 * skipped with a note in the log). */
bn_status_t bn_sasd_png(bn_sasd_t *s, const bn_sasd_result_t *r,
                        const char *prefix);

/* Generator: a random instance with truth written to `path`. */
typedef struct bn_sasd_gen {
  int dims;
  bn_idx_t h, w; /* h = 1 in 1-D */
  int k;
  double theta, noise;
  const char *kernel; /* gaussian|smooth */
  uint64_t seed;
} bn_sasd_gen_t;
/* Collective. */
bn_status_t bn_sasd_generate(bn_ctx_t *ctx, const bn_sasd_gen_t *p,
                             const char *path);
#endif
