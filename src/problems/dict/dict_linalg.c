/* Dictionary learning: the dense m x m linear algebra -- the symmetric
 * eigendecomposition behind the preconditioner M^(+-1/2) and the polar
 * factor U V^T of l4's matching-stretching-projection step. Small m: LAPACK
 * (dsyev on every process, the same bits everywhere; dgesdd on rank 0
 * only, whose copy of the iterate is the one that counts). From m >=
 * --scalapack-min on more than one process: ScaLAPACK (pdsyevd, pdgesvd)
 * on a near-square grid, the replicated matrix entering through its rows
 * (bn_dmat_to_bc) and the factors gathered back. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linalg/lapack_decl.h"
#include "linalg/scalapack_decl.h"
#include "problems/dict/dict.h"

#define BN_DICT_NB 64

/* Divide and conquer SVD (not in linalg/lapack_decl.h: only l4's polar
 * factor uses it). */
void dgesdd_(const char *jobz, const int *m, const int *n, double *a,
             const int *lda, double *s, double *u, const int *ldu, double *vt,
             const int *ldvt, double *work, const int *lwork, int *iwork,
             int *info, size_t jobz_len);
void sgesdd_(const char *jobz, const int *m, const int *n, float *a,
             const int *lda, float *s, float *u, const int *ldu, float *vt,
             const int *ldvt, float *work, const int *lwork, int *iwork,
             int *info, size_t jobz_len);

static bool bn_dict_use_scalapack(const bn_dict_t *d) {
  return bn_ctx_size(d->ctx) > 1 && d->m >= d->scalapack_min;
}

/* A replicated m x m row-major matrix as a dmat on uniform rows. */
static bn_status_t bn_dict_rows(bn_ctx_t *ctx, int m, const double *a,
                                bn_dist_t **dist, bn_dmat_t **out) {
  BN_CALL(ctx, bn_dist_create_uniform(ctx, m, dist));
  BN_CALL(ctx, bn_dmat_create(*dist, m, out));
  if (a)
    memcpy(bn_dmat_data(*out), a + (size_t)bn_dmat_first_row(*out) * m,
           (size_t)bn_dmat_local_rows(*out) * m * sizeof(double));
  return BN_OK;
}

/* A zero m x m block-cyclic matrix laid out like one on context ictxt,
 * with its descriptor (on that context) in desc. */
static bn_status_t bn_dict_bc_zero(bn_ctx_t *ctx, int m, int ictxt,
                                   bn_bcmat_t **out, int *desc) {
  bn_dist_t *dist = NULL;
  bn_dmat_t *z = NULL;
  bn_status_t st = bn_dict_rows(ctx, m, NULL, &dist, &z);
  if (st == BN_OK) st = bn_dmat_to_bc(z, 0, 0, BN_DICT_NB, BN_DICT_NB, out);
  if (st == BN_OK) {
    memcpy(desc, bn_bcmat_desc(*out), 9 * sizeof(int));
    desc[BN_DESC_CTXT] = ictxt;
  }
  bn_dmat_destroy(z);
  bn_dist_destroy(dist);
  return st;
}

/* A block-cyclic m x m matrix replicated as row-major `full` everywhere. */
static bn_status_t bn_dict_bc_gather(bn_ctx_t *ctx, int m, bn_bcmat_t *b,
                                     double *full) {
  bn_dist_t *dist = NULL;
  bn_dmat_t *a = NULL;
  int *cnt = NULL;
  const int P = bn_ctx_size(ctx);
  bn_status_t st = bn_dict_rows(ctx, m, NULL, &dist, &a);
  if (st == BN_OK) st = bn_bc_to_dmat(b, a);
  if (st == BN_OK)
    st = bn_agree(
        ctx, bn_mallocn(ctx, bn_size_mul(2, (size_t)P), sizeof(int), &cnt));
  if (st == BN_OK) {
    for (int p = 0; p < P; p++) {
      cnt[P + p] = (int)(bn_dist_offset(dist, p) * m);
      cnt[p] = (int)(bn_dist_offset(dist, p + 1) * m) - cnt[P + p];
    }
    if (MPI_Allgatherv(bn_dmat_cdata(a), cnt[bn_ctx_rank(ctx)], MPI_DOUBLE,
                       full, cnt, cnt + P, MPI_DOUBLE,
                       bn_ctx_comm(ctx)) != MPI_SUCCESS)
      st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allgatherv failed (dict)");
  }
  free(cnt);
  bn_dmat_destroy(a);
  bn_dist_destroy(dist);
  return bn_agree(ctx, st);
}

