/* Dictionary learning, method `synthesis` with --batch-size=B: one
 * iteration (--iter-batches mini-batches, or one pass over the samples)
 * of the online algorithm of Mairal, Bach, Ponce and Sapiro (2010) over
 * the samples (see dict_synth.c). Per mini-batch: the batch's samples
 * this process holds are gathered (positions k of the pass's permutation
 * of the global indices), coded from zero with A, their statistics
 * [C C^T | Y C^T | cost] summed over the processes with one allreduce,
 * folded into the running statistics with the weight schedule of the
 * paper's section 3.4, and one sweep of block-coordinate descent updates
 * the atoms (replicated: every process holds the same sums). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/dict/dict_synth_state.h"

#define BN_SYNTH_ONLINE_BCD 1

bn_status_t bn_synth_epoch(bn_dict_t *d) {
  /* The passes go on across iterations: position pos of pass `pass`, whose
   * permutation is (alpha, beta); a new pass draws a new one. */
  bn_ctx_t *ctx = d->ctx;
  struct bn_dict_synth *s = d->syn;
  const int m = (int)d->m, n = d->n;
  const int64_t B = s->batch, p = d->p;
  const size_t sl = (size_t)n * n + (size_t)m * n + 1;
  double *bb = NULL;
  BN_CALL(ctx,
          bn_agree(ctx,
                   bn_mallocn(ctx,
                              bn_size_add(
                                  bn_size_mul(bn_size_mul(2, (size_t)B), n), 1),
                              sizeof(double), &bb)));
  double *cb = bb + (size_t)B * n, fsum = 0.0, cnt = 0.0;
  const int64_t nbat = s->iter_batches > 0 ? s->iter_batches : (p + B - 1) / B;
  bn_status_t st = BN_OK;
  for (int64_t bt = 0; bt < nbat && st == BN_OK; bt++) {
    if (s->pos >= p || (s->pos == 0 && s->pass == 0 && s->steps == 0)) {
      if (s->pos >= p) s->pass++;
      s->pos = 0;
      bn_dict_synth_perm(d, (uint32_t)s->pass, &s->alpha, &s->beta);
    }
    const uint64_t al = s->alpha, be = s->beta;
    const int64_t k0 = s->pos, k1 = k0 + B < p ? k0 + B : p;
    s->pos = k1;
    cnt += (double)(k1 - k0);
    int rows = 0;
    bn_timer_start(ctx, d->t_eval);
    for (int64_t k = k0; k < k1; k++) {
      int64_t i =
          (int64_t)(((unsigned __int128)al * (uint64_t)k + be) % (uint64_t)p);
      if (i < d->p0 || i >= d->p0 + d->pl) continue;
      memcpy(s->yb + (size_t)rows * m, d->y + (size_t)(i - d->p0) * m,
             (size_t)m * sizeof(double));
      rows++;
    }
    bn_synth_gram(d);
    if (rows > 0)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, n, m, 1.0,
                  s->yb, m, s->a, n, 0.0, bb, n);
    memset(cb, 0, (size_t)rows * n * sizeof(double));
    int64_t sw = 0;
    st = bn_synth_code(ctx, &s->coder, n, rows, s->gram, bb, cb, &sw);
    s->cd_sweeps += sw;
    memset(s->s, 0, sl * sizeof(double));
    if (st == BN_OK)
      bn_synth_stats(m, n, rows, s->yb, cb, s->coder.lambda, s->s);
    bn_timer_stop(ctx, d->t_eval);
    st = bn_agree(ctx, st);
    if (st != BN_OK) break;
    bn_timer_start(ctx, d->t_reduce);
    st = bn_allreduce_sum(ctx, s->s, sl);
    bn_timer_stop(ctx, d->t_reduce);
    if (st != BN_OK) break;
    bn_timer_start(ctx, d->t_linalg);
    bn_synth_symmetrize(n, s->s);
    fsum += bn_synth_value(m, n, s->a, s->s, s->work);
    /* Weights: the paper's section 3.4 (scikit-learn's schedule). */
    const double t = (double)s->steps, Bd = (double)B;
    const double theta =
        s->steps < B - 1 ? (t + 1.0) * Bd : Bd * Bd + t + 1.0 - Bd;
    const double beta = (theta + 1.0 - Bd) / (theta + 1.0);
    const double w = 1.0 / (double)(k1 - k0);
    for (size_t q = 0; q < sl; q++) s->run[q] = beta * s->run[q] + w * s->s[q];
    s->wsum = beta * s->wsum + 1.0;
    bn_synth_bcd(m, n, s->a, s->run, BN_SYNTH_ONLINE_BCD, s->work);
    bn_timer_stop(ctx, d->t_linalg);
    s->steps++;
  }
  free(bb);
  BN_CALL(ctx, st);
  s->fepoch = fsum / cnt;
  s->epochs++;
  return BN_OK;
}
