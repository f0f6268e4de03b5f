/* SaS-BD files (sasd_io.h). */
#include "problems/sasd/sasd_io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/image.h"

/* A 2-D dataset of `rows` x `cols` from each process's rows [r0, r0 + n0)
 * (row stride `ld`), or a 1-D dataset of `cols` from rank 0 (rows = 0). */
bn_status_t bn_sasd_put(bn_ctx_t *ctx, bn_h5_t *f, const char *name,
                        bn_idx_t rows, bn_idx_t cols, bn_idx_t r0, bn_idx_t n0,
                        const double *v, size_t ld) {
  if (rows == 0) {
    bool me = bn_ctx_rank(ctx) == 0;
    return bn_h5_write_f64(f, name, cols, 0, me ? cols : 0, v);
  }
  int np = bn_ctx_size(ctx);
  bn_idx_t *off = calloc((size_t)np + 1, sizeof(bn_idx_t));
  BN_CALL(ctx, bn_agree(ctx, off ? BN_OK
                                 : BN_ERROR(ctx, BN_ERR_MEM, "out of memory")));
  bn_idx_t mine = r0 + n0;
  bn_status_t st = BN_OK;
  if (MPI_Allgather(&mine, 1, BN_IDX_MPI, off + 1, 1, BN_IDX_MPI,
                    bn_ctx_comm(ctx)) != MPI_SUCCESS)
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allgather failed");
  /* processes without rows (FFTW may leave some empty) end where the
   * previous one ended */
  for (int q = 1; q <= np; q++)
    off[q] = off[q] < off[q - 1] ? off[q - 1] : off[q];
  bn_dist_t *d = NULL;
  bn_dmat_t *m = NULL;
  if (st == BN_OK) st = bn_dist_create_offsets(ctx, off, &d);
  if (st == BN_OK) st = bn_dmat_create(d, (int)cols, &m);
  if (st == BN_OK) {
    double *dst = bn_dmat_data(m);
    for (bn_idx_t i = 0; i < bn_dmat_local_rows(m); i++)
      memcpy(dst + (size_t)i * cols, v + (size_t)i * ld, cols * sizeof(double));
    st = bn_h5_write_dmat(f, name, m);
  }
  (void)rows;
  bn_dmat_destroy(m);
  bn_dist_destroy(d);
  free(off);
  return st;
}

bn_status_t bn_sasd_write_instance(bn_ctx_t *ctx, const bn_sasd_gen_t *p,
                                   const char *path, bn_idx_t r0, bn_idx_t n0,
                                   const double *y, const double *x,
                                   const double *a) {
  bn_h5_t *f = NULL;
  const bool two = p->dims == 2;
  double area = (double)(two ? p->h : 1) * (double)p->w;
  BN_CALL(ctx, bn_h5_create(ctx, path,
                            16.0 * area + 8.0 * (double)p->k * (two ? p->k : 1),
                            &f));
  bn_status_t st =
      bn_sasd_put(ctx, f, "/y", two ? p->h : 0, p->w, r0, n0, y, (size_t)p->w);
  if (st == BN_OK)
    st = bn_sasd_put(ctx, f, "/x_true", two ? p->h : 0, p->w, r0, n0, x,
                     (size_t)p->w);
  if (st == BN_OK)
    st = bn_sasd_put(ctx, f, "/a_true", two ? p->k : 0, p->k, 0,
                     two && bn_ctx_rank(ctx) == 0 ? p->k : 0, a, (size_t)p->k);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "problem", "sasd");
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "dims", p->dims);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "kernel_size", p->k);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "theta", p->theta);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "noise", p->noise);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "kernel", p->kernel);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "seed", (int64_t)p->seed);
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  return st;
}

/* An image: every process decodes it and keeps its rows. */
static bn_status_t bn_sasd_read_image(bn_ctx_t *ctx, const char *path, int k,
                                      bool center, bool measure,
                                      bn_sasd_t **out) {
  bn_img_t img = {0};
  bn_status_t st = bn_agree(ctx, bn_img_read(ctx, path, &img));
  if (st != BN_OK) return st;
  if (k <= 0)
    st = BN_ERROR_ALL(ctx, BN_ERR_ARG,
                      "--kernel-size is required for an image input");
  if (st == BN_OK) st = bn_sasd_setup(ctx, 2, img.h, img.w, k, measure, out);
  if (st == BN_OK) {
    double mean = 0;
    if (center) {
      for (size_t i = 0; i < (size_t)img.h * (size_t)img.w; i++)
        mean += img.px[i];
      mean /= (double)img.h * (double)img.w;
    }
    bn_sasd_grid_t *g = (*out)->g;
    for (bn_idx_t i = 0; i < g->n0; i++)
      for (bn_idx_t j = 0; j < g->w; j++)
        (*out)->y[(size_t)i * g->ws + (size_t)j] =
            img.px[(size_t)(g->r0 + i) * (size_t)img.w + (size_t)j] - mean;
  }
  bn_img_free(&img);
  return st;
}

