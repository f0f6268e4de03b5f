/* bn_h5_identity: who an input file is, for checkpoints. The size in bytes
 * and a 64-bit FNV-1a hash of the file's structure — every object's path,
 * every dataset's type and shape, and every attribute's name — and of its
 * content: a few fixed blocks of every dataset (BN_ID_BLOCKS runs of up to
 * BN_ID_RUN elements spread over it, as raw bytes). A file rewritten with
 * other shapes, other datasets or other values in those blocks gets
 * another checksum; a copy or a move keeps it. Rank 0 walks the file with
 * the serial driver and broadcasts the result. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "benign/paths.h"

#include "io/h5_internal.h"

static void fnv(uint64_t *h, const char *s) {
  for (; *s; s++) {
    *h ^= (unsigned char)*s;
    *h *= 1099511628211ULL;
  }
  *h ^= 0xff; /* separator: "ab","c" differs from "a","bc" */
  *h *= 1099511628211ULL;
}

#define BN_ID_BLOCKS 8
#define BN_ID_RUN 512

static void fnv_bytes(uint64_t *h, const unsigned char *p, size_t n) {
  for (size_t k = 0; k < n; k++) {
    *h ^= p[k];
    *h *= 1099511628211ULL;
  }
}

/* Hash BN_ID_BLOCKS runs of elements of a dataset (its flattened index:
 * the start, the end and evenly between), read as their native type. */
static void fingerprint(hid_t dset, uint64_t *h) {
  hid_t space = H5Dget_space(dset), ft = H5Dget_type(dset);
  hid_t mt = ft >= 0 ? H5Tget_native_type(ft, H5T_DIR_ASCEND) : -1;
  hssize_t npts = space >= 0 ? H5Sget_simple_extent_npoints(space) : 0;
  size_t es = mt >= 0 ? H5Tget_size(mt) : 0;
  int nd = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  hsize_t dims[H5S_MAX_RANK];
  unsigned char *buf = es ? malloc(bn_size_mul(es, BN_ID_RUN)) : NULL;
  hsize_t *coord =
      bn_alloc_n(bn_size_mul(BN_ID_RUN, (nd > 0 ? nd : 1)), sizeof(hsize_t));
  if (buf && coord && npts > 0 && nd >= 1 && H5Tget_class(ft) != H5T_VLEN &&
      H5Sget_simple_extent_dims(space, dims, NULL) == nd) {
    hsize_t n = (hsize_t)npts;
    for (int b = 0; b < BN_ID_BLOCKS; b++) {
      hsize_t first =
          n > BN_ID_RUN ? (n - BN_ID_RUN) * b / (BN_ID_BLOCKS - 1) : 0;
      hsize_t cnt = n - first < BN_ID_RUN ? n - first : BN_ID_RUN;
      for (hsize_t k = 0; k < cnt; k++) { /* flat index -> coordinates */
        hsize_t at = first + k;
        for (int d = nd - 1; d >= 0; d--) {
          coord[k * nd + d] = at % dims[d];
          at /= dims[d];
        }
      }
      hsize_t m = cnt;
      hid_t ms = H5Screate_simple(1, &m, NULL);
      if (ms >= 0 &&
          H5Sselect_elements(space, H5S_SELECT_SET, cnt, coord) >= 0 &&
          H5Dread(dset, mt, ms, space, H5P_DEFAULT, buf) >= 0)
        fnv_bytes(h, buf, es * cnt);
      if (ms >= 0) H5Sclose(ms);
      if (n <= BN_ID_RUN) break;
    }
  }
  free(buf);
  free(coord);
  if (mt >= 0) H5Tclose(mt);
  if (ft >= 0) H5Tclose(ft);
  if (space >= 0) H5Sclose(space);
}

static herr_t attr_cb(hid_t loc, const char *name, const H5A_info_t *info,
                      void *data) {
  (void)loc;
  (void)info;
  fnv(data, name);
  return 0;
}

static herr_t link_cb(hid_t group, const char *name, const H5L_info_t *info,
                      void *data) {
  uint64_t *h = data;
  fnv(h, name);
  if (info->type != H5L_TYPE_HARD) return 0;
  hid_t o = H5Oopen(group, name, H5P_DEFAULT);
  if (o < 0) return -1;
  if (H5Iget_type(o) == H5I_DATASET) {
    char tname[32] = "?", shape[96] = "?";
    hid_t type = H5Dget_type(o), space = H5Dget_space(o);
    if (type >= 0) bn_h5_type_name(type, tname, sizeof tname);
    if (space >= 0) bn_h5_space_text(space, shape, sizeof shape);
    fnv(h, tname);
    fnv(h, shape);
    fingerprint(o, h);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
  }
  herr_t rc = H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_INC, NULL, attr_cb, h);
  H5Oclose(o);
  return rc < 0 ? -1 : 0;
}

static bn_status_t identity_rank0(bn_ctx_t *ctx, const char *path,
                                  bn_h5_identity_t *id) {
  struct stat sb;
  BN_CALL(ctx, bn_path_readable(ctx, path));
  if (stat(path, &sb) != 0)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot open '%s': %s", path,
                    strerror(errno));
  id->size = (int64_t)sb.st_size;
  if (H5Fis_hdf5(path) <= 0)
    return BN_ERROR(ctx, BN_ERR_DATA, "'%s' is not an HDF5 file", path);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot open '%s' with HDF5", path);
  uint64_t h = 14695981039346656037ULL;
  herr_t rc = H5Aiterate2(file, H5_INDEX_NAME, H5_ITER_INC, NULL, attr_cb, &h);
  if (rc >= 0) rc = H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, link_cb, &h);
  H5Fclose(file);
  if (rc < 0)
    return BN_ERROR(ctx, BN_ERR_DATA, "%s: cannot walk the file's objects",
                    path);
  snprintf(id->checksum, sizeof id->checksum, "%016" PRIx64, h);
  return BN_OK;
}

bn_status_t bn_h5_identity(bn_ctx_t *ctx, const char *path,
                           bn_h5_identity_t *id) {
  memset(id, 0, sizeof *id);
  bn_status_t st = BN_OK;
  if (bn_ctx_rank(ctx) == 0) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    st = identity_rank0(ctx, path, id);
  }
  BN_CALL(ctx, bn_agree(ctx, st));
  BN_MPI(ctx, MPI_Bcast(&id->size, 1, MPI_INT64_T, 0, bn_ctx_comm(ctx)));
  BN_MPI(ctx, MPI_Bcast(id->checksum, (int)sizeof id->checksum, MPI_CHAR, 0,
                        bn_ctx_comm(ctx)));
  return BN_OK;
}
