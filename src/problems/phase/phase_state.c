/* Phase retrieval: what a checkpoint and a result hold of the iterate
 * (/x and its attributes, bn_phase_write_x / bn_phase_read_x) and of the
 * run's solves (phase_stage.c).
 *
 * A checkpoint is the problem's save at "/" plus the solver's state and
 * history (src/checkpoint). While the first solve runs, save writes /x
 * alone, as for any single solve. Once a later solve runs (--method=auto
 * solving again from another start), it also writes what the solves
 * before it left -- their records, the first one's end point and their
 * history -- under /solves, so that --restart continues the later solve
 * and ends with the same result and history as a run never stopped, on
 * any number of processes:
 *   attributes of /: phase_solves, phase_want, phase_prior_its,
 *                    phase_prior_secs
 *   /solves/record   3 x 6 numbers (fit, objective, grad_norm, seconds,
 *                    iterations, reason of each finished solve)
 *   /solves/x        the first solve's end point (n x 2 or n)
 *   /solves/history/{iteration, objective, grad_norm, step, rel_error,
 *                    test_rmse, seconds, solve}: the earlier solves' rows
 * A result's /history is the earlier solves' rows, then the last solve's,
 * with /history/solve (1, 2, ...) when there were several. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/phase/phase.h"

enum { BN_PHASE_REC = 6 }; /* numbers per solve record */

void bn_phase_solves_free(bn_phase_t *s) {
  bn_history_clear(&s->hist);
  free(s->hsolve);
  free(s->xkeep); /* x0 shares its allocation */
  s->hsolve = NULL;
  s->xkeep = s->x0 = NULL;
}

/* The history columns of h in file order (iteration apart). */
static void bn_phase_hcols(const bn_history_t *h, double *const **v) {
  v[0] = &h->objective;
  v[1] = &h->grad_norm;
  v[2] = &h->step;
  v[3] = &h->rel_error;
  v[4] = &h->test_rmse;
  v[5] = &h->seconds;
}
static const char *const bn_phase_hnames[6] = {
    "objective", "grad_norm", "step", "rel_error", "test_rmse", "seconds"};

/* Room for n rows in s->hist (kept rows preserved). Local. */
static bn_status_t bn_phase_hist_room(bn_phase_t *s, size_t n) {
  bn_history_t *h = &s->hist;
  double **cols[6] = {&h->objective, &h->grad_norm, &h->step,
                      &h->rel_error, &h->test_rmse, &h->seconds};
  size_t want = n ? n : 1;
  int64_t *it = bn_realloc_n(h->iteration, want, sizeof(int64_t));
  if (it) h->iteration = it;
  int64_t *so = it ? bn_realloc_n(s->hsolve, want, sizeof(int64_t)) : NULL;
  if (so) s->hsolve = so;
  bool ok = it && so;
  for (int c = 0; c < 6 && ok; c++) {
    double *v = bn_realloc_n(*cols[c], want, sizeof(double));
    if (v) *cols[c] = v;
    ok = v != NULL;
  }
  return ok ? BN_OK : BN_ERROR(s->ctx, BN_ERR_MEM, "out of memory (history)");
}

bn_status_t bn_phase_history_keep(bn_phase_t *s, const bn_history_t *h,
                                  int solve) {
  bn_history_t *a = &s->hist;
  BN_CALL(s->ctx, bn_agree(s->ctx, bn_phase_hist_room(s, a->n + h->n)));
  double *const *src[6], *const *dst[6];
  bn_phase_hcols(h, src);
  bn_phase_hcols(a, dst);
  for (size_t k = 0; k < h->n; k++) {
    a->iteration[a->n + k] = h->iteration[k];
    s->hsolve[a->n + k] = solve;
    for (int c = 0; c < 6; c++) (*dst[c])[a->n + k] = (*src[c])[k];
  }
  a->n += h->n;
  return BN_OK;
}

/* The kept rows then h's (NULL: none) under prefix; `solve` column when
 * with_solve. Collective; rank 0 writes the values. */
