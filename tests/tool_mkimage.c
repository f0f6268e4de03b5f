/* tool_mkimage: images with known pixels for tests/cli_import_image.sh,
 * and a check of an imported /Y row against the patch they should give.
 *
 *   tool_mkimage png   FILE W H PATTERN N      8-bit gray (rgb: colour) PNG
 *   tool_mkimage pgm   FILE W H PATTERN N [ascii]  P5 (P2 with ascii)
 *   tool_mkimage jpeg  FILE W H PATTERN N      quality 100 (rgb: colour)
 *   tool_mkimage idx   FILE N H W PATTERN [gz] IDX ubyte images 0..N-1
 *   tool_mkimage badidx FILE                   a labels file (magic 0x801)
 *   tool_mkimage h5    FILE N H W PATTERN [nan]  /images float64 N x H x W,
 *                                              values as the pattern (0..255);
 *                                              nan: pixel (1, 2) of image N-1
 *   tool_mkimage check FILE.h5 ROW PATTERN N Y X PH PW CENTER UNIT SCALE TOL
 *       row ROW of /Y must equal the PH x PW patch at (Y, X) of image N of
 *       PATTERN, times SCALE (1/255: "u8", or 1), centered (CENTER 1) and
 *       scaled to unit norm (UNIT 1), within TOL; prints the largest error.
 *
 * Patterns (value at image n, row y, column x, 0..255):
 *   tex    (7x + 13y + 29n + (x y mod 11)) mod 256   (texture)
 *   grad   40 + 4x + 3y + 5n                          (smooth, for JPEG)
 *   blocks 50 for x < 10, else tex                    (constant left half)
 *   rgb    gray files: tex; colour files: (tex, 3 tex mod 256, 255 - tex),
 *          whose BT.601 luma 0.299 R + 0.587 G + 0.114 B the check expects
 * The expected values are computed here from the pattern, not by the
 * library's patch code. */
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "benign/ctx.h"
#include "benign/png.h"

/* After stdio.h: jpeglib.h uses FILE and size_t. */
#include <jpeglib.h>

static int tex(int n, int y, int x) {
  return (7 * x + 13 * y + 29 * n + (x * y) % 11) % 256;
}

/* Channel c (0..2) of the pattern; gray patterns give the same for all. */
static int chan(const char *pat, int n, int y, int x, int c) {
  if (!strcmp(pat, "grad")) return 40 + 4 * x + 3 * y + 5 * n;
  if (!strcmp(pat, "blocks")) return x < 10 ? 50 : tex(n, y, x);
  int t = tex(n, y, x);
  if (!strcmp(pat, "rgb")) return c == 0 ? t : c == 1 ? (3 * t) % 256 : 255 - t;
  return t;
}

static double value(const char *pat, int n, int y, int x) {
  if (!strcmp(pat, "rgb"))
    return 0.299 * chan(pat, n, y, x, 0) + 0.587 * chan(pat, n, y, x, 1) +
           0.114 * chan(pat, n, y, x, 2);
  return chan(pat, n, y, x, 0);
}

static int write_png(const char *path, int w, int h, const char *pat, int n) {
  int c = strcmp(pat, "rgb") == 0 ? 3 : 1;
  unsigned char *px = malloc((size_t)w * h * c);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int k = 0; k < c; k++)
        px[((size_t)y * w + x) * c + k] = (unsigned char)chan(pat, n, y, x, k);
  bn_ctx_t *ctx = NULL;
  int rc = bn_ctx_create(MPI_COMM_WORLD, &ctx) != BN_OK ||
           bn_png_write(ctx, path, w, h, c, px) != BN_OK;
  bn_ctx_destroy(ctx);
  free(px);
  return rc;
}

static int write_pgm(const char *path, int w, int h, const char *pat, int n,
                     int ascii) {
  FILE *fp = fopen(path, "wb");
  if (!fp) return 1;
  fprintf(fp, "%s\n# made by tool_mkimage\n%d %d\n255\n", ascii ? "P2" : "P5",
          w, h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      int v = chan(pat, n, y, x, 0);
      if (ascii)
        fprintf(fp, "%d%c", v, x + 1 == w ? '\n' : ' ');
      else
        fputc(v, fp);
    }
  return fclose(fp) != 0;
}

static int write_jpeg(const char *path, int w, int h, const char *pat, int n) {
  FILE *fp = fopen(path, "wb");
  if (!fp) return 1;
  int c = strcmp(pat, "rgb") == 0 ? 3 : 1;
  struct jpeg_compress_struct ci;
  struct jpeg_error_mgr je;
  ci.err = jpeg_std_error(&je);
  jpeg_create_compress(&ci);
  jpeg_stdio_dest(&ci, fp);
  ci.image_width = (JDIMENSION)w;
  ci.image_height = (JDIMENSION)h;
  ci.input_components = c;
  ci.in_color_space = c == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&ci);
  jpeg_set_quality(&ci, 100, TRUE);
  jpeg_start_compress(&ci, TRUE);
  unsigned char *row = malloc((size_t)w * c);
  while (ci.next_scanline < ci.image_height) {
    int y = (int)ci.next_scanline;
    for (int x = 0; x < w; x++)
      for (int k = 0; k < c; k++)
        row[x * c + k] = (unsigned char)chan(pat, n, y, x, k);
    JSAMPROW r = row;
    jpeg_write_scanlines(&ci, &r, 1);
  }
  jpeg_finish_compress(&ci);
  jpeg_destroy_compress(&ci);
  free(row);
  return fclose(fp) != 0;
}

