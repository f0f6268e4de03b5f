/* HDF5 layer: collective round trips of 1-D arrays, matrices and
 * attributes on uneven row blocks; atomic create/commit; errors that are
 * agreed on every rank; the describe tree. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/ctx.h"
#include "benign/dmat.h"
#include "benign/error.h"
#include "benign/h5.h"
#include "check.h"

static char dir[256]; /* per-run temporary directory, made by rank 0 */

static void make_dir(void) {
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) {
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/bn_h5_XXXXXX", base);
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof dir, MPI_CHAR, 0, MPI_COMM_WORLD);
  CHECK(dir[0] != '\0', "mkdtemp failed");
}

/* Rank 0: files in dir whose name contains `part` (temporaries). */
static int count_files(const char *part) {
  int n = 0;
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strstr(e->d_name, part)) n++;
  if (d) closedir(d);
  return n;
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

/* Rank 0 writes a small text file; everyone waits for it. */
static void write_text(const char *path, const char *text) {
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) {
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL, "cannot write %s", path);
    if (fp) {
      fputs(text, fp);
      fclose(fp);
    }
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

/* Rank 0: does the file hold exactly `text`? */
static int file_is(const char *path, const char *text) {
  char buf[256] = "";
  FILE *fp = fopen(path, "r");
  if (!fp) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  fclose(fp);
  buf[n] = '\0';
  return strcmp(buf, text) == 0;
}

/* A failure must carry `code` on every rank and a message with `needle`;
 * the error is then cleared for the next case. */
static void expect_fail(bn_ctx_t *ctx, bn_status_t st, bn_status_t code,
                        const char *needle, const char *what) {
  int s = (int)st, lo, hi;
  MPI_Allreduce(&s, &lo, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&s, &hi, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  CHECK(st == code, "%s: status %d, expected %d (%s)", what, (int)st, (int)code,
        bn_error_message(ctx));
  CHECK(lo == hi, "%s: ranks disagree (%d..%d)", what, lo, hi);
  CHECK(strstr(bn_error_message(ctx), needle) != NULL,
        "%s: message '%s' lacks '%s'", what, bn_error_message(ctx), needle);
  bn_error_clear(ctx);
}

/* Element i of the test arrays, and entry (i, j) of the test matrix. */
static int64_t ival(bn_idx_t i) { return 1000 + 7 * i; }
static double mval(bn_idx_t i, int j) { return 10.0 * i + j + 0.25; }

static void block(bn_idx_t n, int rank, int size, bn_idx_t *s, bn_idx_t *c) {
  /* Deliberately uneven: rank 0 gets the remainder. */
  bn_idx_t q = n / size, r = n % size;
  *s = rank == 0 ? 0 : r + rank * q;
  *c = rank == 0 ? q + r : q;
}

static void write_file(bn_ctx_t *ctx, const char *path) {
  int rank = bn_ctx_rank(ctx), size = bn_ctx_size(ctx);
  bn_h5_t *f = NULL;
  bn_idx_t s, c;
  int64_t iv[10];
  double xv[10];
  bn_dist_t *dist = NULL;
  bn_dmat_t *u = NULL;
  block(10, rank, size, &s, &c);
  for (bn_idx_t i = 0; i < c; i++) iv[i] = ival(s + i), xv[i] = 0.5 * (s + i);
  CHECK_OK(ctx, bn_h5_create(ctx, path, 0, &f));
  CHECK_OK(ctx, bn_h5_write_i64(f, "/a/b/ints", 10, s, c, iv));
  CHECK_OK(ctx, bn_h5_write_f64(f, "/x", 10, s, c, xv));
  CHECK_OK(ctx, bn_h5_write_f64(f, "/empty", 0, 0, 0, NULL));
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, 7, &dist));
  CHECK_OK(ctx, bn_dmat_create(dist, 3, &u));
  for (bn_idx_t i = 0; i < bn_dmat_local_rows(u); i++)
    for (int j = 0; j < 3; j++)
      bn_dmat_data(u)[i * 3 + j] = mval(bn_dmat_first_row(u) + i, j);
  CHECK_OK(ctx, bn_h5_write_dmat(f, "/U", u));
  CHECK_OK(ctx, bn_h5_attr_set_str(f, "/", "title", "hello \"world\""));
  CHECK_OK(ctx, bn_h5_attr_set_str(f, "/", "note", "h\xc3\xa9llo"));
  CHECK_OK(ctx, bn_h5_attr_set_i64(f, "/", "answer", -42));
  CHECK_OK(ctx, bn_h5_attr_set_i64(f, "/", "answer", 42)); /* replaces */
  CHECK_OK(ctx, bn_h5_attr_set_f64(f, "/a/b/ints", "scale", 0.125));
  int e = -1;
  CHECK_OK(ctx, bn_h5_exists(f, "/a/b", &e));
  CHECK(e == 1, "/a/b should exist while writing");
  expect_fail(ctx, bn_h5_write_i64(f, "/x", 10, s, c, iv), BN_ERR_ARG,
              "already exists", "write over an existing dataset");
  expect_fail(ctx, bn_h5_attr_set_i64(f, "/nope", "a", 1), BN_ERR_DATA,
              "no object '/nope'", "attribute on a missing object");
  if (rank == 0) CHECK(access(path, F_OK) != 0, "target exists before commit");
  CHECK_OK(ctx, bn_h5_commit(f));
  expect_fail(ctx, bn_h5_write_i64(f, "/late", 1, 0, rank == 0, iv),
              BN_ERR_STATE, "closed", "write after commit");
  bn_h5_close(f);
  if (rank == 0) {
    CHECK(access(path, R_OK) == 0, "target missing after commit");
    CHECK(count_files(".tmp.") == 0, "temporary left behind");
  }
  bn_dmat_destroy(u);
  bn_dist_destroy(dist);
}

