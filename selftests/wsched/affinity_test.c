// SPDX-License-Identifier: GPL-2.0
/*
 * affinity_test: a member stays on its CPU unless moved; a user's own
 * sched_setaffinity() on it is respected (its home follows, the move is
 * counted); an affinity outside the group's CPUs makes it leave.
 */
#include <unistd.h>

#include "ktap.h"
#include "wutil.h"

static int gfd;
static atomic_int stop;
static atomic_int cpu_seen;
static pid_t tid;

static void *worker(void *arg)
{
	(void)arg;
	tid = gettid();
	set_cpus(0, "1");
	wsched_join(gfd, 0, NULL);
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		atomic_store_explicit(&cpu_seen, sched_getcpu(), memory_order_relaxed);
	return NULL;
}

static struct wsched_thread_stats *find(struct wsched_group_stats *st)
{
	unsigned int i;

	for (i = 0; i < st->nr_threads; i++)
		if (st->threads[i].tid == tid)
			return &st->threads[i];
	return NULL;
}

int main(void)
{
	struct wsched_group_stats st;
	struct wsched_thread_stats *t;
	struct wsched_params p;
	pthread_t th;
	int seen_other = 0, i;
	bool left;

	wutil_init();
	ktap_plan(5);
	wsched_params_default(&p);
	p.slice_us = 5000;
	gfd = group_open("1-2", &p);
	pthread_create(&th, NULL, worker, NULL);
	for (i = 0; i < 40; i++) {
		sleep_ms(10);
		seen_other |= atomic_load(&cpu_seen) != 1 && i > 2;
	}
	wsched_stats_read(gfd, &st);
	t = find(&st);
	ktap_ok(t && t->cpu == 1 && t->migrations == 0 && !seen_other,
		"a lone member stays on its CPU, no migrations");
	wsched_stats_free(&st);

	ktap_ok(set_cpus(tid, "2"), "the user moves it with sched_setaffinity(2)");
	sleep_ms(100);
	for (i = 0, seen_other = 0; i < 20; i++) {
		sleep_ms(10);
		seen_other |= atomic_load(&cpu_seen) != 2;
	}
	wsched_stats_read(gfd, &st);
	t = find(&st);
	ktap_ok(t && t->cpu == 2 && t->migrations >= 1 && !seen_other,
		"its home follows to CPU 2 and the move is counted");
	wsched_stats_free(&st);

	ktap_ok(set_cpus(tid, "3"), "the user moves it outside the group");
	/* Its gate follows at its next slice end: give a loaded host time. */
	for (i = 0, left = false; i < 200 && !left; i++) {
		sleep_ms(10);
		wsched_stats_read(gfd, &st);
		left = !find(&st) && st.g.left == 1 && atomic_load(&cpu_seen) == 3;
		wsched_stats_free(&st);
	}
	ktap_ok(left, "it left the group and runs where the user said (%d ms)",
		10 * i);
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	close(gfd);
	return ktap_finish();
}
