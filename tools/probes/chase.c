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

/*
 * The smallest sets are measured first, right after start: their median
 * moved 1.07-1.60 ns between runs (issue 17) with no warm-up but one lap
 * of a 32 KiB set -- microseconds, while a core (or the host under a VM)
 * takes milliseconds to raise its clock. memlat and the matrix spin here
 * first.
 */
void chase_warm_cpu(void *buf, size_t bytes, size_t stride, uint64_t ns)
{
	uint64_t t0 = mono_ns();
	void *p = buf;

	chase_build(buf, bytes / stride, stride, 1);
	while (mono_ns() - t0 < ns)
		p = chase_run(p, 10000);
	/* Keep the chase: its end is a real address, never NULL. */
	if (!p)
		die("chase_warm_cpu: the chase left the buffer");
}

/*
 * Batches of a fixed number of loads were 0.2 ms on an L1-sized set: a
 * timer interrupt or a frequency step is a large share of so short a
 * batch. Small sets get more loads, so that every batch lasts
 * @min_batch_ns -- no more than about 1 ms, as a batch that long is
 * still rarely hit by a preemption on a shared CPU, and the median of
 * batches discards the ones that are. The rate comes from the fastest of
 * three probe batches: a probe slowed by a preemption would make the
 * batches too short, never too long. A fifth more loads than that rate
 * asks for, since a later batch can still run faster than all three
 * probes (a vCPU's hyperthread sibling on the host going idle).
 */
static uint64_t batch_loads(void **p, uint64_t min_loads,
			    uint64_t min_batch_ns)
{
	double best = 0;

	for (int i = 0; i < 3; i++) {
		uint64_t t0 = clock_ticks();
		double ns;

		*p = chase_run(*p, min_loads);
		ns = ticks_to_ns(clock_ticks() - t0) / min_loads;
		if (!i || ns < best)
			best = ns;
	}
	if (best <= 0 || best * min_loads >= min_batch_ns)
		return min_loads;
	return (uint64_t)(1.2 * min_batch_ns / best) + 1;
}

uint64_t chase_latency(void *buf, size_t bytes, size_t stride, int reps,
		       uint64_t min_loads, uint64_t min_batch_ns,
		       struct stats *st)
{
	size_t n = bytes / stride;
	double *v = calloc(reps, sizeof(*v));
	void *p = buf;
	uint64_t loads;

	if (!v)
		die("out of memory");
	chase_build(buf, n, stride, bytes ^ 0x5eed);
	/* Warm-up: one lap (capped) loads the set into the caches/TLB. */
	p = chase_run(p, n < (1u << 20) ? n : (1u << 20));
	loads = batch_loads(&p, min_loads, min_batch_ns);
	for (int r = 0; r < reps; r++) {
		uint64_t t0 = clock_ticks();

		p = chase_run(p, loads);
		v[r] = ticks_to_ns(clock_ticks() - t0) / loads;
	}
	stats_compute(v, reps, st);
	free(v);
	return loads;
}
