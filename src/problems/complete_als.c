/* Matrix completion: alternating least squares and factor balancing.
 *
 * A sweep solves, for every row of U (with b_i) with V fixed and then every
 * row of V (with c_j) with U fixed, the row's ridge problem: sum_j (u.v_j +
 * b_i + c_j + mu - m_ij)^2 + p w_i (|u|^2 + b_i^2) over the row's entries
 * (complete.h: w_i = lambda, or lambda n_i / p). The systems are formed at
 * BLAS-3 speed: a row's features gathered into a block, dsyrk and dgemv,
 * then a Cholesky solve. V's systems are summed where the entries live (by
 * row blocks, each with its own column-major index) and added into the
 * owners' rows through the plan. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/complete.h"

int bn_chol_solve(int n, double *a, double *b) {
  for (int j = 0; j < n; j++) {
    double d = a[j * n + j];
    for (int k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return -1;
    d = sqrt(d);
    a[j * n + j] = d;
    for (int i = j + 1; i < n; i++) {
      double s = a[i * n + j];
      for (int k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / d;
    }
  }
  for (int i = 0; i < n; i++) { /* L y = b */
    double s = b[i];
    for (int k = 0; k < i; k++) s -= a[i * n + k] * b[k];
    b[i] = s / a[i * n + i];
  }
  for (int i = n - 1; i >= 0; i--) { /* L^T x = y */
    double s = b[i];
    for (int k = i + 1; k < n; k++) s -= a[k * n + i] * b[k];
    b[i] = s / a[i * n + i];
  }
  return 0;
}

/* Rows gathered per BLAS call, and entries per row block of the column
 * solves (whose column-major index is built per block: 8 bytes per entry
 * of the block, no lasting copy of the entries). */
#define BN_ALS_BLK 512
#define BN_ALS_EBLK ((bn_idx_t)1 << 20)

/* Solve the row's system (lower triangle of a, W x W; rhs b) into sol: a
 * ridge reg plus a tiny relative jitter keeps rows with fewer than W
 * entries solvable at lambda = 0; a row without entries gets 0. */
static void bn_row_solve(int n, double reg, double *a, double *b, double *sol) {
  double tr = 0.0;
  for (int k = 0; k < n; k++) tr += a[k * n + k];
  if (tr == 0.0) {
    memset(sol, 0, (size_t)n * sizeof(double));
    return;
  }
  for (int k = 0; k < n; k++) a[k * n + k] += reg + 1e-12 * tr / n;
  if (bn_chol_solve(n, a, b) == 0) memcpy(sol, b, (size_t)n * sizeof(double));
}

/* A row's system comes from one product: the gathered rows with their
 * targets appended, a = [features | target] (k x (W + 1)), give a^T a =
 * [G z; z^T .] with G the normal matrix and z the right-hand side (dgemm:
 * at these sizes it is twice as fast as dsyrk plus dgemv, despite the
 * upper triangle it computes too). */
typedef struct bn_als_ws {
  int W;          /* unknowns per row: r + bias */
  size_t P;       /* packed lower triangle of a W x W system */
  double *a;      /* a block of gathered rows, BLK x (W + 1) */
  double *g;      /* their product a^T a, (W + 1) x (W + 1) */
  double *m, *z;  /* one system, W x W and W */
  double *ne;     /* ghost columns' systems, nghost x (P + W) */
  double *own;    /* owned columns' systems, nv x (P + W) */
  bn_idx_t *bptr; /* a row block's entries by ghost column */
  uint32_t *brow, *bent;
} bn_als_ws_t;

