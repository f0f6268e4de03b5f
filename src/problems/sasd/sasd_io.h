/* SaS-BD files (sasd_io.c): the input (HDF5 /y or an image), the
 * generated instance, the result and its pictures. Every function is
 * collective; errors are agreed. */
#ifndef BN_PROBLEMS_SASD_IO_H
#define BN_PROBLEMS_SASD_IO_H

#include "problems/sasd/sasd_state.h"

/* Write the generated instance: /y and /x_true (rows [r0, r0 + n0) of
 * this process, unpadded, h x w or n), /a_true (replicated) and the
 * generator's attributes. In 1-D every process holds everything. */
bn_status_t bn_sasd_write_instance(bn_ctx_t *ctx, const bn_sasd_gen_t *p,
                                   const char *path, bn_idx_t r0, bn_idx_t n0,
                                   const double *y, const double *x,
                                   const double *a);

/* A 2-D dataset of rows x cols from each process's rows [r0, r0 + n0)
 * (row stride ld), or (rows = 0) a 1-D dataset of cols from rank 0. */
bn_status_t bn_sasd_put(bn_ctx_t *ctx, bn_h5_t *f, const char *name,
                        bn_idx_t rows, bn_idx_t cols, bn_idx_t r0, bn_idx_t n0,
                        const double *v, size_t ld);
/* The history datasets /history/{iteration, objective, lambda, change,
 * residual, seconds} and, with err, /history/kernel_error (rank 0). */
bn_status_t bn_sasd_hist_write(bn_ctx_t *ctx, bn_h5_t *f,
                               const bn_sasd_hist_t *h, bool err);

#endif
