/* Synthetic robust PCA instances (see include/benign/generate.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "benign/generate.h"
#include "sparse/obs.h"

/* Streams of this family (problems use values >= 64). */
enum { BN_STREAM_CORRUPT = 64, BN_STREAM_CORRUPT_VAL = 65 };

static bn_status_t bn_rgen_check(bn_ctx_t *ctx, const bn_rpca_gen_t *g) {
  if (g->rows < 1 || g->cols < 1 || g->cols > INT32_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--rows and --cols must be positive");
  if (g->rank < 1 || g->rank > g->rows || g->rank > g->cols)
    return BN_ERROR_ALL(
        ctx, BN_ERR_ARG, "--rank=%d must be in [1, min(rows, cols) = %lld]",
        g->rank, (long long)(g->rows < g->cols ? g->rows : g->cols));
  if (!(g->corrupt >= 0 && g->corrupt < 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--corrupt=%g must be in [0, 1)",
                        g->corrupt);
  if (!(g->magnitude > 0 && isfinite(g->magnitude)))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--magnitude must be positive");
  if (!(g->sample_rate > 0 && g->sample_rate <= 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--sample-rate=%g must be in (0, 1]",
                        g->sample_rate);
  if (!(g->condition >= 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--condition must be >= 1");
  return BN_OK;
}

/* Factor rows [first, first + n): sqrt(s_k) N(0, 1), s_k geometric from 1
 * to 1/condition with sum s_k^2 = 1. */
static void bn_rgen_factor(const bn_rpca_gen_t *g, uint32_t stream,
                           bn_idx_t first, bn_idx_t n, double *out) {
  const int r = g->rank;
  double tot = 0.0, s[r];
  for (int k = 0; k < r; k++) {
    s[k] = pow(g->condition, -(r > 1 ? (double)k / (r - 1) : 0.0));
    tot += s[k] * s[k];
  }
  for (bn_idx_t i = 0; i < n; i++)
    for (int k = 0; k < r; k++)
      out[i * r + k] =
          sqrt(s[k] / sqrt(tot)) *
          bn_rng_normal(g->seed, stream, (uint64_t)((first + i) * r + k), 0);
}

typedef struct bn_rgen_out {
  bn_idx_t n, nc;
  int64_t *row, *col, *crow, *ccol;
  double *val, *cval;
} bn_rgen_out_t;

static void bn_rgen_free(bn_rgen_out_t *o) {
  free(o->row), free(o->col), free(o->val);
  free(o->crow), free(o->ccol), free(o->cval);
}

/* One pass over this rank's rows (L in lbuf, nloc x cols): counts, then
 * (fill = 1) the entries, observed and corrupted. */
static void bn_rgen_entries(const bn_rpca_gen_t *g, bn_idx_t first,
                            bn_idx_t nloc, double *lbuf, double lmax, int fill,
                            bn_rgen_out_t *o) {
  const bn_idx_t n2 = g->cols;
  o->n = o->nc = 0;
  for (bn_idx_t i = 0; i < nloc; i++)
    for (bn_idx_t j = 0; j < n2; j++) {
      uint64_t id = (uint64_t)(first + i) * (uint64_t)n2 + (uint64_t)j;
      if (g->sample_rate < 1 &&
          bn_rng_uniform(g->seed, BN_STREAM_SAMPLE, id, 0) >= g->sample_rate)
        continue;
      double v = lbuf[i * n2 + j], s = 0.0;
      if (bn_rng_uniform(g->seed, BN_STREAM_CORRUPT, id, 0) < g->corrupt) {
        double u = bn_rng_uniform(g->seed, BN_STREAM_CORRUPT_VAL, id, 0);
        double w = bn_rng_uniform(g->seed, BN_STREAM_CORRUPT_VAL, id, 1);
        s = (w < 0.5 ? -1.0 : 1.0) * g->magnitude * lmax * (0.5 + u);
        if (fill) {
          o->crow[o->nc] = first + i;
          o->ccol[o->nc] = j;
          o->cval[o->nc] = s;
        }
        o->nc++;
      }
      if (fill && g->sample_rate < 1) {
        o->row[o->n] = first + i;
        o->col[o->n] = j;
        o->val[o->n] = v + s;
      } else if (fill) {
        lbuf[i * n2 + j] = v + s;
      }
      o->n++;
    }
}

static bn_status_t bn_rgen_attrs(bn_h5_t *f, const bn_rpca_gen_t *g) {
  bn_status_t st =
      bn_h5_attr_set_str(f, "/", "creator", "benign generate rpca");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "problem", "rpca");
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "rows", g->rows);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "cols", g->cols);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "rank", g->rank);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "corrupt", g->corrupt);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "magnitude", g->magnitude);
  if (st == BN_OK)
    st = bn_h5_attr_set_f64(f, "/", "sample_rate", g->sample_rate);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "condition", g->condition);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "seed", (int64_t)g->seed);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  return st;
}

