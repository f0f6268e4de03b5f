/* Text ratings read by every process (benign import on P > 1 processes):
 * rank 0 finds the layout (delimiter, header, columns) from the first
 * lines; each process parses the lines that start in its byte range of
 * the rest (numbered exactly: the ranges' line counts are summed first);
 * the user and item ids are renumbered over all processes; each entry goes
 * to the owner of its row (uniform blocks of rows), where the entries are
 * sorted and the duplicates policy applied -- so the rows come out in
 * order, each process's block after the previous one's, as the serial
 * reader's. Bad lines and duplicates are reported as the serial reader
 * does: the first five in file order, then the total. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "benign/ctx.h"
#include "benign/dist.h"
#include "io/import_internal.h"

typedef struct bn_par_spec {
  bn_imp_layout_t L;
  bn_csv_cols_t cols;
  int64_t start, size; /* data bytes [start, size) */
  int64_t lines0;      /* lines before start */
  int ok;
} bn_par_spec_t;

/* Rank 0: the layout from the first non-blank line(s), and where the data
 * begin. */
static bn_status_t bn_par_layout(bn_ctx_t *ctx, bn_imp_data_t *d,
                                 bn_par_spec_t *s) {
  FILE *fp = NULL;
  char *buf = NULL;
  size_t cap = 0;
  struct stat sb;
  BN_CALL(ctx, bn_imp_open(ctx, d->path, &fp));
  s->size = fstat(fileno(fp), &sb) == 0 ? (int64_t)sb.st_size : 0;
  s->cols =
      (bn_csv_cols_t){0, 1, 2, d->timestamp ? 4 : 3, d->timestamp ? 3 : -1};
  const bool named = bn_imp_layout_named(d->delimiter, &s->L);
  int64_t lineno = 0, seen = 0;
  bool header = false;
  ssize_t got;
  while ((got = getline(&buf, &cap, fp)) != -1) {
    char *line = bn_imp_trim(lineno == 0 ? bn_imp_skip_bom(buf) : buf);
    lineno++;
    if (*line == '\0') continue;
    if (seen++ == 0) {
      if (!named) bn_imp_layout_detect(line, &s->L);
      header = bn_csv_is_header(d, line, &s->L);
      if (!header) break;
      bn_csv_header_cols(line, &s->L, &s->cols);
      s->start = ftell(fp);
      s->lines0 = lineno;
      continue;
    }
    if (!named) bn_imp_layout_detect(line, &s->L); /* the data's own */
    break;
  }
  free(buf);
  fclose(fp);
  if (seen == 0)
    return BN_ERROR(ctx, BN_ERR_DATA, "%s: no ratings found (%lld lines)",
                    d->path, (long long)lineno);
  char what[192];
  snprintf(what, sizeof what,
           "%s-separated (%s), %s; columns user %d, item %d, value %d%s; "
           "read by every process",
           s->L.name, named ? "--delimiter" : "detected",
           header ? "a header line" : "no header", s->cols.user + 1,
           s->cols.item + 1, s->cols.value + 1,
           s->cols.time >= 0 ? ", timestamp kept" : "");
  size_t lw = strlen(what), ln = strlen(d->layout);
  if (lw + ln < sizeof d->layout) {
    memmove(d->layout + lw, d->layout, ln + 1);
    memcpy(d->layout, what, lw);
  }
  s->ok = 1;
  return BN_OK;
}

/* This process's lines: those that start in [a, b). *at: the first one's
 * offset. Counts them (pass 0) or parses them numbered from first + 1. */
static bn_status_t bn_par_lines(bn_ctx_t *ctx, bn_imp_data_t *d,
                                const bn_par_spec_t *s, int64_t a, int64_t b,
                                int pass, int64_t first, int64_t *count) {
  FILE *fp = NULL;
  char *buf = NULL;
  size_t cap = 0;
  bn_status_t st = bn_imp_open(ctx, d->path, &fp);
  if (st != BN_OK) return st;
  int64_t pos = a;
  if (a > s->start) { /* a line that began before a is the previous one's */
    fseek(fp, a - 1, SEEK_SET);
    int ch = fgetc(fp);
    pos = a;
    while (ch != '\n' && ch != EOF) ch = fgetc(fp), pos++;
  }
  fseek(fp, pos, SEEK_SET);
  int64_t n = 0;
  ssize_t got;
  while (st == BN_OK && pos < b && (got = getline(&buf, &cap, fp)) != -1) {
    pos += got;
    n++;
    if (pass == 0) continue;
    char *line = bn_imp_trim(pos - got == 0 ? bn_imp_skip_bom(buf) : buf);
    if (*line) st = bn_imp_csv_line(ctx, d, line, &s->L, &s->cols, first + n);
  }
  if (st == BN_OK && ferror(fp))
    st = BN_ERROR(ctx, BN_ERR_IO, "%s: read error", d->path);
  free(buf);
  fclose(fp);
  *count = n;
  return st;
}

/* Collective: the processes' quoted problems (in rank order, the first
 * BN_IMP_QUOTED) and their total as one agreed error, or BN_OK. */
