/* SaS-BD checkpoints (benign/sasd.h): the iADM state in an HDF5 file and
 * back. The spectra are not stored: they are the transforms of the
 * stored iterates, recomputed on reading with the same plans, so a
 * restart on the same process count continues bit for bit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/checkpoint.h"
#include "problems/sasd/sasd_io.h"
#include "problems/sasd/sasd_state.h"

/* The numbers of /checkpoint/state, in this order. */
enum {
  BN_SS_ITER,
  BN_SS_STAGES,
  BN_SS_IN_STAGE,
  BN_SS_LAMBDA,
  BN_SS_LFINAL,
  BN_SS_LMAX,
  BN_SS_F,
  BN_SS_LX,
  BN_SS_CHANGE,
  BN_SS_RESID,
  BN_SS_L1,
  BN_SS_RESTART,
  BN_SS_SECONDS,
  BN_SS_LEN
};
static const char bn_ss_fields[] =
    "iteration stages in_stage lambda lambda_final lambda_max objective "
    "lipschitz_x change residual l1 momentum_dropped seconds";

static const char *const bn_ss_cols[] = {
    "/history/objective", "/history/lambda",  "/history/change",
    "/history/residual",  "/history/seconds", "/history/kernel_error"};

double bn_sasd_state_bytes(const bn_sasd_t *s) {
  const bn_sasd_grid_t *g = s->g;
  return 8.0 * (2.0 * (double)g->h * (double)g->w +
                2.0 * (double)s->kh * s->kw + 7.0 * 4096 + 4096);
}

bn_status_t bn_sasd_state_write(bn_sasd_state_t *it, bn_h5_t *f) {
  bn_sasd_t *s = it->s;
  bn_sasd_grid_t *g = it->g;
  bn_ctx_t *ctx = s->ctx;
  const bn_sasd_result_t *r = it->r;
  const bool two = g->dims == 2, me = bn_ctx_rank(ctx) == 0;
  const bn_idx_t kr = two ? s->kh : 0, kn = two && me ? s->kh : 0;
  BN_CALL(ctx, bn_sasd_put(ctx, f, "/a_window", kr, s->kw, 0, kn, it->a,
                           (size_t)s->kw));
  BN_CALL(ctx, bn_sasd_put(ctx, f, "/checkpoint/a_prev", kr, s->kw, 0, kn,
                           it->ap, (size_t)s->kw));
  BN_CALL(ctx, bn_sasd_put(ctx, f, "/x", two ? g->h : 0, g->w, g->r0, g->n0,
                           it->x, g->ws));
  BN_CALL(ctx, bn_sasd_put(ctx, f, "/checkpoint/x_prev", two ? g->h : 0, g->w,
                           g->r0, g->n0, it->xp, g->ws));
  BN_CALL(ctx, bn_sasd_hist_write(ctx, f, &r->hist, s->a_true != NULL));
  double v[BN_SS_LEN];
  v[BN_SS_ITER] = (double)r->iterations;
  v[BN_SS_STAGES] = (double)r->stages;
  v[BN_SS_IN_STAGE] = (double)it->in_stage;
  v[BN_SS_LAMBDA] = it->lambda;
  v[BN_SS_LFINAL] = r->lambda;
  v[BN_SS_LMAX] = r->lambda_max;
  v[BN_SS_F] = it->F;
  v[BN_SS_LX] = it->Lx;
  v[BN_SS_CHANGE] = it->change;
  v[BN_SS_RESID] = it->resid;
  v[BN_SS_L1] = it->l1;
  v[BN_SS_RESTART] = it->restart ? 1 : 0;
  v[BN_SS_SECONDS] = r->hist.n ? r->hist.secs[r->hist.n - 1] : 0;
  BN_CALL(ctx, bn_h5_write_f64(f, "/checkpoint/state", BN_SS_LEN, 0,
                               me ? BN_SS_LEN : 0, v));
  return bn_h5_attr_set_str(f, "/checkpoint/state", "fields", bn_ss_fields);
}

/* Is dataset name of shape (d0, d1) (2-D) or (d1) (1-D)? */
static bn_status_t bn_ss_shape(bn_ctx_t *ctx, bn_h5_t *f, const char *name,
                               bool two, bn_idx_t d0, bn_idx_t d1) {
  int nd = 0;
  bn_idx_t d[4] = {0, 0, 0, 0};
  BN_CALL(ctx, bn_h5_shape(f, name, &nd, d));
  bool ok = two ? nd == 2 && d[0] == d0 && d[1] == d1 : nd == 1 && d[0] == d1;
  if (!ok)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s does not have this problem's shape (%lld x "
                        "%lld)",
                        bn_h5_path(f), name, (long long)(two ? d0 : 1),
                        (long long)d1);
  return BN_OK;
}

/* An array of rows x cols (1-D: cols), this process's rows [r0, r0 + n0)
 * into v with row stride ld (the padding zeroed). */
static bn_status_t bn_ss_get(bn_ctx_t *ctx, bn_h5_t *f, const char *name,
                             bool two, bn_idx_t rows, bn_idx_t cols,
                             bn_idx_t r0, bn_idx_t n0, double *v, size_t ld) {
  double *buf = NULL;
  BN_CALL(ctx, bn_ss_shape(ctx, f, name, two, rows, cols));
  size_t nl = (size_t)n0 * (size_t)cols;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, nl + 1, sizeof(double), &buf)));
  bn_status_t st = two ? bn_h5_read_slab_f64(f, name, r0, n0, buf)
                       : bn_h5_read_f64(f, name, 0, cols, buf);
  if (st == BN_OK)
    for (bn_idx_t i = 0; i < n0; i++) {
      memcpy(v + (size_t)i * ld, buf + (size_t)i * cols,
             (size_t)cols * sizeof(double));
      for (size_t j = (size_t)cols; j < ld; j++) v[(size_t)i * ld + j] = 0;
    }
  free(buf);
  return st;
}

