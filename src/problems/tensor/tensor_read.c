/* Tensor decomposition: reading and checking the three input forms and the
 * ground truth (see tensor.h and docs/file-formats.md). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/lowrank.h" /* bn_lr_first_bad */
#include "problems/tensor/tensor.h"

/* A 2-D dataset's shape; rows and cols must be >= 1. */
static bn_status_t bn_tensor_shape2(bn_tensor_t *t, bn_h5_t *f,
                                    const char *name, const char *what,
                                    bn_idx_t *rows, bn_idx_t *cols) {
  int nd;
  bn_idx_t d[4];
  BN_CALL(t->ctx, bn_h5_shape(f, name, &nd, d));
  if (nd != 2 || d[0] < 1 || d[1] < 1)
    return BN_ERROR_ALL(t->ctx, BN_ERR_DATA,
                        "%s: %s must be a 2-D dataset (%s) with at least one "
                        "row and one column",
                        t->input, name, what);
  *rows = d[0];
  *cols = d[1];
  return BN_OK;
}

/* Read rows of a 2-D dataset on dist and refuse NaN or infinite values. */
static bn_status_t bn_tensor_read_rows(bn_tensor_t *t, bn_h5_t *f,
                                       const char *name, bn_dist_t *dist,
                                       bn_idx_t cols, bn_dmat_t **out) {
  bn_ctx_t *ctx = t->ctx;
  int64_t bad;
  BN_CALL(ctx, bn_h5_read_dmat(f, name, dist, (int)cols, out));
  BN_CALL(ctx, bn_lr_first_bad(ctx, bn_dmat_cdata(*out),
                               (size_t)bn_dmat_local_rows(*out) * (size_t)cols,
                               bn_dist_first(dist), (size_t)cols, &bad));
  if (bad >= 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s row %lld holds a NaN or infinite value",
                        t->input, name, (long long)bad);
  return BN_OK;
}

/* Columns of /A orthonormal: A^T A = I to 1e-6. */
static bn_status_t bn_tensor_check_orth(bn_tensor_t *t) {
  bn_ctx_t *ctx = t->ctx;
  const int k = t->k;
  double *g = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, bn_size_mul((size_t)k, k),
                                       sizeof(double), &g)));
  bn_status_t st = bn_dmat_gram(t->amat, t->amat, g);
  int wi = 0, wj = 0;
  double worst = 0.0;
  for (int i = 0; st == BN_OK && i < k; i++)
    for (int j = 0; j < k; j++) {
      double e = fabs(g[i * k + j] - (i == j ? 1.0 : 0.0));
      if (e > worst) worst = e, wi = i, wj = j;
    }
  if (st == BN_OK && worst > 1e-6) {
    if (wi == wj)
      st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: the columns of /A must be orthonormal, but "
                        "column %d has norm %.9g (give "
                        "--check-orthonormal=false for components that are "
                        "not)",
                        t->input, wi, sqrt(g[wi * k + wi]));
    else
      st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: the columns of /A must be orthonormal, but "
                        "columns %d and %d have inner product %.3g (give "
                        "--check-orthonormal=false for components that are "
                        "not)",
                        t->input, wi, wj, g[wi * k + wj]);
  }
  free(g);
  t->orthonormal = st == BN_OK;
  return st;
}

static bn_status_t bn_tensor_read_components(bn_tensor_t *t, bn_h5_t *f,
                                             bool check) {
  bn_ctx_t *ctx = t->ctx;
  bn_idx_t n = 0, k = 0;
  int has, nd;
  bn_idx_t d[4];
  BN_CALL(ctx, bn_tensor_shape2(t, f, "/A", "n x K, columns a_k", &n, &k));
  BN_CALL(ctx, bn_h5_exists(f, "/lambda", &has));
  if (!has)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /A needs /lambda (the K = %lld weights lambda_k)",
                        t->input, (long long)k);
  BN_CALL(ctx, bn_h5_shape(f, "/lambda", &nd, d));
  if (nd != 1 || d[0] != k)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /lambda has %lld entries but /A has %lld "
                        "columns (one weight per component)",
                        t->input, nd == 1 ? (long long)d[0] : -1LL,
                        (long long)k);
  if (k > INT_MAX / 4)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: /A has too many columns",
                        t->input);
  if (check && k > n)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /A has K = %lld orthonormal columns of length "
                        "n = %lld: at most n can be orthonormal",
                        t->input, (long long)k, (long long)n);
  t->n = n;
  t->k = (int)k;
  BN_CALL(ctx, bn_dist_create_uniform(ctx, n, &t->xdist));
  BN_CALL(ctx, bn_tensor_read_rows(t, f, "/A", t->xdist, k, &t->amat));
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, (size_t)k, sizeof(double),
                                        &t->lambda)));
  BN_CALL(ctx, bn_h5_read_f64(f, "/lambda", 0, k, t->lambda));
  for (bn_idx_t j = 0; j < k; j++)
    if (!isfinite(t->lambda[j]))
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: /lambda[%lld] is NaN or infinite", t->input,
                          (long long)j);
  return check ? bn_tensor_check_orth(t) : BN_OK;
}

