/* Shared set-up for the factorization tests: option tables, a problem
 * created from options, gathers to rank 0, and the reference top-r
 * decomposition of the same distributed Y by ScaLAPACK (pdsyevd in sym
 * mode, pdgesvd in general mode). */
#ifndef BN_TEST_FACTOR_FIXTURE_H
#define BN_TEST_FACTOR_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/benign.h"
#include "check.h"
#include "linalg/scalapack_decl.h"
#include "problems/lowrank/factor.h"

typedef struct ff {
  bn_opts_t *opts;
  bn_optdef_t *defs;
  const bn_problem_ops_t *ops;
  void *data;
  bn_factor_t *c;
  bn_objective_t obj;
  double *x;
} ff_t;

/* The factor keys plus the shared keys the problem reads. */
static inline bn_optdef_t *ff_defs(void) {
  static const bn_optdef_t extra[] = {
      {"input", BN_OPT_STRING, NULL, "", NULL},
      {"seed", BN_OPT_INT, "1", "", NULL},
      {"init", BN_OPT_CHOICE, "spectral", "", "spectral|random"}};
  size_t n = 0;
  while (bn_factor_optdefs[n].key) n++;
  bn_optdef_t *d = calloc(n + 4, sizeof(*d));
  memcpy(d, bn_factor_optdefs, n * sizeof(*d));
  memcpy(d + n, extra, sizeof(extra));
  return d;
}

/* Collective: a factor problem on input with the given options and its
 * initial point in f->x. */
static inline void ff_open(bn_ctx_t *ctx, const char *input, const char *mode,
                           int r, const char *init, const char *seed,
                           const char *scale, ff_t *f) {
  char buf[32];
  memset(f, 0, sizeof(*f));
  f->defs = ff_defs();
  CHECK_OK(ctx, bn_opts_create(ctx, f->defs, &f->opts));
  snprintf(buf, sizeof(buf), "%d", r);
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "rank", buf, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "mode", mode, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "init", init, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "seed", seed, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "init-scale", scale, BN_SRC_CMDLINE));
  f->ops = bn_problem_find("factor");
  CHECK_OK(ctx, f->ops->create(ctx, f->opts, &f->data));
  f->c = f->data;
  f->ops->objective(f->data, &f->obj);
  f->x = calloc(f->obj.n + 1, sizeof(double));
  CHECK_OK(ctx, f->ops->init(f->data, f->opts, f->x));
}

static inline void ff_close(ff_t *f) {
  f->ops->destroy(f->data);
  bn_opts_destroy(f->opts);
  free(f->defs);
  free(f->x);
}

/* Rank 0 makes a temporary directory; every rank gets its name. */
static inline void ff_tmpdir(MPI_Comm comm, char *dir, size_t len) {
  int rank;
  MPI_Comm_rank(comm, &rank);
  if (rank == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, len, "%s/bn_test_XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, (int)len, MPI_CHAR, 0, comm);
}

/* Collective: nloc local rows of k doubles, gathered in order on rank 0. */
static inline void ff_gather(bn_ctx_t *ctx, const double *loc, bn_idx_t nloc,
                             int k, double *out) {
  int P = bn_ctx_size(ctx), part = (int)(nloc * k);
  int *cnt = calloc(2 * (size_t)P, sizeof(int)), *dsp = cnt + P;
  MPI_Gather(&part, 1, MPI_INT, cnt, 1, MPI_INT, 0, bn_ctx_comm(ctx));
  for (int p = 0; p < P; p++) dsp[p] = p ? dsp[p - 1] + cnt[p - 1] : 0;
  MPI_Gatherv(loc, part, MPI_DOUBLE, out, cnt, dsp, MPI_DOUBLE, 0,
              bn_ctx_comm(ctx));
  free(cnt);
}

/* Collective: a zero m x n matrix in block-cyclic layout (8 x 8 blocks, the
 * default grid) and its descriptor moved to the context ictxt, so that it
 * can be passed to one ScaLAPACK call with another matrix of that grid. */
static inline bn_bcmat_t *ff_bc_zero(bn_ctx_t *ctx, bn_idx_t m, int n,
                                     int ictxt, int *desc) {
  bn_dist_t *d = NULL;
  bn_dmat_t *z = NULL;
  bn_bcmat_t *b = NULL;
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, m, &d));
  CHECK_OK(ctx, bn_dmat_create(d, n, &z));
  CHECK_OK(ctx, bn_dmat_to_bc(z, 0, 0, 8, 8, &b));
  memcpy(desc, bn_bcmat_desc(b), 9 * sizeof(int));
  desc[BN_DESC_CTXT] = ictxt;
  bn_dmat_destroy(z);
  bn_dist_destroy(d);
  return b;
}

