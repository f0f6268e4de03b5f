/* Core: options (deck + command line, precedence, validation, suggestions),
 * counter-based random numbers, error agreement. */
#define _DEFAULT_SOURCE /* mkstemps */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/benign.h"
#include "check.h"

static const bn_optdef_t defs[] = {
    {"rank", BN_OPT_INT, "5", "rank", NULL},
    {"tol", BN_OPT_REAL, "1e-8", "tolerance", NULL},
    {"solver", BN_OPT_CHOICE, "gd", "solver", "gd|agd|als"},
    {"monitor", BN_OPT_BOOL, "false", "monitor", NULL},
    {"max-iter", BN_OPT_INT, "100", "iterations", NULL},
    {"output", BN_OPT_STRING, NULL, "output", NULL},
    {NULL, 0, NULL, NULL, NULL}};

static void test_opts(bn_ctx_t *ctx) {
  /* Rank 0 writes the deck; rank 0 alone reads it during the parse. */
  char deck[64] = "/tmp/bn_deck_XXXXXX.ini";
  const char *text =
      "# a deck\nrank = 7   ; comment\nmax-iter=20\noutput = \"a b.h5\"\n"
      "solver = als\n";
  if (bn_ctx_rank(ctx) == 0) {
    int fd = mkstemps(deck, 4);
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write");
    close(fd);
  }
  MPI_Bcast(deck, sizeof(deck), MPI_CHAR, 0, bn_ctx_comm(ctx));
  bn_opts_t *o;
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &o));
  char *argv[] = {deck, "--max-iter=30", "--tol", "1e-3", "--monitor"};
  CHECK_OK(ctx, bn_opts_parse(o, 5, argv));
  int64_t r, it;
  double tol;
  bool mon;
  CHECK_OK(ctx, bn_opts_int(o, "rank", &r));
  CHECK_OK(ctx, bn_opts_int(o, "max-iter", &it));
  CHECK_OK(ctx, bn_opts_real(o, "tol", &tol));
  CHECK_OK(ctx, bn_opts_bool(o, "monitor", &mon));
  CHECK(r == 7, "deck value: rank %lld", (long long)r);
  CHECK(it == 30, "command line wins: max-iter %lld", (long long)it);
  CHECK(tol == 1e-3 && mon, "--key value and --flag forms");
  const char *out = bn_opts_string(o, "output");
  const char *sol = bn_opts_string(o, "solver");
  CHECK(out && !strcmp(out, "a b.h5"), "quoted value '%s'", out ? out : "");
  CHECK(sol && !strcmp(sol, "als"), "choice from deck");
  CHECK(bn_opts_source(o, "max-iter") == BN_SRC_CMDLINE &&
            bn_opts_source(o, "rank") == BN_SRC_DECK &&
            bn_opts_source(o, "tol") == BN_SRC_CMDLINE,
        "sources");
  char *ser = bn_opts_serialize(o);
  CHECK(ser && strstr(ser, "rank=7\n") && strstr(ser, "max-iter=30\n"),
        "serialize: %s", ser ? ser : "(null)");
  free(ser);
  bn_opts_destroy(o);

  /* Bad input: each is BN_ERR_ARG with a message naming the problem. */
  struct {
    const char *arg, *want;
  } bad[] = {{"--rnak=3", "did you mean --rank?"},
             {"--max=3", "did you mean --max-iter?"},
             {"--zzzzzz=1", "unknown option --zzzzzz"},
             {"--rank=abc", "is not an integer"},
             {"--tol=nan", "not a finite number"},
             {"--solver=newton", "not one of gd|agd|als"},
             {"--monitor=maybe", "not true or false"},
             {"/nonexistent/deck.ini", "cannot open deck file"}};
  for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
    CHECK_OK(ctx, bn_opts_create(ctx, defs, &o));
    char *av[] = {(char *)bad[k].arg};
    bn_status_t st = bn_opts_parse(o, 1, av);
    CHECK(st != BN_OK && strstr(bn_error_message(ctx), bad[k].want),
          "%s: status %d, message '%s'", bad[k].arg, st, bn_error_message(ctx));
    bn_error_clear(ctx);
    bn_opts_destroy(o);
  }
  /* A deck with a bad line names file and line. */
  MPI_Barrier(bn_ctx_comm(ctx));
  if (bn_ctx_rank(ctx) == 0) {
    FILE *f = fopen(deck, "w");
    CHECK(f && fputs("rank = 3\nthis line has no equals sign\n", f) >= 0,
          "rewrite deck");
    if (f) fclose(f);
  }
  MPI_Barrier(bn_ctx_comm(ctx));
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &o));
  char *av2[] = {deck};
  CHECK(bn_opts_parse(o, 1, av2) == BN_ERR_ARG &&
            strstr(bn_error_message(ctx), ":2: expected 'key = value'"),
        "bad deck line: '%s'", bn_error_message(ctx));
  bn_error_clear(ctx);
  bn_opts_destroy(o);
  MPI_Barrier(bn_ctx_comm(ctx));
  if (bn_ctx_rank(ctx) == 0) unlink(deck);
}

