/* An input's entries on the model's rows (benign/recommend.h): the items
 * a user has seen (excluded from recommendations) or held out (the
 * relevant ones of the ranking metrics). */
#include <stdlib.h>
#include <string.h>

#include "recommend/model_state.h"
#include "sparse/obs.h"

static int bn_idx_cmp(const void *a, const void *b) {
  bn_idx_t x = *(const bn_idx_t *)a, y = *(const bn_idx_t *)b;
  return x < y ? -1 : x > y;
}

/* The file's id map NAME, if any, must be the model's. */
static bn_status_t bn_entries_map(bn_model_t *m, bn_h5_t *f, const char *name,
                                  const int64_t *ids, bn_idx_t n) {
  bn_ctx_t *ctx = m->ctx;
  int has = 0;
  BN_CALL(ctx, bn_h5_exists(f, name, &has));
  if (!has) return BN_OK;
  int64_t *other = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, (size_t)n + 1, 8, &other)));
  bn_status_t st = bn_h5_read_i64(f, name, 0, n, other);
  bool same = st == BN_OK && (ids ? !memcmp(ids, other, (size_t)n * 8) : true);
  if (!ids)
    for (bn_idx_t i = 0; st == BN_OK && i < n; i++) same &= other[i] == i;
  free(other);
  BN_CALL(ctx, st);
  if (!same)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s is not the model's id map (an input imported "
                        "apart from the model's?)",
                        bn_h5_path(f), name);
  return BN_OK;
}

static bn_status_t bn_entries_read(bn_model_t *m, bn_h5_t *f, const char *group,
                                   bn_obs_t **obs) {
  bn_ctx_t *ctx = m->ctx;
  int has = 0;
  char name[64];
  snprintf(name, sizeof name, "%s/row", group);
  BN_CALL(ctx, bn_h5_exists(f, name, &has));
  if (!has)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: no %s (entries)", bn_h5_path(f),
                        group);
  int64_t rows = 0, cols = 0;
  BN_CALL(ctx, bn_h5_attr_get_i64(f, group, "rows", &rows));
  BN_CALL(ctx, bn_h5_attr_get_i64(f, group, "cols", &cols));
  if (rows != m->rows || cols != m->cols)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s is %lld x %lld, the model %lld x %lld",
                        bn_h5_path(f), group, (long long)rows, (long long)cols,
                        (long long)m->rows, (long long)m->cols);
  BN_CALL(ctx, bn_entries_map(m, f, "/map/row_ids", m->row_ids, m->rows));
  BN_CALL(ctx, bn_entries_map(m, f, "/map/col_ids", m->col_ids, m->cols));
  return bn_obs_read(ctx, f, group, m->rows, m->cols, m->dist, BN_OBS_DUP_FIRST,
                     obs);
}

bn_status_t bn_model_entries(bn_model_t *m, const char *path, const char *group,
                             double min_value, bn_idx_t **ptr, bn_idx_t **col,
                             bn_idx_t *total) {
  bn_ctx_t *ctx = m->ctx;
  bn_h5_t *f = NULL;
  bn_obs_t *o = NULL;
  *ptr = *col = NULL;
  BN_CALL(ctx, bn_h5_open(ctx, path, &f));
  bn_status_t st = bn_entries_read(m, f, group, &o);
  bn_h5_close(f);
  BN_CALL(ctx, st);
  const bn_idx_t nl = bn_dist_local(m->dist);
  st = bn_mallocn(ctx, (size_t)nl + 1, sizeof(bn_idx_t), ptr);
  if (st == BN_OK)
    st = bn_mallocn(ctx, (size_t)o->nnz + 1, sizeof(bn_idx_t), col);
  st = bn_agree(ctx, st);
  bn_idx_t n = 0;
  for (bn_idx_t l = 0; st == BN_OK && l < nl; l++) {
    (*ptr)[l] = n;
    for (bn_idx_t e = o->rowptr[l]; e < o->rowptr[l + 1]; e++)
      if (o->val[e] >= min_value) (*col)[n++] = o->ghost[o->gcol[e]];
    qsort(*col + (*ptr)[l], (size_t)(n - (*ptr)[l]), sizeof(bn_idx_t),
          bn_idx_cmp);
  }
  if (st == BN_OK) (*ptr)[nl] = n;
  bn_obs_destroy(o);
  int64_t t = n;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_INT64_T, MPI_SUM,
                            bn_ctx_comm(ctx)));
  *total = t;
  return st;
}
