/* bench_sense: seconds per objective-and-gradient evaluation of matrix
 * sensing for the rank-one and implicit operators, against the DGEMM rate
 * measured in the same run (bench/README.md).
 *
 *   mpirun -n P build/bench_sense
 *
 * Instance: n1 = n2 = BN_BENCH_N (2000), r = BN_BENCH_RANK (10),
 * m = 5 r (n1 + n2). The operators are built in memory (random y, a, b;
 * the implicit A_i from the seed), not read from a file: the timing does
 * not depend on the values. A full implicit evaluation draws m n1 n2 =
 * 8e11 normals, so only BN_BENCH_M_IMPLICIT measurements (default 64) are
 * timed, and the rank-one operator holds BN_BENCH_M_RANK1 (default 25000)
 * of its m rows (its full a, b would take 6.4 GB); both costs are linear in
 * m, so each is timed at two sizes (msub and 2 msub) and the seconds per
 * full evaluation are extrapolated along that line (printed as such).
 * BN_BENCH_ONLY=implicit (or rank-one) times that operator only;
 * BN_BENCH_BLOCK_ROWS sets the implicit operator's block of generated rows.
 * BN_BENCH_FULL=1 times each operator at the full m instead (rank-one: 3
 * evaluations after a warm-up, 6.4 GB of a, b in all; implicit: a single
 * evaluation, 8e11 normals, no warm-up) and extrapolates nothing.
 * Flop-equivalent counts: rank-one 8 m r (n1 + n2) (four DGEMMs of m x n x r),
 * implicit 4 m n1 n2 + 6 n1 n2 r (the two matrix-vector passes over the A_i a
 * stored gaussian operator would make, plus the products with M), the
 * generation of the normals not counted. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "problems/lowrank/sense.h"

static long env_int(const char *name, long def) {
  const char *v = getenv(name);
  return v && *v ? atol(v) : def;
}

/* GFLOP/s of one process multiplying n x n x n while every process does. */
static double dgemm_rate(MPI_Comm comm, int n) {
  double *a = malloc(3 * (size_t)n * n * sizeof(double)), *b, *c;
  b = a + (size_t)n * n;
  c = b + (size_t)n * n;
  bn_rng_fill_normal(1, 1, 0, 3 * (size_t)n * n, a);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b,
              n, 0.0, c, n);
  MPI_Barrier(comm);
  double t = MPI_Wtime();
  for (int k = 0; k < 3; k++)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n,
                b, n, 0.0, c, n);
  t = MPI_Wtime() - t;
  MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, comm);
  free(a);
  return 3 * 2.0 * n * (double)n * n / t / 1e9;
}

