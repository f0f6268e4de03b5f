/* A history kept over several solves, each row tagged with its solve
 * (dict's stages, tensor's components), and its datasets in results and
 * checkpoints. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "benign/checkpoint.h"
#include "benign/ctx.h"
#include "benign/error.h"

bn_status_t bn_history_tagged_room(bn_ctx_t *ctx, bn_history_t *h,
                                   int64_t **tag, size_t *cap, size_t more) {
  size_t want = h->n + more;
  if (want <= *cap && *cap > 0) return BN_OK;
  size_t c = *cap ? 2 * *cap : 256;
  while (c < want) c *= 2;
  int64_t *it = bn_realloc_n(h->iteration, c, sizeof(int64_t));
  if (it) h->iteration = it;
  int64_t *tg = bn_realloc_n(*tag, c, sizeof(int64_t));
  if (tg) *tag = tg;
  double **cols[] = {&h->objective, &h->grad_norm, &h->step,
                     &h->rel_error, &h->test_rmse, &h->seconds};
  bool ok = it && tg;
  for (size_t k = 0; k < 6 && ok; k++) {
    double *p = bn_realloc_n(*cols[k], c, sizeof(double));
    if (p) *cols[k] = p;
    ok = p != NULL;
  }
  if (!ok) return BN_ERROR(ctx, BN_ERR_MEM, "out of memory (history)");
  *cap = c;
  return BN_OK;
}

/* The kept float64 columns, in their order in both directions. */
#define BN_TCOLS(h) \
  { (h)->objective, (h)->grad_norm, (h)->step, (h)->seconds, (h)->rel_error }
static const char *const bn_tcol_names[] = {"objective", "grad_norm", "step",
                                            "seconds", "rel_error"};

bn_status_t bn_history_tagged_write(bn_ctx_t *ctx, bn_h5_t *f,
                                    const char *prefix, const char *tagname,
                                    const bn_history_t *h, const int64_t *tag) {
  const bn_idx_t n = (bn_idx_t)h->n, mine = bn_ctx_rank(ctx) == 0 ? n : 0;
  char path[160];
  bool rel = false;
  for (size_t k = 0; k < h->n; k++) rel |= !isnan(h->rel_error[k]);
  snprintf(path, sizeof path, "%siteration", prefix);
  BN_CALL(ctx, bn_h5_write_i64(f, path, n, 0, mine, h->iteration));
  snprintf(path, sizeof path, "%s%s", prefix, tagname);
  BN_CALL(ctx, bn_h5_write_i64(f, path, n, 0, mine, tag));
  const double *cols[] = BN_TCOLS(h);
  for (int c = 0; c < (rel ? 5 : 4); c++) {
    snprintf(path, sizeof path, "%s%s", prefix, bn_tcol_names[c]);
    BN_CALL(ctx, bn_h5_write_f64(f, path, n, 0, mine, cols[c]));
  }
  return BN_OK;
}

bn_status_t bn_history_tagged_read(bn_ctx_t *ctx, bn_h5_t *f,
                                   const char *prefix, const char *tagname,
                                   bn_history_t *h, int64_t **tag,
                                   size_t *cap) {
  char path[160];
  int has, nd;
  bn_idx_t dims[4];
  snprintf(path, sizeof path, "%siteration", prefix);
  BN_CALL(ctx, bn_h5_exists(f, path, &has));
  if (!has) return BN_OK;
  BN_CALL(ctx, bn_h5_shape(f, path, &nd, dims));
  size_t n = (size_t)dims[0];
  h->n = 0;
  BN_CALL(ctx, bn_agree(ctx, bn_history_tagged_room(ctx, h, tag, cap, n)));
  BN_CALL(ctx, bn_h5_read_i64(f, path, 0, (bn_idx_t)n, h->iteration));
  snprintf(path, sizeof path, "%s%s", prefix, tagname);
  BN_CALL(ctx, bn_h5_read_i64(f, path, 0, (bn_idx_t)n, *tag));
  double *cols[] = BN_TCOLS(h);
  for (int c = 0; c < 5; c++) {
    snprintf(path, sizeof path, "%s%s", prefix, bn_tcol_names[c]);
    BN_CALL(ctx, bn_h5_exists(f, path, &has));
    if (has)
      BN_CALL(ctx, bn_h5_read_f64(f, path, 0, (bn_idx_t)n, cols[c]));
    else
      for (size_t k = 0; k < n; k++) cols[c][k] = NAN;
  }
  for (size_t k = 0; k < n; k++) h->test_rmse[k] = NAN;
  h->n = n;
  return BN_OK;
}