static bn_status_t bn_als_ws(bn_complete_t *c, bn_als_ws_t *ws) {
  const bn_obs_t *o = c->obs;
  int W = c->r + (c->bias ? 1 : 0);
  size_t P = (size_t)W * (W + 1) / 2, ng = (size_t)o->nghost;
  size_t nd = (size_t)(BN_ALS_BLK + W + 1) * (W + 1) + (size_t)W * (W + 1) +
              (ng + (size_t)c->nv) * (P + W);
  size_t ni = (ng + 1) * sizeof(bn_idx_t) + 2 * (size_t)BN_ALS_EBLK * 4;
  if (!c->als_buf)
    BN_CALL(c->ctx, bn_agree(c->ctx, bn_malloc(c->ctx, nd * sizeof(double) + ni,
                                               &c->als_buf)));
  ws->W = W;
  ws->P = P;
  ws->a = c->als_buf;
  ws->g = ws->a + (size_t)BN_ALS_BLK * (W + 1);
  ws->m = ws->g + (size_t)(W + 1) * (W + 1);
  ws->z = ws->m + (size_t)W * W;
  ws->ne = ws->z + W;
  ws->own = ws->ne + ng * (P + W);
  ws->bptr = (bn_idx_t *)(ws->own + (size_t)c->nv * (P + W));
  ws->brow = (uint32_t *)(ws->bptr + ng + 1);
  ws->bent = ws->brow + BN_ALS_EBLK;
  return BN_OK;
}

/* g += a^T a for k gathered rows. */
static void bn_als_accumulate(const bn_als_ws_t *ws, int k) {
  const int W1 = ws->W + 1;
  if (k > 0)
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, W1, W1, k, 1.0, ws->a,
                W1, ws->a, W1, 1.0, ws->g, W1);
}

/* The system in g as m (lower triangle) and z. */
static void bn_als_unpack(const bn_als_ws_t *ws) {
  const int W = ws->W, W1 = W + 1;
  for (int a = 0; a < W; a++) {
    for (int b = 0; b <= a; b++) ws->m[a * W + b] = ws->g[a * W1 + b];
    ws->z[a] = ws->g[a * W1 + W];
  }
}

/* Rows of U (and b): V fixed. Row i's features are [v_j | 1], its targets
 * m_ij - mu - c_j, from the ghost rows [v_j | c_j] in vg. */
static void bn_als_rows(bn_complete_t *c, const bn_als_ws_t *ws,
                        bn_complete_parts_t x) {
  const bn_obs_t *o = c->obs;
  const int r = c->r, W = ws->W, W1 = W + 1;
  for (bn_idx_t i = 0; i < c->nu; i++) {
    memset(ws->g, 0, (size_t)W1 * W1 * sizeof(double));
    int k = 0;
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      const double *vj = c->vg + (size_t)o->gcol[e] * W;
      double *ak = ws->a + (size_t)k * W1;
      memcpy(ak, vj, (size_t)r * sizeof(double));
      ak[W] = o->val[e];
      if (c->bias) {
        ak[r] = 1.0;
        ak[W] -= c->mean + vj[r];
      }
      if (++k == BN_ALS_BLK) {
        bn_als_accumulate(ws, k);
        k = 0;
      }
    }
    bn_als_accumulate(ws, k);
    bn_als_unpack(ws);
    double reg = c->p * (c->count ? c->regu[i] : c->lambda);
    bn_row_solve(W, reg, ws->m, ws->z, ws->z);
    memcpy(x.u + i * r, ws->z, (size_t)r * sizeof(double));
    if (c->bias) x.b[i] = ws->z[r];
  }
}

/* Add the system in g (lower triangle, then the right-hand side) into the
 * packed system s. */
static void bn_als_pack_add(const bn_als_ws_t *ws, double *s) {
  const int W = ws->W, W1 = W + 1;
  size_t q = 0;
  for (int a = 0; a < W; a++)
    for (int b = 0; b <= a; b++) s[q++] += ws->g[a * W1 + b];
  for (int a = 0; a < W; a++) s[ws->P + a] += ws->g[a * W1 + W];
}

/* The column systems of one block of rows [i0, i1), added into the ghost
 * systems: the block's entries by ghost column, then per column its rows
 * [u_i | 1] gathered and targets m_ij - mu - b_i. */
