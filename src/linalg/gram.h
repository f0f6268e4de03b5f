/* The lower triangle of a Gram matrix, g += a^T a, for the many small
 * systems of alternating least squares (a: k x n gathered rows, n up to a
 * few dozen, k up to a few hundred). Local: nothing here communicates.
 *
 * BLAS's dgemm computes the whole square at these sizes, and its dsyrk is
 * slower still; the kernel here computes only the tiles on and below the
 * diagonal, with the accumulators in registers (AVX-512 where the CPU has
 * it: chosen at run time, so a build for a generic x86-64 uses it too),
 * and falls back to dgemm elsewhere. Both give the same numbers up to
 * rounding; which one ran does not change any result's layout. */
#ifndef BN_LINALG_GRAM_H
#define BN_LINALG_GRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* g (n x n, row-major, leading dimension n) += a^T a on and below the
 * diagonal, a k x n row-major (leading dimension n). Entries above the
 * diagonal are left undefined (some get their a^T a values added, some do
 * not): read the lower triangle only. */
void bn_gram_lower(int n, int k, const double *a, double *g);

/* g (n x n) += a^T a on and below the diagonal for the k rows a_t = [x
 * row idx[t] (its first r = n - 1 - one values, rows ld apart), 1 if one,
 * y[t]], read where they are: the normal matrix of a least-squares
 * problem (features and an optional constant) with its right-hand side in
 * the last row; the last diagonal entry (y^T y) is left undefined. scratch (k x
 * n doubles) is used when no kernel for this n is compiled in (the rows are
 * gathered there for bn_gram_lower). */
void bn_gram_rows(int n, int one, int k, const double *x, size_t ld,
                  const uint32_t *idx, const double *y, double *scratch,
                  double *g);

/* The same through dgemm, whatever the CPU (for tests and comparison). */
void bn_gram_lower_blas(int n, int k, const double *a, double *g);

/* Whether bn_gram_lower runs the vector kernel on this CPU. */
bool bn_gram_vector(void);

#endif