/* ScaLAPACK: eigenvalues w (ascending) and the eigenvectors as the rows
 * of b (b[j m + i] = component i of eigenvector j). */
static bn_status_t bn_dict_syev_dist(bn_ctx_t *ctx, int m, const double *a,
                                     double *w, double *b) {
  bn_dist_t *dist = NULL;
  bn_dmat_t *am = NULL;
  bn_bcmat_t *abc = NULL, *zbc = NULL;
  int da[9], dz[9], one = 1, info = 0, lwork = -1, liwork = 1, iq = 0;
  double query = 0.0, *work = NULL, *v = NULL;
  int *iwork = NULL;
  bn_status_t st = bn_dict_rows(ctx, m, a, &dist, &am);
  if (st == BN_OK) st = bn_dmat_to_bc(am, 0, 0, BN_DICT_NB, BN_DICT_NB, &abc);
  if (st == BN_OK) {
    memcpy(da, bn_bcmat_desc(abc), sizeof(da));
    st = bn_dict_bc_zero(ctx, m, da[BN_DESC_CTXT], &zbc, dz);
  }
  if (st == BN_OK) {
    double *al = bn_bcmat_local(abc, NULL, NULL);
    double *zl = bn_bcmat_local(zbc, NULL, NULL);
    pdsyevd_("V", "U", &m, al, &one, &one, da, w, zl, &one, &one, dz, &query,
             &lwork, &iq, &liwork, &info, 1, 1);
    /* The workspace query underestimates what PDORMTR (inside) needs on
     * small grids ("parameter 16 had an illegal value", eigenvectors left
     * untransformed): room for a generous margin. */
    lwork = 2 * (int)query + 8 * m * BN_DICT_NB + 10000;
    liwork = iq > 1 ? iq : 1;
    st = bn_mallocn(ctx, (size_t)lwork, sizeof(double), &work);
    if (st == BN_OK) st = bn_mallocn(ctx, (size_t)liwork, sizeof(int), &iwork);
    st = bn_agree(ctx, st);
    if (st == BN_OK && info == 0)
      pdsyevd_("V", "U", &m, al, &one, &one, da, w, zl, &one, &one, dz, work,
               &lwork, iwork, &liwork, &info, 1, 1);
    if (st == BN_OK && info != 0)
      st = BN_ERROR(ctx, BN_ERR_LIB, "pdsyevd failed (info %d, m = %d)", info,
                    m);
    st = bn_agree(ctx, st);
  }
  /* W is not reliably filled on processes that own no block of Z (seen
   * with a 2 x 1 grid): rank 0's copy for all. */
  if (st == BN_OK &&
      MPI_Bcast(w, m, MPI_DOUBLE, 0, bn_ctx_comm(ctx)) != MPI_SUCCESS)
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Bcast failed (dict)");
  if (st == BN_OK)
    st = bn_agree(
        ctx, bn_mallocn(ctx, bn_size_mul((size_t)m, m), sizeof(double), &v));
  if (st == BN_OK) st = bn_dict_bc_gather(ctx, m, zbc, v);
  if (st == BN_OK) /* v[i m + j] = component i of eigenvector j */
    for (int i = 0; i < m; i++)
      for (int j = 0; j < m; j++) b[(size_t)j * m + i] = v[(size_t)i * m + j];
  free(v);
  free(work);
  free(iwork);
  bn_bcmat_destroy(abc);
  bn_bcmat_destroy(zbc);
  bn_dmat_destroy(am);
  bn_dist_destroy(dist);
  return st;
}

