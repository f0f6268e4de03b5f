/* What every dataset benign writes means: one table, keyed by the file's
 * scope (the command that wrote it: "dict", "generate dict", "import",
 * "landscape complete", ...) and the dataset's path. bn_h5_notes_apply
 * (h5_notes.c) writes each entry as the dataset's attributes
 * `description`, `rows_are` and `cols_are` before a file is committed.
 *
 * Datasets keep the orientation the code has always written (readers
 * depend on it); these notes say which it is. A scope or path is a list
 * of fnmatch(3) patterns separated by '|'; the first entry that matches
 * both wins, so a specific entry goes before a general one. A dataset
 * that no entry matches gets no description: tests/cli_describe.sh finds
 * it, and `--log-level=debug` names it. */
#include <fnmatch.h>
#include <string.h>

#include "io/h5_notes.h"

/* Scopes shared by several entries. */
#define LOWRANK "complete|tune|rpca|factor|sense|landscape complete"
#define ANY_RUN                                                            \
  "complete|tune|rpca|factor|sense|phase|glm|eig|tensor|dict|deconv|sasd|" \
  "landscape *"
#define ENTRIES_OF(what) \
  "One " what " per entry of this group's (row, col, val) triplets."

static const bn_h5_note_t bn_h5_notes[] = {
    /* --- sparse codes of dict: an atoms x samples matrix (Y^T = A X);
     * the dense /X is its transpose --------------------------------- */
    {"*dict*", "/X/row|/X_true/row",
     ENTRIES_OF("atom (code matrix row, of atoms x samples)"), NULL, NULL},
    {"*dict*", "/X/col|/X_true/col",
     ENTRIES_OF("sample (code matrix column, of atoms x samples)"), NULL, NULL},
    {"*dict*", "/X/val|/X_true/val", ENTRIES_OF("code value"), NULL, NULL},

    /* --- sparse triplets: inputs, splits, sparse results -------------- */
    {"*", "/omega/row|/test/row|/truth/S/row|/S/row|/X_true/row|/X/row",
     ENTRIES_OF("row index (0-based)"), NULL, NULL},
    {"*", "/omega/col|/test/col|/truth/S/col|/S/col|/X_true/col|/X/col",
     ENTRIES_OF("column index (0-based)"), NULL, NULL},
    {"*", "/omega/val|/test/val|/truth/S/val|/S/val|/X_true/val|/X/val",
     ENTRIES_OF("value"), NULL, NULL},
    {"*", "/omega/time", ENTRIES_OF("timestamp"), NULL, NULL},
    {"*", "/map/row_ids",
     "Original id of each row (user) of the matrix: row_ids[i] is the id of "
     "row i; length rows.",
     NULL, NULL},
    {"*", "/map/col_ids",
     "Original id of each column (item) of the matrix: col_ids[j] is the id "
     "of column j; length cols.",
     NULL, NULL},

    /* --- low-rank inputs ---------------------------------------------- */
    {"*", "/truth/U",
     "Ground-truth left factor X (the matrix is X Y^T): rows x k.",
     "matrix rows", "factor components"},
    {"*", "/truth/V",
     "Ground-truth right factor Y (the matrix is X Y^T): cols x k.",
     "matrix columns", "factor components"},
    {"*", "/M",
     "The observed dense matrix M = L + S (low rank plus sparse): "
     "rows x cols.",
     "matrix rows", "matrix columns"},
    {"*rpca*", "/truth/S",
     "Group of the true sparse corruption S as triplets (row, col, val).", NULL,
     NULL},
    {"generate factor|factor|landscape factor", "/Y",
     "The full matrix to factor (Y = U V^T, or U U^T in --mode=sym): "
     "rows x cols.",
     "matrix rows", "matrix columns"},
    {"*sense*", "/y",
     "Measurements y_i = <A_i, M>, one per sensing operator A_i: length m.",
     NULL, NULL},
    {"*sense*", "/A",
     "Gaussian sensing operators, one per row: row i is A_i flattened "
     "row-major (entry (j, k) at column j n2 + k): m x (n1 n2).",
     "measurements", "entries of A_i, row-major"},
    {"*sense*", "/a",
     "Left vectors of the rank-one operators A_i = a_i b_i^T: m x n1.",
     "measurements", "matrix rows"},
    {"*sense*", "/b",
     "Right vectors of the rank-one operators A_i = a_i b_i^T: m x n2.",
     "measurements", "matrix columns"},

    /* --- low-rank results --------------------------------------------- */
    {LOWRANK, "/U",
     "Left factor U; row i is u_i and the fitted matrix is U V^T: rows x r.",
     "matrix rows", "factor components"},
    {LOWRANK, "/V",
     "Right factor V; row j is v_j and the fitted matrix is U V^T: "
     "cols x r.",
     "matrix columns", "factor components"},
    {LOWRANK, "/bias/row",
     "Row biases b_i of the model mu + b_i + c_j + u_i.v_j: length rows.", NULL,
     NULL},
    {LOWRANK, "/bias/col",
     "Column biases c_j of the model mu + b_i + c_j + u_i.v_j: length cols.",
     NULL, NULL},

    /* --- predict, recommend --------------------------------------------- */
    {"predict", "/user", "User (row) id of each pair, in original ids.", NULL,
     NULL},
    {"predict", "/item", "Item (column) id of each pair, in original ids.",
     NULL, NULL},
    {"predict", "/prediction",
     "Predicted value of each pair: mu + b_i + c_j + u_i.v_j.", NULL, NULL},
    {"predict", "/value", "The pairs' own values, as given with the pairs.",
     NULL, NULL},
    {"recommend", "/users", "The users listed, in original ids: length n.",
     NULL, NULL},
    {"recommend", "/items",
     "Recommended item ids, row-major n x top (user u's at [u top, (u+1) "
     "top), best first; -1 past the candidates).",
     NULL, NULL},
    {"recommend", "/scores",
     "Predicted value of each entry of /items, the same layout (NaN past "
     "the candidates).",
     NULL, NULL},

    /* --- phase retrieval ----------------------------------------------- */
    {"*phase*", "/y",
     "Measurements |a_i^* x|^2 (or their square roots): length m, or "
     "patterns x height x width for coded diffraction.",
     NULL, NULL},
    {"*phase*", "/A",
     "Measurement vectors, one per row, as (real, imaginary) pairs: "
     "m x n x 2.",
     NULL, NULL},
    {"*phase*", "/x_true|/x",
     "The signal x (x_true: the truth), one entry per row as (real, "
     "imaginary): n x 2.",
     "signal entries", "real part, imaginary part"},

    /* --- glm ------------------------------------------------------------ */
    {"*glm*", "/X", "Samples, one per row: samples x dimension.", "samples",
     "features"},
    {"*glm*", "/y", "Responses y_i = sigma(w^T x_i) + noise: one per sample.",
     NULL, NULL},
    {"*glm*", "/truth/w|/w",
     "Weight vector w (truth/w: the truth): length dimension.", NULL, NULL},

    /* --- eig ------------------------------------------------------------ */
    {"*eig*", "/A", "The symmetric matrix: n x n.", "rows of A",
     "columns of A"},
    {"*eig*", "/truth/X", "True leading eigenvectors, one per column: n x k.",
     "coordinates", "eigenvectors"},
    {"*eig*", "/truth/eigenvalues|/eigenvalues",
     "Eigenvalues, largest first (truth/: the truth): length k.", NULL, NULL},
    {"*eig*", "/X",
     "The solver's orthonormal iterate X, one vector per column: n x k.",
     "coordinates", "vectors"},
    {"*eig*", "/eigenvectors",
     "Ritz vectors (rotated /X), one per column: n x k.", "coordinates",
     "eigenvectors"},

    /* --- tensor --------------------------------------------------------- */
    {"*tensor*", "/A|/A_true",
     "Components a_k, one per column (A_true: the truth): n x K.",
     "coordinates", "components"},
    {"*tensor*", "/A_hat", "Recovered components, one per column: n x K.",
     "coordinates", "components"},
    {"*tensor*", "/lambda|/lambda_true|/lambda_hat",
     "Weights lambda_k of the components, in column order: length K.", NULL,
     NULL},
    {"*tensor*", "/Z", "Samples, one per row: samples x n.", "samples",
     "coordinates"},
    {"*tensor*", "/T",
     "The tensor unfolded: n x n^3 (entry (i, j n^2 + k n + l) is T_ijkl).",
     "first index", "other three indices, row-major"},
    {"*tensor*", "/x", "The last solve's end point on the sphere: length n.",
     NULL, NULL},
    {"*tensor*", "/history/component",
     "The component (solve) each history row belongs to.", NULL, NULL},
    {"*tensor*", "/stages/shift", "Shift used by each solve.", NULL, NULL},

    /* --- dictionary learning -------------------------------------------- */
    {"*dict*|import", "/Y",
     "Samples (image patches), one per row: samples x dimension m; a patch "
     "is patch_h x patch_w row-major when the root says so.",
     "samples", "coordinates"},
    {"*dict*", "/A_true", "True dictionary, atoms as columns: m x atoms.",
     "coordinates", "atoms"},
    {"*dict*", "/A", "Learned dictionary, atoms as columns: m x atoms.",
     "coordinates", "atoms"},
    {"*dict*", "/A_iter",
     "The synthesis iterate of the dictionary before the final polish, atoms "
     "as columns: m x atoms.",
     "coordinates", "atoms"},
    {"*dict*", "/Q",
     "Atoms in the whitened coordinates, one per column: m x atoms.",
     "coordinates", "atoms"},
    {"*dict*", "/W", "Orthogonal iterate of the l4 method: m x m.",
     "coordinates", "coordinates"},
    {"*dict*", "/q", "The last solve's end point on the sphere: length m.",
     NULL, NULL},
    {"*dict*", "/X",
     "Dense codes, one sample per row (note: the transpose of the sparse "
     "/X group's atom x sample): samples x atoms.",
     "samples", "atoms"},
    {"*dict*", "/history/stage",
     "The stage (atom solve) each history row belongs to.", NULL, NULL},
    {"*dict*", "/stages/kept", "1 when the stage's atom was kept, else 0.",
     NULL, NULL},
    {"*dict*", "/stages/lambda_min",
     "Smallest Hessian eigenvalue at each stage's end point.", NULL, NULL},
    {"*dict*", "/stages/verdict",
     "Certificate verdict of each stage's end point (code).", NULL, NULL},

    /* --- multichannel deconvolution -------------------------------------- */
    {"*deconv*", "/Y",
     "Channels y_i = a (*) x_i, one per row: channels x n (or channels x h "
     "x w).",
     "channels", "samples of a channel"},
    {"*deconv*", "/X_true",
     "True sparse channels, as /Y: channels x n (or channels x h x w).",
     "channels", "samples of a channel"},
    {"*deconv*", "/X",
     "Deconvolved channels, as /Y: channels x n (or channels x h x w).",
     "channels", "samples of a channel"},
    {"*deconv*", "/a_true|/kernel",
     "Kernel a (a_true: the truth; kernel: recovered, canonical form): "
     "length k (or kh x kw).",
     "kernel rows", "kernel columns"},
    {"*deconv*", "/q",
     "The solver's end point on the sphere, before rounding: length N.", NULL,
     NULL},

    /* --- short-and-sparse deconvolution ----------------------------------- */
    {"*sasd*", "/y", "The signal or image y = a (*) x: length n (or h x w).",
     "image rows", "image columns"},
    {"*sasd*", "/x_true|/x",
     "Activation map x (x_true: the truth), as /y: length n (or h x w).",
     "image rows", "image columns"},
    {"*sasd*", "/a_true|/a",
     "Kernel a (a_true: the truth; a: canonical form): length k (or k x k).",
     "kernel rows", "kernel columns"},
    {"*sasd*", "/a_window",
     "The final kernel window of iADM: length 3k-2 (or (3k-2) x (3k-2)).",
     "window rows", "window columns"},
    {"*sasd*", "/checkpoint/a_prev", "Previous kernel window (inertia).",
     "window rows", "window columns"},
    {"*sasd*", "/checkpoint/x_prev", "Previous activation map (inertia).",
     "image rows", "image columns"},
    {"*sasd*", "/history/lambda", "lambda of the homotopy stage.", NULL, NULL},
    {"*sasd*", "/history/change",
     "max(|x - x_prev| / |x|, |a - a_prev|) (NaN at 0).", NULL, NULL},
    {"*sasd*", "/history/residual", "|y - a (*) x| / |y|.", NULL, NULL},
    {"*sasd*", "/history/kernel_error", "Kernel error of the window.", NULL,
     NULL},

    /* --- landscape census ----------------------------------------------- */
    {"landscape *", "/starts/*",
     "One value per random start (the start's row in the census table).", NULL,
     NULL},
    {"landscape *", "/clusters/*",
     "One value per cluster of end points (critical points found).", NULL,
     NULL},
    {"landscape *", "/plateaus/*",
     "One value per objective plateau passed (a saddle visited).", NULL, NULL},

    /* --- the run frame: history, stages, checkpoints --------------------- */
    {ANY_RUN, "/history/iteration", "Iteration number of each history row.",
     NULL, NULL},
    {ANY_RUN, "/history/objective", "Objective at each iteration.", NULL, NULL},
    {ANY_RUN, "/history/grad_norm", "Gradient norm at each iteration.", NULL,
     NULL},
    {ANY_RUN, "/history/step", "Accepted step at each iteration.", NULL, NULL},
    {ANY_RUN, "/history/rel_error",
     "Relative error to the input's truth at each iteration.", NULL, NULL},
    {ANY_RUN, "/history/test_rmse",
     "RMSE on the held-out /test entries at each iteration.", NULL, NULL},
    {ANY_RUN, "/history/seconds",
     "Seconds since the solver started, at each iteration.", NULL, NULL},
    {ANY_RUN, "/stages/objective", "Objective at each stage's end.", NULL,
     NULL},
    {ANY_RUN, "/stages/grad_norm", "Gradient norm at each stage's end.", NULL,
     NULL},
    {ANY_RUN, "/stages/iterations", "Iterations of each stage.", NULL, NULL},
    {ANY_RUN, "/stages/reason", "Stop reason of each stage (signed code).",
     NULL, NULL},
    {ANY_RUN, "/stages/seconds", "Seconds spent in each stage.", NULL, NULL},
    {ANY_RUN, "/checkpoint/state",
     "The solver's state numbers; attribute fields names them.", NULL, NULL},
};

