/* Dictionary learning, method `synthesis`: the kernels -- the lasso of a
 * block of samples (coordinate descent or FISTA), the sufficient
 * statistics of the codes, the dictionary update by block-coordinate
 * descent on them, and the objective from them. None is collective: the
 * callers in dict_synth.c sum the statistics with one allreduce.
 *
 * Units: the samples y (rows of d->y, raw data: no preconditioning), the
 * dictionary A (m x n, row-major, columns the atoms, |a_j| <= 1), the
 * codes c (one row of n per sample). With G = A^T A and b = A^T y,
 *   h(c) = 1/2 |y - A c|^2 + lambda |c|_1 = 1/2 |y|^2 - b^T c
 *          + 1/2 c^T G c + lambda |c|_1.
 * Coordinate descent (cd) keeps r = b - G c and minimises h exactly over
 * one coordinate at a time (c_j <- S(c_j + r_j / G_jj, lambda / G_jj)),
 * so h never increases; it sweeps a sample's coordinates until no
 * coordinate moves by more than tol (|dc_j| |a_j|), a test per sample,
 * so the codes do not depend on how the samples are split. FISTA runs a
 * fixed number of steps 1/L (L the largest eigenvalue of G) on a block of
 * samples at a time (one GEMM per step) and keeps, per sample, the better
 * of its start and its end point (FISTA is not monotone). */
#include <cblas.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "problems/dict/dict_synth_state.h"

static double bn_soft(double v, double t) {
  return v > t ? v - t : v < -t ? v + t : 0.0;
}

/* h(c) - |y|^2/2 = -b^T c + 1/2 c^T G c + lambda |c|_1, with gc = G c. */
static double bn_synth_h(int n, const double *b, const double *c,
                         const double *gc, double lambda) {
  double s = 0.0;
  for (int j = 0; j < n; j++)
    s += c[j] * (0.5 * gc[j] - b[j]) + lambda * fabs(c[j]);
  return s;
}

/* r = b - G c. */
static void bn_synth_resid(int n, const double *g, const double *b,
                           const double *c, double *r) {
  memcpy(r, b, (size_t)n * sizeof(double));
  for (int j = 0; j < n; j++)
    if (c[j] != 0.0) cblas_daxpy(n, -c[j], g + (size_t)j * n, 1, r, 1);
}

/* One sweep over the coordinates idx[0..ni) (all when idx is NULL),
 * keeping r up to date on those same coordinates; the largest move. */
static double bn_synth_sweep_cd(int n, const double *g, double *c, double *r,
                                double lambda, const int *idx, int ni) {
  double big = 0.0;
  for (int a = 0; a < ni; a++) {
    const int j = idx ? idx[a] : a;
    const double gjj = g[(size_t)j * n + j];
    if (!(gjj > 0)) {
      c[j] = 0.0;
      continue;
    }
    const double cj = c[j], cn = bn_soft(cj + r[j] / gjj, lambda / gjj);
    if (cn == cj) continue;
    const double dc = cn - cj, *gj = g + (size_t)j * n;
    if (idx)
      for (int q = 0; q < ni; q++) r[idx[q]] -= dc * gj[idx[q]];
    else
      for (int k = 0; k < n; k++) r[k] -= dc * gj[k];
    c[j] = cn;
    big = fmax(big, fabs(dc) * sqrt(gjj));
  }
  return big;
}

/* Active-set coordinate descent: a sweep over every coordinate, then
 * sweeps over the nonzero ones alone (r kept on those only, |S|^2 work a
 * sweep) until they settle, r recomputed, and again, until a sweep over
 * every coordinate moves none by more than tol. */
int64_t bn_synth_cd(int n, const double *g, const double *b, double *c,
                    double lambda, double tol, int64_t maxit, double *r,
                    int *idx) {
  bn_synth_resid(n, g, b, c, r);
  int64_t it = 0;
  while (it < maxit) {
    it++;
    if (bn_synth_sweep_cd(n, g, c, r, lambda, NULL, n) <= tol) break;
    int ns = 0;
    for (int j = 0; j < n; j++)
      if (c[j] != 0.0) idx[ns++] = j;
    while (ns > 0 && it < maxit) {
      it++;
      if (bn_synth_sweep_cd(n, g, c, r, lambda, idx, ns) <= tol) break;
    }
    bn_synth_resid(n, g, b, c, r);
  }
  return it;
}

/* Cholesky solve of the k x k SPD system a x = x (in place; a is
 * overwritten); false when a pivot is not positive (a singular set). */
