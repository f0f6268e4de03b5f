/* Short-and-sparse blind deconvolution (SaS-BD): y = a0 (*) x0 with a0
 * short (k or k x k) and x0 sparse, by the bilinear lasso
 *
 *   min over a on the sphere, x of  1/2 ||y - a (*) x||^2 + lambda ||x||_1
 *
 * (circular convolution) solved by inertial alternating descent (iADM)
 * with a homotopy continuation on lambda. The kernel lives in a window of
 * K = 3k - 2 (K x K) entries so that a shifted copy of a0 fits whole; it is
 * recentered between homotopy stages (x shifted the opposite way) and
 * reported in canonical form at the end.
 *
 * Layout. A 2-D image h x w is distributed by slabs of rows, FFTW-MPI's
 * (fftw_mpi_local_size_2d_transposed): process p owns rows [r0, r0 + n0)
 * of the real arrays and columns [c0, c0 + nc) of the spectra, which are
 * kept transposed (FFTW_MPI_TRANSPOSED_OUT / _IN: a forward + backward
 * pair skips two of its four global transposes; every spectral operation
 * here is pointwise, so the order does not matter). A 1-D
 * signal (h = 1) is replicated: every process holds all of it and
 * computes the same thing with serial FFTW (a signal of 10^8 samples is
 * under 1 GB; replication needs no communication and gives bit-identical
 * answers at every process count). Real arrays are stored in FFTW's
 * padded in-place layout (row stride ws = 2 (w/2 + 1)), spectra as
 * nc x h (2-D, transposed) or w/2 + 1 (1-D) complex values; the kernel
 * window is replicated.
 * Internal to the library and its tests. */
#ifndef BN_PROBLEMS_SASD_H
#define BN_PROBLEMS_SASD_H

#include <fftw3-mpi.h>
#include <stdbool.h>

#include "benign/benign.h"
#include "benign/sasd.h"

enum {
  BN_SASD_STREAM_SUPPORT = 90,
  BN_SASD_STREAM_VALUE = 91,
  BN_SASD_STREAM_KERNEL = 92,
  BN_SASD_STREAM_NOISE = 93,
  BN_SASD_STREAM_INIT = 94
};

/* The FFT grid of one signal or image. */
typedef struct bn_sasd_grid {
  bn_ctx_t *ctx;
  int dims;        /* 1 or 2                                  */
  bn_idx_t h, w;   /* global shape (h = 1 in 1-D)              */
  bn_idx_t n0, r0; /* local rows [r0, r0 + n0)                 */
  size_t wc, ws;   /* w/2 + 1 complex, 2 wc real per row       */
  size_t alloc;    /* complex values per array (>= 1)          */
  bn_idx_t c0, nc; /* 2-D: local spectral columns (transposed) */
  size_t ns;       /* local spectral values                    */
  bool replicated; /* 1-D: sums are local, no allreduce        */
  fftw_plan fwd, bwd;
  fftw_complex *work; /* the plans' in-place array              */
  int t_fft;
} bn_sasd_grid_t;

/* Collective. 1-D (h = 1, replicated) or 2-D (FFTW-MPI slabs); plans
 * with FFTW_MEASURE when `measure`, else FFTW_ESTIMATE. */
bn_status_t bn_sasd_grid_create(bn_ctx_t *ctx, int dims, bn_idx_t h, bn_idx_t w,
                                bool measure, bn_sasd_grid_t **out);
void bn_sasd_grid_free(bn_sasd_grid_t *g);
/* Collective (2-D): the transforms in place on buf (from bn_sasd_alloc);
 * backward is unnormalized (times h w). */
void bn_sasd_fft_fwd(bn_sasd_grid_t *g, fftw_complex *buf);
void bn_sasd_fft_bwd(bn_sasd_grid_t *g, fftw_complex *buf);
/* Not collective: an array of g->alloc complex values (zeroed), or NULL. */
fftw_complex *bn_sasd_alloc(const bn_sasd_grid_t *g);
/* Collective (2-D): sum or max of n doubles over processes (in place);
 * nothing in 1-D. */
bn_status_t bn_sasd_sum(bn_sasd_grid_t *g, double *v, int n);
bn_status_t bn_sasd_max(bn_sasd_grid_t *g, double *v, int n);
/* The frequency (row f0, column c of the half spectrum) of local spectral
 * value q, and its multiplicity in Parseval's sum (1 or 2). */
static inline size_t bn_sasd_col(const bn_sasd_grid_t *g, size_t q) {
  return g->dims == 2 ? (size_t)g->c0 + q / (size_t)g->h : q;
}
static inline bn_idx_t bn_sasd_row(const bn_sasd_grid_t *g, size_t q) {
  return g->dims == 2 ? (bn_idx_t)(q % (size_t)g->h) : 0;
}
static inline double bn_sasd_wq(const bn_sasd_grid_t *g, size_t q) {
  size_t c = bn_sasd_col(g, q);
  return c == 0 || (g->w % 2 == 0 && c == g->wc - 1) ? 1.0 : 2.0;
}
/* Collective: the spectrum of a kh x kw kernel (row-major) placed at the
 * origin of the grid, computed in place in out. */
