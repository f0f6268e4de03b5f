/* Importers: MatrixMarket and CSV ratings into /omega, read back through
 * the HDF5 layer; duplicate policies; bad inputs give the right status on
 * every rank, a message naming FILE:LINE, and leave an existing output
 * byte-for-byte as it was. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "benign/h5.h"
#include "benign/import.h"
#include "check.h"

static char dir[256];       /* per-run temporary directory, made by rank 0 */
static char last_msg[1024]; /* the message of the last bad() case */

static void make_dir(void) {
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) {
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/bn_import_XXXXXX", base);
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof dir, MPI_CHAR, 0, MPI_COMM_WORLD);
  CHECK(dir[0] != '\0', "mkdtemp failed");
}

static void remove_dir(void) {
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank != 0) return;
  DIR *d = opendir(dir);
  struct dirent *e;
  char p[512];
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    unlink(p);
  }
  if (d) closedir(d);
  rmdir(dir);
}

/* dir/name; a small ring of buffers so a call can use several. */
static const char *in_dir(const char *name) {
  static char buf[4][512];
  static int next = 0;
  char *p = buf[next++ % 4];
  snprintf(p, 512, "%s/%s", dir, name);
  return p;
}

static void write_text(const char *name, const char *text) {
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) {
    FILE *fp = fopen(in_dir(name), "w");
    CHECK(fp != NULL, "cannot write %s", name);
    if (fp) {
      fputs(text, fp);
      fclose(fp);
    }
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

/* Rank 0: the whole file (caller frees), or NULL. */
static char *slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  char *buf = NULL;
  *len = 0;
  if (!fp) return NULL;
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if (buf) *len = fread(buf, 1, (size_t)n, fp);
  fclose(fp);
  return buf;
}

static int count_tmp(void) {
  int n = 0;
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strstr(e->d_name, ".tmp.")) n++;
  if (d) closedir(d);
  return n;
}

typedef struct expect {
  bn_idx_t rows, cols, n;
  const int64_t *row, *col;
  const double *val;
  const int64_t *row_ids, *col_ids; /* NULL: there must be no /map */
} expect_t;

static void check_ids(bn_ctx_t *ctx, bn_h5_t *f, const char *name, bn_idx_t n,
                      const int64_t *want) {
  int64_t got[16] = {0};
  CHECK(n <= 16, "test too large");
  CHECK_OK(ctx, bn_h5_read_i64(f, name, 0, n, got));
  for (bn_idx_t k = 0; k < n; k++)
    CHECK(got[k] == want[k], "%s[%lld] = %lld, want %lld", name, (long long)k,
          (long long)got[k], (long long)want[k]);
}

/* Every rank reads the whole output back. */
static void check_output(bn_ctx_t *ctx, const char *out, const char *format,
                         const char *source, const expect_t *x) {
  bn_h5_t *f = NULL;
  double val[16] = {0};
  int64_t a = -1;
  int nd = 0, e = -1;
  bn_idx_t dims[4] = {0};
  char *s = NULL;
  CHECK_OK(ctx, bn_h5_open(ctx, out, &f));
  if (!f) return;
  CHECK_OK(ctx, bn_h5_shape(f, "/omega/val", &nd, dims));
  CHECK(nd == 1 && dims[0] == x->n, "%s: %lld entries, want %lld", out,
        (long long)dims[0], (long long)x->n);
  check_ids(ctx, f, "/omega/row", x->n, x->row);
  check_ids(ctx, f, "/omega/col", x->n, x->col);
  CHECK_OK(ctx, bn_h5_read_f64(f, "/omega/val", 0, x->n, val));
  for (bn_idx_t k = 0; k < x->n; k++) CHECK_CLOSE(val[k], x->val[k], 0.0);
  CHECK_OK(ctx, bn_h5_attr_get_i64(f, "/omega", "rows", &a));
  CHECK(a == x->rows, "rows %lld", (long long)a);
  CHECK_OK(ctx, bn_h5_attr_get_i64(f, "/omega", "cols", &a));
  CHECK(a == x->cols, "cols %lld", (long long)a);
  const char *want[3][2] = {
      {"source", source}, {"format", format}, {"creator", "benign import"}};
  for (int k = 0; k < 3; k++) {
    CHECK_OK(ctx, bn_h5_attr_get_str(f, "/", want[k][0], &s));
    CHECK(s && strcmp(s, want[k][1]) == 0, "@%s = '%s'", want[k][0], s);
    free(s);
  }
  CHECK_OK(ctx, bn_h5_exists(f, "/map", &e));
  CHECK(e == (x->row_ids != NULL), "/map exists: %d", e);
  if (x->row_ids) {
    check_ids(ctx, f, "/map/row_ids", x->rows, x->row_ids);
    check_ids(ctx, f, "/map/col_ids", x->cols, x->col_ids);
  }
  bn_h5_close(f);
}

