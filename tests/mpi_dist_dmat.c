/* Row distributions and row-partitioned dense matrices, checked against
 * serial recomputation from the counter-based entries (which every rank can
 * evaluate for any global index). */
#include <math.h>
#include <stdlib.h>

#include "benign/ctx.h"
#include "benign/dmat.h"
#include "benign/error.h"
#include "benign/rng.h"
#include "check.h"

enum { SEED = 1234 };

/* Weight of global row i in the weighted test: one very heavy row. */
static double weight(bn_idx_t i) { return i == 37 ? 500.0 : 1.0 + i % 7; }

/* Offsets are a partition of [0, N) and owner() agrees with them. */
static void check_partition(const bn_dist_t *d, bn_idx_t n, int p, int me) {
  CHECK(bn_dist_global(d) == n, "global %lld", (long long)bn_dist_global(d));
  CHECK(bn_dist_offset(d, 0) == 0 && bn_dist_offset(d, p) == n, "ends");
  for (int q = 0; q < p; q++)
    CHECK(bn_dist_offset(d, q) <= bn_dist_offset(d, q + 1), "monotone at %d",
          q);
  CHECK(bn_dist_first(d) == bn_dist_offset(d, me), "first");
  CHECK(bn_dist_local(d) == bn_dist_offset(d, me + 1) - bn_dist_offset(d, me),
        "local");
  int bad = 0;
  for (bn_idx_t i = 0; i < n; i++) {
    int o = bn_dist_owner(d, i);
    if (o < 0 || o >= p || bn_dist_offset(d, o) > i ||
        bn_dist_offset(d, o + 1) <= i)
      bad++;
  }
  CHECK(bad == 0, "%d rows with a wrong owner", bad);
  CHECK(bn_dist_owner(d, -1) == -1 && bn_dist_owner(d, n) == -1, "range");
}

static void test_dist(bn_ctx_t *ctx) {
  int p = bn_ctx_size(ctx), me = bn_ctx_rank(ctx);
  bn_dist_t *d = NULL;
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, 10, &d));
  check_partition(d, 10, p, me);
  /* Independent count: the first 10 % P ranks hold one more row. */
  bn_idx_t expect = 10 / p + (me < 10 % p ? 1 : 0);
  CHECK(bn_dist_local(d) == expect, "uniform local %lld",
        (long long)bn_dist_local(d));
  bn_dist_destroy(d);

  /* Weighted: one row of weight 500 among rows of weight 1..7. */
  const bn_idx_t n = 100;
  bn_idx_t lo = bn_uniform_offset(n, p, me),
           hi = bn_uniform_offset(n, p, me + 1);
  double *w = malloc((size_t)(hi - lo + 1) * sizeof(double));
  double total = 0.0, wmax = 0.0;
  for (bn_idx_t i = 0; i < n; i++) {
    total += weight(i);
    wmax = fmax(wmax, weight(i));
  }
  for (bn_idx_t i = lo; i < hi; i++) w[i - lo] = weight(i);
  CHECK_OK(ctx, bn_dist_create_weighted(ctx, n, w, &d));
  check_partition(d, n, p, me);
  for (int q = 0; q < p; q++) {
    double t = 0.0;
    for (bn_idx_t i = bn_dist_offset(d, q); i < bn_dist_offset(d, q + 1); i++)
      t += weight(i);
    CHECK(fabs(t - total / p) <= wmax, "rank %d weight %g vs %g", q, t,
          total / p);
  }
  if (p == 2) /* the heavy row alone exceeds W/2, so the split is at it */
    CHECK(bn_dist_offset(d, 1) == 37 || bn_dist_offset(d, 1) == 38,
          "split at %lld", (long long)bn_dist_offset(d, 1));
  bn_dist_destroy(d);

  /* Moderate weights (no heavy row): the bound is tight, at most 7. */
  for (bn_idx_t i = lo; i < hi; i++) w[i - lo] = 1.0 + i % 7;
  CHECK_OK(ctx, bn_dist_create_weighted(ctx, n, w, &d));
  check_partition(d, n, p, me);
  total = 0.0;
  for (bn_idx_t i = 0; i < n; i++) total += 1.0 + i % 7;
  for (int q = 0; q < p; q++) {
    double t = 0.0;
    for (bn_idx_t i = bn_dist_offset(d, q); i < bn_dist_offset(d, q + 1); i++)
      t += 1.0 + i % 7;
    CHECK(fabs(t - total / p) <= 7.0, "rank %d weight %g vs %g", q, t,
          total / p);
  }
  bn_dist_destroy(d);

  /* All weight on one row: the other ranks may get no rows at all. */
  for (bn_idx_t i = lo; i < hi; i++) w[i - lo] = i == 5 ? 1.0 : 0.0;
  CHECK_OK(ctx, bn_dist_create_weighted(ctx, n, w, &d));
  check_partition(d, n, p, me);
  bn_dist_destroy(d);

  /* A negative weight on one rank is an error on every rank. */
  for (bn_idx_t i = lo; i < hi; i++) w[i - lo] = 1.0;
  if (me == p - 1 && hi > lo) w[0] = -1.0;
  CHECK(bn_dist_create_weighted(ctx, n, w, &d) == BN_ERR_ARG && d == NULL,
        "negative weight accepted");
  bn_error_clear(ctx);
  free(w);

  /* Explicit offsets with an empty first rank. */
  bn_idx_t *off = malloc((size_t)(p + 1) * sizeof(bn_idx_t));
  off[0] = 0;
  for (int q = 1; q <= p; q++)
    off[q] = (bn_idx_t)(q - 1) * 4 + (q == p ? 3 : 0);
  if (p == 1) off[1] = 3;
  CHECK_OK(ctx, bn_dist_create_offsets(ctx, off, &d));
  check_partition(d, off[p], p, me);
  if (p > 1)
    CHECK(bn_dist_owner(d, 0) == 1, "owner of row 0 is %d",
          bn_dist_owner(d, 0));
  bn_dist_destroy(d);
  free(off);
}