static bool bn_synth_chol(int k, double *a, double *x) {
  for (int j = 0; j < k; j++) {
    double d = a[j * k + j];
    for (int q = 0; q < j; q++) d -= a[j * k + q] * a[j * k + q];
    if (!(d > 1e-10 * fabs(a[j * k + j]))) return false;
    d = sqrt(d);
    a[j * k + j] = d;
    for (int i = j + 1; i < k; i++) {
      double v = a[i * k + j];
      for (int q = 0; q < j; q++) v -= a[i * k + q] * a[j * k + q];
      a[i * k + j] = v / d;
    }
  }
  for (int i = 0; i < k; i++) {
    double v = x[i];
    for (int q = 0; q < i; q++) v -= a[i * k + q] * x[q];
    x[i] = v / a[i * k + i];
  }
  for (int i = k - 1; i >= 0; i--) {
    double v = x[i];
    for (int q = i + 1; q < k; q++) v -= a[q * k + i] * x[q];
    x[i] = v / a[i * k + i];
  }
  return true;
}

/* The lasso cost on the set idx (k): -b^T z + z^T G z / 2 + lambda |z|_1. */
static double bn_synth_hset(int n, const double *g, const double *b,
                            const int *idx, int k, const double *z,
                            double lambda) {
  double v = 0.0;
  for (int a = 0; a < k; a++) {
    const double *gi = g + (size_t)idx[a] * n;
    double q = 0.0;
    for (int e = 0; e < k; e++) q += gi[idx[e]] * z[e];
    v += z[a] * (0.5 * q - b[idx[a]]) + lambda * fabs(z[a]);
  }
  return v;
}

int64_t bn_synth_fs(int n, const double *g, const double *b, double *c,
                    double lambda, double tol, int64_t maxit, double *w,
                    int *idx) {
  /* w: r (n), sign (n), x (n), z (n), t (n), a (n^2). */
  double *r = w, *sg = r + n, *x = sg + n, *z = x + n, *tt = z + n, *a = tt + n;
  int64_t it = 0;
  bn_synth_resid(n, g, b, c, r);
  for (int j = 0; j < n; j++) sg[j] = c[j] > 0 ? 1.0 : c[j] < 0 ? -1.0 : 0.0;
  while (it < maxit) {
    /* The zero coordinate that violates |r_j| <= lambda most. */
    int jb = -1;
    double vb = lambda + tol;
    for (int j = 0; j < n; j++)
      if (c[j] == 0.0 && fabs(r[j]) > vb && g[(size_t)j * n + j] > 0)
        vb = fabs(r[j]), jb = j;
    bool nz_ok = true;
    for (int j = 0; j < n && nz_ok; j++)
      if (c[j] != 0.0) nz_ok = fabs(r[j] - lambda * sg[j]) <= tol;
    if (jb < 0 && nz_ok) break;
    if (jb >= 0) sg[jb] = r[jb] > 0 ? 1.0 : -1.0;
    /* Feature-sign steps on the active set until its own conditions
     * hold. */
    for (int inner = 0; inner < 4 * n && it < maxit; inner++) {
      it++;
      int k = 0;
      for (int j = 0; j < n; j++)
        if (c[j] != 0.0 || j == jb) idx[k++] = j;
      for (int p = 0; p < k; p++) {
        for (int q = 0; q < k; q++)
          a[p * k + q] = g[(size_t)idx[p] * n + idx[q]];
        x[p] = b[idx[p]] - lambda * sg[idx[p]];
        z[p] = c[idx[p]];
      }
      if (!bn_synth_chol(k, a, x)) /* a singular set: fall back */
        return it + bn_synth_cd(n, g, b, c, lambda, 1e-3 * tol, maxit, r, idx);
      /* Line search from z to x: x itself and every sign change. */
      double best = bn_synth_hset(n, g, b, idx, k, x, lambda), bt = 1.0;
      int pz = -1;
      for (int p = 0; p < k; p++) {
        if (z[p] == 0.0 || (z[p] > 0) == (x[p] > 0)) continue;
        double t = z[p] / (z[p] - x[p]);
        for (int q = 0; q < k; q++) tt[q] = z[q] + t * (x[q] - z[q]);
        tt[p] = 0.0;
        double v = bn_synth_hset(n, g, b, idx, k, tt, lambda);
        if (v < best) best = v, bt = t, pz = p;
      }
      /* No decrease at the points tried (a warm start whose signs do not
       * suit the new dictionary, or rounding): coordinate descent from
       * here, which never rises, finishes the sample. */
      if (!(best < bn_synth_hset(n, g, b, idx, k, z, lambda)))
        return it + bn_synth_cd(n, g, b, c, lambda, 1e-3 * tol, maxit, r, idx);
      for (int p = 0; p < k; p++) {
        double v = p == pz ? 0.0 : z[p] + bt * (x[p] - z[p]);
        c[idx[p]] = v;
        sg[idx[p]] = v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0;
      }
      jb = -1;
      bn_synth_resid(n, g, b, c, r);
      bool ok = true;
      for (int p = 0; p < k && ok; p++)
        if (c[idx[p]] != 0.0) ok = fabs(r[idx[p]] - lambda * sg[idx[p]]) <= tol;
      if (ok) break;
    }
  }
  return it;
}

