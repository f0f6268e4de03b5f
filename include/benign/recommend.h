/* benign -- a completion result used as a recommender (src/recommend/):
 * predictions for (user, item) pairs in the input's original ids, the top
 * N items of every user, and ranking metrics against held-out entries.
 *
 * A model is the result of `benign complete`: /U (rows x r), /V (cols x
 * r), with --bias the biases /bias/row, /bias/col and their mean, the id
 * maps /map/row_ids and /map/col_ids of a CSV import, and the training
 * values' mean and range (value_mean, value_min, value_max). The rows of
 * U are held by blocks (a uniform row distribution, bn_model_dist); V,
 * the column biases and both id maps are replicated on every process
 * (cols (r + 2) + rows doubles each). The model is
 *   yhat_ij = mu + b_i + c_j + u_i . v_j   (mu, b, c zero without biases). */
#ifndef BENIGN_RECOMMEND_H
#define BENIGN_RECOMMEND_H

#include <stdbool.h>
#include <stdint.h>

#include "benign/ctx.h"
#include "benign/dist.h"
#include "benign/import.h"
#include "benign/types.h"

typedef struct bn_model bn_model_t;

/* Collective: open a `benign complete` result; errors name the file and
 * the dataset that is missing or of the wrong shape. */
bn_status_t bn_model_open(bn_ctx_t *ctx, const char *path, bn_model_t **out);
/* Not collective; NULL is fine. */
void bn_model_close(bn_model_t *m);

/* Not collective: the shape, the rank and the row distribution of U. */
bn_idx_t bn_model_rows(const bn_model_t *m);
bn_idx_t bn_model_cols(const bn_model_t *m);
int bn_model_rank(const bn_model_t *m);
bn_dist_t *bn_model_dist(const bn_model_t *m);
/* Not collective: the path of the input the model was fitted to (its
 * `input` attribute, as given to complete), NULL when absent. */
const char *bn_model_input(const bn_model_t *m);
/* Not collective: the index of an original id, -1 when the model does not
 * know it (without a map, ids are the indices themselves). */
bn_idx_t bn_model_row_index(const bn_model_t *m, int64_t id);
bn_idx_t bn_model_col_index(const bn_model_t *m, int64_t id);
/* Not collective: the original id of an index. */
int64_t bn_model_row_id(const bn_model_t *m, bn_idx_t i);
int64_t bn_model_col_id(const bn_model_t *m, bn_idx_t j);

/* What a prediction does with a user or item the model never saw. */
typedef enum bn_cold_start {
  BN_COLD_MEAN = 0, /* the mean, plus the known side's bias (mu + c_j for
                       an unknown user, mu + b_i for an unknown item) */
  BN_COLD_NAN = 1,  /* NaN                                           */
  BN_COLD_DROP = 2  /* no prediction (known[k] = 0, out[k] NaN)       */
} bn_cold_start_t;

typedef struct bn_predict_params {
  bn_cold_start_t cold;
  bool clip; /* clip to the training values' range [value_min, value_max] */
} bn_predict_params_t;

/* Collective: predictions for n pairs of original ids, the same pairs on
 * every process (the owner of each row computes, all receive): out[k] and
 * known[k] (1: both ids known; 0: a cold start). */
bn_status_t bn_model_predict(bn_model_t *m, bn_idx_t n, const int64_t *user,
                             const int64_t *item, const bn_predict_params_t *p,
                             double *out, unsigned char *known);

/* What bn_model_predict_pairs found: the pairs, those with both ids
 * known, and the RMSE of the known pairs that have a finite value against
 * their predictions (scored of them; NaN when none). */
typedef struct bn_predict_stats {
  int64_t n, known, scored;
  double rmse;
} bn_predict_stats_t;
/* Collective: the pairs rank 0 read (bn_pairs_read; the other ranks hold
 * none), predicted in chunks of 2^20 broadcast from rank 0. *yhat and
 * *known (n each, every rank; free() them) receive the predictions and
 * the known flags, s the counts and the RMSE (every rank). */
bn_status_t bn_model_predict_pairs(bn_model_t *m, const bn_pairs_t *pairs,
                                   const bn_predict_params_t *p, double **yhat,
                                   unsigned char **known,
                                   bn_predict_stats_t *s);

/* Collective: the `top` items of highest yhat for this process's rows of
 * U (bn_model_dist; local row l is global row first + l), excluding for
 * each row the columns listed in exclude (CSR over the local rows: the
 * columns of local row l are excl_col[excl_ptr[l] .. excl_ptr[l + 1]),
 * or NULL for none), and only for rows with want[l] != 0 (NULL: all).
 * items[l * top + t] is the t-th best column index (-1 past a row's
 * candidates), scores the same yhat. Items are scored in blocks of
 * columns by one GEMM per block of rows; no rows x cols matrix is
 * formed. */
bn_status_t bn_model_topn(bn_model_t *m, int top, const bn_idx_t *excl_ptr,
                          const bn_idx_t *excl_col, const unsigned char *want,
                          int64_t *items, double *scores);

/* Ranking quality of top-k lists against held-out entries (binary
 * relevance: an item is relevant to a user when it is among the user's
 * held-out entries), averaged over the users with at least one held-out
 * entry. */
typedef struct bn_rank_metrics {
  int k;
  bn_idx_t users; /* users evaluated (with a held-out entry) */
  double precision, recall, map, ndcg;
} bn_rank_metrics_t;
/* Collective: from this process's lists (items as in bn_model_topn, top
 * per row, nrows local rows) and held-out columns (CSR as exclude above),
 * the metrics at k <= top, summed over processes. */
bn_status_t bn_rank_metrics(bn_ctx_t *ctx, bn_idx_t nrows, int top, int k,
                            const int64_t *items, const bn_idx_t *test_ptr,
                            const bn_idx_t *test_col, bn_rank_metrics_t *out);

/* Collective: the entries of GROUP ("/omega" or "/test") of an input
 * with the model's shape (its own id maps, if any, must be the model's),
 * those with a value >= min_value, as sorted columns per local row of the
 * model (CSR: *ptr has local rows + 1 offsets into *col; free both);
 * *total: entries kept over all processes. A missing group is an error
 * naming it. */
bn_status_t bn_model_entries(bn_model_t *m, const char *path, const char *group,
                             double min_value, bn_idx_t **ptr, bn_idx_t **col,
                             bn_idx_t *total);

#endif
