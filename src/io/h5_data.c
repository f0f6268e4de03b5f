/* HDF5 datasets: 1-D arrays and row-partitioned matrices, each rank its
 * own block of rows, moved with collective MPI-IO transfers.
 *
 * A rank with nothing to move still takes part with an empty selection:
 * collective transfers need every rank, and an empty rank is normal (a
 * weighted distribution may give a rank no rows). */
#include <limits.h>
#include <stdlib.h>

#include "benign/dmat.h"
#include "io/h5_internal.h"

/* What a stored type must be to be read as int64 (integers only: reading
 * floats as integers would truncate silently) or as float64. */
enum want { WANT_INT, WANT_REAL };

/* Not agreed: the rank's rows [start, start + count) of a 1-D (nd = 1) or
 * rows x ncols (nd = 2) dataset, to or from a contiguous buffer. */
static bn_status_t transfer(bn_h5_t *f, const char *name, hid_t dset,
                            hid_t memtype, int write, int nd, hsize_t start,
                            hsize_t count, hsize_t ncols, void *buf) {
  hsize_t s[2] = {start, 0}, c[2] = {count, ncols};
  return bn_h5_move(f, name, dset, memtype, H5Tget_size(memtype), write, nd, s,
                    c, buf, NULL);
}

/* Not agreed: check an open dataset's rank, type class and extent; dims
 * receives the extent. */
static bn_status_t check_dataset(bn_h5_t *f, const char *name, hid_t dset,
                                 int nd, enum want want, hsize_t dims[2]) {
  hid_t space = H5Dget_space(dset), type = H5Dget_type(dset);
  H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
  int got = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  bn_status_t st = BN_OK;
  if (got != nd)
    st = BN_ERROR(f->ctx, BN_ERR_DATA,
                  "%s: dataset '%s' has %d dimensions, expected %d", f->path,
                  name, got, nd);
  else if (cls != H5T_INTEGER && (want == WANT_INT || cls != H5T_FLOAT))
    st =
        BN_ERROR(f->ctx, BN_ERR_DATA,
                 "%s: dataset '%s' has %s type, expected %s", f->path, name,
                 cls == H5T_FLOAT    ? "a floating-point"
                 : cls == H5T_STRING ? "a string"
                                     : "a non-numeric",
                 want == WANT_INT ? "an integer type (reals would be truncated)"
                                  : "an integer or floating-point type");
  else
    H5Sget_simple_extent_dims(space, dims, NULL);
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  return st;
}

static bn_status_t read_1d(bn_h5_t *f, const char *name, enum want want,
                           hid_t memtype, bn_idx_t start, bn_idx_t count,
                           void *buf) {
  if (!f) return BN_ERR_ARG;
  bn_ctx_t *ctx = f->ctx;
  hid_t dset = H5I_INVALID_HID;
  hsize_t dims[2] = {0, 0};
  bn_status_t st = bn_h5_check_state(f, 0);
  if (st != BN_OK) return st;
  BN_TRY(ctx, st, bn_agree(ctx, bn_h5_open_dataset(f, name, &dset)));
  st = check_dataset(f, name, dset, 1, want, dims);
  if (st == BN_OK &&
      (start < 0 || count < 0 || (hsize_t)start + (hsize_t)count > dims[0]))
    st = BN_ERROR(ctx, BN_ERR_DATA,
                  "%s: dataset '%s' has %llu elements; rank %d asked for "
                  "[%lld, %lld)",
                  f->path, name, (unsigned long long)dims[0], bn_ctx_rank(ctx),
                  (long long)start, (long long)start + (long long)count);
  BN_TRY(ctx, st, bn_agree(ctx, st));
  st = transfer(f, name, dset, memtype, 0, 1, (hsize_t)start, (hsize_t)count, 0,
                buf);
  st = bn_agree(ctx, st);
cleanup:
  if (dset >= 0) H5Dclose(dset);
  return st;
}

bn_status_t bn_h5_read_i64(bn_h5_t *f, const char *name, bn_idx_t start,
                           bn_idx_t count, int64_t *buf) {
  return read_1d(f, name, WANT_INT, H5T_NATIVE_INT64, start, count, buf);
}

bn_status_t bn_h5_read_f64(bn_h5_t *f, const char *name, bn_idx_t start,
                           bn_idx_t count, double *buf) {
  return read_1d(f, name, WANT_REAL, H5T_NATIVE_DOUBLE, start, count, buf);
}

