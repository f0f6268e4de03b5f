/* benign -- the notes that make benign's files self-describing: what each
 * dataset is (h5_notes_table.c) and how they are written (h5_notes.c). */
#ifndef BENIGN_IO_H5_NOTES_H
#define BENIGN_IO_H5_NOTES_H

/* One dataset's note; scope and path are '|'-separated fnmatch patterns. */
typedef struct bn_h5_note {
  const char *scope; /* the writing command: "dict", "generate dict", ... */
  const char *path;  /* the dataset: "/A", "/history/objective", ... */
  const char *text;  /* `description`: one sentence, with the shape */
  const char *rows;  /* `rows_are` of a 2-D dataset (NULL: none) */
  const char *cols;  /* `cols_are` */
} bn_h5_note_t;

/* Local: the note of dataset `path` in a file of `scope`, or NULL. A
 * dataset saved under a role prefix (/init/, /checkpoint/xprev/, ...)
 * gets the note of its unprefixed name and *role a sentence to put in
 * front (else *role = NULL). */
const bn_h5_note_t *bn_h5_note_find(const char *scope, const char *path,
                                    const char **role);

#endif
