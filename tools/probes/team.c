// SPDX-License-Identifier: GPL-2.0
/*
 * A team of pinned worker threads for the throughput probes (locks,
 * queues): each thread pins itself and checks with sched_getcpu(), all
 * wait at one start barrier, the main thread times a fixed interval and
 * raises the stop flag; the bodies count their own operations.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probes.h"

struct team {
	_Alignas(CACHELINE) atomic_int ready;
	atomic_int go;
	_Alignas(CACHELINE) atomic_int stop;
	_Alignas(CACHELINE) atomic_int pin_failed;
	void (*body)(struct team_member *m);
};

static void *team_thread(void *arg)
{
	struct team_member *m = arg;
	struct team *t = m->team;

	if (try_pin_self(m->cpu))
		atomic_store(&t->pin_failed, m->cpu + 1);
	atomic_fetch_add(&t->ready, 1);
	while (!atomic_load_explicit(&t->go, memory_order_acquire))
		;
	if (!atomic_load(&t->pin_failed))
		t->body(m);
	return NULL;
}

uint64_t team_run(int n, const int *cpus, int ncpus, unsigned int ms,
		  void (*body)(struct team_member *m), void *arg,
		  struct team_member *members)
{
	struct team *t = aligned_alloc(CACHELINE, sizeof(*t));
	pthread_t *th = calloc(n, sizeof(*th));
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000l };
	uint64_t t0, t1;
	int failed;

	if (!t || !th)
		die("out of memory");
	memset(t, 0, sizeof(*t));
	t->body = body;
	for (int i = 0; i < n; i++) {
		memset(&members[i], 0, sizeof(members[i]));
		members[i].team = t;
		members[i].stop = &t->stop;
		members[i].idx = i;
		members[i].cpu = cpus[i % ncpus];
		members[i].arg = arg;
		if (pthread_create(&th[i], NULL, team_thread, &members[i]))
			die("pthread_create failed for thread %d", i);
	}
	while (atomic_load(&t->ready) < n)
		sched_yield();
	t0 = mono_ns();
	atomic_store_explicit(&t->go, 1, memory_order_release);
	nanosleep(&ts, NULL);
	atomic_store(&t->stop, 1);
	t1 = mono_ns();
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	failed = atomic_load(&t->pin_failed);
	free(th);
	free(t);
	if (failed)
		die("a worker could not be pinned to CPU %d", failed - 1);
	return t1 - t0;
}
