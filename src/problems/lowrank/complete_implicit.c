/* Matrix completion for implicit feedback (--loss=implicit; Hu, Koren and
 * Volinsky 2008): every entry of the matrix is a preference p_ij -- 1 for
 * an observed entry with a value r_ij > 0, 0 for every other entry -- with
 * a confidence c_ij = 1 + alpha r_ij (1 off the observed entries):
 *
 *   f = 1/2 sum_{all i,j} c_ij (p_ij - u_i . v_j)^2
 *       + lambda/2 (|U|^2 + |V|^2)
 *
 * computed without the dense matrix: sum_all x_ij^2 = tr((U^T U)(V^T V)),
 * so f = 1/2 tr(G_U G_V) + 1/2 sum_Omega [c (p - x)^2 - x^2] + ridge, and
 *   grad_U = U G_V + sum_Omega w_ij v_j e_i^T + lambda U,
 *   w_ij = (c_ij - 1) x_ij - c_ij p_ij  (and likewise for V),
 * the Grams one allreduce. ALS (the sweep): u_i = (G_V + lambda I +
 * sum_{j in Omega_i} alpha r_ij v_j v_j^T)^(-1) sum_{j in Omega_i} c_ij
 * p_ij v_j, the row's entries only; a column's sums are formed where its
 * entries live and added into its owner's (nghost (r^2 + r) doubles of
 * work space). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/complete_state.h"

/* Collective: G = sum of a's local rows' outer products, for U and V,
 * summed over the processes into c->red (G_U then G_V). */
static bn_status_t bn_imp_grams(bn_complete_t *c, const double *u,
                                const double *v, double extra,
                                double *sum_extra) {
  const int r = c->r;
  double *gu = c->red, *gv = c->red + (size_t)r * r;
  memset(c->red, 0, (2 * (size_t)r * r + 1) * sizeof(double));
  for (bn_idx_t i = 0; i < c->nu; i++)
    for (int a = 0; a < r; a++)
      for (int b = 0; b < r; b++) gu[a * r + b] += u[i * r + a] * u[i * r + b];
  for (bn_idx_t j = 0; j < c->nv; j++)
    for (int a = 0; a < r; a++)
      for (int b = 0; b < r; b++) gv[a * r + b] += v[j * r + a] * v[j * r + b];
  c->red[2 * (size_t)r * r] = extra;
  BN_CALL(c->ctx, bn_allreduce_sum(c->ctx, c->red, 2 * (size_t)r * r + 1));
  if (sum_extra) *sum_extra = c->red[2 * (size_t)r * r];
  return BN_OK;
}

/* y (n x r) += a (n x r) G (r x r). */
static void bn_imp_mul_add(bn_idx_t n, int r, const double *a, const double *g,
                           double *y) {
  for (bn_idx_t i = 0; i < n; i++)
    for (int b = 0; b < r; b++) {
      double s = 0.0;
      for (int k = 0; k < r; k++) s += a[i * r + k] * g[k * r + b];
      y[i * r + b] += s;
    }
}

bn_status_t bn_implicit_eval(void *data, const double *x, double *f,
                             double *g) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const bn_obs_t *o = c->obs;
  const int r = c->r;
  const double al = c->ialpha;
  bn_complete_parts_t p = bn_complete_split(c, x);
  BN_CALL(ctx, bn_complete_gather_v(c, o->plan, x, c->vg));
  if (g) {
    memset(g, 0, (size_t)(c->nu + c->nv) * r * sizeof(double));
    memset(c->gvg, 0, (size_t)o->nghost * r * sizeof(double));
  }
  bn_complete_parts_t gp = g ? bn_complete_split(c, g) : p;
  double local = 0.0;
  for (bn_idx_t i = 0; i < c->nu; i++) {
    const double *ui = p.u + (size_t)i * r;
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      const double *vj = c->vg + (size_t)o->gcol[e] * r;
      double xij = 0.0;
      for (int k = 0; k < r; k++) xij += ui[k] * vj[k];
      const double val = o->val[e], pr = val > 0, cf = 1.0 + al * val;
      local += cf * (pr - xij) * (pr - xij) - xij * xij;
      if (!g) continue;
      const double w = (cf - 1.0) * xij - cf * pr;
      double *gj = c->gvg + (size_t)o->gcol[e] * r;
      for (int k = 0; k < r; k++) {
        gp.u[(size_t)i * r + k] += w * vj[k];
        gj[k] += w * ui[k];
      }
    }
  }
  double ridge = 0.0;
  for (size_t k = 0; k < (size_t)(c->nu + c->nv) * r; k++) ridge += x[k] * x[k];
  double sum = 0.0;
  BN_CALL(ctx, bn_imp_grams(c, p.u, p.v, 0.5 * local + 0.5 * c->lambda * ridge,
                            &sum));
  const double *gu = c->red, *gv = c->red + (size_t)r * r;
  double tr = 0.0;
  for (int a = 0; a < r; a++)
    for (int b = 0; b < r; b++) tr += gu[a * r + b] * gv[b * r + a];
  *f = 0.5 * tr + sum;
  if (!g) return BN_OK;
  BN_CALL(ctx, bn_complete_scatter_v(c, c->gvg, gp.v, NULL));
  bn_imp_mul_add(c->nu, r, p.u, gv, gp.u);
  bn_imp_mul_add(c->nv, r, p.v, gu, gp.v);
  for (size_t k = 0; k < (size_t)(c->nu + c->nv) * r; k++)
    g[k] += c->lambda * x[k];
  return BN_OK;
}

