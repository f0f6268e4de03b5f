/* Matrix completion: the pass over the entries with the ghost rows of V
 * and their gradient in single precision (--precision=mixed, while the
 * residual is large). Half the bytes of the double pass per entry, and the
 * pass is bound by the random access to those rows: 0.42 -> 0.22 s a pass
 * on the 20 M-entry bench instance. U, the row gradients and the sum of
 * squares stay in double; each residual and product is float, so f and
 * the gradient carry relative errors of ~1e-7 |M| / |residual|: used
 * while the relative residual is above BN_MIXED_SWITCH, then double to
 * the end (the switch is kept in checkpoints). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/complete_state.h"

#ifndef BN_PREFETCH
#define BN_PREFETCH 16
#endif

static inline __attribute__((always_inline)) double bn_pass32_r(
    const bn_obs_t *o, const int r, const int bias, const double *restrict u,
    const double *restrict b, double mean, const float *restrict vg, float s,
    double *restrict gu, double *restrict gb, float *restrict gvg) {
  double sumsq = 0.0;
  bn_idx_t nloc = bn_dist_local(o->rdist);
  const uint32_t *gc = o->gcol;
  const double *val = o->val;
  const size_t w = (size_t)(r + bias);
  float gi[r + 1], ui[r + 1];
  for (bn_idx_t i = 0; i < nloc; i++) {
    const float off = bias ? (float)(mean + b[i]) : 0.0f;
    for (int k = 0; k < r; k++) ui[k] = (float)u[i * r + k];
    for (int k = 0; k <= r; k++) gi[k] = 0.0f;
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      const float *vj = vg + (size_t)gc[e] * w;
      if (e + BN_PREFETCH < o->nnz) {
        size_t ahead = (size_t)gc[e + BN_PREFETCH] * w;
        for (size_t k = 0; k < w; k += 16) {
          __builtin_prefetch(vg + ahead + k);
          if (gu) __builtin_prefetch(gvg + ahead + k, 1);
        }
      }
      float res = -(float)val[e];
#pragma omp simd reduction(+ : res)
      for (int k = 0; k < r; k++) res += ui[k] * vj[k];
      if (bias) res += off + vj[r];
      sumsq += (double)res * res;
      if (gu) {
        float *gj = gvg + (size_t)gc[e] * w;
        float sr = s * res;
#pragma omp simd
        for (int k = 0; k < r; k++) {
          gi[k] += sr * vj[k];
          gj[k] += sr * ui[k];
        }
        if (bias) {
          gi[r] += sr;
          gj[r] += sr;
        }
      }
    }
    if (gu) {
      for (int k = 0; k < r; k++) gu[i * r + k] += gi[k];
      if (bias) gb[i] += gi[r];
    }
  }
  return sumsq;
}

#define BN_PASS32_CASE(R)                                              \
  case R:                                                              \
    return bias ? bn_pass32_r(o, R, 1, u, b, mean, vg, s, gu, gb, gvg) \
                : bn_pass32_r(o, R, 0, u, b, mean, vg, s, gu, gb, gvg);

static double bn_complete_pass32(const bn_obs_t *o, int r, bool bias,
                                 const double *u, const double *b, double mean,
                                 const float *vg, float s, double *gu,
                                 double *gb, float *gvg) {
  switch (r) {
    BN_PASS32_CASE(8)
    BN_PASS32_CASE(16)
    BN_PASS32_CASE(20)
    BN_PASS32_CASE(32)
    BN_PASS32_CASE(64)
    default:
      return bias ? bn_pass32_r(o, r, 1, u, b, mean, vg, s, gu, gb, gvg)
                  : bn_pass32_r(o, r, 0, u, b, mean, vg, s, gu, gb, gvg);
  }
}

bn_status_t bn_complete_pass_mixed(bn_complete_t *c, const double *x, double *g,
                                   double *sumsq) {
  bn_complete_parts_t p = bn_complete_split(c, x), q = {0};
  if (g) q = bn_complete_split(c, g);
  size_t ng = (size_t)c->obs->nghost * (size_t)c->w;
  if (c->nvgf != ng) { /* first use, or another rank (retune) */
    free(c->vgf);
    c->vgf = NULL;
    c->nvgf = 0;
    BN_CALL(c->ctx, bn_agree(c->ctx, bn_mallocn(c->ctx, bn_size_add(2 * ng, 1),
                                                sizeof(float), &c->vgf)));
    c->nvgf = ng;
  }
  float *vgf = c->vgf, *gvgf = c->vgf + ng;
  for (size_t k = 0; k < ng; k++) vgf[k] = (float)c->vg[k];
  if (g) memset(gvgf, 0, ng * sizeof(float));
  *sumsq = bn_complete_pass32(c->obs, c->r, c->bias, p.u, p.b, c->mean, vgf,
                              (float)(1.0 / c->p), q.u, q.b, g ? gvgf : NULL);
  if (g)
    for (size_t k = 0; k < ng; k++) c->gvg[k] = gvgf[k];
  return BN_OK;
}

void bn_complete_mixed_update(bn_complete_t *c, double sumsq) {
  if (c->mixed && !c->dbl && !(sqrt(sumsq / c->summ2) > BN_MIXED_SWITCH))
    c->dbl = true;
}
