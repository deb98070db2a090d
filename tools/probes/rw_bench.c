// SPDX-License-Identifier: GPL-2.0
/*
 * The read-mostly load: readers look up one shared record while a single
 * writer replaces it every few microseconds, either under a
 * pthread_rwlock or with liburcu (urcu-memb flavour: readers use
 * membarrier, no registration-time signals). Readers check that all
 * fields of the record agree, so a torn read is counted, not assumed.
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
	uint64_t writes;
};

static bool torn(const struct record *r)
{
	for (int i = 1; i < RW_FIELDS; i++)
		if (r->f[i] != r->f[0])
			return true;
	return false;
}

static void rw_reader(struct team_member *m)
{
	struct rw_shared *s = m->arg;
	uint64_t ops = 0, bad = 0;

	if (s->kind == RW_RCU)
		urcu_memb_register_thread();
	while (!team_stopping(m)) {
		if (s->kind == RW_RCU) {
			urcu_memb_read_lock();
			bad += torn(rcu_dereference(s->gp));
			urcu_memb_read_unlock();
		} else {
			pthread_rwlock_rdlock(&s->rw);
			bad += torn(&s->rec_locked);
			pthread_rwlock_unlock(&s->rw);
		}
		ops++;
	}
	if (s->kind == RW_RCU)
		urcu_memb_unregister_thread();
	m->ops = ops;
	atomic_fetch_add(&s->torn, bad);
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
	      unsigned int write_us, unsigned int ms, struct rw_result *res)
{
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
	res->elapsed_ns = team_run(nreaders, cpus, ncpus, ms, rw_reader, s,
				   mem);
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
