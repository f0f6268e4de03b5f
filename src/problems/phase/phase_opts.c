/* Phase retrieval: the options, and what --method=auto (the default)
 * runs.
 *
 * auto picks the method and start from the model and the oversampling
 * m/n once the input is read (bn_phase_choose), and says so in the log:
 * an amplitude loss (the intensity loss of wf/twf does not converge on
 * coded diffraction at L = 4, and fails more often near the Gaussian
 * phase transition) from the optimal spectral start (Luo, Alghamdi, Lu
 * 2019), which succeeds on more instances near m/n = 3 than RAF's
 * weighted start and halves the iterations on coded diffraction. Dense
 * models get raf-loss (RAF's reweighting: more successes near m/n = 2.5),
 * cdp plain raf (fewer iterations there); with --power-iters=auto the
 * optimal start's eigenvector comes from Lanczos, converged tightly below
 * m/n = 4 on dense models (phase_init.c). The measurements behind the rule are
 * in bench/README.md ("Phase retrieval against PhasePack"). An explicit
 * --init is kept. On a dense model a first solve that ends at a poor fit
 * is followed by a second from another start (phase_stage.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/phase/phase.h"
#include "problems/phase/phase_cdp.h"

const char *const bn_phase_method_names[6] = {"wf",  "twf",       "raf",
                                              "rwf", "gd-random", "raf-loss"};
const char *const bn_phase_init_names[6] = {"spectral", "truncated", "reshaped",
                                            "weighted", "random",    "optimal"};

/* The method's own start and loss. */
static const bn_phase_init_t bn_phase_default_init[6] = {
    BN_PHASE_INIT_SPECTRAL, BN_PHASE_INIT_TRUNCATED, BN_PHASE_INIT_WEIGHTED,
    BN_PHASE_INIT_RESHAPED, BN_PHASE_INIT_RANDOM,    BN_PHASE_INIT_OPTIMAL};
static const int bn_phase_amp_loss[6] = {0, 0, 1, 1, 0, 2};

int bn_phase_parse(const char *const *names, int count, const char *name) {
  for (int k = 0; k < count; k++)
    if (name && !strcmp(name, names[k])) return k;
  return -1;
}

const bn_optdef_t bn_phase_optdefs[] = {
    {"method", BN_OPT_CHOICE, "auto",
     "auto: chosen from the model and m/n, said in the log (today raf "
     "from the optimal spectral start; on a dense model solved again from "
     "the weighted start when the first solve ends at a poor fit, keeping "
     "the better); wf: Wirtinger flow; twf: truncated "
     "WF; raf: reweighted amplitude flow; rwf: reshaped WF; gd-random: "
     "gradient descent from a random start; raf-loss: the loss whose "
     "gradient is RAF's reweighted one (from the optimal start). wf, twf, "
     "gd-random minimise the intensity loss 1/(2m) sum (|a_i^H z|^2 - "
     "y_i)^2, raf and rwf the amplitude loss 1/(2m) sum (|a_i^H z| - "
     "sqrt(y_i))^2; --solver=als runs the method's published update rule",
     "auto|wf|twf|raf|rwf|gd-random|raf-loss"},
    {"init", BN_OPT_CHOICE, NULL,
     "initial point (this key replaces the shared --init): spectral, "
     "truncated (TWF), reshaped (RWF), weighted (RAF's weighted maximal "
     "correlation), optimal (Luo, Alghamdi, Lu's optimal spectral "
     "preprocessing) or random; unset: the method's own (wf spectral, twf "
     "truncated, raf weighted, rwf reshaped, gd-random random, raf-loss "
     "optimal; auto's choice)",
     "spectral|truncated|reshaped|weighted|random|optimal"},
    {"data", BN_OPT_CHOICE, "auto",
     "what /y holds: intensity |Ax|^2 or amplitude |Ax|; auto: the `data` "
     "attribute of /y (intensity if absent)",
     "auto|intensity|amplitude"},
    {"model", BN_OPT_CHOICE, "auto",
     "measurement model; auto: the `model` attribute of /y (gaussian if "
     "absent); another value must match it. cdp: coded diffraction "
     "patterns of an h x w image (FFTW-MPI)",
     "auto|gaussian|implicit|cdp"},
    {"power-iters", BN_OPT_STRING, "auto",
     "power iterations of the spectral initial points, in [1, 100000]; "
     "auto: 50, and for the optimal start Lanczos to a Ritz residual of "
     "1e-3 |Y| (1e-8 on a dense model below m/n = 4)",
     NULL},
    {"fft-plan", BN_OPT_CHOICE, "measure",
     "cdp: how FFTW plans the 2-D transforms. measure: time candidate "
     "plans first (a few seconds at 1024 x 1024; transforms several times "
     "faster, but the plan, so the last bits of the answer, may differ "
     "from run to run); estimate: a fixed plan at once (reproducible)",
     "measure|estimate"},
    {NULL, 0, NULL, NULL, NULL}};

