/* Patches: geometry against direct loops; bn_patch_select against a
 * brute-force sort by (key, id) with uneven splits (an empty process, ties,
 * excluded items, the radix rounds and the gather of ties); an import with
 * --max-patches gives rows that are a subsequence of the full import's;
 * the mosaic's pixels read back through libpng. */
#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "benign/patches.h"
#include "benign/png.h"
#include "benign/rng.h"
#include "check.h"

#include <hdf5.h>

static int rank_, size_;

static void test_geometry(void) {
  CHECK(bn_patch_positions(16, 4, 2) == 7, "positions 16/4/2");
  CHECK(bn_patch_positions(3, 4, 1) == 0, "patch larger than the side");
  CHECK(bn_patch_positions(4, 4, 9) == 1, "one position");
  CHECK(bn_patch_count(16, 20, 4, 4, 2) == 63, "count 16x20");
  int h = 11, w = 13, ph = 3, pw = 4, s = 2;
  double img[11 * 13], out[12];
  for (int q = 0; q < h * w; q++) img[q] = q * 0.5;
  int64_t k = 0;
  int bad = 0;
  for (int y0 = 0; y0 + ph <= h; y0 += s)
    for (int x0 = 0; x0 + pw <= w; x0 += s, k++) {
      bn_patch_extract(img, h, w, ph, pw, s, k, out);
      for (int y = 0; y < ph; y++)
        for (int x = 0; x < pw; x++)
          bad += out[y * pw + x] != img[(y0 + y) * w + x0 + x];
    }
  CHECK(k == bn_patch_count(h, w, ph, pw, s), "raster count %lld",
        (long long)k);
  CHECK(bad == 0, "%d extracted values differ", bad);
  double v[4] = {1, 2, 3, 6};
  CHECK(bn_patch_normalize(v, 4, true, true) == 0, "normalize");
  CHECK_CLOSE(v[0] + v[1] + v[2] + v[3], 0.0, 1e-14);
  CHECK_CLOSE(v[0] * v[0] + v[1] * v[1] + v[2] * v[2] + v[3] * v[3], 1.0,
              1e-14);
  double c[3] = {0.7, 0.7, 0.7};
  CHECK(bn_patch_normalize(c, 3, true, true) == 1, "constant: zero norm");
  double z[3] = {0, 0, 0};
  CHECK(bn_patch_normalize(z, 3, false, true) == 1, "zero: zero norm");
  int a, b;
  CHECK(bn_patch_parse_size("8x6", &a, &b) == 0 && a == 8 && b == 6, "8x6");
  CHECK(bn_patch_parse_size("5", &a, &b) == 0 && a == 5 && b == 5, "5");
  const char *bad_sizes[] = {"0x8", "8x",   "x8",   "8x8x", "-1x2",
                             "",    "4097", "8 x8", "8x0"};
  for (size_t i = 0; i < sizeof bad_sizes / sizeof *bad_sizes; i++)
    CHECK(bn_patch_parse_size(bad_sizes[i], &a, &b) != 0, "'%s' refused",
          bad_sizes[i]);
}

typedef struct item {
  uint64_t key;
  int64_t id;
} item_t;

