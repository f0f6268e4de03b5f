/* Matrix completion: --rank and --lambda changed on the data already
 * loaded (the `retune` op), so `benign tune` solves its grid without
 * reading the input again: the entries, their plans and the id maps
 * stay; the work space sized by the rank and the ridge weights are made
 * anew. */
#include <stdlib.h>

#include "problems/lowrank/complete_als_ws.h"

bn_status_t bn_complete_retune(void *data, const bn_opts_t *opts) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  int64_t r = c->r;
  double lambda = c->lambda;
  BN_CALL(ctx, bn_opts_int(opts, "rank", &r));
  BN_CALL(ctx, bn_opts_real(opts, "lambda", &lambda));
  if (r < 1 || r > 4096 || r > c->n1 || r > c->n2)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--rank=%lld: must be in [1, min(4096, rows, cols)]",
                        (long long)r);
  if (!(lambda >= 0))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--lambda=%g: must be nonnegative",
                        lambda);
  c->lambda = lambda;
  if (!c->implicit) {
    BN_CALL(ctx, bn_complete_incoherence(ctx, opts, lambda, &c->mu));
    BN_CALL(ctx, bn_opts_real(opts, "incoherence-radius", &c->alpha));
    c->balance = !(c->count && lambda > 0);
  }
  if (r != c->r) {
    free(c->vg), free(c->tvg), free(c->stage), free(c->red), free(c->hbuf);
    free(c->als_buf), free(c->imp_buf);
    c->imp_buf = NULL;
    bn_als_chunks_destroy(c->als_chunks);
    c->vg = c->gvg = c->tvg = c->stage = c->red = c->hbuf = c->als_buf = NULL;
    c->als_chunks = NULL;
    c->r = (int)r;
    BN_CALL(ctx, bn_complete_buffers(c));
  }
  free(c->regu);
  c->regu = c->regv = NULL;
  return bn_complete_weights(c);
}
