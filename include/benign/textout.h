/* benign -- text output files (CSV predictions and recommendations)
 * written as safely as the HDF5 results: rank 0 writes a temporary
 * beside the target, and commit checks the room, flushes, compares the
 * closed file's size with the bytes written (a short write a close did
 * not report), syncs it to disk and renames it over the target; on any
 * failure the target is untouched and the temporary removed. */
#ifndef BENIGN_TEXTOUT_H
#define BENIGN_TEXTOUT_H

#include <stdio.h>

#include "benign/ctx.h"

typedef struct bn_text bn_text_t;

/* Collective (errors agreed): start PATH; refused when it exists and is
 * not a regular file, or its file system has not about `bytes` free. */
bn_status_t bn_text_create(bn_ctx_t *ctx, const char *path, double bytes,
                           bn_text_t **out);
/* Not collective: rank 0's stream, NULL on the other ranks. */
FILE *bn_text_stream(bn_text_t *t);
/* Collective: finish and rename into place (see above). */
bn_status_t bn_text_commit(bn_text_t *t);
/* Not collective: close; an uncommitted temporary is removed. NULL is
 * fine. */
void bn_text_close(bn_text_t *t);

#endif