/* Serial reference: entry (i, j) of an n x k matrix filled with seed/stream. */
static double entry(uint64_t seed, uint32_t stream, bn_idx_t i, int j, int k) {
  return bn_rng_normal(seed, stream, (uint64_t)(i * k + j), 0);
}

static void test_dmat(bn_ctx_t *ctx) {
  int p = bn_ctx_size(ctx), me = bn_ctx_rank(ctx);
  const bn_idx_t n = 57;
  const int k = 4, kc = 3;
  bn_idx_t lo = bn_uniform_offset(n, p, me),
           hi = bn_uniform_offset(n, p, me + 1);
  double w[64];
  /* Weights rising steeply: blocks far from uniform, so redistribution
   * moves rows between ranks. */
  for (bn_idx_t i = lo; i < hi; i++) w[i - lo] = (double)(i * i);
  bn_dist_t *dw = NULL, *du = NULL;
  CHECK_OK(ctx, bn_dist_create_weighted(ctx, n, w, &dw));
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, n, &du));
  bn_dmat_t *a = NULL, *b = NULL, *c = NULL, *r = NULL;
  CHECK_OK(ctx, bn_dmat_create(dw, k, &a));
  CHECK_OK(ctx, bn_dmat_create(dw, k, &b));
  CHECK_OK(ctx, bn_dmat_create(dw, kc, &c));
  bn_dmat_fill_normal(a, SEED, BN_STREAM_TRUTH_U, 1.0);
  bn_dmat_fill_normal(b, SEED, BN_STREAM_TRUTH_V, 2.0);
  bn_idx_t first = bn_dmat_first_row(a), nloc = bn_dmat_local_rows(a);
  CHECK(bn_dmat_rows(a) == n && bn_dmat_cols(a) == k, "shape");

  int bad = 0;
  for (bn_idx_t i = 0; i < nloc; i++)
    for (int j = 0; j < k; j++)
      bad += bn_dmat_data(a)[i * k + j] !=
             entry(SEED, BN_STREAM_TRUTH_U, first + i, j, k);
  CHECK(bad == 0, "%d fill_normal entries differ", bad);

  /* Serial references over all N rows. */
  double gram[16] = {0}, g[16], dot = 0.0, nrm = 0.0, s[12];
  for (int t = 0; t < k * kc; t++) s[t] = 0.25 * t - 1.0;
  for (bn_idx_t i = 0; i < n; i++)
    for (int x = 0; x < k; x++) {
      double ax = entry(SEED, BN_STREAM_TRUTH_U, i, x, k);
      dot += ax * 2.0 * entry(SEED, BN_STREAM_TRUTH_V, i, x, k);
      nrm += ax * ax;
      for (int y = 0; y < k; y++)
        gram[x * k + y] += ax * 2.0 * entry(SEED, BN_STREAM_TRUTH_V, i, y, k);
    }
  CHECK_OK(ctx, bn_dmat_gram(a, b, g));
  for (int t = 0; t < k * k; t++) CHECK_CLOSE(g[t], gram[t], 1e-12);
  double v;
  CHECK_OK(ctx, bn_dmat_dot(a, b, &v));
  CHECK_CLOSE(v, dot, 1e-12);
  CHECK_OK(ctx, bn_dmat_nrm2(a, &v));
  CHECK_CLOSE(v, sqrt(nrm), 1e-12);

  /* C = A S against a serial product, and in place A <- A S (square). */
  CHECK_OK(ctx, bn_dmat_mul_small(a, s, kc, c));
  double sq[16], maxerr = 0.0;
  for (int t = 0; t < k * k; t++) sq[t] = (t % 5) - 2.0;
  CHECK_OK(ctx, bn_dmat_duplicate(a, &r));
  CHECK_OK(ctx, bn_dmat_mul_small(r, sq, k, r));
  for (bn_idx_t i = 0; i < nloc; i++) {
    for (int j = 0; j < kc; j++) {
      double ref = 0.0;
      for (int x = 0; x < k; x++)
        ref += entry(SEED, BN_STREAM_TRUTH_U, first + i, x, k) * s[x * kc + j];
      maxerr = fmax(maxerr, fabs(bn_dmat_data(c)[i * kc + j] - ref));
    }
    for (int j = 0; j < k; j++) {
      double ref = 0.0;
      for (int x = 0; x < k; x++)
        ref += entry(SEED, BN_STREAM_TRUTH_U, first + i, x, k) * sq[x * k + j];
      maxerr = fmax(maxerr, fabs(bn_dmat_data(r)[i * k + j] - ref));
    }
  }
  CHECK(maxerr < 1e-13, "mul_small error %g", maxerr);
  CHECK(bn_dmat_mul_small(a, s, kc, b) == BN_ERR_ARG, "shape mismatch");
  bn_error_clear(ctx);

  /* axpy / scale / copy: b <- 2 a - b/2 ... checked entrywise. */
  bn_dmat_scale(b, -0.5);
  CHECK_OK(ctx, bn_dmat_axpy(2.0, a, b));
  bad = 0;
  for (bn_idx_t i = 0; i < nloc; i++)
    for (int j = 0; j < k; j++) {
      double ref = 2.0 * entry(SEED, BN_STREAM_TRUTH_U, first + i, j, k) -
                   entry(SEED, BN_STREAM_TRUTH_V, first + i, j, k);
      bad += fabs(bn_dmat_data(b)[i * k + j] - ref) > 1e-15 * (1 + fabs(ref));
    }
  CHECK(bad == 0, "%d axpy entries differ", bad);
  CHECK_OK(ctx, bn_dmat_copy(a, b));
  bn_dmat_destroy(r);
  r = NULL;

  /* Redistribute to the uniform layout: rows keep their global values. */
  CHECK_OK(ctx, bn_dmat_redistribute(b, du, &r));
  bad = 0;
  first = bn_dmat_first_row(r);
  CHECK(bn_dmat_local_rows(r) == bn_dist_local(du), "redistributed rows");
  for (bn_idx_t i = 0; i < bn_dmat_local_rows(r); i++)
    for (int j = 0; j < k; j++)
      bad += bn_dmat_cdata(r)[i * k + j] !=
             entry(SEED, BN_STREAM_TRUTH_U, first + i, j, k);
  CHECK(bad == 0, "%d redistributed entries differ", bad);
  if (p > 1) /* the two layouts must really differ for this to test much */
    CHECK(bn_dist_offset(dw, 1) != bn_dist_offset(du, 1), "same layouts");
  /* Different row layouts: an error on every rank (the same layout at one
   * process). */
  bn_status_t want = p > 1 ? BN_ERR_ARG : BN_OK;
  CHECK(bn_dmat_gram(a, r, g) == want, "gram across layouts");
  CHECK(bn_dmat_dot(a, r, &v) == want, "dot across layouts");
  bn_error_clear(ctx);
  bn_dmat_t *back = NULL;
  CHECK_OK(ctx, bn_dmat_redistribute(r, dw, &back));
  bad = 0;
  first = bn_dmat_first_row(back);
  for (bn_idx_t i = 0; i < bn_dmat_local_rows(back); i++)
    for (int j = 0; j < k; j++)
      bad += bn_dmat_cdata(back)[i * k + j] !=
             entry(SEED, BN_STREAM_TRUTH_U, first + i, j, k);
  CHECK(bad == 0, "%d entries differ after redistributing back", bad);
  bn_dmat_destroy(back);

  double buf[2] = {1.0, (double)me};
  CHECK_OK(ctx, bn_allreduce_sum(ctx, buf, 2));
  CHECK(buf[0] == p && buf[1] == p * (p - 1) / 2.0, "allreduce %g %g", buf[0],
        buf[1]);

  bn_dmat_destroy(a);
  bn_dmat_destroy(b);
  bn_dmat_destroy(c);
  bn_dmat_destroy(r);
  bn_dist_destroy(dw);
  bn_dist_destroy(du);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx = NULL;
  CHECK(bn_ctx_create(MPI_COMM_WORLD, &ctx) == BN_OK, "context");
  test_dist(ctx);
  test_dmat(ctx);
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_dist_dmat");
  MPI_Finalize();
  return rc;
}
