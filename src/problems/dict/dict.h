/* Dictionary learning, private to src/problems/dict*.c.
 *
 * Data Y (m x p: p samples of dimension m) is stored as /Y (p x m, one
 * sample per row) and row-partitioned: each process holds a block of
 * samples. Everything dictionary-sized (m x m, m x n) is replicated and
 * every sum over samples is a local product plus one bn_allreduce_sum of a
 * small dense buffer.
 *
 * Preconditioning (--precondition, default on): M = Y Y^T / p (one Gram,
 * one allreduce), its symmetric eigendecomposition (LAPACK dsyev on every
 * process, or ScaLAPACK pdsyevd once m >= --scalapack-min), and the
 * samples are replaced by Ybar = M^(-1/2) Y, so Ybar Ybar^T / p = I. All
 * methods work on Ybar; an atom q found there is the direction
 * a = M^(1/2) q / |M^(1/2) q| of the data (for Y = A X with X
 * Bernoulli-Gaussian, M^(1/2) q*_k is parallel to a_k when
 * q*_k = M^(-1/2) a_k / |.|; dict_data.c).
 *
 * Methods (one file each, a table of functions per method; dict.c holds
 * the table of methods, so adding one is one file plus one line):
 *   l4            dict_l4.c: W in O(m), f(W) = -|W Ybar|_4^4 / (4p); the
 *                 matching-stretching-projection fixed point
 *                 W <- Polar((W Ybar)^3 Ybar^T) is the sweep (solver als);
 *                 gd/agd run Riemannian gradient descent on O(m).
 *   sphere        dict_sphere.c: one atom at a time, min over the sphere of
 *                 (1/p) sum_j h(q^T ybar_j) for a sparsity surrogate h
 *                 (huber, l1, l4), deflation (the orthogonal complement of
 *                 the atoms found) for a complete dictionary.
 *   overcomplete  the sphere objective with h = -z^4/4 and no deflation;
 *                 repeated random starts, duplicates (|cos| > --dup-cos)
 *                 dropped (dict_sphere.c, dict_stage.c).
 *   synthesis     dict_synth*.c: min 1/(2p)|Y - A X|^2 + lambda/p |X|_1,
 *   synthesis-orth  |a_j| <= 1 (or A orthogonal), on the raw samples;
 *                 the iterate is A, one als sweep = codes + dictionary.
 *
 * The iterate (q in S^(m-1), or W) is small; the solvers' inner products
 * are sums over processes of each process's part, so rank 0 owns all of
 * it and the others none (obj.n = 0 there). An evaluation broadcasts the
 * iterate, applies every process's samples, and sums the gradient with
 * the objective in one allreduce; the Riemannian projections and
 * retractions are then rank 0's work alone. */
#ifndef BN_PROBLEMS_DICT_H
#define BN_PROBLEMS_DICT_H

#include <stdbool.h>

#include "benign/benign.h"
#include "benign/problem.h"

/* The run's state between solves (formerly public; used by the stage
 * hooks and the tests). */
/* One solve. */
typedef struct bn_dict_stage {
  int64_t iterations;
  int64_t reason;   /* a bn_reason_t */
  double objective; /* at the end */
  double grad_norm; /* Riemannian (sub)gradient norm at the end */
  double seconds;   /* the solve's own clock */
  int64_t kept;     /* atoms it added (overcomplete: 0 for a duplicate) */
  int64_t verdict;  /* its certificate (bn_cert_verdict_t), -1: none */
  double lambda_min;
} bn_dict_stage_t;

/* Metrics of the learned dictionary (NaN where not available). */
typedef struct bn_dict_report {
  int atoms, truth_atoms;
  double l4_error;  /* 1 - |A^T A0|_4^4 / n (ground truth)             */
  double matched;   /* fraction of true atoms with a |cos| > 0.99 one  */
  double min_cos;   /* min over true atoms of the best |cos|           */
  double atom_cos;  /* min over found atoms of the best |cos|          */
  double sparsity;  /* nonzero codes / (atoms samples)                 */
  double rep_error; /* |Y - A X|_F / |Y|_F                             */
  double synthesis; /* 1/(2p)|Ybar - Q C|_F^2 + lasso/p |C|_1 (lasso)  */
  int64_t nnz;
} bn_dict_report_t;

/* Collective: --atoms-png, the learned atoms as a mosaic PNG. */
bn_status_t bn_dict_atoms_png(void *data, const char *path);

