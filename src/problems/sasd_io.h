/* SaS-BD files (sasd_io.c): the input (HDF5 /y or an image), the
 * generated instance, the result and its pictures. Every function is
 * collective; errors are agreed. */
#ifndef BN_PROBLEMS_SASD_IO_H
#define BN_PROBLEMS_SASD_IO_H

#include "problems/sasd.h"

/* Write the generated instance: /y and /x_true (rows [r0, r0 + n0) of
 * this process, unpadded, h x w or n), /a_true (replicated) and the
 * generator's attributes. In 1-D every process holds everything. */
bn_status_t bn_sasd_write_instance(bn_ctx_t *ctx, const bn_sasd_gen_t *p,
                                   const char *path, bn_idx_t r0, bn_idx_t n0,
                                   const double *y, const double *x,
                                   const double *a);

#endif