bn_status_t bn_generate_rpca(bn_ctx_t *ctx, const bn_rpca_gen_t *g,
                             const char *output, bn_gen_stats_t *stats) {
  BN_CALL(ctx, bn_agree(ctx, bn_rgen_check(ctx, g)));
  const int r = g->rank;
  const bool dense = g->sample_rate >= 1;
  bn_dist_t *rd = NULL, *cd = NULL;
  bn_dmat_t *x = NULL, *yloc = NULL, *l = NULL;
  double *y = NULL;
  bn_rgen_out_t o = {0};
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_dist_create_uniform(ctx, g->rows, &rd));
  bn_status_t st = bn_dist_create_uniform(ctx, g->cols, &cd);
  if (st == BN_OK) st = bn_dmat_create(rd, r, &x);
  if (st == BN_OK) st = bn_dmat_create(cd, r, &yloc);
  /* The local rows of L (and then of M in dense mode). */
  if (st == BN_OK) st = bn_dmat_create(rd, (int)g->cols, &l);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul(g->cols, r), sizeof(double), &y);
  st = bn_agree(ctx, st);
  if (st == BN_OK) st = bn_h5_check_output(ctx, output, NULL);
  /* M (dense) or up to sample-rate of its entries, the sparse part and
   * the factors. */
  double bytes = 8.0 * (double)(g->rows + g->cols) * r +
                 24.0 * (double)g->rows * (double)g->cols *
                     (dense ? 1.0 / 3.0 + g->corrupt : g->sample_rate);
  if (st == BN_OK) st = bn_h5_create(ctx, output, bytes, &f);
  bn_idx_t first = bn_dist_first(rd), nloc = bn_dist_local(rd);
  double *lb = l ? bn_dmat_data(l) : NULL, lmax = 0.0;
  if (st == BN_OK) {
    bn_rgen_factor(g, BN_STREAM_TRUTH_U, first, nloc, bn_dmat_data(x));
    bn_rgen_factor(g, BN_STREAM_TRUTH_V, 0, g->cols, y);
    memcpy(bn_dmat_data(yloc), y + bn_dmat_first_row(yloc) * r,
           (size_t)(bn_dmat_local_rows(yloc) * r) * sizeof(double));
    for (bn_idx_t i = 0; i < nloc; i++)
      for (bn_idx_t j = 0; j < g->cols; j++) {
        double v = 0.0;
        for (int k = 0; k < r; k++)
          v += bn_dmat_data(x)[i * r + k] * y[j * r + k];
        lb[i * g->cols + j] = v;
        lmax = fmax(lmax, fabs(v));
      }
    if (MPI_Allreduce(MPI_IN_PLACE, &lmax, 1, MPI_DOUBLE, MPI_MAX,
                      bn_ctx_comm(ctx)) != MPI_SUCCESS)
      st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allreduce failed (max |L|)");
  }
  if (st == BN_OK) {
    bn_rgen_entries(g, first, nloc, lb, lmax, 0, &o);
    size_t n = dense ? 0 : (size_t)o.n, nc = (size_t)o.nc;
    st =
        bn_malloc(ctx, bn_size_add(bn_size_mul(n, sizeof(int64_t)), 1), &o.row);
    if (st == BN_OK)
      st = bn_malloc(ctx, bn_size_add(bn_size_mul(n, sizeof(int64_t)), 1),
                     &o.col);
    if (st == BN_OK)
      st = bn_malloc(ctx, bn_size_add(bn_size_mul(n, sizeof(double)), 1),
                     &o.val);
    if (st == BN_OK)
      st = bn_malloc(ctx, bn_size_add(bn_size_mul(nc, sizeof(int64_t)), 1),
                     &o.crow);
    if (st == BN_OK)
      st = bn_malloc(ctx, bn_size_add(bn_size_mul(nc, sizeof(int64_t)), 1),
                     &o.ccol);
    if (st == BN_OK)
      st = bn_malloc(ctx, bn_size_add(bn_size_mul(nc, sizeof(double)), 1),
                     &o.cval);
    st = bn_agree(ctx, st);
    if (st == BN_OK) bn_rgen_entries(g, first, nloc, lb, lmax, 1, &o);
  }
  bn_gen_stats_t tot = {0, 0};
  if (st == BN_OK && dense) {
    st = bn_h5_write_dmat(f, "/M", l);
    tot.train = g->rows * g->cols;
  } else if (st == BN_OK) {
    st = bn_obs_write(ctx, f, "/omega", o.n, o.row, o.col, o.val, g->rows,
                      g->cols, &tot.train);
  }
  if (st == BN_OK)
    st = bn_obs_write(ctx, f, "/truth/S", o.nc, o.crow, o.ccol, o.cval, g->rows,
                      g->cols, &tot.test);
  if (st == BN_OK) st = bn_h5_write_dmat(f, "/truth/U", x);
  if (st == BN_OK) st = bn_h5_write_dmat(f, "/truth/V", yloc);
  if (st == BN_OK) st = bn_rgen_attrs(f, g);
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  if (stats) *stats = tot;
  bn_rgen_free(&o);
  free(y);
  bn_dmat_destroy(x);
  bn_dmat_destroy(yloc);
  bn_dmat_destroy(l);
  bn_dist_destroy(rd);
  bn_dist_destroy(cd);
  return st;
}
