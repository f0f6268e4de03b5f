/* Replays inputs through a fuzz target without libFuzzer, so the normal
 * test build (gcc, and the ASan/UBSan build) runs the seed corpora and the
 * regression inputs:
 *
 *   fuzz_mtx_replay FILE|DIR ...
 *
 * Every file named, and every regular file in a directory named (in name
 * order; no recursion), is passed to LLVMFuzzerTestOneInput once. A broken
 * invariant aborts inside the target, which fails the test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return 1;
  }
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0, got;
  do {
    if (len == cap) {
      cap = cap ? 2 * cap : 4096;
      uint8_t *b = realloc(buf, cap);
      if (!b) {
        fprintf(stderr, "replay: out of memory reading %s\n", path);
        free(buf);
        fclose(f);
        return 1;
      }
      buf = b;
    }
    got = fread(buf + len, 1, cap - len, f);
    len += got;
  } while (got > 0);
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    fprintf(stderr, "replay: cannot read %s\n", path);
    free(buf);
    return 1;
  }
  printf("replay: %s (%zu bytes)\n", path, len);
  fflush(stdout);
  LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in dir, in name order; *count is bumped per file. */
static int run_dir(const char *dir, int *count) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "replay: cannot open directory %s\n", dir);
    return 1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  int bad = 0;
  struct dirent *e;
  while (!bad && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue; /* ., .. and hidden files */
    if (n == cap) {
      cap = cap ? 2 * cap : 64;
      char **p = realloc(names, cap * sizeof *p);
      if (!p)
        bad = 1;
      else
        names = p;
    }
    if (!bad && !(names[n++] = strdup(e->d_name))) bad = 1;
  }
  closedir(d);
  if (n > 1) qsort(names, n, sizeof *names, cmp_names);
  for (size_t k = 0; k < n; k++) {
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, names[k]);
    if (!bad && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
      bad = run_file(path);
      ++*count;
    }
    free(names[k]);
  }
  free(names);
  return bad;
}

int main(int argc, char **argv) {
  int count = 0, bad = 0;
  LLVMFuzzerInitialize(&argc, &argv);
  for (int i = 1; i < argc && !bad; i++) {
    struct stat sb;
    if (stat(argv[i], &sb) != 0) {
      fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
      bad = 1;
    } else if (S_ISDIR(sb.st_mode)) {
      bad = run_dir(argv[i], &count);
    } else {
      bad = run_file(argv[i]);
      count++;
    }
  }
  printf("replay: %d inputs%s\n", count, bad ? ", stopped on an error" : "");
  return bad ? 1 : 0;
}
