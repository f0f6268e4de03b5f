/* Distributed dense linear algebra: block-cyclic round trip, thin QR and
 * the randomized SVD, each against independently computed values. */
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/dense.h"
#include "benign/error.h"
#include "benign/plan.h"
#include "benign/rng.h"
#include "check.h"
#include "linalg/scalapack_decl.h"

enum { SEED = 2024 };

static double entry(uint32_t stream, bn_idx_t i, int j, int k) {
  return bn_rng_normal(SEED, stream, (uint64_t)(i * k + j), 0);
}

/* A distribution of n rows with uneven blocks (weights rising with i). */
static bn_dist_t *uneven(bn_ctx_t *ctx, bn_idx_t n) {
  int p = bn_ctx_size(ctx), me = bn_ctx_rank(ctx);
  bn_idx_t lo = bn_uniform_offset(n, p, me),
           hi = bn_uniform_offset(n, p, me + 1);
  double *w = malloc((size_t)(hi - lo + 1) * sizeof(double));
  for (bn_idx_t i = lo; i < hi; i++) w[i - lo] = 1.0 + (double)(i % 3) * i;
  bn_dist_t *d = NULL;
  CHECK_OK(ctx, bn_dist_create_weighted(ctx, n, w, &d));
  free(w);
  return d;
}

static double max_over_ranks(double v) {
  MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return v;
}

/* Every local block-cyclic entry holds the right global entry, and the way
 * back reproduces the matrix exactly on another distribution. */
static void test_bc(bn_ctx_t *ctx, int nprow, int npcol, int mb, int nb) {
  const bn_idx_t n = 37;
  const int k = 5;
  bn_dist_t *d = uneven(ctx, n), *du = NULL;
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, n, &du));
  bn_dmat_t *a = NULL, *b = NULL;
  bn_bcmat_t *m = NULL;
  CHECK_OK(ctx, bn_dmat_create(d, k, &a));
  CHECK_OK(ctx, bn_dmat_create(du, k, &b));
  bn_dmat_fill_normal(a, SEED, BN_STREAM_TRUTH_U, 1.0);
  CHECK_OK(ctx, bn_dmat_to_bc(a, nprow, npcol, mb, nb, &m));
  const int *desc = bn_bcmat_desc(m);
  int pr, pc, myrow, mycol, lr, lc;
  Cblacs_gridinfo(desc[BN_DESC_CTXT], &pr, &pc, &myrow, &mycol);
  CHECK(pr * pc == bn_ctx_size(ctx), "grid %d x %d", pr, pc);
  if (nprow) CHECK(pr == nprow && pc == npcol, "grid %d x %d", pr, pc);
  CHECK(desc[BN_DESC_M] == n && desc[BN_DESC_N] == k, "global shape");
  const double *loc = bn_bcmat_local(m, &lr, &lc);
  int lld = desc[BN_DESC_LLD], bad = 0, count = lr * lc;
  for (int lj = 0; lj < lc; lj++)
    for (int li = 0; li < lr; li++) {
      bn_idx_t gi = (bn_idx_t)(li / mb) * pr * mb + myrow * mb + li % mb;
      int gj = (lj / nb) * pc * nb + mycol * nb + lj % nb;
      bad += loc[li + (size_t)lj * lld] != entry(BN_STREAM_TRUTH_U, gi, gj, k);
    }
  CHECK(bad == 0, "%d block-cyclic entries differ", bad);
  MPI_Allreduce(MPI_IN_PLACE, &count, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  CHECK(count == n * k, "local blocks hold %d entries", count);

  CHECK_OK(ctx, bn_bc_to_dmat(m, b));
  bad = 0;
  bn_idx_t first = bn_dmat_first_row(b);
  for (bn_idx_t i = 0; i < bn_dmat_local_rows(b); i++)
    for (int j = 0; j < k; j++)
      bad += bn_dmat_cdata(b)[i * k + j] !=
             entry(BN_STREAM_TRUTH_U, first + i, j, k);
  CHECK(bad == 0, "%d entries differ after the round trip", bad);
  bn_bcmat_destroy(m);
  bn_dmat_destroy(a);
  bn_dmat_destroy(b);
  bn_dist_destroy(d);
  bn_dist_destroy(du);
}

/* Q^T Q = I, Q R = A, and R = chol(A^T A): the positive-diagonal R is
 * unique, so this also pins the result independently of the process
 * count. */
