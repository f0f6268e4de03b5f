/* benign -- multichannel sparse blind deconvolution (MCS-BD): synthetic
 * instances (`benign generate deconv`) beyond the problem table
 * (src/problems/deconv*.c). */
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

#endif