/* Not collective: solve (G + lambda I + A) z = b for one row, A and b
 * accumulated by the caller in a (r x r) and z (r). */
static void bn_imp_solve(int r, const double *gram, double lambda, double *a,
                         double *z) {
  for (int k = 0; k < r * r; k++) a[k] += gram[k];
  for (int k = 0; k < r; k++) a[k * r + k] += lambda > 0 ? lambda : 1e-12;
  if (bn_chol_solve(r, a, z) != 0)
    for (int k = 0; k < r; k++) z[k] = 0.0; /* not positive definite */
}

bn_status_t bn_implicit_sweep(void *data, double *x) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const bn_obs_t *o = c->obs;
  const int r = c->r;
  const size_t sw = (size_t)r * r + r;
  const double al = c->ialpha;
  bn_complete_parts_t p = bn_complete_split(c, x);
  /* work space, once: one row's system, the ghost columns' sums, the
   * owned columns' sums (sized by the rank: a retune drops it) */
  const size_t nacc = bn_size_mul((size_t)o->nghost + 1, sw),
               nown = bn_size_mul((size_t)c->nv + 1, sw);
  bn_status_t st = BN_OK;
  if (!c->imp_buf)
    st = bn_agree(ctx, bn_mallocn(ctx, bn_size_add(sw, bn_size_add(nacc, nown)),
                                  sizeof(double), &c->imp_buf));
  BN_CALL(ctx, st);
  double *a = c->imp_buf, *acc = a + sw, *own = acc + nacc;
  memset(acc, 0, (nacc + nown) * sizeof(double));
  /* the rows of U, V fixed */
  if (st == BN_OK) st = bn_complete_gather_v(c, o->plan, x, c->vg);
  if (st == BN_OK) st = bn_imp_grams(c, p.u, p.v, 0.0, NULL);
  for (bn_idx_t i = 0; st == BN_OK && i < c->nu; i++) {
    double *z = a + (size_t)r * r;
    memset(a, 0, sw * sizeof(double));
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      const double *vj = c->vg + (size_t)o->gcol[e] * r;
      const double val = o->val[e], cw = al * val, t = (1.0 + cw) * (val > 0);
      for (int k = 0; k < r; k++) {
        for (int l = 0; l < r; l++) a[k * r + l] += cw * vj[k] * vj[l];
        z[k] += t * vj[k];
      }
    }
    bn_imp_solve(r, c->red + (size_t)r * r, c->lambda, a, z);
    memcpy(p.u + (size_t)i * r, z, (size_t)r * sizeof(double));
  }
  /* the rows of V, U fixed: each ghost column's sums where its entries
   * live, added into the owner's */
  if (st == BN_OK) st = bn_imp_grams(c, p.u, p.v, 0.0, NULL);
  for (bn_idx_t i = 0; st == BN_OK && i < c->nu; i++) {
    const double *ui = p.u + (size_t)i * r;
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      double *s = acc + (size_t)o->gcol[e] * sw;
      const double val = o->val[e], cw = al * val, t = (1.0 + cw) * (val > 0);
      for (int k = 0; k < r; k++) {
        for (int l = 0; l < r; l++) s[k * r + l] += cw * ui[k] * ui[l];
        s[(size_t)r * r + k] += t * ui[k];
      }
    }
  }
  if (st == BN_OK) st = bn_plan_scatter_add(o->plan, acc, (int)sw, own);
  for (bn_idx_t j = 0; st == BN_OK && j < c->nv; j++) {
    memcpy(a, own + (size_t)j * sw, sw * sizeof(double));
    bn_imp_solve(r, c->red, c->lambda, a, a + (size_t)r * r);
    memcpy(p.v + (size_t)j * r, a + (size_t)r * r, (size_t)r * sizeof(double));
  }
  return st;
}

bn_status_t bn_implicit_init(bn_complete_t *c, const bn_opts_t *opts,
                             double *x) {
  int64_t seed = 1;
  BN_CALL(c->ctx, bn_opts_int(opts, "seed", &seed));
  double scale = 0.1 / sqrt((double)c->r);
  bn_complete_parts_t p = bn_complete_split(c, x);
  const size_t r = (size_t)c->r;
  bn_rng_fill_normal((uint64_t)seed, BN_STREAM_INIT_U,
                     (uint64_t)bn_dist_first(c->rdist) * r, (size_t)c->nu * r,
                     p.u);
  bn_rng_fill_normal((uint64_t)seed, BN_STREAM_INIT_V,
                     (uint64_t)bn_dist_first(c->cdist) * r, (size_t)c->nv * r,
                     p.v);
  for (size_t k = 0; k < ((size_t)c->nu + c->nv) * r; k++) x[k] *= scale;
  return BN_OK;
}