/* Seconds per evaluation (with gradient) over `reps` evaluations. */
static double time_op(bn_ctx_t *ctx, bn_sense_op_t op, bn_idx_t n, int r,
                      bn_idx_t msub, int reps, int warm) {
  bn_sense_t *s = calloc(1, sizeof(*s));
  s->ctx = ctx;
  s->op = op;
  s->n1 = s->n2 = n;
  s->m = msub;
  s->r = r;
  s->seed = 11;
  bn_dist_create_uniform(ctx, msub, &s->mdist);
  bn_dist_create_uniform(ctx, n, &s->udist);
  bn_dist_create_uniform(ctx, n, &s->vdist);
  s->ml = bn_dist_local(s->mdist);
  bn_idx_t m0 = bn_dist_first(s->mdist);
  s->y = malloc(((size_t)s->ml + 1) * sizeof(double));
  bn_rng_fill_normal(2, 2, (uint64_t)m0, (size_t)s->ml, s->y);
  if (op == BN_SENSE_RANK_ONE) {
    bn_dmat_create(s->mdist, (int)n, &s->amat);
    bn_dmat_create(s->mdist, (int)n, &s->bmat);
    for (bn_idx_t k = 0; k < s->ml; k++) {
      bn_sense_normals(3, 65, (uint64_t)(m0 + k), (size_t)n,
                       bn_dmat_data(s->amat) + (size_t)k * n);
      bn_sense_normals(3, 66, (uint64_t)(m0 + k), (size_t)n,
                       bn_dmat_data(s->bmat) + (size_t)k * n);
    }
    s->a = bn_dmat_cdata(s->amat);
    s->b = bn_dmat_cdata(s->bmat);
  }
  double t = NAN;
  bn_idx_t rows = env_int("BN_BENCH_BLOCK_ROWS", 0); /* implicit block */
  int ok = bn_sense_prepare(s) == BN_OK;
  if (ok && op == BN_SENSE_IMPLICIT && rows > 0) {
    s->blk_rows = rows < s->ml ? rows : (s->ml > 0 ? s->ml : 1);
    free(s->blk);
    s->blk = malloc((size_t)s->blk_rows * (size_t)(n * n) * sizeof(double));
  }
  if (ok && (op != BN_SENSE_IMPLICIT || s->blk)) {
    size_t nx = (size_t)(s->nu + s->nv) * r;
    double *x = malloc(nx * sizeof(double)), *g = malloc(nx * sizeof(double));
    double f;
    bn_rng_fill_normal(4, 4, 0, nx, x);
    if (warm) bn_sense_eval(s, x, &f, g); /* first touch of the buffers */
    MPI_Barrier(bn_ctx_comm(ctx));
    t = MPI_Wtime();
    for (int k = 0; k < reps; k++) bn_sense_eval(s, x, &f, g);
    t = (MPI_Wtime() - t) / reps;
    free(x);
    free(g);
  }
  bn_sense_free(s);
  return t;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  int P = bn_ctx_size(ctx), rank = bn_ctx_rank(ctx);
  bn_idx_t n = env_int("BN_BENCH_N", 2000);
  int r = (int)env_int("BN_BENCH_RANK", 10);
  bn_idx_t m = 5 * (bn_idx_t)r * 2 * n;
  bn_idx_t m1 = env_int("BN_BENCH_M_RANK1", 25000);
  bn_idx_t mi = env_int("BN_BENCH_M_IMPLICIT", 64);
  if (m1 > m) m1 = m;
  if (mi > m) mi = m;
  double dg = dgemm_rate(bn_ctx_comm(ctx), (int)n);
  if (rank == 0)
    printf(
        "PROCESSES=%d\nN1=N2=%lld\nRANK=%d\nMEASUREMENTS=%lld\n"
        "DGEMM_GFLOPS_PER_PROCESS=%.2f (n = %lld, all processes at once)\n",
        P, (long long)n, r, (long long)m, dg, (long long)n);
  struct {
    const char *name;
    bn_sense_op_t op;
    bn_idx_t msub;
    int reps;
  } runs[2] = {{"rank-one", BN_SENSE_RANK_ONE, m1, 5},
               {"implicit", BN_SENSE_IMPLICIT, mi, 1}};
  const char *only = getenv("BN_BENCH_ONLY"); /* "rank-one" or "implicit" */
  const int full = env_int("BN_BENCH_FULL", 0) != 0;
  for (int k = 0; k < 2; k++) {
    if (only && *only && strcmp(only, runs[k].name) != 0) continue;
    if (full) { /* all m measurements: implicit one evaluation, no warm-up */
      const int im = runs[k].op == BN_SENSE_IMPLICIT;
      double tf = time_op(ctx, runs[k].op, n, r, m, im ? 1 : 3, !im);
      double fl = im ? 4.0 * m * (double)n * n + 6.0 * (double)n * n * r
                     : 8.0 * m * r * 2.0 * n;
      double rate = fl / tf / 1e9 / P;
      if (rank == 0)
        printf(
            "%s: MEASURED AT FULL SIZE, all %lld measurements, %d "
            "evaluation(s): seconds per evaluation %.4g; flop-equivalent "
            "GFLOP/s per process %.3f; ratio to DGEMM %.4f\n",
            runs[k].name, (long long)m, im ? 1 : 3, tf, rate, rate / dg);
      fflush(stdout);
      continue;
    }
    /* Two sizes, a straight line through them: fixed cost + per row. */
    double t = time_op(ctx, runs[k].op, n, r, runs[k].msub, runs[k].reps, 1);
    double t2 =
        time_op(ctx, runs[k].op, n, r, 2 * runs[k].msub, runs[k].reps, 1);
    double per = (t2 - t) / (double)runs[k].msub,
           fixed = t - per * runs[k].msub;
    double tf = fixed + per * (double)m;
    double fl = runs[k].op == BN_SENSE_RANK_ONE
                    ? 8.0 * m * r * 2.0 * n
                    : 4.0 * m * (double)n * n + 6.0 * (double)n * n * r;
    double rate = fl / tf / 1e9 / P;
    if (rank == 0)
      printf(
          "%s: timed %lld and %lld of %lld measurements, %d evaluation(s) "
          "each: %.4f s and %.4f s; fixed %.4f s + %.3g s per measurement; "
          "seconds per full evaluation (extrapolated) %.4g; "
          "flop-equivalent GFLOP/s per process %.3f; ratio to DGEMM "
          "%.4f\n",
          runs[k].name, (long long)runs[k].msub, (long long)(2 * runs[k].msub),
          (long long)m, runs[k].reps, t, t2, fixed, per, tf, rate, rate / dg);
  }
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return 0;
}
