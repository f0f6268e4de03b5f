/* benign -- options from a deck file and the command line.
 *
 *   benign <command> [deck.ini] [--key=value | --key value | --flag] ...
 *
 * A deck file holds `key = value` lines (# or ; starts a comment) with the
 * same keys as the command line; the command line wins. Every key must be
 * declared in the command's table; an unknown key is rejected with the
 * closest declared key suggested. Parsing is deterministic, so every rank
 * reaches the same verdict; rank 0 reads the deck and broadcasts it. */
#ifndef BENIGN_OPTS_H
#define BENIGN_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "benign/types.h"

typedef enum bn_opt_type {
  BN_OPT_INT,    /* 64-bit integer                          */
  BN_OPT_REAL,   /* double                                  */
  BN_OPT_STRING, /* any text                                */
  BN_OPT_BOOL,   /* true/false/yes/no/1/0; `--flag` = true  */
  BN_OPT_CHOICE  /* one of the '|'-separated `choices`      */
} bn_opt_type_t;

typedef struct bn_optdef {
  const char *key;
  bn_opt_type_t type;
  const char *def; /* default as text; NULL = no default (unset) */
  const char *help;
  const char *choices; /* BN_OPT_CHOICE only: "a|b|c" */
} bn_optdef_t;

typedef enum bn_opt_source {
  BN_SRC_UNSET = 0,
  BN_SRC_DEFAULT,
  BN_SRC_DECK,
  BN_SRC_CMDLINE
} bn_opt_source_t;

typedef struct bn_opts bn_opts_t;

/* defs must outlive the object; a NULL key ends the table. */
bn_status_t bn_opts_create(bn_ctx_t *ctx, const bn_optdef_t *defs,
                           bn_opts_t **out);
void bn_opts_destroy(bn_opts_t *opts);

/* Collective (reads the deck on rank 0). argv[0] is the first argument after
 * the command name. Agreed: every rank gets the same verdict. */
bn_status_t bn_opts_parse(bn_opts_t *opts, int argc, char **argv);
/* Set one key (as from the command line); validates key and value. */
bn_status_t bn_opts_set(bn_opts_t *opts, const char *key, const char *value,
                        bn_opt_source_t source);

/* Typed getters. A key with no value gives BN_ERR_ARG naming the option. */
bn_status_t bn_opts_int(const bn_opts_t *opts, const char *key, int64_t *v);
bn_status_t bn_opts_real(const bn_opts_t *opts, const char *key, double *v);
bn_status_t bn_opts_bool(const bn_opts_t *opts, const char *key, bool *v);
/* Returns NULL when the key is unset. Valid for the object's lifetime. */
const char *bn_opts_string(const bn_opts_t *opts, const char *key);
bool bn_opts_is_set(const bn_opts_t *opts, const char *key);
bn_opt_source_t bn_opts_source(const bn_opts_t *opts, const char *key);
/* The deck file named on the command line, or NULL. */
const char *bn_opts_deck(const bn_opts_t *opts);

/* Help text: one block per key with its type, default and meaning. */
void bn_opts_print_help(const bn_optdef_t *defs, FILE *stream);
/* All set keys as "key=value" lines (provenance for result files). Caller
 * frees. */
char *bn_opts_serialize(const bn_opts_t *opts);

/* Closest key in defs to `key` by edit distance, or NULL if none is close. */
const char *bn_opts_suggest(const bn_optdef_t *defs, const char *key);

/* Not collective: one NULL-terminated table of the keys of a, then b,
 * then c (b and c may be NULL); a key already declared by an earlier table
 * is left out, so a command's or problem's own key (say --init with its own
 * choices) hides a shared one, in parsing and in help. The entries are
 * copies (their strings are not); free() the table. NULL: no memory. */
bn_optdef_t *bn_opts_merge(const bn_optdef_t *a, const bn_optdef_t *b,
                           const bn_optdef_t *c);

#endif