static bn_status_t bn_par_problems(bn_ctx_t *ctx, bn_imp_data_t *d,
                                   const char *what, const char *hint) {
  const int P = bn_ctx_size(ctx);
  int64_t total = d->nbad;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_INT64_T, MPI_SUM,
                            bn_ctx_comm(ctx)));
  if (total == 0) return BN_OK;
  char *all = NULL;
  int64_t *counts = NULL;
  bn_status_t st = BN_OK;
  if (bn_ctx_rank(ctx) == 0) {
    st = bn_mallocn(ctx, (size_t)P, sizeof d->bad, &all);
    if (st == BN_OK) st = bn_mallocn(ctx, (size_t)P, sizeof(int64_t), &counts);
  }
  BN_MPI(ctx, MPI_Gather(d->bad, sizeof d->bad, MPI_CHAR, all, sizeof d->bad,
                         MPI_CHAR, 0, bn_ctx_comm(ctx)));
  BN_MPI(ctx, MPI_Gather(&d->nbad, 1, MPI_INT64_T, counts, 1, MPI_INT64_T, 0,
                         bn_ctx_comm(ctx)));
  if (bn_ctx_rank(ctx) == 0 && st == BN_OK) {
    bn_imp_data_t m = {.path = d->path};
    int quoted = 0;
    /* each process's quoted problems are "PATH:LINE: ..." joined by
     * "; " (a message may hold ';' itself) */
    char sep[4200];
    snprintf(sep, sizeof sep, "; %s:", d->path);
    for (int k = 0; k < P && quoted < BN_IMP_QUOTED; k++) {
      char *t = all + (size_t)k * sizeof d->bad;
      while (*t && quoted < BN_IMP_QUOTED) {
        char *next = strstr(t, sep);
        size_t len = next ? (size_t)(next - t) : strlen(t);
        size_t used = strlen(m.bad);
        snprintf(m.bad + used, sizeof m.bad - used, "%s%.*s", used ? "; " : "",
                 (int)len, t);
        quoted++;
        t = next ? next + 2 : t + len;
      }
    }
    m.nbad = total;
    st = bn_imp_bad_status(ctx, &m, what, hint);
  }
  free(all);
  free(counts);
  /* rank 0 holds the message (or its own failure) */
  return bn_agree(ctx, bn_ctx_rank(ctx) == 0 ? st : BN_OK);
}

static int bn_par_cmp_i64(const void *pa, const void *pb) {
  int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
  return a < b ? -1 : a > b;
}

/* Collective: the distinct ids of one column of the entries over all
 * processes, sorted, into *ids (replicated), and the entries renumbered. */
static bn_status_t bn_par_renumber(bn_ctx_t *ctx, bn_imp_data_t *d, int col,
                                   int64_t **ids, bn_idx_t *count) {
  const int P = bn_ctx_size(ctx);
  int64_t *mine = NULL, *all = NULL;
  int *cnt = NULL, *dsp = NULL;
  size_t m = 0;
  bn_status_t st = bn_mallocn(ctx, d->n + 1, sizeof(int64_t), &mine);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul(2, (size_t)P), sizeof(int), &cnt);
  BN_CALL(ctx, bn_agree(ctx, st));
  dsp = cnt + P;
  for (size_t k = 0; k < d->n; k++) mine[k] = col ? d->e[k].col : d->e[k].row;
  qsort(mine, d->n, sizeof *mine, bn_par_cmp_i64);
  for (size_t k = 0; k < d->n; k++)
    if (m == 0 || mine[k] != mine[m - 1]) mine[m++] = mine[k];
  int mc = (int)m;
  BN_MPI(ctx,
         MPI_Allgather(&mc, 1, MPI_INT, cnt, 1, MPI_INT, bn_ctx_comm(ctx)));
  size_t n = 0;
  for (int p = 0; p < P; p++) dsp[p] = (int)n, n += (size_t)cnt[p];
  st = bn_agree(ctx, bn_mallocn(ctx, n + 1, sizeof(int64_t), &all));
  if (st == BN_OK)
    BN_MPI(ctx, MPI_Allgatherv(mine, mc, MPI_INT64_T, all, cnt, dsp,
                               MPI_INT64_T, bn_ctx_comm(ctx)));
  free(mine);
  free(cnt);
  BN_CALL(ctx, st);
  qsort(all, n, sizeof *all, bn_par_cmp_i64);
  m = 0;
  for (size_t k = 0; k < n; k++)
    if (m == 0 || all[k] != all[m - 1]) all[m++] = all[k];
  for (size_t k = 0; k < d->n; k++) {
    int64_t *id = col ? &d->e[k].col : &d->e[k].row;
    const int64_t *at = bsearch(id, all, m, sizeof *all, bn_par_cmp_i64);
    *id = at - all;
  }
  *ids = all;
  *count = (bn_idx_t)m;
  return BN_OK;
}

