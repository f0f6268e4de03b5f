/* Phase retrieval, private to src/problems/phase*.c.
 *
 * Recover x in C^n (or R^n) from y_i = |(A x)_i|^2 (intensity data) or
 * psi_i = |(A x)_i| (amplitude data), i = 1..m, up to a global phase
 * (a sign for real x). Row i of A is a_i^H: (A z)_i = sum_j A_ij z_j.
 *
 * Layout. A complex vector of length n is stored as 2n doubles with real
 * and imaginary parts interleaved (re_0, im_0, re_1, im_1, ...), the
 * layout of C99 double complex, of HDF5 arrays n x 2 (h5py, PETSc) and of
 * CBLAS's z routines; a real vector is n doubles. K = 2 (complex) or 1
 * (real) doubles per entry.
 *
 * Distribution. The m measurements (rows of A, y) are split in contiguous
 * blocks over the processes (uniform). The iterate z is small (n entries)
 * but the solvers' inner products are sums over ranks, so each rank owns a
 * contiguous block of z's entries (uniform over n): obj.n = K * (local
 * entries), and the shares over the ranks make up z exactly once. An
 * evaluation allgathers z (replicated K n doubles), applies the rank's
 * rows, and one MPI_Allreduce sums [f | gradient] (1 + K n doubles); each
 * rank keeps the slice of the gradient it owns.
 *
 * Losses (the real-valued functions the solvers minimise, u = A z):
 *   intensity  f(z) = 1/(2m) sum_i (|u_i|^2 - y_i)^2
 *              grad = (2/m) A^H ((|u|^2 - y) .* u)
 *   amplitude  f(z) = 1/(2m) sum_i (|u_i| - psi_i)^2
 *              grad = (1/m) A^H (u - psi .* u ./ |u|)   (u/|u| := 0 at 0)
 *   reweighted f(z) = 1/m sum_i rho(|u_i|; psi_i), rho' (a) = a (a - psi)
 *              / (a + beta psi), so that
 *              grad = (1/m) A^H ((|u| - psi) ./ (|u| + beta psi) .* u),
 *              RAF's reweighted gradient w_i (u_i - psi_i u_i/|u_i|),
 *              w_i = |u_i| / (|u_i| + beta psi_i), as one function
 * "grad" is the gradient in the 2n real coordinates written as a complex
 * vector (twice the Wirtinger derivative d f / d conj(z)).
 *
 * Measurement models (the `model` attribute of /y) are tables of functions
 * (bn_phase_model_t) so that another one -- coded diffraction patterns,
 * through FFTs -- is one more file and one table entry (phase.c). */
#ifndef BN_PROBLEMS_PHASE_H
#define BN_PROBLEMS_PHASE_H

#include "benign/benign.h"
#include "benign/problem.h"

typedef enum bn_phase_method {
  BN_PHASE_WF = 0,        /* Wirtinger flow (Candes, Li, Soltanolkotabi)  */
  BN_PHASE_TWF = 1,       /* truncated WF (Chen, Candes)                  */
  BN_PHASE_RAF = 2,       /* reweighted amplitude flow (Wang et al.)      */
  BN_PHASE_RWF = 3,       /* reshaped WF (Zhang, Liang)                   */
  BN_PHASE_GD_RANDOM = 4, /* gradient descent from a random start (Sun, Qu,
                            Wright: the landscape claim)                 */
  BN_PHASE_RAF_LOSS = 5   /* the loss whose gradient is RAF's reweighted
                             amplitude gradient (phase_eval.c)           */
} bn_phase_method_t;

typedef enum bn_phase_init {
  BN_PHASE_INIT_SPECTRAL = 0,  /* top eigenvector of 1/m sum y_i a_i a_i^H */
  BN_PHASE_INIT_TRUNCATED = 1, /* ... keeping y_i <= 9 lambda^2 (TWF)      */
  BN_PHASE_INIT_RESHAPED = 2,  /* weights psi_i, lambda <= psi_i <= 5
                                  lambda (RWF)                             */
  BN_PHASE_INIT_WEIGHTED = 3,  /* weighted maximal correlation (RAF)      */
  BN_PHASE_INIT_RANDOM = 4,
  BN_PHASE_INIT_OPTIMAL = 5 /* weights T(y_i / mean y) mean y, T(t) = (t -
                               1)/(t + sqrt(m/n) - 1) (Luo, Alghamdi, Lu
                               2019); scaled by a least-squares fit      */
} bn_phase_init_t;

/* "wf|twf|raf|rwf|gd-random|raf-loss",
 * "spectral|truncated|reshaped|weighted|random|optimal"; parse returns -1
 * if unknown. */
extern const char *const bn_phase_method_names[6];
extern const char *const bn_phase_init_names[6];
int bn_phase_parse(const char *const *names, int count, const char *name);

