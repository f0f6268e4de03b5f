/* Shared set-up for the problems' MPI tests: the option table a test
 * creates its problem from -- the problem's keys plus the library's shared
 * solve keys (bn_problem_optdefs), as the program merges them -- with
 * --init's default replaced where a test starts elsewhere by default. */
#ifndef BN_TEST_PROBLEM_FIXTURE_H
#define BN_TEST_PROBLEM_FIXTURE_H

#include <string.h>

#include "benign/benign.h"

/* init: the default of --init for this test, or NULL to keep the table's.
 * free() the result. */
static inline bn_optdef_t *fx_problem_defs(const char *name, const char *init) {
  bn_optdef_t *d = bn_problem_optdefs(name);
  for (bn_optdef_t *e = d; init && e && e->key; e++)
    if (!strcmp(e->key, "init")) e->def = init;
  return d;
}

#endif