/* Collective: every entry to the owner of its row. */
static bn_status_t bn_par_send(bn_ctx_t *ctx, bn_imp_data_t *d,
                               const bn_dist_t *dist) {
  const int P = bn_ctx_size(ctx);
  int *sc = NULL;
  bn_imp_entry_t *out = NULL, *in = NULL;
  bn_status_t st = bn_calloc(ctx, bn_size_mul(4, (size_t)P), sizeof(int), &sc);
  if (st == BN_OK) st = bn_mallocn(ctx, d->n + 1, sizeof *out, &out);
  BN_CALL(ctx, bn_agree(ctx, st));
  int *sd = sc + P, *rc = sc + 2 * P, *rd = sc + 3 * P;
  for (size_t k = 0; k < d->n; k++) sc[bn_dist_owner(dist, d->e[k].row)]++;
  for (int p = 1; p < P; p++) sd[p] = sd[p - 1] + sc[p - 1];
  for (size_t k = 0; k < d->n; k++)
    out[sd[bn_dist_owner(dist, d->e[k].row)]++] = d->e[k];
  for (int p = 0; p < P; p++) sd[p] -= sc[p]; /* back to the starts */
  BN_MPI(ctx, MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, bn_ctx_comm(ctx)));
  size_t n = 0;
  for (int p = 0; p < P; p++) rd[p] = (int)n, n += (size_t)rc[p];
  st = bn_agree(ctx, bn_mallocn(ctx, n + 1, sizeof *in, &in));
  MPI_Datatype entry;
  MPI_Type_contiguous((int)sizeof(bn_imp_entry_t), MPI_BYTE, &entry);
  MPI_Type_commit(&entry);
  if (st == BN_OK)
    BN_MPI(ctx, MPI_Alltoallv(out, sc, sd, entry, in, rc, rd, entry,
                              bn_ctx_comm(ctx)));
  MPI_Type_free(&entry);
  free(out);
  free(sc);
  BN_CALL(ctx, st);
  free(d->e);
  d->e = in;
  d->n = d->cap = n;
  return BN_OK;
}

bn_status_t bn_imp_csv_parallel(bn_ctx_t *ctx, bn_imp_data_t *d,
                                bn_imp_dup_t policy, bn_idx_t *total,
                                bn_idx_t *dups) {
  const int P = bn_ctx_size(ctx), me = bn_ctx_rank(ctx);
  bn_par_spec_t s;
  memset(&s, 0, sizeof s);
  d->layout[0] = '\0';
  bn_status_t st = me == 0 ? bn_par_layout(ctx, d, &s) : BN_OK;
  BN_CALL(ctx, bn_agree(ctx, st));
  BN_MPI(ctx, MPI_Bcast(&s, sizeof s, MPI_BYTE, 0, bn_ctx_comm(ctx)));
  const int64_t len = s.size - s.start;
  const int64_t a = s.start + len * me / P, b = s.start + len * (me + 1) / P;
  int64_t n = 0, first = 0, lines = 0;
  st = bn_par_lines(ctx, d, &s, a, b, 0, 0, &n);
  BN_CALL(ctx, bn_agree(ctx, st));
  BN_MPI(ctx,
         MPI_Exscan(&n, &first, 1, MPI_INT64_T, MPI_SUM, bn_ctx_comm(ctx)));
  if (me == 0) first = 0;
  st = bn_par_lines(ctx, d, &s, a, b, 1, s.lines0 + first, &n);
  BN_CALL(ctx, bn_agree(ctx, st));
  lines = n;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &lines, 1, MPI_INT64_T, MPI_SUM,
                            bn_ctx_comm(ctx)));
  d->lines = s.lines0 + lines;
  BN_CALL(ctx, bn_par_problems(ctx, d, "bad lines", ""));
  int64_t found = (int64_t)d->n;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &found, 1, MPI_INT64_T, MPI_SUM,
                            bn_ctx_comm(ctx)));
  if (found == 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: no ratings found (%lld lines)",
                        d->path, (long long)d->lines);
  BN_CALL(ctx, bn_par_renumber(ctx, d, 0, &d->row_ids, &d->rows));
  BN_CALL(ctx, bn_par_renumber(ctx, d, 1, &d->col_ids, &d->cols));
  bn_dist_t *dist = NULL;
  BN_CALL(ctx, bn_dist_create_uniform(ctx, d->rows, &dist));
  st = bn_par_send(ctx, d, dist);
  bn_dist_destroy(dist);
  BN_CALL(ctx, st);
  /* sort and resolve this block of rows; its messages are merged below */
  st = bn_imp_resolve(ctx, d, policy);
  if (st != BN_OK && d->nbad == 0) return bn_agree(ctx, st); /* overflow */
  bn_error_clear(ctx);
  BN_CALL(ctx, bn_par_problems(ctx, d, "duplicate entries",
                               "choose the duplicates policy first, last or "
                               "sum to merge them"));
  int64_t v[2] = {(int64_t)d->n, d->duplicates};
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_INT64_T, MPI_SUM,
                            bn_ctx_comm(ctx)));
  *total = v[0];
  *dups = v[1];
  return BN_OK;
}
