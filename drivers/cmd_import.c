/* benign import: MatrixMarket or CSV ratings -> a completion input file;
 * images (files, IDX, an HDF5 stack) -> a patch matrix /Y for benign dict.
 */
#include <string.h>

#include "benign/patches.h"
#include "benign/png.h"
#include "cli.h"

static const bn_optdef_t bn_import_opts[] = {
    {"format", BN_OPT_CHOICE, "auto",
     "auto: from the file's first bytes (HDF5, PNG/JPEG/PGM or a directory, "
     "IDX or gzip, a MatrixMarket banner, else text ratings); mtx: "
     "MatrixMarket coordinate; csv: text ratings 'user item rating "
     "[more]' (MovieLens ratings.csv, u.data, ratings.dat; Netflix-style "
     "with a header); image: PNG/JPEG/PGM files; idx: an IDX file of images "
     "(MNIST, gzip'd or not); h5: an HDF5 image stack",
     "auto|mtx|csv|image|idx|h5"},
    {"delimiter", BN_OPT_CHOICE, "auto",
     "text ratings: the field delimiter; auto: the first data line's ('::', "
     "tab, ',', ';', else blanks)",
     "auto|,|;|tab|space|::"},
    {"timestamp", BN_OPT_BOOL, "false",
     "text ratings: keep the timestamp column (named time or date in a "
     "header, else the fourth) as /omega/time; numbers (e.g. Unix seconds)",
     NULL},
    {"header", BN_OPT_CHOICE, "auto",
     "text ratings: is the first line a header? auto: when its first field "
     "is not a number; a header's column names choose the user, item and "
     "rating columns",
     "auto|true|false"},
    {"input", BN_OPT_STRING, NULL,
     "file to read (image: a file or a directory of images)", NULL},
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"duplicates", BN_OPT_CHOICE, "error",
     "what to do with a (row, col) pair given twice: error, keep the first, "
     "keep the last, or sum",
     "error|first|last|sum"},
    {"patch", BN_OPT_STRING, "8x8",
     "image formats: patch size HxW (or N for NxN)", NULL},
    {"stride", BN_OPT_INT, "1",
     "image formats: step between patch corners (1: every patch)", NULL},
    {"max-patches", BN_OPT_INT, "0",
     "image formats: keep a uniform random sample of this many patches "
     "(0: all)",
     NULL},
    {"seed", BN_OPT_INT, "1",
     "image formats: seed of the --max-patches sample (same on any number "
     "of processes)",
     NULL},
    {"center", BN_OPT_BOOL, "true", "image formats: subtract each patch's mean",
     NULL},
    {"unit-norm", BN_OPT_BOOL, "false",
     "image formats: scale each patch to unit l2 norm (zero-norm patches "
     "are dropped)",
     NULL},
    {"dataset", BN_OPT_STRING, "/images", "h5: the N x H x W dataset of images",
     NULL},
    {"patches-png", BN_OPT_STRING, NULL,
     "image formats: write a mosaic of the first (up to 100) patches to "
     "this PNG",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

/* Keys that only one kind of import takes. */
static const char *const bn_import_image_keys[] = {
    "patch",     "stride",  "max-patches", "seed", "center",
    "unit-norm", "dataset", "patches-png", NULL};
static const char *const bn_import_text_keys[] = {"delimiter", "header",
                                                  "timestamp", NULL};

static bool bn_import_given(const bn_opts_t *o, const char *key) {
  bn_opt_source_t src = bn_opts_source(o, key);
  return src == BN_SRC_CMDLINE || src == BN_SRC_DECK;
}

static bn_status_t bn_import_images(bn_ctx_t *ctx, bn_opts_t *opts,
                                    const char *format) {
  bn_patch_params_t p;
  int64_t stride, maxp, seed;
  bool center, unit;
  memset(&p, 0, sizeof p);
  if (bn_import_given(opts, "duplicates"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--duplicates applies to --format=mtx|csv only");
  for (int i = 0; bn_import_text_keys[i]; i++)
    if (bn_import_given(opts, bn_import_text_keys[i]))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--%s applies to text ratings (--format=csv) only",
                          bn_import_text_keys[i]);
  if (strcmp(format, "h5") != 0 && bn_import_given(opts, "dataset"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--dataset applies to --format=h5 only");
  const char *patch = bn_opts_string(opts, "patch");
  if (bn_patch_parse_size(patch, &p.ph, &p.pw) != 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--patch=%s: expected HxW with sides from 1 to 4096 "
                        "(e.g. 8x8), or N for NxN",
                        patch);
  BN_CALL(ctx, bn_opts_int(opts, "stride", &stride));
  BN_CALL(ctx, bn_opts_int(opts, "max-patches", &maxp));
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  BN_CALL(ctx, bn_opts_bool(opts, "center", &center));
  BN_CALL(ctx, bn_opts_bool(opts, "unit-norm", &unit));
  if (stride < 1 || stride > 4096)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--stride=%lld: must be from 1 to 4096",
                        (long long)stride);
  if (maxp < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--max-patches=%lld: must be 0 (all) or positive",
                        (long long)maxp);
  p.format = format;
  p.input = bn_opts_string(opts, "input");
  p.output = bn_opts_string(opts, "output");
  p.dataset = bn_opts_string(opts, "dataset");
  p.stride = (int)stride;
  p.max_patches = maxp;
  p.seed = (uint64_t)seed;
  p.center = center;
  p.unit_norm = unit;
  p.patches_png = bn_opts_string(opts, "patches-png");
  bn_patch_stats_t s;
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_import_patches(ctx, &p, &s));
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: /Y %lld x %d (%dx%d patches, stride %d%s%s) from %lld "
         "images, %lld patches in all, in %.2f s\n",
         p.output, (long long)s.written, s.m, p.ph, p.pw, p.stride,
         center ? ", centered" : "", unit ? ", unit norm" : "",
         (long long)s.images, (long long)s.total, bn_wtime() - t0);
  if (s.dropped > 0)
    bn_log(ctx, BN_LOG_INFO,
           "dropped %lld patches with zero norm after centering (constant "
           "patches cannot be scaled to unit norm)\n",
           (long long)s.dropped);
  int cols, rows, zoom, w, h;
  int shown = s.written < 100 ? (int)s.written : 100;
  if (p.patches_png &&
      bn_png_mosaic_size(shown, p.ph, p.pw, &cols, &rows, &zoom, &w, &h))
    bn_log(ctx, BN_LOG_INFO,
           "wrote %s: the first %d patches, %d x %d tiles (%d x %d "
           "pixels)\n",
           p.patches_png, shown, cols, rows, w, h);
  return BN_OK;
}

static bn_status_t bn_import_run(bn_ctx_t *ctx, bn_opts_t *opts,
                                 const char *subject) {
  (void)subject;
  const char *keys[2] = {"input", "output"};
  for (int i = 0; i < 2; i++)
    if (!bn_opts_is_set(opts, keys[i]))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--%s is required (see --help)",
                          keys[i]);
  const char *format = bn_opts_string(opts, "format");
  if (!strcmp(format, "auto")) {
    BN_CALL(ctx, bn_import_detect(ctx, bn_opts_string(opts, "input"), &format));
    bn_log(ctx, BN_LOG_INFO, "format: %s (detected; --format to choose)\n",
           format);
  }
  if (strcmp(format, "mtx") != 0 && strcmp(format, "csv") != 0)
    return bn_import_images(ctx, opts, format);
  if (!strcmp(format, "mtx"))
    for (int i = 0; bn_import_text_keys[i]; i++)
      if (bn_import_given(opts, bn_import_text_keys[i]))
        return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                            "--%s applies to text ratings (--format=csv) only",
                            bn_import_text_keys[i]);
  for (int i = 0; bn_import_image_keys[i]; i++)
    if (bn_import_given(opts, bn_import_image_keys[i]))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--%s applies to --format=image|idx|h5 only",
                          bn_import_image_keys[i]);
  bn_import_stats_t s;
  double t0 = bn_wtime();
  bn_ratings_text_t text = {bn_opts_string(opts, "delimiter"),
                            bn_opts_string(opts, "header"), false};
  BN_CALL(ctx, bn_opts_bool(opts, "timestamp", &text.timestamp));
  BN_CALL(ctx, bn_import_ratings_text(
                   ctx, format, bn_opts_string(opts, "input"),
                   bn_opts_string(opts, "output"),
                   bn_opts_string(opts, "duplicates"), &text, &s));
  if (!strcmp(format, "csv"))
    bn_log(ctx, BN_LOG_INFO, "read %s: %s\n", bn_opts_string(opts, "input"),
           s.layout);
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %lld x %lld, %lld entries from %lld lines (%lld "
         "duplicates resolved) in %.2f s\n",
         bn_opts_string(opts, "output"), (long long)s.rows, (long long)s.cols,
         (long long)s.entries, (long long)s.lines, (long long)s.duplicates,
         bn_wtime() - t0);
  return BN_OK;
}

const bn_command_t bn_cmd_import = {
    "import",
    "convert ratings (MatrixMarket, CSV) or images (PNG/JPEG/PGM, IDX, "
    "HDF5) into an input (HDF5)",
    "benign import --input=FILE --output=F.h5 [--format=auto|mtx|csv] "
    "[--delimiter=auto|,|;|tab|space|::] [--header=auto|true|false] "
    "[--timestamp=false] "
    "[--duplicates=error|first|last|sum]\n"
    "       benign import --input=FILE|DIR [--format=auto|image|idx|h5] "
    "--output=F.h5 [--patch=8x8] [--stride=1] [--max-patches=0] [--seed=1] "
    "[--center=true] [--unit-norm=false] [--dataset=/images] "
    "[--patches-png=F.png]",
    bn_import_opts,
    NULL,
    NULL,
    bn_import_run,
    NULL,
    NULL};
