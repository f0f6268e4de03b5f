/* benign recommend: the lists written out (drivers/recommend.h): packed
 * into ids per process, then CSV through rank 0 or HDF5 by every process
 * at its offset. */
#include <math.h>
#include <stdlib.h>

#include "benign/textout.h"
#include "recommend.h"

/* Collective: the packed lists of this process's listed users, in ids. */
typedef struct bn_rec_pack {
  bn_idx_t n;
  int64_t *uid, *iid;
  double *sc;
} bn_rec_pack_t;

static bn_status_t bn_rec_pack(bn_rec_t *r, bn_rec_pack_t *p) {
  bn_ctx_t *ctx = r->ctx;
  const int T = r->top;
  const bn_idx_t f0 = bn_dist_first(bn_model_dist(r->m));
  p->n = 0;
  for (bn_idx_t l = 0; l < r->nl; l++) p->n += r->want[l];
  size_t n = (size_t)p->n + 1, nt = bn_size_mul(n, (size_t)T);
  bn_status_t st = bn_mallocn(ctx, n, 8, &p->uid);
  if (st == BN_OK) st = bn_mallocn(ctx, nt, 8, &p->iid);
  if (st == BN_OK) st = bn_mallocn(ctx, nt, 8, &p->sc);
  BN_CALL(ctx, bn_agree(ctx, st));
  bn_idx_t k = 0;
  for (bn_idx_t l = 0; l < r->nl; l++) {
    if (!r->want[l]) continue;
    p->uid[k] = bn_model_row_id(r->m, f0 + l);
    for (int t = 0; t < T; t++) {
      int64_t j = r->items[(size_t)l * T + t];
      p->iid[(size_t)k * T + t] = j < 0 ? -1 : bn_model_col_id(r->m, j);
      p->sc[(size_t)k * T + t] = r->scores[(size_t)l * T + t];
    }
    k++;
  }
  return BN_OK;
}

static void bn_rec_pack_free(bn_rec_pack_t *p) {
  free(p->uid);
  free(p->iid);
  free(p->sc);
}

/* Rank 0: the lines of one process's users. */
static void bn_rec_lines(FILE *f, const bn_rec_pack_t *p, int T) {
  for (bn_idx_t k = 0; k < p->n; k++)
    for (int t = 0; t < T; t++) {
      int64_t j = p->iid[(size_t)k * T + t];
      if (j == -1 && isnan(p->sc[(size_t)k * T + t])) break;
      fprintf(f, "%lld,%d,%lld,%.10g\n", (long long)p->uid[k], t + 1,
              (long long)j, p->sc[(size_t)k * T + t]);
    }
}

/* Collective: the CSV, rank 0 writing every process's lists in turn. */
static bn_status_t bn_rec_csv(bn_rec_t *r, const bn_rec_pack_t *mine,
                              const char *path) {
  bn_ctx_t *ctx = r->ctx;
  MPI_Comm comm = bn_ctx_comm(ctx);
  const int T = r->top;
  bn_text_t *t = NULL;
  BN_CALL(ctx, bn_text_create(ctx, path, 40.0 * T * (double)r->users, &t));
  FILE *f = bn_text_stream(t);
  bn_status_t st = BN_OK;
  if (f) {
    fprintf(f, "user,rank,item,score\n");
    bn_rec_lines(f, mine, T);
  }
  for (int q = 1; q < bn_ctx_size(ctx); q++) {
    if (bn_ctx_rank(ctx) == q) {
      BN_MPI(ctx, MPI_Send(&mine->n, 1, MPI_INT64_T, 0, 1, comm));
      BN_MPI(ctx, MPI_Send(mine->uid, (int)mine->n, MPI_INT64_T, 0, 2, comm));
      BN_MPI(ctx,
             MPI_Send(mine->iid, (int)(mine->n * T), MPI_INT64_T, 0, 3, comm));
      BN_MPI(ctx,
             MPI_Send(mine->sc, (int)(mine->n * T), MPI_DOUBLE, 0, 4, comm));
    } else if (bn_ctx_rank(ctx) == 0) {
      bn_rec_pack_t p = {0};
      BN_MPI(ctx,
             MPI_Recv(&p.n, 1, MPI_INT64_T, q, 1, comm, MPI_STATUS_IGNORE));
      size_t n = (size_t)p.n + 1, nt = bn_size_mul(n, (size_t)T);
      p.uid = bn_alloc_n(n, 8);
      p.iid = bn_alloc_n(nt, 8);
      p.sc = bn_alloc_n(nt, 8);
      if (!p.uid || !p.iid || !p.sc) {
        /* no memory on rank 0: the others' sends cannot be taken */
        fprintf(stderr, "benign: out of memory on process 0\n");
        MPI_Abort(comm, 1);
      }
      BN_MPI(ctx, MPI_Recv(p.uid, (int)p.n, MPI_INT64_T, q, 2, comm,
                           MPI_STATUS_IGNORE));
      BN_MPI(ctx, MPI_Recv(p.iid, (int)(p.n * T), MPI_INT64_T, q, 3, comm,
                           MPI_STATUS_IGNORE));
      BN_MPI(ctx, MPI_Recv(p.sc, (int)(p.n * T), MPI_DOUBLE, q, 4, comm,
                           MPI_STATUS_IGNORE));
      bn_rec_lines(f, &p, T);
      bn_rec_pack_free(&p);
    }
  }
  st = bn_text_commit(t);
  bn_text_close(t);
  return st;
}

/* Collective: the HDF5 output, each process writing its users' rows. */
static bn_status_t bn_rec_h5(bn_rec_t *r, const bn_rec_pack_t *p,
                             const char *path) {
  bn_ctx_t *ctx = r->ctx;
  const int T = r->top;
  int64_t off = 0, n = p->n;
  BN_MPI(ctx, MPI_Exscan(&n, &off, 1, MPI_INT64_T, MPI_SUM, bn_ctx_comm(ctx)));
  if (bn_ctx_rank(ctx) == 0) off = 0;
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_h5_create(ctx, path,
                            (16.0 * T + 8.0) * (double)r->users + 65536.0, &f));
  bn_status_t st = bn_h5_write_i64(f, "/users", r->users, off, n, p->uid);
  if (st == BN_OK)
    st = bn_h5_write_i64(f, "/items", r->users * T, off * T, n * T, p->iid);
  if (st == BN_OK)
    st = bn_h5_write_f64(f, "/scores", r->users * T, off * T, n * T, p->sc);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "top", T);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "creator", "benign recommend");
  if (st == BN_OK && r->rm.users > 0) {
    st = bn_h5_attr_set_f64(f, "/", "precision", r->rm.precision);
    if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "recall", r->rm.recall);
    if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "map", r->rm.map);
    if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "ndcg", r->rm.ndcg);
    if (st == BN_OK)
      st = bn_h5_attr_set_i64(f, "/", "metric_users", r->rm.users);
  }
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  return st;
}

bn_status_t bn_rec_write(bn_rec_t *r, const char *path) {
  bn_rec_pack_t p = {0};
  bn_status_t st = bn_rec_pack(r, &p);
  if (st == BN_OK)
    st = bn_path_is_h5(path) ? bn_rec_h5(r, &p, path) : bn_rec_csv(r, &p, path);
  bn_rec_pack_free(&p);
  return st;
}