static void read_file(bn_ctx_t *ctx, const char *path) {
  int rank = bn_ctx_rank(ctx), size = bn_ctx_size(ctx);
  bn_h5_t *f = NULL;
  int64_t iv[10] = {0}, a = 0;
  double xv[10] = {0}, sc = 0, af = 0;
  bn_idx_t dims[4] = {0}, s, c;
  int nd = 0, e = -1;
  char *str = NULL;
  CHECK_OK(ctx, bn_h5_open(ctx, path, &f));
  CHECK_OK(ctx, bn_h5_exists(f, "/a/b/ints", &e));
  CHECK(e == 1, "/a/b/ints missing");
  CHECK_OK(ctx, bn_h5_exists(f, "/nope/deeper", &e));
  CHECK(e == 0, "/nope/deeper should not exist");
  CHECK_OK(ctx, bn_h5_shape(f, "/U", &nd, dims));
  CHECK(nd == 2 && dims[0] == 7 && dims[1] == 3, "U shape %d %lld %lld", nd,
        (long long)dims[0], (long long)dims[1]);
  CHECK_OK(ctx, bn_h5_shape(f, "/empty", &nd, dims));
  CHECK(nd == 1 && dims[0] == 0, "empty shape");
  /* Everyone reads everything, then a block of a different split. */
  CHECK_OK(ctx, bn_h5_read_i64(f, "/a/b/ints", 0, 10, iv));
  for (int i = 0; i < 10; i++) CHECK(iv[i] == ival(i), "ints[%d]", i);
  block(10, size - 1 - rank, size, &s, &c);
  CHECK_OK(ctx, bn_h5_read_f64(f, "/x", s, c, xv));
  for (bn_idx_t i = 0; i < c; i++) CHECK_CLOSE(xv[i], 0.5 * (s + i), 0.0);
  CHECK_OK(ctx, bn_h5_read_f64(f, "/empty", 0, 0, NULL));
  /* Reading an int64 dataset as float64 converts. */
  CHECK_OK(ctx, bn_h5_read_f64(f, "/a/b/ints", 9, rank == 0, xv));
  if (rank == 0) CHECK_CLOSE(xv[0], (double)ival(9), 0.0);
  expect_fail(ctx, bn_h5_read_i64(f, "/x", 0, 1, iv), BN_ERR_DATA,
              "has a floating-point type, expected an integer type",
              "float read as int");
  expect_fail(ctx,
              bn_h5_read_i64(f, "/a/b/ints", rank == size - 1 ? 5 : 0,
                             rank == size - 1 ? 10 : 1, iv),
              BN_ERR_DATA, "has 10 elements", "range on the last rank");
  expect_fail(ctx, bn_h5_read_i64(f, "/nope", 0, 0, iv), BN_ERR_DATA,
              "no dataset '/nope'", "missing dataset");
  expect_fail(ctx, bn_h5_shape(f, "/a/b", &nd, dims), BN_ERR_DATA,
              "no dataset '/a/b'", "group as dataset");
  expect_fail(ctx, bn_h5_read_i64(f, "/nope", 0, 0, iv), BN_ERR_DATA, path,
              "message names the file");
  expect_fail(ctx, bn_h5_write_i64(f, "/w", 1, 0, rank == 0, iv), BN_ERR_STATE,
              "read-only", "write to a read-only file");

  bn_dist_t *dist = NULL, *dist8 = NULL;
  bn_dmat_t *u = NULL, *u0 = NULL, *bad = NULL;
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, 7, &dist));
  CHECK_OK(ctx, bn_h5_read_dmat(f, "/U", dist, 3, &u));
  CHECK_OK(ctx, bn_h5_read_dmat(f, "/U", dist, 0, &u0));
  for (bn_idx_t i = 0; u && u0 && i < bn_dmat_local_rows(u); i++)
    for (int j = 0; j < 3; j++) {
      bn_idx_t g = bn_dmat_first_row(u) + i;
      CHECK_CLOSE(bn_dmat_data(u)[i * 3 + j], mval(g, j), 0.0);
      CHECK_CLOSE(bn_dmat_data(u0)[i * 3 + j], mval(g, j), 0.0);
    }
  CHECK(u0 && bn_dmat_cols(u0) == 3, "k = 0 should take the file's columns");
  expect_fail(ctx, bn_h5_read_dmat(f, "/U", dist, 4, &bad), BN_ERR_DATA,
              "3 columns", "wrong k");
  CHECK(bad == NULL, "no matrix on failure");
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, 8, &dist8));
  expect_fail(ctx, bn_h5_read_dmat(f, "/U", dist8, 3, &bad), BN_ERR_DATA,
              "7 rows", "wrong rows");
  bn_dmat_destroy(u);
  bn_dmat_destroy(u0);
  bn_dist_destroy(dist);
  bn_dist_destroy(dist8);

  CHECK_OK(ctx, bn_h5_attr_get_str(f, "/", "title", &str));
  CHECK(str && strcmp(str, "hello \"world\"") == 0, "title '%s'", str);
  free(str);
  CHECK_OK(ctx, bn_h5_attr_get_str(f, "/", "note", &str));
  CHECK(str && strcmp(str, "h\xc3\xa9llo") == 0, "note '%s'", str);
  free(str);
  CHECK_OK(ctx, bn_h5_attr_get_i64(f, "/", "answer", &a));
  CHECK(a == 42, "answer %lld", (long long)a);
  CHECK_OK(ctx, bn_h5_attr_get_f64(f, "/", "answer", &af));
  CHECK_CLOSE(af, 42.0, 0.0);
  CHECK_OK(ctx, bn_h5_attr_get_f64(f, "/a/b/ints", "scale", &sc));
  CHECK_CLOSE(sc, 0.125, 0.0);
  expect_fail(ctx, bn_h5_attr_get_i64(f, "/a/b/ints", "scale", &a), BN_ERR_DATA,
              "not a single integer", "float attribute as int");
  expect_fail(ctx, bn_h5_attr_get_i64(f, "/", "nope", &a), BN_ERR_DATA,
              "no attribute 'nope'", "missing attribute");
  expect_fail(ctx, bn_h5_attr_get_str(f, "/", "answer", &str), BN_ERR_DATA,
              "not a single string", "number as string");
  CHECK(str == NULL, "no string on failure");
  bn_h5_close(f);
}

