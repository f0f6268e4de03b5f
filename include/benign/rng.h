/* benign -- counter-based random numbers (Random123 Philox4x32-10).
 *
 * A draw is a pure function of (seed, stream, index, draw): the same seed
 * gives the same data and initial point on any number of processes, because
 * each value is keyed by its global index, not by who computes it. Streams
 * separate independent uses (truth factors, sampling, noise, init, ...). */
#ifndef BENIGN_RNG_H
#define BENIGN_RNG_H

#include <stddef.h>
#include <stdint.h>

/* Well-known streams; problems may use their own values >= 64. */
enum {
  BN_STREAM_TRUTH_U = 1,
  BN_STREAM_TRUTH_V = 2,
  BN_STREAM_SAMPLE = 3,
  BN_STREAM_SPLIT = 4,
  BN_STREAM_NOISE = 5,
  BN_STREAM_INIT_U = 6,
  BN_STREAM_INIT_V = 7,
  BN_STREAM_SKETCH = 8,
  BN_STREAM_SPECTRUM = 9,
  BN_STREAM_BIAS_ROW = 10,
  BN_STREAM_BIAS_COL = 11,
  BN_STREAM_HOLDOUT = 12 /* benign split: which entries are held out */
};

/* Uniform in the open interval (0, 1). */
double bn_rng_uniform(uint64_t seed, uint32_t stream, uint64_t index,
                      uint32_t draw);
/* Standard normal (Box-Muller on two uniforms of one counter). */
double bn_rng_normal(uint64_t seed, uint32_t stream, uint64_t index,
                     uint32_t draw);
/* out[k] = normal(seed, stream, first + k, 0) for k < n. */
void bn_rng_fill_normal(uint64_t seed, uint32_t stream, uint64_t first,
                        size_t n, double *out);

#endif