/* Streams of the generated data and initial points (rng.h: >= 64). */
enum {
  BN_PHASE_STREAM_A = 80,     /* rows of A (gaussian and implicit)  */
  BN_PHASE_STREAM_TRUTH = 81, /* x_true                              */
  BN_PHASE_STREAM_INIT = 82,  /* random start, power-iteration start */
  BN_PHASE_STREAM_NOISE = 83
};

typedef struct bn_phase bn_phase_t;

/* A finished solve of the run (phase_stage.c). */
typedef struct bn_phase_solve {
  double fit;       /* relative amplitude residual |(|Az| - psi)| / |psi| */
  double objective; /* at its end */
  double grad_norm;
  double seconds;
  int64_t iterations;
  int reason; /* bn_reason_t */
} bn_phase_solve_t;

/* A pass kernel: for the block of nb measurements starting at the rank's
 * local index k0, u = A_blk z and (when the pass has a second vector)
 * uv = A_blk v (nb entries, K doubles each); the kernel writes w (same
 * shape), whose A_blk^H w the pass adds to the gradient buffer. */
typedef void (*bn_phase_kernel_fn)(bn_phase_t *s, void *kd, bn_idx_t k0,
                                   bn_idx_t nb, const double *u,
                                   const double *uv, double *w);

typedef struct bn_phase_model {
  const char *name;
  /* Collective: check and read the model's data from the input (after n,
   * m, the field and the distributions are set); allocate its work. */
  bn_status_t (*setup)(bn_phase_t *s, bn_h5_t *f);
  /* One pass over the rank's measurements, block by block: u = A_blk z
   * (and uv = A_blk v if v != NULL), kernel, then g += A_blk^H w (skipped
   * when g == NULL). z, v, g are full vectors (K n doubles, local pass)
   * or, when the model is `local`, the rank's share of them in the
   * iterate's distribution (K nl doubles; the pass is then collective). */
  void (*pass)(bn_phase_t *s, const double *z, const double *v,
               bn_phase_kernel_fn fn, void *kd, double *g);
  /* Local: |a_i|^2 for the rank's measurements (ml values). */
  void (*row_norms2)(bn_phase_t *s, double *out);
  void (*destroy)(bn_phase_t *s);
  /* 1: A_blk touches only the rank's own entries of z and g (cdp: the
   * rank's image rows are its FFTW slab), so an evaluation needs no
   * gather of z and no reduction of the gradient, and no process holds a
   * full-length vector. 0: the rows of A span all of z (gaussian). */
  int local;
} bn_phase_model_t;

/* The dense models (phase_dense.c): A stored in /A, or implicit. */
extern const bn_phase_model_t bn_phase_model_gaussian;
extern const bn_phase_model_t bn_phase_model_implicit;

struct bn_phase {
  bn_ctx_t *ctx;
  char *input;
  const bn_phase_model_t *model;
  int cplx, K;  /* complex field (K = 2) or real (K = 1)          */
  int amp_data; /* the file's /y holds amplitudes |Ax| (else |Ax|^2) */
  int amp_loss; /* the method's loss: 0 intensity, 1 amplitude, 2
                   reweighted amplitude (raf-loss)                   */
  double beta;  /* raf-loss: 5 complex, 10 real (PhasePack's RAF)   */
  bn_phase_method_t method;
  bn_phase_init_t init;
  int auto_method;       /* --method=auto: bn_phase_choose picks method, init */
  int init_given;        /* --init was set (deck or command line)             */
  int power_iters;       /* -1: auto (phase_init.c) */
  unsigned fft_plan;     /* cdp: FFTW planner flag (--fft-plan) */
  bn_idx_t n, m, ml, nl; /* sizes; local measurements and entries of z */
  uint64_t seed;         /* implicit: the operator's seed */
  void *md;              /* model's own data (cdp: bn_cdp_t) */
  bn_dist_t *mdist, *xdist;
  double *y, *psi; /* ml intensities and amplitudes (both kept) */
  double lambda2;  /* mean(y): the estimate of |x|^2 */
  double *xt;      /* ground truth, the rank's K nl doubles, or NULL */
  /* Model data: stored rows (ml x K n) or a block of generated rows. */
  double *a, *blk;
  bn_idx_t blk_rows;
  /* Work space (bn_phase_prepare). */
  double *zf, *vf, *red; /* pass inputs z, v; [f | gradient] (vlen each) */
  size_t vlen;           /* K n, or K nl for a local model */
  size_t voff;           /* the rank's share's offset in such a vector */
  double *ub, *vb, *wb;  /* one block of A z, A v and kernel output */
  int *cnt, *dsp;        /* allgather counts of z's shares (doubles) */
  int64_t sweeps;        /* sweeps done (the WF step schedule's tau) */
  int t_gather, t_pass, t_reduce;
  /* The run's solves (phase_stage.c, phase_state.c): --method=auto on a
   * dense model solves again from another start when the first solve
   * ends at a poor fit, and returns to the first end point when the
   * second fits worse. */
  int solves;               /* finished (accepted) solves: 0 .. 3 */
  int want;                 /* solves the run needs: 1, 2 or 3    */
  bn_phase_solve_t done[3]; /* their records                      */
  double *xkeep;            /* the first solve's end (K nl doubles) */
  double *x0;               /* the run's start (--save-init)        */
  bn_history_t hist;        /* rows of the solves before the current */
  int64_t *hsolve;          /* the solve (1, 2, ...) of each row     */
  int64_t prior_its;        /* iterations of those solves            */
  double prior_secs;        /* and their seconds                     */
  bool stopped;             /* a signal ended the run (finish hook)  */
  bn_solver_t *solver;      /* the run's solver (start hook)         */
};

