/* Help text and "did you mean" suggestions for options. */
#include <stdlib.h>
#include <string.h>

#include "benign/opts.h"

/* Edit distance with adjacent transpositions (optimal string alignment):
 * "rnak" is one edit from "rank". */
static size_t bn_edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64) return (size_t)-1;
  size_t d[65][65];
  for (size_t i = 0; i <= la; i++) d[i][0] = i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[la][lb];
}

const char *bn_opts_suggest(const bn_optdef_t *defs, const char *key) {
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  for (const bn_optdef_t *d = defs; d->key; d++) {
    size_t dist = bn_edit_distance(key, d->key);
    /* A key that starts the same way (--max -> --max-iter) is close too. */
    if (strlen(key) >= 3 && strncmp(d->key, key, strlen(key)) == 0) dist = 1;
    if (dist < best_d) {
      best_d = dist;
      best = d->key;
    }
  }
  size_t allowed = strlen(key) / 3;
  if (allowed < 1) allowed = 1;
  return best_d <= (allowed > 3 ? 3 : allowed) ? best : NULL;
}

static const char *bn_type_name(const bn_optdef_t *d) {
  switch (d->type) {
    case BN_OPT_INT:
      return "integer";
    case BN_OPT_REAL:
      return "real";
    case BN_OPT_BOOL:
      return "bool";
    case BN_OPT_CHOICE:
      return d->choices;
    case BN_OPT_STRING:
      return "text";
  }
  return "";
}

void bn_opts_print_help(const bn_optdef_t *defs, FILE *stream) {
  for (const bn_optdef_t *d = defs; d->key; d++) {
    fprintf(stream, "  --%s=<%s>", d->key, bn_type_name(d));
    if (d->def)
      fprintf(stream, "  (default: %s)", *d->def ? d->def : "\"\"");
    else
      fprintf(stream, "  (no default)");
    fprintf(stream, "\n      %s\n", d->help);
  }
}
