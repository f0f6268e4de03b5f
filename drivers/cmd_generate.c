/* benign generate FAMILY: synthetic instances with ground truth. One line
 * per family here (and its name in `subjects` below), one file
 * drivers/gen_FAMILY.c with its option table and run function. */
#include <string.h>

#include "cli.h"

typedef struct bn_gen_family {
  const char *name;
  const bn_optdef_t *opts;
  bn_status_t (*run)(bn_ctx_t *ctx, bn_opts_t *opts);
} bn_gen_family_t;

static const bn_gen_family_t bn_gen_families[] = {
    {"complete", bn_gen_complete_opts, bn_gen_complete_run},
    {"rpca", bn_gen_rpca_opts, bn_gen_rpca_run},
    {"factor", bn_gen_factor_opts, bn_gen_factor_run},
    {"sense", bn_gen_sense_opts, bn_gen_sense_run},
    {"phase", bn_gen_phase_opts, bn_gen_phase_run},
    {"glm", bn_gen_glm_opts, bn_gen_glm_run},
    {"eig", bn_gen_eig_opts, bn_gen_eig_run},
    {"tensor", bn_gen_tensor_opts, bn_gen_tensor_run},
    {"dict", bn_gen_dict_opts, bn_gen_dict_run},
    {"sasd", bn_gen_sasd_opts, bn_gen_sasd_run},
    {"deconv", bn_gen_deconv_opts, bn_gen_deconv_run},
    {NULL, NULL, NULL}};

static const bn_gen_family_t *bn_gen_find(const char *name) {
  for (int i = 0; name && bn_gen_families[i].name; i++)
    if (!strcmp(bn_gen_families[i].name, name)) return &bn_gen_families[i];
  return NULL;
}

static const bn_optdef_t *bn_generate_opts(const char *subject) {
  const bn_gen_family_t *f = bn_gen_find(subject);
  return f ? f->opts : NULL;
}

static bn_status_t bn_generate_run(bn_ctx_t *ctx, bn_opts_t *opts,
                                   const char *subject) {
  const bn_gen_family_t *f = bn_gen_find(subject);
  if (!f) /* main.c checked the word against `subjects` already */
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "unknown family '%s'", subject);
  return f->run(ctx, opts);
}

const bn_command_t bn_cmd_generate = {
    "generate",
    "write a synthetic instance with ground truth (families: complete, rpca, "
    "factor, sense, phase, glm, eig, tensor, dict, sasd, deconv)",
    "mpirun -n P benign generate FAMILY --output=F.h5 [options]; "
    "benign generate FAMILY --help for a family's options",
    bn_gen_complete_opts,
    NULL,
    "complete|rpca|factor|sense|phase|glm|eig|tensor|dict|sasd|deconv",
    bn_generate_run,
    bn_generate_opts};
