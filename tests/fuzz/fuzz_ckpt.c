/* Fuzz target: restarting from a damaged checkpoint (bn_ckpt_restore in
 * src/checkpoint/ckpt_restore.c, bn_history_read, the state check of
 * src/solvers/state.c) and the solve that goes on from it.
 *
 * LLVMFuzzerInitialize runs a toy problem, f(x) = 1/2 sum_i (i + 1)
 * (x_i - c_i)^2 over 8 variables with c in a small HDF5 input, for 8
 * iterations of "gd" and of "agd" (early stopping on, so an early_best
 * vector is saved too), with bn_ckpt_hook writing a checkpoint at
 * iteration 5, and keeps both files' bytes. Each must restart and
 * reproduce its run's last iterate bit for bit, or the harness is broken.
 *
 * Input layout: byte 0 picks the checkpoint (bit 0: agd; an empty input is
 * the gd one, unedited), then edits of 11 bytes, applied in order with the
 * raw HDF5 API (at most 32; a short tail is ignored):
 *   op (mod 8), target, index, value (8 bytes: a double or an int64).
 * Ops on a dataset (target mod 12 in `dsets`): 0 element index (mod the
 * length) = value as double, 1 = value as int64 (HDF5 converts to the
 * dataset's type), 2 delete it, 3 rewrite it with value[0] % 40 elements
 * (its old ones repeated). Ops on a root attribute (target mod 12 in
 * `attrs`): 4 = value as int64, 5 = as double, 6 = the string of the
 * value's bytes (to the first NUL), 7 delete it. An edit of something
 * absent does nothing.
 *
 * Checked: a refused restart returns a status with a recorded message; an
 * unedited checkpoint is accepted; an accepted one leaves the solver at the
 * iteration (>= 0) of the file's state and of its history's last entry,
 * with a finite iterate; the solve then goes on for 3 more iterations
 * (ASan/UBSan watch the ring and the vectors), never going back, and ends
 * on a finite iterate whose history ends at the final iteration. */
#include <hdf5.h>
#include <math.h>
#include <stdbool.h>

#include "benign/checkpoint.h"
#include "fuzz_common.h"

enum { N = 8, EDIT = 11, MAX_EDITS = 32, AT = 5, MORE = 3, KEEP = 64 };

static const char *const dsets[] = {
    "/checkpoint/state",   "/history/iteration",  "/history/objective",
    "/history/grad_norm",  "/history/step",       "/history/rel_error",
    "/history/test_rmse",  "/history/seconds",    "/x",
    "/checkpoint/xprev/x", "/checkpoint/gprev/x", "/checkpoint/early_best/x"};
static const char *const attrs[] = {"iteration",      "processes",  "format",
                                    "seed",           "input_size", "kind",
                                    "problem",        "solver",     "options",
                                    "input_checksum", "input_path", "version"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The toy problem: its data is c (also written to the input file). */
static double toy_c[N];

static bn_status_t toy_eval(void *data, const double *x, double *f, double *g) {
  const double *c = data;
  double s = 0.0;
  for (int i = 0; i < N; i++) {
    double d = x[i] - c[i];
    s += 0.5 * (i + 1) * d * d;
    if (g) g[i] = (i + 1) * d;
  }
  *f = s;
  return BN_OK;
}

/* A held-out error for early stopping: the distance to c shifted by 0.1. */
static bn_status_t toy_metrics(void *data, const double *x, double *rel,
                               double *rmse) {
  const double *c = data;
  double e = 0.0, c2 = 0.0, t = 0.0;
  for (int i = 0; i < N; i++) {
    e += (x[i] - c[i]) * (x[i] - c[i]);
    c2 += c[i] * c[i];
    t += (x[i] - c[i] - 0.1) * (x[i] - c[i] - 0.1);
  }
  *rel = sqrt(e / c2);
  *rmse = sqrt(t / N);
  return BN_OK;
}

static bn_status_t toy_save(void *data, const double *x, bn_h5_t *f,
                            const char *prefix) {
  char name[96];
  (void)data;
  snprintf(name, sizeof name, "%sx", prefix);
  return bn_h5_write_f64(f, name, N, 0, N, x);
}

/* As the real problems do: the shape must fit, the iterate be finite. */
static bn_status_t toy_load(void *data, bn_h5_t *f, const char *prefix,
                            double *x) {
  bn_ctx_t *ctx = bn_h5_ctx(f);
  char name[96];
  int nd;
  bn_idx_t dims[4];
  (void)data;
  snprintf(name, sizeof name, "%sx", prefix);
  BN_CALL(ctx, bn_h5_shape(f, name, &nd, dims));
  if (nd != 1 || dims[0] != N)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: %s must hold %d numbers",
                        bn_h5_path(f), name, N);
  BN_CALL(ctx, bn_h5_read_f64(f, name, 0, N, x));
  /* The solver's vectors are checked by bn_ckpt_load itself. */
  for (int i = 0; i < N && !strcmp(prefix, "/"); i++)
    if (!isfinite(x[i]))
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: %s holds a NaN or infinite value", bn_h5_path(f),
                          name);
  return BN_OK;
}

