/* benign -- multichannel sparse blind deconvolution (MCS-BD): the pieces
 * the `benign deconv` command and `benign generate deconv` use beyond the
 * problem table (src/problems/deconv*.c). */
#ifndef BENIGN_DECONV_H
#define BENIGN_DECONV_H

#include <stdbool.h>
#include <stdint.h>

#include "benign/ctx.h"
#include "benign/h5.h"
#include "benign/types.h"

/* A synthetic instance y_i = a (*) x_i (circular), i < channels: a random
 * kernel of kh x kw (1-D: height 1, kh = 1) zero-padded into h x w, x_i
 * Bernoulli(theta)-Gaussian, plus Gaussian noise of standard deviation
 * `noise`. kernel: "gaussian" (i.i.d. normal entries) or "motif" (a
 * Gaussian bump of standard deviation kernel size / 6 plus 0.3 times
 * i.i.d. normal entries: smooth-looking but invertible). Writes /Y
 * (channels x w, or channels x h x w when h > 1), /a_true (kw or kh x kw),
 * /X_true (as /Y) when store_codes, and the attribute theta of /Y. The
 * same file on any number of processes. Collective. */
typedef struct bn_deconv_gen {
  int64_t h, w, kh, kw, channels;
  double theta, noise;
  const char *kernel;
  bool store_codes;
  uint64_t seed;
} bn_deconv_gen_t;
bn_status_t bn_generate_deconv(bn_ctx_t *ctx, const bn_deconv_gen_t *g,
                               const char *path);

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
/* Rank 0 writes the recovered kernel as a PNG (1-D: a plot-like strip of
 * one row). After bn_deconv_finish. Collective (agreed status). */
bn_status_t bn_deconv_png(void *data, const char *path);
/* The loss name and whether it is smooth (a certificate makes sense). */
const char *bn_deconv_loss(void *data);
bool bn_deconv_smooth(void *data);
/* The solver the problem's options choose (gd for huber/l4, als for l1). */
const char *bn_deconv_solver(void *data);
/* Default iteration limit of the loss when --max-iter is not given. */
int64_t bn_deconv_max_iter(void *data);
/* Not collective: after a restart from a checkpoint at iteration
 * `iterations`, the l1 step schedule (step0 decay^k at sweep k) goes on
 * from sweep k = iterations, as in the run never interrupted. */
void bn_deconv_resume(void *data, int64_t iterations);

#endif