/* Solves to run and finished; atoms wanted and kept. Not collective. */
int bn_dict_stage_target(const void *data);
int bn_dict_stages_done(const void *data);
int bn_dict_atoms_target(const void *data);
int bn_dict_atoms_found(const void *data);
/* No more solves to run (the stage target reached, or every atom found). */
bool bn_dict_finished(const void *data);
/* The solver this run uses ("gd", "agd" or "als"), the method and loss. */
const char *bn_dict_solver(const void *data);
const char *bn_dict_method(const void *data);
const char *bn_dict_loss(const void *data);
/* Whether the objective is smooth (else the certificate is skipped: the
 * l1 loss's subgradient does not vanish at its sharp minimizers). */
bool bn_dict_smooth(const void *data);

/* Collective: keep what solver s's finished solve found at x (the
 * certificate cert, or NULL); *kept = atoms added. */
bn_status_t bn_dict_accept(void *data, const double *x, const bn_solver_t *s,
                           const bn_cert_t *cert, int *kept);
/* Collective: the initial point from a file (--init-file): only the
 * iterate (/q or /W), not the atoms or records a result also holds. */
bn_status_t bn_dict_load_start(void *data, bn_h5_t *f, double *x);

const bn_dict_stage_t *bn_dict_stages(const void *data);
/* The finished solves' histories, concatenated; stage[r] is the solve of
 * row r. */
const bn_history_t *bn_dict_history(const void *data, const int64_t **stage);

/* Collective: the dictionary (data coordinates, unit columns), the codes
 * and the metrics. */
bn_status_t bn_dict_finish(void *data, bn_dict_report_t *r);
/* Collective: the result datasets (/A, /Q, /X..., the iterate, /stages,
 * /history) and the problem's attributes. After bn_dict_finish. */
bn_status_t bn_dict_write_result(void *data, const double *x,
                                 const bn_dict_report_t *r, bn_h5_t *f);

typedef enum bn_dict_loss {
  BN_DICT_HUBER = 0,
  BN_DICT_L1 = 1,
  BN_DICT_L4 = 2
} bn_dict_loss_t;
extern const char *const bn_dict_loss_names[3];

/* What the sphere objective's sweep does (solver als). */
typedef enum bn_dict_sweep {
  BN_DICT_SWEEP_NONE = 0,
  BN_DICT_SWEEP_SUBGRAD = 1, /* l1: q <- R(q - eta_k g), eta_k geometric */
  BN_DICT_SWEEP_FIXED = 2    /* l4: q <- Ybar (Ybar^T q)^3 / |.|        */
} bn_dict_sweep_t;

/* Streams (rng.h: problems use >= 64; these are far from the others). */
enum {
  BN_DICT_STREAM_INIT = 0x44430001,  /* random starts (draw = stage)   */
  BN_DICT_STREAM_PICK = 0x44430002,  /* --init=spectral: the sample    */
  BN_DICT_STREAM_A = 0x44430003,     /* generator: Gaussian dictionary */
  BN_DICT_STREAM_MASK = 0x44430004,  /* generator: Bernoulli supports  */
  BN_DICT_STREAM_X = 0x44430005,     /* generator: code values         */
  BN_DICT_STREAM_NOISE = 0x44430006, /* generator: additive noise      */
  BN_DICT_STREAM_OUT = 0x44430007,   /* generator: outlier samples     */
  BN_DICT_STREAM_CORR = 0x44430008,  /* generator: corrupted entries   */
  BN_DICT_STREAM_SYNTH = 0x44430009  /* synthesis: sample permutations */
};

typedef struct bn_dict bn_dict_t;

/* A method: a table of functions (see dict.c for the table of methods). */
typedef struct bn_dict_method {
  const char *name;
  /* Check the method's options and pick its solver: *solver is the
   * --solver given, or the method's default when none was given. */
  bn_status_t (*options)(bn_dict_t *d, const bn_opts_t *opts,
                         const char **solver);
  /* Collective, after the data are read: stage target, work space. */
  bn_status_t (*setup)(bn_dict_t *d);
  void (*objective)(bn_dict_t *d, bn_objective_t *obj);
  /* Collective: the next solve's initial point. */
  bn_status_t (*init)(bn_dict_t *d, const bn_opts_t *opts, double *x);
  /* Collective: keep what a finished solve found (atoms); *kept = atoms
   * added. */
  bn_status_t (*accept)(bn_dict_t *d, const double *x, int *kept);
  /* Collective: the ground truth as an iterate. */
  bn_status_t (*truth)(bn_dict_t *d, double *x, bool *have);
  /* Collective: the iterate as PREFIX<name> and back (any process count). */
  bn_status_t (*save)(bn_dict_t *d, const double *x, bn_h5_t *f,
                      const char *prefix);
  bn_status_t (*load)(bn_dict_t *d, bn_h5_t *f, const char *prefix, double *x);
  /* Collective, optional: after the last solve, before the codes (e.g.
   * overcomplete's refinement). */
  bn_status_t (*finish)(bn_dict_t *d);
  /* Collective, optional: the final codes c (pl x found) given
   * b = Ybar Q (else the lasso of dict_codes.c; synthesis). */
  bn_status_t (*codes)(bn_dict_t *d, const double *b, double *c);
  /* Codes by inverting a square dictionary (else by the lasso). */
  bool complete;
} bn_dict_method_t;

