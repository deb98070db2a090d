// SPDX-License-Identifier: GPL-2.0
/*
 * The lock benchmark driver (see lock_bench.h): sets up the lock and the
 * shared line, runs the variant's own loop (lock_loop.h, lock inlined)
 * on a team of pinned threads, and sums the counts and fairness. The
 * shared counter is a plain increment, so a lock that lets two threads
 * in loses updates and the caller sees counter != total_ops.
 */
#include <stdlib.h>
#include <string.h>

#include "lock_bench.h"

void lock_bench(const struct lock_ops *ops, int nthreads, const int *cpus,
		int ncpus, unsigned int cs, unsigned int outside,
		unsigned int ms, bool check, struct lock_result *res)
{
	struct lock_shared *s = aligned_alloc(CACHELINE, sizeof(*s));
	struct team_member *mem = aligned_alloc(CACHELINE,
						sizeof(*mem) * nthreads);
	size_t lsz = (ops->size + CACHELINE - 1) / CACHELINE * CACHELINE;

	if (!s || !mem)
		die("out of memory");
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->lock = aligned_alloc(CACHELINE, lsz);
	if (!s->lock)
		die("out of memory");
	memset(s->lock, 0, lsz);
	s->cs = cs;
	s->outside = outside;
	ops->init(s->lock);
	memset(res, 0, sizeof(*res));
	res->elapsed_ns = team_run(nthreads, cpus, ncpus, ms,
				   check ? ops->loop_checked : ops->loop, s,
				   mem);
	res->min_share = 1e300;
	for (int i = 0; i < nthreads; i++)
		res->total_ops += mem[i].ops;
	for (int i = 0; i < nthreads; i++) {
		double share = res->total_ops ?
			(double)mem[i].ops * nthreads / res->total_ops : 0;

		if (share < res->min_share)
			res->min_share = share;
		if (share > res->max_share)
			res->max_share = share;
	}
	res->counter = s->counter;
	res->violations = atomic_load(&s->violations);
	ops->destroy(s->lock);
	free(s->lock);
	free(s);
	free(mem);
}