double bn_synth_lmax(int n, const double *g, double *v, double *w) {
  double bound = 0.0, lam = 0.0;
  for (int i = 0; i < n; i++) {
    double s = 0.0;
    for (int k = 0; k < n; k++) s += fabs(g[(size_t)i * n + k]);
    bound = fmax(bound, s);
  }
  for (int i = 0; i < n; i++) v[i] = 1.0 + 0.01 * i;
  for (int it = 0; it < 200; it++) {
    cblas_dgemv(CblasRowMajor, CblasNoTrans, n, n, 1.0, g, n, v, 1, 0.0, w, 1);
    double s = sqrt(cblas_ddot(n, w, 1, w, 1));
    if (!(s > 0)) return bound;
    lam = s / sqrt(cblas_ddot(n, v, 1, v, 1));
    for (int i = 0; i < n; i++) v[i] = w[i] / s;
  }
  return fmin(bound, 1.01 * lam);
}

/* FISTA on rows [0, nb) of b/c; work: 3 nb n doubles. */
static void bn_synth_fista_block(int n, int nb, const double *g, double L,
                                 const double *b, double *c, double lambda,
                                 int64_t iters, double *w) {
  const size_t len = (size_t)nb * n;
  double *z = w, *gr = z + len, *c0 = gr + len;
  memcpy(c0, c, len * sizeof(double));
  memcpy(z, c, len * sizeof(double));
  double t = 1.0;
  for (int64_t it = 0; it < iters; it++) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nb, n, n, 1.0, z, n,
                g, n, 0.0, gr, n);
    double tn = 0.5 * (1.0 + sqrt(1.0 + 4.0 * t * t)), mom = (t - 1.0) / tn;
    for (size_t k = 0; k < len; k++) {
      double v = bn_soft(z[k] - (gr[k] - b[k]) / L, lambda / L);
      z[k] = v + mom * (v - c[k]);
      c[k] = v;
    }
    t = tn;
  }
  /* Keep the better of start and end point, per sample. */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nb, n, n, 1.0, c, n, g,
              n, 0.0, gr, n);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nb, n, n, 1.0, c0, n,
              g, n, 0.0, z, n);
  for (int s = 0; s < nb; s++) {
    const size_t o = (size_t)s * n;
    double hn = bn_synth_h(n, b + o, c + o, gr + o, lambda);
    double ho = bn_synth_h(n, b + o, c0 + o, z + o, lambda);
    if (ho < hn) memcpy(c + o, c0 + o, (size_t)n * sizeof(double));
  }
}

bn_status_t bn_synth_code(bn_ctx_t *ctx, const bn_synth_coder_t *cp, int n,
                          int rows, const double *g, const double *b, double *c,
                          int64_t *sweeps) {
  *sweeps = 0;
  if (rows <= 0) return BN_OK;
  const int blk = cp->fista ? 256 : 1;
  double *w = NULL;
  size_t len = cp->fista ? 3 * (size_t)blk * n + 2 * (size_t)n
                         : 6 * (size_t)n + (size_t)n * n;
  BN_CALL(ctx, bn_mallocn(ctx, len + 1, sizeof(double), &w));
  if (cp->fista) {
    const double L = bn_synth_lmax(n, g, w, w + n);
    for (int r = 0; r < rows && L > 0; r += blk) {
      int nb = rows - r < blk ? rows - r : blk;
      bn_synth_fista_block(n, nb, g, L, b + (size_t)r * n, c + (size_t)r * n,
                           cp->lambda, cp->iters, w);
    }
    *sweeps = cp->iters * rows;
  } else {
    for (int r = 0; r < rows; r++)
      *sweeps +=
          cp->fs
              ? bn_synth_fs(n, g, b + (size_t)r * n, c + (size_t)r * n,
                            cp->lambda, cp->tol, cp->iters, w,
                            (int *)(w + 5 * (size_t)n + (size_t)n * n))
              : bn_synth_cd(n, g, b + (size_t)r * n, c + (size_t)r * n,
                            cp->lambda, cp->tol, cp->iters, w, (int *)(w + n));
  }
  free(w);
  return BN_OK;
}

