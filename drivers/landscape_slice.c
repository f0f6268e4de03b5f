/* benign landscape: the slice. The plane {a d1 + b d2} through the origin
 * and the truth x* = d1; d2 is orthogonal to x*, |d2| = |x*|, and points
 * towards a symmetric copy of the truth (--slice=copy) or a random
 * direction (--slice=random). The copy is (U G, V G) with a random
 * rotation G for problems with a factor rank r >= 2 (their iterate is rows
 * of r numbers), else -x*; that it is a symmetry is checked (f(copy) =
 * f(x*)), so a problem without it gets a clear error. The objective is
 * evaluated on a grid x grid lattice of (a, b) in [-E, E]^2, rows spread
 * over the processes (each on its own instance). On a manifold (a problem
 * with a retraction) each grid point is retracted first. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landscape.h"

static double bn_slice_dot(size_t n, const double *a, const double *b) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* Random r x r rotation (Gram-Schmidt of Gaussian columns, det = +1). */
static void bn_ls_rotation(uint64_t seed, int r, double *g, double *lu) {
  for (int i = 0; i < r * r; i++)
    g[i] = bn_rng_normal(seed, BN_LS_STREAM_ROT, (uint64_t)i, 0);
  for (int j = 0; j < r; j++) { /* columns of the row-major g */
    for (int pass = 0; pass < 2; pass++)
      for (int q = 0; q < j; q++) {
        double d = 0.0;
        for (int i = 0; i < r; i++) d += g[i * r + q] * g[i * r + j];
        for (int i = 0; i < r; i++) g[i * r + j] -= d * g[i * r + q];
      }
    double nrm = 0.0;
    for (int i = 0; i < r; i++) nrm += g[i * r + j] * g[i * r + j];
    nrm = sqrt(nrm);
    for (int i = 0; i < r; i++) g[i * r + j] /= nrm;
  }
  /* The sign of det by elimination with partial pivoting on a copy. */
  memcpy(lu, g, (size_t)r * r * sizeof(double));
  int sign = 1;
  for (int c = 0; c < r; c++) {
    int p = c;
    for (int i = c + 1; i < r; i++)
      if (fabs(lu[i * r + c]) > fabs(lu[p * r + c])) p = i;
    if (p != c) {
      sign = -sign;
      for (int j = 0; j < r; j++) {
        double t = lu[c * r + j];
        lu[c * r + j] = lu[p * r + j];
        lu[p * r + j] = t;
      }
    }
    if (lu[c * r + c] < 0) sign = -sign;
    for (int i = c + 1; i < r; i++) {
      double m = lu[i * r + c] / lu[c * r + c];
      for (int j = c; j < r; j++) lu[i * r + j] -= m * lu[c * r + j];
    }
  }
  if (sign < 0)
    for (int i = 0; i < r; i++) g[i * r] = -g[i * r];
}

/* The factor rank of a low-rank problem: its `rank` option, when the
 * iterate is made of rows of that many numbers; else 0. */
static int bn_ls_rank(const bn_ls_t *ls) {
  const bn_optdef_t *d = ls->ops->opts;
  int64_t r = 0;
  for (int i = 0; d && d[i].key; i++)
    if (!strcmp(d[i].key, "rank") && d[i].type == BN_OPT_INT &&
        bn_opts_int(ls->opts, "rank", &r) == BN_OK)
      return r >= 1 && ls->obj.n % (size_t)r == 0 ? (int)r : 0;
  return 0;
}

/* The copy: x* with each row of r numbers times G (the rotation among a
 * few tries that moves x* the most), or -x*. */
static bn_status_t bn_ls_copy(bn_ls_t *ls, const double *xs, double *xc,
                              const char **kind) {
  bn_ctx_t *c = ls->self;
  size_t n = ls->obj.n;
  int r = bn_ls_rank(ls);
  double n2 = bn_slice_dot(n, xs, xs);
  *kind = "sign";
  for (size_t i = 0; i < n; i++) xc[i] = -xs[i];
  if (r < 2) return BN_OK;
  double *g = NULL, best = 2.0;
  BN_CALL(c, bn_mallocn(c, bn_size_mul(bn_size_mul(3, (size_t)r), r),
                        sizeof(double), &g));
  double *lu = g + r * r, *keep = lu + r * r;
  for (int t = 0; t < 8; t++) {
    bn_ls_rotation(ls->seed + 7919u * (uint64_t)t, r, g, lu);
    double cosv = 0.0; /* <x* G, x*> / |x*|^2 */
    for (size_t i = 0; i < n; i += (size_t)r)
      for (int a = 0; a < r; a++) {
        double s = 0.0;
        for (int b = 0; b < r; b++) s += xs[i + b] * g[b * r + a];
        cosv += s * xs[i + a];
      }
    cosv /= n2;
    if (cosv < best) {
      best = cosv;
      memcpy(keep, g, (size_t)r * r * sizeof(double));
    }
  }
  for (size_t i = 0; i < n; i += (size_t)r)
    for (int a = 0; a < r; a++) {
      double s = 0.0;
      for (int b = 0; b < r; b++) s += xs[i + b] * keep[b * r + a];
      xc[i + a] = s;
    }
  free(g);
  *kind = "rotation";
  return BN_OK;
}

