/* Dictionary learning, methods `synthesis` and `synthesis-orth`: the state
 * shared by src/problems/dict/dict_synth*.c (see dict_synth.c for the model).
 */
#ifndef BN_PROBLEMS_DICT_SYNTH_H
#define BN_PROBLEMS_DICT_SYNTH_H

#include "problems/dict/dict.h"

/* How a block of samples is coded (dict_synth_kern.c). */
typedef struct bn_synth_coder {
  double lambda;
  bool fista;    /* FISTA steps on blocks of samples               */
  bool fs;       /* feature-sign search (else coordinate descent)  */
  int64_t iters; /* cd: sweeps at most; fista: steps              */
  double tol;    /* cd: stop when no |dc_j| |a_j| exceeds this     */
} bn_synth_coder_t;

struct bn_dict_synth {
  bool orth;     /* synthesis-orth: A in O(m)                     */
  int64_t batch; /* mini-batch size B (0: the batch method)       */
  bn_synth_coder_t coder;
  uint64_t seed;
  double *a;            /* m x n, every process's copy of the dictionary */
  double *gram;         /* n x n, A^T A                                  */
  double *s;            /* statistics of the codes: n^2 + m n + 1        */
  double *run;          /* online: running statistics (same layout)      */
  double wsum;          /* online: their total weight                    */
  double *work;         /* m n + n m + m + n^2                           */
  double *c, *b;        /* batch: pl x n codes (warm starts), Y A        */
  double *yb;           /* online: B x m samples of a mini-batch         */
  bool coded;           /* batch: s holds the statistics of c            */
  int64_t epochs;       /* online: iterations run                        */
  int64_t iter_batches; /* online: mini-batches an iteration (0: a pass) */
  int64_t pass, pos;    /* online: the pass and its next position       */
  uint64_t alpha, beta; /* online: the pass's permutation               */
  int64_t steps;        /* online: mini-batches processed                */
  double fepoch;        /* online: mean cost of the last iteration's samples */
  int64_t cd_sweeps;    /* coding sweeps (cd) or steps (fista) in all */
  double *prev;         /* m x n: A before the last sweep              */
  bool moved;           /* the last sweep's step is in prev - a        */
};

/* dict_synth_kern.c. Coordinate descent on one sample's lasso from its
 * warm start c (r: n doubles, idx: n ints of work); returns the sweeps.
 * Not collective. */
int64_t bn_synth_cd(int n, const double *g, const double *b, double *c,
                    double lambda, double tol, int64_t maxit, double *r,
                    int *idx);
/* Feature-sign search (Lee, Battle, Raina and Ng 2007) on one sample's
 * lasso from its warm start: Newton steps on the active set with the
 * signs fixed, a line search over the sign changes, the most violating
 * zero coordinate added; stops when the optimality conditions hold to
 * tol (|r_j| <= lambda + tol off the support, |r_j - lambda sign c_j| <=
 * tol on it). Falls back to coordinate descent on a singular active set.
 * w: 5 n + n^2 doubles, idx: n ints. Returns the Newton steps. */
int64_t bn_synth_fs(int n, const double *g, const double *b, double *c,
                    double lambda, double tol, int64_t maxit, double *w,
                    int *idx);
/* The largest eigenvalue of a symmetric n x n g (power iteration, capped
 * by the largest absolute row sum); v, w: n work. */
double bn_synth_lmax(int n, const double *g, double *v, double *w);
/* The codes of `rows` samples (b = rows x n products A^T y, c warm start
 * and result); *sweeps: coordinate sweeps (cd) or FISTA steps. */
bn_status_t bn_synth_code(bn_ctx_t *ctx, const bn_synth_coder_t *cp, int n,
                          int rows, const double *g, const double *b, double *c,
                          int64_t *sweeps);
/* Add the statistics of (y, c) to s = [C^T C (upper) | Y^T C | sum
 * |y|^2/2 + lambda |c|_1]; bn_synth_symmetrize fills the lower part. */
void bn_synth_stats(int m, int n, int rows, const double *y, const double *c,
                    double lambda, double *s);
void bn_synth_symmetrize(int n, double *cc);
/* sum over the samples of 1/2 |y - A c|^2 + lambda |c|_1 from the
 * statistics (work: m n). */
double bn_synth_value(int m, int n, const double *a, const double *s,
                      double *work);
/* The gradient mapping of the dictionary step (zero at a fixed point of
 * the block-coordinate descent), times scale, into g (m x n). */
void bn_synth_gmap(int m, int n, const double *a, const double *s, double *g,
                   double scale);
/* Block-coordinate descent on the atoms (Mairal et al. 2010, Alg. 2):
 * at most maxs sweeps, each atom the exact minimiser over the unit ball
 * given the others; returns the sweeps (work: n m + m). */
int bn_synth_bcd(int m, int n, double *a, const double *s, int maxs,
                 double *work);

/* dict_synth_online.c: one pass over the samples in mini-batches.
 * Collective. */
bn_status_t bn_synth_epoch(bn_dict_t *d);
/* dict_synth_perm.c. Local: G = A^T A of this process's copy of A. */
void bn_synth_gram(bn_dict_t *d);
/* Local: the permutation k -> (alpha k + beta) mod p of the sample indices
 * for pass `draw` (the same on every process). */
void bn_dict_synth_perm(const bn_dict_t *d, uint32_t draw, uint64_t *alpha,
                        uint64_t *beta);

#endif
