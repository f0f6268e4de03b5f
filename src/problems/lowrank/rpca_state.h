/* Robust PCA: the state shared by src/problems/lowrank/rpca*.c.
 *
 * The nonconvex method of Yi, Park, Chen and Caramanis (NeurIPS 2016):
 * M = L* + S*, L* = U V^T of rank r, S* with at most a fraction alpha of
 * each row and column nonzero (gross corruptions). The solver minimises
 *
 *   f(U, V) = 1/(2p) |P(U V^T + S - M)|_F^2 + 1/8 |U^T U - V^T V|_F^2,
 *   S = T_{gamma alpha}(M - U V^T)
 *
 * where T_a keeps the entries of a matrix that are among the largest
 * a-fraction (in magnitude) of both their row and their column and zeroes
 * the others. S is recomputed at every point that is evaluated, so f is a
 * function of (U, V) alone and the line searches of gd/agd compare values
 * of one function; the gradient is that of the smooth piece with S held
 * fixed (f is piecewise smooth: the support of S changes on a set of
 * measure zero). P is the identity (dense M, p = 1) or the sampling of
 * the observed entries Omega (p = |Omega| / (n1 n2)); the row and column
 * fractions then count observed entries.
 *
 * M's rows (or the observed entries of those rows) live with the rows of U;
 * V's rows on their own (column) distribution. Dense mode: V is allgathered
 * for the products and its gradient reduce-scattered back. Observed mode:
 * the rows of V that a rank's entries touch come through the observations'
 * plan. The iterate is [U local rows | V local rows], row-major, r per row. */
#ifndef BN_PROBLEMS_RPCA_H
#define BN_PROBLEMS_RPCA_H

#include "benign/benign.h"
#include "benign/problem.h"
#include "problems/lowrank/lowrank.h"
#include "sparse/obs.h"

/* Dense mode: the column thresholds' search state (rpca_colsel.h). */
typedef struct bn_rpca_colsel bn_rpca_colsel_t;

/* --method=altproj (rpca_altproj*.c): accelerated alternating projections
 * (Cai, Cai, Wei 2019). The iterate is the balanced factors X = U s^1/2,
 * Y = V s^1/2 of L_t = U s V^T; S_t = H_zeta(M - L_t) keeps the entries
 * over the threshold zeta (hard thresholding), which shrinks
 * geometrically: zeta_t = beta (s_{r+1} + decay^t s_1) of the rank-2r
 * tangent-space projection that made L_t. The objective the solver loop
 * sees is f = 1/2 |M - L - S|_F^2 at the current zeta, its gradient
 * (Z Y, Z^T X with Z = L + S - M) is what the next step needs, and the
 * step (solver als: the objective's sweep) is one projection. */
typedef struct bn_rpca_ap {
  double beta, decay; /* zeta's factor and geometric rate */
  double zeta;        /* threshold of S at the current iterate */
  bool zeta_set;      /* false: zeta = beta s_1 at the first evaluation */
  int64_t iter;       /* projections done (decay^iter) */
  double *x, *g;      /* the last evaluation's point and gradient */
  bool cached;        /* x, g hold an evaluation at the current zeta */
  double *work;       /* sweep: 6 (nu + nv) r doubles */
  double *small;      /* r x r and 2r x 2r factors: 48 r^2 doubles */
  double kept;        /* entries in S at the last evaluation (global) */
} bn_rpca_ap_t;

