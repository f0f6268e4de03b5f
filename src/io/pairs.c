/* Reading the pairs of `benign predict` (benign/import.h): text lines of
 * `user item [value ...]` or an HDF5 completion input. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/h5.h"
#include "io/import_internal.h"

void bn_pairs_free(bn_pairs_t *p) {
  free(p->user);
  free(p->item);
  free(p->val);
  memset(p, 0, sizeof *p);
}

/* One data line into d (user -> row, item -> col, value or NaN). */
static bn_status_t bn_pairs_line(bn_ctx_t *ctx, bn_imp_data_t *d, char *line,
                                 const bn_imp_layout_t *L, int64_t lineno,
                                 int *nval) {
  char *f[3];
  int64_t user, item;
  double v = NAN;
  int n = bn_imp_layout_split(line, L, f, 3);
  if (n < 2) {
    bn_imp_bad(d, lineno, "expected 'user%sitem', found one field", L->name);
    return BN_OK;
  }
  if (bn_imp_int(f[0], &user)) {
    bn_imp_bad(d, lineno, "user id '%.20s' is not an integer", f[0]);
    return BN_OK;
  }
  if (bn_imp_int(f[1], &item)) {
    bn_imp_bad(d, lineno, "item id '%.20s' is not an integer", f[1]);
    return BN_OK;
  }
  if (*nval < 0) *nval = n >= 3 && bn_imp_real(f[2], &v) == 0 ? 1 : 0;
  if (*nval == 1 && (n < 3 || bn_imp_real(f[2], &v) != 0)) {
    bn_imp_bad(d, lineno,
               "value '%.20s' is not a number (the first line had "
               "one)",
               n < 3 ? "" : f[2]);
    return BN_OK;
  }
  return bn_imp_push(ctx, d, user, item, v, lineno);
}

/* Rank 0: a text file. */
static bn_status_t bn_pairs_text(bn_ctx_t *ctx, const char *path,
                                 bn_imp_data_t *d, bn_pairs_t *p, int *nval) {
  FILE *fp = NULL;
  char *buf = NULL;
  size_t cap = 0;
  int64_t lineno = 0, seen = 0;
  bn_imp_layout_t L;
  bool header = false;
  BN_CALL(ctx, bn_imp_open(ctx, path, &fp));
  bn_status_t st = BN_OK;
  while (st == BN_OK && getline(&buf, &cap, fp) != -1) {
    char *line = bn_imp_trim(lineno == 0 ? bn_imp_skip_bom(buf) : buf);
    lineno++;
    if (*line == '\0') continue;
    if (seen++ == 0) {
      bn_imp_layout_detect(line, &L);
      if ((header = bn_imp_is_header(line, &L))) continue;
    } else if (seen == 2 && header) {
      bn_imp_layout_detect(line, &L); /* a header may use other blanks */
    }
    st = bn_pairs_line(ctx, d, line, &L, lineno, nval);
  }
  if (st == BN_OK && ferror(fp))
    st = BN_ERROR(ctx, BN_ERR_IO, "%s: read error after line %lld", path,
                  (long long)lineno);
  free(buf);
  fclose(fp);
  BN_CALL(ctx, st);
  BN_CALL(ctx, bn_imp_bad_status(ctx, d, "bad lines", ""));
  if (d->n == 0)
    return BN_ERROR(ctx, BN_ERR_DATA, "%s: no pairs found (%lld lines)", path,
                    (long long)lineno);
  snprintf(p->layout, sizeof p->layout, "text, %s-separated%s, %s values",
           seen ? L.name : "?", header ? ", a header line" : "",
           *nval == 1 ? "with" : "no");
  return BN_OK;
}

/* Rank 0: the entries into p. */
static bn_status_t bn_pairs_take(bn_ctx_t *ctx, bn_imp_data_t *d, int nval,
                                 bn_pairs_t *p) {
  size_t n = d->n ? d->n : 1;
  bn_status_t st = bn_mallocn(ctx, n, sizeof(int64_t), &p->user);
  if (st == BN_OK) st = bn_mallocn(ctx, n, sizeof(int64_t), &p->item);
  if (st == BN_OK && nval == 1)
    st = bn_mallocn(ctx, n, sizeof(double), &p->val);
  BN_CALL(ctx, st);
  for (size_t k = 0; k < d->n; k++) {
    p->user[k] = d->e[k].row;
    p->item[k] = d->e[k].col;
    if (p->val) p->val[k] = d->e[k].val;
  }
  p->n = (bn_idx_t)d->n;
  return BN_OK;
}

