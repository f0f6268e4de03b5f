/* The lower-triangle Gram kernel of ALS (linalg/gram.h) against a plain
 * triple loop, at every size its dispatch distinguishes: the fixed-size
 * kernels, the generic tiles and dgemm; it adds into g and writes nothing
 * outside it. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "linalg/gram.h"

/* g0 + a^T a, lower triangle, against g (tolerance relative to the sum of
 * absolute products). */
static void check_case(int n, int k, unsigned seed, int blas) {
  const int guard = 16;
  double *a = malloc(sizeof(double) * ((size_t)n * k + 1));
  double *buf = malloc(sizeof(double) * ((size_t)n * n + 2 * guard));
  double *g0 = malloc(sizeof(double) * (size_t)n * n);
  double *g = buf + guard;
  srand(seed);
  for (int t = 0; t < n * k; t++) a[t] = rand() / (double)RAND_MAX - 0.5;
  for (int t = 0; t < n * n + 2 * guard; t++) buf[t] = 7.0;
  for (int t = 0; t < n * n; t++) g[t] = g0[t] = rand() / (double)RAND_MAX;
  if (blas)
    bn_gram_lower_blas(n, k, a, g);
  else
    bn_gram_lower(n, k, a, g);
  double worst = 0.0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j <= i; j++) {
      double s = g0[i * n + j], m = fabs(s);
      for (int t = 0; t < k; t++) {
        s += a[t * n + i] * a[t * n + j];
        m += fabs(a[t * n + i] * a[t * n + j]);
      }
      double e = fabs(g[i * n + j] - s) / (m > 0 ? m : 1.0);
      if (e > worst) worst = e;
    }
  CHECK(worst < 1e-14, "n = %d, k = %d (%s): error %.3g", n, k,
        blas ? "dgemm" : "kernel", worst);
  for (int t = 0; t < guard; t++) {
    CHECK(buf[t] == 7.0, "n = %d, k = %d: wrote before g", n, k);
    CHECK(buf[guard + n * n + t] == 7.0, "n = %d, k = %d: wrote after g", n, k);
  }
  free(a);
  free(buf);
  free(g0);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  const int ks[] = {0, 1, 2, 7, 64, 223, 513};
  unsigned seed = 1;
  for (int n = 1; n <= 70; n++)
    for (size_t q = 0; q < sizeof ks / sizeof ks[0]; q++) {
      check_case(n, ks[q], seed++, 0);
      if (n % 7 == 1) check_case(n, ks[q], seed++, 1);
    }
  printf("unit_gram: vector kernel %s\n",
         bn_gram_vector() ? "used (AVX-512)" : "not available: dgemm");
  int rc = bn_test_finish("unit_gram");
  MPI_Finalize();
  return rc;
}
