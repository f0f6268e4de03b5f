/* Phase retrieval: the coded diffraction pattern model (phase_cdp.h).
 *
 * A pass over the rank's measurements is, for each pattern l: load the
 * rank's rows of d_l .* z (z holds only the rank's rows: the model is
 * local, phase.h) into a work array, one distributed forward FFT
 * (FFTW-MPI, collective; the same for v when the pass has one), the
 * pointwise kernel on the rank's n0 w values of pattern l, and when a
 * gradient is asked for one backward FFT of the kernel's output and
 * g += conj(d_l) .* (that) on the rank's rows of g: no gather of z and
 * no reduction of g. 2L FFTs per gradient,
 * 3L per Hessian-vector product. Mask values are kept as one byte per
 * local (l, pixel) (a code into the 8 octanary values), drawn once. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/phase/phase_cdp.h"

enum { BN_PHASE_STREAM_MASK = 84 }; /* rng.h: >= 64; phase.h uses 80-83 */

/* code = b1 + 4 big: b1 in {1, -1, i, -i}, b2 = sqrt(3) if big else
 * sqrt(2)/2. */
static const double bn_cdp_val[8][2] = {
    {0.70710678118654752440, 0}, {-0.70710678118654752440, 0},
    {0, 0.70710678118654752440}, {0, -0.70710678118654752440},
    {1.73205080756887729353, 0}, {-1.73205080756887729353, 0},
    {0, 1.73205080756887729353}, {0, -1.73205080756887729353}};

static unsigned char bn_cdp_code(uint64_t seed, int l, bn_idx_t n, bn_idx_t j) {
  uint64_t idx = (uint64_t)l * (uint64_t)n + (uint64_t)j;
  int b1 = (int)(4.0 * bn_rng_uniform(seed, BN_PHASE_STREAM_MASK, idx, 0));
  if (b1 > 3) b1 = 3;
  int big = bn_rng_uniform(seed, BN_PHASE_STREAM_MASK, idx, 1) < 0.2;
  return (unsigned char)(b1 + 4 * big);
}

void bn_cdp_mask(uint64_t seed, int l, bn_idx_t n, bn_idx_t j, double d[2]) {
  unsigned char k = bn_cdp_code(seed, l, n, j);
  d[0] = bn_cdp_val[k][0];
  d[1] = bn_cdp_val[k][1];
}

void bn_cdp_free(bn_cdp_t *c) {
  if (!c) return;
  if (c->fwd) fftw_destroy_plan(c->fwd);
  if (c->bwd) fftw_destroy_plan(c->bwd);
  fftw_free(c->ub);
  fftw_free(c->vb);
  fftw_free(c->wb);
  free(c->code);
  free(c->norm2);
  free(c);
}

bn_status_t bn_cdp_create(bn_ctx_t *ctx, bn_idx_t h, bn_idx_t w, int L,
                          uint64_t seed, unsigned plan, bn_cdp_t **out) {
  bn_cdp_t *c = NULL;
  *out = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*c), &c)));
  MPI_Comm comm = bn_ctx_comm(ctx);
  /* Once per process in effect: FFTW 3.3 returns at once when already
   * initialised (mpi/api.c keeps a flag), so every problem instance may
   * call it; never paired with fftw_mpi_cleanup (other instances). */
  fftw_mpi_init();
  c->ctx = ctx;
  c->h = h;
  c->w = w;
  c->L = L;
  c->seed = seed;
  c->alloc =
      fftw_mpi_local_size_2d((ptrdiff_t)h, (ptrdiff_t)w, comm, &c->n0, &c->r0);
  size_t nl = (size_t)c->n0 * (size_t)w, al = (size_t)c->alloc;
  if (al < 1) al = 1;
  c->ub = fftw_alloc_complex(al);
  c->vb = fftw_alloc_complex(al);
  c->wb = fftw_alloc_complex(al);
  c->code = malloc(bn_size_add(bn_size_mul((size_t)L, nl), 1));
  c->norm2 = calloc((size_t)L, sizeof(double));
  bn_status_t st = c->ub && c->vb && c->wb && c->code && c->norm2
                       ? BN_OK
                       : BN_ERROR(ctx, BN_ERR_MEM,
                                  "out of memory for a %lld x %lld CDP "
                                  "operator",
                                  (long long)h, (long long)w);
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    memset(c->ub, 0, al * sizeof(fftw_complex));
    c->fwd = fftw_mpi_plan_dft_2d((ptrdiff_t)h, (ptrdiff_t)w, c->ub, c->ub,
                                  comm, FFTW_FORWARD, plan);
    c->bwd = fftw_mpi_plan_dft_2d((ptrdiff_t)h, (ptrdiff_t)w, c->ub, c->ub,
                                  comm, FFTW_BACKWARD, plan);
    st = bn_agree(ctx, c->fwd && c->bwd
                           ? BN_OK
                           : BN_ERROR(ctx, BN_ERR_LIB,
                                      "FFTW-MPI could not plan a %lld x %lld "
                                      "transform",
                                      (long long)h, (long long)w));
  }
  if (st == BN_OK) {
    const bn_idx_t n = h * w, j0 = (bn_idx_t)c->r0 * w;
    for (int l = 0; l < L; l++)
      for (size_t k = 0; k < nl; k++) {
        unsigned char q = bn_cdp_code(seed, l, n, j0 + (bn_idx_t)k);
        c->code[(size_t)l * nl + k] = q;
        c->norm2[l] += bn_cdp_val[q][0] * bn_cdp_val[q][0] +
                       bn_cdp_val[q][1] * bn_cdp_val[q][1];
      }
    if (MPI_Allreduce(MPI_IN_PLACE, c->norm2, L, MPI_DOUBLE, MPI_SUM, comm) !=
        MPI_SUCCESS)
      st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allreduce failed");
    c->t_fft = bn_timer_id(ctx, "cdp FFTs");
  }
  if (st != BN_OK) {
    bn_cdp_free(c);
    return st;
  }
  *out = c;
  return BN_OK;
}