static bn_status_t write_1d(bn_h5_t *f, const char *name, hid_t filetype,
                            hid_t memtype, bn_idx_t global, bn_idx_t start,
                            bn_idx_t count, const void *buf) {
  if (!f) return BN_ERR_ARG;
  bn_ctx_t *ctx = f->ctx;
  hid_t dset = H5I_INVALID_HID;
  bn_status_t st = bn_h5_check_state(f, 1);
  if (st != BN_OK) return st;
  /* The extent must be the same everywhere: compare max and -min. */
  bn_idx_t ext[2] = {global, -global}, mx[2];
  BN_MPI(ctx, MPI_Allreduce(ext, mx, 2, BN_IDX_MPI, MPI_MAX, bn_ctx_comm(ctx)));
  if (mx[0] != -mx[1] || global < 0)
    st = BN_ERROR(ctx, BN_ERR_ARG, "%s: ranks disagree on the size of '%s'",
                  f->path, name);
  else if (start < 0 || count < 0 || start + count > global)
    st = BN_ERROR(ctx, BN_ERR_ARG,
                  "%s: rank %d writes [%lld, %lld) of '%s' (%lld elements)",
                  f->path, bn_ctx_rank(ctx), (long long)start,
                  (long long)(start + count), name, (long long)global);
  BN_TRY(ctx, st, bn_agree(ctx, st));
  hsize_t dim = (hsize_t)global;
  BN_TRY(ctx, st, bn_h5_create_dataset(f, name, filetype, 1, &dim, &dset));
  st = transfer(f, name, dset, memtype, 1, 1, (hsize_t)start, (hsize_t)count, 0,
                (void *)buf);
  st = bn_agree(ctx, st);
cleanup:
  if (dset >= 0) H5Dclose(dset);
  return st;
}

bn_status_t bn_h5_write_i64(bn_h5_t *f, const char *name, bn_idx_t global,
                            bn_idx_t start, bn_idx_t count,
                            const int64_t *buf) {
  return write_1d(f, name, H5T_STD_I64LE, H5T_NATIVE_INT64, global, start,
                  count, buf);
}

bn_status_t bn_h5_write_f64(bn_h5_t *f, const char *name, bn_idx_t global,
                            bn_idx_t start, bn_idx_t count, const double *buf) {
  return write_1d(f, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, global, start,
                  count, buf);
}

bn_status_t bn_h5_read_dmat(bn_h5_t *f, const char *name, bn_dist_t *dist,
                            int k, bn_dmat_t **out) {
  if (!f) return BN_ERR_ARG;
  bn_ctx_t *ctx = f->ctx;
  hid_t dset = H5I_INVALID_HID;
  hsize_t dims[2] = {0, 0};
  bn_dmat_t *a = NULL;
  bn_status_t st = bn_h5_check_state(f, 0);
  *out = NULL;
  if (st != BN_OK) return st;
  BN_TRY(ctx, st, bn_agree(ctx, bn_h5_open_dataset(f, name, &dset)));
  st = check_dataset(f, name, dset, 2, WANT_REAL, dims);
  if (st == BN_OK && (bn_idx_t)dims[0] != bn_dist_global(dist))
    st = BN_ERROR(ctx, BN_ERR_DATA,
                  "%s: dataset '%s' has %llu rows, "
                  "expected %lld",
                  f->path, name, (unsigned long long)dims[0],
                  (long long)bn_dist_global(dist));
  else if (st == BN_OK && k > 0 && dims[1] != (hsize_t)k)
    st = BN_ERROR(ctx, BN_ERR_DATA,
                  "%s: dataset '%s' has %llu columns, "
                  "expected %d",
                  f->path, name, (unsigned long long)dims[1], k);
  else if (st == BN_OK && dims[1] > INT_MAX)
    st = BN_ERROR(ctx, BN_ERR_DATA, "%s: dataset '%s' has too many columns",
                  f->path, name);
  BN_TRY(ctx, st, bn_agree(ctx, st));
  BN_TRY(ctx, st, bn_agree(ctx, bn_dmat_create(dist, (int)dims[1], &a)));
  st = transfer(f, name, dset, H5T_NATIVE_DOUBLE, 0, 2,
                (hsize_t)bn_dmat_first_row(a), (hsize_t)bn_dmat_local_rows(a),
                dims[1], bn_dmat_data(a));
  BN_TRY(ctx, st, bn_agree(ctx, st));
  *out = a;
  a = NULL;
cleanup:
  bn_dmat_destroy(a);
  if (dset >= 0) H5Dclose(dset);
  return st;
}

bn_status_t bn_h5_write_dmat(bn_h5_t *f, const char *name, const bn_dmat_t *a) {
  if (!f) return BN_ERR_ARG;
  bn_ctx_t *ctx = f->ctx;
  hid_t dset = H5I_INVALID_HID;
  hsize_t dims[2] = {(hsize_t)bn_dmat_rows(a), (hsize_t)bn_dmat_cols(a)};
  bn_status_t st = bn_h5_check_state(f, 1);
  if (st != BN_OK) return st;
  BN_TRY(ctx, st,
         bn_h5_create_dataset(f, name, H5T_IEEE_F64LE, 2, dims, &dset));
  st = transfer(f, name, dset, H5T_NATIVE_DOUBLE, 1, 2,
                (hsize_t)bn_dmat_first_row(a), (hsize_t)bn_dmat_local_rows(a),
                dims[1], (void *)bn_dmat_cdata(a));
  st = bn_agree(ctx, st);
cleanup:
  if (dset >= 0) H5Dclose(dset);
  return st;
}
