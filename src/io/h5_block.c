/* HDF5 datasets: blocks (hyperslabs) of N-dimensional arrays, and the
 * read-back that verifies a written file before it is committed.
 *
 * Every transfer of the h5 layer goes through bn_h5_move: collective
 * MPI-IO in pieces along the first dimension (MPI-IO counts are int; every
 * rank takes part in every piece, with an empty selection when it has
 * nothing left). A write also records what it wrote — the block and a
 * hash of its bytes — so that bn_h5_verify can read every block back from
 * the closed temporary file and compare: a full disk, on which MPI-IO
 * reports a failed write that HDF5's close then passes over, or a file
 * system that lost data, is caught before the rename replaces anything. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "benign/paths.h"
#include "io/h5_internal.h"

/* Free megabytes on the file system of path's directory (NaN unknown). */
static double bn_h5_free_mb(const char *path) {
  char dir[4096];
  bn_path_dir(path, dir, sizeof dir);
  struct statvfs sv;
  if (statvfs(dir, &sv) != 0) return NAN;
  return (double)sv.f_bavail * (double)sv.f_frsize / 1e6;
}

/* Bytes per piece of a transfer, per rank. */
#define BN_H5_PIECE ((size_t)1 << 27)

/* Position-sensitive hash of n bytes (FNV-1a, byte by byte: the same
 * whatever pieces the bytes come in), seeded. About 1 GB/s: writes and
 * their read-back pay it, plain reads do not. */
static uint64_t bn_h5_hash(uint64_t h, const void *buf, size_t n) {
  const unsigned char *p = buf;
  for (size_t k = 0; k < n; k++) {
    h ^= p[k];
    h *= UINT64_C(0x100000001b3);
  }
  return h;
}

/* Remember a written block (not collective; an allocation failure makes
 * the file unverifiable, which commit reports). */
static void bn_h5_record(bn_h5_t *f, const char *name, hid_t memtype,
                         size_t esize, int nd, const hsize_t *start,
                         const hsize_t *count, uint64_t hash) {
  if (f->nrec == f->caprec) {
    int cap = f->caprec ? 2 * f->caprec : 16;
    bn_h5_rec_t *r = bn_realloc_n(f->rec, (size_t)cap, sizeof(*r));
    if (!r) {
      f->rec_lost = 1;
      return;
    }
    f->rec = r;
    f->caprec = cap;
  }
  bn_h5_rec_t *r = &f->rec[f->nrec];
  memset(r, 0, sizeof(*r));
  r->name = malloc(strlen(name) + 1);
  if (!r->name) {
    f->rec_lost = 1;
    return;
  }
  strcpy(r->name, name);
  r->memtype = memtype;
  r->esize = esize;
  r->nd = nd;
  for (int d = 0; d < nd; d++) {
    r->start[d] = start[d];
    r->count[d] = count[d];
  }
  r->hash = hash;
  f->nrec++;
}

void bn_h5_records_free(bn_h5_t *f) {
  for (int k = 0; k < f->nrec; k++) free(f->rec[k].name);
  free(f->rec);
  f->rec = NULL;
  f->nrec = f->caprec = 0;
}