static const bn_problem_ops_t toy_ops = {.name = "toy",
                                         .summary = "a weighted quadratic",
                                         .save = toy_save,
                                         .load = toy_load};
static const bn_objective_t toy_obj = {
    .data = toy_c, .n = N, .eval = toy_eval, .metrics = toy_metrics};

static const bn_optdef_t toy_opts[] = {
    {"input", BN_OPT_STRING, NULL, "input", NULL},
    {"solver", BN_OPT_CHOICE, "gd", "solver", "gd|agd"},
    {"max-iter", BN_OPT_INT, "8", "iteration limit", NULL},
    {"early-stop", BN_OPT_INT, "100", "early stopping patience", NULL},
    {"seed", BN_OPT_INT, "1", "seed", NULL},
    {NULL, 0, NULL, NULL, NULL}};

/* A valid checkpoint of one solver and what its run ended on. */
typedef struct base {
  const char *solver;
  bn_opts_t *opts;
  uint8_t *bytes;
  size_t len;
  double x[N]; /* the iterate at iteration AT + MORE */
} base_t;
static base_t bases[2] = {{.solver = "gd"}, {.solver = "agd"}};

static void set_params(bn_solver_t *s, int64_t max_iter) {
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = 0.0; /* only the iteration limit stops a good run */
  p.max_iter = max_iter;
  p.early_stop = 100;
  p.progress = false;
  bn_solver_set_params(s, &p);
}

static void must(bn_status_t st, const char *what) {
  if (st != BN_OK) bn_fuzz_fail("%s: %s", what, bn_error_message(bn_fuzz_ctx));
}

static bool all_finite(const double *x) {
  for (int i = 0; i < N; i++)
    if (!isfinite(x[i])) return false;
  return true;
}

/* Element e[2] (mod the length) of an open dataset = the value. */
static bool poke(hid_t d, const uint8_t *e, hid_t memtype) {
  hid_t fs = H5Dget_space(d), ms = H5Screate(H5S_SCALAR);
  hssize_t n = H5Sget_simple_extent_npoints(fs);
  hsize_t at[1] = {n > 0 ? (hsize_t)(e[2] % n) : 0};
  bool ok = n > 0 && H5Sget_simple_extent_ndims(fs) == 1 &&
            H5Sselect_elements(fs, H5S_SELECT_SET, 1, at) >= 0 &&
            H5Dwrite(d, memtype, ms, fs, H5P_DEFAULT, e + 3) >= 0;
  H5Sclose(ms);
  H5Sclose(fs);
  return ok;
}

/* Replace the open dataset d (name) by one of the same type and e[3] % 40
 * elements, its old values repeated. */
