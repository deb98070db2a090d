// SPDX-License-Identifier: GPL-2.0
/*
 * Worker teams. Each worker pins itself to its start CPU, joins the
 * variant's group (none under the baseline), widens its mask to the
 * team's CPUs and waits at the start barrier. The main thread measures
 * every worker from outside (CPU-time clock, perf counters, op count), so
 * a worker that wsched keeps waiting is read exactly at the window's edge.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "bench.h"

static void *worker(void *arg)
{
	struct bench_thread *t = arg;
	struct bench_team *tm = t->team;

	t->tid = (pid_t)syscall(SYS_gettid);
	/*
	 * Join while pinned (place=current then means start_cpu) and widen
	 * afterwards: widening first would let the stock balancer move the
	 * thread before it joins. wsched follows the user's mask from then on.
	 */
	if (t->start_cpu >= 0)
		bench_pin(t->start_cpu);
	bench_join(tm->fd);
	bench_set_mask(&tm->cpus);
	pthread_barrier_wait(&tm->ready);
	tm->fn(t);
	return NULL;
}

void team_start(struct bench_team *tm, const struct bench_variant *v,
		const char *cpus, int n, void (*fn)(struct bench_thread *),
		const int *start_cpus)
{
	int i;

	tm->n = n;
	tm->fn = fn;
	tm->t = calloc(n, sizeof(*tm->t));
	if (!tm->t)
		die("out of memory");
	bench_cpus(cpus, &tm->cpus);
	tm->fd = bench_group(v, &tm->cpus);
	atomic_store(&tm->stop, 0);
	pthread_barrier_init(&tm->ready, NULL, n + 1);
	for (i = 0; i < n; i++) {
		struct bench_thread *t = &tm->t[i];

		t->team = tm;
		t->idx = i;
		t->start_cpu = start_cpus ? start_cpus[i] : -1;
		if (pthread_create(&t->th, NULL, worker, t))
			die("pthread_create");
	}
	pthread_barrier_wait(&tm->ready);
	for (i = 0; i < n; i++) {
		struct bench_thread *t = &tm->t[i];

		if (pthread_getcpuclockid(t->th, &t->clk))
			die("pthread_getcpuclockid");
		bench_counters_open(&t->ctr, t->tid, false);
	}
}

/* Second field of schedstat: time runnable on a run queue (sched_info). */
static uint64_t runq_ns(pid_t tid)
{
	unsigned long long run, wait = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &run, &wait) != 2)
		wait = 0;
	fclose(f);
	return wait;
}

void bench_team_totals(const struct bench_snap *s0, const struct bench_snap *s1,
		       int n, struct bench_snap *sum)
{
	int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < n; i++) {
		sum->cpu_ns += s1[i].cpu_ns - s0[i].cpu_ns;
		sum->ops += s1[i].ops - s0[i].ops;
		sum->csw += s1[i].csw - s0[i].csw;
		sum->mig += s1[i].mig - s0[i].mig;
		sum->runq_ns += s1[i].runq_ns - s0[i].runq_ns;
	}
}

void team_snap(struct bench_team *tm, struct bench_snap *s)
{
	struct timespec ts;
	int i;

	for (i = 0; i < tm->n; i++) {
		struct bench_thread *t = &tm->t[i];

		clock_gettime(t->clk, &ts);
		s[i].cpu_ns = ts.tv_sec * 1000000000ull + ts.tv_nsec;
		s[i].ops = atomic_load_explicit(&t->ops, memory_order_relaxed);
		bench_counters_read(&t->ctr, &s[i].csw, &s[i].mig);
		s[i].runq_ns = runq_ns(t->tid);
	}
}

void team_stop(struct bench_team *tm)
{
	int i;

	atomic_store(&tm->stop, 1);
	for (i = 0; i < tm->n; i++) {
		pthread_join(tm->t[i].th, NULL);
		bench_counters_close(&tm->t[i].ctr);
	}
	pthread_barrier_destroy(&tm->ready);
	if (tm->fd >= 0)
		close(tm->fd);
	free(tm->t);
	tm->t = NULL;
}
