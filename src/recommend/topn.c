/* The top N items of every local user (benign/recommend.h): scores for a
 * block of users against a block of items by one GEMM, each user's best N
 * kept in a min-heap (the output arrays themselves), seen items skipped
 * with a cursor over the user's sorted excluded columns. No rows x cols
 * matrix: the score block is at most BN_TOPN_BLOCK doubles. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>

#include "recommend/model_state.h"

#define BN_TOPN_BLOCK (1 << 18) /* doubles of one score block (2 MB) */
#define BN_TOPN_COLS 4096       /* items of one block                 */

/* a is better than b: a higher score, or the same and a smaller item. */
static inline bool bn_better(double sa, int64_t ia, double sb, int64_t ib) {
  return sa > sb || (sa == sb && ia < ib);
}

/* The min-heap of n entries (worst at the root) after the root changed. */
static void bn_heap_down(double *s, int64_t *it, int n, int k) {
  for (;;) {
    int w = k, a = 2 * k + 1, b = a + 1;
    if (a < n && bn_better(s[w], it[w], s[a], it[a])) w = a;
    if (b < n && bn_better(s[w], it[w], s[b], it[b])) w = b;
    if (w == k) return;
    double ts = s[k];
    int64_t ti = it[k];
    s[k] = s[w], it[k] = it[w];
    s[w] = ts, it[w] = ti;
    k = w;
  }
}

static void bn_heap_up(double *s, int64_t *it, int k) {
  while (k > 0) {
    int p = (k - 1) / 2;
    if (!bn_better(s[p], it[p], s[k], it[k])) return;
    double ts = s[k];
    int64_t ti = it[k];
    s[k] = s[p], it[k] = it[p];
    s[p] = ts, it[p] = ti;
    k = p;
  }
}

/* The heap of a row into best-first order, -1 / NaN past its count. */
static void bn_heap_sort(double *s, int64_t *it, int n, int top) {
  for (int k = n - 1; k > 0; k--) {
    double ts = s[0];
    int64_t ti = it[0];
    s[0] = s[k], it[0] = it[k];
    s[k] = ts, it[k] = ti;
    bn_heap_down(s, it, k, 0);
  }
  for (int k = n; k < top; k++) s[k] = NAN, it[k] = -1;
}

bn_status_t bn_model_topn(bn_model_t *m, int top, const bn_idx_t *excl_ptr,
                          const bn_idx_t *excl_col, const unsigned char *want,
                          int64_t *items, double *scores) {
  bn_ctx_t *ctx = m->ctx;
  if (top < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "bn_model_topn: top must be >= 1");
  const bn_idx_t nl = bn_dist_local(m->dist);
  const int r = m->r;
  const bn_idx_t C = m->cols < BN_TOPN_COLS ? m->cols : BN_TOPN_COLS;
  bn_idx_t B = C > 0 ? BN_TOPN_BLOCK / C : 1;
  B = B < 1 ? 1 : B > nl ? (nl > 0 ? nl : 1) : B;
  double *sb = NULL;
  int *count = NULL;
  bn_idx_t *cur = NULL;
  bn_status_t st = bn_mallocn(ctx, bn_size_mul((size_t)B, (size_t)C) + 1,
                              sizeof(double), &sb);
  if (st == BN_OK) st = bn_calloc(ctx, (size_t)nl + 1, sizeof(int), &count);
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)nl + 1, sizeof(bn_idx_t), &cur);
  st = bn_agree(ctx, st);
  for (bn_idx_t l = 0; st == BN_OK && l < nl; l++)
    cur[l] = excl_ptr ? excl_ptr[l] : 0;
  for (bn_idx_t l0 = 0; st == BN_OK && l0 < nl; l0 += B) {
    bn_idx_t nb = nl - l0 < B ? nl - l0 : B;
    for (bn_idx_t j0 = 0; j0 < m->cols; j0 += C) {
      bn_idx_t nc = m->cols - j0 < C ? m->cols - j0 : C;
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)nc, r,
                  1.0, m->u + (size_t)l0 * r, r, m->v + (size_t)j0 * r, r, 0.0,
                  sb, (int)nc);
      for (bn_idx_t b = 0; b < nb; b++) {
        const bn_idx_t l = l0 + b;
        if (want && !want[l]) continue;
        double *hs = scores + (size_t)l * top;
        int64_t *hi = items + (size_t)l * top;
        const double *row = sb + (size_t)b * nc;
        const double add = m->brow ? m->mu + m->brow[l] : 0.0;
        const double *bc = m->bcol ? m->bcol + j0 : NULL;
        const bn_idx_t end = excl_ptr ? excl_ptr[l + 1] : 0;
        /* most scores fall below the heap's worst: one compare each */
        double thr = count[l] < top ? -INFINITY : hs[0];
        for (bn_idx_t c = 0; c < nc; c++) {
          const double s = row[c] + add + (bc ? bc[c] : 0.0);
          if (s < thr) continue;
          const bn_idx_t j = j0 + c;
          while (cur[l] < end && excl_col[cur[l]] < j) cur[l]++;
          if (cur[l] < end && excl_col[cur[l]] == j) continue;
          if (count[l] < top) {
            hs[count[l]] = s;
            hi[count[l]] = j;
            bn_heap_up(hs, hi, count[l]++);
          } else if (bn_better(s, j, hs[0], hi[0])) {
            hs[0] = s;
            hi[0] = j;
            bn_heap_down(hs, hi, top, 0);
          }
          thr = count[l] < top ? -INFINITY : hs[0];
        }
      }
    }
  }
  for (bn_idx_t l = 0; st == BN_OK && l < nl; l++)
    bn_heap_sort(scores + (size_t)l * top, items + (size_t)l * top, count[l],
                 top);
  free(sb);
  free(count);
  free(cur);
  return st;
}