static bn_status_t bn_ss_hist(bn_sasd_state_t *it, bn_h5_t *f) {
  bn_ctx_t *ctx = it->s->ctx;
  bn_sasd_hist_t *h = &it->r->hist;
  int nd = 0, ex = 0;
  bn_idx_t d[4];
  BN_CALL(ctx, bn_h5_shape(f, bn_ss_cols[0], &nd, d));
  int64_t n = nd == 1 ? d[0] : 0, cap = n < 256 ? 256 : n;
  double **arr[6] = {&h->obj,   &h->lambda, &h->change,
                     &h->resid, &h->secs,   &h->err};
  bool ok = true;
  for (int i = 0; i < 6; i++) {
    double *p = bn_realloc_n(*arr[i], (size_t)cap, sizeof(double));
    if (p)
      *arr[i] = p;
    else
      ok = false;
  }
  if (ok) h->cap = cap;
  BN_CALL(ctx, bn_agree(ctx, ok ? BN_OK
                                : BN_ERROR(ctx, BN_ERR_MEM, "out of memory")));
  for (int i = 0; i < 6; i++) {
    if (i == 5) {
      BN_CALL(ctx, bn_h5_exists(f, bn_ss_cols[i], &ex));
      if (!ex) {
        for (int64_t j = 0; j < n; j++) h->err[j] = NAN;
        continue;
      }
    }
    BN_CALL(ctx, bn_h5_shape(f, bn_ss_cols[i], &nd, d));
    if (nd != 1 || d[0] != n)
      return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: %s must hold %lld values",
                          bn_h5_path(f), bn_ss_cols[i], (long long)n);
    BN_CALL(ctx, bn_h5_read_f64(f, bn_ss_cols[i], 0, n, *arr[i]));
  }
  h->n = n;
  return BN_OK;
}

bn_status_t bn_sasd_state_read(bn_sasd_state_t *it, bn_h5_t *f,
                               double *seconds) {
  bn_sasd_t *s = it->s;
  bn_sasd_grid_t *g = it->g;
  bn_ctx_t *ctx = s->ctx;
  bn_sasd_result_t *r = it->r;
  const bool two = g->dims == 2;
  double v[BN_SS_LEN];
  int nd = 0;
  bn_idx_t d[4];
  BN_CALL(ctx, bn_h5_shape(f, "/checkpoint/state", &nd, d));
  if (nd != 1 || d[0] != BN_SS_LEN)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /checkpoint/state must hold %d numbers (%s)",
                        bn_h5_path(f), BN_SS_LEN, bn_ss_fields);
  BN_CALL(ctx, bn_h5_read_f64(f, "/checkpoint/state", 0, BN_SS_LEN, v));
  BN_CALL(ctx, bn_ss_get(ctx, f, "/a_window", two, s->kh, s->kw, 0,
                         two ? s->kh : 1, it->a, (size_t)s->kw));
  BN_CALL(ctx, bn_ss_get(ctx, f, "/checkpoint/a_prev", two, s->kh, s->kw, 0,
                         two ? s->kh : 1, it->ap, (size_t)s->kw));
  BN_CALL(ctx, bn_ss_get(ctx, f, "/x", two, g->h, g->w, g->r0, two ? g->n0 : 1,
                         it->x, g->ws));
  BN_CALL(ctx, bn_ss_get(ctx, f, "/checkpoint/x_prev", two, g->h, g->w, g->r0,
                         two ? g->n0 : 1, it->xp, g->ws));
  BN_CALL(ctx, bn_ss_hist(it, f));
  if (r->hist.n != (int64_t)v[BN_SS_ITER] + 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: the history holds %lld entries, not iteration "
                        "%.0f + 1",
                        bn_h5_path(f), (long long)r->hist.n, v[BN_SS_ITER]);
  /* the spectra: the transforms of the iterates, as the solve made them */
  bn_sasd_kernel_spec(g, it->a, s->kh, s->kw, it->A);
  bn_sasd_kernel_spec(g, it->ap, s->kh, s->kw, it->Ap);
  bn_sasd_real_spec(g, it->x, it->Xh);
  bn_sasd_real_spec(g, it->xp, it->Xhp);
  r->iterations = (int64_t)v[BN_SS_ITER];
  r->stages = (int64_t)v[BN_SS_STAGES];
  it->in_stage = (int64_t)v[BN_SS_IN_STAGE];
  it->lambda = v[BN_SS_LAMBDA];
  r->lambda = v[BN_SS_LFINAL];
  r->lambda_max = v[BN_SS_LMAX];
  it->F = v[BN_SS_F];
  it->Lx = v[BN_SS_LX];
  it->change = v[BN_SS_CHANGE];
  it->resid = v[BN_SS_RESID];
  it->l1 = v[BN_SS_L1];
  it->restart = v[BN_SS_RESTART] != 0;
  *seconds = v[BN_SS_SECONDS];
  it->t0 = bn_wtime() - *seconds;
  return BN_OK;
}
