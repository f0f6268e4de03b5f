/* Shared setup of the low-rank problems (and glm): create from an HDF5
 * input, the init dispatcher, the spectral initial point. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "problems/lowrank/lowrank.h"

bn_status_t bn_lr_input(bn_ctx_t *ctx, const bn_opts_t *opts, char **input) {
  const char *in = bn_opts_string(opts, "input");
  if (!in || !*in)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "no input file: give --input=FILE.h5");
  *input = strdup(in);
  return *input ? BN_OK : BN_ERROR(ctx, BN_ERR_MEM, "out of memory");
}

bn_status_t bn_lr_check_init(bn_ctx_t *ctx, const bn_opts_t *opts) {
  int64_t over, power;
  double scale;
  BN_CALL(ctx, bn_opts_int(opts, "oversample", &over));
  BN_CALL(ctx, bn_opts_int(opts, "power-iters", &power));
  BN_CALL(ctx, bn_opts_real(opts, "init-scale", &scale));
  if (over < 0 || power < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--oversample and --power-iters must be nonnegative");
  if (!(scale > 0))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--init-scale must be positive");
  return BN_OK;
}

bn_status_t bn_lr_create(bn_ctx_t *ctx, const bn_opts_t *opts,
                         const bn_lr_setup_t *setup, void **data) {
  void *c = NULL;
  bn_h5_t *f = NULL;
  *data = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, setup->size, &c)));
  bn_status_t st = bn_agree(ctx, setup->options(c, ctx, opts));
  if (st == BN_OK) st = bn_h5_open(ctx, bn_opts_string(opts, "input"), &f);
  if (st == BN_OK) st = setup->read(c, f, opts);
  bn_h5_close(f);
  if (st == BN_OK) st = setup->prepare(c);
  if (st != BN_OK) {
    setup->destroy(c);
    return st;
  }
  *data = c;
  return BN_OK;
}

bn_status_t bn_lr_init(bn_ctx_t *ctx, void *data, const bn_opts_t *opts,
                       bn_lr_init_fn random, bn_lr_init_fn spectral,
                       double *x) {
  int64_t seed;
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  const char *how = bn_opts_string(opts, "init");
  int t = bn_timer_id(ctx, "init");
  bn_timer_start(ctx, t);
  bn_status_t st = how && strcmp(how, "random") == 0
                       ? random(data, opts, (uint64_t)seed, x)
                       : spectral(data, opts, (uint64_t)seed, x);
  bn_timer_stop(ctx, t);
  return st;
}

bn_status_t bn_lr_spectral(bn_ctx_t *ctx, const bn_opts_t *opts,
                           const bn_linop_t *op, int r, uint64_t seed,
                           bn_idx_t nu, bn_idx_t nv, double *x, double *sv) {
  int64_t over, power;
  BN_CALL(ctx, bn_opts_int(opts, "oversample", &over));
  BN_CALL(ctx, bn_opts_int(opts, "power-iters", &power));
  if (over < 0 || power < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--oversample and --power-iters must be nonnegative");
  bn_idx_t nmin = op->rows < op->cols ? op->rows : op->cols;
  if (r + over > nmin) over = nmin - r;
  bn_dmat_t *u = NULL, *v = NULL;
  double *s = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, (size_t)r, sizeof(double), &s)));
  bn_status_t st = bn_rsvd(ctx, op, r, (int)over, (int)power, seed, &u, s, &v);
  if (st == BN_OK) {
    /* Balanced factors U = Us s^(1/2), V = Vs s^(1/2). */
    const double *ud = bn_dmat_cdata(u), *vd = bn_dmat_cdata(v);
    double *xv = x + nu * r;
    for (bn_idx_t i = 0; i < nu; i++)
      for (int a = 0; a < r; a++) x[i * r + a] = ud[i * r + a] * sqrt(s[a]);
    for (bn_idx_t j = 0; j < nv; j++)
      for (int a = 0; a < r; a++) xv[j * r + a] = vd[j * r + a] * sqrt(s[a]);
    if (sv) {
      sv[0] = s[0];
      sv[1] = s[r - 1];
    } else {
      bn_log(ctx, BN_LOG_INFO,
             "spectral init: top singular values %.6g .. %.6g\n", s[0],
             s[r - 1]);
    }
  }
  bn_dmat_destroy(u);
  bn_dmat_destroy(v);
  free(s);
  return st;
}