static bn_status_t bn_tensor_read_samples(bn_tensor_t *t, bn_h5_t *f) {
  bn_ctx_t *ctx = t->ctx;
  bn_idx_t m = 0, n = 0;
  BN_CALL(ctx,
          bn_tensor_shape2(t, f, "/Z", "N x n, one sample per row", &m, &n));
  if (m < 2)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /Z holds %lld sample: at least 2 are needed",
                        t->input, (long long)m);
  if (n > INT_MAX / 4)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: /Z has too many columns",
                        t->input);
  t->n = n;
  t->nsamp = m;
  BN_CALL(ctx, bn_dist_create_uniform(ctx, n, &t->xdist));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, m, &t->zdist));
  BN_CALL(ctx, bn_tensor_read_rows(t, f, "/Z", t->zdist, n, &t->zmat));
  if (!t->center) return BN_OK;
  double *mean = NULL, *z = bn_dmat_data(t->zmat);
  bn_idx_t ml = bn_dmat_local_rows(t->zmat);
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, (size_t)n, sizeof(double), &mean)));
  for (bn_idx_t i = 0; i < ml; i++)
    for (bn_idx_t j = 0; j < n; j++) mean[j] += z[i * n + j];
  bn_status_t st = bn_allreduce_sum(ctx, mean, (size_t)n);
  for (bn_idx_t i = 0; st == BN_OK && i < ml; i++)
    for (bn_idx_t j = 0; j < n; j++) z[i * n + j] -= mean[j] / (double)m;
  free(mean);
  return st;
}

/* A violation of symmetry: the owner's linear index (INT64_MAX: none),
 * which transposition of indices (0: i<->j, 1: j<->k, 2: k<->l) and the
 * two values. */
typedef struct bn_tsym {
  int64_t at;
  int kind;
  double mine, other;
} bn_tsym_t;

static void bn_tsym_note(bn_tsym_t *s, int64_t at, int kind, double a, double b,
                         double tol) {
  if (fabs(a - b) > tol && at < s->at) {
    s->at = at;
    s->kind = kind;
    s->mine = a;
    s->other = b;
  }
}

/* Rows I_p of T against the received rows I_src: T[b, a, k, l] (b mine)
 * must equal R[a, b, k, l] = T[a, b, k, l]. */
static void bn_tsym_cross(bn_tensor_t *t, const double *r, bn_idx_t s0,
                          bn_idx_t ns, double tol, bn_tsym_t *s) {
  const bn_idx_t n = t->n, n2 = n * n, n3 = n2 * n;
  const double *tl = bn_dmat_cdata(t->tmat);
  for (bn_idx_t a = 0; a < ns; a++)
    for (bn_idx_t b = 0; b < t->nl; b++) {
      const double *ra = r + (a * t->nl + b) * n2;
      const double *mb = tl + b * n3 + (s0 + a) * n2;
      for (bn_idx_t kl = 0; kl < n2; kl++)
        bn_tsym_note(s, (t->x0 + b) * n3 + (s0 + a) * n2 + kl, 0, mb[kl],
                     ra[kl], tol);
    }
}

/* Collective: T symmetric under i<->j (exchanged between ranks in P
 * rounds, one block at a time), j<->k and k<->l (local); these three
 * transpositions generate every permutation of the four indices. */
