/* benign landscape: the output file. Rank 0 holds the census and writes
 * the 1-D tables; the slice's grid rows are written by the processes that
 * computed them. Attributes must be the same on every process, so rank
 * 0's summary numbers are broadcast first. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "landscape.h"

/* The per-start fields: name, dataset type (1 = integer), offset in the
 * record (in doubles). */
typedef struct bn_ls_field {
  const char *name;
  int integer;
  size_t off;
} bn_ls_field_t;

#define BN_LS_F(name, integer, member) \
  { name, integer, offsetof(bn_ls_rec_t, member) / sizeof(double) }

static const bn_ls_field_t bn_ls_fields[] = {
    BN_LS_F("start", 1, start),
    BN_LS_F("seed", 1, seed),
    BN_LS_F("initial_objective", 0, f0),
    BN_LS_F("objective", 0, objective),
    BN_LS_F("distance", 0, distance),
    BN_LS_F("grad_norm", 0, grad_norm),
    BN_LS_F("lambda_min", 0, lambda_min),
    BN_LS_F("cert_gtol", 0, gtol),
    BN_LS_F("cert_htol", 0, htol),
    BN_LS_F("hessian_index", 1, index),
    BN_LS_F("zero_eigs", 1, zero),
    BN_LS_F("verdict", 1, verdict),
    BN_LS_F("reason", 1, reason),
    BN_LS_F("iterations", 1, iterations),
    BN_LS_F("escapes", 1, escapes),
    BN_LS_F("plateaus", 1, nplateaus),
    BN_LS_F("seconds", 0, seconds),
    BN_LS_F("global", 1, global),
    BN_LS_F("cluster", 1, cluster),
    BN_LS_F("plane_a", 0, plane_a),
    BN_LS_F("plane_b", 0, plane_b),
    BN_LS_F("plane_residual", 0, plane_res),
    {NULL, 0, 0}};

/* One dataset from a field of n records (rank 0 writes all n). */
static bn_status_t bn_ls_column(bn_ls_t *ls, bn_h5_t *f, const char *group,
                                const bn_ls_field_t *fd, const bn_ls_rec_t *rec,
                                const int *pick, int64_t n, double *dbuf,
                                int64_t *ibuf) {
  const bool root = bn_ctx_rank(ls->ctx) == 0;
  char name[96];
  snprintf(name, sizeof(name), "%s/%s", group, fd->name);
  for (int64_t k = 0; root && k < n; k++) {
    double v = ((const double *)&rec[pick ? pick[k] : k])[fd->off];
    dbuf[k] = v;
    ibuf[k] = isfinite(v) ? (int64_t)v : -1;
  }
  int64_t cnt = root ? n : 0;
  if (fd->integer) return bn_h5_write_i64(f, name, n, 0, cnt, ibuf);
  return bn_h5_write_f64(f, name, n, 0, cnt, dbuf);
}

static bn_status_t bn_ls_tables(bn_ls_t *ls, bn_h5_t *f, int nc) {
  bn_ctx_t *ctx = ls->ctx;
  const int64_t K = ls->starts;
  const bool root = bn_ctx_rank(ctx) == 0;
  int64_t len = K > nc ? K : nc;
  double *dbuf = NULL;
  int64_t *ibuf = NULL;
  int *pick = NULL;
  bn_status_t st = bn_mallocn(ctx, (size_t)(len + 1), sizeof(double), &dbuf);
  if (st == BN_OK)
    st = bn_mallocn(ctx, (size_t)(len + 1), sizeof(int64_t), &ibuf);
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)(nc + 1), sizeof(int), &pick);
  st = bn_agree(ctx, st);
  for (int q = 0; st == BN_OK && bn_ls_fields[q].name; q++)
    st = bn_ls_column(ls, f, "/starts", &bn_ls_fields[q], ls->recs, NULL, K,
                      dbuf, ibuf);
  /* Clusters: the fields of each cluster's first start, and its counts. */
  static const char *const cf[] = {"objective", "distance", "hessian_index",
                                   "zero_eigs", "verdict",  NULL};
  for (int c = 0; root && c < nc; c++) pick[c] = ls->clusters[c].first;
  for (int q = 0; st == BN_OK && cf[q]; q++)
    for (int p = 0; bn_ls_fields[p].name; p++)
      if (!strcmp(bn_ls_fields[p].name, cf[q]))
        st = bn_ls_column(ls, f, "/clusters", &bn_ls_fields[p], ls->recs, pick,
                          nc, dbuf, ibuf);
  for (int w = 0; st == BN_OK && w < 3; w++) {
    for (int c = 0; root && c < nc; c++)
      ibuf[c] = w == 0   ? ls->clusters[c].count
                : w == 1 ? ls->clusters[c].globals
                         : ls->clusters[c].first;
    st = bn_h5_write_i64(f,
                         w == 0   ? "/clusters/count"
                         : w == 1 ? "/clusters/globals"
                                  : "/clusters/first_start",
                         nc, 0, root ? nc : 0, ibuf);
  }
  free(dbuf);
  free(ibuf);
  free(pick);
  return st;
}

