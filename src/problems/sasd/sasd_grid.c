/* The FFT grid of SaS-BD (sasd.h): serial FFTW for a replicated 1-D
 * signal, FFTW-MPI real-to-complex slabs for a 2-D image. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/sasd/sasd_state.h"

void bn_sasd_grid_free(bn_sasd_grid_t *g) {
  if (!g) return;
  if (g->fwd) fftw_destroy_plan(g->fwd);
  if (g->bwd) fftw_destroy_plan(g->bwd);
  fftw_free(g->work);
  free(g);
}

bn_status_t bn_sasd_grid_create(bn_ctx_t *ctx, int dims, bn_idx_t h, bn_idx_t w,
                                bool measure, bn_sasd_grid_t **out) {
  bn_sasd_grid_t *g = NULL;
  *out = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*g), &g)));
  MPI_Comm comm = bn_ctx_comm(ctx);
  g->ctx = ctx;
  g->dims = dims;
  g->h = dims == 1 ? 1 : h;
  g->w = w;
  g->wc = (size_t)w / 2 + 1;
  g->ws = 2 * g->wc;
  g->replicated = dims == 1;
  if (dims == 1) {
    g->n0 = 1;
    g->r0 = 0;
    g->alloc = g->wc;
    g->ns = g->wc;
  } else {
    /* Once per process in effect (see phase_cdp.c): never paired with
     * fftw_mpi_cleanup, other instances may still hold plans. */
    fftw_mpi_init();
    ptrdiff_t n0, r0, nc, c0;
    ptrdiff_t al = fftw_mpi_local_size_2d_transposed(
        (ptrdiff_t)h, (ptrdiff_t)g->wc, comm, &n0, &r0, &nc, &c0);
    g->n0 = n0;
    g->r0 = r0;
    g->nc = nc;
    g->c0 = c0;
    g->ns = (size_t)nc * (size_t)h;
    g->alloc = al < 1 ? 1 : (size_t)al;
  }
  g->work = fftw_alloc_complex(g->alloc);
  bn_status_t st = g->work ? BN_OK
                           : BN_ERROR(ctx, BN_ERR_MEM,
                                      "out of memory for a %lld x %lld grid",
                                      (long long)g->h, (long long)w);
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    double *r = (double *)g->work;
    unsigned fl = measure ? FFTW_MEASURE : FFTW_ESTIMATE;
    if (dims == 1) {
      /* Replicated: every rank must compute bit for bit the same, so the
       * same plan everywhere. With FFTW_MEASURE rank 0 times the plans and
       * broadcasts its wisdom; the others then plan from it (FFTW takes a
       * plan it has wisdom for without measuring again). */
      const int me = bn_ctx_rank(ctx);
      if (!measure || me == 0) {
        g->fwd = fftw_plan_dft_r2c_1d((int)w, r, g->work, fl);
        g->bwd = fftw_plan_dft_c2r_1d((int)w, g->work, r, fl);
      }
      if (measure && bn_ctx_size(ctx) > 1) {
        fftw_mpi_init(); /* idempotent (see phase_cdp.c) */
        fftw_mpi_broadcast_wisdom(comm);
      }
      if (measure && me != 0) {
        g->fwd = fftw_plan_dft_r2c_1d((int)w, r, g->work, fl);
        g->bwd = fftw_plan_dft_c2r_1d((int)w, g->work, r, fl);
      }
    } else {
      g->fwd = fftw_mpi_plan_dft_r2c_2d((ptrdiff_t)h, (ptrdiff_t)w, r, g->work,
                                        comm, fl | FFTW_MPI_TRANSPOSED_OUT);
      g->bwd = fftw_mpi_plan_dft_c2r_2d((ptrdiff_t)h, (ptrdiff_t)w, g->work, r,
                                        comm, fl | FFTW_MPI_TRANSPOSED_IN);
    }
    st = bn_agree(ctx, g->fwd && g->bwd
                           ? BN_OK
                           : BN_ERROR(ctx, BN_ERR_LIB,
                                      "FFTW could not plan a %lld x %lld "
                                      "real transform",
                                      (long long)g->h, (long long)w));
  }
  if (st == BN_OK) /* FFTW_MEASURE overwrote it */
    memset(g->work, 0, g->alloc * sizeof(fftw_complex));
  if (st != BN_OK) {
    bn_sasd_grid_free(g);
    return st;
  }
  g->t_fft = bn_timer_id(ctx, "sasd FFTs");
  *out = g;
  return BN_OK;
}

/* New-array execution: every buffer comes from fftw_alloc_complex (same
 * alignment) and is transformed in place, like the plans' own array. */
