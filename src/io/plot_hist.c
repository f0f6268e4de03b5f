/* Reading the history of a result or checkpoint for `benign plot`: every
 * solve writes /history/{iteration, objective, seconds, ...}; which
 * quantities are there depends on the problem and the input (no truth: no
 * rel_error; sasd: residual, change, kernel_error and no gradient). */
#include "io/plot_hist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/error.h"

const bn_plot_quantity_t bn_plot_quantities[BN_PLOT_NQ] = {
    {"objective", "objective", {31, 119, 180}},
    {"grad_norm", "gradient norm", {255, 127, 14}},
    {"rel_error", "relative error", {44, 160, 44}},
    {"test_rmse", "test RMSE", {214, 39, 40}},
    {"kernel_error", "kernel error", {148, 103, 189}},
    {"residual", "residual", {140, 86, 75}},
    {"change", "change", {227, 119, 194}},
};

void bn_plot_hist_free(bn_plot_hist_t *h) {
  free(h->iteration);
  free(h->seconds);
  for (int k = 0; k < BN_PLOT_NQ; k++) free(h->q[k]);
  free(h->stage);
  memset(h, 0, sizeof *h);
}

/* Collective: dataset dir/name as n doubles into *out (HDF5 converts
 * integers); *out stays NULL when it is absent or of another shape. */
static bn_status_t bn_plot_col(bn_ctx_t *ctx, bn_h5_t *f, const char *dir,
                               const char *name, size_t n, double **out) {
  char path[128];
  int has = 0, nd = 0;
  bn_idx_t dims[4] = {0};
  *out = NULL;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  BN_CALL(ctx, bn_h5_exists(f, path, &has));
  if (!has) return BN_OK;
  BN_CALL(ctx, bn_h5_shape(f, path, &nd, dims));
  if (nd != 1 || (size_t)dims[0] != n) return BN_OK;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, n, sizeof(double), out)));
  return bn_h5_read_f64(f, path, 0, (bn_idx_t)n, *out);
}

/* After which iterations: the attribute escape_iterations of the root (a
 * result) or of /checkpoint/state (a checkpoint), when there is one. */
static bn_status_t bn_plot_escape_at(bn_ctx_t *ctx, bn_h5_t *f,
                                     bn_plot_hist_t *h) {
  static const char *const objs[] = {"/", "/checkpoint/state"};
  int has = 0;
  for (int k = 0; k < 2; k++) {
    BN_CALL(ctx, bn_h5_exists(f, objs[k], &has));
    if (has)
      BN_CALL(ctx, bn_h5_attr_exists(f, objs[k], "escape_iterations", &has));
    if (!has) continue;
    char *text = NULL;
    BN_CALL(ctx, bn_h5_attr_get_str(f, objs[k], "escape_iterations", &text));
    h->esc_n = bn_escape_iterations_parse(text, h->esc_at, BN_ESC_RECORD);
    free(text);
    return BN_OK;
  }
  return BN_OK;
}

/* The number of saddles escaped: the result's `escapes`, or the entry of
 * that name in a checkpoint's /checkpoint/state (its `fields` name the
 * entries; "x[a..b]" stands for b - a + 1 of them). */
static bn_status_t bn_plot_escapes(bn_ctx_t *ctx, bn_h5_t *f, int64_t *e) {
  int has = 0, nd = 0;
  bn_idx_t dims[4] = {0};
  *e = 0;
  BN_CALL(ctx, bn_h5_attr_exists(f, "/", "escapes", &has));
  if (has) return bn_h5_attr_get_i64(f, "/", "escapes", e);
  BN_CALL(ctx, bn_h5_exists(f, "/checkpoint/state", &has));
  if (has)
    BN_CALL(ctx, bn_h5_attr_exists(f, "/checkpoint/state", "fields", &has));
  if (!has) return BN_OK;
  char *fields = NULL;
  BN_CALL(ctx, bn_h5_shape(f, "/checkpoint/state", &nd, dims));
  BN_CALL(ctx, bn_h5_attr_get_str(f, "/checkpoint/state", "fields", &fields));
  long at = 0, idx = -1;
  for (char *p = fields; p && *p && idx < 0;) {
    char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    long a = 0, b = 0;
    if (len == 7 && !strncmp(p, "escapes", 7)) idx = at;
    const char *br = memchr(p, '[', len);
    at += br && sscanf(br, "[%ld..%ld]", &a, &b) == 2 && b >= a ? b - a + 1 : 1;
    p = comma ? comma + 1 : NULL;
  }
  free(fields);
  if (nd != 1 || idx < 0 || idx >= (long)dims[0]) return BN_OK;
  double *v = NULL;
  BN_CALL(ctx,
          bn_agree(ctx, bn_mallocn(ctx, (size_t)dims[0], sizeof(double), &v)));
  bn_status_t st = bn_h5_read_f64(f, "/checkpoint/state", 0, dims[0], v);
  if (st == BN_OK && isfinite(v[idx]) && v[idx] > 0) *e = (int64_t)v[idx];
  free(v);
  return st;
}

