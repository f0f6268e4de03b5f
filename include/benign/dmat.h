/* benign -- row-partitioned dense matrices.
 *
 * A bn_dmat has N global rows and k columns; each rank stores its own rows
 * contiguously, row-major (row i's k values are adjacent), so a factor row
 * u_i is one cache-friendly vector. */
#ifndef BENIGN_DMAT_H
#define BENIGN_DMAT_H

#include <stddef.h>

#include "benign/dist.h"

typedef struct bn_dmat bn_dmat_t;

/* Collective only in the sense that every rank must call it. Zero-filled. */
bn_status_t bn_dmat_create(bn_dist_t *dist, int ncols, bn_dmat_t **out);
bn_status_t bn_dmat_duplicate(const bn_dmat_t *a, bn_dmat_t **out); /* copy */
void bn_dmat_destroy(bn_dmat_t *a);

bn_ctx_t *bn_dmat_ctx(const bn_dmat_t *a);
bn_dist_t *bn_dmat_dist(const bn_dmat_t *a);
int bn_dmat_cols(const bn_dmat_t *a);
bn_idx_t bn_dmat_rows(const bn_dmat_t *a);       /* global */
bn_idx_t bn_dmat_local_rows(const bn_dmat_t *a); /* this rank */
bn_idx_t bn_dmat_first_row(const bn_dmat_t *a);  /* this rank */
double *bn_dmat_data(bn_dmat_t *a);              /* local rows, row-major */
const double *bn_dmat_cdata(const bn_dmat_t *a);

/* Local operations (no communication). */
void bn_dmat_zero(bn_dmat_t *a);
bn_status_t bn_dmat_copy(const bn_dmat_t *src, bn_dmat_t *dst);
void bn_dmat_scale(bn_dmat_t *a, double alpha);
bn_status_t bn_dmat_axpy(double alpha, const bn_dmat_t *x, bn_dmat_t *y);
/* Entry (i, j) = normal(seed, stream, i * ncols + j) * scale. */
void bn_dmat_fill_normal(bn_dmat_t *a, uint64_t seed, uint32_t stream,
                         double scale);
/* C = A * S, S is k_a x k_c row-major, replicated. C on A's distribution. */
bn_status_t bn_dmat_mul_small(const bn_dmat_t *a, const double *s, int kc,
                              bn_dmat_t *c);

/* Local Gram contribution: out (k_a x k_b, row-major) += A_local^T B_local.
 * Combine several with one bn_allreduce_sum. */
bn_status_t bn_dmat_gram_local(const bn_dmat_t *a, const bn_dmat_t *b,
                               double *out);
/* Collective: out = A^T B with one allreduce. */
bn_status_t bn_dmat_gram(const bn_dmat_t *a, const bn_dmat_t *b, double *out);
/* Collective: Frobenius inner product and norm. */
bn_status_t bn_dmat_dot(const bn_dmat_t *a, const bn_dmat_t *b, double *out);
bn_status_t bn_dmat_nrm2(const bn_dmat_t *a, double *out);

/* Collective: move rows to another distribution of the same global size. */
bn_status_t bn_dmat_redistribute(const bn_dmat_t *a, bn_dist_t *dist,
                                 bn_dmat_t **out);

/* Collective: sum n doubles in place across the context's ranks. */
bn_status_t bn_allreduce_sum(bn_ctx_t *ctx, double *buf, size_t n);

#endif