void bn_sasd_kernel_spec(bn_sasd_grid_t *g, const double *a, int kh, int kw,
                         fftw_complex *out);
/* Collective: the spectrum of a real array (padded layout), in out. */
void bn_sasd_real_spec(bn_sasd_grid_t *g, const double *x, fftw_complex *out);
/* Collective: x <- x circularly shifted forward by (d0, d1), through the
 * spectrum: the real array x (padded layout) is overwritten; uses work. */
void bn_sasd_shift(bn_sasd_grid_t *g, double *x, bn_idx_t d0, bn_idx_t d1);
/* Collective: the kh x kw window at the origin of the real array in buf
 * (padded layout) times `scale`, summed over processes, to out. */
bn_status_t bn_sasd_window(bn_sasd_grid_t *g, const fftw_complex *buf, int kh,
                           int kw, double scale, double *out);

/* The problem (opaque in benign/sasd.h). */
struct bn_sasd {
  bn_ctx_t *ctx;
  bn_sasd_grid_t *g;
  int k;           /* kernel size (per dimension)             */
  int K, kh, kw;   /* window 3k - 2; kh = K or 1, kw = K      */
  fftw_complex *Y; /* spectrum of y                           */
  double ynorm2;   /* ||y||^2                                 */
  double *a_true;  /* k^dims values or NULL                   */
  double *y;       /* the local rows of y (padded layout)     */
};

/* The iADM state (bn_sasd_state_t of benign/sasd.h): the iterates and
 * their spectra, the previous ones (inertia), lambda, the step constants,
 * the objective and the counters; r is the result being built (its
 * counters and history are part of the state). */
struct bn_sasd_state {
  bn_sasd_t *s;
  bn_sasd_grid_t *g;
  const bn_sasd_params_t *p;
  bn_sasd_result_t *r;
  fftw_complex *Xh, *Xhp, *A, *Ap, *T;
  double *x, *xp;
  double *a, *ap, *z, *ga, *tw; /* window, kh kw values */
  double *truth_w;              /* a_true padded to the window, or NULL */
  size_t nw;
  double Lx, La, lambda, F, change, resid, x2, l1;
  bool restart;
  int64_t in_stage; /* iterations in the current stage */
  double t0;
};

/* Collective: a problem with kernel size k on an h x w grid (h = 1 in
 * 1-D); the caller then fills s->y (its rows [r0, r0 + n0) in padded
 * layout, zero padding) and s->a_true (optional, malloc'd k^dims values)
 * and calls bn_sasd_ready, which checks y (finite, not all zero; agreed)
 * and takes its spectrum. */
bn_status_t bn_sasd_setup(bn_ctx_t *ctx, int dims, bn_idx_t h, bn_idx_t w,
                          int k, bool measure, bn_sasd_t **out);
bn_status_t bn_sasd_ready(bn_sasd_t *s);

/* Collective. The smooth part psi(a, x) = 1/2 ||y - a (*) x||^2 for a in
 * the window (kh x kw) given by its spectrum A and x by its spectrum X:
 * *f = psi; when gx is not NULL, the x-gradient C_a^T (a (*) x - y) in
 * padded layout (2 alloc doubles); when ga is not NULL, the Euclidean
 * a-gradient C_x^T (a (*) x - y) on the window (kh kw values). Uses
 * g->work. */
bn_status_t bn_sasd_psi(bn_sasd_t *s, const fftw_complex *A,
                        const fftw_complex *X, double *f, double *gx,
                        double *ga);

/* Local: kernel error of a k^dims kernel against the truth (both zero-
 * padded to the window so circular shifts act as linear ones). */
double bn_sasd_kernel_error(const bn_sasd_t *s, const double *a);

/* Local: the true kernel (k^dims values, unit norm) of a generator. */
void bn_sasd_gen_kernel(const bn_sasd_gen_t *p, double *a);

/* sasd_opts.c: the options of `benign sasd` (a complete table) and
 * their checks into p (*k: --kernel-size); `benign generate sasd`'s
 * options and run. Collective (agreed errors). */
extern const bn_optdef_t bn_sasd_optdefs[];
bn_status_t bn_sasd_read_params(bn_ctx_t *ctx, const bn_opts_t *o,
                                bn_sasd_params_t *p, int64_t *k);
extern const bn_optdef_t bn_gen_sasd_opts[];
bn_status_t bn_gen_sasd_run(bn_ctx_t *ctx, bn_opts_t *opts);

/* sasd_run.c: the problem's table (its own iteration in the run frame). */
extern const bn_problem_ops_t bn_problem_sasd;

#endif