/* LAPACK on this process: the same layout as bn_dict_syev_dist (a
 * symmetric row-major matrix reads the same column-major; the column-major
 * eigenvectors are the rows of b). */
static bn_status_t bn_dict_syev_local(bn_ctx_t *ctx, int m, const double *a,
                                      double *w, double *b) {
  double *work = NULL, query = 0.0;
  int lwork = -1, info = 0;
  memcpy(b, a, (size_t)m * m * sizeof(double));
  dsyev_("V", "U", &m, b, &m, w, &query, &lwork, &info, 1, 1);
  bn_status_t st = BN_OK;
  if (info == 0) {
    lwork = (int)query + 1;
    st = bn_mallocn(ctx, (size_t)lwork, sizeof(double), &work);
    if (st == BN_OK) dsyev_("V", "U", &m, b, &m, w, work, &lwork, &info, 1, 1);
  }
  if (st == BN_OK && info != 0)
    st = BN_ERROR(ctx, info > 0 ? BN_ERR_NUM : BN_ERR_LIB,
                  "dsyev failed (info %d) on a %d x %d matrix", info, m, m);
  free(work);
  return st;
}

bn_status_t bn_dict_sym_sqrt(bn_dict_t *d, const double *a, double *w,
                             double *fs, double *fis, double null_rel) {
  bn_ctx_t *ctx = d->ctx;
  const int m = (int)d->m;
  const size_t mm = (size_t)m * m;
  double *b = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_mul(2, mm), sizeof(double),
                                        &b)));
  double *t = b + mm;
  bn_timer_start(ctx, d->t_linalg);
  bn_status_t st = bn_dict_use_scalapack(d)
                       ? bn_dict_syev_dist(ctx, m, a, w, b)
                       : bn_agree(ctx, bn_dict_syev_local(ctx, m, a, w, b));
  /* fs = B^T diag(w^1/2) B and fis = B^T diag(w^-1/2) B. Eigenvalues at
   * or below null_rel times the largest are null directions: fis maps
   * them to 0 (a projection onto the span of the data) and fs keeps them
   * at the scale of the smallest other one (so M^(1/2) q of a q there is
   * that direction itself); others that are not positive are floored. */
  const double null = st == BN_OK ? null_rel * w[m - 1] : 0.0;
  double wlo = 1e-300;
  for (int j = 0; st == BN_OK && j < m; j++)
    if (w[j] > null) {
      wlo = fmax(w[j], wlo);
      break;
    }
  for (int pass = 0; st == BN_OK && fs && pass < 2; pass++) {
    for (int j = 0; j < m; j++) {
      double s = w[j] > null ? pow(fmax(w[j], 1e-300), pass ? -0.25 : 0.25)
                 : pass      ? 0.0
                             : pow(wlo, 0.25);
      for (int i = 0; i < m; i++)
        t[(size_t)j * m + i] = s * b[(size_t)j * m + i];
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, m, m, 1.0, t, m, t,
                m, 0.0, pass == 0 ? fs : fis, m);
  }
  bn_timer_stop(ctx, d->t_linalg);
  free(b);
  return st;
}

bn_status_t bn_dict_polar_local(bn_ctx_t *ctx, int m, const double *g,
                                double *out) {
  double *u = NULL;
  const size_t mm = (size_t)m * m;
  BN_CALL(ctx, bn_mallocn(ctx, bn_size_add(bn_size_mul(2, mm), (size_t)m),
                          sizeof(double), &u));
  double *vt = u + mm, *s = vt + mm;
  bn_status_t st = bn_small_svd(ctx, m, m, g, u, s, vt);
  if (st == BN_OK)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, m, m, 1.0, u, m,
                vt, m, 0.0, out, m);
  free(u);
  return st;
}

