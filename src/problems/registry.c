/* The problem registry: one line per problem. */
#include <string.h>

#include "benign/problem.h"

extern const bn_problem_ops_t bn_problem_complete;
extern const bn_problem_ops_t bn_problem_rpca;
extern const bn_problem_ops_t bn_problem_factor;
extern const bn_problem_ops_t bn_problem_sense;
extern const bn_problem_ops_t bn_problem_phase;
extern const bn_problem_ops_t bn_problem_glm;
extern const bn_problem_ops_t bn_problem_eig;
extern const bn_problem_ops_t bn_problem_tensor;
extern const bn_problem_ops_t bn_problem_dict;
extern const bn_problem_ops_t bn_problem_deconv;
extern const bn_problem_ops_t bn_problem_sasd;

static const bn_problem_ops_t *const bn_problems[] = {
    &bn_problem_complete, &bn_problem_rpca,   &bn_problem_factor,
    &bn_problem_sense,    &bn_problem_phase,  &bn_problem_glm,
    &bn_problem_eig,      &bn_problem_tensor, &bn_problem_dict,
    &bn_problem_deconv,   &bn_problem_sasd,   NULL};

const bn_problem_ops_t *bn_problem_find(const char *name) {
  for (int i = 0; bn_problems[i]; i++)
    if (!strcmp(bn_problems[i]->name, name)) return bn_problems[i];
  return NULL;
}

const bn_problem_ops_t *bn_problem_at(int i) {
  int n = 0;
  while (bn_problems[n]) n++;
  return i >= 0 && i < n ? bn_problems[i] : NULL;
}
