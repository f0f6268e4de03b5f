/* Synthetic symmetric matrices with known leading eigenpairs (see
 * include/benign/generate.h).
 *
 * A = sum over blocks b of Q_b diag(lambda_b) Q_b^T on the index set
 * {i : i mod nb = b} (nb = ceil(n / block) blocks, interleaved so that every
 * eigenvector spreads over the whole index range). Q_b is the orthogonal
 * factor of the SVD of a Gaussian block keyed by (seed, b, entry), so
 * every process that owns a row of block b computes the same Q_b. Column
 * c of block b carries eigenvalue slot t = c nb + b (a bijection onto
 * [0, n)): slot t < k gets 1 + gap (k - t), the others U(-1, 1). block = n
 * gives a dense A = Q diag(lambda) Q^T with a Haar-like Q; a small block a
 * sparse A with `block` entries per row. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/eig/eig.h"

static bn_status_t bn_egen_check(bn_ctx_t *ctx, bn_eig_gen_t *g) {
  int sparse = g->format && !strcmp(g->format, "sparse");
  if (!g->format || (!sparse && strcmp(g->format, "dense")))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--format=%s: expected dense or sparse",
                        g->format ? g->format : "");
  if (g->n < 1) return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--n must be positive");
  if (g->k < 1 || g->k > g->n || g->k > 4096)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--k=%d must be in [1, min(n, 4096)] (n = %lld)", g->k,
                        (long long)g->n);
  if (!(g->gap > 0) || !isfinite(g->gap))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--gap must be positive");
  if (g->block == 0) g->block = sparse ? (g->n < 16 ? g->n : 16) : g->n;
  if (g->block < 1 || g->block > g->n || g->block > 4096)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--block=%lld must be in [1, min(n, 4096)]",
                        (long long)g->block);
  if (!sparse && g->n > 100000)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--n=%lld is too large for a dense matrix: use "
                        "--format=sparse",
                        (long long)g->n);
  return BN_OK;
}

typedef struct bn_egen {
  const bn_eig_gen_t *g;
  bn_idx_t nb, bmax, r0, nl;
  double *u, *work; /* bmax^2 each, and bmax singular values */
} bn_egen_t;

static bn_idx_t bn_egen_size(const bn_egen_t *w, bn_idx_t b) {
  return (w->g->n - b + w->nb - 1) / w->nb;
}

static double bn_egen_lambda(const bn_eig_gen_t *g, bn_idx_t t) {
  if (t < g->k) return 1.0 + g->gap * (double)(g->k - t);
  return 2.0 * bn_rng_uniform(g->seed, BN_STREAM_SPECTRUM, (uint64_t)t, 0) -
         1.0;
}

/* Q_b into w->u (s x s, row-major, columns orthonormal). */
static bn_status_t bn_egen_block(bn_ctx_t *ctx, bn_egen_t *w, bn_idx_t b) {
  bn_idx_t s = bn_egen_size(w, b);
  uint64_t base = (uint64_t)b * (uint64_t)w->bmax * (uint64_t)w->bmax;
  double *gm = w->work, *sv = w->work + w->bmax * w->bmax;
  double *vt = sv + w->bmax;
  bn_rng_fill_normal(w->g->seed, BN_EIG_STREAM_Q, base, (size_t)(s * s), gm);
  return bn_small_svd(ctx, (int)s, (int)s, gm, w->u, sv, vt);
}

/* Fill the rank's rows of block b: dense rows of a (nl x n), or the
 * entries at rowpos[i] of row/col/val; and the truth columns. */
static void bn_egen_fill(bn_egen_t *w, bn_idx_t b, double *a,
                         const bn_idx_t *rowpos, int64_t *row, int64_t *col,
                         double *val, double *tx) {
  const bn_eig_gen_t *g = w->g;
  const bn_idx_t nb = w->nb, s = bn_egen_size(w, b);
  const double *u = w->u;
  double *lam = w->work; /* the Gaussian block is no longer needed */
  for (bn_idx_t c = 0; c < s; c++) lam[c] = bn_egen_lambda(g, c * nb + b);
  bn_idx_t p0 = w->r0 > b ? (w->r0 - b + nb - 1) / nb : 0;
  for (bn_idx_t p = p0; p < s && b + p * nb < w->r0 + w->nl; p++) {
    bn_idx_t i = b + p * nb, li = i - w->r0;
    for (bn_idx_t q = 0; q < s; q++) {
      /* The same operations for (p, q) and (q, p): A exactly symmetric. */
      double t = 0.0;
      for (bn_idx_t c = 0; c < s; c++)
        t += (u[p * s + c] * u[q * s + c]) * lam[c];
      bn_idx_t j = b + q * nb;
      if (a) {
        a[li * g->n + j] = t;
      } else {
        row[rowpos[li] + q] = i;
        col[rowpos[li] + q] = j;
        val[rowpos[li] + q] = t;
      }
    }
    for (bn_idx_t jt = b; jt < g->k; jt += nb) /* slot jt = (jt/nb) nb + b */
      tx[li * g->k + jt] = u[p * s + jt / nb];
  }
}

static bn_status_t bn_egen_attrs(bn_h5_t *f, const bn_eig_gen_t *g) {
  bn_status_t st = bn_h5_attr_set_str(f, "/", "creator", "benign generate eig");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "problem", "eig");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "storage", g->format);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "n", g->n);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "k", g->k);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "gap", g->gap);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "block", g->block);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "seed", (int64_t)g->seed);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  return st;
}