static void bn_als_block(bn_complete_t *c, const bn_als_ws_t *ws,
                         bn_complete_parts_t x, bn_idx_t i0, bn_idx_t i1) {
  const bn_obs_t *o = c->obs;
  const int r = c->r, W = ws->W, W1 = W + 1;
  const size_t ng = (size_t)o->nghost, sw = ws->P + W;
  bn_idx_t e0 = o->rowptr[i0], *bp = ws->bptr;
  memset(bp, 0, (ng + 1) * sizeof(bn_idx_t));
  for (bn_idx_t e = e0; e < o->rowptr[i1]; e++) bp[o->gcol[e] + 1]++;
  for (size_t g = 0; g < ng; g++) bp[g + 1] += bp[g];
  for (bn_idx_t i = i0; i < i1; i++) /* bp[g] runs ahead, then shifts */
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      bn_idx_t q = bp[o->gcol[e]]++;
      ws->brow[q] = (uint32_t)i;
      ws->bent[q] = (uint32_t)(e - e0);
    }
  for (size_t g = ng; g > 0; g--) bp[g] = bp[g - 1];
  bp[0] = 0;
  for (size_t g = 0; g < ng; g++) {
    if (bp[g] == bp[g + 1]) continue;
    memset(ws->g, 0, (size_t)W1 * W1 * sizeof(double));
    int k = 0;
    for (bn_idx_t q = bp[g]; q < bp[g + 1]; q++) {
      bn_idx_t i = ws->brow[q];
      double *ak = ws->a + (size_t)k * W1;
      memcpy(ak, x.u + i * r, (size_t)r * sizeof(double));
      ak[W] = o->val[e0 + ws->bent[q]];
      if (c->bias) {
        ak[r] = 1.0;
        ak[W] -= c->mean + x.b[i];
      }
      if (++k == BN_ALS_BLK) {
        bn_als_accumulate(ws, k);
        k = 0;
      }
    }
    bn_als_accumulate(ws, k);
    bn_als_pack_add(ws, ws->ne + g * sw);
  }
}

/* Columns of V (and c): U fixed. The systems are summed where the entries
 * are and added into the owners' through the plan. */
static bn_status_t bn_als_cols(bn_complete_t *c, const bn_als_ws_t *ws,
                               bn_complete_parts_t x) {
  const bn_obs_t *o = c->obs;
  const int r = c->r, W = ws->W;
  const size_t sw = ws->P + W;
  memset(ws->ne, 0, (size_t)o->nghost * sw * sizeof(double));
  for (bn_idx_t i0 = 0; i0 < c->nu;) {
    bn_idx_t i1 = i0 + 1; /* at least one row, however long */
    while (i1 < c->nu && o->rowptr[i1 + 1] - o->rowptr[i0] <= BN_ALS_EBLK) i1++;
    bn_als_block(c, ws, x, i0, i1);
    i0 = i1;
  }
  memset(ws->own, 0, (size_t)c->nv * sw * sizeof(double));
  BN_CALL(c->ctx, bn_plan_scatter_add(o->plan, ws->ne, (int)sw, ws->own));
  for (bn_idx_t j = 0; j < c->nv; j++) {
    const double *s = ws->own + j * sw;
    size_t q = 0;
    for (int a = 0; a < W; a++)
      for (int b = 0; b <= a; b++) ws->m[a * W + b] = s[q++];
    memcpy(ws->z, s + ws->P, (size_t)W * sizeof(double));
    double reg = c->p * (c->count ? c->regv[j] : c->lambda);
    bn_row_solve(W, reg, ws->m, ws->z, ws->z);
    memcpy(x.v + j * r, ws->z, (size_t)r * sizeof(double));
    if (c->bias) x.c[j] = ws->z[r];
  }
  return BN_OK;
}

bn_status_t bn_complete_sweep(void *data, double *x) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  bn_als_ws_t ws = {0};
  bn_complete_parts_t p = bn_complete_split(c, x);
  BN_CALL(ctx, bn_als_ws(c, &ws));
  bn_timer_start(ctx, c->t_usweep);
  bn_status_t st = bn_complete_gather_v(c, c->obs->plan, x, c->vg);
  if (st == BN_OK) bn_als_rows(c, &ws, p);
  bn_timer_stop(ctx, c->t_usweep);
  bn_timer_start(ctx, c->t_vsweep);
  if (st == BN_OK) st = bn_als_cols(c, &ws, p);
  bn_timer_stop(ctx, c->t_vsweep);
  BN_CALL(ctx, st);
  return c->balance ? bn_complete_balance(c, x) : BN_OK;
}