static bn_status_t bn_phase_hist_put(bn_phase_t *s, bn_h5_t *f,
                                     const char *prefix, const bn_history_t *h,
                                     int last, bool skip_nan, bool with_solve) {
  bn_ctx_t *ctx = s->ctx;
  const bn_history_t *a = &s->hist;
  size_t nh = h ? h->n : 0, n = a->n + nh;
  double *buf = NULL;
  int64_t *ib = NULL;
  bn_status_t st = bn_mallocn(ctx, n + 1, sizeof(double), &buf);
  if (st == BN_OK) st = bn_mallocn(ctx, n + 1, sizeof(int64_t), &ib);
  st = bn_agree(ctx, st);
  char name[160];
  bn_idx_t mine = bn_ctx_rank(ctx) == 0 ? (bn_idx_t)n : 0;
  if (st == BN_OK) {
    if (a->n) memcpy(ib, a->iteration, a->n * sizeof(int64_t));
    if (nh) memcpy(ib + a->n, h->iteration, nh * sizeof(int64_t));
    snprintf(name, sizeof name, "%siteration", prefix);
    st = bn_h5_write_i64(f, name, (bn_idx_t)n, 0, mine, ib);
  }
  double *const *ca[6], *const *ch[6];
  bn_phase_hcols(a, ca);
  if (h) bn_phase_hcols(h, ch);
  for (int c = 0; c < 6 && st == BN_OK; c++) {
    int any = 0;
    if (a->n) memcpy(buf, *ca[c], a->n * sizeof(double));
    if (nh) memcpy(buf + a->n, *ch[c], nh * sizeof(double));
    for (size_t k = 0; k < n; k++) any |= !isnan(buf[k]);
    if (skip_nan && c >= 3 && c <= 4 && !any) continue;
    snprintf(name, sizeof name, "%s%s", prefix, bn_phase_hnames[c]);
    st = bn_h5_write_f64(f, name, (bn_idx_t)n, 0, mine, buf);
  }
  if (st == BN_OK && with_solve) {
    if (a->n) memcpy(ib, s->hsolve, a->n * sizeof(int64_t));
    for (size_t k = 0; k < nh; k++) ib[a->n + k] = last;
    snprintf(name, sizeof name, "%ssolve", prefix);
    st = bn_h5_write_i64(f, name, (bn_idx_t)n, 0, mine, ib);
  }
  free(buf);
  free(ib);
  return st;
}

bn_status_t bn_phase_history_write(bn_phase_t *s, bn_h5_t *f) {
  const bn_history_t *h = s->solver ? bn_solver_history(s->solver) : NULL;
  /* The solve the solver holds: the last accepted one, or the one a
   * signal stopped. */
  int last = s->stopped ? s->solves + 1 : s->solves;
  return bn_phase_hist_put(s, f, "/history/", h, last, true, s->hist.n > 0);
}

/* The earlier solves' state (checkpoints, while a later solve runs). */
static bn_status_t bn_phase_state_save(bn_phase_t *s, bn_h5_t *f) {
  bn_ctx_t *ctx = s->ctx;
  double rec[3 * BN_PHASE_REC];
  for (int k = 0; k < 3; k++) {
    const bn_phase_solve_t *d = &s->done[k];
    double v[BN_PHASE_REC] = {
        d->fit,     d->objective,          d->grad_norm,
        d->seconds, (double)d->iterations, (double)d->reason};
    memcpy(rec + k * BN_PHASE_REC, v, sizeof v);
  }
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "phase_solves", s->solves));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "phase_want", s->want));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "phase_prior_its", s->prior_its));
  BN_CALL(ctx, bn_h5_attr_set_f64(f, "/", "phase_prior_secs", s->prior_secs));
  BN_CALL(ctx,
          bn_h5_write_f64(f, "/solves/record", 3 * BN_PHASE_REC, 0,
                          bn_ctx_rank(ctx) == 0 ? 3 * BN_PHASE_REC : 0, rec));
  BN_CALL(ctx, bn_phase_write_x(s, s->xkeep, f, "/solves/"));
  return bn_phase_hist_put(s, f, "/solves/history/", NULL, 0, false, true);
}

