/* Communication plans: gather returns exactly the owners' rows, and
 * scatter_add sums every requester's contribution into the owner's row. */
#include <stdlib.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "benign/plan.h"
#include "benign/rng.h"
#include "check.h"

enum { SEED = 99, STREAM_NEED = 64 };
static const bn_idx_t N = 50;

/* Does rank q (of p) need row i? A deterministic pseudo-random set; the
 * middle rank of three needs nothing, to exercise empty requests. */
static int needs(int q, int p, bn_idx_t i) {
  if (p == 3 && q == 1) return 0;
  return bn_rng_uniform(SEED, STREAM_NEED, (uint64_t)i, (uint32_t)q) < 0.4;
}

static double value(bn_idx_t i, int j, int k) {
  return bn_rng_normal(SEED, BN_STREAM_TRUTH_V, (uint64_t)(i * k + j), 0);
}

static void run(bn_ctx_t *ctx, bn_dist_t *owners) {
  int p = bn_ctx_size(ctx), me = bn_ctx_rank(ctx);
  bn_idx_t first = bn_dist_first(owners), nloc = bn_dist_local(owners);
  bn_idx_t *need = malloc((size_t)N * sizeof(bn_idx_t)), nneed = 0;
  for (bn_idx_t i = 0; i < N; i++)
    if (needs(me, p, i)) need[nneed++] = i;
  bn_plan_t *plan = NULL;
  CHECK_OK(ctx, bn_plan_create(owners, nneed, need, &plan));
  CHECK(bn_plan_nneed(plan) == nneed, "nneed");

  /* Gather for two row widths (the cached row type must follow k). */
  for (int k = 3; k >= 1; k -= 2) {
    double *owned = malloc((size_t)(nloc * k + 1) * sizeof(double));
    double *ghost = malloc((size_t)(nneed * k + 1) * sizeof(double));
    for (bn_idx_t i = 0; i < nloc; i++)
      for (int j = 0; j < k; j++) owned[i * k + j] = value(first + i, j, k);
    for (bn_idx_t g = 0; g < nneed * k; g++) ghost[g] = -1.0;
    CHECK_OK(ctx, bn_plan_gather(plan, owned, k, ghost));
    int bad = 0;
    for (bn_idx_t g = 0; g < nneed; g++)
      for (int j = 0; j < k; j++)
        bad += ghost[g * k + j] != value(need[g], j, k);
    CHECK(bad == 0, "k = %d: %d ghost entries differ", k, bad);

    /* scatter_add: ghost row g = (1, need[g], ...) so the owner's row i
     * collects (count_i, count_i * i, ...) with count_i = requesters. */
    for (bn_idx_t g = 0; g < nneed; g++)
      for (int j = 0; j < k; j++) ghost[g * k + j] = j == 0 ? 1.0 : need[g];
    for (bn_idx_t i = 0; i < nloc * k; i++) owned[i] = 0.5;
    CHECK_OK(ctx, bn_plan_scatter_add(plan, ghost, k, owned));
    bad = 0;
    for (bn_idx_t i = 0; i < nloc; i++) {
      int count = 0;
      for (int q = 0; q < p; q++) count += needs(q, p, first + i);
      for (int j = 0; j < k; j++) {
        double ref = 0.5 + (j == 0 ? count : (double)count * (first + i));
        bad += owned[i * k + j] != ref;
      }
    }
    CHECK(bad == 0, "k = %d: %d scattered entries differ", k, bad);
    free(owned);
    free(ghost);
  }
  bn_plan_destroy(plan);

  /* An unsorted request on one rank fails everywhere, without a hang. */
  if (me == 0 && nneed >= 2) {
    bn_idx_t t = need[0];
    need[0] = need[1];
    need[1] = t;
  }
  plan = NULL;
  bn_status_t st = bn_plan_create(owners, nneed, need, &plan);
  bn_idx_t n0 = 0; /* rows rank 0 needs: the swap applies only from two */
  for (bn_idx_t i = 0; i < N; i++) n0 += needs(0, p, i);
  CHECK(n0 >= 2 ? (st == BN_ERR_ARG && plan == NULL) : st == BN_OK,
        "unsorted request: status %d", (int)st);
  bn_plan_destroy(plan);
  bn_error_clear(ctx);
  free(need);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx = NULL;
  CHECK(bn_ctx_create(MPI_COMM_WORLD, &ctx) == BN_OK, "context");
  int p = bn_ctx_size(ctx), me = bn_ctx_rank(ctx);
  bn_dist_t *d = NULL;
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, N, &d));
  run(ctx, d);
  bn_dist_destroy(d);
  /* Uneven owners: weights rising with the row index. */
  double w[64];
  bn_idx_t lo = bn_uniform_offset(N, p, me),
           hi = bn_uniform_offset(N, p, me + 1);
  for (bn_idx_t i = lo; i < hi; i++) w[i - lo] = (double)(i * i);
  CHECK_OK(ctx, bn_dist_create_weighted(ctx, N, w, &d));
  run(ctx, d);
  bn_dist_destroy(d);
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_plan");
  MPI_Finalize();
  return rc;
}