bn_status_t bn_h5_move(bn_h5_t *f, const char *name, hid_t dset, hid_t memtype,
                       size_t esize, int write, int nd, const hsize_t *start,
                       const hsize_t *count, void *buf, uint64_t *hash) {
  bn_ctx_t *ctx = f->ctx;
  size_t per = esize; /* bytes per index of the first dimension */
  for (int d = 1; d < nd; d++) per *= (size_t)count[d];
  size_t rows = BN_H5_PIECE / (per ? per : 1);
  if (rows < 1) rows = 1;
  int64_t pieces = count[0] ? (int64_t)((count[0] + rows - 1) / rows) : 0;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &pieces, 1, MPI_INT64_T, MPI_MAX,
                            bn_ctx_comm(ctx)));
  bn_status_t st = BN_OK;
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  hid_t fspace = H5Dget_space(dset);
  if (fspace < 0)
    st = BN_ERROR(ctx, BN_ERR_IO, "%s: cannot read the shape of '%s'", f->path,
                  name);
  /* An empty dataset has no storage address, and HDF5's collective I/O
   * fails on it; every rank sees the same extent, so all skip together. */
  if (st == BN_OK && H5Sget_simple_extent_npoints(fspace) == 0) pieces = 0;
  for (int64_t p = 0; p < pieces; p++) {
    hsize_t r0 = (hsize_t)p * rows, s[4], c[4];
    hsize_t nr =
        r0 < count[0] ? (count[0] - r0 < rows ? count[0] - r0 : rows) : 0;
    for (int d = 0; d < nd; d++) {
      s[d] = start[d];
      c[d] = count[d];
    }
    s[0] += r0;
    c[0] = nr;
    hsize_t nel = nr * (per / esize), mdim = nel ? nel : 1;
    char dummy[8] = {0}, *ptr = nel ? (char *)buf + r0 * per : dummy;
    hid_t mspace = H5Screate_simple(1, &mdim, NULL);
    herr_t rc = mspace >= 0 && st == BN_OK ? 0 : -1;
    if (rc >= 0 && nel == 0)
      rc = H5Sselect_none(fspace) < 0 || H5Sselect_none(mspace) < 0 ? -1 : 0;
    else if (rc >= 0)
      rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, s, NULL, c, NULL);
    if (rc >= 0)
      rc = write ? H5Dwrite(dset, memtype, mspace, fspace, f->dxpl, ptr)
                 : H5Dread(dset, memtype, mspace, fspace, f->dxpl, ptr);
    if (mspace >= 0) H5Sclose(mspace);
    if (rc < 0 && st == BN_OK && write)
      st = BN_ERROR(ctx, BN_ERR_IO,
                    "%s: cannot write dataset '%s' (%.3g MB free on its file "
                    "system)",
                    f->path, name, bn_h5_free_mb(f->path));
    else if (rc < 0 && st == BN_OK)
      st = BN_ERROR(ctx, BN_ERR_IO, "%s: cannot read dataset '%s'", f->path,
                    name);
    if (nel && (write || hash)) h = bn_h5_hash(h, ptr, (size_t)nel * esize);
  }
  if (fspace >= 0) H5Sclose(fspace);
  if (hash) *hash = h;
  if (write && st == BN_OK)
    bn_h5_record(f, name, memtype, esize, nd, start, count, h);
  return st;
}

/* Not agreed: open NAME and check it is nd-dimensional and holds the
 * block [start, start + count). */
static bn_status_t bn_h5_block_open(bn_h5_t *f, const char *name, int nd,
                                    const bn_idx_t *start,
                                    const bn_idx_t *count, hid_t *dset) {
  bn_status_t st = bn_h5_open_dataset(f, name, dset);
  if (st != BN_OK) return st;
  hid_t space = H5Dget_space(*dset);
  hsize_t dims[H5S_MAX_RANK];
  int got = space >= 0 ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
  if (space >= 0) H5Sclose(space);
  if (got != nd)
    return BN_ERROR(f->ctx, BN_ERR_DATA,
                    "%s: dataset '%s' has %d dimensions, expected %d", f->path,
                    name, got, nd);
  for (int d = 0; d < nd; d++)
    if (start[d] < 0 || count[d] < 0 ||
        (hsize_t)(start[d] + count[d]) > dims[d])
      return BN_ERROR(f->ctx, BN_ERR_ARG,
                      "%s: dataset '%s': a block outside its extent (dimension "
                      "%d: [%lld, %lld) of %llu)",
                      f->path, name, d, (long long)start[d],
                      (long long)(start[d] + count[d]),
                      (unsigned long long)dims[d]);
  return BN_OK;
}

