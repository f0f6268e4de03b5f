/* One sparse row times a dense block, and its transpose, for the sketch
 * products of the randomized SVD on observed entries (the spectral start
 * of completion): k-wide rows of a dense matrix picked by index. Local:
 * nothing here communicates. With AVX-512 (chosen at run time) and k <=
 * 64 the k sums stay in vector registers through the row's entries;
 * otherwise plain loops. */
#ifndef BN_LINALG_SPMM_H
#define BN_LINALG_SPMM_H

#include <stddef.h>
#include <stdint.h>

/* y[0, k) += sum_t w[t] x[idx[t] * ld + (0, k)] over t < cnt. */
void bn_spmm_row(int k, int cnt, const uint32_t *idx, const double *w,
                 const double *x, size_t ld, double *y);

/* x[idx[t] * ld + (0, k)] += w[t] y[0, k) for t < cnt (idx without
 * repeats within the call, as the columns of one row are). */
void bn_spmm_row_t(int k, int cnt, const uint32_t *idx, const double *w,
                   const double *y, double *x, size_t ld);

#endif
