/* Options: typed values declared per command, set from a deck file and the
 * command line, validated on set. */
#include "benign/opts.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "core/opts_impl.h"

bn_status_t bn_opts_create(bn_ctx_t *ctx, const bn_optdef_t *defs,
                           bn_opts_t **out) {
  bn_opts_t *o = NULL;
  *out = NULL;
  BN_CALL(ctx, bn_calloc(ctx, 1, sizeof(*o), &o));
  o->ctx = ctx;
  o->defs = defs;
  while (defs[o->n].key) o->n++;
  bn_status_t st = bn_calloc(ctx, (size_t)o->n, sizeof(*o->val), &o->val);
  if (st == BN_OK) st = bn_calloc(ctx, (size_t)o->n, sizeof(*o->src), &o->src);
  for (int i = 0; st == BN_OK && i < o->n; i++)
    if (defs[i].def)
      st = bn_opts_set(o, defs[i].key, defs[i].def, BN_SRC_DEFAULT);
  if (st != BN_OK) {
    bn_opts_destroy(o);
    return st;
  }
  *out = o;
  return BN_OK;
}

void bn_opts_destroy(bn_opts_t *o) {
  if (!o) return;
  for (int i = 0; o->val && i < o->n; i++) free(o->val[i]);
  free(o->val);
  free(o->src);
  free(o->deck);
  free(o);
}

int bn_opts_find(const bn_opts_t *o, const char *key) {
  for (int i = 0; i < o->n; i++)
    if (strcmp(o->defs[i].key, key) == 0) return i;
  return -1;
}

static bool bn_parse_bool(const char *s, bool *v) {
  static const char *yes[] = {"true", "yes", "on", "1"};
  static const char *no[] = {"false", "no", "off", "0"};
  for (int i = 0; i < 4; i++) {
    if (strcmp(s, yes[i]) == 0) return (*v = true), true;
    if (strcmp(s, no[i]) == 0) return (*v = false), true;
  }
  return false;
}

static bool bn_parse_int(const char *s, int64_t *v) {
  char *end;
  errno = 0;
  long long x = strtoll(s, &end, 10);
  if (errno || end == s || *end) {
    /* Accept integral reals such as 1e6 or 20000000.0. */
    double d = strtod(s, &end);
    if (end == s || *end || !isfinite(d) || d != floor(d) || fabs(d) > 9e18)
      return false;
    x = (long long)d;
  }
  *v = x;
  return true;
}

/* A number too large for bn_parse_int: "out of range", not "not an
 * integer" (and never wrapped around). */
static bool bn_int_overflows(const char *s) {
  char *end;
  errno = 0;
  double d = strtod(s, &end);
  return end != s && !*end && (errno == ERANGE || isfinite(d)) &&
         fabs(d) > 9e18;
}

/* A finite number; a subnormal is fine (strtod reports ERANGE for it
 * too), a nonzero literal that rounds to 0 is not. */
static bool bn_parse_real(const char *s, double *v) {
  char *end;
  errno = 0;
  double x = strtod(s, &end);
  if (end == s || *end || !isfinite(x)) return false;
  if (errno == ERANGE && x == 0.0) return false;
  *v = x;
  return true;
}

static bool bn_in_choices(const char *choices, const char *s) {
  size_t len = strlen(s);
  const char *p = choices;
  while (p && *p) {
    const char *bar = strchr(p, '|');
    size_t n = bar ? (size_t)(bar - p) : strlen(p);
    if (n == len && strncmp(p, s, n) == 0) return true;
    p = bar ? bar + 1 : NULL;
  }
  return false;
}

static bn_status_t bn_opts_check_value(bn_opts_t *o, int i, const char *v,
                                       const char *where) {
  const bn_optdef_t *d = &o->defs[i];
  int64_t iv;
  double rv;
  bool bv;
  switch (d->type) {
    case BN_OPT_INT:
      if (!bn_parse_int(v, &iv) && bn_int_overflows(v))
        return BN_ERROR_ALL(o->ctx, BN_ERR_ARG,
                            "%soption --%s: '%s' is outside the 64-bit "
                            "integer range",
                            where, d->key, v);
      if (!bn_parse_int(v, &iv))
        return BN_ERROR_ALL(o->ctx, BN_ERR_ARG,
                            "%soption --%s: '%s' is not an integer", where,
                            d->key, v);
      break;
    case BN_OPT_REAL:
      if (!bn_parse_real(v, &rv))
        return BN_ERROR_ALL(o->ctx, BN_ERR_ARG,
                            "%soption --%s: '%s' is not a finite number (or "
                            "is too small to be told from 0)",
                            where, d->key, v);
      break;
    case BN_OPT_BOOL:
      if (!bn_parse_bool(v, &bv))
        return BN_ERROR_ALL(o->ctx, BN_ERR_ARG,
                            "%soption --%s: '%s' is not true or false", where,
                            d->key, v);
      break;
    case BN_OPT_CHOICE:
      if (!bn_in_choices(d->choices, v))
        return BN_ERROR_ALL(o->ctx, BN_ERR_ARG,
                            "%soption --%s: '%s' is not one of %s", where,
                            d->key, v, d->choices);
      break;
    case BN_OPT_STRING:
      break;
  }
  return BN_OK;
}

