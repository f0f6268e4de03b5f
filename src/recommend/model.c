/* A `benign complete` result opened as a recommender model: U by row
 * blocks, V, the column biases and the id maps replicated (benign/
 * recommend.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recommend/model_state.h"

static int bn_id_cmp(const void *a, const void *b) {
  int64_t x = ((const bn_id_index_t *)a)->id,
          y = ((const bn_id_index_t *)b)->id;
  return x < y ? -1 : x > y;
}

/* A 2-D dataset of `rows` x r (r from the first one read, *r = 0). */
static bn_status_t bn_model_shape(bn_ctx_t *ctx, bn_h5_t *f, const char *name,
                                  bn_idx_t *rows, int *r) {
  int nd = 0;
  bn_idx_t d[4] = {0};
  BN_CALL(ctx, bn_h5_shape(f, name, &nd, d));
  if (nd != 2 || d[1] < 1 || d[1] > 4096 || (*r && d[1] != *r))
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s must be a matrix of %s columns (the rank), "
                        "found %d dimensions",
                        bn_h5_path(f), name, *r ? "the same" : "1 to 4096", nd);
  *rows = d[0];
  *r = (int)d[1];
  return BN_OK;
}

/* An id map (NULL when the file has none), checked and indexed. */
static bn_status_t bn_model_map(bn_model_t *m, bn_h5_t *f, const char *name,
                                bn_idx_t n, int64_t **ids,
                                bn_id_index_t **find) {
  bn_ctx_t *ctx = m->ctx;
  int has = 0, nd = 0;
  bn_idx_t d[4] = {0};
  BN_CALL(ctx, bn_h5_exists(f, name, &has));
  if (!has) return BN_OK;
  BN_CALL(ctx, bn_h5_shape(f, name, &nd, d));
  if (nd != 1 || d[0] != n)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s must hold %lld ids, one per factor row",
                        bn_h5_path(f), name, (long long)n);
  BN_CALL(ctx,
          bn_agree(ctx, bn_mallocn(ctx, (size_t)n + 1, sizeof(int64_t), ids)));
  BN_CALL(ctx, bn_h5_read_i64(f, name, 0, n, *ids));
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, (size_t)n + 1,
                                        sizeof(bn_id_index_t), find)));
  for (bn_idx_t i = 0; i < n; i++) (*find)[i] = (bn_id_index_t){(*ids)[i], i};
  qsort(*find, (size_t)n, sizeof **find, bn_id_cmp);
  for (bn_idx_t i = 1; i < n; i++)
    if ((*find)[i].id == (*find)[i - 1].id)
      return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: %s holds id %lld twice",
                          bn_h5_path(f), name, (long long)(*find)[i].id);
  return BN_OK;
}

/* A root attribute, NaN when absent. */
static bn_status_t bn_model_attr(bn_ctx_t *ctx, bn_h5_t *f, const char *name,
                                 double *v) {
  int has = 0;
  *v = NAN;
  BN_CALL(ctx, bn_h5_attr_exists(f, "/", name, &has));
  return has ? bn_h5_attr_get_f64(f, "/", name, v) : BN_OK;
}

static bn_status_t bn_model_biases(bn_model_t *m, bn_h5_t *f) {
  bn_ctx_t *ctx = m->ctx;
  int has = 0;
  BN_CALL(ctx, bn_h5_exists(f, "/bias/row", &has));
  if (!has) return BN_OK;
  bn_idx_t n = 0, c = 0;
  int nd = 0;
  bn_idx_t d[4] = {0};
  BN_CALL(ctx, bn_h5_shape(f, "/bias/row", &nd, d));
  n = nd == 1 ? d[0] : -1;
  BN_CALL(ctx, bn_h5_shape(f, "/bias/col", &nd, d));
  c = nd == 1 ? d[0] : -1;
  if (n != m->rows || c != m->cols)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /bias/row and /bias/col must hold %lld and %lld "
                        "values (the factors' rows)",
                        bn_h5_path(f), (long long)m->rows, (long long)m->cols);
  bn_idx_t local = bn_dist_local(m->dist);
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, (size_t)(local + m->cols) + 1,
                                        sizeof(double), &m->brow)));
  m->bcol = m->brow + local;
  BN_CALL(ctx, bn_h5_read_f64(f, "/bias/row", bn_dist_first(m->dist), local,
                              m->brow));
  BN_CALL(ctx, bn_h5_read_f64(f, "/bias/col", 0, m->cols, m->bcol));
  return bn_h5_attr_get_f64(f, "/bias", "mean", &m->mu);
}