extern const bn_dict_method_t bn_dict_method_l4;
extern const bn_dict_method_t bn_dict_method_sphere;
extern const bn_dict_method_t bn_dict_method_overcomplete;
extern const bn_dict_method_t bn_dict_method_synthesis;
extern const bn_dict_method_t bn_dict_method_synthesis_orth;

struct bn_dict {
  bn_ctx_t *ctx;
  char *input;
  const bn_dict_method_t *method;
  char *solver;
  bn_dict_loss_t loss;
  bn_dict_sweep_t sweep;
  double mu;           /* huber parameter                              */
  double step0, decay; /* l1 subgradient step eta_k = step0 decay^k    */
  bool precond, deflate;
  bn_idx_t m, p;    /* dimension, samples                           */
  int n;            /* atoms wanted                                 */
  int stages;       /* solves to run (stage target)                 */
  int64_t trials;   /* overcomplete: --trials as given (0 = auto)   */
  int64_t patience; /* overcomplete: stop after so many solves that
                       kept nothing (0: never)                       */
  int64_t refine;   /* overcomplete: MOD rounds after the solves     */
  int filled;       /* atoms the refinement took from residuals      */
  int64_t refined;  /* MOD rounds run                                */
  double dup_cos;   /* overcomplete: duplicate threshold            */
  int64_t scalapack_min;
  /* Samples: rows [p0, p0 + pl) of Ybar (preconditioned), pl x m. */
  bn_dist_t *sdist;
  bn_idx_t pl, p0;
  bn_dmat_t *ymat;
  const double *y;
  double *msq, *misq, *meig; /* M^(1/2), M^(-1/2) (m x m), eig(M) (m)  */
  double ynorm2;             /* |Y|_F^2 of the data as read            */
  int nnull; /* null directions of M projected out (l4 preconditioning) */
  /* Ground truth /A_true (m x nt, unit columns; nt = 0: none) and its
   * points in preconditioned coordinates q*_k = M^(-1/2) a_k / |.|. */
  int nt;
  double *atrue, *qtrue;
  /* Atoms kept, preconditioned coordinates: m x n, column j = atom j. */
  int found;
  double *qk;
  /* Solves finished and their records; the histories concatenated. */
  int done;
  bn_dict_stage_t *st;
  bn_history_t hist;
  int64_t *hstage;
  size_t hcap;
  int64_t sweeps; /* subgradient steps taken in the current solve */
  /* Sphere work space: broadcast buffer [q, v, flags] (2m + 2), sample
   * products z = Ybar q, u = Ybar v (pl each), reduction buffer (m + 2),
   * and the cached evaluation (valid on every rank for the q in qc). */
  double *bq, *z, *u, *red, *qc, *gc, cf, czg;
  bool cvalid;
  /* l4 work space: W broadcast (m^2), Z = Ybar W^T and C (pl x m each),
   * reduction buffer (m^2 + 1), cached W and G = C^T Ybar. */
  double *wf, *vf, *zl, *cl, *gbuf, *wc, *gcw, cfw;
  bool wvalid;
  /* l4's sample continuation (dict_l4_kern.c): the current level uses
   * every l4_stride-th sample by global index (l4_ps of them; locally
   * l4_nl rows from row l4_r0); l4_stride0 the coarsest (1: off),
   * l4_coarse the option, l4_levels the level changes of this solve. */
  int64_t l4_stride, l4_stride0, l4_levels;
  double l4_coarse;
  /* l4's single-precision search (dict_l4_kern.c): l4_single the current
   * mode, l4_single0 the option; yf the samples as floats (made at the
   * first single-precision evaluation), w32 and g32 W and G as floats. */
  bool l4_single, l4_single0, yf_ready;
  float *yf, *w32, *g32;
  bn_idx_t l4_r0, l4_nl, l4_ps;
  /* Codes: options and, after bn_dict_finish, the local codes. */
  int codes; /* 0 none, 1 sparse, 2 dense */
  double code_thr, lasso;
  int64_t code_iters;
  double *xc;   /* pl x n codes (original scale) */
  int64_t nnz;  /* nonzero codes, all processes */
  double *ahat; /* m x n dictionary in the data's coordinates */
  int t_eval, t_reduce, t_hvp, t_linalg, t_codes;
  /* Methods synthesis and synthesis-orth (dict_synth.h). */
  struct bn_dict_synth *syn;
  /* The run (dict_run.c): solves certified local minimizers, and the
   * final report (bn_dict_finish). */
  int certified;
  bn_dict_report_t rep;
};