/* The polar factor by dgesdd, 2-5x faster than dgesvd from m = 100 (the
 * MSP step takes one a step). The column-major view of row-major g is
 * g^T, whose polar factor U V^T, read back row-major, is g's. */
static bn_status_t bn_dict_polar_dc(bn_ctx_t *ctx, int m, const double *g,
                                    double *out) {
  const size_t mm = (size_t)m * m;
  double *a = NULL, *work = NULL, query = 0.0;
  int *iwork = NULL, lwork = -1, info = 0;
  size_t len = bn_size_add(bn_size_mul(3, mm), (size_t)m);
  BN_CALL(ctx, bn_mallocn(ctx, len, sizeof(double), &a));
  double *u = a + mm, *vt = u + mm, *s = vt + mm;
  bn_status_t st =
      bn_mallocn(ctx, bn_size_mul(8, (size_t)m), sizeof(int), &iwork);
  if (st == BN_OK) {
    dgesdd_("S", &m, &m, a, &m, s, u, &m, vt, &m, &query, &lwork, iwork, &info,
            1);
    lwork = (int)query + 1;
    st = bn_mallocn(ctx, (size_t)lwork, sizeof(double), &work);
  }
  if (st == BN_OK) {
    memcpy(a, g, mm * sizeof(double));
    dgesdd_("S", &m, &m, a, &m, s, u, &m, vt, &m, work, &lwork, iwork, &info,
            1);
    if (info != 0)
      st = BN_ERROR(ctx, info > 0 ? BN_ERR_NUM : BN_ERR_LIB,
                    "dgesdd failed (info %d) on the %d x %d polar step", info,
                    m, m);
  }
  if (st == BN_OK)
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, m, m, m, 1.0, u, m,
                vt, m, 0.0, out, m);
  free(work);
  free(iwork);
  free(a);
  return st;
}

/* The same in single precision (l4's single-precision search): about half
 * dgesdd's time; out orthogonal to float rounding. */
static bn_status_t bn_dict_polar_dc32(bn_ctx_t *ctx, int m, const double *g,
                                      double *out) {
  const size_t mm = (size_t)m * m;
  float *a = NULL, *work = NULL, query = 0.0f;
  int *iwork = NULL, lwork = -1, info = 0;
  BN_CALL(ctx, bn_mallocn(ctx, bn_size_add(bn_size_mul(4, mm), (size_t)m),
                          sizeof(float), &a));
  float *u = a + mm, *vt = u + mm, *p = vt + mm, *s = p + mm;
  bn_status_t st =
      bn_mallocn(ctx, bn_size_mul(8, (size_t)m), sizeof(int), &iwork);
  if (st == BN_OK) {
    sgesdd_("S", &m, &m, a, &m, s, u, &m, vt, &m, &query, &lwork, iwork, &info,
            1);
    lwork = (int)query + 1;
    st = bn_mallocn(ctx, (size_t)lwork, sizeof(float), &work);
  }
  if (st == BN_OK) {
    /* The polar factor is scale-free: g / max |g_ij| keeps float's range. */
    double big = 0.0;
    for (size_t k = 0; k < mm; k++) big = fmax(big, fabs(g[k]));
    const double sc = big > 0 ? 1.0 / big : 1.0;
    for (size_t k = 0; k < mm; k++) a[k] = (float)(sc * g[k]);
    sgesdd_("S", &m, &m, a, &m, s, u, &m, vt, &m, work, &lwork, iwork, &info,
            1);
  }
  /* sgesdd's divide and conquer does not always converge in float (seen
   * at m = 400): then the double-precision factor. */
  if (st == BN_OK && info != 0) {
    free(work);
    free(iwork);
    free(a);
    return bn_dict_polar_dc(ctx, m, g, out);
  }
  if (st == BN_OK) {
    cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, m, m, m, 1.0f, u, m,
                vt, m, 0.0f, p, m);
    for (size_t k = 0; k < mm; k++) out[k] = p[k];
  }
  free(work);
  free(iwork);
  free(a);
  return st;
}

