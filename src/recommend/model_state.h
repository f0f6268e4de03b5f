/* The recommender model's state, private to src/recommend/. */
#ifndef BN_RECOMMEND_MODEL_STATE_H
#define BN_RECOMMEND_MODEL_STATE_H

#include "benign/benign.h"
#include "benign/recommend.h"

/* An id and its index, sorted by id (lookups by bsearch). */
typedef struct bn_id_index {
  int64_t id;
  bn_idx_t index;
} bn_id_index_t;

struct bn_model {
  bn_ctx_t *ctx;
  bn_idx_t rows, cols;
  int r;
  bn_dist_t *dist;          /* rows of U                                    */
  double *u;                /* local rows x r                                */
  double *v;                /* cols x r, replicated                          */
  double *brow, *bcol;      /* local rows / cols biases (NULL: no biases)    */
  double mu;                /* the biases' mean (0 without biases)           */
  double vmean, vmin, vmax; /* training values (NaN: not in the file)   */
  int64_t *row_ids, *col_ids; /* the maps (NULL: ids are indices)       */
  bn_id_index_t *row_find, *col_find; /* the maps sorted by id         */
  char *input; /* the result's `input` attribute (NULL: none)           */
};

/* Not collective: yhat of local row l (global row first + l) and col j. */
static inline double bn_model_score(const bn_model_t *m, bn_idx_t l,
                                    bn_idx_t j) {
  const double *u = m->u + (size_t)l * m->r, *v = m->v + (size_t)j * m->r;
  double s = 0.0;
  for (int k = 0; k < m->r; k++) s += u[k] * v[k];
  if (m->brow) s += m->mu + m->brow[l] + m->bcol[j];
  return s;
}

#endif
