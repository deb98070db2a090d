/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dependent-load pointer chase used by memlat: a random permutation
 * that is one single cycle (Sattolo's algorithm), laid out one pointer per
 * stride-sized slot so every load touches a new cache line in an order no
 * prefetcher can guess. Built in place in the buffer: no side array.
 */
#ifndef SMPKIT_CHASE_H
#define SMPKIT_CHASE_H

#include <stddef.h>
#include <stdint.h>

/* Link @n slots of @stride bytes at @buf into one random cycle. */
void chase_build(void *buf, size_t n, size_t stride, uint64_t seed);
/* Follow @loads pointers from @p; returns where it stopped. */
void *chase_run(void *p, uint64_t loads);
/* Steps until the chase returns to @start, 0 if not within @max. */
size_t chase_cycle_len(void *start, size_t max);

/* xorshift64*: fast, seeded, good enough for shuffling. */
static inline uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n) without a division (Lemire's multiply-shift). */
static inline uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rng_next(s) * n) >> 64);
}

#endif
