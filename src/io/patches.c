/* Patch geometry: corners, extraction, normalization, the "HxW" size. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/patches.h"

int64_t bn_patch_positions(int64_t n, int p, int s) {
  if (p < 1 || s < 1 || n < p) return 0;
  return (n - p) / s + 1;
}

int64_t bn_patch_count(int h, int w, int ph, int pw, int s) {
  return bn_patch_positions(h, ph, s) * bn_patch_positions(w, pw, s);
}

void bn_patch_extract(const double *img, int h, int w, int ph, int pw, int s,
                      int64_t k, double *out) {
  (void)h;
  int64_t nx = bn_patch_positions(w, pw, s);
  int64_t y0 = (k / nx) * s, x0 = (k % nx) * s;
  for (int y = 0; y < ph; y++)
    memcpy(out + (size_t)y * pw, img + (size_t)(y0 + y) * w + x0,
           (size_t)pw * sizeof *out);
}

int bn_patch_normalize(double *v, int m, bool center, bool unit_norm) {
  double raw = 0.0, mean = 0.0;
  for (int q = 0; q < m; q++) {
    raw += v[q] * v[q];
    mean += v[q];
  }
  mean /= m;
  if (center)
    for (int q = 0; q < m; q++) v[q] -= mean;
  if (!unit_norm) return 0;
  double nrm = 0.0;
  for (int q = 0; q < m; q++) nrm += v[q] * v[q];
  nrm = sqrt(nrm);
  if (!(nrm > 1e-12 * sqrt(raw))) return 1;
  for (int q = 0; q < m; q++) v[q] /= nrm;
  return 0;
}

/* A positive integer up to 4096 at *s; advances *s. */
static int side(const char **s, int *out) {
  if (!isdigit((unsigned char)**s)) return -1;
  char *end;
  errno = 0;
  long v = strtol(*s, &end, 10);
  if (errno || v < 1 || v > 4096) return -1;
  *s = end;
  *out = (int)v;
  return 0;
}

int bn_patch_parse_size(const char *text, int *h, int *w) {
  const char *s = text;
  if (!s || side(&s, h) != 0) return -1;
  if (*s == '\0') {
    *w = *h;
    return 0;
  }
  if (*s != 'x' && *s != 'X') return -1;
  s++;
  if (side(&s, w) != 0 || *s != '\0') return -1;
  return 0;
}