static void failures(bn_ctx_t *ctx) {
  int rank = bn_ctx_rank(ctx), size = bn_ctx_size(ctx);
  char missing[512], text[512], target[512], nodir[512];
  bn_h5_t *f = NULL;
  int64_t v = 5;
  snprintf(missing, sizeof missing, "%s/missing.h5", dir);
  snprintf(text, sizeof text, "%s/text.h5", dir);
  snprintf(target, sizeof target, "%s/keep.h5", dir);
  snprintf(nodir, sizeof nodir, "%s/no/such/dir/x.h5", dir);
  expect_fail(ctx, bn_h5_open(ctx, missing, &f), BN_ERR_IO,
              "No such file or directory", "open a missing file");
  CHECK(f == NULL, "no handle on failure");
  write_text(text, "not hdf5\n");
  expect_fail(ctx, bn_h5_open(ctx, text, &f), BN_ERR_DATA,
              "is not an HDF5 file", "open a text file");
  expect_fail(ctx, bn_h5_create(ctx, nodir, 0, &f), BN_ERR_IO, "no/such/dir",
              "create in a missing directory");

  /* An uncommitted file vanishes and leaves the old target as it was. */
  write_text(target, "precious\n");
  CHECK_OK(ctx, bn_h5_create(ctx, target, 0, &f));
  CHECK_OK(ctx, bn_h5_write_i64(f, "/v", 1, 0, rank == 0, &v));
  if (size > 1)
    expect_fail(ctx, bn_h5_write_i64(f, "/w", rank + 1, 0, 0, &v), BN_ERR_ARG,
                "disagree", "sizes differ across ranks");
  expect_fail(ctx, bn_h5_write_i64(f, "/w", 1, 0, 2, &v), BN_ERR_ARG,
              "writes [0, 2)", "write past the end");
  bn_h5_close(f);
  if (rank == 0) {
    CHECK(file_is(target, "precious\n"), "target damaged by a failed write");
    CHECK(count_files(".tmp.") == 0, "temporary left behind");
  }
  /* A committed file replaces it. */
  CHECK_OK(ctx, bn_h5_create(ctx, target, 0, &f));
  CHECK_OK(ctx, bn_h5_write_i64(f, "/v", 1, 0, rank == 0, &v));
  CHECK_OK(ctx, bn_h5_commit(f));
  bn_h5_close(f);
  v = 0;
  CHECK_OK(ctx, bn_h5_open(ctx, target, &f));
  CHECK_OK(ctx, bn_h5_read_i64(f, "/v", 0, 1, &v));
  CHECK(v == 5, "replaced file reads %lld", (long long)v);
  bn_h5_close(f);
  bn_h5_close(NULL);
}