extern const bn_problem_ops_t bn_problem_dict;
extern const bn_stage_ops_t bn_dict_stage_ops;

/* dict_data.c: read and check /Y and /A_true, precondition. Collective. */
bn_status_t bn_dict_read(bn_dict_t *d, bn_h5_t *f);
/* dict_linalg.c: functions of a symmetric m x m matrix (replicated):
 * eigenvalues (ascending) into w and, with fs != NULL, M^(1/2) and
 * M^(-1/2) into fs (m x m) and fis, the eigenvalues <= null_rel times the
 * largest taken as null directions (fis projects them out); by LAPACK, or
 * ScaLAPACK when m >= d->scalapack_min and there are several processes.
 * Collective. */
bn_status_t bn_dict_sym_sqrt(bn_dict_t *d, const double *a, double *w,
                             double *fs, double *fis, double null_rel);
/* Polar factor U V^T of an m x m matrix g = U S V^T into rank 0's out
 * (g: rank 0's, or every process's when m >= scalapack-min and P > 1).
 * Collective. */
bn_status_t bn_dict_polar(bn_dict_t *d, const double *g, double *out);
/* Polar factor by LAPACK on this process alone (rank 0's retraction). */
bn_status_t bn_dict_polar_local(bn_ctx_t *ctx, int m, const double *g,
                                double *out);

/* dict_sphere.c: the sphere objective (methods sphere and overcomplete). */
bn_status_t bn_dict_sphere_eval(void *data, const double *x, double *f,
                                double *g);
bn_status_t bn_dict_sphere_hvp(void *data, const double *x, const double *v,
                               double *hv);
bn_status_t bn_dict_sphere_retract(void *data, double *x);
bn_status_t bn_dict_sphere_project(void *data, const double *x, double *v);
bn_status_t bn_dict_sphere_sweep(void *data, double *x);
bn_status_t bn_dict_sphere_metrics(void *data, const double *x, double *rel,
                                   double *rmse);

/* dict_sphere.c: the pieces the sphere and overcomplete methods share. */
bn_status_t bn_dict_sph_setup(bn_dict_t *d);
void bn_dict_sph_objective(bn_dict_t *d, bn_objective_t *obj);
bn_status_t bn_dict_sph_init(bn_dict_t *d, const bn_opts_t *opts, double *x);
bn_status_t bn_dict_sph_truth(bn_dict_t *d, double *x, bool *have);
bn_status_t bn_dict_sph_save(bn_dict_t *d, const double *x, bn_h5_t *f,
                             const char *prefix);
bn_status_t bn_dict_sph_load(bn_dict_t *d, bn_h5_t *f, const char *prefix,
                             double *x);
/* Collective: rank 0's x normalized, sign fixed (largest entry positive),
 * into every process's v (m). */
bn_status_t bn_dict_sph_unit(bn_dict_t *d, const double *x, double *v);

/* dict_l4.c: the objective on O(m). */
bn_status_t bn_dict_l4_eval(void *data, const double *x, double *f, double *g);
bn_status_t bn_dict_l4_hvp(void *data, const double *x, const double *v,
                           double *hv);
bn_status_t bn_dict_l4_retract(void *data, double *x);
bn_status_t bn_dict_l4_project(void *data, const double *x, double *v);
bn_status_t bn_dict_l4_sweep(void *data, double *x);
/* dict_l4_kern.c: the samples' part of l4 at the current level. Not
 * collective: apply sets Z and C (kept) and returns G = (Z^3)^T Ybar_s
 * (m x m) and sum Z^4; apply_dir the product (3 Z^2 o Ybar_s V^T)^T Ybar_s
 * at the Z of the last apply. Levels: bn_dict_l4_level sets the stride,
 * bn_dict_l4_coarsest the first one from --l4-coarse (0: all samples);
 * bn_dict_l4_next_level (collective) moves to the next finer level when
 * the step from wold to w (rank 0's) moved no atom by more than its
 * tolerance. */
