/* Multichannel sparse blind deconvolution, private to src/problems/deconv*.c
 *
 * Channels y_i = a (*) x_i, i < p, each h x w (1-D: h = 1, w = n), N = h w,
 * circular convolution. /Y (p x w or p x h x w) is partitioned by channel:
 * a process holds channels [c0, c0 + pl) and their spectra, made once
 * with FFTW real-to-complex plans (nc = h (w/2 + 1) coefficients each).
 *
 * Preconditioning in the Fourier domain: Phat = ((1/(theta N p))
 * sum_i |yhat_i|^2)^(-1/2) (one allreduce of the summed power spectrum);
 * the process keeps ybar_i's spectrum ybhat_i = Phat yhat_i, so that
 * C_{y_i} P q = ybar_i (*) q.
 *
 * Objective on the sphere q in S^(N-1) (q replicated: rank 0 owns the
 * solver's iterate, obj.n = N there and 0 elsewhere; an evaluation
 * broadcasts it):
 *   f(q) = (1/(N p)) sum_i sum_j psi((ybar_i (*) q)_j),
 * psi huber (z^2/(2 mu) for |z| < mu, |z| - mu/2 beyond), l1 (|z|), l4
 * (-z^4/4). Euclidean gradient e = (1/(N p)) sum_i C_i^T psi'(C_i q), one
 * c2r and one r2c per channel, the products summed in the Fourier domain
 * and reduced with f in one allreduce (2 nc + 2 doubles).
 *
 * Rounding (deconv_round.c), after the solve, from r = q: the linear
 * program min sum_i |C_i z|_1 s.t. <r, z> = 1 has the true inverse filter
 * (scaled) as its solution; its zero set {(i, j): (C_i z)_j = 0} is read
 * off the current z (the smallest entries of each channel) and the
 * equality-constrained least squares problem on it is solved by conjugate
 * gradients, repeated until the zero set stops changing. */
#ifndef BN_PROBLEMS_DECONV_H
#define BN_PROBLEMS_DECONV_H

#include <fftw3.h>
#include <stdbool.h>

#include "benign/benign.h"
#include "benign/deconv.h"
#include "benign/problem.h"

typedef enum { BN_DC_HUBER = 0, BN_DC_L1 = 1, BN_DC_L4 = 2 } bn_dc_loss_t;

enum {
  BN_DC_STREAM_INIT = 90,
  BN_DC_STREAM_A = 91,
  BN_DC_STREAM_X = 92,
  BN_DC_STREAM_S = 93,
  BN_DC_STREAM_NOISE = 94
};

/* After the solve on the sphere (collective, on the problem's data of the
 * registered problem "deconv"): the rounding step from the solver's final
 * iterate x, the kernel in canonical form, the codes and the metrics. */
typedef struct bn_deconv_report {
  double kernel_error;     /* 1 - max shift |cos| to /a_true; NaN: none  */
  double kernel_error_pre; /* the same before rounding                   */
  double codes_error;      /* relative error of the codes; NaN: none     */
  int rounds;              /* rounding rounds run                        */
  int cg_iterations;       /* in all rounds                              */
  double seconds;          /* of the rounding and codes                  */
} bn_deconv_report_t;
bn_status_t bn_deconv_finish(void *data, const double *x,
                             bn_deconv_report_t *rep);
/* Collective: write /kernel, /X (if --codes), the report's attributes and
 * /q into f (the solver's iterate). After bn_deconv_finish. */
bn_status_t bn_deconv_write_result(void *data, const double *x,
                                   const bn_deconv_report_t *rep, bn_h5_t *f);
/* Not collective: about how many bytes bn_deconv_write_result writes. */
double bn_deconv_result_bytes(void *data);
/* Rank 0 writes the recovered kernel as a PNG, circularly shifted to its
 * support's centre (1-D: a line plot; 2-D: a gray image, min to max) and
 * the others log the centre. After bn_deconv_finish. Collective. */