void bn_synth_stats(int m, int n, int rows, const double *y, const double *c,
                    double lambda, double *s) {
  /* s = [C^T C (n x n) | Y^T C (m x n) | sum |y|^2/2 + lambda |c|_1]. */
  double *cc = s, *yc = s + (size_t)n * n;
  if (rows <= 0) return;
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, n, rows, 1.0, c, n, 1.0,
              cc, n);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, rows, 1.0, y, m, c,
              n, 1.0, yc, n);
  double e = 0.0;
  for (size_t k = 0; k < (size_t)rows * m; k++) e += 0.5 * y[k] * y[k];
  for (size_t k = 0; k < (size_t)rows * n; k++) e += lambda * fabs(c[k]);
  yc[(size_t)m * n] += e;
}

void bn_synth_symmetrize(int n, double *cc) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < i; j++) cc[(size_t)i * n + j] = cc[(size_t)j * n + i];
}

double bn_synth_value(int m, int n, const double *a, const double *s,
                      double *work) {
  /* e - <A, Y^T C> + 1/2 <A^T A, C^T C>; work: m n (A S). */
  const double *cc = s, *yc = s + (size_t)n * n;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, n, 1.0, a, n, cc,
              n, 0.0, work, n);
  double v = yc[(size_t)m * n];
  for (size_t k = 0; k < (size_t)m * n; k++)
    v += a[k] * (0.5 * work[k] - yc[k]);
  return v;
}

void bn_synth_gmap(int m, int n, const double *a, const double *s, double *g,
                   double scale) {
  /* Per column: u_j = P(a_j - grad_j / S_jj), g_j = (a_j - u_j) S_jj,
   * grad = A S - Y^T C; times scale (1/p). Zero at a BCD fixed point. */
  const double *cc = s, *yc = s + (size_t)n * n;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, n, 1.0, a, n, cc,
              n, 0.0, g, n);
  for (size_t k = 0; k < (size_t)m * n; k++) g[k] -= yc[k];
  for (int j = 0; j < n; j++) {
    const double sjj = cc[(size_t)j * n + j];
    if (!(sjj > 0)) {
      for (int i = 0; i < m; i++) g[(size_t)i * n + j] *= scale;
      continue;
    }
    double nu = 0.0;
    for (int i = 0; i < m; i++) {
      double u = a[(size_t)i * n + j] - g[(size_t)i * n + j] / sjj;
      nu += u * u;
    }
    const double sh = nu > 1.0 ? 1.0 / sqrt(nu) : 1.0;
    for (int i = 0; i < m; i++) {
      const size_t k = (size_t)i * n + j;
      double u = sh * (a[k] - g[k] / sjj);
      g[k] = (a[k] - u) * sjj * scale;
    }
  }
}

int bn_synth_bcd(int m, int n, double *a, const double *s, int maxs,
                 double *work) {
  /* work: n m (A^T, one atom per row) + m. */
  const double *cc = s, *yc = s + (size_t)n * n;
  double *at = work, *u = work + (size_t)n * m, tr = 0.0, an = 0.0;
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) at[(size_t)j * m + i] = a[(size_t)i * n + j];
  for (int j = 0; j < n; j++) tr += cc[(size_t)j * n + j];
  for (size_t k = 0; k < (size_t)m * n; k++) an += at[k] * at[k];
  int sweep = 0;
  while (sweep < maxs) {
    double moved = 0.0;
    sweep++;
    for (int j = 0; j < n; j++) {
      const double sjj = cc[(size_t)j * n + j];
      if (!(sjj > 1e-12 * tr / n)) continue; /* unused atom: kept */
      /* u = a_j + (yc_j - A S_j) / S_jj */
      for (int i = 0; i < m; i++) u[i] = yc[(size_t)i * n + j];
      for (int k = 0; k < n; k++) {
        const double w = cc[(size_t)j * n + k];
        if (w != 0.0) cblas_daxpy(m, -w, at + (size_t)k * m, 1, u, 1);
      }
      double nu = 0.0, *aj = at + (size_t)j * m;
      for (int i = 0; i < m; i++) {
        u[i] = aj[i] + u[i] / sjj;
        nu += u[i] * u[i];
      }
      const double sh = nu > 1.0 ? 1.0 / sqrt(nu) : 1.0;
      for (int i = 0; i < m; i++) {
        double v = sh * u[i];
        moved += (v - aj[i]) * (v - aj[i]);
        aj[i] = v;
      }
    }
    if (moved <= 1e-24 * an) break;
  }
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) a[(size_t)i * n + j] = at[(size_t)j * m + i];
  return sweep;
}