static bn_status_t bn_sasd_read_h5(bn_ctx_t *ctx, bn_h5_t *f, int k,
                                   bool measure, bn_sasd_t **out) {
  int nd = 0, ex = 0;
  bn_idx_t dims[4];
  BN_CALL(ctx, bn_h5_shape(f, "/y", &nd, dims));
  if (nd != 1 && nd != 2)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /y must be 1-D (a signal) or 2-D (an image), "
                        "not %d-D",
                        bn_h5_path(f), nd);
  if (k <= 0) {
    int64_t v = 0;
    bn_status_t st = bn_h5_attr_get_i64(f, "/", "kernel_size", &v);
    if (st != BN_OK) {
      bn_error_clear(ctx);
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--kernel-size is required (%s has no kernel_size "
                          "attribute)",
                          bn_h5_path(f));
    }
    if (v < 1 || v > 100000)
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: attribute kernel_size = %lld: must be in [1, "
                          "100000] (or give --kernel-size)",
                          bn_h5_path(f), (long long)v);
    k = (int)v;
  }
  bn_idx_t h = nd == 2 ? dims[0] : 1, w = nd == 2 ? dims[1] : dims[0];
  BN_CALL(ctx, bn_sasd_setup(ctx, nd, h, w, k, measure, out));
  bn_sasd_t *s = *out;
  bn_sasd_grid_t *g = s->g;
  double *buf = NULL;
  size_t nl = (size_t)g->n0 * (size_t)w;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, nl + 1, sizeof(double), &buf)));
  bn_status_t st = nd == 2 ? bn_h5_read_slab_f64(f, "/y", g->r0, g->n0, buf)
                           : bn_h5_read_f64(f, "/y", 0, w, buf);
  if (st == BN_OK)
    for (bn_idx_t i = 0; i < g->n0; i++)
      memcpy(s->y + (size_t)i * g->ws, buf + (size_t)i * w, w * sizeof(double));
  free(buf);
  if (st == BN_OK) st = bn_h5_exists(f, "/a_true", &ex);
  if (st == BN_OK && ex) {
    int an = 0;
    bn_idx_t ad[4];
    st = bn_h5_shape(f, "/a_true", &an, ad);
    size_t na = (size_t)k * (nd == 2 ? (size_t)k : 1);
    if (st == BN_OK && (an != nd || ad[0] != k || (nd == 2 && ad[1] != k)))
      st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /a_true does not have the kernel's shape (%d%s)",
                        bn_h5_path(f), k, nd == 2 ? " x k" : "");
    if (st == BN_OK)
      st = bn_agree(ctx, bn_mallocn(ctx, na, sizeof(double), &s->a_true));
    if (st == BN_OK)
      st = nd == 2 ? bn_h5_read_slab_f64(f, "/a_true", 0, k, s->a_true)
                   : bn_h5_read_f64(f, "/a_true", 0, k, s->a_true);
    int finite = 1;
    for (size_t e = 0; st == BN_OK && e < na; e++)
      finite &= isfinite(s->a_true[e]) != 0;
    /* Every rank read the same values: the same verdict everywhere. */
    if (st == BN_OK && !finite)
      st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: the kernel /a_true holds a NaN or infinite value",
                        bn_h5_path(f));
  }
  return st;
}

bn_status_t bn_sasd_read(bn_ctx_t *ctx, const char *path, int k, bool center,
                         bool measure, bn_sasd_t **out) {
  *out = NULL;
  bn_status_t st;
  if (bn_img_is_image_name(path)) {
    st = bn_sasd_read_image(ctx, path, k, center, measure, out);
  } else {
    bn_h5_t *f = NULL;
    BN_CALL(ctx, bn_h5_open(ctx, path, &f));
    st = bn_sasd_read_h5(ctx, f, k, measure, out);
    bn_h5_close(f);
  }
  if (st == BN_OK) st = bn_sasd_ready(*out);
  if (st != BN_OK) {
    bn_sasd_free(*out);
    *out = NULL;
  }
  return st;
}

bn_status_t bn_sasd_write_result(bn_sasd_t *s, const bn_sasd_result_t *r,
                                 bn_h5_t *f) {
  bn_ctx_t *ctx = s->ctx;
  bn_sasd_grid_t *g = s->g;
  const bool two = g->dims == 2;
  const int k = s->k;
  BN_CALL(ctx,
          bn_sasd_put(ctx, f, "/a", two ? k : 0, k, 0,
                      two && bn_ctx_rank(ctx) == 0 ? k : 0, r->a, (size_t)k));
  BN_CALL(ctx, bn_sasd_put(ctx, f, "/a_window", two ? s->K : 0, s->K, 0,
                           two && bn_ctx_rank(ctx) == 0 ? s->K : 0, r->a_win,
                           (size_t)s->K));
  BN_CALL(ctx, bn_sasd_put(ctx, f, "/x", two ? g->h : 0, g->w, g->r0, g->n0,
                           r->x, g->ws));
  return bn_sasd_hist_write(ctx, f, &r->hist, s->a_true != NULL);
}

bn_status_t bn_sasd_hist_write(bn_ctx_t *ctx, bn_h5_t *f,
                               const bn_sasd_hist_t *h, bool err) {
  int64_t *its = bn_alloc_n((size_t)h->n + 1, sizeof(int64_t));
  BN_CALL(ctx, bn_agree(ctx, its ? BN_OK
                                 : BN_ERROR(ctx, BN_ERR_MEM, "out of memory")));
  for (int64_t i = 0; i < h->n; i++) its[i] = i;
  const bn_idx_t n = bn_ctx_rank(ctx) == 0 ? h->n : 0;
  bn_status_t st = bn_h5_write_i64(f, "/history/iteration", h->n, 0, n, its);
  free(its);
  struct {
    const char *name;
    const double *v;
  } d[] = {{"/history/objective", h->obj}, {"/history/lambda", h->lambda},
           {"/history/change", h->change}, {"/history/residual", h->resid},
           {"/history/seconds", h->secs},  {"/history/kernel_error", h->err}};
  for (int i = 0; i < 6 && st == BN_OK; i++)
    if (i < 5 || err) st = bn_h5_write_f64(f, d[i].name, h->n, 0, n, d[i].v);
  return st;
}
