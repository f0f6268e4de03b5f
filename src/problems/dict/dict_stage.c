/* Dictionary learning: records of the finished solves, their histories,
 * and the multi-solve state (atoms kept, records, histories) in result
 * and checkpoint files. Small replicated arrays are written by rank 0 and
 * read by every process. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/checkpoint.h"
#include "problems/dict/dict.h"

/* Room for the stage records and for `more` history rows. */
bn_status_t bn_dict_stage_room(bn_dict_t *d, size_t more) {
  if (!d->st) {
    d->st = calloc((size_t)d->stages + 1, sizeof(bn_dict_stage_t));
    if (!d->st) return BN_ERROR(d->ctx, BN_ERR_MEM, "out of memory (stages)");
  }
  return bn_history_tagged_room(d->ctx, &d->hist, &d->hstage, &d->hcap, more);
}

/* A distribution of `rows` rows all on rank 0. */
static bn_status_t bn_dict_rank0_dist(bn_dict_t *d, bn_idx_t rows,
                                      bn_dist_t **out) {
  const int P = bn_ctx_size(d->ctx);
  bn_idx_t *off = NULL;
  BN_CALL(d->ctx, bn_agree(d->ctx, bn_mallocn(d->ctx, (size_t)P + 1,
                                              sizeof(bn_idx_t), &off)));
  off[0] = 0;
  for (int p = 1; p <= P; p++) off[p] = rows;
  bn_status_t st = bn_dist_create_offsets(d->ctx, off, out);
  free(off);
  return st;
}

bn_status_t bn_dict_put(bn_dict_t *d, bn_h5_t *f, const char *name,
                        bn_idx_t rows, int cols, const double *v) {
  const bool root = bn_ctx_rank(d->ctx) == 0;
  if (cols == 0) return bn_h5_write_f64(f, name, rows, 0, root ? rows : 0, v);
  bn_dist_t *dist = NULL;
  bn_dmat_t *a = NULL;
  BN_CALL(d->ctx, bn_dict_rank0_dist(d, rows, &dist));
  bn_status_t st = bn_dmat_create(dist, cols, &a);
  if (st == BN_OK && root)
    memcpy(bn_dmat_data(a), v, (size_t)rows * (size_t)cols * sizeof(double));
  if (st == BN_OK) st = bn_h5_write_dmat(f, name, a);
  bn_dmat_destroy(a);
  bn_dist_destroy(dist);
  return st;
}

bn_status_t bn_dict_get(bn_dict_t *d, bn_h5_t *f, const char *name,
                        bn_idx_t rows, int cols, double *v) {
  bn_ctx_t *ctx = d->ctx;
  int nd;
  bn_idx_t dims[4];
  BN_CALL(ctx, bn_h5_shape(f, name, &nd, dims));
  bool ok = cols == 0 ? (nd == 1 && dims[0] == rows)
                      : (nd == 2 && dims[0] == rows && dims[1] == cols);
  if (!ok && cols == 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: %s must hold %lld values",
                        bn_h5_path(f), name, (long long)rows);
  if (!ok)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: %s must be %lld x %d",
                        bn_h5_path(f), name, (long long)rows, cols);
  if (cols == 0) return bn_h5_read_f64(f, name, 0, rows, v);
  bn_dist_t *dist = NULL;
  bn_dmat_t *a = NULL;
  BN_CALL(ctx, bn_dict_rank0_dist(d, rows, &dist));
  bn_status_t st = bn_h5_read_dmat(f, name, dist, cols, &a);
  if (st == BN_OK && bn_ctx_rank(ctx) == 0)
    memcpy(v, bn_dmat_cdata(a), (size_t)rows * (size_t)cols * sizeof(double));
  if (st == BN_OK)
    st = bn_agree(ctx, MPI_Bcast(v, (int)(rows * cols), MPI_DOUBLE, 0,
                                 bn_ctx_comm(ctx)) == MPI_SUCCESS
                           ? BN_OK
                           : BN_ERROR(ctx, BN_ERR_MPI, "MPI_Bcast failed"));
  bn_dmat_destroy(a);
  bn_dist_destroy(dist);
  return st;
}

bn_status_t bn_dict_get_iterate(bn_dict_t *d, bn_h5_t *f, const char *name,
                                bn_idx_t rows, int cols, double *x) {
  bn_ctx_t *ctx = d->ctx;
  size_t len = (size_t)rows * (size_t)(cols > 0 ? cols : 1);
  double *v = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, len, sizeof(double), &v)));
  bn_status_t st = bn_dict_get(d, f, name, rows, cols, v);
  if (st == BN_OK)
    for (size_t k = 0; k < len; k++)
      if (!isfinite(v[k])) {
        st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: %s holds a NaN or infinite value", bn_h5_path(f),
                          name);
        break;
      }
  if (st == BN_OK && bn_ctx_rank(ctx) == 0) memcpy(x, v, len * sizeof(double));
  free(v);
  return st;
}

static bn_status_t bn_dict_put_i64(bn_dict_t *d, bn_h5_t *f, const char *name,
                                   bn_idx_t n, const int64_t *v) {
  return bn_h5_write_i64(f, name, n, 0, bn_ctx_rank(d->ctx) == 0 ? n : 0, v);
}

/* The per-stage columns: int64 (iterations, reason, kept, verdict) and
 * float64 (objective, grad_norm, seconds, lambda_min). */