static void be32(unsigned char *b, unsigned v) {
  b[0] = (unsigned char)(v >> 24);
  b[1] = (unsigned char)(v >> 16);
  b[2] = (unsigned char)(v >> 8);
  b[3] = (unsigned char)v;
}

static int write_idx(const char *path, int n, int h, int w, const char *pat,
                     int gz, unsigned magic) {
  gzFile g = gzopen(path, gz ? "wb9" : "wbT"); /* T: plain, no gzip */
  if (!g) return 1;
  unsigned char head[16];
  be32(head, magic);
  be32(head + 4, (unsigned)n);
  be32(head + 8, (unsigned)h);
  be32(head + 12, (unsigned)w);
  gzwrite(g, head, 16);
  for (int k = 0; k < n; k++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        unsigned char v = (unsigned char)chan(pat, k, y, x, 0);
        gzwrite(g, &v, 1);
      }
  return gzclose(g) != Z_OK;
}

static int write_h5(const char *path, int n, int h, int w, const char *pat,
                    int nan) {
  double *v = malloc(sizeof(double) * n * h * w);
  for (int k = 0; k < n; k++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        v[((size_t)k * h + y) * w + x] = value(pat, k, y, x);
  if (nan) v[((size_t)(n - 1) * h + 1) * w + 2] = NAN;
  hsize_t dims[3] = {(hsize_t)n, (hsize_t)h, (hsize_t)w};
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t s = H5Screate_simple(3, dims, NULL);
  hid_t d = H5Dcreate2(f, "/images", H5T_IEEE_F64LE, s, H5P_DEFAULT,
                       H5P_DEFAULT, H5P_DEFAULT);
  int rc = d < 0 ||
           H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0;
  H5Dclose(d);
  H5Sclose(s);
  H5Fclose(f);
  free(v);
  return rc;
}

/* 0 if row `row` of /Y matches the expected patch within tol. */
static int check(char **a) {
  const char *path = a[0], *pat = a[2];
  long long row = atoll(a[1]);
  int n = atoi(a[3]), y0 = atoi(a[4]), x0 = atoi(a[5]);
  int ph = atoi(a[6]), pw = atoi(a[7]), center = atoi(a[8]), unit = atoi(a[9]);
  double scale = strcmp(a[10], "u8") == 0 ? 1.0 / 255.0 : atof(a[10]);
  double tol = atof(a[11]);
  int m = ph * pw;
  double *want = malloc(sizeof(double) * m), *got = malloc(sizeof(double) * m);
  double mean = 0, nrm = 0;
  for (int y = 0; y < ph; y++)
    for (int x = 0; x < pw; x++) {
      want[y * pw + x] = value(pat, n, y0 + y, x0 + x) * scale;
      mean += want[y * pw + x] / m;
    }
  for (int q = 0; q < m; q++) {
    if (center) want[q] -= mean;
    nrm += want[q] * want[q];
  }
  for (int q = 0; unit && q < m; q++) want[q] /= sqrt(nrm);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t d = f >= 0 ? H5Dopen2(f, "/Y", H5P_DEFAULT) : -1;
  hid_t fs = d >= 0 ? H5Dget_space(d) : -1;
  hsize_t dims[2] = {0, 0}, off[2] = {(hsize_t)row, 0}, cnt[2] = {1, 0};
  int rc = 2;
  if (fs >= 0 && H5Sget_simple_extent_dims(fs, dims, NULL) == 2 &&
      dims[1] == (hsize_t)m && (hsize_t)row < dims[0]) {
    cnt[1] = (hsize_t)m;
    hsize_t mdim = (hsize_t)m;
    hid_t ms = H5Screate_simple(1, &mdim, NULL);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL);
    if (H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, got) >= 0) {
      double err = 0;
      for (int q = 0; q < m; q++) err = fmax(err, fabs(got[q] - want[q]));
      printf("row %lld: largest error %.3g (tolerance %g)\n", row, err, tol);
      rc = err <= tol ? 0 : 1;
    }
    H5Sclose(ms);
  } else {
    fprintf(stderr, "tool_mkimage check: %s has no row %lld of %d values\n",
            path, row, m);
  }
  if (fs >= 0) H5Sclose(fs);
  if (d >= 0) H5Dclose(d);
  if (f >= 0) H5Fclose(f);
  free(want);
  free(got);
  return rc;
}

static int run(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : "";
  if (!strcmp(cmd, "png") && argc == 7)
    return write_png(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5],
                     atoi(argv[6]));
  if (!strcmp(cmd, "pgm") && (argc == 7 || argc == 8))
    return write_pgm(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5],
                     atoi(argv[6]), argc == 8);
  if (!strcmp(cmd, "jpeg") && argc == 7)
    return write_jpeg(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5],
                      atoi(argv[6]));
  if (!strcmp(cmd, "idx") && (argc == 7 || argc == 8))
    return write_idx(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
                     argv[6], argc == 8, 0x00000803u);
  if (!strcmp(cmd, "badidx") && argc == 3)
    return write_idx(argv[2], 3, 4, 4, "tex", 0, 0x00000801u);
  if (!strcmp(cmd, "h5") && (argc == 7 || argc == 8))
    return write_h5(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
                    argv[6], argc == 8);
  if (!strcmp(cmd, "check") && argc == 14) return check(argv + 2);
  fprintf(stderr,
          "tool_mkimage: bad arguments (see the comment at the top "
          "of tests/tool_mkimage.c)\n");
  return 2;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rc = run(argc, argv);
  MPI_Finalize();
  return rc;
}
