/* Matrix completion: the pass over the entries with the ghost rows of V
 * and their gradient stored in single precision (--precision=mixed, while
 * the residual is large). Half the bytes of the double pass per entry,
 * and the pass is bound by the random access to those rows. Each residual
 * is summed in double from the float row, so it is exact for the point
 * with V rounded to float (a relative change of ~6e-8, which leaves the
 * relative error near 1e-7 at worst); the gradient's products and sums
 * are float (relative errors of ~1e-6 of the gradient, harmless to the
 * solvers). U, the row gradients added into gu and the sum of squares
 * are double. Used while the relative residual is above BN_MIXED_SWITCH,
 * then double to the end (the switch is kept in checkpoints). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/complete_state.h"

/* bn_complete_pass32: the pass over the entries in float. */
#define BN_PASS_REAL float
#define BN_PASS_NAME bn_complete_pass32
#include "problems/lowrank/complete_pass_body.h"

bn_status_t bn_complete_pass_mixed(bn_complete_t *c, const double *x, double *g,
                                   double *sumsq) {
  bn_complete_parts_t p = bn_complete_split(c, x), q = {0};
  if (g) q = bn_complete_split(c, g);
  size_t ng = (size_t)c->obs->nghost * (size_t)c->w;
  if (c->nvgf != ng) { /* first use, or another rank (retune) */
    free(c->vgf);
    c->vgf = NULL;
    c->nvgf = 0;
    BN_CALL(
        c->ctx,
        bn_agree(c->ctx, bn_mallocn(c->ctx, bn_size_add(bn_size_mul(2, ng), 1),
                                    sizeof(float), &c->vgf)));
    c->nvgf = ng;
  }
  float *vgf = c->vgf, *gvgf = c->vgf + ng;
  for (size_t k = 0; k < ng; k++) vgf[k] = (float)c->vg[k];
  if (g) memset(gvgf, 0, ng * sizeof(float));
  *sumsq = bn_complete_pass32(c->obs, c->r, c->bias, p.u, p.b, c->mean, vgf,
                              1.0 / c->p, q.u, q.b, g ? gvgf : NULL,
                              bn_complete_tl(c, sizeof(float), g));
  if (g)
    for (size_t k = 0; k < ng; k++) c->gvg[k] = gvgf[k];
  return BN_OK;
}

void bn_complete_mixed_update(bn_complete_t *c, double sumsq) {
  if (c->mixed && !c->dbl && !(sqrt(sumsq / c->summ2) > BN_MIXED_SWITCH))
    c->dbl = true;
}
