/* tool_pngstat FILE.png: read a PNG back (libpng) and print
 *   WIDTH HEIGHT INKED COLORS
 * the pixels that are not white and the distinct colors -- so that a test
 * can tell a drawn picture from a blank one (tests/cli_plot.sh). */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: tool_pngstat FILE.png\n");
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
