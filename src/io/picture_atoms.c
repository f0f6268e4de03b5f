/* A dictionary's atoms as a mosaic ordered by usage, the DC atom last
 * (include/benign/pictures.h). The order is the picture's alone: /A keeps
 * the order the run found the atoms in. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/error.h"
#include "benign/pictures.h"
#include "benign/png.h"

/* |<a, 1>| / (|a| sqrt(m)): 1 for a constant atom, about 1/sqrt(m) for a
 * random one. */
static double bn_dc_score(const double *a, int m, ptrdiff_t lda) {
  double s = 0, q = 0;
  for (int i = 0; i < m; i++) {
    s += a[i * lda];
    q += a[i * lda] * a[i * lda];
  }
  return q > 0 ? fabs(s) / sqrt(q * m) : 0;
}

int bn_atoms_order(const double *a, int m, int n, ptrdiff_t lda,
                   const double *usage, int *order) {
  for (int j = 0; j < n; j++) order[j] = j;
  if (!usage || n < 1) return -1;
  int dc = -1;
  double best = 0.9;
  for (int j = 0; j < n; j++) {
    double s = bn_dc_score(a + j, m, lda);
    if (s > best) {
      best = s;
      dc = j;
    }
  }
  /* Insertion sort, stable: n is a dictionary's atom count. */
  for (int i = 1; i < n; i++) {
    int v = order[i], j = i;
    double u = isfinite(usage[v]) ? usage[v] : -1;
    while (j > 0 &&
           (isfinite(usage[order[j - 1]]) ? usage[order[j - 1]] : -1) < u) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = v;
  }
  if (dc >= 0) {
    int at = 0;
    while (order[at] != dc) at++;
    memmove(order + at, order + at + 1, (size_t)(n - 1 - at) * sizeof(int));
    order[n - 1] = dc;
  }
  return dc;
}

void bn_atoms_order_text(char *buf, size_t len, const int *order,
                         const double *usage, int n, int dc) {
  size_t at = 0;
  if (len) buf[0] = '\0';
  for (int i = 0; i < n && at < len; i++) {
    int r;
    if (i == 32) {
      snprintf(buf + at, len - at, " ... (%d more)", n - i);
      return;
    }
    if (usage)
      r = snprintf(buf + at, len - at, "%s%d:%.1f%s", i ? " " : "", order[i],
                   100.0 * usage[order[i]], order[i] == dc ? "(DC)" : "");
    else
      r = snprintf(buf + at, len - at, "%s%d", i ? " " : "", order[i]);
    if (r < 0) return;
    at += (size_t)r;
  }
}

void bn_atoms_tile(int64_t m, int64_t ph, int64_t pw, int *th, int *tw) {
  if (ph > 0 && pw > 0 && ph * pw == m) {
    *th = (int)ph;
    *tw = (int)pw;
    return;
  }
  int64_t s = (int64_t)llround(sqrt((double)m));
  *th = (int)(s * s == m ? s : m);
  *tw = (int)(s * s == m ? s : 1);
}

bn_status_t bn_atoms_png(bn_ctx_t *ctx, const char *path, const double *a,
                         int m, int n, ptrdiff_t lda, int ph, int pw,
                         const int *order) {
  if (!order)
    return bn_png_mosaic(ctx, path, a, n, ph, pw, 1, lda,
                         BN_PNG_SCALE_SYMMETRIC);
  double *t = NULL; /* the atoms in drawing order, one per row */
  BN_CALL(ctx, bn_mallocn(ctx, bn_size_mul((size_t)m, (size_t)n) + 1,
                          sizeof(double), &t));
  for (int k = 0; k < n; k++)
    for (int i = 0; i < m; i++) t[(size_t)k * m + i] = a[i * lda + order[k]];
  bn_status_t st =
      bn_png_mosaic(ctx, path, t, n, ph, pw, m, 1, BN_PNG_SCALE_SYMMETRIC);
  free(t);
  return st;
}