/* Datasets saved under a prefix are the problem's own under another role:
 * the note of the dataset without the prefix, with the role in front. */
static const struct {
  const char *prefix, *role;
} bn_h5_roles[] = {
    {"/init/", "Starting point of the solve (--save-init)."},
    {"/checkpoint/xprev/", "Checkpoint: the previous iterate."},
    {"/checkpoint/gprev/", "Checkpoint: the previous gradient."},
    {"/checkpoint/early_best/",
     "Checkpoint: the iterate of the lowest test RMSE so far."},
};

/* Does `name` match one of the '|'-separated patterns of `list`? */
static int bn_h5_note_match(const char *list, const char *name) {
  char pat[256];
  for (const char *p = list; p && *p;) {
    const char *bar = strchr(p, '|');
    size_t len = bar ? (size_t)(bar - p) : strlen(p);
    if (len < sizeof pat) {
      memcpy(pat, p, len);
      pat[len] = '\0';
      if (fnmatch(pat, name, 0) == 0) return 1;
    }
    p = bar ? bar + 1 : NULL;
  }
  return 0;
}

static const bn_h5_note_t *bn_h5_note_direct(const char *scope,
                                             const char *path) {
  for (size_t k = 0; k < sizeof bn_h5_notes / sizeof *bn_h5_notes; k++)
    if (bn_h5_note_match(bn_h5_notes[k].scope, scope) &&
        bn_h5_note_match(bn_h5_notes[k].path, path))
      return &bn_h5_notes[k];
  return NULL;
}

const bn_h5_note_t *bn_h5_note_find(const char *scope, const char *path,
                                    const char **role) {
  *role = NULL;
  const bn_h5_note_t *n = bn_h5_note_direct(scope, path);
  if (n) return n;
  for (size_t k = 0; k < sizeof bn_h5_roles / sizeof *bn_h5_roles; k++) {
    size_t len = strlen(bn_h5_roles[k].prefix);
    if (strncmp(path, bn_h5_roles[k].prefix, len) != 0) continue;
    n = bn_h5_note_direct(scope, path + len - 1); /* keep the '/' */
    if (n) *role = bn_h5_roles[k].role;
    return n;
  }
  return NULL;
}