typedef struct bn_rpca {
  bn_ctx_t *ctx;
  char *input;
  bn_idx_t n1, n2;
  int r;
  double alpha, gamma, p;
  bool dense;
  bn_dmat_t *m;  /* dense mode: M, nu x n2 on rdist               */
  bn_obs_t *obs; /* observed mode: the entries of Omega             */
  bn_dist_t *rdist, *cdist;
  bn_idx_t nu, nv;      /* local rows of U and V */
  bn_lr_truth_t *truth; /* ground truth, NULL if none */
  /* Work space. Dense: res = M - U V^T (nu x n2), vall = all of V (n2 x r),
   * gvall its gradient. Observed: res per entry, vall = ghost rows of V,
   * gvall their gradient. */
  double *res, *vall, *gvall;
  double *vt, *gvt;         /* dense: V^T and its gradient, r x n2      */
  bn_rpca_colsel_t *colsel; /* dense: column threshold search        */
  bn_idx_t cand_limit;      /* dense: collect a column bin's entries when
                             * all bins hold at most this many (0: default;
                             * tests set 1 to exercise every level) */
  double *colbuf;           /* observed: |res| grouped by column         */
  bn_idx_t *colptr;         /* local columns: start of each in colbuf   */
  bn_idx_t ncol_local;      /* local columns (n2 dense, nghost observed) */
  bn_idx_t *colperm;        /* observed: entry of each colbuf slot       */
  bn_idx_t *kcol;           /* observed: global entries per column (n2)  */
  double *rthr, *cthr;      /* row (nu) and column (n2) thresholds       */
  double *rowbuf;           /* selection scratch: 2 nbuf doubles         */
  bn_idx_t nbuf;            /* longest row or local column                */
  double *lthr;             /* local column thresholds (ncol_local)       */
  double *red;              /* allreduce buffer: 1 + 2 r^2               */
  /* hvp: the support of S at the point, held fixed (one byte per local
   * entry of M or Omega) while frozen is set. */
  unsigned char *keep;
  bool frozen;
  /* dense, set by bn_rpca_eval while not frozen: res is not stored (its
   * rows are recomputed from M where needed) and the column thresholds'
   * last collection is fused into the objective/gradient pass
   * (bn_rpca_fit_dense, then bn_rpca_fit_finish). */
  bool stream;
  bn_rpca_ap_t *ap; /* --method=altproj, else NULL */
  int t_gather, t_product, t_select, t_reduce, t_resid;
} bn_rpca_t;

bn_status_t bn_rpca_eval(void *data, const double *x, double *f, double *g);
bn_status_t bn_rpca_metrics(void *data, const double *x, double *rel,
                            double *rmse);
bn_status_t bn_rpca_init(void *data, const bn_opts_t *opts, double *x);
/* The Hessian of the smooth piece at x (S's support held fixed): a central
 * difference of gradients with the support frozen (rpca_hvp.c). */
bn_status_t bn_rpca_hvp(void *data, const double *x, const double *v,
                        double *hv);

/* Collective: res = M - U V^T (x NULL: U V^T = 0) and the thresholds of
 * T_{frac} on it (rthr, cthr). */
bn_status_t bn_rpca_residual(bn_rpca_t *c, const double *x, double frac);
/* Is residual entry (local row i, global column j, value v) kept in S? */
static inline bool bn_rpca_kept(const bn_rpca_t *c, bn_idx_t i, bn_idx_t j,
                                double v) {
  double a = v < 0 ? -v : v;
  return a >= c->rthr[i] && a >= c->cthr[j];
}
/* Collective (rpca_eval.c): the thresholds of T_frac for the current
 * residual, by the observed-entries selection (rpca_select.c) or the dense
 * one (rpca_dense.c). */
bn_status_t bn_rpca_thresholds(bn_rpca_t *c, double frac);
/* Observed mode (rpca_select.c). Collective: the thresholds from the
 * observed entries' residuals. */
bn_status_t bn_rpca_thresholds_sparse(bn_rpca_t *c, double frac);
/* Dense mode (rpca_dense.c). Collective: the same thresholds by radix
 * selection (no transpose of res). */
bn_status_t bn_rpca_thresholds_dense(bn_rpca_t *c, double frac);
/* Collective: res = M - U V^T (x NULL: res = M) in one pass with the row
 * thresholds, then the column thresholds (none while frozen). */