static void describe(bn_ctx_t *ctx, const char *path) {
  int rank = bn_ctx_rank(ctx);
  char *buf = NULL, missing[512];
  size_t len = 0;
  FILE *out = rank == 0 ? open_memstream(&buf, &len) : stdout;
  CHECK_OK(ctx, bn_h5_describe(ctx, path, out));
  if (rank == 0) {
    fclose(out);
    const char *want[] = {"/a  group\n",
                          "/a/b/ints  [10]  int64\n",
                          "  @scale = 0.125\n",
                          "/U  [7 x 3]  float64\n",
                          "/empty  [0]  float64\n",
                          "  @answer = 42\n",
                          "  @title = \"hello \\\"world\\\"\"\n"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
      CHECK(buf && strstr(buf, want[i]), "describe lacks '%s':\n%s", want[i],
            buf ? buf : "");
    free(buf);
  }
  snprintf(missing, sizeof missing, "%s/missing.h5", dir);
  expect_fail(ctx, bn_h5_describe(ctx, missing, stdout), BN_ERR_IO,
              "No such file", "describe a missing file");
}

int main(int argc, char **argv) {
  bn_ctx_t *ctx = NULL;
  char path[512];
  MPI_Init(&argc, &argv);
  CHECK(bn_ctx_create(MPI_COMM_WORLD, &ctx) == BN_OK, "bn_ctx_create");
  make_dir();
  snprintf(path, sizeof path, "%s/a.h5", dir);
  write_file(ctx, path);
  read_file(ctx, path);
  failures(ctx);
  describe(ctx, path);
  remove_dir();
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_h5");
  MPI_Finalize();
  return rc;
}