static bn_status_t bn_h5_block(bn_h5_t *f, const char *name, int nd,
                               const bn_idx_t *start, const bn_idx_t *count,
                               int write, double *buf) {
  if (!f || nd < 1 || nd > 4) return BN_ERR_ARG;
  bn_ctx_t *ctx = f->ctx;
  hid_t dset = H5I_INVALID_HID;
  hsize_t s[4], c[4];
  bn_status_t st = bn_h5_check_state(f, write);
  if (st != BN_OK) return st;
  st = bn_agree(ctx, bn_h5_block_open(f, name, nd, start, count, &dset));
  if (st == BN_OK) {
    for (int d = 0; d < nd; d++) {
      s[d] = (hsize_t)start[d];
      c[d] = (hsize_t)count[d];
    }
    st = bn_agree(ctx, bn_h5_move(f, name, dset, H5T_NATIVE_DOUBLE,
                                  sizeof(double), write, nd, s, c, buf, NULL));
  }
  if (dset >= 0) H5Dclose(dset);
  return st;
}

bn_status_t bn_h5_create_nd(bn_h5_t *f, const char *name, int nd,
                            const bn_idx_t *dims) {
  if (!f || nd < 1 || nd > 4) return BN_ERR_ARG;
  bn_status_t st = bn_h5_check_state(f, 1);
  if (st != BN_OK) return st;
  hsize_t hd[4];
  for (int d = 0; d < nd; d++) {
    if (dims[d] < 0)
      return BN_ERROR(f->ctx, BN_ERR_ARG, "%s: '%s': negative extent", f->path,
                      name);
    hd[d] = (hsize_t)dims[d];
  }
  hid_t dset = H5I_INVALID_HID;
  st = bn_h5_create_dataset(f, name, H5T_IEEE_F64LE, nd, hd, &dset);
  if (dset >= 0) H5Dclose(dset);
  return st;
}

bn_status_t bn_h5_write_block(bn_h5_t *f, const char *name, int nd,
                              const bn_idx_t *start, const bn_idx_t *count,
                              const double *buf) {
  return bn_h5_block(f, name, nd, start, count, 1, (double *)buf);
}

bn_status_t bn_h5_read_block(bn_h5_t *f, const char *name, int nd,
                             const bn_idx_t *start, const bn_idx_t *count,
                             double *buf) {
  return bn_h5_block(f, name, nd, start, count, 0, buf);
}

bn_status_t bn_h5_write_rows(bn_h5_t *f, const char *name, int nd,
                             const bn_idx_t *dims, bn_idx_t first,
                             bn_idx_t count, const double *buf) {
  if (!f || nd < 1 || nd > 4) return BN_ERR_ARG;
  bn_idx_t start[4] = {first, 0, 0, 0}, cnt[4];
  for (int d = 0; d < nd; d++) cnt[d] = dims[d];
  cnt[0] = count;
  BN_CALL(f->ctx, bn_h5_create_nd(f, name, nd, dims));
  return bn_h5_write_block(f, name, nd, start, cnt, buf);
}