static bn_status_t bn_model_read(bn_model_t *m, bn_h5_t *f) {
  bn_ctx_t *ctx = m->ctx;
  char *problem = NULL;
  int has = 0;
  BN_CALL(ctx, bn_h5_attr_exists(f, "/", "problem", &has));
  if (has) BN_CALL(ctx, bn_h5_attr_get_str(f, "/", "problem", &problem));
  bool ok = !has || !strcmp(problem, "complete");
  free(problem);
  if (!ok)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s is not the result of benign complete (a model is "
                        "/U, /V and their maps)",
                        bn_h5_path(f));
  BN_CALL(ctx, bn_model_shape(ctx, f, "/U", &m->rows, &m->r));
  BN_CALL(ctx, bn_model_shape(ctx, f, "/V", &m->cols, &m->r));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, m->rows, &m->dist));
  bn_idx_t local = bn_dist_local(m->dist);
  size_t nu = bn_size_mul((size_t)local, (size_t)m->r);
  size_t nv = bn_size_mul((size_t)m->cols, (size_t)m->r);
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_add(nu, nv) + 1,
                                        sizeof(double), &m->u)));
  m->v = m->u + nu;
  bn_idx_t s0[2] = {bn_dist_first(m->dist), 0}, c0[2] = {local, m->r};
  BN_CALL(ctx, bn_h5_read_block(f, "/U", 2, s0, c0, m->u));
  bn_idx_t s1[2] = {0, 0}, c1[2] = {m->cols, m->r};
  BN_CALL(ctx, bn_h5_read_block(f, "/V", 2, s1, c1, m->v));
  BN_CALL(ctx, bn_model_biases(m, f));
  BN_CALL(ctx, bn_model_map(m, f, "/map/row_ids", m->rows, &m->row_ids,
                            &m->row_find));
  BN_CALL(ctx, bn_model_map(m, f, "/map/col_ids", m->cols, &m->col_ids,
                            &m->col_find));
  int has_in = 0;
  BN_CALL(ctx, bn_h5_attr_exists(f, "/", "input", &has_in));
  if (has_in) BN_CALL(ctx, bn_h5_attr_get_str(f, "/", "input", &m->input));
  BN_CALL(ctx, bn_model_attr(ctx, f, "value_mean", &m->vmean));
  BN_CALL(ctx, bn_model_attr(ctx, f, "value_min", &m->vmin));
  return bn_model_attr(ctx, f, "value_max", &m->vmax);
}

bn_status_t bn_model_open(bn_ctx_t *ctx, const char *path, bn_model_t **out) {
  bn_model_t *m = NULL;
  *out = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*m), &m)));
  m->ctx = ctx;
  bn_h5_t *f = NULL;
  bn_status_t st = bn_h5_open(ctx, path, &f);
  if (st == BN_OK) st = bn_model_read(m, f);
  bn_h5_close(f);
  if (st != BN_OK) {
    bn_model_close(m);
    return st;
  }
  *out = m;
  return BN_OK;
}

void bn_model_close(bn_model_t *m) {
  if (!m) return;
  bn_dist_destroy(m->dist);
  free(m->u);
  free(m->brow);
  free(m->row_ids);
  free(m->col_ids);
  free(m->row_find);
  free(m->col_find);
  free(m->input);
  free(m);
}

bn_idx_t bn_model_rows(const bn_model_t *m) { return m->rows; }
bn_idx_t bn_model_cols(const bn_model_t *m) { return m->cols; }
int bn_model_rank(const bn_model_t *m) { return m->r; }
bn_dist_t *bn_model_dist(const bn_model_t *m) { return m->dist; }
const char *bn_model_input(const bn_model_t *m) { return m->input; }

static bn_idx_t bn_model_find(const bn_id_index_t *find, bn_idx_t n,
                              int64_t id) {
  if (!find) return id >= 0 && id < n ? id : -1;
  bn_id_index_t key = {id, 0};
  const bn_id_index_t *at =
      bsearch(&key, find, (size_t)n, sizeof key, bn_id_cmp);
  return at ? at->index : -1;
}

bn_idx_t bn_model_row_index(const bn_model_t *m, int64_t id) {
  return bn_model_find(m->row_find, m->rows, id);
}
bn_idx_t bn_model_col_index(const bn_model_t *m, int64_t id) {
  return bn_model_find(m->col_find, m->cols, id);
}
int64_t bn_model_row_id(const bn_model_t *m, bn_idx_t i) {
  return m->row_ids ? m->row_ids[i] : i;
}
int64_t bn_model_col_id(const bn_model_t *m, bn_idx_t j) {
  return m->col_ids ? m->col_ids[j] : j;
}
