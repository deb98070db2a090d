// SPDX-License-Identifier: GPL-2.0
/* Helpers of the wsched selftests (see wutil.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <smpkit/util.h>

#include "kmod.h"
#include "ktap.h"
#include "wutil.h"

struct spin_ctl spin_ctl;
static double tsc_per_ns;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The guest's clock_gettime is a slow syscall (hpet): spin on the TSC. */
static void calibrate(void)
{
	uint64_t t0 = now_ns(), c0 = __rdtsc();

	sleep_ms(100);
	tsc_per_ns = (double)(__rdtsc() - c0) / (double)(now_ns() - t0);
}

void wutil_init(void)
{
	kmod_need_wsched();
	calibrate();
}

bool set_cpus(pid_t tid, const char *list)
{
	char err[64];
	cpu_set_t set;

	return !parse_cpulist(list, &set, err, sizeof(err)) &&
	       !sched_setaffinity(tid, sizeof(set), &set);
}

bool pinned_cpus(pid_t tid, cpu_set_t *set)
{
	char path[64], line[512], err[64];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Cpus_allowed_list:", 18))
			continue;
		line[strcspn(line, "\n")] = 0;
		found = !parse_cpulist(line + 18 + strspn(line + 18, " \t"), set,
				       err, sizeof(err));
	}
	fclose(f);
	return found;
}

int group_open(const char *cpus, const struct wsched_params *p)
{
	struct wsched_params q = *p;
	char err[64];
	cpu_set_t set;
	int fd, ret;

	if (parse_cpulist(cpus, &set, err, sizeof(err)))
		return -EINVAL;
	/*
	 * Tests that do not test the watchdog keep it out of the way: on a
	 * busy host a TCG vCPU can stall for longer than the default bound.
	 */
	if (!q.watchdog_ms)
		q.watchdog_ms = 30000;
	fd = wsched_open();
	if (fd < 0)
		return fd;
	ret = wsched_create(fd, &set, &q, NULL);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * A stretch ends when another spinner ran in between: ownership of the
 * shared word changed. TSC gaps would also count the VM's vCPU being
 * descheduled by the host, which is not the guest scheduler's doing.
 */
static void *spin_main(void *arg)
{
	struct spinner *s = arg;
	uint64_t last, t, start;
	int phase = 0, p, me = s->id;
	cpu_set_t one;

	s->tid = (pid_t)syscall(SYS_gettid);
	if (s->start_cpu >= 0) {
		CPU_ZERO(&one);
		CPU_SET(s->start_cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);
	}
	/*
	 * Join while pinned (place=current then means start_cpu), then widen
	 * the mask: wsched follows the user's affinity from there on. Widening
	 * first would let the stock balancer move the thread before it joins.
	 */
	if (s->fd >= 0)
		s->join_err = wsched_join(s->fd, 0, &s->home);
	if (s->mask)
		sched_setaffinity(0, sizeof(*s->mask), s->mask);
	pthread_barrier_wait(&spin_ctl.ready);
	last = start = __rdtsc();
	for (;;) {
		t = __rdtsc();
		if (atomic_load_explicit(&spin_ctl.owner, memory_order_relaxed) != me) {
			if (phase == 1)
				s->turns++;
			if (phase == 1 && s->nstretch < MAX_STRETCHES && last > start)
				s->stretch[s->nstretch++] =
					(uint64_t)((last - start) / tsc_per_ns);
			atomic_store_explicit(&spin_ctl.owner, me, memory_order_relaxed);
			start = t;
		}
		last = t;
		if (phase == 1)
			s->loops++;
		p = atomic_load_explicit(&spin_ctl.phase, memory_order_relaxed);
		if (p == phase)
			continue;
		/* A thread kept waiting may see several phases go by at once:
		 * its CPU time did not move meanwhile, so one reading serves. */
		if (phase == 0)
			s->cpu0 = thread_cpu_ns();
		if (p >= 2) {
			s->cpu1 = thread_cpu_ns();
			atomic_fetch_add(&spin_ctl.done, 1);
			/* Stay a member until the caller read the stats. */
			while (atomic_load(&spin_ctl.phase) != 3)
				;
			break;
		}
		phase = p;
		last = start = __rdtsc();
	}
	return NULL;
}

double spin_run(struct spinner *s, int n, unsigned int warm_ms,
		unsigned int window_ms)
{
	uint64_t t0, t1;
	int i;

	atomic_store(&spin_ctl.phase, 0);
	atomic_store(&spin_ctl.owner, -1);
	atomic_store(&spin_ctl.done, 0);
	pthread_barrier_init(&spin_ctl.ready, NULL, n + 1);
	for (i = 0; i < n; i++) {
		s[i].nstretch = 0;
		s[i].loops = 0;
		s[i].turns = 0;
		s[i].id = i;
		if (pthread_create(&s[i].th, NULL, spin_main, &s[i]))
			die("pthread_create");
	}
	pthread_barrier_wait(&spin_ctl.ready);
	sleep_ms(warm_ms);
	t0 = now_ns();
	atomic_store(&spin_ctl.phase, 1);
	sleep_ms(window_ms);
	atomic_store(&spin_ctl.phase, 2);
	t1 = now_ns();
	/* A waiting spinner reads its CPU time when it next runs. */
	while (atomic_load(&spin_ctl.done) < n)
		sleep_ms(1);
	return (double)(t1 - t0);
}

void spin_stop(struct spinner *s, int n)
{
	int i;

	atomic_store(&spin_ctl.phase, 3);
	for (i = 0; i < n; i++)
		pthread_join(s[i].th, NULL);
	pthread_barrier_destroy(&spin_ctl.ready);
}

double jain(const double *x, int n)
{
	double sum = 0, sq = 0;
	int i;

	for (i = 0; i < n; i++) {
		sum += x[i];
		sq += x[i] * x[i];
	}
	return sq > 0 ? sum * sum / (n * sq) : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t median_u64(uint64_t *v, uint64_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* 'S' when @tid of @pid sleeps interruptibly, or 0. */
char task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && p[1] == ' ' ? p[2] : 0;
}
