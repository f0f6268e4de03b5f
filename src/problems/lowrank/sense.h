/* Matrix sensing, private to src/problems/sense*.c.
 *
 *   f(U, V) = 1/(2m) sum_i (<A_i, U V^T> - y_i)^2 + 1/8 |U^T U - V^T V|^2
 *
 * The m measurements are split in contiguous blocks over the processes
 * (uniform distribution of i). U (n1 x r) and V (n2 x r) are small, but the
 * solver's inner products are sums over ranks, so each rank owns a block of
 * U's rows and a block of V's rows (uniform distributions); the iterate is
 * [U local rows | V local rows], row-major, r per row. An evaluation
 * allgathers U and V, applies the rank's measurements to the full factors,
 * and reduce-scatters the gradient back onto the owned rows.
 *
 * Operators (the `operator` attribute of /y):
 *   gaussian  A_i dense, stored as row i of /A (m x n1 n2, A_i row-major);
 *   rank-one  A_i = a_i b_i^T, rows of /a (m x n1) and /b (m x n2);
 *   implicit  A_i Gaussian, regenerated at each evaluation from the seed
 *             (bn_sense_normals, keyed by the global index i), never
 *             stored; `generate sense --operator=gaussian` stores exactly
 *             these matrices. */
#ifndef BN_PROBLEMS_SENSE_H
#define BN_PROBLEMS_SENSE_H

#include "benign/benign.h"
#include "benign/problem.h"
#include "problems/lowrank/lowrank.h"

typedef enum bn_sense_op {
  BN_SENSE_GAUSSIAN = 0,
  BN_SENSE_RANK_ONE = 1,
  BN_SENSE_IMPLICIT = 2
} bn_sense_op_t;

/* "gaussian|rank-one|implicit"; bn_sense_op_parse returns -1 if unknown. */
extern const char *const bn_sense_op_names[3];
int bn_sense_op_parse(const char *name);

/* Streams of the implicit / stored operators (rng.h: problems use >= 64). */
enum {
  BN_SENSE_STREAM_A = 64,
  BN_SENSE_STREAM_LA = 65,
  BN_SENSE_STREAM_RB = 66
};

typedef struct bn_sense {
  bn_ctx_t *ctx;
  char *input;
  bn_sense_op_t op;
  bn_idx_t n1, n2, m;
  int r;
  uint64_t seed;            /* implicit: the operator's seed */
  bn_dist_t *mdist;         /* measurements */
  bn_dist_t *udist, *vdist; /* rows of U and V */
  bn_idx_t ml, nu, nv;      /* local measurements, U rows, V rows */
  double *y;                /* ml */
  bn_dmat_t *amat, *bmat;   /* gaussian: /A rows; rank-one: /a and /b rows */
  const double *a;          /* gaussian: ml x n1 n2; rank-one: ml x n1 */
  const double *b;          /* rank-one: ml x n2 */
  bn_lr_truth_t *truth;     /* ground truth, NULL if none */
  /* Work space (bn_sense_prepare). */
  double *uf, *vf, *gu, *gv; /* full U, V and their partial gradients */
  double *gram;              /* U^T U, V^T V (2 r^2) */
  double *mm, *gm;           /* gaussian/implicit: U V^T and sum res_i A_i */
  double *p, *q, *res;       /* rank-one: A U, B V (ml x r); residuals */
  double *blk;               /* implicit: a block of generated A_i */
  double *hbuf;              /* hvp work space, allocated on first use */
  bn_idx_t blk_rows;
  int *ucnt, *udsp, *vcnt, *vdsp; /* allgather/reduce-scatter counts */
  int t_gather, t_kernel, t_reduce;
} bn_sense_t;

/* Collective: after n1, n2, m, r, op, the distributions and the local
 * data are set, allocate the work space and the count arrays. */
bn_status_t bn_sense_prepare(bn_sense_t *s);
void bn_sense_free(bn_sense_t *s);

bn_status_t bn_sense_eval(void *data, const double *x, double *f, double *g);
/* Collective (sense_hvp.c): hv = H(x) v, the Hessian of eval's f. */
bn_status_t bn_sense_hvp(void *data, const double *x, const double *v,
                         double *hv);
bn_status_t bn_sense_metrics(void *data, const double *x, double *rel,
                             double *rmse);
bn_status_t bn_sense_init(void *data, const bn_opts_t *opts, double *x);

/* Local (no communication): out[k] = <A_i, X> for the rank's measurements
 * i (X dense n1 x n2, row-major), and G += sum_k z[k] A_i (G n1 x n2). */
void bn_sense_forward(bn_sense_t *s, const double *xd, double *out);
void bn_sense_adjoint(bn_sense_t *s, const double *z, double *g);
/* Gaussian/implicit: rows [k0, k0 + nb) of the rank's A_i (n1 n2 each;
 * implicit: generated into s->blk, nb <= the block size bn_sense_block). */
const double *bn_sense_rows(bn_sense_t *s, bn_idx_t k0, bn_idx_t nb);
bn_idx_t bn_sense_block(const bn_sense_t *s);

/* Entries of the implicit Gaussian A_i (global index i), n = n1 n2 values:
 * Philox4x32-10 keyed by (seed; block, i, stream), four normals per
 * block by Box-Muller with polynomial log/sqrt/sin/cos (about 1e-14
 * relative), so the loop vectorises.
 * The same values on any number of processes. */
void bn_sense_normals(uint64_t seed, uint32_t stream, uint64_t i, size_t n,
                      double *out);
/* A_i, i = i0 .. i0 + nb - 1 (the same values), in one sweep over the
 * entries: dots[b] = <A_{i0+b}, mm> (summed in chunks); when out is not
 * NULL, A_{i0+b} is stored at out + b n, and first, when g is not NULL,
 * g += scale sum_{b < nprev} coef[b] (out + b n's previous contents), so
 * the previous block's gradient term costs no pass of its own. */
void bn_sense_normals_dots(uint64_t seed, uint32_t stream, uint64_t i0,
                           size_t nb, size_t n, const double *mm, double *out,
                           double *g, const double *coef, size_t nprev,
                           double scale, double *dots);

/* sense_gen_opts.c: `benign generate sense`, its options and run (collective).
 */
extern const bn_optdef_t bn_gen_sense_opts[];
bn_status_t bn_gen_sense_run(bn_ctx_t *ctx, bn_opts_t *opts);

#endif