static void test_rng(void) {
  /* Pure function of (seed, stream, index, draw). */
  CHECK(bn_rng_normal(1, 2, 3, 0) == bn_rng_normal(1, 2, 3, 0), "repeatable");
  CHECK(bn_rng_normal(1, 2, 3, 0) != bn_rng_normal(2, 2, 3, 0), "seed");
  CHECK(bn_rng_normal(1, 2, 3, 0) != bn_rng_normal(1, 3, 3, 0), "stream");
  CHECK(bn_rng_uniform(1, 2, 3, 0) != bn_rng_uniform(1, 2, 3, 1), "draw");
  const int n = 200000;
  double s = 0, s2 = 0, umin = 1, umax = 0, us = 0;
  for (int i = 0; i < n; i++) {
    double z = bn_rng_normal(42, 1, (uint64_t)i, 0);
    double u = bn_rng_uniform(42, 2, (uint64_t)i, 0);
    s += z;
    s2 += z * z;
    us += u;
    umin = fmin(umin, u);
    umax = fmax(umax, u);
  }
  CHECK(fabs(s / n) < 0.01, "normal mean %g", s / n);
  CHECK(fabs(s2 / n - 1) < 0.02, "normal variance %g", s2 / n);
  CHECK(umin > 0 && umax < 1 && fabs(us / n - 0.5) < 0.005,
        "uniform in (0,1): min %g max %g mean %g", umin, umax, us / n);
  double buf[4];
  bn_rng_fill_normal(42, 1, 10, 4, buf);
  CHECK(buf[2] == bn_rng_normal(42, 1, 12, 0), "fill keyed by index");
}

static void test_agree(bn_ctx_t *ctx) {
  /* One process's failure becomes everybody's, with its message. */
  bn_status_t st = BN_OK;
  if (bn_ctx_rank(ctx) == bn_ctx_size(ctx) - 1)
    st = BN_ERROR(ctx, BN_ERR_DATA, "bad thing on %d", bn_ctx_rank(ctx));
  st = bn_agree(ctx, st);
  char want[64];
  snprintf(want, sizeof(want), "bad thing on %d", bn_ctx_size(ctx) - 1);
  CHECK(st == BN_ERR_DATA && bn_error_agreed(ctx) &&
            !strcmp(bn_error_message(ctx), want),
        "agreed: %d '%s'", st, bn_error_message(ctx));
  bn_error_clear(ctx);
  CHECK(bn_agree(ctx, BN_OK) == BN_OK, "all fine");
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  test_opts(ctx);
  test_rng();
  test_agree(ctx);
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_core");
  MPI_Finalize();
  return rc;
}
