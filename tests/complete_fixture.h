/* Shared set-up for the completion tests: a generated instance in a
 * temporary directory and a completion problem created from options. */
#ifndef BN_TEST_COMPLETE_FIXTURE_H
#define BN_TEST_COMPLETE_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/benign.h"

/* The completion keys plus the shared solve keys (the library's table). */
static inline bn_optdef_t *fx_defs(void) {
  return bn_problem_optdefs("complete");
}

/* Rank 0 makes a temporary directory; every rank gets its name. */
static inline void fx_tmpdir(MPI_Comm comm, char *dir, size_t len) {
  int rank;
  MPI_Comm_rank(comm, &rank);
  if (rank == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, len, "%s/bn_test_XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, (int)len, MPI_CHAR, 0, comm);
}

/* Gather the iterate [U local | V local] into full U (n1 x r) and V
 * (n2 x r) on rank 0 of the context. */
static inline void fx_gather(bn_ctx_t *ctx, const double *x, bn_idx_t nu,
                             bn_idx_t nv, int r, double *u, double *v) {
  int P = bn_ctx_size(ctx);
  int *cnt = calloc(2 * (size_t)P, sizeof(int)), *dsp = cnt + P;
  int parts[2] = {(int)(nu * r), (int)(nv * r)};
  for (int k = 0; k < 2; k++) {
    MPI_Gather(&parts[k], 1, MPI_INT, cnt, 1, MPI_INT, 0, bn_ctx_comm(ctx));
    for (int p = 0; p < P; p++) dsp[p] = p ? dsp[p - 1] + cnt[p - 1] : 0;
    MPI_Gatherv(k ? x + nu * r : x, parts[k], MPI_DOUBLE, k ? v : u, cnt, dsp,
                MPI_DOUBLE, 0, bn_ctx_comm(ctx));
  }
  free(cnt);
}

#endif
