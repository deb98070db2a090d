/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A seeded PRNG whose streams can be replayed: the stress selftests and
 * tvmm_abuse_test print their seed and take it back with --seed.
 */
#ifndef SELFTESTS_RNG_H
#define SELFTESTS_RNG_H

#include <stdbool.h>
#include <stdint.h>

/* xorshift64*: small, fast, and the same stream for the same seed. */
struct rng {
	uint64_t s;
};

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* True with probability pct / 100. */
bool rng_pct(struct rng *r, unsigned int pct);
/* A seed from the clock, for runs not given one (print it to replay). */
uint64_t rng_clock_seed(void);

#endif
