/* HDF5 files: open, atomic create/commit, close (named objects in an
 * open file: h5_object.c).
 *
 * Files are opened with the MPI-IO driver on the context's communicator.
 * Anything that can fail on one rank only (a file system check on rank 0,
 * an allocation) is agreed with bn_agree before the next collective HDF5
 * call, so a failure stops every rank with one message instead of leaving
 * some ranks waiting in H5Fopen. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "benign/paths.h"
#include "benign/signal.h"
#include "io/h5_internal.h"

/* Rank 0's file system checks run before any collective open; errno text
 * makes "No such file or directory" and "Permission denied" explicit. */
static bn_status_t check_readable(bn_ctx_t *ctx, const char *path) {
  /* Before HDF5 opens it: reading a FIFO would block forever. */
  BN_CALL(ctx, bn_path_readable(ctx, path));
  htri_t is = H5Fis_hdf5(path);
  if (is <= 0)
    return BN_ERROR(ctx, BN_ERR_DATA, "'%s' is not an HDF5 file", path);
  return BN_OK;
}

/* The directory of `path` must accept new files: the temporary is created
 * beside the target so that the final rename stays on one file system. */
static bn_status_t check_dir_writable(bn_ctx_t *ctx, const char *path) {
  char dir[4096];
  bn_path_dir(path, dir, sizeof dir);
  if (access(dir, W_OK | X_OK) != 0)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot create '%s': directory '%s': %s",
                    path, dir, strerror(errno));
  return BN_OK;
}

bn_status_t bn_h5_check_output(bn_ctx_t *ctx, const char *path,
                               const char *input) {
  bn_paths_t *p = NULL;
  BN_CALL(ctx, bn_paths_create(ctx, &p));
  bn_paths_input_dir(p, input, "the input");
  bn_paths_output(p, path, "the output");
  bn_status_t st = bn_paths_check(p);
  bn_paths_destroy(p);
  return st;
}

/* Rank 0 names the temporary and broadcasts it, so every rank opens the
 * same file. The name mixes the pid and the clock; H5F_ACC_EXCL on create
 * guarantees that an unlikely clash fails instead of clobbering a file. */
static bn_status_t make_tmp_name(bn_ctx_t *ctx, const char *path, char **out) {
  size_t len = strlen(path) + 64;
  bn_status_t st = bn_malloc(ctx, len, out);
  if (st == BN_OK && bn_ctx_rank(ctx) == 0) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long mix = (unsigned long)ts.tv_nsec ^
                        ((unsigned long)ts.tv_sec << 20) ^
                        (unsigned long)(size_t)*out;
    if (bn_tmp_name(path, mix, *out, len) != 0)
      st = BN_ERROR(ctx, BN_ERR_ARG, "'%s': the path is too long", path);
  }
  st = bn_agree(ctx, st);
  if (st != BN_OK) return st;
  BN_MPI(ctx, MPI_Bcast(*out, (int)len, MPI_CHAR, 0, bn_ctx_comm(ctx)));
  return BN_OK;
}

/* File access property list: MPI-IO on the context's communicator, with
 * metadata read by one rank and broadcast (every call here is collective,
 * which is what collective metadata operations require). */
static hid_t make_fapl(bn_ctx_t *ctx) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return fapl;
  if (H5Pset_fapl_mpio(fapl, bn_ctx_comm(ctx), MPI_INFO_NULL) < 0 ||
      H5Pset_all_coll_metadata_ops(fapl, 1) < 0 ||
      H5Pset_coll_metadata_write(fapl, 1) < 0) {
    H5Pclose(fapl);
    return H5I_INVALID_HID;
  }
  return fapl;
}

/* Allocate the handle with its path; not agreed. */
static bn_status_t new_handle(bn_ctx_t *ctx, const char *path, bn_h5_t **out) {
  bn_h5_t *f = NULL;
  bn_status_t st = bn_calloc(ctx, 1, sizeof *f, &f);
  if (st != BN_OK) return st;
  f->ctx = ctx;
  f->file = H5I_INVALID_HID;
  f->dxpl = H5I_INVALID_HID;
  st = bn_malloc(ctx, strlen(path) + 1, &f->path);
  if (st == BN_OK) {
    strcpy(f->path, path);
    f->dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (f->dxpl < 0 || H5Pset_dxpl_mpio(f->dxpl, H5FD_MPIO_COLLECTIVE) < 0)
      st = BN_ERROR(ctx, BN_ERR_LIB, "HDF5: cannot set collective transfers");
  }
  *out = f;
  return st;
}