static void check_stats(const bn_import_stats_t *s, bn_idx_t rows,
                        bn_idx_t cols, bn_idx_t n, bn_idx_t dups,
                        bn_idx_t lines) {
  CHECK(s->rows == rows && s->cols == cols && s->entries == n &&
            s->duplicates == dups && s->lines == lines,
        "stats %lld %lld %lld %lld %lld", (long long)s->rows,
        (long long)s->cols, (long long)s->entries, (long long)s->duplicates,
        (long long)s->lines);
}

static void good_mtx(bn_ctx_t *ctx) {
  bn_import_stats_t st = {0};
  write_text("g.mtx",
             "%%MatrixMarket matrix coordinate real general\n"
             "% a comment\n3 4 5\n3 4 1.5\n1 1 2\n2 3 -1e-3\n  1 4 4  \n\n"
             "3 1 7\n");
  const int64_t row[] = {0, 0, 1, 2, 2}, col[] = {0, 3, 2, 0, 3};
  const double val[] = {2, 4, -1e-3, 7, 1.5};
  expect_t x = {3, 4, 5, row, col, val, NULL, NULL};
  CHECK_OK(ctx, bn_import_ratings(ctx, "mtx", in_dir("g.mtx"), in_dir("g.h5"),
                                  NULL, &st));
  check_stats(&st, 3, 4, 5, 0, 9);
  check_output(ctx, in_dir("g.h5"), "mtx", in_dir("g.mtx"), &x);

  write_text("s.mtx",
             "%%MatrixMarket matrix coordinate integer symmetric\n"
             "3 3 3\n1 1 5\n3 1 2\n3 2 -4\n");
  const int64_t srow[] = {0, 0, 1, 2, 2}, scol[] = {0, 2, 2, 0, 1};
  const double sval[] = {5, 2, -4, 2, -4};
  expect_t sx = {3, 3, 5, srow, scol, sval, NULL, NULL};
  CHECK_OK(ctx, bn_import_ratings(ctx, "mtx", in_dir("s.mtx"), in_dir("s.h5"),
                                  "error", &st));
  check_stats(&st, 3, 3, 5, 0, 5);
  check_output(ctx, in_dir("s.h5"), "mtx", in_dir("s.mtx"), &sx);
}