static void test_qr(bn_ctx_t *ctx, bn_idx_t n, int k) {
  bn_dist_t *d = uneven(ctx, n);
  bn_dmat_t *q = NULL, *a0 = NULL, *qr = NULL;
  CHECK_OK(ctx, bn_dmat_create(d, k, &q));
  bn_dmat_fill_normal(q, SEED, BN_STREAM_TRUTH_V, 1.0);
  CHECK_OK(ctx, bn_dmat_duplicate(q, &a0));
  CHECK_OK(ctx, bn_dmat_create(d, k, &qr));
  double *r = calloc((size_t)k * k, sizeof(double));
  double *g = calloc((size_t)k * k, sizeof(double));
  double *rc = calloc((size_t)k * k, sizeof(double));
  CHECK_OK(ctx, bn_dmat_qr(q, r));

  CHECK_OK(ctx, bn_dmat_gram(q, q, g));
  double err = 0.0;
  for (int x = 0; x < k; x++)
    for (int y = 0; y < k; y++)
      err = fmax(err, fabs(g[x * k + y] - (x == y ? 1.0 : 0.0)));
  CHECK(err < 1e-12, "N=%lld k=%d: |Q^T Q - I| = %g", (long long)n, k, err);

  CHECK_OK(ctx, bn_dmat_mul_small(q, r, k, qr));
  err = 0.0;
  size_t nl = (size_t)bn_dmat_local_rows(q) * k;
  for (size_t t = 0; t < nl; t++)
    err = fmax(err, fabs(bn_dmat_cdata(qr)[t] - bn_dmat_cdata(a0)[t]));
  err = max_over_ranks(err);
  CHECK(err < 1e-12, "N=%lld k=%d: |QR - A| = %g", (long long)n, k, err);

  CHECK_OK(ctx, bn_dmat_gram(a0, a0, g));
  CHECK_OK(ctx, bn_small_chol(ctx, k, g, rc));
  int bad = 0;
  for (int x = 0; x < k; x++)
    for (int y = 0; y < k; y++) {
      bad += fabs(r[x * k + y] - rc[x * k + y]) >
             1e-10 * (1 + fabs(rc[x * k + y]));
      bad += (x > y && r[x * k + y] != 0.0) || (x == y && !(r[x * k + y] > 0));
    }
  CHECK(bad == 0, "N=%lld k=%d: %d entries of R differ from chol(A^T A)",
        (long long)n, k, bad);
  free(r);
  free(g);
  free(rc);
  bn_dmat_destroy(q);
  bn_dmat_destroy(a0);
  bn_dmat_destroy(qr);
  bn_dist_destroy(d);
}

/* The explicit low-rank operator A = X Y^T (X on rows, Y on columns). */
typedef struct lowrank {
  bn_dmat_t *x, *y;
} lowrank_t;

static bn_status_t lr_apply(void *data, const bn_dmat_t *in, bn_dmat_t *out) {
  lowrank_t *op = data;
  int k = bn_dmat_cols(in);
  double g[64];
  bn_status_t st = bn_dmat_gram(op->y, in, g); /* Y^T in: t x k */
  if (st == BN_OK) st = bn_dmat_mul_small(op->x, g, k, out);
  return st;
}

static bn_status_t lr_apply_t(void *data, const bn_dmat_t *in, bn_dmat_t *out) {
  lowrank_t *op = data;
  double g[64];
  int k = bn_dmat_cols(in);
  bn_status_t st = bn_dmat_gram(op->x, in, g); /* X^T in */
  if (st == BN_OK) st = bn_dmat_mul_small(op->y, g, k, out);
  return st;
}

/* Every rank gets all rows of m (replicated, row-major) through a plan. */
static double *replicate(bn_ctx_t *ctx, const bn_dmat_t *m) {
  bn_idx_t n = bn_dmat_rows(m);
  int k = bn_dmat_cols(m);
  bn_idx_t *all = malloc((size_t)n * sizeof(bn_idx_t));
  double *full = malloc((size_t)n * k * sizeof(double));
  for (bn_idx_t i = 0; i < n; i++) all[i] = i;
  bn_plan_t *plan = NULL;
  CHECK_OK(ctx, bn_plan_create(bn_dmat_dist(m), n, all, &plan));
  CHECK_OK(ctx, bn_plan_gather(plan, bn_dmat_cdata(m), k, full));
  bn_plan_destroy(plan);
  free(all);
  return full;
}

