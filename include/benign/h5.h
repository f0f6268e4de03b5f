/* benign -- HDF5 files, read and written collectively with MPI-IO.
 *
 * Every call here is collective over the context's communicator. Each rank
 * reads or writes its own hyperslab (possibly empty). Errors are agreed, so a
 * missing file or dataset stops every rank with one message naming it.
 *
 * Results are written atomically: bn_h5_create writes to a temporary file
 * beside the target, bn_h5_commit renames it into place, bn_h5_close on an
 * uncommitted file deletes the temporary, so an earlier result is never
 * damaged by a failed run. */
#ifndef BENIGN_H5_H
#define BENIGN_H5_H

#include <stdint.h>
#include <stdio.h> /* FILE, for bn_h5_describe */

#include "benign/dmat.h"

typedef struct bn_h5 bn_h5_t;

bn_status_t bn_h5_open(bn_ctx_t *ctx, const char *path, bn_h5_t **out);
/* Create (via a temporary file) for writing; the target is not touched
 * until bn_h5_commit. bytes: about how much will be written (raw data),
 * checked against the free space of the target's file system first
 * (bn_h5_check_space; 0 = no check). Fails cleanly if the directory is not
 * writable or the space is short. */
bn_status_t bn_h5_create(bn_ctx_t *ctx, const char *path, double bytes,
                         bn_h5_t **out);
/* Collective: fail early (agreed) if `path` cannot become an output: its
 * directory is not writable, it is a directory, or it is the same file as
 * `input` (may be NULL). Nothing is created. */
bn_status_t bn_h5_check_output(bn_ctx_t *ctx, const char *path,
                               const char *input);
/* Collective: fail early (agreed) when the file system of `path` has
 * less room than a file of about `bytes` raw bytes needs (a full disk
 * found before writing, not half-way). */
bn_status_t bn_h5_check_space(bn_ctx_t *ctx, const char *path, double bytes);
/* Close, read every block written back against what was written (a full
 * disk can leave holes that closing does not report), flush to disk
 * (fsync) and rename the temporary over the target; on any failure the
 * target is untouched and bn_h5_close removes the temporary. */
bn_status_t bn_h5_commit(bn_h5_t *f);
/* The same, keeping the previous `keep - 1` versions of the target as
 * PATH.1 (newest) .. PATH.(keep-1); PATH exists at every moment. */
bn_status_t bn_h5_commit_keep(bn_h5_t *f, int keep);
/* Close; an uncommitted created file's temporary is removed. NULL is fine. */
void bn_h5_close(bn_h5_t *f);
const char *bn_h5_path(const bn_h5_t *f);
bn_ctx_t *bn_h5_ctx(const bn_h5_t *f); /* the context it was opened with */

/* Does the dataset (or group) exist? Intermediate groups may be missing. */
bn_status_t bn_h5_exists(bn_h5_t *f, const char *name, int *exists);
/* Shape of a dataset; a missing dataset is BN_ERR_DATA "FILE: no dataset
 * NAME". ndims is at most 4. */
bn_status_t bn_h5_shape(bn_h5_t *f, const char *name, int *ndims,
                        bn_idx_t dims[4]);

/* 1-D datasets: read/write elements [start, start+count) of this rank. */
bn_status_t bn_h5_read_i64(bn_h5_t *f, const char *name, bn_idx_t start,
                           bn_idx_t count, int64_t *buf);
bn_status_t bn_h5_read_f64(bn_h5_t *f, const char *name, bn_idx_t start,
                           bn_idx_t count, double *buf);
/* Create a 1-D dataset of `global` elements (intermediate groups created)
 * and write this rank's part. */
bn_status_t bn_h5_write_i64(bn_h5_t *f, const char *name, bn_idx_t global,
                            bn_idx_t start, bn_idx_t count, const int64_t *buf);