/* ScaLAPACK pdgesvd of the replicated g; out = U V^T on rank 0. */
static bn_status_t bn_dict_polar_dist(bn_ctx_t *ctx, int m, const double *g,
                                      double *out) {
  bn_dist_t *dist = NULL;
  bn_dmat_t *am = NULL;
  bn_bcmat_t *abc = NULL, *ubc = NULL, *vbc = NULL;
  int da[9], du[9], dv[9], one = 1, info = 0, lwork = -1;
  double query = 0.0, *work = NULL, *uf = NULL;
  const size_t mm = (size_t)m * m;
  bn_status_t st = bn_dict_rows(ctx, m, g, &dist, &am);
  if (st == BN_OK) st = bn_dmat_to_bc(am, 0, 0, BN_DICT_NB, BN_DICT_NB, &abc);
  if (st == BN_OK) {
    memcpy(da, bn_bcmat_desc(abc), sizeof(da));
    st = bn_dict_bc_zero(ctx, m, da[BN_DESC_CTXT], &ubc, du);
  }
  if (st == BN_OK) st = bn_dict_bc_zero(ctx, m, da[BN_DESC_CTXT], &vbc, dv);
  if (st == BN_OK)
    st = bn_agree(ctx,
                  bn_mallocn(ctx, bn_size_add(bn_size_mul(2, mm), (size_t)m),
                             sizeof(double), &uf));
  if (st == BN_OK) {
    double *vf = uf + mm, *s = vf + mm;
    double *al = bn_bcmat_local(abc, NULL, NULL);
    double *ul = bn_bcmat_local(ubc, NULL, NULL);
    double *vl = bn_bcmat_local(vbc, NULL, NULL);
    pdgesvd_("V", "V", &m, &m, al, &one, &one, da, s, ul, &one, &one, du, vl,
             &one, &one, dv, &query, &lwork, &info, 1, 1);
    lwork = 2 * (int)query + 8 * m * BN_DICT_NB + 10000;
    st = bn_agree(ctx, bn_mallocn(ctx, (size_t)lwork, sizeof(double), &work));
    if (st == BN_OK && info == 0)
      pdgesvd_("V", "V", &m, &m, al, &one, &one, da, s, ul, &one, &one, du, vl,
               &one, &one, dv, work, &lwork, &info, 1, 1);
    if (st == BN_OK && info != 0)
      st = BN_ERROR(ctx, BN_ERR_NUM, "pdgesvd failed (info %d, m = %d)", info,
                    m);
    st = bn_agree(ctx, st);
    if (st == BN_OK) st = bn_dict_bc_gather(ctx, m, ubc, uf);
    if (st == BN_OK) st = bn_dict_bc_gather(ctx, m, vbc, vf);
    if (st == BN_OK && bn_ctx_rank(ctx) == 0)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, m, m, 1.0, uf,
                  m, vf, m, 0.0, out, m);
  }
  free(uf);
  free(work);
  bn_bcmat_destroy(abc);
  bn_bcmat_destroy(ubc);
  bn_bcmat_destroy(vbc);
  bn_dmat_destroy(am);
  bn_dist_destroy(dist);
  return st;
}

bn_status_t bn_dict_polar(bn_dict_t *d, const double *g, double *out) {
  bn_ctx_t *ctx = d->ctx;
  bn_timer_start(ctx, d->t_linalg);
  bn_status_t st;
  if (bn_dict_use_scalapack(d))
    st = bn_dict_polar_dist(ctx, (int)d->m, g, out);
  else
    st = bn_agree(ctx, bn_ctx_rank(ctx) != 0 ? BN_OK
                       : d->l4_single
                           ? bn_dict_polar_dc32(ctx, (int)d->m, g, out)
                           : bn_dict_polar_dc(ctx, (int)d->m, g, out));
  bn_timer_stop(ctx, d->t_linalg);
  return st;
}