/* Invert an upper-triangular n x n matrix in place (row-major). */
static void bn_triu_inv(int n, double *t) {
  for (int j = n - 1; j >= 0; j--) {
    t[j * n + j] = 1.0 / t[j * n + j];
    for (int i = j - 1; i >= 0; i--) {
      double s = 0.0;
      for (int k = i + 1; k <= j; k++) s += t[i * n + k] * t[k * n + j];
      t[i * n + j] = -s / t[i * n + i];
    }
  }
}

/* Rank 0 computes the two r x r transforms from the summed Grams:
 * K = Ru Rv^T = W S Z^T; Tu = Ru^-1 W S^1/2, Tv = Rv^-1 Z S^1/2. Returns 0
 * if a factor is rank deficient (it cannot be balanced). */
static int bn_balance_transforms(bn_ctx_t *ctx, int r, const double *gu,
                                 const double *gv, double *tu, double *tv) {
  const int rr = r * r;
  double *m = calloc(7 * (size_t)rr, sizeof(double));
  if (!m) return 0;
  double *ru = m, *rv = ru + rr, *k = rv + rr, *w = k + rr, *sv = w + rr;
  double *zt = sv + rr, *z = zt + rr;
  int ok = bn_small_chol(ctx, r, gu, ru) == BN_OK &&
           bn_small_chol(ctx, r, gv, rv) == BN_OK;
  if (ok) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, r, r, r, 1.0, ru, r,
                rv, r, 0.0, k, r);
    ok = bn_small_svd(ctx, r, r, k, w, sv, zt) == BN_OK;
  }
  if (ok) {
    bn_triu_inv(r, ru);
    bn_triu_inv(r, rv);
    for (int i = 0; i < r; i++)
      for (int j = 0; j < r; j++) {
        w[i * r + j] *= sqrt(sv[j]);
        z[j * r + i] = zt[i * r + j] * sqrt(sv[i]); /* Z S^1/2 */
      }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r, r, r, 1.0, ru, r,
                w, r, 0.0, tu, r);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r, r, r, 1.0, rv, r,
                z, r, 0.0, tv, r);
  }
  bn_error_clear(ctx); /* a failed Cholesky/SVD only means "leave it" */
  free(m);
  return ok;
}

static void bn_apply_small(bn_idx_t n, int r, double *a, const double *t,
                           double *tmp) {
  if (n == 0) return;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, r, r, 1.0, a,
              r, t, r, 0.0, tmp, r);
  memcpy(a, tmp, (size_t)n * r * sizeof(double));
}

bn_status_t bn_complete_balance(bn_complete_t *c, double *x) {
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, rr = r * r;
  double *u = x, *v = x + c->nu * r, *m = NULL, *tmp = NULL;
  size_t nmax = (size_t)(c->nu > c->nv ? c->nu : c->nv) * r;
  bn_status_t st = bn_calloc(ctx, 4 * (size_t)rr + 1, sizeof(double), &m);
  if (st == BN_OK)
    st = bn_malloc(ctx, (nmax ? nmax : 1) * sizeof(double), &tmp);
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    double *gu = m, *gv = gu + rr, *t = gv + rr; /* t = [Tu, Tv, ok] */
    bn_gram_local(r, c->nu, u, u, gu);
    bn_gram_local(r, c->nv, v, v, gv);
    st = bn_allreduce_sum(ctx, m, 2 * (size_t)rr);
    /* One rank decides, so every rank applies the same transforms even if
     * the small factorizations were not bitwise reproducible across
     * processes. */
    if (st == BN_OK) {
      if (bn_ctx_rank(ctx) == 0)
        t[2 * rr] = bn_balance_transforms(ctx, r, gu, gv, t, t + rr);
      MPI_Bcast(t, 2 * rr + 1, MPI_DOUBLE, 0, bn_ctx_comm(ctx));
      if (t[2 * rr] != 0) {
        bn_apply_small(c->nu, r, u, t, tmp);
        bn_apply_small(c->nv, r, v, t + rr, tmp);
      }
    }
  }
  free(m);
  free(tmp);
  return st;
}