static bn_status_t bn_tensor_check_sym(bn_tensor_t *t) {
  bn_ctx_t *ctx = t->ctx;
  const int P = bn_ctx_size(ctx), p = bn_ctx_rank(ctx);
  const bn_idx_t n = t->n, n2 = n * n, n3 = n2 * n, nl = t->nl;
  const double *tl = bn_dmat_cdata(t->tmat);
  double amax = 0.0;
  for (bn_idx_t e = 0; e < nl * n3; e++) amax = fmax(amax, fabs(tl[e]));
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &amax, 1, MPI_DOUBLE, MPI_MAX,
                            bn_ctx_comm(ctx)));
  const double tol = 1e-10 * amax;
  bn_tsym_t s = {INT64_MAX, 0, 0.0, 0.0};
  for (bn_idx_t i = 0; i < nl; i++)
    for (bn_idx_t j = 0; j < n; j++)
      for (bn_idx_t k = 0; k < n; k++)
        for (bn_idx_t l = 0; l < n; l++) {
          const double *ti = tl + i * n3;
          int64_t at = (t->x0 + i) * n3 + j * n2 + k * n + l;
          if (j < k)
            bn_tsym_note(&s, at, 1, ti[j * n2 + k * n + l],
                         ti[k * n2 + j * n + l], tol);
          if (k < l)
            bn_tsym_note(&s, at, 2, ti[j * n2 + k * n + l],
                         ti[j * n2 + l * n + k], tol);
        }
  bn_idx_t bmax = (n + P - 1) / P;
  double *buf = NULL;
  size_t blk = (size_t)(bmax * bmax * n2);
  BN_CALL(ctx,
          bn_agree(ctx, bn_malloc(ctx,
                                  bn_size_add(bn_size_mul(bn_size_mul(2, blk),
                                                          sizeof(double)),
                                              8),
                                  &buf)));
  bn_status_t st = BN_OK;
  for (int r = 0; r < P && st == BN_OK; r++) {
    int dst = (p + r) % P, src = (p - r + P) % P;
    bn_idx_t d0 = bn_dist_offset(t->xdist, dst);
    bn_idx_t nd = bn_dist_offset(t->xdist, dst + 1) - d0;
    bn_idx_t s0 = bn_dist_offset(t->xdist, src);
    bn_idx_t ns = bn_dist_offset(t->xdist, src + 1) - s0;
    double *snd = buf, *rcv = buf + blk;
    for (bn_idx_t a = 0; a < nl; a++)
      memcpy(snd + a * nd * n2, tl + a * n3 + d0 * n2,
             (size_t)(nd * n2) * sizeof(double));
    if (r == 0)
      rcv = snd;
    else if (MPI_Sendrecv(snd, (int)(nl * nd * n2), MPI_DOUBLE, dst, 77, rcv,
                          (int)(ns * nl * n2), MPI_DOUBLE, src, 77,
                          bn_ctx_comm(ctx), MPI_STATUS_IGNORE) != MPI_SUCCESS)
      st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Sendrecv failed (symmetry check)");
    if (st == BN_OK) bn_tsym_cross(t, rcv, s0, ns, tol, &s);
  }
  free(buf);
  BN_CALL(ctx, bn_agree(ctx, st));
  int64_t at;
  BN_MPI(ctx,
         MPI_Allreduce(&s.at, &at, 1, MPI_INT64_T, MPI_MIN, bn_ctx_comm(ctx)));
  if (at == INT64_MAX) return BN_OK;
  double v[3] = {0, 0, 0};
  if (s.at == at) v[0] = s.kind, v[1] = s.mine, v[2] = s.other;
  BN_CALL(ctx, bn_allreduce_sum(ctx, v, 3));
  long long q[4] = {at / n3, at / n2 % n, at / n % n, at % n}, o[4];
  memcpy(o, q, sizeof(q));
  int kind = (int)v[0];
  o[kind] = q[kind + 1];
  o[kind + 1] = q[kind];
  return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                      "%s: /T is not symmetric: T[%lld,%lld,%lld,%lld] = "
                      "%.17g but T[%lld,%lld,%lld,%lld] = %.17g (tolerance "
                      "%.3g)",
                      t->input, q[0], q[1], q[2], q[3], v[1], o[0], o[1], o[2],
                      o[3], v[2], tol);
}

static bn_status_t bn_tensor_read_explicit(bn_tensor_t *t, bn_h5_t *f) {
  bn_ctx_t *ctx = t->ctx;
  int nd;
  bn_idx_t d[4];
  BN_CALL(ctx, bn_h5_shape(f, "/T", &nd, d));
  if (nd == 4)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /T is stored as a 4-D array; store its n x n^3 "
                        "unfolding instead (the same bytes: in h5py, "
                        "f['T'] = T.reshape(n, n**3))",
                        t->input);
  if (nd != 2 || d[0] < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /T must be the n x n^3 unfolding of the tensor "
                        "(row i holds T[i,:,:,:])",
                        t->input);
  bn_idx_t n = d[0];
  if (n > BN_TENSOR_EXPLICIT_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /T has n = %lld: the explicit form holds n^4 "
                        "entries and is limited to n <= %d (give the "
                        "components or samples instead)",
                        t->input, (long long)n, BN_TENSOR_EXPLICIT_MAX);
  if (d[1] != n * n * n)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /T has %lld rows and %lld columns: the n x n^3 "
                        "unfolding of an n x n x n x n tensor has n^3 = %lld "
                        "columns",
                        t->input, (long long)n, (long long)d[1],
                        (long long)(n * n * n));
  t->n = n;
  BN_CALL(ctx, bn_dist_create_uniform(ctx, n, &t->xdist));
  t->nl = bn_dist_local(t->xdist);
  t->x0 = bn_dist_first(t->xdist);
  BN_CALL(ctx, bn_tensor_read_rows(t, f, "/T", t->xdist, n * n * n, &t->tmat));
  return bn_tensor_check_sym(t);
}

