/* Benchmark of `benign recommend`'s scoring (src/recommend/topn.c), all
 * measured in one run, every process at once, one BLAS thread each:
 *   1. the machine's DGEMM rate per process: a square 1500^3 product, and
 *      the product shape the top-N pass uses (a block of users x rank
 *      times rank x 4096 items);
 *   2. the top-N pass over a random rank-r model of ROWS users and COLS
 *      items (no exclusions): seconds, users per second, and its GEMM
 *      GFLOP/s per process against both DGEMM rates.
 * usage: mpirun -n P bench_recommend [ROWS [COLS [RANK [TOP]]]]
 * (default 1000000 100000 32 10). The model is built in memory (the file
 * reading is not what is measured). */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "recommend/model_state.h"

static double gemm_rate(MPI_Comm comm, int m, int n, int k, int reps) {
  double *a = malloc(sizeof(double) * m * k),
         *b = malloc(sizeof(double) * n * k),
         *c = malloc(sizeof(double) * m * n);
  for (int i = 0; i < m * k; i++) a[i] = 1.0 / (1 + i % 7);
  for (int i = 0; i < n * k; i++) b[i] = 1.0 / (1 + i % 5);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0, a, k, b, k,
              0.0, c, n);
  MPI_Barrier(comm);
  double t = MPI_Wtime();
  for (int r = 0; r < reps; r++)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0, a, k, b,
                k, 0.0, c, n);
  t = MPI_Wtime() - t;
  MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, comm);
  free(a), free(b), free(c);
  return 2.0 * m * (double)n * k * reps / t / 1e9;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  const MPI_Comm comm = bn_ctx_comm(ctx);
  const long long rows = argc > 1 ? atoll(argv[1]) : 1000000;
  const long long cols = argc > 2 ? atoll(argv[2]) : 100000;
  const int r = argc > 3 ? atoi(argv[3]) : 32,
            top = argc > 4 ? atoi(argv[4]) : 10;
  const int P = bn_ctx_size(ctx), root = bn_ctx_rank(ctx) == 0;
  double sq = gemm_rate(comm, 1500, 1500, 1500, 4);
  /* the top-N pass's shape: (2^21 / 4096 = 512) users x r x 4096 items */
  double sh = gemm_rate(comm, 512, 4096, r, 40);
  bn_model_t *m = calloc(1, sizeof(*m));
  m->ctx = ctx;
  m->rows = rows, m->cols = cols, m->r = r;
  m->vmean = m->vmin = m->vmax = NAN;
  bn_dist_create_uniform(ctx, rows, &m->dist);
  const bn_idx_t nl = bn_dist_local(m->dist), f0 = bn_dist_first(m->dist);
  m->u = malloc(sizeof(double) * ((size_t)nl * r + (size_t)cols * r));
  m->v = m->u + (size_t)nl * r;
  for (bn_idx_t l = 0; l < nl; l++)
    for (int k = 0; k < r; k++)
      m->u[l * r + k] = sin(0.37 * (double)(f0 + l) + 1.3 * k);
  for (long long j = 0; j < cols; j++)
    for (int k = 0; k < r; k++)
      m->v[j * r + k] = cos(0.11 * (double)j - 0.7 * k);
  int64_t *items = malloc(sizeof(int64_t) * ((size_t)nl + 1) * top);
  double *scores = malloc(sizeof(double) * ((size_t)nl + 1) * top);
  MPI_Barrier(comm);
  double t = MPI_Wtime();
  bn_status_t st = bn_model_topn(m, top, NULL, NULL, NULL, items, scores);
  t = MPI_Wtime() - t;
  MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, comm);
  double flops = 2.0 * (double)rows * (double)cols * r / P / t / 1e9;
  if (root) {
    printf("processes %d, model %lld users x %lld items, rank %d, top %d\n", P,
           rows, cols, r, top);
    printf(
        "DGEMM per process: %.2f GFLOP/s square 1500^3, %.2f GFLOP/s at "
        "the top-N shape 512 x %d x 4096\n",
        sq, sh, r);
    printf(
        "top-%d for every user: %.2f s (%s), %.3g users/s; its GEMMs at "
        "%.2f GFLOP/s per process = %.2f of the shape's DGEMM rate, %.2f "
        "of the square rate\n",
        top, t, st == BN_OK ? "ok" : "FAILED", (double)rows / t, flops,
        flops / sh, flops / sq);
    printf("first user's list: %lld %lld %lld (scores %.4f %.4f %.4f)\n",
           (long long)items[0], (long long)items[1], (long long)items[2],
           scores[0], scores[1], scores[2]);
  }
  free(items), free(scores);
  bn_model_close(m);
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return st == BN_OK ? 0 : 1;
}
