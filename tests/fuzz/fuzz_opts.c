/* Fuzz target: options from a deck file and the command line
 * (src/core/opts_parse.c, src/core/opts.c, src/core/opts_help.c), against
 * the table `benign complete` uses: the problem's keys plus the shared
 * solver keys.
 *
 * Input layout: the bytes up to a line "%%argv" are the deck (written to a
 * scratch deck.ini, whose path becomes the first argument when the deck
 * part is not empty); each line after it is one more argument. An input
 * with no "%%argv" line is all deck. Checked: a success leaves every set
 * key readable with its typed getter, and serialize lists exactly the set
 * keys; a deck with a quote left open on a line is refused; a failure
 * records a message. */
#include <stdbool.h>

#include "benign/opts.h"
#include "benign/problem.h"
#include "fuzz_common.h"

enum { MAX_ARGS = 64 };

/* The keys of `benign complete`: the problem's plus the shared solve keys,
 * merged as the program merges them. */
static bn_optdef_t *defs;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  defs = bn_problem_optdefs("complete");
  if (!defs) bn_fuzz_fail("no option table for complete");
  bn_fuzz_setup();
  return 0;
}

/* Does some argument read --key or --key=...? */
static bool named(int argc, char **argv, const char *key) {
  size_t n = strlen(key);
  for (int i = 0; i < argc; i++)
    if (!strncmp(argv[i], "--", 2) && !strncmp(argv[i] + 2, key, n) &&
        (argv[i][n + 2] == '\0' || argv[i][n + 2] == '='))
      return true;
  return false;
}

/* A set key must read back with the getter of its type, and its source
 * must be real: a command-line value was named there, a deck value needs a
 * deck. */
static void check_values(const bn_opts_t *o, int argc, char **argv) {
  bn_ctx_t *ctx = bn_fuzz_ctx;
  for (const bn_optdef_t *d = defs; d->key; d++) {
    bn_opt_source_t src = bn_opts_source(o, d->key);
    if (src == BN_SRC_CMDLINE && !named(argc, argv, d->key))
      bn_fuzz_fail("--%s is from the command line but not named there", d->key);
    if (src == BN_SRC_DECK && !bn_opts_deck(o))
      bn_fuzz_fail("--%s is from a deck but there is none", d->key);
    if (!bn_opts_is_set(o, d->key)) continue;
    int64_t iv;
    double rv;
    bool bv;
    bn_status_t st = BN_OK;
    if (d->type == BN_OPT_INT) st = bn_opts_int(o, d->key, &iv);
    if (d->type == BN_OPT_REAL) st = bn_opts_real(o, d->key, &rv);
    if (d->type == BN_OPT_BOOL) st = bn_opts_bool(o, d->key, &bv);
    if (st != BN_OK)
      bn_fuzz_fail("--%s='%s' was accepted but does not read back: %s", d->key,
                   bn_opts_string(o, d->key), bn_error_message(ctx));
    if (bn_opts_source(o, d->key) == BN_SRC_UNSET)
      bn_fuzz_fail("--%s is set with no source", d->key);
  }
  char *s = bn_opts_serialize(o);
  if (!s) bn_fuzz_fail("serialize failed");
  size_t lines = 0, set = 0;
  for (const char *p = s; *p; p++) lines += *p == '\n';
  for (const bn_optdef_t *d = defs; d->key; d++)
    set += bn_opts_is_set(o, d->key);
  /* No value here can hold a newline (deck lines and arguments are cut at
   * newlines): one line per set key. */
  if (lines != set) bn_fuzz_fail("serialize: %zu lines, %zu keys", lines, set);
  free(s);
}

/* The deck's quoting, modelled independently of opts_parse.c: a `"`
 * toggles quoting, `#` or `;` outside quotes starts a comment, and the
 * text ends at a NUL byte (the reader's C string). Does a line end inside
 * quotes? Such a deck must be refused (a value "out.h5 with its quote
 * kept once named an output file). */
static bool unclosed_quote(const char *deck, size_t len) {
  bool quoted = false, comment = false;
  for (size_t i = 0; i < len && deck[i]; i++) {
    char c = deck[i];
    if (c == '\n') {
      if (quoted) return true;
      comment = false;
      continue;
    }
    if (comment) continue;
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '#' || c == ';')) comment = true;
  }
  return quoted;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char mark[] = "%%argv";
  char *text = malloc(size + 1), *args = NULL;
  char *argv[MAX_ARGS + 1];
  int argc = 0;
  if (!text) bn_fuzz_fail("out of memory");
  memcpy(text, data, size);
  text[size] = '\0';
  /* The mark must start a line and be a whole line. */
  for (char *p = text; (p = strstr(p, mark)); p += sizeof mark - 1)
    if ((p == text || p[-1] == '\n') &&
        (p[sizeof mark - 1] == '\n' || p[sizeof mark - 1] == '\0')) {
      args = p;
      break;
    }
  size_t deck_len = args ? (size_t)(args - text) : size;
  if (deck_len > 0 || !args)
    argv[argc++] = bn_fuzz_write(bn_fuzz_deck, data, deck_len);
  if (args) {
    char *p = args + sizeof mark - 1;
    while (*p == '\n' && argc < MAX_ARGS) {
      *p++ = '\0';
      argv[argc++] = p;
      p += strcspn(p, "\n");
    }
    if (*p == '\n') *p = '\0'; /* more than MAX_ARGS lines: the rest goes */
  }
  argv[argc] = NULL;

  bn_opts_t *o = NULL;
  bn_status_t st = bn_opts_create(bn_fuzz_ctx, defs, &o);
  if (st != BN_OK)
    bn_fuzz_fail("bn_opts_create: %s", bn_error_message(bn_fuzz_ctx));
  st = bn_opts_parse(o, argc, argv);
  if (st == BN_OK) check_values(o, argc, argv);
  if (st == BN_OK && (deck_len > 0 || !args) &&
      unclosed_quote((const char *)data, deck_len))
    bn_fuzz_fail("a deck with a quote left open on a line was accepted");
  bn_fuzz_check_error(st, "bn_opts_parse");
  /* What "did you mean" would say about each argument: a declared key. */
  for (int i = 0; i < argc; i++) {
    const char *near = bn_opts_suggest(defs, argv[i] + strspn(argv[i], "-"));
    const bn_optdef_t *d = defs;
    while (near && d->key && d->key != near) d++;
    if (near && !d->key) bn_fuzz_fail("suggested '%s' is not a key", near);
  }
  bn_opts_destroy(o);
  free(text);
  return 0;
}