static int cmp_item(const void *pa, const void *pb) {
  const item_t *x = pa, *y = pb;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* Key of global item g: kind 0 uniform doubles' bits (as the import),
 * kind 1 only 4 values (heavy ties). Every 7th item is excluded. */
static uint64_t key_of(int kind, int64_t g) {
  if (g % 7 == 3) return UINT64_MAX;
  double u = bn_rng_uniform(11, 99, (uint64_t)g, 0);
  uint64_t k;
  memcpy(&k, &u, sizeof k);
  return kind == 0 ? k : (uint64_t)(u * 4);
}

static void test_select(bn_ctx_t *ctx, int kind, int64_t n, int64_t want) {
  /* Uneven split: shares growing with the rank, and none for rank 1 when
   * there are 3 or more processes. */
  int64_t *off = calloc((size_t)size_ + 1, sizeof *off);
  for (int r = 0; r < size_; r++)
    off[r + 1] = off[r] + (r == 1 ? 0 : n * (r + 1) / (size_ * 2 + 1));
  off[size_] = n;
  int64_t g0 = off[rank_], nl = off[rank_ + 1] - g0;
  uint64_t *keys = malloc(sizeof *keys * (size_t)(nl + 1));
  unsigned char *sel = malloc((size_t)nl + 1);
  for (int64_t k = 0; k < nl; k++) keys[k] = key_of(kind, g0 + k);
  CHECK_OK(ctx, bn_patch_select(ctx, nl, keys, g0, want, sel));
  /* Brute force over all items, on every rank. */
  item_t *all = malloc(sizeof *all * (size_t)n);
  int64_t e = 0;
  for (int64_t g = 0; g < n; g++)
    if (key_of(kind, g) != UINT64_MAX) all[e++] = (item_t){key_of(kind, g), g};
  qsort(all, (size_t)e, sizeof *all, cmp_item);
  unsigned char *want_sel = calloc((size_t)n, 1);
  for (int64_t j = 0; j < e && j < want; j++) want_sel[all[j].id] = 1;
  int64_t wrong = 0, mine = 0, total = 0;
  for (int64_t k = 0; k < nl; k++) {
    wrong += sel[k] != want_sel[g0 + k];
    mine += sel[k];
  }
  MPI_Allreduce(&mine, &total, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
  CHECK(wrong == 0, "kind %d n %lld want %lld: %lld wrong choices", kind,
        (long long)n, (long long)want, (long long)wrong);
  int64_t expect = want < e ? (want > 0 ? want : 0) : e;
  CHECK(total == expect, "kind %d want %lld: chose %lld, expected %lld", kind,
        (long long)want, (long long)total, (long long)expect);
  free(want_sel);
  free(all);
  free(sel);
  free(keys);
  free(off);
}

/* Rank 0 writes an IDX file of n images h x w (values (7i + 3q) mod 256). */
static void write_idx(const char *path, int n, int h, int w) {
  if (rank_ == 0) {
    FILE *fp = fopen(path, "wb");
    unsigned char head[16] = {0, 0, 8, 3,
                              0, 0, 0, (unsigned char)n,
                              0, 0, 0, (unsigned char)h,
                              0, 0, 0, (unsigned char)w};
    fwrite(head, 1, 16, fp);
    for (int i = 0; i < n; i++)
      for (int q = 0; q < h * w; q++) fputc((7 * i + 3 * q + q * q) % 256, fp);
    fclose(fp);
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

/* Rank 0: /Y of a file (rows x cols), or NULL. */
static double *read_y(const char *path, hsize_t dims[2]) {
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t d = H5Dopen2(f, "/Y", H5P_DEFAULT), s = H5Dget_space(d);
  H5Sget_simple_extent_dims(s, dims, NULL);
  double *y = malloc(sizeof(double) * dims[0] * dims[1] + 1);
  H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, y);
  H5Sclose(s);
  H5Dclose(d);
  H5Fclose(f);
  return y;
}

static void test_sample(bn_ctx_t *ctx, const char *dir) {
  char idx[300], full[300], part[300];
  snprintf(idx, sizeof idx, "%s/c.idx", dir);
  snprintf(full, sizeof full, "%s/full.h5", dir);
  snprintf(part, sizeof part, "%s/part.h5", dir);
  write_idx(idx, 7, 9, 10);
  bn_patch_params_t p = {"idx", idx, full, NULL, 3,    3,
                         1,     0,   5,    true, true, NULL};
  bn_patch_stats_t s;
  CHECK_OK(ctx, bn_import_patches(ctx, &p, &s));
  CHECK(s.total == 7 * 7 * 8 && s.images == 7, "total %lld",
        (long long)s.total);
  p.output = part;
  p.max_patches = 50;
  CHECK_OK(ctx, bn_import_patches(ctx, &p, &s));
  CHECK(s.written == 50, "sample of 50: %lld rows", (long long)s.written);
  if (rank_ == 0) {
    hsize_t df[2], dp[2];
    double *yf = read_y(full, df), *yp = read_y(part, dp);
    CHECK(dp[0] == 50 && dp[1] == 9 && df[1] == 9, "shapes");
    /* Each sampled row is a later row of the full file than the last. */
    hsize_t at = 0, found = 0;
    for (hsize_t i = 0; i < dp[0] && dp[1] == df[1]; i++) {
      while (at < df[0] && memcmp(yf + at * 9, yp + i * 9, 9 * sizeof(double)))
        at++;
      if (at < df[0]) {
        found++;
        at++;
      }
    }
    CHECK(found == 50, "%llu of 50 sampled rows found in order",
          (unsigned long long)found);
    free(yf);
    free(yp);
    unlink(full);
    unlink(part);
    unlink(idx);
  }
}

static void test_mosaic(bn_ctx_t *ctx, const char *dir) {
  int cols, rows, zoom, W, H;
  CHECK(bn_png_mosaic_size(63, 4, 4, &cols, &rows, &zoom, &W, &H) &&
            cols == 8 && rows == 8 && zoom == 12 && W == 393 && H == 393,
        "size of 63 4x4 tiles: %d x %d tiles, zoom %d, %d x %d", cols, rows,
        zoom, W, H);
  CHECK(bn_png_mosaic_size(3, 2, 5, &cols, &rows, &zoom, &W, &H) && cols == 2 &&
            rows == 2 && zoom == 16 && W == 2 * 81 + 1 && H == 2 * 33 + 1,
        "size of 3 2x5 tiles");
  CHECK(!bn_png_mosaic_size(0, 2, 2, &cols, &rows, &zoom, &W, &H), "0 tiles");
  if (rank_ != 0) return;
  /* Three 2 x 5 tiles stored as the columns of a 10 x 3 matrix: tile 0
   * constant, tile 1 a ramp -4..5, tile 2 -1 at (0, 0) and 1 at (1, 4). */
  double a[10 * 3];
  for (int q = 0; q < 10; q++) {
    a[q * 3 + 0] = 2.5;
    a[q * 3 + 1] = q - 4;
    a[q * 3 + 2] = q == 0 ? -1 : q == 9 ? 1 : 0;
  }
  char path[300];
  snprintf(path, sizeof path, "%s/m.png", dir);
  CHECK_OK(ctx,
           bn_png_mosaic(ctx, path, a, 3, 2, 5, 1, 3, BN_PNG_SCALE_SYMMETRIC));
  png_image pi;
  memset(&pi, 0, sizeof pi);
  pi.version = PNG_IMAGE_VERSION;
  unsigned char *px = NULL;
  if (png_image_begin_read_from_file(&pi, path)) {
    pi.format = PNG_FORMAT_GRAY;
    px = malloc(PNG_IMAGE_SIZE(pi));
    png_image_finish_read(&pi, NULL, px, 0, NULL);
  }
  CHECK(px && (int)pi.width == 163 && (int)pi.height == 67, "read back");
  if (px) {
    /* Value (y, x) of tile k is drawn at 1 + col (5 z + 1) + x z + z/2. */
#define AT(k, y, x)                                                         \
  px[(size_t)(1 + ((k) / 2) * 33 + (y)*16 + 8) * 163 + 1 + ((k) % 2) * 81 + \
     (x)*16 + 8]
    CHECK(AT(0, 1, 3) == 255, "constant 2.5 (symmetric) is white: %d",
          AT(0, 1, 3));
    CHECK(AT(1, 0, 4) == 128, "ramp 0 is mid-gray: %d", AT(1, 0, 4));
    CHECK(AT(1, 1, 4) == 255 && abs(AT(1, 0, 0) - 25) <= 1, "ramp ends %d %d",
          AT(1, 1, 4), AT(1, 0, 0));
    CHECK(AT(2, 0, 0) == 0 && AT(2, 1, 4) == 255 && AT(2, 0, 2) == 128,
          "tile 2: %d %d %d", AT(2, 0, 0), AT(2, 1, 4), AT(2, 0, 2));
    CHECK(px[0] == 0 && px[(size_t)33 * 163 + 40] == 0, "black separators");
    CHECK(AT(3, 0, 0) == 0, "empty cell is black");
#undef AT
  }
  free(px);
  png_image_free(&pi);
  CHECK_OK(ctx,
           bn_png_mosaic(ctx, path, a, 3, 2, 5, 1, 3, BN_PNG_SCALE_MINMAX));
  unlink(path);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  bn_ctx_t *ctx = NULL;
  CHECK(bn_ctx_create(MPI_COMM_WORLD, &ctx) == BN_OK, "bn_ctx_create");
  char dir[256] = "";
  if (rank_ == 0) {
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/bn_patches_XXXXXX", base);
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof dir, MPI_CHAR, 0, MPI_COMM_WORLD);
  test_geometry();
  const int64_t wants[] = {0, 1, 17, 500, 856, 857, 858, 5000};
  for (size_t i = 0; i < sizeof wants / sizeof *wants; i++) {
    test_select(ctx, 0, 1000, wants[i]);
    test_select(ctx, 1, 1000, wants[i]);
  }
  /* More than 4096 eligible: radix rounds, then the gather (kind 0) or
   * all 64 bits fixed with thousands of equal keys (kind 1). */
  test_select(ctx, 0, 30000, 12345);
  test_select(ctx, 1, 30000, 12345);
  test_select(ctx, 1, 30000, 1);
  test_sample(ctx, dir);
  test_mosaic(ctx, dir);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank_ == 0) rmdir(dir);
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_patches");
  MPI_Finalize();
  return rc;
}
