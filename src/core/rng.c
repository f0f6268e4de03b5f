/* Counter-based random numbers: Philox4x32-10 from Random123. The counter is
 * (index low, index high, stream, draw); the key is the 64-bit seed. */
#include "benign/rng.h"

#include <Random123/philox.h>
#include <math.h>

static philox4x32_ctr_t bn_rng_block(uint64_t seed, uint32_t stream,
                                     uint64_t index, uint32_t draw) {
  philox4x32_ctr_t c = {
      {(uint32_t)index, (uint32_t)(index >> 32), stream, draw}};
  philox4x32_key_t k = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
  return philox4x32(c, k);
}

/* 53 random bits mapped to (0, 1): never 0, so log() is safe. */
static double bn_to_open01(uint32_t hi, uint32_t lo) {
  uint64_t bits = ((uint64_t)hi << 21) ^ (uint64_t)(lo >> 11);
  bits &= (UINT64_C(1) << 53) - 1;
  return ((double)bits + 0.5) * (1.0 / 9007199254740992.0);
}

double bn_rng_uniform(uint64_t seed, uint32_t stream, uint64_t index,
                      uint32_t draw) {
  philox4x32_ctr_t r = bn_rng_block(seed, stream, index, draw);
  return bn_to_open01(r.v[0], r.v[1]);
}

double bn_rng_normal(uint64_t seed, uint32_t stream, uint64_t index,
                     uint32_t draw) {
  philox4x32_ctr_t r = bn_rng_block(seed, stream, index, draw);
  double u1 = bn_to_open01(r.v[0], r.v[1]);
  double u2 = bn_to_open01(r.v[2], r.v[3]);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

void bn_rng_fill_normal(uint64_t seed, uint32_t stream, uint64_t first,
                        size_t n, double *out) {
  for (size_t k = 0; k < n; k++)
    out[k] = bn_rng_normal(seed, stream, first + k, 0);
}
