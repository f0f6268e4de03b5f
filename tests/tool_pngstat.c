/* tool_pngstat FILE.png: read a PNG back (libpng) and print
 *   WIDTH HEIGHT INKED COLORS
 * the pixels that are not white and the distinct colors -- so that a test
 * can tell a drawn picture from a blank one (tests/cli_plot.sh).
 *
 * tool_pngstat FILE.png RRGGBB: where the pixels of that colour (hex) are
 *   COUNT XMIN XMAX YMIN YMAX XTOP
 * XTOP the mean column of those in the topmost row (a curve's peak).
 * tool_pngstat FILE.png X0 Y0 X1 Y1: the red channel (gray) over that
 * rectangle (inclusive), MIN MAX MEAN (tests/cli_plot_pictures.sh). */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pixels of colour rgb: count, bounding box, top row's mean column. */
static void where(const png_image *pi, const unsigned char *px, unsigned rgb) {
  long n = 0, x0 = -1, x1 = -1, y0 = -1, y1 = -1, ts = 0, tn = 0;
  for (long y = 0; y < (long)pi->height; y++)
    for (long x = 0; x < (long)pi->width; x++) {
      const unsigned char *p = px + 3 * (y * (long)pi->width + x);
      if (((unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2]) != rgb) continue;
      if (!n++) x0 = x1 = x, y0 = y;
      x0 = x < x0 ? x : x0;
      x1 = x > x1 ? x : x1;
      y1 = y;
      if (y == y0) {
        ts += x;
        tn++;
      }
    }
  printf("%ld %ld %ld %ld %ld %ld\n", n, x0, x1, y0, y1, tn ? ts / tn : -1);
}

/* The red channel over the rectangle [x0, x1] x [y0, y1]. */
static int region(const png_image *pi, const unsigned char *px, long x0,
                  long y0, long x1, long y1) {
  if (x0 < 0 || y0 < 0 || x1 >= (long)pi->width || y1 >= (long)pi->height ||
      x1 < x0 || y1 < y0) {
    fprintf(stderr, "tool_pngstat: the rectangle is not in the picture\n");
    return 1;
  }
  int lo = 255, hi = 0;
  double sum = 0;
  for (long y = y0; y <= y1; y++)
    for (long x = x0; x <= x1; x++) {
      int v = px[3 * (y * (long)pi->width + x)];
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
      sum += v;
    }
  printf("%d %d %.2f\n", lo, hi, sum / (double)((x1 - x0 + 1) * (y1 - y0 + 1)));
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2 && argc != 3 && argc != 6) {
    fprintf(stderr, "usage: tool_pngstat FILE.png [RRGGBB | X0 Y0 X1 Y1]\n");
    return 2;
  }
  png_image pi;
  memset(&pi, 0, sizeof pi);
  pi.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&pi, argv[1])) {
    fprintf(stderr, "tool_pngstat: %s: %s\n", argv[1], pi.message);
    return 1;
  }
  pi.format = PNG_FORMAT_RGB;
  size_t n = PNG_IMAGE_SIZE(pi);
  unsigned char *px = malloc(n), *seen = calloc(1u << 21, 1);
  if (!px || !seen || !png_image_finish_read(&pi, NULL, px, 0, NULL)) {
    fprintf(stderr, "tool_pngstat: %s: cannot read the pixels\n", argv[1]);
    return 1;
  }
  if (argc == 3 || argc == 6) {
    int rc = 0;
    if (argc == 3)
      where(&pi, px, (unsigned)strtoul(argv[2], NULL, 16));
    else
      rc = region(&pi, px, atol(argv[2]), atol(argv[3]), atol(argv[4]),
                  atol(argv[5]));
    free(px);
    free(seen);
    return rc;
  }
  size_t inked = 0, colors = 0;
  for (size_t i = 0; i + 2 < n; i += 3) {
    unsigned v = (unsigned)px[i] << 16 | (unsigned)px[i + 1] << 8 | px[i + 2];
    inked += v != 0xFFFFFFu;
    if (!(seen[v >> 3] >> (v & 7) & 1)) colors++;
    seen[v >> 3] |= (unsigned char)(1u << (v & 7));
  }
  printf("%u %u %zu %zu\n", pi.width, pi.height, inked, colors);
  free(px);
  free(seen);
  return 0;
}
