/* Phase retrieval: the dense Gaussian measurement models.
 *
 *   gaussian  the rank's rows of A read from /A (m x n x 2 complex, m x n
 *             real) and kept in memory: K n ml doubles per process;
 *   implicit  the rows regenerated at every pass from (seed, row index)
 *             with the Philox generator of matrix sensing
 *             (bn_sense_normals), never stored: `generate phase
 *             --model=gaussian` stores exactly these rows.
 *
 * A pass goes over the rank's rows in blocks of about 1 MB, so a block
 * read for u = A_blk z is still in cache for g += A_blk^H w (one trip
 * through memory per evaluation), and each implicit row is drawn once per
 * pass. Complex blocks use zgemv (the rows are interleaved re/im, the
 * layout of double complex), real ones dgemv. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/sense.h"
#include "problems/phase/phase.h"

#define BN_PHASE_BLOCK_DOUBLES ((size_t)1 << 17) /* 1 MB of rows */

void bn_phase_row(uint64_t seed, int cplx, bn_idx_t n, uint64_t i,
                  double *row) {
  size_t len = (size_t)n * (cplx ? 2 : 1);
  bn_sense_normals(seed, BN_PHASE_STREAM_A, i, len, row);
  if (cplx) /* CN(0, 1): real and imaginary parts of variance 1/2 */
    for (size_t k = 0; k < len; k++) row[k] *= 0.70710678118654752440;
}

/* Rows [k0, k0 + nb) of the rank's A. */
static const double *bn_phase_rows(bn_phase_t *s, bn_idx_t k0, bn_idx_t nb) {
  size_t per = (size_t)s->K * (size_t)s->n;
  if (s->a) return s->a + (size_t)k0 * per;
  bn_idx_t i0 = bn_dist_first(s->mdist) + k0;
  for (bn_idx_t k = 0; k < nb; k++)
    bn_phase_row(s->seed, s->cplx, s->n, (uint64_t)(i0 + k),
                 s->blk + (size_t)k * per);
  return s->blk;
}

static void bn_phase_dense_pass(bn_phase_t *s, const double *z, const double *v,
                                bn_phase_kernel_fn fn, void *kd, double *g) {
  const int n = (int)s->n;
  const double one[2] = {1.0, 0.0}, zero[2] = {0.0, 0.0};
  for (bn_idx_t k0 = 0; k0 < s->ml; k0 += s->blk_rows) {
    bn_idx_t nb = s->ml - k0 < s->blk_rows ? s->ml - k0 : s->blk_rows;
    const double *ab = bn_phase_rows(s, k0, nb);
    if (s->cplx) {
      cblas_zgemv(CblasRowMajor, CblasNoTrans, (int)nb, n, one, ab, n, z, 1,
                  zero, s->ub, 1);
      if (v)
        cblas_zgemv(CblasRowMajor, CblasNoTrans, (int)nb, n, one, ab, n, v, 1,
                    zero, s->vb, 1);
    } else {
      cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nb, n, 1.0, ab, n, z, 1,
                  0.0, s->ub, 1);
      if (v)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nb, n, 1.0, ab, n, v, 1,
                    0.0, s->vb, 1);
    }
    fn(s, kd, k0, nb, s->ub, v ? s->vb : NULL, s->wb);
    if (!g) continue;
    if (s->cplx)
      cblas_zgemv(CblasRowMajor, CblasConjTrans, (int)nb, n, one, ab, n, s->wb,
                  1, one, g, 1);
    else
      cblas_dgemv(CblasRowMajor, CblasTrans, (int)nb, n, 1.0, ab, n, s->wb, 1,
                  1.0, g, 1);
  }
}

static void bn_phase_dense_norms2(bn_phase_t *s, double *out) {
  size_t per = (size_t)s->K * (size_t)s->n;
  for (bn_idx_t k0 = 0; k0 < s->ml; k0 += s->blk_rows) {
    bn_idx_t nb = s->ml - k0 < s->blk_rows ? s->ml - k0 : s->blk_rows;
    const double *ab = bn_phase_rows(s, k0, nb);
    for (bn_idx_t k = 0; k < nb; k++) {
      const double *r = ab + (size_t)k * per;
      out[k0 + k] = cblas_ddot((int)per, r, 1, r, 1);
    }
  }
}

/* Rows per block, and the block buffers of the pass. */
static bn_status_t bn_phase_dense_alloc(bn_phase_t *s, int generated) {
  size_t per = (size_t)s->K * (size_t)s->n;
  bn_idx_t b = (bn_idx_t)(BN_PHASE_BLOCK_DOUBLES / per);
  if (b < 1) b = 1;
  if (b > s->ml) b = s->ml > 0 ? s->ml : 1;
  s->blk_rows = b;
  size_t w = (size_t)s->K * (size_t)b;
  bn_status_t st =
      bn_mallocn(s->ctx, bn_size_mul(3, w), sizeof(double), &s->ub);
  if (st == BN_OK) {
    s->vb = s->ub + w;
    s->wb = s->vb + w;
  }
  if (st == BN_OK && generated)
    st = bn_mallocn(s->ctx, bn_size_mul((size_t)b, per), sizeof(double),
                    &s->blk);
  return bn_agree(s->ctx, st);
}

static bn_status_t bn_phase_gaussian_setup(bn_phase_t *s, bn_h5_t *f) {
  bn_ctx_t *ctx = s->ctx;
  size_t per = (size_t)s->K * (size_t)s->n;
  BN_CALL(ctx, bn_phase_dense_alloc(s, 0));
  BN_CALL(
      ctx,
      bn_agree(ctx,
               bn_mallocn(ctx, bn_size_add(bn_size_mul((size_t)s->ml, per), 1),
                          sizeof(double), &s->a)));
  BN_CALL(ctx,
          bn_h5_read_slab_f64(f, "/A", bn_dist_first(s->mdist), s->ml, s->a));
  int64_t bad = INT64_MAX;
  for (size_t k = 0; k < (size_t)s->ml * per; k++)
    if (!isfinite(s->a[k])) {
      bad = bn_dist_first(s->mdist) + (int64_t)(k / per);
      break;
    }
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT64_T, MPI_MIN,
                            bn_ctx_comm(ctx)));
  if (bad != INT64_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /A row %lld holds a NaN or infinite value",
                        s->input, (long long)bad);
  return BN_OK;
}

static bn_status_t bn_phase_implicit_setup(bn_phase_t *s, bn_h5_t *f) {
  (void)f;
  return bn_phase_dense_alloc(s, 1);
}

static void bn_phase_dense_destroy(bn_phase_t *s) {
  free(s->a);
  free(s->blk);
  free(s->ub);
  s->a = s->blk = s->ub = NULL;
}

const bn_phase_model_t bn_phase_model_gaussian = {"gaussian",
                                                  bn_phase_gaussian_setup,
                                                  bn_phase_dense_pass,
                                                  bn_phase_dense_norms2,
                                                  bn_phase_dense_destroy,
                                                  0};

const bn_phase_model_t bn_phase_model_implicit = {"implicit",
                                                  bn_phase_implicit_setup,
                                                  bn_phase_dense_pass,
                                                  bn_phase_dense_norms2,
                                                  bn_phase_dense_destroy,
                                                  0};
