// SPDX-License-Identifier: GPL-2.0
/*
 * The read-mostly load: readers look up one shared record while a single
 * writer replaces it every few microseconds, either under a
 * pthread_rwlock or with liburcu (urcu-memb flavour: readers use
 * membarrier, no registration-time signals). In checked runs readers
 * compare all fields of the record, so a torn read is counted, not
 * assumed; measured runs only load one field, so the number is the read
 * side's cost and not the checker's (issue 17: 3.9 ns against 0.95 ns
 * for a bare urcu-memb read). Each of the four reader loops is compiled
 * on its own, with no per-read branch on kind or mode.
 */
#define _LGPL_SOURCE	/* inline urcu read-side fast paths */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <urcu/urcu-memb.h>
#include <urcu/pointer.h>

#include "lock_bench.h"

#define RW_FIELDS 8
#define RW_BURST 64

struct record {
	uint64_t f[RW_FIELDS];
};

struct rw_shared {
	enum rw_kind kind;
	unsigned int write_us;
	int writer_cpu;
	/* RCU: the published record. rwlock: rec_locked under the lock. */
	_Alignas(CACHELINE) struct record *gp;
	_Alignas(CACHELINE) pthread_rwlock_t rw;
	struct record rec_locked;
	_Alignas(CACHELINE) atomic_int stop;
	atomic_ullong torn;
	atomic_ullong sink;	/* the measured readers' loads end here */
	uint64_t writes;
};

static bool torn(const struct record *r)
{
	for (int i = 1; i < RW_FIELDS; i++)
		if (r->f[i] != r->f[0])
			return true;
	return false;
}

/* @kind and @check are constants in each of the four callers below. */
static inline __attribute__((always_inline)) void
rw_reader(struct team_member *m, const enum rw_kind kind, const bool check)
{
	struct rw_shared *s = m->arg;
	uint64_t ops = 0, bad = 0, sum = 0;

	if (kind == RW_RCU)
		urcu_memb_register_thread();
	/*
	 * Reads in bursts of RW_BURST between looks at the stop flag: with
	 * a look per read, the flag's load and its register kept the
	 * compiler from holding the reader's TLS address across the read
	 * side's barriers, and an RCU read cost 1.2 ns against 0.9 ns for a
	 * bare urcu-memb loop (bench/peers/bare.c) on the AMD host.
	 */
	while (!team_stopping(m)) {
		for (int i = 0; i < RW_BURST; i++) {
			const struct record *r;

			if (kind == RW_RCU) {
				urcu_memb_read_lock();
				r = rcu_dereference(s->gp);
			} else {
				pthread_rwlock_rdlock(&s->rw);
				r = &s->rec_locked;
			}
			if (check)
				bad += torn(r);
			else
				sum += r->f[0];
			if (kind == RW_RCU)
				urcu_memb_read_unlock();
			else
				pthread_rwlock_unlock(&s->rw);
		}
		ops += RW_BURST;
	}
	if (kind == RW_RCU)
		urcu_memb_unregister_thread();
	m->ops = ops;
	atomic_fetch_add(&s->torn, bad);
	atomic_fetch_add(&s->sink, sum);
}

static void rcu_reader(struct team_member *m)
{
	rw_reader(m, RW_RCU, false);
}

static void rcu_reader_checked(struct team_member *m)
{
	rw_reader(m, RW_RCU, true);
}

static void rwlock_reader(struct team_member *m)
{
	rw_reader(m, RW_RWLOCK, false);
}

static void rwlock_reader_checked(struct team_member *m)
{
	rw_reader(m, RW_RWLOCK, true);
}

static void *rw_writer(void *arg)
{
	struct rw_shared *s = arg;
	struct timespec ts = { 0, s->write_us * 1000l };
	uint64_t gen = 1;

	pin_self(s->writer_cpu);
	while (!atomic_load(&s->stop)) {
		nanosleep(&ts, NULL);
		gen++;
		if (s->kind == RW_RCU) {
			struct record *n = malloc(sizeof(*n)), *old;

			if (!n)
				die("out of memory");
			for (int i = 0; i < RW_FIELDS; i++)
				n->f[i] = gen;
			old = rcu_xchg_pointer(&s->gp, n);
			/* Wait out readers that may still hold @old. */
			urcu_memb_synchronize_rcu();
			free(old);
		} else {
			pthread_rwlock_wrlock(&s->rw);
			for (int i = 0; i < RW_FIELDS; i++)
				s->rec_locked.f[i] = gen;
			pthread_rwlock_unlock(&s->rw);
		}
		s->writes++;
	}
	return NULL;
}

void rw_bench(enum rw_kind kind, int nreaders, const int *cpus, int ncpus,
	      unsigned int write_us, unsigned int ms, bool check,
	      struct rw_result *res)
{
	void (*const readers[2][2])(struct team_member *m) = {
		[RW_RCU] = { rcu_reader, rcu_reader_checked },
		[RW_RWLOCK] = { rwlock_reader, rwlock_reader_checked },
	};
	struct rw_shared *s = aligned_alloc(CACHELINE, sizeof(*s));
	struct team_member *mem = aligned_alloc(CACHELINE,
						sizeof(*mem) * nreaders);
	pthread_t wt;

	if (!s || !mem)
		die("out of memory");
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->write_us = write_us;
	s->writer_cpu = cpus[nreaders % ncpus];
	s->gp = calloc(1, sizeof(*s->gp));
	if (!s->gp)
		die("out of memory");
	pthread_rwlock_init(&s->rw, NULL);
	if (pthread_create(&wt, NULL, rw_writer, s))
		die("pthread_create failed for the writer");
	memset(res, 0, sizeof(*res));
	res->elapsed_ns = team_run(nreaders, cpus, ncpus, ms,
				   readers[kind][check], s, mem);
	atomic_store(&s->stop, 1);
	pthread_join(wt, NULL);
	res->min_share = 1e300;
	for (int i = 0; i < nreaders; i++)
		res->reads += mem[i].ops;
	for (int i = 0; i < nreaders; i++) {
		double sh = res->reads ?
			(double)mem[i].ops * nreaders / res->reads : 0;

		if (sh < res->min_share)
			res->min_share = sh;
		if (sh > res->max_share)
			res->max_share = sh;
	}
	res->writes = s->writes;
	res->torn = atomic_load(&s->torn);
	pthread_rwlock_destroy(&s->rw);
	free(s->gp);
	free(s);
	free(mem);
}