bn_status_t bn_h5_write_f64(bn_h5_t *f, const char *name, bn_idx_t global,
                            bn_idx_t start, bn_idx_t count, const double *buf);

/* 2-D datasets rows x k as row-partitioned matrices. read_dmat checks the
 * shape (rows must match the distribution; k = 0 accepts any) and creates
 * the matrix on `dist`. */
bn_status_t bn_h5_read_dmat(bn_h5_t *f, const char *name, bn_dist_t *dist,
                            int k, bn_dmat_t **out);
bn_status_t bn_h5_write_dmat(bn_h5_t *f, const char *name, const bn_dmat_t *a);
/* N-dimensional float64 datasets (1 <= nd <= 4), by blocks: create one of
 * extent dims (intermediate groups created), then each rank writes or
 * reads its block [start, start + count) (count[0] = 0: nothing, still
 * taking part), a contiguous row-major buffer; large blocks move in
 * pieces. A read converts any numeric type to float64. */
bn_status_t bn_h5_create_nd(bn_h5_t *f, const char *name, int nd,
                            const bn_idx_t *dims);
bn_status_t bn_h5_write_block(bn_h5_t *f, const char *name, int nd,
                              const bn_idx_t *start, const bn_idx_t *count,
                              const double *buf);
bn_status_t bn_h5_read_block(bn_h5_t *f, const char *name, int nd,
                             const bn_idx_t *start, const bn_idx_t *count,
                             double *buf);
/* Both at once for the common case: create NAME of extent dims and write
 * this rank's items [first, first + count) along the first dimension. */
bn_status_t bn_h5_write_rows(bn_h5_t *f, const char *name, int nd,
                             const bn_idx_t *dims, bn_idx_t first,
                             bn_idx_t count, const double *buf);
/* Items [start, start + count) along the first dimension of a numeric
 * dataset of 1 to 4 dimensions (an image stack N x H x W: N items of H W
 * values), read as float64 into buf (count times the product of the other
 * extents, row-major). */
bn_status_t bn_h5_read_slab_f64(bn_h5_t *f, const char *name, bn_idx_t start,
                                bn_idx_t count, double *buf);

/* Attributes on a group or dataset ("/" for the root). Written from every
 * rank with identical values (HDF5 metadata is collective). */
bn_status_t bn_h5_attr_set_str(bn_h5_t *f, const char *obj, const char *name,
                               const char *value);
bn_status_t bn_h5_attr_set_i64(bn_h5_t *f, const char *obj, const char *name,
                               int64_t value);
bn_status_t bn_h5_attr_set_f64(bn_h5_t *f, const char *obj, const char *name,
                               double value);
/* Does attribute NAME of object OBJ exist (a missing object: no)? */
bn_status_t bn_h5_attr_exists(bn_h5_t *f, const char *obj, const char *name,
                              int *exists);
/* A missing attribute is BN_ERR_DATA naming it. */
bn_status_t bn_h5_attr_get_i64(bn_h5_t *f, const char *obj, const char *name,
                               int64_t *value);
bn_status_t bn_h5_attr_get_f64(bn_h5_t *f, const char *obj, const char *name,
                               double *value);
/* Caller frees *value. */
bn_status_t bn_h5_attr_get_str(bn_h5_t *f, const char *obj, const char *name,
                               char **value);

/* Identity of a file for checkpoints: its size in bytes and a checksum
 * (16 hex digits) of its structure (object paths, dataset types and
 * shapes, attribute names). Collective; errors agreed. */
typedef struct bn_h5_identity {
  int64_t size;
  char checksum[17];
} bn_h5_identity_t;
bn_status_t bn_h5_identity(bn_ctx_t *ctx, const char *path,
                           bn_h5_identity_t *id);

/* Rank 0 prints a description of any HDF5 file: every group and dataset
 * with shape and type, and every attribute with its value. Collective. */
bn_status_t bn_h5_describe(bn_ctx_t *ctx, const char *path, FILE *stream);

#endif