bn_status_t bn_deconv_png(void *data, const char *path);
/* The loss name and whether it is smooth (a certificate makes sense). */
const char *bn_deconv_loss(void *data);
bool bn_deconv_smooth(const void *data);
/* The solver the problem's options choose (gd for huber/l4, als for l1). */
const char *bn_deconv_solver(void *data);
/* Default iteration limit of the loss when --max-iter is not given. */
int64_t bn_deconv_max_iter(void *data);
/* Not collective: after a restart from a checkpoint at iteration
 * `iterations`, the l1 step schedule (step0 decay^k at sweep k) goes on
 * from sweep k = iterations, as in the run never interrupted. */
void bn_deconv_resume(void *data, int64_t iterations);

typedef struct bn_deconv {
  bn_ctx_t *ctx;
  const char *input;
  int64_t p, h, w, N, nc; /* channels, shape, N = h w, nc spectrum length */
  int ndims;              /* of /Y: 2 (1-D channels) or 3 (images)      */
  int64_t c0, pl;         /* this process's channels                    */
  double theta, mu, step0, decay;
  bn_dc_loss_t loss;
  bool codes;
  int rounds_max;
  double lasso; /* codes by a lasso with the kernel fixed (0 = off) */
  int64_t lasso_iter;
  int64_t sweeps;
  /* FFT: plans on rb <-> cb, made once. */
  fftw_plan fwd, bwd;
  double *rb;       /* N (aligned)                                  */
  fftw_complex *cb; /* nc                                           */
  fftw_complex *yb; /* pl x nc: preconditioned spectra              */
  double *phat;     /* nc                                           */
  fftw_complex *qh; /* nc: spectrum of the broadcast point          */
  double *acc;      /* 2 nc + 4: the reduced sums                   */
  double *q, *v;    /* N each: broadcast point and direction        */
  double *atrue;    /* N (zero-padded) or NULL                      */
  double *xtrue;    /* pl x N or NULL                               */
  /* Results of bn_deconv_finish. */
  double *kernel; /* N, canonical                                 */
  double *xhat;   /* pl x N                                       */
  double ynorm2;  /* sum |y_i|^2, global                          */
  int t_eval, t_round;
  bn_deconv_report_t rep; /* of the run (deconv_run.c)                 */
} bn_deconv_t;

extern const bn_stage_ops_t bn_deconv_stage_ops;

/* deconv_eval.c */
bn_status_t bn_dc_eval(void *data, const double *x, double *f, double *g);
bn_status_t bn_dc_retract(void *data, double *x);
bn_status_t bn_dc_project(void *data, const double *x, double *v);
bn_status_t bn_dc_hvp(void *data, const double *x, const double *v, double *hv);
bn_status_t bn_dc_sweep(void *data, double *x);
bn_status_t bn_dc_metrics(void *data, const double *x, double *rel,
                          double *rmse);
/* Not collective: ybar_i (*) z for local channel i into out (N), from
 * zh = FFT(z) (nc). Uses cb/rb. */
void bn_dc_conv(bn_deconv_t *d, int64_t i, const fftw_complex *zh, double *out);
/* Not collective: the kernel estimate 1 / (Phat FFT(q)) (unnormalized),
 * the cheap one for monitoring. */
void bn_dc_kernel_of(bn_deconv_t *d, const double *q, double *a);

/* deconv_lasso.c. Not collective: the local codes d->xhat (holding the
 * direct deconvolution, the start) replaced by FISTA's solution of
 * min_x (1/2) |y_i - a (*) x|^2 + lasso |x|_1 per channel, ah = FFT(a). */
bn_status_t bn_dc_lasso(bn_deconv_t *d, const fftw_complex *ah);

/* deconv_gen_opts.c: `benign generate deconv`, its options and run
 * (collective). */
extern const bn_optdef_t bn_gen_deconv_opts[];
bn_status_t bn_gen_deconv_run(bn_ctx_t *ctx, bn_opts_t *opts);

#endif