bn_status_t bn_phase_options(bn_phase_t *s, const bn_opts_t *opts) {
  bn_ctx_t *ctx = s->ctx;
  const char *pw = bn_opts_string(opts, "power-iters");
  char *end = NULL;
  long long power = pw && strcmp(pw, "auto") ? strtoll(pw, &end, 10) : -1;
  if (power != -1 && (!*pw || *end || power < 1 || power > 100000))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--power-iters=%s: must be auto or an integer in "
                        "[1, 100000]",
                        pw);
  s->power_iters = (int)power;
  s->want = 1; /* one solve unless auto solves again (phase_stage.c) */
  s->fft_plan = strcmp(bn_opts_string(opts, "fft-plan"), "estimate")
                    ? FFTW_MEASURE
                    : FFTW_ESTIMATE;
  const char *method = bn_opts_string(opts, "method");
  s->auto_method = !method || !strcmp(method, "auto");
  s->method = s->auto_method ? BN_PHASE_RAF_LOSS
                             : (bn_phase_method_t)bn_phase_parse(
                                   bn_phase_method_names, 6, method);
  s->amp_loss = bn_phase_amp_loss[s->method];
  bn_opt_source_t src = bn_opts_source(opts, "init");
  s->init_given = src == BN_SRC_DECK || src == BN_SRC_CMDLINE;
  s->init = bn_phase_default_init[s->method];
  if (s->init_given)
    s->init = (bn_phase_init_t)bn_phase_parse(bn_phase_init_names, 6,
                                              bn_opts_string(opts, "init"));
  const char *in = bn_opts_string(opts, "input");
  if (!in || !*in)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "no input file: give --input=FILE.h5");
  s->input = strdup(in);
  return s->input ? BN_OK : BN_ERROR(ctx, BN_ERR_MEM, "out of memory");
}

void bn_phase_choose(bn_phase_t *s) {
  s->beta = s->cplx ? 5.0 : 10.0;
  if (!s->auto_method) return;
  const double ratio = (double)s->m / (double)s->n;
  const int cdp = s->model->local;
  s->method = cdp ? BN_PHASE_RAF : BN_PHASE_RAF_LOSS;
  s->amp_loss = bn_phase_amp_loss[s->method];
  if (!s->init_given) s->init = BN_PHASE_INIT_OPTIMAL;
  bn_log(s->ctx, BN_LOG_INFO,
         "method auto: %s from the %s start (%s model, m/n = %.3g): %s\n",
         bn_phase_method_names[s->method], bn_phase_init_names[s->init],
         s->model->name, ratio,
         cdp ? "the amplitude loss (the intensity loss of wf/twf does not "
               "converge on coded diffraction at L = 4; RAF's reweighting "
               "takes more iterations there)"
             : "RAF's reweighted amplitude loss (more successes than the "
               "plain amplitude or intensity loss near m/n = 2.5-3)");
}
