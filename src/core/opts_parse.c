/* Options from the command line and from a deck file (key = value lines). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "core/opts_impl.h"

#define BN_DECK_MAX (1 << 20)

/* Rank 0 reads the whole deck; every rank gets the text (or the error). */
static bn_status_t bn_deck_read(bn_ctx_t *ctx, const char *path, char **text) {
  long len = 0;
  char *buf = NULL;
  bn_status_t st = BN_OK;
  *text = NULL;
  if (bn_ctx_rank(ctx) == 0) {
    FILE *f = fopen(path, "rb");
    if (!f) {
      st = BN_ERROR(ctx, BN_ERR_IO, "cannot open deck file '%s': %s", path,
                    strerror(errno));
    } else {
      if (fseek(f, 0, SEEK_END) == 0) len = ftell(f);
      rewind(f);
      if (len < 0 || len > BN_DECK_MAX)
        st = BN_ERROR(ctx, BN_ERR_IO,
                      "deck file '%s' is not a small text "
                      "file",
                      path);
      else if ((st = bn_malloc(ctx, (size_t)len + 1, &buf)) == BN_OK) {
        if (fread(buf, 1, (size_t)len, f) != (size_t)len)
          st = BN_ERROR(ctx, BN_ERR_IO, "cannot read deck file '%s'", path);
        buf[len] = '\0';
      }
      fclose(f);
    }
  }
  st = bn_agree(ctx, st);
  if (st != BN_OK) {
    free(buf);
    return st;
  }
  MPI_Bcast(&len, 1, MPI_LONG, 0, bn_ctx_comm(ctx));
  if (bn_ctx_rank(ctx) != 0) st = bn_malloc(ctx, (size_t)len + 1, &buf);
  st = bn_agree(ctx, st);
  if (st != BN_OK) {
    free(buf);
    return st;
  }
  MPI_Bcast(buf, (int)len + 1, MPI_CHAR, 0, bn_ctx_comm(ctx));
  *text = buf;
  return BN_OK;
}

static char *bn_trim(char *s) {
  while (isspace((unsigned char)*s)) s++;
  char *e = s + strlen(s);
  while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
  return s;
}

/* Parse `key = value` lines. Values may be quoted with "..." to keep spaces;
 * `#` and `;` start comments outside quotes. A key set twice is an error
 * (one of the two lines is a mistake); a UTF-8 byte order mark, which some
 * editors write first, is skipped. */
static bn_status_t bn_deck_apply(bn_opts_t *o, const char *path, char *text) {
  int lineno = 0, *set_on = NULL; /* the line that set each key, 0: none */
  char where[600];
  bn_status_t st = bn_calloc(o->ctx, (size_t)o->n, sizeof(int), &set_on);
  if (strncmp(text, "\xEF\xBB\xBF", 3) == 0) text += 3;
  for (char *line = text; st == BN_OK && line;) {
    char *next = strchr(line, '\n');
    if (next) *next++ = '\0';
    lineno++;
    snprintf(where, sizeof(where), "%s:%d: ", path, lineno);
    int quoted = 0;
    for (char *c = line; *c; c++) {
      if (*c == '"') quoted = !quoted;
      if (!quoted && (*c == '#' || *c == ';')) {
        *c = '\0';
        break;
      }
    }
    if (quoted) { /* else the quote would become part of the value */
      st = BN_ERROR(o->ctx, BN_ERR_ARG,
                    "%sa quote (\") is not closed on this line", where);
      break;
    }
    char *s = bn_trim(line);
    if (*s) {
      char *eq = strchr(s, '=');
      if (!eq) {
        st = BN_ERROR(o->ctx, BN_ERR_ARG, "%sexpected 'key = value', got '%s'",
                      where, s);
        break;
      }
      *eq = '\0';
      char *key = bn_trim(s), *val = bn_trim(eq + 1);
      size_t vl = strlen(val);
      if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
        val[vl - 1] = '\0';
        val++;
      }
      if (strncmp(key, "--", 2) == 0) key += 2;
      int k = bn_opts_find(o, key);
      if (k >= 0 && set_on[k])
        st = BN_ERROR(o->ctx, BN_ERR_ARG, "%s'%s' is already set on line %d",
                      where, key, set_on[k]);
      else
        st = bn_opts_set_at(o, key, val, BN_SRC_DECK, where);
      if (k >= 0) set_on[k] = lineno;
    }
    line = next;
  }
  free(set_on);
  return st;
}