static bool resize(hid_t file, hid_t d, const char *name, const uint8_t *e) {
  hid_t fs = H5Dget_space(d), ft = H5Dget_type(d);
  hid_t mt =
      H5Tget_class(ft) == H5T_INTEGER ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
  hssize_t n = H5Sget_simple_extent_npoints(fs);
  hsize_t len[1] = {e[3] % 40};
  uint64_t old[KEEP] = {0}, buf[40] = {0};
  bool ok = n >= 0 && n <= KEEP &&
            (n == 0 || H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, old) >= 0);
  H5Sclose(fs);
  H5Dclose(d);
  for (hsize_t k = 0; ok && n > 0 && k < len[0]; k++)
    buf[k] = old[k % (hsize_t)n];
  ok = ok && H5Ldelete(file, name, H5P_DEFAULT) >= 0;
  hid_t sp = H5Screate_simple(1, len, NULL), nd = H5I_INVALID_HID;
  if (ok)
    nd = H5Dcreate2(file, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (nd >= 0 && len[0] > 0)
    H5Dwrite(nd, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
  if (nd >= 0) H5Dclose(nd);
  H5Sclose(sp);
  H5Tclose(ft);
  return ok;
}

/* Root attribute: replace by a scalar (op 4: int64, 5: double, 6: string)
 * or delete it (op 7). */
static bool set_attr(hid_t root, const char *name, int op, const uint8_t *v) {
  if (H5Aexists(root, name) > 0) {
    if (H5Adelete(root, name) < 0) return false;
  } else if (op == 7) {
    return false;
  }
  if (op == 7) return true;
  char str[9] = {0};
  const char *p = str;
  const void *buf = v;
  hid_t t = H5Tcopy(op == 4   ? H5T_STD_I64LE
                    : op == 5 ? H5T_IEEE_F64LE
                              : H5T_C_S1);
  hid_t mt = op == 4 ? H5T_NATIVE_INT64 : op == 5 ? H5T_NATIVE_DOUBLE : t;
  if (op == 6) {
    memcpy(str, v, 8);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    buf = &p;
  }
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(root, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a >= 0) {
    H5Awrite(a, mt, buf);
    H5Aclose(a);
  }
  H5Sclose(sp);
  H5Tclose(t);
  return true;
}

/* Apply the edits to the work file; returns how many changed it. */
static int apply_edits(const uint8_t *data, size_t size) {
  int changed = 0;
  hid_t file = H5Fopen(bn_fuzz_out, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t root = file >= 0 ? H5Gopen2(file, "/", H5P_DEFAULT) : file;
  if (root < 0) bn_fuzz_fail("cannot open the work copy %s", bn_fuzz_out);
  for (size_t k = 0; k < MAX_EDITS && (k + 1) * EDIT <= size; k++) {
    const uint8_t *e = data + k * EDIT;
    int op = e[0] % 8;
    if (op >= 4) {
      changed += set_attr(root, attrs[e[1] % COUNT(attrs)], op, e + 3);
      continue;
    }
    const char *name = dsets[e[1] % COUNT(dsets)];
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    if (d < 0) continue;
    if (op == 3) {
      changed += resize(file, d, name, e); /* closes d */
      continue;
    }
    if (op == 0) changed += poke(d, e, H5T_NATIVE_DOUBLE);
    if (op == 1) changed += poke(d, e, H5T_NATIVE_INT64);
    H5Dclose(d);
    if (op == 2) changed += H5Ldelete(file, name, H5P_DEFAULT) >= 0;
  }
  H5Gclose(root);
  if (H5Fclose(file) < 0) bn_fuzz_fail("cannot close %s", bn_fuzz_out);
  return changed;
}

/* The file's own account of the iteration: state[0], last history entry. */
static void file_iteration(double *state0, int64_t *last) {
  bn_h5_t *f = NULL;
  int nd = 0;
  bn_idx_t dims[4] = {0};
  bn_status_t st = bn_h5_open(bn_fuzz_ctx, bn_fuzz_out, &f);
  if (st == BN_OK) st = bn_h5_read_f64(f, "/checkpoint/state", 0, 1, state0);
  if (st == BN_OK) st = bn_h5_shape(f, "/history/iteration", &nd, dims);
  if (st == BN_OK && (nd != 1 || dims[0] < 1)) st = BN_ERR_DATA;
  if (st == BN_OK)
    st = bn_h5_read_i64(f, "/history/iteration", dims[0] - 1, 1, last);
  bn_h5_close(f);
  must(st, "an accepted checkpoint does not read back");
}

/* The history ends at the solver's iteration. */
static void check_history(const bn_solver_t *s, const char *when) {
  const bn_history_t *h = bn_solver_history(s);
  int64_t it = bn_solver_iterations(s);
  if (h->n < 1 || h->iteration[h->n - 1] != it)
    bn_fuzz_fail("%s: iteration %lld, history of %zu ending at %lld", when,
                 (long long)it, h->n,
                 (long long)(h->n ? h->iteration[h->n - 1] : -1));
}

/* Restart base b from the work file (which must be accepted when `good`),
 * check, go on for MORE iterations; x receives the final iterate. */
static void restart(const base_t *b, double *x, bool good) {
  bn_ctx_t *ctx = bn_fuzz_ctx;
  bn_solver_t *s = NULL;
  bn_ckpt_t *c = NULL;
  bn_ckpt_params_t cp = {NULL, 0, 0.0, 1};
  must(bn_solver_create(ctx, b->solver, &s), "bn_solver_create");
  set_params(s, AT + MORE);
  must(bn_ckpt_create(ctx, &cp, &toy_ops, toy_c, b->opts, N, &c),
       "bn_ckpt_create");
  bn_status_t st = bn_ckpt_restore(c, bn_fuzz_out, s, x, N);
  if (good) must(st, "an unedited checkpoint was refused");
  bn_fuzz_check_error(st, "bn_ckpt_restore");
  if (st == BN_OK) {
    int64_t it = bn_solver_iterations(s), last = -1;
    double state0 = NAN;
    file_iteration(&state0, &last);
    if (it < 0 || (double)it != state0 || it != last ||
        bn_ckpt_last_iteration(c) != it)
      bn_fuzz_fail(
          "restored at iteration %lld: state %.17g, history %lld, "
          "checkpoint %lld",
          (long long)it, state0, (long long)last,
          (long long)bn_ckpt_last_iteration(c));
    check_history(s, "after the restore");
    if (!all_finite(x)) bn_fuzz_fail("a restored iterate is not finite");
    set_params(s, it + MORE);
    bn_status_t go = bn_solver_solve(s, &toy_obj, x);
    bn_fuzz_check_error(go, "bn_solver_solve after a restore");
    int64_t end = bn_solver_iterations(s);
    if (go == BN_OK && (end < it || end > it + MORE))
      bn_fuzz_fail("restored at %lld, went on to %lld (limit %lld)",
                   (long long)it, (long long)end, (long long)(it + MORE));
    if (go == BN_OK && bn_solver_reason(s) == BN_REASON_ITERATING)
      bn_fuzz_fail("the solve went on ended with no reason");
    if (go == BN_OK) check_history(s, "after going on");
    if (go == BN_OK && !all_finite(x))
      bn_fuzz_fail("the iterate went non-finite after a restore");
  }
  bn_ckpt_destroy(c);
  bn_solver_destroy(s);
}

/* Run base b from x = 0 with a checkpoint at AT; keep its bytes. */
static void make_base(base_t *b) {
  bn_ctx_t *ctx = bn_fuzz_ctx;
  char in[320], sv[32];
  char *argv[] = {in, sv};
  snprintf(in, sizeof in, "--input=%s", bn_fuzz_input);
  snprintf(sv, sizeof sv, "--solver=%s", b->solver);
  must(bn_opts_create(ctx, toy_opts, &b->opts), "bn_opts_create");
  must(bn_opts_parse(b->opts, 2, argv), "bn_opts_parse");
  bn_solver_t *s = NULL;
  bn_ckpt_t *c = NULL;
  bn_ckpt_params_t cp = {bn_fuzz_out, AT, 0.0, 1};
  must(bn_solver_create(ctx, b->solver, &s), "bn_solver_create");
  set_params(s, AT + MORE);
  must(bn_ckpt_create(ctx, &cp, &toy_ops, toy_c, b->opts, N, &c),
       "bn_ckpt_create");
  bn_solver_set_hook(s, bn_ckpt_hook, c);
  memset(b->x, 0, sizeof b->x);
  must(bn_solver_solve(s, &toy_obj, b->x), "the seed run");
  if (bn_solver_iterations(s) != AT + MORE || bn_ckpt_last_iteration(c) != AT)
    bn_fuzz_fail("%s: %lld iterations, checkpoint at %lld", b->solver,
                 (long long)bn_solver_iterations(s),
                 (long long)bn_ckpt_last_iteration(c));
  bn_ckpt_destroy(c);
  bn_solver_destroy(s);
  FILE *f = fopen(bn_fuzz_out, "rb");
  long len = -1;
  if (f && fseek(f, 0, SEEK_END) == 0) len = ftell(f);
  if (len <= 0 || fseek(f, 0, SEEK_SET) != 0 || !(b->bytes = malloc(len)) ||
      fread(b->bytes, 1, (size_t)len, f) != (size_t)len)
    bn_fuzz_fail("cannot read the checkpoint %s back", bn_fuzz_out);
  fclose(f);
  b->len = (size_t)len;
  /* The harness works: the file restarts and ends where the run did. */
  double x[N];
  restart(b, x, true);
  if (memcmp(x, b->x, sizeof x))
    bn_fuzz_fail("%s: the unedited checkpoint does not reproduce the run",
                 b->solver);
}

static void free_bases(void) {
  for (size_t b = 0; b < COUNT(bases); b++) {
    free(bases[b].bytes);
    bn_opts_destroy(bases[b].opts);
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  bn_fuzz_setup();
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* edits of absent things */
  for (int i = 0; i < N; i++) toy_c[i] = (i % 2 ? -1.0 : 1.0) * (1 + 0.5 * i);
  bn_h5_t *f = NULL;
  must(bn_h5_create(bn_fuzz_ctx, bn_fuzz_input, 0, &f), "bn_h5_create");
  must(bn_h5_write_f64(f, "/c", N, 0, N, toy_c), "the input");
  must(bn_h5_commit(f), "bn_h5_commit");
  bn_h5_close(f);
  for (size_t b = 0; b < COUNT(bases); b++) make_base(&bases[b]);
  atexit(free_bases); /* before bn_fuzz_teardown (atexit runs LIFO) */
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const base_t *b = &bases[size > 0 ? data[0] & 1 : 0];
  double x[N];
  bn_fuzz_write(bn_fuzz_out, b->bytes, b->len);
  int changed = size > 0 ? apply_edits(data + 1, size - 1) : 0;
  restart(b, x, changed == 0);
  return 0;
}