/* Drop a quantity with no positive finite value (nothing on a log axis). */
static void bn_plot_drop_empty(bn_plot_hist_t *h) {
  for (int k = 1; k < BN_PLOT_NQ; k++) {
    int any = 0;
    for (size_t i = 0; h->q[k] && i < h->n && !any; i++)
      any = isfinite(h->q[k][i]) && h->q[k][i] > 0;
    if (h->q[k] && !any) {
      free(h->q[k]);
      h->q[k] = NULL;
    }
  }
}

bn_status_t bn_plot_hist_read(bn_ctx_t *ctx, bn_h5_t *f, bn_plot_hist_t *h) {
  static const char *const dirs[] = {"/history", "/stages/history"};
  static const char *const stages[][2] = {{"stage", "new stage"},
                                          {"component", "new component"},
                                          {"lambda", "new lambda"}};
  memset(h, 0, sizeof *h);
  const char *dir = NULL;
  int has = 0, nd = 0;
  bn_idx_t dims[4] = {0};
  for (int d = 0; d < 2 && !dir; d++) {
    char path[64];
    snprintf(path, sizeof path, "%s/iteration", dirs[d]);
    BN_CALL(ctx, bn_h5_exists(f, path, &has));
    if (has) BN_CALL(ctx, bn_h5_shape(f, path, &nd, dims));
    if (has && nd == 1 && dims[0] >= 1) dir = dirs[d];
  }
  if (!dir)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s has no history (/history/iteration): not the "
                        "result or checkpoint of a solve",
                        bn_h5_path(f));
  size_t n = (size_t)dims[0];
  bn_status_t st = bn_plot_col(ctx, f, dir, "iteration", n, &h->iteration);
  if (st == BN_OK) st = bn_plot_col(ctx, f, dir, "seconds", n, &h->seconds);
  for (int k = 0; k < BN_PLOT_NQ && st == BN_OK; k++)
    st = bn_plot_col(ctx, f, dir, bn_plot_quantities[k].name, n, &h->q[k]);
  for (int k = 0; k < 3 && st == BN_OK && !h->stage; k++) {
    st = bn_plot_col(ctx, f, dir, stages[k][0], n, &h->stage);
    h->stage_label = stages[k][1];
  }
  if (st == BN_OK) st = bn_plot_escapes(ctx, f, &h->escapes);
  if (st == BN_OK) st = bn_plot_escape_at(ctx, f, h);
  if (st == BN_OK) st = bn_h5_attr_exists(f, "/", "problem", &has);
  if (st == BN_OK && has) {
    char *p = NULL;
    st = bn_h5_attr_get_str(f, "/", "problem", &p);
    if (st == BN_OK) snprintf(h->problem, sizeof h->problem, "%s", p);
    free(p);
  }
  if (st != BN_OK) {
    bn_plot_hist_free(h);
    return st;
  }
  h->n = n;
  /* An iteration count that goes back (a restarted numbering) is drawn
   * by entry instead. */
  for (size_t i = 1; i < n; i++)
    if (!(h->iteration[i] >= h->iteration[i - 1])) {
      for (size_t j = 0; j < n; j++) h->iteration[j] = (double)j;
      break;
    }
  bn_plot_drop_empty(h);
  int any = 0;
  for (int k = 0; k < BN_PLOT_NQ; k++) any |= h->q[k] != NULL;
  if (!any) {
    bn_plot_hist_free(h);
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: its history holds no objective, gradient norm "
                        "or error to draw",
                        bn_h5_path(f));
  }
  return BN_OK;
}