void bn_dict_l4_apply(bn_dict_t *d, const double *w, double *g, double *fs);
/* Leave the single-precision search for good (not collective; every
 * process calls it at the same point). */
void bn_dict_l4_double(bn_dict_t *d);
void bn_dict_l4_apply_dir(bn_dict_t *d, const double *v, double *g);
void bn_dict_l4_level(bn_dict_t *d, int64_t stride);
void bn_dict_l4_coarsest(bn_dict_t *d, double coarse);
bn_status_t bn_dict_l4_next_level(bn_dict_t *d, const double *wold,
                                  const double *w);

/* dict_stage.c: stage records, histories and the deflation state. */
bn_status_t bn_dict_stage_room(bn_dict_t *d, size_t more);
bn_status_t bn_dict_write_state(bn_dict_t *d, bn_h5_t *f,
                                const char *hist_prefix);
bn_status_t bn_dict_read_state(bn_dict_t *d, bn_h5_t *f);
/* Replicated vector helpers: rank 0 writes a 1-D or 2-D dataset. */
bn_status_t bn_dict_put(bn_dict_t *d, bn_h5_t *f, const char *name,
                        bn_idx_t rows, int cols, const double *v);
bn_status_t bn_dict_get(bn_dict_t *d, bn_h5_t *f, const char *name,
                        bn_idx_t rows, int cols, double *v);
/* Collective: the rank-0 iterate (len values on rank 0) checked for a
 * shape and read (every process reads; only rank 0 keeps them). */
bn_status_t bn_dict_get_iterate(bn_dict_t *d, bn_h5_t *f, const char *name,
                                bn_idx_t rows, int cols, double *x);

/* dict_codes.c: dictionary in data coordinates, codes and metrics. The
 * lasso codes c (pl x found) of the samples for the kept atoms, given
 * b = Ybar Q (pl x found): `iters` FISTA steps, from c itself (warm) or
 * from zero. Collective (the Gram's largest eigenvalue is replicated). */
bn_status_t bn_dict_lasso(bn_dict_t *d, const double *b, double *c,
                          int64_t iters, bool warm);
/* dict_refine.c: --refine rounds of MOD on the kept atoms (overcomplete),
 * missing atoms filled from the worst-represented samples first. */
bn_status_t bn_dict_refine(bn_dict_t *d, int *filled);
bn_status_t bn_dict_codes(bn_dict_t *d, bn_dict_report_t *r);
bn_status_t bn_dict_write_codes(bn_dict_t *d, bn_h5_t *f);
/* dict_usage.c: the atoms (ahat) as ph x pw tiles of a mosaic PNG, most
 * used first and the DC atom last (stored order with --codes=none), the
 * order logged; rank 0 draws. Collective, after bn_dict_codes. */
bn_status_t bn_dict_atoms_draw(bn_dict_t *d, const char *path, int ph, int pw);

/* Small helpers (dict.c): a replicated m x n column-major-free copy of
 * the atom j of qk, and the distance of unit q to the nearest truth point
 * (sine of the angle; NaN without truth). */
void bn_dict_atom(const bn_dict_t *d, int j, double *q);
double bn_dict_truth_dist(const bn_dict_t *d, const double *q);
/* Apply P_S v = v - Q_k Q_k^T v (twice) for the kept atoms (deflation). */
void bn_dict_deflate(const bn_dict_t *d, double *v);

/* dict_synth.c: the synthesis methods' state, freed with the problem;
 * for tests: the smooth part 1/(2p)|Y - A C|^2 of the objective and its
 * gradient in A (m x n, replicated) at this process's codes c (pl x n),
 * collective; and the lasso codes of `rows` samples (b = rows x n, A^T y)
 * for the dictionary a (fista: 0 coordinate descent, 1 FISTA, 2
 * feature-sign search), not collective. */
void bn_dict_synth_free(struct bn_dict_synth *s);
int64_t bn_dict_synth_batch(const struct bn_dict_synth *s);
bn_status_t bn_dict_synth_smooth(bn_dict_t *d, const double *a, const double *c,
                                 double *f, double *g);
bn_status_t bn_dict_synth_lasso(bn_dict_t *d, const double *a, const double *b,
                                double *c, int rows, int fista, int64_t iters,
                                double tol);

/* dict_gen_opts.c: `benign generate dict`, its options and run (collective). */
extern const bn_optdef_t bn_gen_dict_opts[];
bn_status_t bn_gen_dict_run(bn_ctx_t *ctx, bn_opts_t *opts);

#endif