static void good_csv(bn_ctx_t *ctx) {
  bn_import_stats_t st = {0};
  write_text("r.csv",
             "userId,movieId,rating,timestamp\r\n10, 100 ,4.5,964982703\r\n"
             "3,5,3.0,964981247\r\n\r\n7,100,5,964982224\r\n3,100,1.5,1\r\n");
  const int64_t row[] = {0, 0, 1, 2}, col[] = {0, 1, 1, 1};
  const double val[] = {3.0, 1.5, 5, 4.5};
  const int64_t rid[] = {3, 7, 10}, cid[] = {5, 100};
  expect_t x = {3, 2, 4, row, col, val, rid, cid};
  CHECK_OK(ctx, bn_import_ratings(ctx, "csv", in_dir("r.csv"), in_dir("r.h5"),
                                  NULL, &st));
  check_stats(&st, 3, 2, 4, 0, 6);
  check_output(ctx, in_dir("r.h5"), "csv", in_dir("r.csv"), &x);

  /* No header, and duplicates resolved by each policy. */
  write_text("d.csv", "1,1,1.0\n2,2,5.0\n1,1,2.0\n1,1,4.0\n");
  const char *policy[] = {"first", "last", "sum"};
  const double first[] = {1.0, 4.0, 7.0};
  const int64_t drow[] = {0, 1}, dcol[] = {0, 1}, did[] = {1, 2};
  for (int k = 0; k < 3; k++) {
    const double dval[] = {first[k], 5.0};
    expect_t dx = {2, 2, 2, drow, dcol, dval, did, did};
    CHECK_OK(ctx, bn_import_ratings(ctx, "csv", in_dir("d.csv"), in_dir("d.h5"),
                                    policy[k], &st));
    check_stats(&st, 2, 2, 2, 2, 4);
    check_output(ctx, in_dir("d.h5"), "csv", in_dir("d.csv"), &dx);
  }
}

/* A failing import: the status on every rank, the message, and the
 * untouched output. */