void bn_cdp_forward(bn_cdp_t *c, int l, const double *z, fftw_complex *ub) {
  const size_t nl = (size_t)c->n0 * (size_t)c->w;
  const unsigned char *code = c->code + (size_t)l * nl;
  const double *zr = z;
  for (size_t k = 0; k < nl; k++) {
    const double *d = bn_cdp_val[code[k]];
    double a = zr[2 * k], b = zr[2 * k + 1];
    ub[k][0] = d[0] * a - d[1] * b;
    ub[k][1] = d[0] * b + d[1] * a;
  }
  bn_timer_start(c->ctx, c->t_fft);
  fftw_mpi_execute_dft(c->fwd, ub, ub);
  bn_timer_stop(c->ctx, c->t_fft);
}

void bn_cdp_adjoint(bn_cdp_t *c, int l, fftw_complex *wb, double *g) {
  const size_t nl = (size_t)c->n0 * (size_t)c->w;
  const unsigned char *code = c->code + (size_t)l * nl;
  double *gr = g;
  bn_timer_start(c->ctx, c->t_fft);
  fftw_mpi_execute_dft(c->bwd, wb, wb);
  bn_timer_stop(c->ctx, c->t_fft);
  for (size_t k = 0; k < nl; k++) {
    const double *d = bn_cdp_val[code[k]];
    double a = wb[k][0], b = wb[k][1];
    gr[2 * k] += d[0] * a + d[1] * b;
    gr[2 * k + 1] += d[0] * b - d[1] * a;
  }
}

static void bn_cdp_pass(bn_phase_t *s, const double *z, const double *v,
                        bn_phase_kernel_fn fn, void *kd, double *g) {
  bn_cdp_t *c = s->md;
  const bn_idx_t nl = (bn_idx_t)c->n0 * c->w;
  for (int l = 0; l < c->L; l++) {
    bn_cdp_forward(c, l, z, c->ub);
    if (v) bn_cdp_forward(c, l, v, c->vb);
    fn(s, kd, (bn_idx_t)l * nl, nl, (const double *)c->ub,
       v ? (const double *)c->vb : NULL, (double *)c->wb);
    if (g) bn_cdp_adjoint(c, l, c->wb, g);
  }
}

/* |a_(l,k)|^2 = sum_j |d_l(j)|^2 for every frequency k of pattern l. */
static void bn_cdp_norms2(bn_phase_t *s, double *out) {
  bn_cdp_t *c = s->md;
  const size_t nl = (size_t)c->n0 * (size_t)c->w;
  for (int l = 0; l < c->L; l++)
    for (size_t k = 0; k < nl; k++) out[(size_t)l * nl + k] = c->norm2[l];
}

/* The operator is made with the shape (bn_phase_cdp_shape). */
static bn_status_t bn_cdp_setup(bn_phase_t *s, bn_h5_t *f) {
  (void)f;
  bn_cdp_t *c = s->md;
  if ((bn_idx_t)c->L * (bn_idx_t)c->n0 * c->w != s->ml)
    return BN_ERROR_ALL(s->ctx, BN_ERR_LIB,
                        "cdp: the measurement distribution does not match "
                        "FFTW's slabs");
  return BN_OK;
}

static void bn_cdp_destroy(bn_phase_t *s) {
  bn_cdp_free(s->md);
  s->md = NULL;
}

int64_t bn_phase_cdp_global(const bn_phase_t *s, bn_idx_t k) {
  const bn_cdp_t *c = s->md;
  const bn_idx_t nl = (bn_idx_t)c->n0 * c->w;
  if (nl == 0) return 0;
  bn_idx_t l = k / nl, r = k % nl;
  return (int64_t)(l * c->h * c->w + (bn_idx_t)c->r0 * c->w + r);
}

const bn_phase_model_t bn_phase_model_cdp = {
    "cdp", bn_cdp_setup, bn_cdp_pass, bn_cdp_norms2, bn_cdp_destroy, 1};
