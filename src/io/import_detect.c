/* `benign import --format=auto`: the format of an input from its first
 * bytes (benign/import.h). */
#include <string.h>
#include <sys/stat.h>

#include "benign/ctx.h"
#include "io/import_internal.h"

static const char *bn_detect(const char *path) {
  struct stat s;
  if (stat(path, &s) == 0 && S_ISDIR(s.st_mode)) return "image";
  unsigned char b[16] = {0};
  FILE *fp = fopen(path, "rb");
  if (!fp) return "csv"; /* the importer says why it cannot open it */
  size_t n = fread(b, 1, sizeof b, fp);
  fclose(fp);
  if (n >= 8 && !memcmp(b, "\x89HDF\r\n\x1a\n", 8)) return "h5";
  if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8)) return "image";
  if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "image";
  if (n >= 2 && b[0] == 'P' && (b[1] == '2' || b[1] == '5')) return "image";
  if (n >= 2 && b[0] == 0x1F && b[1] == 0x8B) return "idx"; /* MNIST .gz */
  if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] >= 0x08 && b[2] <= 0x0E &&
      b[3] >= 1 && b[3] <= 4)
    return "idx";
  if (n >= 14 && !memcmp(b, "%%MatrixMarket", 14)) return "mtx";
  return "csv";
}

bn_status_t bn_import_detect(bn_ctx_t *ctx, const char *path,
                             const char **format) {
  static const char *const names[] = {"csv", "mtx", "image", "idx", "h5"};
  int k = 0;
  if (bn_ctx_rank(ctx) == 0) {
    const char *f = bn_detect(path);
    for (int i = 0; i < 5; i++)
      if (!strcmp(f, names[i])) k = i;
  }
  if (MPI_Bcast(&k, 1, MPI_INT, 0, bn_ctx_comm(ctx)) != MPI_SUCCESS)
    return BN_ERROR(ctx, BN_ERR_MPI, "import: broadcast failed");
  *format = names[k];
  return BN_OK;
}