bn_status_t bn_opts_set_at(bn_opts_t *o, const char *key, const char *value,
                           bn_opt_source_t source, const char *where) {
  int i = bn_opts_find(o, key);
  if (i < 0) {
    const char *near = bn_opts_suggest(o->defs, key);
    if (near)
      return BN_ERROR_ALL(o->ctx, BN_ERR_ARG,
                          "%sunknown option --%s (did you mean --%s?)", where,
                          key, near);
    return BN_ERROR_ALL(o->ctx, BN_ERR_ARG,
                        "%sunknown option --%s (see --help for the options)",
                        where, key);
  }
  BN_CALL(o->ctx, bn_opts_check_value(o, i, value, where));
  char *copy = NULL;
  BN_CALL(o->ctx, bn_malloc(o->ctx, strlen(value) + 1, &copy));
  strcpy(copy, value);
  free(o->val[i]);
  o->val[i] = copy;
  o->src[i] = source;
  return BN_OK;
}

bn_status_t bn_opts_set(bn_opts_t *o, const char *key, const char *value,
                        bn_opt_source_t source) {
  return bn_opts_set_at(o, key, value, source, "");
}

static const char *bn_opts_value(const bn_opts_t *o, const char *key, int *i) {
  *i = bn_opts_find(o, key);
  return *i >= 0 ? o->val[*i] : NULL;
}

static bn_status_t bn_opts_missing(const bn_opts_t *o, const char *key, int i) {
  if (i < 0)
    return BN_ERROR_ALL(o->ctx, BN_ERR_STATE, "option --%s is not declared",
                        key);
  return BN_ERROR_ALL(o->ctx, BN_ERR_ARG, "option --%s is required", key);
}

bn_status_t bn_opts_int(const bn_opts_t *o, const char *key, int64_t *v) {
  int i;
  const char *s = bn_opts_value(o, key, &i);
  if (!s || (o->defs[i].type != BN_OPT_INT && o->defs[i].type != BN_OPT_REAL))
    return bn_opts_missing(o, key, s ? -1 : i);
  if (!bn_parse_int(s, v))
    return BN_ERROR_ALL(o->ctx, BN_ERR_ARG,
                        "option --%s: '%s' is not an integer", key, s);
  return BN_OK;
}

bn_status_t bn_opts_real(const bn_opts_t *o, const char *key, double *v) {
  int i;
  const char *s = bn_opts_value(o, key, &i);
  if (!s) return bn_opts_missing(o, key, i);
  if (!bn_parse_real(s, v))
    return BN_ERROR_ALL(o->ctx, BN_ERR_ARG, "option --%s: '%s' is not a number",
                        key, s);
  return BN_OK;
}

bn_status_t bn_opts_bool(const bn_opts_t *o, const char *key, bool *v) {
  int i;
  const char *s = bn_opts_value(o, key, &i);
  if (!s) return bn_opts_missing(o, key, i);
  if (!bn_parse_bool(s, v))
    return BN_ERROR_ALL(o->ctx, BN_ERR_ARG,
                        "option --%s: '%s' is not a boolean", key, s);
  return BN_OK;
}

const char *bn_opts_string(const bn_opts_t *o, const char *key) {
  int i;
  return bn_opts_value(o, key, &i);
}

bool bn_opts_is_set(const bn_opts_t *o, const char *key) {
  return bn_opts_string(o, key) != NULL;
}

bn_opt_source_t bn_opts_source(const bn_opts_t *o, const char *key) {
  int i = bn_opts_find(o, key);
  return i >= 0 ? o->src[i] : BN_SRC_UNSET;
}

const char *bn_opts_deck(const bn_opts_t *o) { return o->deck; }

char *bn_opts_serialize(const bn_opts_t *o) {
  size_t len = 1;
  for (int i = 0; i < o->n; i++)
    if (o->val[i]) len += strlen(o->defs[i].key) + strlen(o->val[i]) + 2;
  char *s = malloc(len), *p = s;
  if (!s) return NULL;
  *p = '\0';
  for (int i = 0; i < o->n; i++)
    if (o->val[i]) p += sprintf(p, "%s=%s\n", o->defs[i].key, o->val[i]);
  return s;
}

static bool bn_opts_has_key(const bn_optdef_t *d, size_t n, const char *key) {
  for (size_t k = 0; k < n; k++)
    if (!strcmp(d[k].key, key)) return true;
  return false;
}

bn_optdef_t *bn_opts_merge(const bn_optdef_t *a, const bn_optdef_t *b,
                           const bn_optdef_t *c) {
  const bn_optdef_t *t[3] = {a, b, c};
  size_t len[3] = {0, 0, 0}, n = 0;
  for (int k = 0; k < 3; k++)
    while (t[k] && t[k][len[k]].key) len[k]++;
  bn_optdef_t *d =
      calloc(bn_size_add(bn_size_add(len[0], len[1]), len[2] + 1), sizeof(*d));
  if (!d) return NULL;
  for (int k = 0; k < 3; k++)
    for (size_t i = 0; i < len[k]; i++)
      if (!bn_opts_has_key(d, n, t[k][i].key)) d[n++] = t[k][i];
  return d;
}