bn_status_t bn_rpca_residual_dense(bn_rpca_t *c, const double *x, double frac);
/* Local: |Z|^2 of the masked residual Z (U V^T + S - M off S's support,
 * 0 on it) and, with gu, the data gradient gu = Z V / p and gvall = the
 * local part of Z^T U / p, in one pass over res (needs vt from
 * bn_rpca_residual_dense at the same point). Streaming (c->stream): the
 * rows are recomputed, the candidates of the column thresholds collected,
 * and it returns 0: bn_rpca_fit_finish completes gu, gvall and |Z|^2. */
double bn_rpca_fit_dense(bn_rpca_t *c, const double *u, double *gu);
/* Collective, streaming only (after bn_rpca_fit_dense): the column
 * thresholds' exact selection, then the candidates' corrections to gu, the
 * local part of gV (gvall) and *sumsq (local |Z|^2). */
bn_status_t bn_rpca_fit_finish(bn_rpca_t *c, const double *u, double *gu,
                               double *sumsq);
bn_status_t bn_rpca_colsel_alloc(bn_rpca_t *c);
void bn_rpca_colsel_free(bn_rpca_colsel_t *s);
/* Collective: every rank's column thresholds cthr from their owners' own
 * (c->nv each); rc, rd: scratch of P ints. */
bn_status_t bn_rpca_cthr_gather(bn_rpca_t *c, const double *own, int *rc,
                                int *rd);
/* The k-th largest (k >= 1) of a[0..n-1], partially reordering a so that
 * a[0..k-1] are the k largest. */
double bn_select_kth_largest(double *a, bn_idx_t n, bn_idx_t k);
/* The same without reordering a, with scratch w (n doubles): a sampled
 * bracket, then a selection among the entries inside it. */
double bn_kth_largest(const double *a, bn_idx_t n, bn_idx_t k, double *w);

/* Dense mode (rpca_eval.c), collective: all of V into vall; gvall summed
 * over the ranks and scattered to V's owners (gv, nv x r). */
bn_status_t bn_rpca_allgather_v(bn_rpca_t *c, const double *v);
bn_status_t bn_rpca_reduce_v(bn_rpca_t *c, double *gv);

/* --method=altproj (rpca_altproj.c): its options (after the shared ones;
 * c->ap stays NULL for --method=gd), its objective, its state in results
 * and checkpoints, and its hooks in the run frame. */
bn_status_t bn_rpca_ap_options(bn_rpca_t *c, const bn_opts_t *opts);
bn_status_t bn_rpca_ap_alloc(bn_rpca_t *c);
void bn_rpca_ap_free(bn_rpca_ap_t *ap);
void bn_rpca_ap_objective(bn_objective_t *obj);
bn_status_t bn_rpca_ap_save(bn_rpca_t *c, bn_h5_t *f, const char *prefix);
bn_status_t bn_rpca_ap_load(bn_rpca_t *c, bn_h5_t *f, const char *prefix);
extern const bn_stage_ops_t bn_rpca_stage_ops;
/* rpca_altproj_step.c. Collective: L = X Y^T = U s V^T from the r x r
 * Grams of X and Y: U = X tu, V = Y tv (tu, tv r x r; s: r values). */
bn_status_t bn_rpca_ap_factor(bn_rpca_t *c, const double *x, double *tu,
                              double *tv, double *s);
/* Collective: one projection from x (the sweep), using the gradient of
 * the evaluation at x (bn_rpca_ap_eval's cache). */
bn_status_t bn_rpca_ap_sweep(void *data, double *x);
bn_status_t bn_rpca_ap_eval(void *data, const double *x, double *f, double *g);

/* rpca_result.c, collective: /S/row, /S/col, /S/val -- S at x (T_(gamma
 * alpha)(M - U V^T), or altproj's H_zeta) -- into an open result. */
bn_status_t bn_rpca_write_sparse(bn_rpca_t *c, const double *x, bn_h5_t *f);

/* rpca_gen_opts.c: `benign generate rpca`, its options and run (collective). */
extern const bn_optdef_t bn_gen_rpca_opts[];
bn_status_t bn_gen_rpca_run(bn_ctx_t *ctx, bn_opts_t *opts);

#endif
