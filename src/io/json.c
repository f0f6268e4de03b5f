/* One-line JSON summaries: escaped strings, numbers or null. */
#include "benign/json.h"

#include <math.h>

void bn_json_put_str(FILE *f, const char *sep, const char *key, const char *s) {
  fprintf(f, "%s\"%s\":\"", sep, key);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      fprintf(f, "\\%c", *s);
    else if ((unsigned char)*s < 0x20)
      fprintf(f, "\\u%04x", *s);
    else
      fputc(*s, f);
  }
  fputc('"', f);
}

void bn_json_put_num(FILE *f, const char *sep, const char *key, double v) {
  if (isfinite(v))
    fprintf(f, "%s\"%s\":%.17g", sep, key, v);
  else
    fprintf(f, "%s\"%s\":null", sep, key);
}