/* Collective: an HDF5 input; rank 0 reads it all. */
static bn_status_t bn_pairs_h5(bn_ctx_t *ctx, const char *path, bn_pairs_t *p) {
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_h5_open(ctx, path, &f));
  int has = 0, nd = 0, maps = 0;
  bn_idx_t d[4] = {0};
  bn_status_t st = bn_h5_exists(f, "/test/row", &has);
  const char *g = has ? "/test" : "/omega";
  char name[32];
  snprintf(name, sizeof name, "%s/row", g);
  if (st == BN_OK) st = bn_h5_shape(f, name, &nd, d);
  bn_idx_t n = nd == 1 ? d[0] : 0, mine = bn_ctx_rank(ctx) == 0 ? n : 0;
  if (st == BN_OK) st = bn_h5_exists(f, "/map/row_ids", &maps);
  size_t m = (size_t)n + 1;
  if (st == BN_OK) st = bn_agree(ctx, bn_mallocn(ctx, m, 8, &p->user));
  if (st == BN_OK) st = bn_agree(ctx, bn_mallocn(ctx, m, 8, &p->item));
  if (st == BN_OK) st = bn_agree(ctx, bn_mallocn(ctx, m, 8, &p->val));
  if (st == BN_OK) st = bn_h5_read_i64(f, name, 0, mine, p->user);
  snprintf(name, sizeof name, "%s/col", g);
  if (st == BN_OK) st = bn_h5_read_i64(f, name, 0, mine, p->item);
  snprintf(name, sizeof name, "%s/val", g);
  if (st == BN_OK) st = bn_h5_read_f64(f, name, 0, mine, p->val);
  for (int side = 0; st == BN_OK && maps && side < 2; side++) {
    const char *map = side ? "/map/col_ids" : "/map/row_ids";
    int64_t *idx = side ? p->item : p->user, *ids = NULL;
    st = bn_h5_shape(f, map, &nd, d);
    bn_idx_t len = nd == 1 ? d[0] : 0;
    if (st == BN_OK)
      st = bn_agree(ctx, bn_mallocn(ctx, (size_t)len + 1, 8, &ids));
    if (st == BN_OK)
      st = bn_h5_read_i64(f, map, 0, bn_ctx_rank(ctx) == 0 ? len : 0, ids);
    for (bn_idx_t k = 0; st == BN_OK && k < mine; k++) {
      if (idx[k] < 0 || idx[k] >= len)
        st = BN_ERROR(ctx, BN_ERR_DATA, "%s: %s index %lld is outside %s", path,
                      side ? "column" : "row", (long long)idx[k], map);
      else
        idx[k] = ids[idx[k]];
    }
    free(ids);
    st = bn_agree(ctx, st);
  }
  bn_h5_close(f);
  BN_CALL(ctx, st);
  p->n = mine;
  snprintf(p->layout, sizeof p->layout, "HDF5, the entries of %s%s", g,
           maps ? " in the ids of its /map" : " (indices as ids: no /map)");
  return BN_OK;
}

bn_status_t bn_pairs_read(bn_ctx_t *ctx, const char *path, bn_pairs_t *p) {
  memset(p, 0, sizeof *p);
  int h5 = 0;
  if (bn_ctx_rank(ctx) == 0) {
    unsigned char sig[8] = {0};
    FILE *fp = fopen(path, "rb");
    if (fp) {
      h5 = fread(sig, 1, 8, fp) == 8 && !memcmp(sig, "\x89HDF\r\n\x1a\n", 8);
      fclose(fp);
    }
  }
  BN_MPI(ctx, MPI_Bcast(&h5, 1, MPI_INT, 0, bn_ctx_comm(ctx)));
  bn_status_t st;
  if (h5) {
    st = bn_pairs_h5(ctx, path, p);
  } else {
    st = BN_OK;
    if (bn_ctx_rank(ctx) == 0) {
      bn_imp_data_t d = {.path = path};
      int nval = -1;
      st = bn_pairs_text(ctx, path, &d, p, &nval);
      if (st == BN_OK) st = bn_pairs_take(ctx, &d, nval, p);
      bn_imp_free(&d);
    }
    st = bn_agree(ctx, st);
  }
  if (st != BN_OK) bn_pairs_free(p);
  return st;
}