/* Open (create = 0) or create the file behind a fresh handle; agreed. */
static bn_status_t open_file(bn_h5_t *f, int create) {
  bn_status_t st = BN_OK;
  const char *name = create ? f->tmp : f->path;
  hid_t fapl = make_fapl(f->ctx);
  if (fapl < 0) {
    st = BN_ERROR(f->ctx, BN_ERR_LIB, "HDF5: cannot set up MPI-IO access");
  } else if (create) {
    f->file = H5Fcreate(name, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
    if (f->file < 0)
      st = BN_ERROR(f->ctx, BN_ERR_IO, "cannot create '%s'", name);
    else
      f->created = 1;
  } else {
    f->file = H5Fopen(name, H5F_ACC_RDONLY, fapl);
    if (f->file < 0 && H5Fis_hdf5(name) > 0)
      st = BN_ERROR(f->ctx, BN_ERR_IO,
                    "cannot open '%s' with HDF5: it starts like an HDF5 file "
                    "but is truncated or damaged",
                    name);
    else if (f->file < 0)
      st = BN_ERROR(f->ctx, BN_ERR_IO, "cannot open '%s' with HDF5", name);
  }
  if (fapl >= 0) H5Pclose(fapl);
  return bn_agree(f->ctx, st);
}

bn_status_t bn_h5_open(bn_ctx_t *ctx, const char *path, bn_h5_t **out) {
  bn_h5_t *f = NULL;
  bn_status_t st = BN_OK;
  *out = NULL;
  if (!path) return BN_ERROR(ctx, BN_ERR_ARG, "bn_h5_open: no path");
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* we report errors ourselves */
  st = new_handle(ctx, path, &f);
  if (st == BN_OK && bn_ctx_rank(ctx) == 0) st = check_readable(ctx, path);
  BN_TRY(ctx, st, bn_agree(ctx, st));
  BN_TRY(ctx, st, open_file(f, 0));
  *out = f;
  return BN_OK;
cleanup:
  bn_h5_close(f);
  return st;
}

bn_status_t bn_h5_create(bn_ctx_t *ctx, const char *path, double bytes,
                         bn_h5_t **out) {
  bn_h5_t *f = NULL;
  bn_status_t st = BN_OK;
  *out = NULL;
  if (!path) return BN_ERROR(ctx, BN_ERR_ARG, "bn_h5_create: no path");
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  st = new_handle(ctx, path, &f);
  if (st == BN_OK && bn_ctx_rank(ctx) == 0) st = check_dir_writable(ctx, path);
  BN_TRY(ctx, st, bn_agree(ctx, st));
  if (bytes > 0) BN_TRY(ctx, st, bn_h5_check_space(ctx, path, bytes));
  BN_TRY(ctx, st, make_tmp_name(ctx, path, &f->tmp));
  BN_TRY(ctx, st, open_file(f, 1));
  *out = f;
  return BN_OK;
cleanup:
  bn_h5_close(f);
  return st;
}

bn_status_t bn_h5_check_space(bn_ctx_t *ctx, const char *path, double bytes) {
  bn_status_t st = BN_OK;
  if (bn_ctx_rank(ctx) == 0 && !bn_fault_on("no-space-check")) {
    char dir[4096];
    struct statvfs sv;
    bn_path_dir(path, dir, sizeof dir);
    /* HDF5 adds metadata (a few KiB per dataset) to the raw bytes. */
    double need = 1.05 * bytes + 262144.0;
    if (statvfs(dir, &sv) == 0) {
      double avail = (double)sv.f_bavail * (double)sv.f_frsize;
      if (avail < need)
        st = BN_ERROR(ctx, BN_ERR_IO,
                      "not enough space to write '%s': about %.3g MB "
                      "needed, %.3g MB free on its file system",
                      path, need / 1e6, avail / 1e6);
    }
  }
  return bn_agree(ctx, st);
}

/* Flush a finished file (or a directory) to stable storage; rank 0. */
static int fsync_path(const char *path, int dir) {
  int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

/* Keep older versions: PATH.(k-1) -> PATH.k for k = keep-1 .. 2, then the
 * current PATH becomes PATH.1 by a hard link (so PATH itself never
 * disappears) or, where links are not supported, a rename. Rank 0. */
static bn_status_t rotate(bn_ctx_t *ctx, const char *path, int keep) {
  size_t len = strlen(path) + 32;
  char *a = malloc(len), *b = malloc(len);
  bn_status_t st = BN_OK;
  if (!a || !b) {
    st = BN_ERROR(ctx, BN_ERR_MEM, "out of memory");
    goto done;
  }
  for (int k = keep - 1; k >= 2; k--) {
    snprintf(a, len, "%s.%d", path, k - 1);
    snprintf(b, len, "%s.%d", path, k);
    if (rename(a, b) != 0 && errno != ENOENT) {
      st = BN_ERROR(ctx, BN_ERR_IO, "cannot rename '%s' to '%s': %s", a, b,
                    strerror(errno));
      goto done;
    }
  }
  if (access(path, F_OK) != 0) goto done;
  snprintf(a, len, "%s.1.link", path);
  snprintf(b, len, "%s.1", path);
  unlink(a);
  int rc = link(path, a) == 0 ? rename(a, b) : rename(path, b);
  if (rc != 0)
    st = BN_ERROR(ctx, BN_ERR_IO, "cannot keep '%s' as '%s': %s", path, b,
                  strerror(errno));
done:
  free(a);
  free(b);
  return st;
}

bn_status_t bn_h5_commit_keep(bn_h5_t *f, int keep) {
  if (!f) return BN_ERR_ARG;
  bn_ctx_t *ctx = f->ctx;
  bn_status_t st = bn_h5_check_state(f, 1);
  if (st == BN_OK) st = bn_h5_notes_apply(f); /* self-describing */
  if (st != BN_OK) return st;
  /* H5Fclose is collective and flushes everything; only after every rank
   * has closed is the temporary complete. It is then read back (every
   * block each rank wrote, against a hash of what it wrote) before it may
   * replace anything: a full disk can leave holes that the close does not
   * report. */
  if (H5Fclose(f->file) < 0)
    st = BN_ERROR(ctx, BN_ERR_IO, "cannot finish writing '%s'", f->tmp);
  f->file = H5I_INVALID_HID;
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    hid_t fapl = make_fapl(ctx);
    st = fapl >= 0 ? bn_h5_verify(f, fapl)
                   : BN_ERROR_ALL(ctx, BN_ERR_LIB,
                                  "HDF5: cannot set up MPI-IO access");
    if (fapl >= 0) H5Pclose(fapl);
    if (st != BN_OK) return bn_error_trace(ctx, st, __FILE__, __LINE__);
  }
  if (st == BN_OK && bn_ctx_rank(ctx) == 0 && fsync_path(f->tmp, 0) != 0)
    st = BN_ERROR(ctx, BN_ERR_IO, "cannot flush '%s' to disk: %s", f->tmp,
                  strerror(errno));
  st = bn_agree(ctx, st);
  if (st != BN_OK) return st;
  bn_fault_point(ctx, "before-rename");
  if (bn_ctx_rank(ctx) == 0 && keep > 1) st = rotate(ctx, f->path, keep);
  struct stat ts;
  if (st == BN_OK && bn_ctx_rank(ctx) == 0 && lstat(f->path, &ts) == 0 &&
      !S_ISREG(ts.st_mode) && !S_ISLNK(ts.st_mode))
    st =
        BN_ERROR(ctx, BN_ERR_IO,
                 "'%s' is no longer a regular file: not replacing it", f->path);
  if (st == BN_OK && bn_ctx_rank(ctx) == 0 && rename(f->tmp, f->path) != 0)
    st = BN_ERROR(ctx, BN_ERR_IO, "cannot rename '%s' to '%s': %s", f->tmp,
                  f->path, strerror(errno));
  if (st == BN_OK && bn_ctx_rank(ctx) == 0) {
    char dir[4096];
    bn_path_dir(f->path, dir, sizeof dir);
    fsync_path(dir, 1); /* best effort: not every file system allows it */
  }
  st = bn_agree(ctx, st);
  if (st == BN_OK) f->committed = 1;
  return st;
}

bn_status_t bn_h5_commit(bn_h5_t *f) { return bn_h5_commit_keep(f, 1); }

void bn_h5_close(bn_h5_t *f) {
  if (!f) return;
  /* Closing a file whose writing failed (a full disk, say) flushes its
   * metadata collectively, and HDF5 1.10 can then leave ranks in different
   * barriers. A hang is worse than an abort: if the close has not
   * returned in a minute, the process exits with a message. */
  int unfinished = f->created && !f->committed && f->file >= 0;
  if (unfinished)
    bn_watchdog_arm(60,
                    "benign: error: closing an unfinished HDF5 file "
                    "after a write error did not complete; aborting\n");
  /* An unfinished file (a failed run, or a failed write on a full disk)
   * is emptied first by rank 0: that gives its blocks back, so the
   * metadata flush of the collective close below finds room instead of
   * failing again (which leaves ranks in different barriers, or crashes
   * HDF5 when MPI finalizes). Every rank reaches this point together. */
  if (unfinished) {
    if (bn_ctx_rank(f->ctx) == 0) {
      int rc = truncate(f->tmp, 0);
      (void)rc; /* best effort: the close is watched anyway */
    }
    MPI_Barrier(bn_ctx_comm(f->ctx));
  }
  /* A close that still fails leaves the file open inside HDF5, which
   * would crash closing it again at MPI_Finalize: drop the id. */
  if (f->file >= 0 && H5Fclose(f->file) < 0 && H5Iis_valid(f->file) > 0)
    while (H5Iis_valid(f->file) > 0 && H5Idec_ref(f->file) > 0) {
    }
  if (unfinished) bn_watchdog_disarm();
  if (f->dxpl >= 0) H5Pclose(f->dxpl);
  /* The close above is collective, so every rank is done with the
   * temporary before rank 0 removes it. A name we did not create (an
   * unlikely clash) belongs to someone else and is left alone. */
  if (f->created && !f->committed && bn_ctx_rank(f->ctx) == 0) unlink(f->tmp);
  bn_h5_records_free(f);
  free(f->tmp);
  free(f->path);
  free(f);
}