/* Collective: a bc matrix back on rank 0 as a row-major m x n array. */
static inline void ff_bc_gather(bn_ctx_t *ctx, bn_bcmat_t *b, bn_idx_t m, int n,
                                double *out) {
  bn_dist_t *d = NULL;
  bn_dmat_t *a = NULL;
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, m, &d));
  CHECK_OK(ctx, bn_dmat_create(d, n, &a));
  CHECK_OK(ctx, bn_bc_to_dmat(b, a));
  ff_gather(ctx, bn_dmat_cdata(a), bn_dmat_local_rows(a), n, out);
  bn_dmat_destroy(a);
  bn_dist_destroy(d);
}

/* Collective. The reference on rank 0: sym: eigenvalues (ascending, n1)
 * in s and eigenvectors (n1 x n1 row-major, columns) in q; general:
 * singular values (descending, min) in s, left vectors (n1 x min) in q and
 * right vectors as rows (min x n2) in vt. */
static inline void ff_reference(bn_ctx_t *ctx, bn_factor_t *c, double *s,
                                double *q, double *vt) {
  bn_bcmat_t *a = NULL, *z = NULL, *w = NULL;
  int da[9], dz[9], dw[9], one = 1, info = 0, lwork = -1, liwork = 1, iq = 0;
  int m = (int)c->n1, n = (int)c->n2, k = m < n ? m : n;
  double query = 0.0;
  CHECK_OK(ctx, bn_dmat_to_bc(c->y, 0, 0, 8, 8, &a));
  memcpy(da, bn_bcmat_desc(a), sizeof(da));
  double *al = bn_bcmat_local(a, NULL, NULL);
  z = ff_bc_zero(ctx, m, c->sym ? m : k, da[BN_DESC_CTXT], dz);
  double *zl = bn_bcmat_local(z, NULL, NULL), *wl = NULL;
  if (c->sym) {
    pdsyevd_("V", "U", &m, al, &one, &one, da, s, zl, &one, &one, dz, &query,
             &lwork, &iq, &liwork, &info, 1, 1);
    CHECK(info == 0, "pdsyevd query: info %d", info);
    lwork = (int)query + 1;
    liwork = iq > 1 ? iq : 1;
    double *work = malloc((size_t)lwork * sizeof(double));
    int *iwork = malloc((size_t)liwork * sizeof(int));
    pdsyevd_("V", "U", &m, al, &one, &one, da, s, zl, &one, &one, dz, work,
             &lwork, iwork, &liwork, &info, 1, 1);
    CHECK(info == 0, "pdsyevd: info %d", info);
    free(work);
    free(iwork);
    ff_bc_gather(ctx, z, m, m, q);
  } else {
    w = ff_bc_zero(ctx, k, n, da[BN_DESC_CTXT], dw);
    wl = bn_bcmat_local(w, NULL, NULL);
    pdgesvd_("V", "V", &m, &n, al, &one, &one, da, s, zl, &one, &one, dz, wl,
             &one, &one, dw, &query, &lwork, &info, 1, 1);
    CHECK(info == 0, "pdgesvd query: info %d", info);
    lwork = (int)query + 1;
    double *work = malloc((size_t)lwork * sizeof(double));
    pdgesvd_("V", "V", &m, &n, al, &one, &one, da, s, zl, &one, &one, dz, wl,
             &one, &one, dw, work, &lwork, &info, 1, 1);
    CHECK(info == 0, "pdgesvd: info %d", info);
    free(work);
    ff_bc_gather(ctx, z, m, k, q);
    ff_bc_gather(ctx, w, k, n, vt);
  }
  bn_bcmat_destroy(a);
  bn_bcmat_destroy(z);
  bn_bcmat_destroy(w);
}

#endif