static bool bn_is_bool_word(const char *s) {
  static const char *w[] = {"true", "false", "yes", "no",
                            "on",   "off",   "1",   "0"};
  for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
    if (!strcmp(s, w[i])) return true;
  return false;
}

/* Does `--key` (no '=') at argv[i] take argv[i+1] as its value? */
static bool bn_takes_next(const bn_opts_t *o, int k, int i, int argc,
                          char **argv) {
  if (i + 1 >= argc) return false;
  if (o->defs[k].type != BN_OPT_BOOL) return true;
  return bn_is_bool_word(argv[i + 1]); /* --flag false */
}

static bn_status_t bn_unknown(bn_opts_t *o, const char *arg) {
  char key[256];
  size_t kl = strcspn(arg + 2, "=");
  snprintf(key, sizeof(key), "%.*s", (int)(kl < 255 ? kl : 255), arg + 2);
  return bn_opts_set_at(o, key, "", BN_SRC_CMDLINE, ""); /* reports it */
}

static bn_status_t bn_opts_parse_local(bn_opts_t *o, int argc, char **argv,
                                       const char **deck) {
  *deck = NULL;
  /* First pass: unknown keys, then the deck (the one positional). */
  for (int i = 0; i < argc; i++) {
    if (strncmp(argv[i], "--", 2) == 0) {
      char key[256];
      size_t kl = strcspn(argv[i] + 2, "=");
      snprintf(key, sizeof(key), "%.*s", (int)(kl < 255 ? kl : 255),
               argv[i] + 2);
      int k = bn_opts_find(o, key);
      if (k < 0) return bn_unknown(o, argv[i]);
      if (!strchr(argv[i], '=') && bn_takes_next(o, k, i, argc, argv)) i++;
      continue;
    }
    size_t len = strlen(argv[i]);
    if (*deck || len < 5 || strcmp(argv[i] + len - 4, ".ini") != 0)
      return BN_ERROR_ALL(o->ctx, BN_ERR_ARG,
                          "unexpected argument '%s' (options are --key=value; "
                          "one deck file ending in .ini may be given)",
                          argv[i]);
    *deck = argv[i];
  }
  return BN_OK;
}

static bn_status_t bn_opts_parse_cmdline(bn_opts_t *o, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0) continue; /* the deck */
    char key[256];
    const char *eq = strchr(a, '=');
    size_t kl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    if (kl == 0 || kl >= sizeof(key))
      return BN_ERROR(o->ctx, BN_ERR_ARG, "malformed option '%s'", a);
    memcpy(key, a + 2, kl);
    key[kl] = '\0';
    const char *val = eq ? eq + 1 : NULL;
    int k = bn_opts_find(o, key);
    if (!val && k >= 0 && o->defs[k].type == BN_OPT_BOOL &&
        bn_takes_next(o, k, i, argc, argv))
      val = argv[++i];
    if (!val && k >= 0 && o->defs[k].type == BN_OPT_BOOL) val = "true";
    if (!val && k >= 0) {
      if (i + 1 >= argc)
        return BN_ERROR(o->ctx, BN_ERR_ARG, "option --%s needs a value", key);
      val = argv[++i];
    }
    if (!val) val = "";
    BN_CALL(o->ctx, bn_opts_set_at(o, key, val, BN_SRC_CMDLINE, ""));
  }
  return BN_OK;
}

bn_status_t bn_opts_parse(bn_opts_t *o, int argc, char **argv) {
  bn_ctx_t *ctx = o->ctx;
  const char *deck = NULL;
  /* argv is the same on every rank, so these verdicts agree by
   * construction; bn_agree keeps that true if it ever is not. */
  bn_status_t st = bn_opts_parse_local(o, argc, argv, &deck);
  BN_CALL(ctx, bn_agree(ctx, st));
  if (deck) {
    char *text = NULL;
    BN_CALL(ctx, bn_deck_read(ctx, deck, &text));
    st = bn_deck_apply(o, deck, text);
    free(text);
    BN_CALL(ctx, bn_agree(ctx, st));
    free(o->deck);
    o->deck = NULL;
    st = bn_malloc(ctx, strlen(deck) + 1, &o->deck);
    if (st == BN_OK) strcpy(o->deck, deck);
    BN_CALL(ctx, bn_agree(ctx, st));
  }
  st = bn_opts_parse_cmdline(o, argc, argv);
  BN_CALL(ctx, bn_agree(ctx, st));
  return BN_OK;
}