/* d2: the part of v orthogonal to d1, scaled to |d1|; false if none. */
static bool bn_ls_orth(size_t n, const double *d1, double n2, const double *v,
                       double *d2) {
  double c = bn_slice_dot(n, v, d1) / n2;
  for (size_t i = 0; i < n; i++) d2[i] = v[i] - c * d1[i];
  double m2 = bn_slice_dot(n, d2, d2);
  if (!(m2 > 1e-16 * n2)) return false;
  double s = sqrt(n2 / m2);
  for (size_t i = 0; i < n; i++) d2[i] *= s;
  return true;
}

/* Everything on this process's instance; the verdicts are the same on
 * every process (same instance, same seeds). */
static bn_status_t bn_ls_plane_local(bn_ls_t *ls, double *xc) {
  bn_ctx_t *c = ls->self;
  bn_ls_plane_t *pl = &ls->plane;
  size_t n = ls->obj.n;
  bool have = false;
  if (!ls->ops->truth)
    return BN_ERROR_ALL(c, BN_ERR_ARG,
                        "--png: the slice goes through the ground truth, and "
                        "problem %s cannot give its truth as a point",
                        ls->ops->name);
  BN_CALL(c, ls->ops->truth(ls->data, pl->d1, &have));
  if (!have)
    return BN_ERROR_ALL(c, BN_ERR_ARG,
                        "--png: the slice goes through the ground truth, but "
                        "%s has none (/truth); run the census without --png",
                        bn_opts_string(ls->opts, "input"));
  pl->norm2 = bn_slice_dot(n, pl->d1, pl->d1);
  if (!(pl->norm2 > 0) || !isfinite(pl->norm2))
    return BN_ERROR_ALL(c, BN_ERR_DATA,
                        "--png: the ground truth is the zero point (or not "
                        "finite): no plane through it");
  pl->copy_a = pl->copy_b = NAN;
  pl->copy_kind = NULL;
  bool orth = false;
  if (!strcmp(ls->slice, "copy")) {
    BN_CALL(c, bn_ls_copy(ls, pl->d1, xc, &pl->copy_kind));
    double fs, fc, f0;
    BN_CALL(c, ls->obj.eval(ls->data, pl->d1, &fs, NULL));
    BN_CALL(c, ls->obj.eval(ls->data, xc, &fc, NULL));
    memset(pl->d2, 0, n * sizeof(double));
    BN_CALL(c, ls->obj.eval(ls->data, pl->d2, &f0, NULL));
    double scale = fmax(fabs(fs), fabs(f0));
    if (!(fabs(fc - fs) <= 1e-6 * (isfinite(scale) ? scale : 0.0) + 1e-300))
      return BN_ERROR_ALL(
          c, BN_ERR_ARG,
          "--slice=copy: f(copy) = %.6e differs from "
          "f(truth) = %.6e, so the copy (%s) is not a "
          "symmetry of problem %s; use --slice=random",
          fc, fs, !strcmp(pl->copy_kind, "sign") ? "-x*" : "rotated factors",
          ls->ops->name);
    pl->copy_a = bn_slice_dot(n, xc, pl->d1) / pl->norm2;
    orth = bn_ls_orth(n, pl->d1, pl->norm2, xc, pl->d2);
    pl->copy_b = orth ? bn_slice_dot(n, xc, pl->d2) / pl->norm2 : 0.0;
  }
  if (!orth) { /* random slice, or a copy on the line of x* (-x*) */
    bn_rng_fill_normal(ls->seed, BN_LS_STREAM_DIR, 0, n, xc);
    if (!bn_ls_orth(n, pl->d1, pl->norm2, xc, pl->d2))
      return BN_ERROR_ALL(c, BN_ERR_DATA,
                          "--png: no direction orthogonal to the truth (one "
                          "variable?)");
  }
  return BN_OK;
}

bn_status_t bn_ls_plane_build(bn_ls_t *ls) {
  bn_ctx_t *c = ls->self;
  size_t n = ls->obj.n ? ls->obj.n : 1;
  double *xc = NULL;
  bn_status_t st =
      bn_calloc(c, bn_size_mul(3, n), sizeof(double), &ls->plane.d1);
  if (st == BN_OK) st = bn_mallocn(c, n, sizeof(double), &xc);
  if (st == BN_OK) {
    ls->plane.d2 = ls->plane.d1 + n;
    st = bn_ls_plane_local(ls, xc);
  }
  free(xc);
  BN_CALL(ls->ctx, bn_ls_lift(ls, st));
  ls->have_plane = true;
  return BN_OK;
}

void bn_ls_plane_free(bn_ls_t *ls) {
  free(ls->plane.d1);
  ls->plane.d1 = ls->plane.d2 = NULL;
}

