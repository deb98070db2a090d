// SPDX-License-Identifier: GPL-2.0
/*
 * Pointer-chase construction and traversal (see chase.h). The loop is
 * unrolled so the only work per load is the load itself; each load's
 * address depends on the previous one, so they cannot overlap.
 * chase_latency() times it with the harness clock, in batches.
 */
#include <stdlib.h>

#include "chase.h"
#include "probes.h"

#define SLOT(buf, i, stride) ((uintptr_t *)((char *)(buf) + (i) * (stride)))

void chase_build(void *buf, size_t n, size_t stride, uint64_t seed)
{
	uint64_t s = seed ? seed : 0x9e3779b97f4a7c15ull;

	/* Identity first: slot i holds index i. */
	for (size_t i = 0; i < n; i++)
		*SLOT(buf, i, stride) = i;
	/*
	 * Sattolo: swapping a[i] with a[j], j < i strictly, yields a uniform
	 * random permutation made of exactly one cycle, so the chase from
	 * any slot visits all n slots before it repeats.
	 */
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rng_below(&s, i);
		uintptr_t t = *SLOT(buf, i, stride);

		*SLOT(buf, i, stride) = *SLOT(buf, j, stride);
		*SLOT(buf, j, stride) = t;
	}
	/* Indices to addresses: slot i points to slot a[i]. */
	for (size_t i = 0; i < n; i++)
		*SLOT(buf, i, stride) = (uintptr_t)SLOT(buf,
					*SLOT(buf, i, stride), stride);
}

void *chase_run(void *p, uint64_t loads)
{
	void **q = p;

	for (; loads >= 8; loads -= 8) {
		q = *q; q = *q; q = *q; q = *q;
		q = *q; q = *q; q = *q; q = *q;
	}
	while (loads--)
		q = *q;
	/* Keep the compiler from dropping the chain. */
	__asm__ volatile("" : : "r"(q) : "memory");
	return q;
}

size_t chase_cycle_len(void *start, size_t max)
{
	void **q = start;

	for (size_t k = 1; k <= max; k++) {
		q = *q;
		if ((void *)q == start)
			return k;
	}
	return 0;
}

void chase_latency(void *buf, size_t bytes, size_t stride, int reps,
		   uint64_t loads, struct stats *st)
{
	size_t n = bytes / stride;
	double *v = calloc(reps, sizeof(*v));
	void *p = buf;

	if (!v)
		die("out of memory");
	chase_build(buf, n, stride, bytes ^ 0x5eed);
	/* Warm-up: one lap (capped) loads the set into the caches/TLB. */
	p = chase_run(p, n < (1u << 20) ? n : (1u << 20));
	for (int r = 0; r < reps; r++) {
		uint64_t t0 = clock_ticks();

		p = chase_run(p, loads);
		v[r] = ticks_to_ns(clock_ticks() - t0) / loads;
	}
	stats_compute(v, reps, st);
	free(v);
}
