/* Minimal test harness for MPI tests: every rank checks, failures are summed
 * over ranks, rank 0 reports. (cmocka's longjmp on failure would leave the
 * other ranks waiting in a collective; here a failed check never skips a
 * collective call, so a failing test reports instead of hanging.) */
#ifndef BN_TEST_CHECK_H
#define BN_TEST_CHECK_H

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int bn_test_failures = 0;
static int bn_test_checks = 0;

#define CHECK(cond, ...)                                                     \
  do {                                                                       \
    bn_test_checks++;                                                        \
    if (!(cond)) {                                                           \
      int bn_r_;                                                             \
      MPI_Comm_rank(MPI_COMM_WORLD, &bn_r_);                                 \
      fprintf(stderr, "rank %d: %s:%d: CHECK(%s) failed: ", bn_r_, __FILE__, \
              __LINE__, #cond);                                              \
      fprintf(stderr, __VA_ARGS__);                                          \
      fprintf(stderr, "\n");                                                 \
      bn_test_failures++;                                                    \
    }                                                                        \
  } while (0)

#define CHECK_OK(ctx, expr)                                              \
  do {                                                                   \
    bn_status_t bn_t_st_ = (expr);                                       \
    CHECK(bn_t_st_ == BN_OK, "%s returned %d: %s", #expr, (int)bn_t_st_, \
          bn_error_message(ctx));                                        \
  } while (0)

#define CHECK_CLOSE(a, b, tol)                                               \
  CHECK(fabs((a) - (b)) <= (tol) * (1.0 + fabs(b)),                          \
        "%s = %.17g, %s = %.17g (tol %g)", #a, (double)(a), #b, (double)(b), \
        (double)(tol))

/* Collective: rank 0 prints the summary; returns the process exit code. */
static inline int bn_test_finish(const char *name) {
  int local[2] = {bn_test_failures, bn_test_checks}, global[2];
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Allreduce(local, global, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0)
    printf("%s (%d processes): %d checks, %d failed\n", name, size, global[1],
           global[0]);
  return global[0] == 0 ? 0 : 1;
}

#endif
