/* Synthesis dictionary learning: the pieces the batch (dict_synth.c) and
 * online (dict_synth_online.c) solvers share -- the atoms' Gram matrix and
 * the permutations that order the samples of each pass. */
#include <cblas.h>

#include "benign/rng.h"
#include "problems/dict/dict_synth_state.h"

/* G = A^T A of this process's copy of A (every process holds it). */
void bn_synth_gram(bn_dict_t *d) {
  const int m = (int)d->m, n = d->n;
  struct bn_dict_synth *s = d->syn;
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, m, 1.0, s->a, n,
              s->a, n, 0.0, s->gram, n);
}

/* A permutation k -> (alpha k + beta) mod p of the sample indices, drawn
 * per `draw` (pass). */
void bn_dict_synth_perm(const bn_dict_t *d, uint32_t draw, uint64_t *alpha,
                        uint64_t *beta) {
  const uint64_t p = (uint64_t)d->p;
  uint64_t a = 1 + (uint64_t)(bn_rng_uniform(d->syn->seed, BN_DICT_STREAM_SYNTH,
                                             0, draw) *
                              (double)(p > 1 ? p - 1 : 1));
  for (;; a = a % p + 1) {
    uint64_t x = a, y = p;
    while (y) {
      uint64_t t = x % y;
      x = y;
      y = t;
    }
    if (x == 1 || p == 1) break;
  }
  *alpha = a % (p ? p : 1);
  if (p == 1) *alpha = 0;
  *beta =
      (uint64_t)(bn_rng_uniform(d->syn->seed, BN_DICT_STREAM_SYNTH, 1, draw) *
                 (double)p) %
      p;
}
