/* Shift-invariant comparison of kernels (blind deconvolution problems).
 *
 * A kernel recovered by a blind deconvolution is determined only up to a
 * circular shift and a signed scale; these helpers compare two kernels
 * modulo that ambiguity and bring one to a canonical form. Nothing here is
 * collective or communicates: every process may call them on its own
 * copies.
 *
 * Cost: bn_shift_error correlates the two arrays at every shift with one
 * pair of real-to-complex FFTs (FFTW_ESTIMATE plans made and destroyed in
 * the call, O(hw log hw)), then recomputes the inner product at the best
 * shift directly (O(hw)) so that the returned error keeps full precision
 * (down to ~1e-16) however large the arrays are. */
#ifndef BENIGN_PROBLEMS_SHIFTCORR_H
#define BENIGN_PROBLEMS_SHIFTCORR_H

#include <stddef.h>

/* Local (no communication). 1 - max over circular shifts tau and sign of
 * |<ahat, s_tau[a]>| / (||ahat|| ||a||) for two h x w arrays (row-major,
 * h = 1 for 1-D; the caller zero-pads a shorter kernel). *shift (may be
 * NULL) receives the best shift as a flat index tau0*w + tau1. Returns 1
 * when either array is zero. */
double bn_shift_error(const double *ahat, const double *a, size_t h, size_t w,
                      size_t *shift);

/* Local. The shift convention: s_tau[a](i0, i1) = a((i0 - tau0) mod h,
 * (i1 - tau1) mod w), i.e. the content of a moved forward by tau; the
 * error above is attained by ahat ~ +-s_tau[a] with tau the returned shift.
 * This applies it: out = s_tau[a], tau = (shift / w, shift % w); out and a
 * must not overlap. */
void bn_shift_apply(const double *a, size_t h, size_t w, size_t shift,
                    double *out);

/* Local. Canonical form of a kernel in place: circularly shifted so that
 * its largest-magnitude entry (the first one, in row-major order, on
 * ties) sits at index 0, multiplied by the sign that makes that entry
 * positive, and scaled to unit Euclidean norm. An all-zero array is left
 * as it is. Returns the flat index of the entry moved to 0 (0 for a zero
 * array). Uses a temporary of h w doubles; returns (size_t)-1 if it cannot
 * be allocated (the array is then unchanged). */
size_t bn_shift_canonical(double *a, size_t h, size_t w);

#endif