/* phase_opts.c. Collective: the options into s (method, start, input). */
extern const bn_optdef_t bn_phase_optdefs[];
bn_status_t bn_phase_options(bn_phase_t *s, const bn_opts_t *opts);
/* After the input is read: --method=auto's method and start, logged. */
void bn_phase_choose(bn_phase_t *s);

/* Collective: after the sizes and distributions are set, allocate the work
 * space and the count arrays. */
bn_status_t bn_phase_prepare(bn_phase_t *s);
void bn_phase_free(bn_phase_t *s);

/* Collective: z = the full iterate from the ranks' shares x. */
bn_status_t bn_phase_gather(bn_phase_t *s, const double *x, double *z);
/* Collective: sums red[0 .. len) over the ranks (one allreduce). */
bn_status_t bn_phase_reduce(bn_phase_t *s, size_t len);
/* Collective: the vector a pass reads for the iterate share x: x itself
 * for a local model, else the full vector gathered into buf (zf or vf). */
const double *bn_phase_view(bn_phase_t *s, const double *x, double *buf,
                            bn_status_t *st);
/* Collective: after a pass accumulated f in red[0] (when with_f) and a
 * gradient in red + 1 (when with_g), sums what needs summing -- for a
 * local model only f -- and copies the rank's share of the gradient
 * (red + 1 + voff) to g (K nl doubles) when g != NULL. */
bn_status_t bn_phase_finish(bn_phase_t *s, int with_f, int with_g, double *g);
/* Collective: the 2-norm of a pass vector (vlen doubles). */
double bn_phase_vnorm(bn_phase_t *s, const double *v);

bn_status_t bn_phase_eval(void *data, const double *x, double *f, double *g);
bn_status_t bn_phase_hvp(void *data, const double *x, const double *v,
                         double *hv);
bn_status_t bn_phase_metrics(void *data, const double *x, double *rel,
                             double *rmse);
bn_status_t bn_phase_init_point(void *data, const bn_opts_t *opts, double *x);
bn_status_t bn_phase_sweep(void *data, double *x);

/* phase.c. Collective: x and its attributes under prefix (a result's
 * /x), and the inverse (any process count). */
bn_status_t bn_phase_write_x(bn_phase_t *s, const double *x, bn_h5_t *f,
                             const char *prefix);
bn_status_t bn_phase_read_x(bn_phase_t *s, bn_h5_t *f, const char *prefix,
                            double *x);

/* phase_state.c. The problem's save and load (checkpoints: x, and while a
 * later solve runs the earlier solves' records, end point and history);
 * the run's history (the earlier solves' rows, then the solver's) into a
 * result; freeing the solves' memory. */
bn_status_t bn_phase_save(void *data, const double *x, bn_h5_t *f,
                          const char *prefix);
bn_status_t bn_phase_load(void *data, bn_h5_t *f, const char *prefix,
                          double *x);
bn_status_t bn_phase_history_write(bn_phase_t *s, bn_h5_t *f);
/* Collective: append the solver's history as the rows of solve `solve`. */
bn_status_t bn_phase_history_keep(bn_phase_t *s, const bn_history_t *h,
                                  int solve);
void bn_phase_solves_free(bn_phase_t *s);

/* phase_stage.c: the run's solves in the run frame. */
extern const bn_stage_ops_t bn_phase_stage_ops;

/* u = A z for the rank's measurements (ml entries, K doubles each) and
 * g += A^H w (z, g full, K n doubles), through the model's pass (local
 * for the dense models, collective for a local model). */
void bn_phase_forward(bn_phase_t *s, const double *z, double *u);
void bn_phase_adjoint(bn_phase_t *s, const double *w, double *g);

/* Row i of the gaussian/implicit A (K n doubles, interleaved if complex):
 * entries N(0, 1) (real) or CN(0, 1) (complex: re, im ~ N(0, 1/2)), keyed
 * by (seed, i): the same on any number of processes. */
void bn_phase_row(uint64_t seed, int cplx, bn_idx_t n, uint64_t i, double *row);

/* phase_gen_opts.c: `benign generate phase`, its options and run (collective).
 */
extern const bn_optdef_t bn_gen_phase_opts[];
bn_status_t bn_gen_phase_run(bn_ctx_t *ctx, bn_opts_t *opts);

#endif
