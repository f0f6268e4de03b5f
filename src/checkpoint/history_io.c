/* The solver history in HDF5 files (results and checkpoints). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/checkpoint.h"
#include "benign/ctx.h"
#include "benign/error.h"

typedef struct bn_hcol {
  const char *name;
  double *const *v;
  int optional; /* a metric that may be unavailable (NaN throughout) */
} bn_hcol_t;

#define BN_HCOLS(h)                                 \
  {                                                 \
    {"/history/objective", &(h)->objective, 0},     \
        {"/history/grad_norm", &(h)->grad_norm, 0}, \
        {"/history/step", &(h)->step, 0},           \
        {"/history/rel_error", &(h)->rel_error, 1}, \
        {"/history/test_rmse", &(h)->test_rmse, 1}, \
        {"/history/seconds", &(h)->seconds, 0},     \
  }

bn_status_t bn_history_write(bn_ctx_t *ctx, bn_h5_t *f, const bn_history_t *h,
                             bool skip_nan) {
  bn_idx_t n = (bn_idx_t)h->n, mine = bn_ctx_rank(ctx) == 0 ? n : 0;
  const bn_hcol_t cols[] = BN_HCOLS(h);
  BN_CALL(ctx,
          bn_h5_write_i64(f, "/history/iteration", n, 0, mine, h->iteration));
  for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
    const double *v = *cols[c].v;
    int any = 0;
    for (size_t k = 0; k < h->n; k++) any |= !isnan(v[k]);
    if (skip_nan && cols[c].optional && !any) continue;
    BN_CALL(ctx, bn_h5_write_f64(f, cols[c].name, n, 0, mine, v));
  }
  return BN_OK;
}

bn_status_t bn_history_read(bn_ctx_t *ctx, bn_h5_t *f, bn_history_t *h) {
  memset(h, 0, sizeof(*h));
  int nd;
  bn_idx_t dims[4];
  BN_CALL(ctx, bn_h5_shape(f, "/history/iteration", &nd, dims));
  if (nd != 1 || dims[0] < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /history/iteration must be a nonempty vector",
                        bn_h5_path(f));
  size_t n = (size_t)dims[0];
  bn_status_t st = bn_mallocn(ctx, n, sizeof(int64_t), &h->iteration);
  double **cols[] = {&h->objective, &h->grad_norm, &h->step,
                     &h->rel_error, &h->test_rmse, &h->seconds};
  for (size_t c = 0; c < 6 && st == BN_OK; c++)
    st = bn_mallocn(ctx, n, sizeof(double), cols[c]);
  st = bn_agree(ctx, st);
  if (st == BN_OK)
    st = bn_h5_read_i64(f, "/history/iteration", 0, (bn_idx_t)n, h->iteration);
  const bn_hcol_t names[] = BN_HCOLS(h);
  for (size_t c = 0; c < 6 && st == BN_OK; c++)
    st = bn_h5_read_f64(f, names[c].name, 0, (bn_idx_t)n, *names[c].v);
  if (st != BN_OK) {
    bn_history_clear(h);
    return st;
  }
  h->n = n;
  return BN_OK;
}
