/* Phase retrieval, coded diffraction patterns: the operator, private to
 * src/problems/phase_cdp*.c and phase.c.
 *
 * x is an h x w complex image, flattened row-major (pixel j = r w + c,
 * the layout of /x_true, n x 2). Pattern l = 0..L-1 measures
 *   (A_l x) = F(d_l .* x),   F the unnormalised 2-D DFT (FFTW_FORWARD),
 * so row (l, k) of A has |a|^2 = sum_j |d_l(j)|^2 (about n, as for the
 * Gaussian rows: the step sizes and norm estimates of phase.h carry
 * over). The adjoint is A^H [v_l] = sum_l conj(d_l) .* F^H v_l with F^H
 * the unnormalised FFTW_BACKWARD transform (exact: F^H F = n I).
 * Masks are octanary (Candes, Li, Soltanolkotabi): d = b1 b2, b1 in
 * {1, -1, i, -i} uniformly, b2 = sqrt(2)/2 w.p. 4/5 and sqrt(3) w.p. 1/5,
 * drawn from the counter-based generator keyed by (seed, l n + j): never
 * stored in the file, the same on any number of processes.
 *
 * Distribution: FFTW-MPI's slab decomposition on the problem's
 * communicator; a rank owns image rows [r0, r0 + n0) and the measurements
 * (l, r, c) of those rows for every l, in the local order (l, r - r0, c).
 * /y is stored L x h x w (pattern, row, column). */
#ifndef BN_PROBLEMS_PHASE_CDP_H
#define BN_PROBLEMS_PHASE_CDP_H

#include <fftw3-mpi.h>

#include "problems/phase/phase.h"

typedef struct bn_cdp {
  bn_ctx_t *ctx;
  bn_idx_t h, w;
  int L;
  uint64_t seed;
  ptrdiff_t n0, r0, alloc; /* FFTW's local rows, first row, alloc_local */
  fftw_plan fwd, bwd;      /* in place on ub (executed on ub, vb, wb) */
  fftw_complex *ub, *vb, *wb;
  unsigned char *code; /* L n0 w mask codes, local order */
  double *norm2;       /* L: sum_j |d_l(j)|^2 over the whole image */
  int t_fft;
} bn_cdp_t;

/* Collective: FFTW-MPI set up for an h x w image with L patterns, the
 * plans made once with the planner flag `plan` (FFTW_ESTIMATE, or
 * FFTW_MEASURE: a few seconds at 1024^2, then transforms about 6x faster
 * here, at the price of plans -- so rounding -- that may differ between
 * runs), the rank's mask codes drawn. */
bn_status_t bn_cdp_create(bn_ctx_t *ctx, bn_idx_t h, bn_idx_t w, int L,
                          uint64_t seed, unsigned plan, bn_cdp_t **out);
void bn_cdp_free(bn_cdp_t *c);
/* Collective: ub = F(d_l .* z), z the rank's rows (2 n0 w doubles). */
void bn_cdp_forward(bn_cdp_t *c, int l, const double *z, fftw_complex *ub);
/* Collective: g += conj(d_l) .* F^H wb, g the rank's rows (2 n0 w
 * doubles); wb is overwritten. */
void bn_cdp_adjoint(bn_cdp_t *c, int l, fftw_complex *wb, double *g);
/* The mask value d_l(j) (j global), from the generator. */
void bn_cdp_mask(uint64_t seed, int l, bn_idx_t n, bn_idx_t j, double d[2]);

/* Collective: the 3-D dataset /y (L x h x w) read or written for the
 * rank's rows: buf holds L n0 w doubles in the local order. */
bn_status_t bn_cdp_h5_read(bn_h5_t *f, const char *name, const bn_cdp_t *c,
                           double *buf);
bn_status_t bn_cdp_h5_write(bn_h5_t *f, const char *name, const bn_cdp_t *c,
                            const double *buf);

/* For phase.c. Collective: h, w, L, seed from /y's attributes, checked
 * against /y's shape d (3-D); creates the operator in s->md, sets n, the
 * field and both distributions (slab rows). */
bn_status_t bn_phase_cdp_shape(bn_phase_t *s, bn_h5_t *f, const bn_idx_t *d);
/* Collective: the rank's /y in the local order. */
bn_status_t bn_phase_cdp_read_y(bn_phase_t *s, bn_h5_t *f, double *y);
/* The global index (l h w + r w + c) of the rank's measurement k. */
int64_t bn_phase_cdp_global(const bn_phase_t *s, bn_idx_t k);

extern const bn_phase_model_t bn_phase_model_cdp;

#endif