bn_status_t bn_dict_write_state(bn_dict_t *d, bn_h5_t *f,
                                const char *hist_prefix) {
  bn_ctx_t *ctx = d->ctx;
  const int J = d->done;
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "atoms_found", d->found));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "stages_done", J));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "subgradient_steps", d->sweeps));
  if (d->found > 0) {
    double *q = NULL;
    size_t len = (size_t)d->m * (size_t)d->found;
    BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, len, sizeof(double), &q)));
    for (bn_idx_t i = 0; i < d->m; i++)
      memcpy(q + i * d->found, d->qk + i * d->n,
             (size_t)d->found * sizeof(double));
    bn_status_t st = bn_dict_put(d, f, "/Q", d->m, d->found, q);
    free(q);
    BN_CALL(ctx, st);
  }
  if (J == 0) return BN_OK;
  int64_t *iv = NULL;
  double *dv = NULL;
  bn_status_t st =
      bn_mallocn(ctx, bn_size_mul(4, (size_t)J), sizeof(int64_t), &iv);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul(4, (size_t)J), sizeof(double), &dv);
  BN_CALL(ctx, bn_agree(ctx, st));
  for (int j = 0; j < J; j++) {
    const bn_dict_stage_t *r = &d->st[j];
    iv[j] = r->iterations;
    iv[J + j] = r->reason;
    iv[2 * J + j] = r->kept;
    iv[3 * J + j] = r->verdict;
    dv[j] = r->objective;
    dv[J + j] = r->grad_norm;
    dv[2 * J + j] = r->seconds;
    dv[3 * J + j] = r->lambda_min;
  }
  const char *in[] = {"iterations", "reason", "kept", "verdict"};
  const char *dn[] = {"objective", "grad_norm", "seconds", "lambda_min"};
  char path[96];
  for (int c = 0; c < 4 && st == BN_OK; c++) {
    snprintf(path, sizeof path, "/stages/%s", in[c]);
    st = bn_dict_put_i64(d, f, path, J, iv + c * J);
    snprintf(path, sizeof path, "/stages/%s", dn[c]);
    if (st == BN_OK) st = bn_dict_put(d, f, path, J, 0, dv + c * J);
  }
  if (st == BN_OK && d->hist.n > 0)
    st = bn_history_tagged_write(d->ctx, f, hist_prefix, "stage", &d->hist,
                                 d->hstage);
  free(iv);
  free(dv);
  return st;
}

bn_status_t bn_dict_read_state(bn_dict_t *d, bn_h5_t *f) {
  bn_ctx_t *ctx = d->ctx;
  int64_t J, K, sw;
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/", "atoms_found", &K));
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/", "stages_done", &J));
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/", "subgradient_steps", &sw));
  if (K < 0 || K > d->n || J < 0 || J > d->stages)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: holds %lld atoms after %lld solves; this run "
                        "learns %d atoms in at most %d solves",
                        bn_h5_path(f), (long long)K, (long long)J, d->n,
                        d->stages);
  d->found = 0;
  d->done = 0;
  d->hist.n = 0;
  d->sweeps = sw;
  if (K > 0) {
    double *q = NULL;
    size_t len = (size_t)d->m * (size_t)K;
    BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, len, sizeof(double), &q)));
    bn_status_t st = bn_dict_get(d, f, "/Q", d->m, (int)K, q);
    for (bn_idx_t i = 0; st == BN_OK && i < d->m; i++)
      memcpy(d->qk + i * d->n, q + i * K, (size_t)K * sizeof(double));
    free(q);
    BN_CALL(ctx, st);
  }
  if (J > 0) {
    int64_t *iv = NULL;
    double *dv = NULL;
    bn_status_t st =
        bn_mallocn(ctx, bn_size_mul(4, (size_t)J), sizeof(int64_t), &iv);
    if (st == BN_OK)
      st = bn_mallocn(ctx, bn_size_mul(4, (size_t)J), sizeof(double), &dv);
    st = bn_agree(ctx, st);
    const char *in[] = {"iterations", "reason", "kept", "verdict"};
    const char *dn[] = {"objective", "grad_norm", "seconds", "lambda_min"};
    char path[96];
    for (int c = 0; c < 4 && st == BN_OK; c++) {
      snprintf(path, sizeof path, "/stages/%s", in[c]);
      st = bn_h5_read_i64(f, path, 0, J, iv + c * J);
      snprintf(path, sizeof path, "/stages/%s", dn[c]);
      if (st == BN_OK) st = bn_h5_read_f64(f, path, 0, J, dv + c * J);
    }
    for (int64_t j = 0; st == BN_OK && j < J; j++) {
      bn_dict_stage_t *r = &d->st[j];
      r->iterations = iv[j];
      r->reason = iv[J + j];
      r->kept = iv[2 * J + j];
      r->verdict = iv[3 * J + j];
      r->objective = dv[j];
      r->grad_norm = dv[J + j];
      r->seconds = dv[2 * J + j];
      r->lambda_min = dv[3 * J + j];
    }
    free(iv);
    free(dv);
    BN_CALL(ctx, st);
  }
  d->found = (int)K;
  d->done = (int)J;
  return bn_history_tagged_read(ctx, f, "/stages/history/", "stage", &d->hist,
                                &d->hstage, &d->hcap);
}
