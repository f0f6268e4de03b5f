/* benign -- private layout of bn_h5 and helpers shared by the h5 sources.
 *
 * Convention inside src/io/h5*.c: every public function returns a status
 * that is identical on every rank (it ends in bn_agree, or fails before any
 * communication for a reason every rank sees alike), so callers can branch
 * on it without ever leaving a rank behind in a collective call. */
#ifndef BENIGN_IO_H5_INTERNAL_H
#define BENIGN_IO_H5_INTERNAL_H

#include <hdf5.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "benign/h5.h"

/* A block written to a created file, to read back before the commit. */
typedef struct bn_h5_rec {
  char *name;
  hid_t memtype;
  size_t esize;
  int nd;
  hsize_t start[4], count[4];
  uint64_t hash; /* of the bytes this rank wrote (bn_h5_move) */
} bn_h5_rec_t;

struct bn_h5 {
  bn_ctx_t *ctx;
  hid_t file;  /* H5I_INVALID_HID once closed (after commit) */
  hid_t dxpl;  /* collective transfers */
  char *path;  /* the target the user named */
  char *tmp;   /* created files: the temporary written until commit */
  int created; /* this run made the temporary (so may remove it) */
  int committed;
  bn_h5_rec_t *rec; /* what this rank wrote (created files) */
  int nrec, caprec;
  int rec_lost; /* a record could not be kept: the file is unverifiable */
};

/* h5_block.c. Not agreed (but collective: every rank calls it with its
 * own block, possibly empty): move the block [start, start + count) of an
 * open nd-dimensional dataset to (write) or from a contiguous buffer of
 * esize-byte elements of memtype, in pieces along the first dimension; a
 * write is recorded for bn_h5_verify. *hash (may be NULL) gets the hash
 * of the bytes moved. */
bn_status_t bn_h5_move(bn_h5_t *f, const char *name, hid_t dset, hid_t memtype,
                       size_t esize, int write, int nd, const hsize_t *start,
                       const hsize_t *count, void *buf, uint64_t *hash);
/* Collective, agreed: after the temporary is closed, open it again with
 * fapl and read every recorded block back; an error unless all of it
 * reads back as it was written. */
bn_status_t bn_h5_verify(bn_h5_t *f, hid_t fapl);
void bn_h5_records_free(bn_h5_t *f);

/* h5_data.c. Agreed: create dataset NAME (which must not exist yet),
 * making the groups above it. */
bn_status_t bn_h5_create_dataset(bn_h5_t *f, const char *name, hid_t filetype,
                                 int nd, const hsize_t *dims, hid_t *dset);

/* Not collective: BN_ERR_STATE unless f is open (and, if `write`, a created
 * file not yet committed). Every rank reaches the same verdict. */
bn_status_t bn_h5_check_state(bn_h5_t *f, int write);

/* Not collective (but every rank gets the same answer): does the object
 * NAME exist, following each path component? Missing intermediate groups
 * are "no", not an error. */
bn_status_t bn_h5_name_exists(bn_h5_t *f, const char *name, int *exists);

/* Open an existing dataset; BN_ERR_DATA "FILE: no dataset 'NAME'" if it is
 * missing or is not a dataset. Not agreed. */
bn_status_t bn_h5_open_dataset(bn_h5_t *f, const char *name, hid_t *dset);

/* Open an existing object (group or dataset) for attributes; BN_ERR_DATA
 * "FILE: no object 'NAME'" if missing. Not agreed. */
bn_status_t bn_h5_open_object(bn_h5_t *f, const char *name, hid_t *obj);

/* Not collective: copy a string attribute, variable- or fixed-length
 * (files from other tools use either), into a new buffer (caller frees).
 * Records nothing on an HDF5 failure, only on allocation. */
bn_status_t bn_h5_attr_string(bn_ctx_t *ctx, hid_t attr, char **value);

/* h5_notes.c. Agreed, collective: before a created file is committed,
 * write each dataset's note (`description`, `rows_are`, `cols_are`) and
 * the root's `creator`. */
bn_status_t bn_h5_notes_apply(bn_h5_t *f);

/* Short name of a datatype ("int64", "float64", "string", ...). */
void bn_h5_type_name(hid_t type, char *buf, size_t size);

/* Write "[d0 x d1 ...]" for a dataspace (or "scalar"). */
void bn_h5_space_text(hid_t space, char *buf, size_t size);

#endif