/* Per-rank counts (and displacements, when cnt has 2 P entries) of k
 * values a row of dist. */
static bn_status_t bn_lr_counts(bn_ctx_t *ctx, bn_dist_t *dist, int k,
                                int **cnt) {
  const int P = bn_ctx_size(ctx);
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_mul(2, (size_t)P),
                                        sizeof(int), cnt)));
  for (int p = 0; p < P; p++) {
    (*cnt)[P + p] = (int)(bn_dist_offset(dist, p) * k);
    (*cnt)[p] =
        (int)((bn_dist_offset(dist, p + 1) - bn_dist_offset(dist, p)) * k);
  }
  return BN_OK;
}

bn_status_t bn_lr_allgather_rows(bn_ctx_t *ctx, bn_dist_t *dist,
                                 const double *loc, int k, double *full,
                                 const char *what) {
  const int P = bn_ctx_size(ctx);
  int *cnt = NULL;
  BN_CALL(ctx, bn_lr_counts(ctx, dist, k, &cnt));
  int rc = MPI_Allgatherv(loc, cnt[bn_ctx_rank(ctx)], MPI_DOUBLE, full, cnt,
                          cnt + P, MPI_DOUBLE, bn_ctx_comm(ctx));
  free(cnt);
  if (rc != MPI_SUCCESS)
    return BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allgatherv failed (%s)", what);
  return BN_OK;
}

bn_status_t bn_lr_reduce_scatter_rows(bn_ctx_t *ctx, bn_dist_t *dist,
                                      const double *buf, int k, double *out,
                                      const char *what) {
  int *cnt = NULL;
  BN_CALL(ctx, bn_lr_counts(ctx, dist, k, &cnt));
  int rc =
      MPI_Reduce_scatter(buf, out, cnt, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  free(cnt);
  if (rc != MPI_SUCCESS)
    return BN_ERROR(ctx, BN_ERR_MPI, "MPI_Reduce_scatter failed (%s)", what);
  return BN_OK;
}

bn_status_t bn_lr_first_bad(bn_ctx_t *ctx, const double *v, size_t n,
                            bn_idx_t first, size_t per, int64_t *bad) {
  int64_t loc = INT64_MAX;
  for (size_t k = 0; k < n; k++)
    if (!isfinite(v[k])) {
      loc = first + (int64_t)(k / per);
      break;
    }
  BN_MPI(ctx,
         MPI_Allreduce(&loc, bad, 1, MPI_INT64_T, MPI_MIN, bn_ctx_comm(ctx)));
  if (*bad == INT64_MAX) *bad = -1;
  return BN_OK;
}

bn_status_t bn_lr_check_fits(bn_ctx_t *ctx, const char *path, const char *attr,
                             bn_idx_t n, int k) {
  /* The memory all the processes have together (each its node's, an upper
   * bound: they may share nodes). */
  double page = (double)sysconf(_SC_PAGESIZE);
  double phys = (double)sysconf(_SC_PHYS_PAGES) * page;
  double have = phys > 0 ? phys * bn_ctx_size(ctx) : INFINITY;
  double need = 8.0 * (double)n * (double)(k > 0 ? k : 1);
  if (n > ((bn_idx_t)1 << 53) || need > have)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s = %lld: its factor would need %.3g bytes (%s "
                        "x %d x 8), more than the %.3g bytes of memory of "
                        "the %d processes",
                        path, attr, (long long)n, need, attr, k > 0 ? k : 1,
                        have, bn_ctx_size(ctx));
  return BN_OK;
}

bn_status_t bn_lr_gen_common(bn_ctx_t *ctx, const bn_opts_t *opts,
                             bn_idx_t *rows, bn_idx_t *cols, int *rank,
                             uint64_t *seed, const char **out) {
  int64_t r = 0, s = 0;
  BN_CALL(ctx, bn_opts_int(opts, "rows", rows));
  BN_CALL(ctx, bn_opts_int(opts, "cols", cols));
  BN_CALL(ctx, bn_opts_int(opts, "rank", &r));
  BN_CALL(ctx, bn_opts_int(opts, "seed", &s));
  *out = bn_opts_string(opts, "output");
  if (!*out || !**out)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--output=FILE.h5 is required");
  if (r < 1 || r > 1 << 20)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--rank=%lld is out of range",
                        (long long)r);
  *rank = (int)r;
  *seed = (uint64_t)s;
  return BN_OK;
}
