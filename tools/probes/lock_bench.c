// SPDX-License-Identifier: GPL-2.0
/*
 * The lock benchmark loop (see lock_bench.h): a team of pinned threads
 * acquire, update a shared line @cs times, release, then do @outside
 * units of private work. The shared counter is a plain (non-atomic)
 * increment, so a lock that lets two threads in loses updates.
 */
#include <stdlib.h>
#include <string.h>

#include "lock_bench.h"

struct lock_shared {
	const struct lock_ops *ops;
	void *lock;
	unsigned int cs, outside;
	bool check;
	/* Protected by the lock under test: its own line, off the lock's. */
	_Alignas(CACHELINE) uint64_t counter;
	uint64_t data[7];
	_Alignas(CACHELINE) atomic_int inside;
	_Alignas(CACHELINE) atomic_ullong violations;
};

static void lock_body(struct team_member *m)
{
	struct lock_shared *s = m->arg;
	struct lock_qnode *q = aligned_alloc(CACHELINE, sizeof(*q));
	volatile uint64_t priv = 0;
	uint64_t ops = 0;

	if (!q)
		die("out of memory");
	while (!team_stopping(m)) {
		s->ops->lock(s->lock, q);
		if (s->check && atomic_exchange_explicit(&s->inside, 1,
							 memory_order_relaxed))
			atomic_fetch_add(&s->violations, 1);
		/* Critical section: read-modify-write of the shared line. */
		for (unsigned int i = 0; i < s->cs; i++)
			s->data[i % 7]++;
		s->counter++;
		if (s->check)
			atomic_store_explicit(&s->inside, 0,
					      memory_order_relaxed);
		s->ops->unlock(s->lock, q);
		ops++;
		for (unsigned int i = 0; i < s->outside; i++)
			priv += i;
	}
	m->ops = ops;
	free(q);
}

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
	s->check = check;
	ops->init(s->lock);
	memset(res, 0, sizeof(*res));
	res->elapsed_ns = team_run(nthreads, cpus, ncpus, ms, lock_body, s,
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
