/* benign -- the files of one run, checked together before any work.
 *
 * A command lists its inputs and outputs (result, checkpoint and its
 * rotated copies, pictures, ...) and checks them at once: inputs must be
 * regular files; outputs absent or regular files, their names within the
 * file system's limits and their directories writable; no output may be
 * an input or another output, after resolving '.', '..', symbolic links
 * and hard links. And every temporary file is named by bn_tmp_name, short
 * enough whatever the target's name. */
#ifndef BENIGN_PATHS_H
#define BENIGN_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "benign/types.h"

typedef struct bn_paths bn_paths_t;

/* Not collective. */
bn_status_t bn_paths_create(bn_ctx_t *ctx, bn_paths_t **out);
void bn_paths_destroy(bn_paths_t *p);
/* Not collective: add a path (NULL or empty: ignored); `what` names it in
 * messages ("--input", "--atoms-png", ...). */
void bn_paths_input(bn_paths_t *p, const char *path, const char *what);
void bn_paths_output(bn_paths_t *p, const char *path, const char *what);
/* Not collective: an input that may also be a directory (of images). */
void bn_paths_input_dir(bn_paths_t *p, const char *path, const char *what);
/* Not collective: the paths added since the count was `first`
 * (bn_paths_count) may be the same file as each other (e.g. the checkpoint
 * a run restarts from and the ones it goes on writing). */
int bn_paths_count(const bn_paths_t *p);
void bn_paths_same_ok(bn_paths_t *p, int first);
/* Collective (rank 0 looks, the verdict is agreed): the checks above; one
 * message naming the path (and the pair, for a collision). */
bn_status_t bn_paths_check(bn_paths_t *p);

/* Not collective: an error unless path is a readable regular file (a FIFO
 * would block the reader forever). */
bn_status_t bn_path_readable(bn_ctx_t *ctx, const char *path);

/* Not collective: the directory part of path ("." if none) into dir. */
void bn_path_dir(const char *path, char *dir, size_t len);

/* Not collective: the name of a temporary beside `path` into out (len
 * bytes): PATH.tmp.PID.XXXXXX, or, when the name is too long for that
 * suffix, DIR/.bn-HASH.tmp.PID.XXXXXX; `salt` varies the XXXXXX. Returns
 * 0, or -1 when out is too short. */
int bn_tmp_name(const char *path, unsigned long salt, char *out, size_t len);

/* Not collective: does the name end in .h5 or .hdf5 (an output written as
 * HDF5 rather than text)? */
bool bn_path_is_h5(const char *path);

#endif