/* /A_true (n x Kt) if present, columns scaled to unit norm. */
static bn_status_t bn_tensor_read_truth(bn_tensor_t *t, bn_h5_t *f) {
  bn_ctx_t *ctx = t->ctx;
  int has;
  bn_idx_t n = 0, k = 0;
  BN_CALL(ctx, bn_h5_exists(f, "/A_true", &has));
  if (!has) return BN_OK;
  BN_CALL(ctx, bn_tensor_shape2(t, f, "/A_true", "n x K, the true components",
                                &n, &k));
  if (n != t->n)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /A_true has %lld rows but the tensor has "
                        "dimension n = %lld",
                        t->input, (long long)n, (long long)t->n);
  if (k > INT_MAX / 4)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: /A_true has too many columns",
                        t->input);
  t->kt = (int)k;
  BN_CALL(ctx, bn_tensor_read_rows(t, f, "/A_true", t->xdist, k, &t->truth));
  double *nrm = NULL, *a = bn_dmat_data(t->truth);
  bn_idx_t nl = bn_dmat_local_rows(t->truth);
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, (size_t)k, sizeof(double), &nrm)));
  for (bn_idx_t i = 0; i < nl; i++)
    for (bn_idx_t j = 0; j < k; j++) nrm[j] += a[i * k + j] * a[i * k + j];
  bn_status_t st = bn_allreduce_sum(ctx, nrm, (size_t)k);
  for (bn_idx_t j = 0; st == BN_OK && j < k; j++)
    if (!(nrm[j] > 0))
      st = BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: column %lld of /A_true is zero",
                        t->input, (long long)j);
  for (bn_idx_t i = 0; st == BN_OK && i < nl; i++)
    for (bn_idx_t j = 0; j < k; j++) a[i * k + j] /= sqrt(nrm[j]);
  free(nrm);
  return st;
}

bn_status_t bn_tensor_read(bn_tensor_t *t, bn_h5_t *f, int64_t want,
                           bool check_orth) {
  bn_ctx_t *ctx = t->ctx;
  int has[3];
  const char *names[3] = {"/A", "/Z", "/T"};
  int count = 0, which = -1;
  for (int k = 0; k < 3; k++) {
    BN_CALL(ctx, bn_h5_exists(f, names[k], &has[k]));
    if (has[k]) count++, which = which < 0 ? k : which;
  }
  if (count == 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: no /A and /lambda (components), /Z (samples) or "
                        "/T (explicit tensor): not a tensor input (see "
                        "docs/file-formats.md)",
                        t->input);
  if (count > 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: holds %s%s%s%s%s: the input form is ambiguous "
                        "(keep one of /A, /Z, /T)",
                        t->input, has[0] ? "/A" : "",
                        has[0] && has[1] ? " and " : "", has[1] ? "/Z" : "",
                        (has[0] || has[1]) && has[2] ? " and " : "",
                        has[2] ? "/T" : "");
  t->form = (bn_tensor_form_t)which;
  if (t->form == BN_TENSOR_COMPONENTS)
    BN_CALL(ctx, bn_tensor_read_components(t, f, check_orth));
  else if (t->form == BN_TENSOR_SAMPLES)
    BN_CALL(ctx, bn_tensor_read_samples(t, f));
  else
    BN_CALL(ctx, bn_tensor_read_explicit(t, f));
  t->nl = bn_dist_local(t->xdist);
  t->x0 = bn_dist_first(t->xdist);
  BN_CALL(ctx, bn_tensor_read_truth(t, f));
  if (want > t->n)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--components=%lld is larger than the dimension n = "
                        "%lld (at most n orthogonal components)",
                        (long long)want, (long long)t->n);
  if (want > 0)
    t->target = (int)want;
  else if (t->form == BN_TENSOR_COMPONENTS)
    t->target = t->k < t->n ? t->k : (int)t->n;
  else if (t->truth)
    t->target = t->kt < t->n ? t->kt : (int)t->n;
  else
    t->target = (int)t->n;
  return BN_OK;
}