static bn_status_t bn_phase_state_load(bn_phase_t *s, bn_h5_t *f) {
  bn_ctx_t *ctx = s->ctx;
  int64_t v[3];
  double rec[3 * BN_PHASE_REC];
  int nd;
  bn_idx_t d[4];
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/", "phase_solves", &v[0]));
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/", "phase_want", &v[1]));
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/", "phase_prior_its", &v[2]));
  BN_CALL(ctx, bn_h5_attr_get_f64(f, "/", "phase_prior_secs", &s->prior_secs));
  if (v[0] < 1 || v[0] > 2 || v[1] <= v[0] || v[1] > 3)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: phase_solves = %lld, phase_want = %lld: not a "
                        "state this run can continue",
                        bn_h5_path(f), (long long)v[0], (long long)v[1]);
  s->solves = (int)v[0];
  s->want = (int)v[1];
  s->prior_its = v[2];
  BN_CALL(ctx, bn_h5_read_f64(f, "/solves/record", 0, 3 * BN_PHASE_REC, rec));
  for (int k = 0; k < 3; k++) {
    const double *r = rec + k * BN_PHASE_REC;
    s->done[k] =
        (bn_phase_solve_t){r[0], r[1], r[2], r[3], (int64_t)r[4], (int)r[5]};
  }
  if (!s->xkeep) {
    size_t nl = (size_t)s->K * (size_t)s->nl;
    BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, bn_size_mul(2, nl) + 1,
                                         sizeof(double), &s->xkeep)));
  }
  BN_CALL(ctx, bn_phase_read_x(s, f, "/solves/", s->xkeep));
  BN_CALL(ctx, bn_h5_shape(f, "/solves/history/iteration", &nd, d));
  size_t n = (size_t)d[0];
  BN_CALL(ctx, bn_agree(ctx, bn_phase_hist_room(s, n)));
  bn_history_t *h = &s->hist;
  BN_CALL(ctx, bn_h5_read_i64(f, "/solves/history/iteration", 0, (bn_idx_t)n,
                              h->iteration));
  BN_CALL(ctx, bn_h5_read_i64(f, "/solves/history/solve", 0, (bn_idx_t)n,
                              s->hsolve));
  double *const *cols[6];
  bn_phase_hcols(h, cols);
  char name[96];
  for (int c = 0; c < 6; c++) {
    snprintf(name, sizeof name, "/solves/history/%s", bn_phase_hnames[c]);
    BN_CALL(ctx, bn_h5_read_f64(f, name, 0, (bn_idx_t)n, *cols[c]));
  }
  h->n = n;
  return BN_OK;
}

bn_status_t bn_phase_save(void *data, const double *x, bn_h5_t *f,
                          const char *prefix) {
  bn_phase_t *s = data;
  /* --save-init: the frame saves the iterate it held before the solves,
   * which for a run of solves is not yet the start; the start the first
   * solve took is kept (not on a restart: then the restored iterate, as
   * for every problem). */
  if (!strcmp(prefix, "/init/") && s->x0) x = s->x0;
  BN_CALL(s->ctx, bn_phase_write_x(s, x, f, prefix));
  if (strcmp(prefix, "/") || s->solves < 1) return BN_OK;
  return bn_phase_state_save(s, f);
}

bn_status_t bn_phase_load(void *data, bn_h5_t *f, const char *prefix,
                          double *x) {
  bn_phase_t *s = data;
  BN_CALL(s->ctx, bn_phase_read_x(s, f, prefix, x));
  if (strcmp(prefix, "/")) return BN_OK;
  int has;
  BN_CALL(s->ctx, bn_h5_attr_exists(f, "/", "phase_solves", &has));
  return has ? bn_phase_state_load(s, f) : BN_OK;
}

bn_status_t bn_phase_write_x(bn_phase_t *s, const double *x, bn_h5_t *f,
                             const char *prefix) {
  char name[128];
  snprintf(name, sizeof name, "%sx", prefix);
  bn_idx_t dims[2] = {s->n, 2};
  bn_status_t st = bn_h5_write_rows(f, name, s->cplx ? 2 : 1, dims,
                                    bn_dist_first(s->xdist), s->nl, x);
  if (st != BN_OK || strcmp(prefix, "/")) return st;
  st = bn_h5_attr_set_i64(f, name, "sweeps", s->sweeps);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "n", s->n);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "measurements", s->m);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "field", s->cplx ? "complex" : "real");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "model", s->model->name);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "method", bn_phase_method_names[s->method]);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "start", bn_phase_init_names[s->init]);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "input", s->input);
  return st;
}

bn_status_t bn_phase_read_x(bn_phase_t *s, bn_h5_t *f, const char *prefix,
                            double *x) {
  bn_ctx_t *ctx = s->ctx;
  char name[128];
  int nd;
  bn_idx_t d[4];
  snprintf(name, sizeof name, "%sx", prefix);
  BN_CALL(ctx, bn_h5_shape(f, name, &nd, d));
  if (d[0] != s->n || nd != (s->cplx ? 2 : 1) || (s->cplx && d[1] != 2))
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: %s must be %lld%s",
                        bn_h5_path(f), name, (long long)s->n,
                        s->cplx ? " x 2" : "");
  BN_CALL(ctx, bn_h5_read_slab_f64(f, name, bn_dist_first(s->xdist), s->nl, x));
  if (strcmp(prefix, "/")) return BN_OK;
  int has;
  BN_CALL(ctx, bn_h5_attr_exists(f, name, "sweeps", &has));
  if (has) BN_CALL(ctx, bn_h5_attr_get_i64(f, name, "sweeps", &s->sweeps));
  return BN_OK;
}
