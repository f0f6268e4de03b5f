/* benign -- one-line JSON summaries (the program's --json). */
#ifndef BENIGN_JSON_H
#define BENIGN_JSON_H

#include <stdio.h>

/* Not collective (rank 0 writes): the fields SEP"key":"text" (escaped)
 * and SEP"key":number (null when not finite), SEP being "," between
 * fields and "" for the first. */
void bn_json_put_str(FILE *f, const char *sep, const char *key, const char *s);
void bn_json_put_num(FILE *f, const char *sep, const char *key, double v);

#endif