static void bad(bn_ctx_t *ctx, const char *format, const char *name,
                const char *text, const char *policy, bn_status_t code,
                const char *needle1, const char *needle2) {
  const char *out = in_dir("keep.h5");
  size_t n0 = 0, n1 = 0;
  char *before = NULL, *after = NULL;
  int rank = bn_ctx_rank(ctx), s, lo, hi;
  if (text) write_text(name, text);
  if (rank == 0) before = slurp(out, &n0);
  bn_status_t st =
      bn_import_ratings(ctx, format, in_dir(name), out, policy, NULL);
  s = (int)st;
  MPI_Allreduce(&s, &lo, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&s, &hi, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  CHECK(st == code, "%s: status %d, want %d (%s)", name, s, (int)code,
        bn_error_message(ctx));
  CHECK(lo == hi, "%s: ranks disagree (%d..%d)", name, lo, hi);
  CHECK(strstr(bn_error_message(ctx), needle1), "%s: '%s' lacks '%s'", name,
        bn_error_message(ctx), needle1);
  CHECK(strstr(bn_error_message(ctx), needle2), "%s: '%s' lacks '%s'", name,
        bn_error_message(ctx), needle2);
  snprintf(last_msg, sizeof last_msg, "%s", bn_error_message(ctx));
  bn_error_clear(ctx);
  if (rank == 0) {
    after = slurp(out, &n1);
    CHECK(before && after && n0 == n1 && memcmp(before, after, n0) == 0,
          "%s: the existing output changed", name);
    CHECK(count_tmp() == 0, "%s: temporary left behind", name);
  }
  free(before);
  free(after);
}

static void bad_inputs(bn_ctx_t *ctx) {
  const char *mm = "%%MatrixMarket matrix coordinate real general\n";
  char text[1024];
  /* The output every failure must leave alone. */
  CHECK_OK(ctx, bn_import_ratings(ctx, "mtx", in_dir("g.mtx"),
                                  in_dir("keep.h5"), NULL, NULL));
  bad(ctx, "csv", "m.csv", "u,i,r\n1,2,3\n1,2\n", NULL, BN_ERR_DATA,
      "m.csv:3: ", "found 2 fields");
  bad(ctx, "csv", "n.csv", "u,i,r\n1,2,3\n4,5,nan\n", NULL, BN_ERR_DATA,
      "n.csv:3: ", "not finite");
  bad(ctx, "csv", "x.csv", "u,i,r\n1,x,3\n", NULL, BN_ERR_DATA,
      "x.csv:2: ", "item id 'x'");
  bad(ctx, "csv", "dup.csv", "u,i,r\n1,1,1\n2,2,2\n1,1,3\n1,1,4\n", "error",
      BN_ERR_DATA, "dup.csv:4: duplicate entry (1, 1), first on line 2",
      "dup.csv:5: ");
  bad(ctx, "csv", "dup.csv", NULL, NULL, BN_ERR_DATA, "(2 duplicate entries",
      "sum");
  bad(ctx, "csv", "many.csv", "a,b,c\n1,1,1\nx\nx\nx\nx\nx\nx\nx\n", NULL,
      BN_ERR_DATA, "many.csv:7: ", "(7 bad lines in total)");
  CHECK(!strstr(last_msg, "many.csv:8:"), "only 5 quoted: %s", last_msg);
  bad(ctx, "csv", "empty.csv", "userId,movieId,rating\n", NULL, BN_ERR_DATA,
      "empty.csv", "no ratings");
  snprintf(text, sizeof text, "%s2 2 2\n1 1 1\n3 1 1.0\n", mm);
  bad(ctx, "mtx", "range.mtx", text, NULL, BN_ERR_DATA,
      "range.mtx:4: ", "outside the 2 x 2 matrix");
  snprintf(text, sizeof text, "%s2 2 2\n1 1 1\n2 1 inf\n", mm);
  bad(ctx, "mtx", "inf.mtx", text, NULL, BN_ERR_DATA,
      "inf.mtx:4: ", "not finite");
  snprintf(text, sizeof text, "%s2 2 3\n1 1 1\n2 1 1\n", mm);
  bad(ctx, "mtx", "count.mtx", text, NULL, BN_ERR_DATA,
      "count.mtx:2: ", "declares 3 entries but the file has 2");
  snprintf(text, sizeof text, "%s2 2 2\n1 1 1\n1 1 2\n", mm);
  bad(ctx, "mtx", "dup.mtx", text, NULL, BN_ERR_DATA,
      "dup.mtx:4: ", "duplicate entry (1, 1), first on line 3");
  bad(ctx, "mtx", "pat.mtx",
      "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1\n", NULL,
      BN_ERR_DATA, "pat.mtx:1: ", "'pattern' is not supported");
  bad(ctx, "mtx", "cx.mtx",
      "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n",
      NULL, BN_ERR_DATA, "cx.mtx:1: ", "'complex' is not supported");
  bad(ctx, "mtx", "arr.mtx", "%%MatrixMarket matrix array real general\n", NULL,
      BN_ERR_DATA, "arr.mtx:1: ", "'array' is not supported");
  bad(ctx, "mtx", "nob.mtx", "2 2 1\n1 1 1\n", NULL, BN_ERR_DATA,
      "nob.mtx:1: ", "no %%MatrixMarket banner");
  bad(ctx, "mtx", "nosuch.mtx", NULL, NULL, BN_ERR_IO, "nosuch.mtx",
      "No such file or directory");
  bad(ctx, "tsv", "g.mtx", NULL, NULL, BN_ERR_ARG, "unknown format", "tsv");
  bad(ctx, "mtx", "g.mtx", NULL, "max", BN_ERR_ARG, "duplicates policy", "max");

  /* A good input into a directory that does not exist: the write fails. */
  int s = (int)bn_import_ratings(ctx, "mtx", in_dir("g.mtx"),
                                 in_dir("no/such/out.h5"), NULL, NULL);
  int lo, hi;
  MPI_Allreduce(&s, &lo, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&s, &hi, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  CHECK(s == BN_ERR_IO && lo == hi, "missing output dir: %d (%d..%d) %s", s, lo,
        hi, bn_error_message(ctx));
  CHECK(strstr(bn_error_message(ctx), "no/such"), "message '%s'",
        bn_error_message(ctx));
  bn_error_clear(ctx);
}

int main(int argc, char **argv) {
  bn_ctx_t *ctx = NULL;
  MPI_Init(&argc, &argv);
  CHECK(bn_ctx_create(MPI_COMM_WORLD, &ctx) == BN_OK, "bn_ctx_create");
  make_dir();
  good_mtx(ctx);
  good_csv(ctx);
  bad_inputs(ctx);
  remove_dir();
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_import");
  MPI_Finalize();
  return rc;
}