static bn_status_t bn_ls_slice_attrs(bn_ls_t *ls, bn_h5_t *f,
                                     const double *gmin) {
  const char *d = "/slice/f";
  const bn_ls_plane_t *pl = &ls->plane;
  bn_status_t st = bn_h5_attr_set_f64(f, d, "extent", ls->extent);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, d, "grid", ls->grid);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, d, "slice", ls->slice);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, d, "copy",
                            pl->copy_kind ? pl->copy_kind : "none");
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, d, "copy_a", pl->copy_a);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, d, "copy_b", pl->copy_b);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, d, "truth_a", 1.0);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, d, "truth_b", 0.0);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, d, "min_objective", gmin[0]);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, d, "min_a", gmin[1]);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, d, "min_b", gmin[2]);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, d, "truth_norm", sqrt(pl->norm2));
  if (st == BN_OK && *ls->png) st = bn_h5_attr_set_str(f, d, "png", ls->png);
  return st;
}

static bn_status_t bn_ls_attrs(bn_ls_t *ls, bn_h5_t *f, const double *sum) {
  bn_status_t st = bn_h5_attr_set_str(f, "/", "problem", ls->ops->name);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "command", "landscape");
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "solver",
                            bn_opts_string(ls->opts, "solver"));
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "options", ls->optstr);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  if (st == BN_OK)
    st = bn_h5_attr_set_i64(f, "/", "processes", bn_ctx_size(ls->ctx));
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "starts", ls->starts);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "seed", (int64_t)ls->seed);
  if (st == BN_OK)
    st = bn_h5_attr_set_i64(f, "/", "global_minimizers", (int64_t)sum[0]);
  if (st == BN_OK)
    st = bn_h5_attr_set_f64(f, "/", "global_fraction",
                            sum[0] / (double)ls->starts);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "criterion",
                            sum[1] > 0 ? "distance" : "objective");
  if (st == BN_OK)
    st = bn_h5_attr_set_f64(f, "/", "global_tol", ls->global_tol);
  return st;
}

/* Every stored plateau of every start, flattened: /plateaus/start (the
 * start it belongs to), first, last (iterations), objective, grad_norm. */
static bn_status_t bn_ls_plateaus(bn_ls_t *ls, bn_h5_t *f) {
  bn_ctx_t *ctx = ls->ctx;
  const bool root = bn_ctx_rank(ctx) == 0;
  int64_t n = 0;
  for (int64_t k = 0; root && k < ls->starts; k++)
    n += (int64_t)fmin(ls->recs[k].nplateaus, BN_LS_MAX_PLATEAUS);
  BN_MPI(ctx, MPI_Bcast(&n, 1, MPI_INT64_T, 0, bn_ctx_comm(ctx)));
  double *d = NULL;
  int64_t *iv = NULL;
  bn_status_t st = bn_mallocn(ctx, (size_t)(n + 1), sizeof(double), &d);
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)(n + 1), sizeof(int64_t), &iv);
  st = bn_agree(ctx, st);
  static const char *const names[] = {"/plateaus/start", "/plateaus/first",
                                      "/plateaus/last", "/plateaus/objective",
                                      "/plateaus/grad_norm"};
  for (int w = 0; st == BN_OK && w < 5; w++) {
    int64_t m = 0;
    for (int64_t k = 0; root && k < ls->starts; k++) {
      const bn_ls_rec_t *r = &ls->recs[k];
      for (int q = 0; q < (int)fmin(r->nplateaus, BN_LS_MAX_PLATEAUS); q++) {
        double v = w == 0 ? (double)k : r->plateau[q][w - 1];
        iv[m] = (int64_t)v;
        d[m++] = v;
      }
    }
    int64_t cnt = root ? n : 0;
    st = w < 3 ? bn_h5_write_i64(f, names[w], n, 0, cnt, iv)
               : bn_h5_write_f64(f, names[w], n, 0, cnt, d);
  }
  free(d);
  free(iv);
  return st;
}

bn_status_t bn_ls_write(bn_ls_t *ls) {
  bn_ctx_t *ctx = ls->ctx;
  /* global minimizers, by distance, clusters, grid min f, a, b */
  double sum[6] = {(double)ls->nglobal,
                   ls->by_distance ? 1.0 : 0.0,
                   (double)ls->nclusters,
                   ls->gmin_f,
                   ls->gmin_a,
                   ls->gmin_b};
  BN_MPI(ctx, MPI_Bcast(sum, 6, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
  int nc = (int)sum[2];
  double bytes = 8.0 * ((double)ls->starts * 24 + nc * 8.0 +
                        (ls->have_plane ? (double)(ls->grid * ls->grid) : 0));
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_h5_create(ctx, ls->output, bytes, &f));
  bn_status_t st = bn_ls_tables(ls, f, nc);
  if (st == BN_OK) st = bn_ls_plateaus(ls, f);
  if (st == BN_OK && ls->have_plane) {
    st = bn_h5_write_dmat(f, "/slice/f", ls->gloc);
    if (st == BN_OK) st = bn_ls_slice_attrs(ls, f, sum + 3);
  }
  if (st == BN_OK) st = bn_ls_attrs(ls, f, sum);
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  return st;
}