/* Collective: the sparse entries as /omega/row, col, val (rank order). */
static bn_status_t bn_egen_write_sparse(bn_ctx_t *ctx, bn_h5_t *f,
                                        const bn_eig_gen_t *g, bn_idx_t cnt,
                                        const int64_t *row, const int64_t *col,
                                        const double *val) {
  bn_idx_t start = 0, total = cnt;
  BN_MPI(ctx,
         MPI_Exscan(&cnt, &start, 1, BN_IDX_MPI, MPI_SUM, bn_ctx_comm(ctx)));
  if (bn_ctx_rank(ctx) == 0) start = 0;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &total, 1, BN_IDX_MPI, MPI_SUM,
                            bn_ctx_comm(ctx)));
  BN_CALL(ctx, bn_h5_write_i64(f, "/omega/row", total, start, cnt, row));
  BN_CALL(ctx, bn_h5_write_i64(f, "/omega/col", total, start, cnt, col));
  BN_CALL(ctx, bn_h5_write_f64(f, "/omega/val", total, start, cnt, val));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/omega", "rows", g->n));
  return bn_h5_attr_set_i64(f, "/omega", "cols", g->n);
}

bn_status_t bn_generate_eig(bn_ctx_t *ctx, const bn_eig_gen_t *gin,
                            const char *output) {
  bn_eig_gen_t g = *gin;
  BN_CALL(ctx, bn_agree(ctx, bn_egen_check(ctx, &g)));
  const int sparse = !strcmp(g.format, "sparse");
  bn_egen_t w = {&g, 0, 0, 0, 0, NULL, NULL};
  w.nb = (g.n + g.block - 1) / g.block;
  w.bmax = (g.n + w.nb - 1) / w.nb;
  double bytes = 8.0 * (sparse ? 3.0 * (double)g.n * (double)w.bmax
                               : (double)g.n * (double)g.n) +
                 8.0 * (double)g.n * g.k;
  BN_CALL(ctx, bn_h5_check_output(ctx, output, NULL));
  BN_CALL(ctx, bn_h5_check_space(ctx, output, bytes));
  bn_dist_t *dist = NULL;
  bn_dmat_t *am = NULL, *tm = NULL;
  bn_idx_t *rowpos = NULL, cnt = 0;
  int64_t *ri = NULL;
  double *val = NULL;
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_dist_create_uniform(ctx, g.n, &dist));
  w.r0 = bn_dist_first(dist);
  w.nl = bn_dist_local(dist);
  size_t b2 = (size_t)(w.bmax * w.bmax);
  bn_status_t st = bn_dmat_create(dist, g.k, &tm);
  if (st == BN_OK && !sparse) st = bn_dmat_create(dist, (int)g.n, &am);
  if (st == BN_OK)
    st = bn_mallocn(
        ctx, bn_size_add(bn_size_mul(3, b2), bn_size_mul(2, (size_t)w.bmax)),
        sizeof(double), &w.u);
  if (st == BN_OK && sparse) {
    st = bn_mallocn(ctx, (size_t)w.nl + 1, sizeof(bn_idx_t), &rowpos);
    for (bn_idx_t i = 0; st == BN_OK && i <= w.nl; i++) {
      rowpos[i] = cnt;
      if (i < w.nl) cnt += bn_egen_size(&w, (w.r0 + i) % w.nb);
    }
    if (st == BN_OK)
      st = bn_mallocn(ctx, bn_size_add(bn_size_mul(2, (size_t)cnt), 1),
                      sizeof(int64_t), &ri);
    if (st == BN_OK)
      st = bn_mallocn(ctx, (size_t)cnt + 1, sizeof(double), &val);
  }
  st = bn_agree(ctx, st);
  if (st == BN_OK) w.work = w.u + b2;
  /* Blocks that touch this rank's rows: all of them once nl >= nb. */
  for (bn_idx_t b = 0; b < w.nb && st == BN_OK; b++) {
    bn_idx_t p0 = w.r0 > b ? (w.r0 - b + w.nb - 1) / w.nb : 0;
    if (b + p0 * w.nb >= w.r0 + w.nl || p0 >= bn_egen_size(&w, b)) continue;
    st = bn_egen_block(ctx, &w, b);
    if (st == BN_OK)
      bn_egen_fill(&w, b, am ? bn_dmat_data(am) : NULL, rowpos, ri,
                   ri ? ri + cnt : NULL, val, bn_dmat_data(tm));
  }
  st = bn_agree(ctx, st);
  if (st == BN_OK) st = bn_h5_create(ctx, output, bytes, &f);
  if (st == BN_OK && !sparse) st = bn_h5_write_dmat(f, "/A", am);
  if (st == BN_OK && sparse)
    st = bn_egen_write_sparse(ctx, f, &g, cnt, ri, ri + cnt, val);
  if (st == BN_OK) st = bn_h5_write_dmat(f, "/truth/X", tm);
  if (st == BN_OK) {
    double lam[g.k];
    for (int j = 0; j < g.k; j++) lam[j] = bn_egen_lambda(&g, j);
    st = bn_h5_write_f64(f, "/truth/eigenvalues", g.k, 0,
                         bn_ctx_rank(ctx) == 0 ? g.k : 0, lam);
  }
  if (st == BN_OK) st = bn_egen_attrs(f, &g);
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  free(w.u);
  free(rowpos);
  free(ri);
  free(val);
  bn_dmat_destroy(am);
  bn_dmat_destroy(tm);
  bn_dist_destroy(dist);
  return st;
}
