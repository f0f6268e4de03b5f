/* Matrix completion: the scaled metric (complete_precond.c), the
 * objective's precond that the solver "cg" uses (src/solvers/cg.c). */
#ifndef BN_PROBLEMS_COMPLETE_PRECOND_H
#define BN_PROBLEMS_COMPLETE_PRECOND_H

#include "problems/lowrank/complete_state.h"

/* Collective: pg = P(x) g, the scaled-gradient preconditioner: the rows
 * of the U part times (V^T V + eps I)^-1, those of the V part times
 * (U^T U + eps I)^-1 (eps = 1e-10 of their mean eigenvalue); biases
 * unchanged. pg may be g. */
bn_status_t bn_complete_precond(void *data, const double *x, const double *g,
                                double *pg);

#endif
