/* Private layout of bn_opts, shared by opts.c, opts_parse.c, opts_help.c. */
#ifndef BN_CORE_OPTS_IMPL_H
#define BN_CORE_OPTS_IMPL_H

#include "benign/opts.h"

struct bn_opts {
  bn_ctx_t *ctx;
  const bn_optdef_t *defs;
  int n;
  char **val;           /* current value as text, NULL = unset */
  bn_opt_source_t *src; /* where the value came from */
  char *deck;           /* deck path, if any */
};

int bn_opts_find(const bn_opts_t *o, const char *key);
/* `where` prefixes error messages, e.g. "deck.ini:3: ". */
bn_status_t bn_opts_set_at(bn_opts_t *o, const char *key, const char *value,
                           bn_opt_source_t source, const char *where);

#endif
