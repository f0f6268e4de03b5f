/* The layout of a delimited text line: the delimiter (`::` as in
 * MovieLens ratings.dat, a tab as in u.data, a comma, a semicolon, or
 * blanks), found on the first data line, and whether the first non-blank
 * line is a header (its first field is not a number). */
#include <stdlib.h>
#include <string.h>

#include "io/import_internal.h"

void bn_imp_layout_detect(const char *line, bn_imp_layout_t *L) {
  memset(L, 0, sizeof *L);
  if (strstr(line, "::")) {
    L->sep = ':', L->dcolon = true;
    strcpy(L->name, "'::'");
  } else if (strchr(line, '\t')) {
    L->sep = '\t';
    strcpy(L->name, "tab");
  } else if (strchr(line, ',')) {
    L->sep = ',';
    strcpy(L->name, "','");
  } else if (strchr(line, ';')) {
    L->sep = ';';
    strcpy(L->name, "';'");
  } else {
    L->sep = 0;
    strcpy(L->name, "blanks");
  }
}

bool bn_imp_layout_named(const char *name, bn_imp_layout_t *L) {
  static const struct {
    const char *name, *line;
  } known[] = {
      {",", ","}, {";", ";"}, {"tab", "\t"}, {"space", " "}, {"::", "::"}};
  for (size_t k = 0; name && k < sizeof known / sizeof known[0]; k++)
    if (!strcmp(name, known[k].name)) {
      bn_imp_layout_detect(known[k].line, L);
      return true;
    }
  return false;
}

int bn_imp_layout_split(char *line, const bn_imp_layout_t *L, char **fields,
                        int max) {
  if (L->dcolon) /* "a::b::c" -> "a\x1f:b..." -> one-byte separators */
    for (char *p = strstr(line, "::"); p; p = strstr(p + 1, "::")) {
      p[0] = '\x1f';
      memmove(p + 1, p + 2, strlen(p + 2) + 1);
    }
  return bn_imp_split(line, L->dcolon ? '\x1f' : L->sep, fields, max);
}

bool bn_imp_is_header(char *line, const bn_imp_layout_t *L) {
  /* The whole line, copied: cut short, a long quoted id would lose its
   * closing quote and its line be taken for a header. */
  char *copy = strdup(line), *f[1];
  if (!copy) return false;
  int64_t id;
  double x;
  bool h = bn_imp_layout_split(copy, L, f, 1) >= 1 && *f[0] &&
           bn_imp_int(f[0], &id) != 0 && bn_imp_real(f[0], &x) < 0;
  free(copy);
  return h;
}
