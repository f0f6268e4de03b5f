/* Ranking metrics of top-k lists against held-out entries (benign/
 * recommend.h), binary relevance, averaged over the users with at least
 * one held-out entry:
 *   precision@k = hits / k,  recall@k = hits / |R|,
 *   AP@k = (1 / min(k, |R|)) sum over relevant positions t of hits(t) / t,
 *   NDCG@k = sum_rel 1 / log2(t + 1) / sum_{t <= min(k, |R|)} 1 / log2(t + 1)
 * (positions t = 1, 2, ...). */
#include <math.h>

#include "benign/benign.h"
#include "benign/recommend.h"

/* Is column j among the sorted columns [a, b)? */
static bool bn_in(const bn_idx_t *col, bn_idx_t a, bn_idx_t b, int64_t j) {
  const bn_idx_t end = b;
  while (a < b) {
    bn_idx_t mid = a + (b - a) / 2;
    if (col[mid] < j)
      a = mid + 1;
    else
      b = mid;
  }
  return a < end && col[a] == j;
}

bn_status_t bn_rank_metrics(bn_ctx_t *ctx, bn_idx_t nrows, int top, int k,
                            const int64_t *items, const bn_idx_t *test_ptr,
                            const bn_idx_t *test_col, bn_rank_metrics_t *out) {
  if (k < 1 || k > top)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "ranking metrics at k = %d: k must be in [1, %d]", k,
                        top);
  double sum[5] = {0, 0, 0, 0, 0}; /* users, precision, recall, AP, NDCG */
  for (bn_idx_t l = 0; l < nrows; l++) {
    const bn_idx_t a = test_ptr[l], b = test_ptr[l + 1], nrel = b - a;
    if (nrel <= 0) continue;
    const int64_t *it = items + (size_t)l * top;
    double hits = 0, ap = 0, dcg = 0, idcg = 0;
    for (int t = 0; t < k; t++) {
      if (t < nrel) idcg += 1.0 / log2(t + 2.0);
      if (it[t] < 0 || !bn_in(test_col, a, b, it[t])) continue;
      hits += 1;
      ap += hits / (t + 1.0);
      dcg += 1.0 / log2(t + 2.0);
    }
    sum[0] += 1;
    sum[1] += hits / k;
    sum[2] += hits / (double)nrel;
    sum[3] += ap / (double)(nrel < k ? nrel : k);
    sum[4] += dcg / idcg;
  }
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, sum, 5, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  out->k = k;
  out->users = (bn_idx_t)sum[0];
  double u = sum[0] > 0 ? sum[0] : NAN;
  out->precision = sum[1] / u;
  out->recall = sum[2] / u;
  out->map = sum[3] / u;
  out->ndcg = sum[4] / u;
  return BN_OK;
}