void bn_ls_plane_coords(const bn_ls_t *ls, const double *x, double *a,
                        double *b, double *res) {
  const bn_ls_plane_t *pl = &ls->plane;
  size_t n = ls->obj.n;
  double xa = bn_slice_dot(n, x, pl->d1) / pl->norm2;
  double xb = bn_slice_dot(n, x, pl->d2) / pl->norm2;
  double r2 = 0.0, x2 = 0.0;
  for (size_t i = 0; i < n; i++) {
    double e = x[i] - xa * pl->d1[i] - xb * pl->d2[i];
    r2 += e * e;
    x2 += x[i] * x[i];
  }
  *a = xa;
  *b = xb;
  *res = x2 > 0 ? sqrt(r2 / x2) : 0.0;
}

/* Grid coordinate k of N in [-E, E]. */
static double bn_ls_coord(const bn_ls_t *ls, int64_t k) {
  return -ls->extent + 2.0 * ls->extent * (double)k / (double)(ls->grid - 1);
}

/* This process's grid rows (b index i, all a). */
static bn_status_t bn_ls_rows(bn_ls_t *ls, double *x) {
  bn_ctx_t *c = ls->self;
  const bn_ls_plane_t *pl = &ls->plane;
  size_t n = ls->obj.n;
  const int64_t N = ls->grid, i0 = bn_dmat_first_row(ls->gloc);
  double *out = bn_dmat_data(ls->gloc);
  for (int64_t i = 0; i < bn_dmat_local_rows(ls->gloc); i++) {
    double b = bn_ls_coord(ls, i0 + i);
    for (int64_t j = 0; j < N; j++) {
      double a = bn_ls_coord(ls, j), f = NAN;
      for (size_t q = 0; q < n; q++) x[q] = a * pl->d1[q] + b * pl->d2[q];
      bn_status_t st = BN_OK;
      if (ls->obj.retract) st = ls->obj.retract(ls->data, x);
      if (st == BN_OK) st = ls->obj.eval(ls->data, x, &f, NULL);
      /* A point where the objective is undefined (a retraction through
       * zero) is drawn grey rather than failing the picture. */
      if (st != BN_OK) {
        bn_error_clear(c);
        f = NAN;
      }
      out[i * N + j] = isfinite(f) ? f : NAN;
    }
  }
  return BN_OK;
}

bn_status_t bn_ls_slice_eval(bn_ls_t *ls) {
  bn_ctx_t *ctx = ls->ctx;
  const int P = bn_ctx_size(ctx), me = bn_ctx_rank(ctx);
  const int64_t N = ls->grid;
  double *x = NULL;
  int *counts = NULL;
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_dist_create_uniform(ctx, N, &ls->gdist));
  BN_CALL(ctx, bn_dmat_create(ls->gdist, (int)N, &ls->gloc));
  bn_status_t st =
      bn_mallocn(ctx, ls->obj.n ? ls->obj.n : 1, sizeof(double), &x);
  if (st == BN_OK && me == 0) {
    st = bn_mallocn(ctx, bn_size_mul(N, N), sizeof(double), &ls->gall);
    if (st == BN_OK)
      st = bn_mallocn(ctx, bn_size_mul(2, (size_t)P), sizeof(int), &counts);
  }
  st = bn_agree(ctx, st);
  if (st == BN_OK) st = bn_ls_lift(ls, bn_ls_rows(ls, x));
  int *displs = counts ? counts + P : NULL;
  if (st == BN_OK && me == 0)
    for (int p = 0; p < P; p++) {
      displs[p] = (int)(bn_dist_offset(ls->gdist, p) * N);
      counts[p] = (int)((bn_dist_offset(ls->gdist, p + 1) -
                         bn_dist_offset(ls->gdist, p)) *
                        N);
    }
  if (st == BN_OK &&
      MPI_Gatherv(bn_dmat_cdata(ls->gloc),
                  (int)(bn_dmat_local_rows(ls->gloc) * N), MPI_DOUBLE, ls->gall,
                  counts, displs, MPI_DOUBLE, 0,
                  bn_ctx_comm(ctx)) != MPI_SUCCESS)
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Gatherv failed (slice grid)");
  if (st == BN_OK && me == 0) {
    ls->gmin_f = INFINITY;
    ls->gmin_a = ls->gmin_b = NAN;
    for (int64_t i = 0; i < N; i++)
      for (int64_t j = 0; j < N; j++)
        if (ls->gall[i * N + j] < ls->gmin_f) {
          ls->gmin_f = ls->gall[i * N + j];
          ls->gmin_a = bn_ls_coord(ls, j);
          ls->gmin_b = bn_ls_coord(ls, i);
        }
  }
  free(x);
  free(counts);
  BN_CALL(ctx, bn_agree(ctx, st));
  bn_log(ctx, BN_LOG_INFO,
         "slice: %lld x %lld grid through the truth (%s) in %.2f s\n",
         (long long)N, (long long)N,
         ls->plane.copy_kind ? "and a symmetric copy"
                             : "and a random "
                               "direction",
         bn_wtime() - t0);
  return BN_OK;
}