/* Read back one recorded block into scratch, in pieces, and hash it. */
static bn_status_t bn_h5_reread(bn_h5_t *f, hid_t file, const bn_h5_rec_t *r,
                                void *scratch, size_t cap, uint64_t *hash) {
  bn_ctx_t *ctx = f->ctx;
  hid_t dset = H5Dopen2(file, r->name, H5P_DEFAULT);
  bn_status_t st =
      dset >= 0 ? BN_OK
                : BN_ERROR(ctx, BN_ERR_IO,
                           "%s: writing failed: '%s' is missing from what was "
                           "written (%.3g MB free on its file system: a full "
                           "disk?); the previous file, if any, is untouched",
                           f->path, r->name, bn_h5_free_mb(f->path));
  size_t per = r->esize;
  for (int d = 1; d < r->nd; d++) per *= (size_t)r->count[d];
  size_t rows = cap / (per ? per : 1);
  if (rows < 1) rows = 1;
  int64_t pieces = r->count[0] ? (int64_t)((r->count[0] + rows - 1) / rows) : 0;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &pieces, 1, MPI_INT64_T, MPI_MAX,
                            bn_ctx_comm(ctx)));
  st = bn_agree(ctx, st);
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (int64_t p = 0; st == BN_OK && p < pieces; p++) {
    hsize_t r0 = (hsize_t)p * rows, s[4], c[4];
    hsize_t nr = r0 < r->count[0]
                     ? (r->count[0] - r0 < rows ? r->count[0] - r0 : rows)
                     : 0;
    for (int d = 0; d < r->nd; d++) {
      s[d] = r->start[d];
      c[d] = r->count[d];
    }
    s[0] += r0;
    c[0] = nr;
    hsize_t nel = nr * (per / r->esize), mdim = nel ? nel : 1;
    hid_t fspace = H5Dget_space(dset),
          mspace = H5Screate_simple(1, &mdim, NULL);
    herr_t rc = fspace >= 0 && mspace >= 0 ? 0 : -1;
    if (rc >= 0 && nel == 0)
      rc = H5Sselect_none(fspace) < 0 || H5Sselect_none(mspace) < 0 ? -1 : 0;
    else if (rc >= 0)
      rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, s, NULL, c, NULL);
    if (rc >= 0)
      rc = H5Dread(dset, r->memtype, mspace, fspace, f->dxpl, scratch);
    if (mspace >= 0) H5Sclose(mspace);
    if (fspace >= 0) H5Sclose(fspace);
    if (rc < 0)
      st = BN_ERROR(ctx, BN_ERR_IO,
                    "%s: writing failed: '%s' cannot be read back (a full "
                    "disk?); the previous file, if any, is untouched",
                    f->path, r->name);
    else if (nel)
      h = bn_h5_hash(h, scratch, (size_t)nel * r->esize);
    st = bn_agree(ctx, st);
  }
  if (dset >= 0) H5Dclose(dset);
  *hash = h;
  return st;
}

bn_status_t bn_h5_verify(bn_h5_t *f, hid_t fapl) {
  bn_ctx_t *ctx = f->ctx;
  bn_status_t st = f->rec_lost ? BN_ERROR(ctx, BN_ERR_MEM,
                                          "out of memory keeping track of "
                                          "what was written to '%s'",
                                          f->path)
                               : BN_OK;
  char *scratch = NULL;
  const size_t cap = (size_t)1 << 24;
  if (st == BN_OK) st = bn_malloc(ctx, cap, &scratch);
  BN_CALL(ctx, bn_agree(ctx, st));
  hid_t file = H5Fopen(f->tmp, H5F_ACC_RDONLY, fapl);
  if (file < 0)
    st = BN_ERROR(ctx, BN_ERR_IO,
                  "%s: writing failed: the file cannot be read back (%.3g MB "
                  "free on its file system: a full disk?); the previous "
                  "file, if any, is untouched",
                  f->path, bn_h5_free_mb(f->path));
  st = bn_agree(ctx, st);
  int bad = -1;
  for (int k = 0; st == BN_OK && k < f->nrec; k++) {
    uint64_t h = 0;
    st = bn_h5_reread(f, file, &f->rec[k], scratch, cap, &h);
    if (st == BN_OK && h != f->rec[k].hash && bad < 0) bad = k;
  }
  if (st == BN_OK && bad >= 0)
    st = BN_ERROR(ctx, BN_ERR_IO,
                  "%s: writing failed: '%s' read back differs from what was "
                  "written (%.3g MB free on its file system: a full disk?); "
                  "the previous file, if any, is untouched",
                  f->path, f->rec[bad].name, bn_h5_free_mb(f->path));
  if (file >= 0) H5Fclose(file);
  free(scratch);
  st = bn_agree(ctx, st);
  return st;
}