void bn_sasd_fft_fwd(bn_sasd_grid_t *g, fftw_complex *buf) {
  bn_timer_start(g->ctx, g->t_fft);
  if (g->replicated)
    fftw_execute_dft_r2c(g->fwd, (double *)buf, buf);
  else
    fftw_mpi_execute_dft_r2c(g->fwd, (double *)buf, buf);
  bn_timer_stop(g->ctx, g->t_fft);
}

void bn_sasd_fft_bwd(bn_sasd_grid_t *g, fftw_complex *buf) {
  bn_timer_start(g->ctx, g->t_fft);
  if (g->replicated)
    fftw_execute_dft_c2r(g->bwd, buf, (double *)buf);
  else
    fftw_mpi_execute_dft_c2r(g->bwd, buf, (double *)buf);
  bn_timer_stop(g->ctx, g->t_fft);
}

fftw_complex *bn_sasd_alloc(const bn_sasd_grid_t *g) {
  fftw_complex *p = fftw_alloc_complex(g->alloc);
  if (p) memset(p, 0, g->alloc * sizeof(fftw_complex));
  return p;
}

bn_status_t bn_sasd_sum(bn_sasd_grid_t *g, double *v, int n) {
  if (g->replicated) return BN_OK;
  BN_MPI(g->ctx, MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_SUM,
                               bn_ctx_comm(g->ctx)));
  return BN_OK;
}

bn_status_t bn_sasd_max(bn_sasd_grid_t *g, double *v, int n) {
  if (g->replicated) return BN_OK;
  BN_MPI(g->ctx, MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_MAX,
                               bn_ctx_comm(g->ctx)));
  return BN_OK;
}

void bn_sasd_kernel_spec(bn_sasd_grid_t *g, const double *a, int kh, int kw,
                         fftw_complex *out) {
  double *r = (double *)out;
  memset(out, 0, g->alloc * sizeof(fftw_complex));
  for (bn_idx_t i = 0; i < g->n0; i++) {
    bn_idx_t gi = g->r0 + i;
    if (gi < kh)
      memcpy(r + (size_t)i * g->ws, a + gi * kw, kw * sizeof(double));
  }
  bn_sasd_fft_fwd(g, out);
}

void bn_sasd_real_spec(bn_sasd_grid_t *g, const double *x, fftw_complex *out) {
  memcpy(out, x, g->alloc * sizeof(fftw_complex));
  bn_sasd_fft_fwd(g, out);
}

void bn_sasd_shift(bn_sasd_grid_t *g, double *x, bn_idx_t d0, bn_idx_t d1) {
  if (d0 == 0 && d1 == 0) return;
  memcpy(g->work, x, g->alloc * sizeof(fftw_complex));
  bn_sasd_fft_fwd(g, g->work);
  const double s = 1.0 / ((double)g->h * (double)g->w);
  const double tp = 2.0 * 3.14159265358979323846;
  const bn_idx_t e0 = (d0 % g->h + g->h) % g->h, e1 = (d1 % g->w + g->w) % g->w;
  for (size_t q = 0; q < g->ns; q++) {
    /* exp(-2 pi i (f0 d0 / h + f1 d1 / w)), the angles reduced mod the
     * period in integers first so they stay exact for large images */
    bn_idx_t f0 = bn_sasd_row(g, q), f1 = (bn_idx_t)bn_sasd_col(g, q);
    double p0 = (double)((f0 * e0) % g->h) / (double)g->h;
    double p1 = (double)((f1 * e1) % g->w) / (double)g->w;
    double th = -tp * (p0 + p1);
    double cr = cos(th) * s, ci = sin(th) * s;
    fftw_complex *z = &g->work[q];
    double re = (*z)[0], im = (*z)[1];
    (*z)[0] = re * cr - im * ci;
    (*z)[1] = re * ci + im * cr;
  }
  bn_sasd_fft_bwd(g, g->work);
  memcpy(x, g->work, g->alloc * sizeof(fftw_complex));
}

bn_status_t bn_sasd_window(bn_sasd_grid_t *g, const fftw_complex *buf, int kh,
                           int kw, double scale, double *out) {
  const double *r = (const double *)buf;
  memset(out, 0, (size_t)kh * kw * sizeof(double));
  for (bn_idx_t i = 0; i < g->n0; i++) {
    bn_idx_t gi = g->r0 + i;
    if (gi >= kh) continue;
    for (int j = 0; j < kw; j++)
      out[gi * kw + j] = scale * r[(size_t)i * g->ws + j];
  }
  return bn_sasd_sum(g, out, kh * kw);
}