/* ||U diag(s) V^T - X Y^T||_F, formed row by row. */
static double residual(bn_ctx_t *ctx, const bn_dmat_t *u, const double *s,
                       const bn_dmat_t *v, const lowrank_t *op) {
  double *vf = replicate(ctx, v), *yf = replicate(ctx, op->y);
  int r = bn_dmat_cols(u), t = bn_dmat_cols(op->x);
  bn_idx_t nc = bn_dmat_rows(v);
  double sum = 0.0;
  for (bn_idx_t i = 0; i < bn_dmat_local_rows(u); i++)
    for (bn_idx_t j = 0; j < nc; j++) {
      double e = 0.0;
      for (int c = 0; c < r; c++)
        e += bn_dmat_cdata(u)[i * r + c] * s[c] * vf[j * r + c];
      for (int c = 0; c < t; c++)
        e -= bn_dmat_cdata(op->x)[i * t + c] * yf[j * t + c];
      sum += e * e;
    }
  CHECK_OK(ctx, bn_allreduce_sum(ctx, &sum, 1));
  free(vf);
  free(yf);
  return sqrt(sum);
}

static void test_rsvd(bn_ctx_t *ctx) {
  const bn_idx_t m = 80, n = 60;
  const int t = 5;
  const double sig[5] = {10, 5, 2, 1, 0.5};
  bn_dist_t *rd = uneven(ctx, m), *cd = NULL;
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, n, &cd));
  lowrank_t op = {NULL, NULL};
  bn_dmat_t *qx = NULL;
  CHECK_OK(ctx, bn_dmat_create(rd, t, &qx));
  CHECK_OK(ctx, bn_dmat_create(rd, t, &op.x));
  CHECK_OK(ctx, bn_dmat_create(cd, t, &op.y));
  /* X = Qx diag(sig), Y = Qy with orthonormal Qx, Qy: the singular values
   * of X Y^T are exactly sig. */
  bn_dmat_fill_normal(qx, SEED, BN_STREAM_TRUTH_U, 1.0);
  bn_dmat_fill_normal(op.y, SEED, BN_STREAM_TRUTH_V, 1.0);
  CHECK_OK(ctx, bn_dmat_qr(qx, NULL));
  CHECK_OK(ctx, bn_dmat_qr(op.y, NULL));
  double dg[25] = {0};
  for (int c = 0; c < t; c++) dg[c * t + c] = sig[c];
  CHECK_OK(ctx, bn_dmat_mul_small(qx, dg, t, op.x));
  bn_linop_t a = {m, n, rd, cd, &op, lr_apply, lr_apply_t};

  const int rs[2] = {3, 5}, over[2] = {2, 3}, power[2] = {1, 0};
  for (int run = 0; run < 2; run++) {
    int r = rs[run];
    bn_dmat_t *u = NULL, *v = NULL;
    double s[5], g[25];
    CHECK_OK(ctx, bn_rsvd(ctx, &a, r, over[run], power[run], 77, &u, s, &v));
    if (!u || !v) continue;
    for (int c = 0; c < r; c++) CHECK_CLOSE(s[c], sig[c], 1e-10);
    CHECK_OK(ctx, bn_dmat_gram(u, u, g));
    for (int c = 0; c < r * r; c++)
      CHECK_CLOSE(g[c], c % (r + 1) == 0 ? 1.0 : 0.0, 1e-12);
    CHECK_OK(ctx, bn_dmat_gram(v, v, g));
    for (int c = 0; c < r * r; c++)
      CHECK_CLOSE(g[c], c % (r + 1) == 0 ? 1.0 : 0.0, 1e-12);
    /* Left singular vectors are Qx's columns up to sign. */
    CHECK_OK(ctx, bn_dmat_gram(u, qx, g));
    for (int c = 0; c < r; c++) CHECK_CLOSE(fabs(g[c * t + c]), 1.0, 1e-10);
    double tail = 0.0;
    for (int c = r; c < t; c++) tail += sig[c] * sig[c];
    double res = residual(ctx, u, s, v, &op);
    CHECK(fabs(res - sqrt(tail)) < 1e-10 * sig[0], "r=%d residual %.17g vs %g",
          r, res, sqrt(tail));
    bn_dmat_destroy(u);
    bn_dmat_destroy(v);
  }
  bn_dmat_destroy(qx);
  bn_dmat_destroy(op.x);
  bn_dmat_destroy(op.y);
  bn_dist_destroy(rd);
  bn_dist_destroy(cd);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx = NULL;
  CHECK(bn_ctx_create(MPI_COMM_WORLD, &ctx) == BN_OK, "context");
  int p = bn_ctx_size(ctx);
  test_bc(ctx, 0, 0, 4, 2);
  test_bc(ctx, p, 1, 3, 5);
  test_bc(ctx, 1, p, 2, 1);
  test_qr(ctx, 60, 6);
  test_qr(ctx, 7, 5); /* ceil(N/P) < k at 3 processes: R spans ranks */
  test_qr(ctx, 4, 4);
  test_rsvd(ctx);
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_dense");
  MPI_Finalize();
  return rc;
}
