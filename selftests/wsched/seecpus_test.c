// SPDX-License-Identifier: GPL-2.0
/*
 * seecpus_test: what an unmodified program meets inside a group.
 *  - sched_getaffinity() of a member reports the CPUs it may be placed
 *    on (its own mask within the group's), though the gate pins it to
 *    one: so nproc, OpenMP and thread pools size themselves to the
 *    group, for the first thread and for the threads it creates, while
 *    /proc still shows the one CPU it is pinned to;
 *  - sched_yield() by a member hands its CPU's token on: a yielder and
 *    a spinner on one group CPU with a long slice, the spinner gets
 *    most of the CPU (without the hand-off each gets half: the yield
 *    is a no-op on a CPU where only the token holder is runnable).
 * Kernels without kprobes (the debug tier's) SKIP with the reason.
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "wutil.h"

/* How many CPUs the kernel lets @tid run on: the real pin. */
static int proc_cpus(pid_t tid)
{
	cpu_set_t set;

	return pinned_cpus(tid, &set) ? CPU_COUNT(&set) : -1;
}

static int seen_cpus(pid_t tid)
{
	cpu_set_t set;

	if (sched_getaffinity(tid, sizeof(set), &set))
		return -1;
	return CPU_COUNT(&set);
}

struct child {
	int seen, pinned;
};

static void *child_main(void *arg)
{
	struct child *c = arg;

	c->seen = seen_cpus(0);
	c->pinned = proc_cpus(gettid());
	return NULL;
}

static void check_getaffinity(void)
{
	struct wsched_params p;
	struct child c = { -1, -1 };
	cpu_set_t two;
	pthread_t th;
	int fd, cpu, ret;

	wsched_params_default(&p);
	fd = group_open("0-3", &p);
	if (fd < 0) {
		ktap_ok(false, "group 0-3: %s", strerror(-fd));
		return;
	}
	ret = wsched_join(fd, 0, &cpu);
	/* Let the gate pin it: the next return to user mode runs it. */
	sleep_ms(20);
	ktap_ok(!ret && seen_cpus(0) == 4 && proc_cpus(gettid()) == 1,
		"a member sees the group's 4 CPUs (join %d, getaffinity %d, pinned to %d CPU)",
		ret, seen_cpus(0), proc_cpus(gettid()));
	pthread_create(&th, NULL, child_main, &c);
	pthread_join(th, NULL);
	ktap_ok(c.seen == 4 && c.pinned == 1,
		"a thread it creates sees 4 too (getaffinity %d, pinned to %d CPU)",
		c.seen, c.pinned);
	CPU_ZERO(&two);
	CPU_SET(1, &two);
	CPU_SET(2, &two);
	ret = sched_setaffinity(0, sizeof(two), &two);
	sleep_ms(20);
	ktap_ok(!ret && seen_cpus(0) == 2 && proc_cpus(gettid()) == 1,
		"after setting CPUs 1-2 it sees 2 (getaffinity %d, pinned to %d CPU)",
		seen_cpus(0), proc_cpus(gettid()));
	close(fd);
	sleep_ms(20);
	ktap_ok(seen_cpus(0) == 2 && proc_cpus(gettid()) == 2,
		"after the group closes, its own 2 CPUs are real again (getaffinity %d, allowed %d)",
		seen_cpus(0), proc_cpus(gettid()));
}

struct yielder {
	pthread_t th;
	int fd;
	bool spin;
	atomic_int *stop;
	uint64_t cpu_ns;
	long yields;
	int err;
};

/* Join on CPU 1, then yield (or spin) until told to stop. */
static void *yielder_main(void *arg)
{
	struct yielder *y = arg;
	cpu_set_t one;
	uint64_t t0;
	int cpu;

	CPU_ZERO(&one);
	CPU_SET(1, &one);
	sched_setaffinity(0, sizeof(one), &one);
	y->err = wsched_join(y->fd, 0, &cpu);
	t0 = thread_cpu_ns();
	while (!atomic_load_explicit(y->stop, memory_order_relaxed)) {
		if (!y->spin) {
			sched_yield();
			y->yields++;
		}
	}
	y->cpu_ns = thread_cpu_ns() - t0;
	return NULL;
}

static void check_yield(void)
{
	struct yielder y[2] = { { .spin = false }, { .spin = true } };
	struct wsched_params p;
	atomic_int stop = 0;
	double share;
	int fd, i;

	wsched_params_default(&p);
	/* Long: without the hand-off each would hold the CPU 200 ms in turn. */
	p.slice_us = 200000;
	fd = group_open("1", &p);
	if (fd < 0) {
		ktap_ok(false, "group 1: %s", strerror(-fd));
		return;
	}
	for (i = 0; i < 2; i++) {
		y[i].fd = fd;
		y[i].stop = &stop;
		pthread_create(&y[i].th, NULL, yielder_main, &y[i]);
	}
	sleep_ms(2000);
	atomic_store(&stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(y[i].th, NULL);
	close(fd);
	share = (double)y[1].cpu_ns / (double)(y[0].cpu_ns + y[1].cpu_ns + 1);
	ktap_ok(!y[0].err && !y[1].err && y[0].yields > 0 && share > 0.8,
		"a member that yields hands its CPU on: the spinner beside it got %.0f%% (%ld yields; 50%% if yield kept the token)",
		100 * share, y[0].yields);
}

int main(void)
{
	wutil_init();
	ktap_plan(5);
	if (wsched_counter("getaffinity_probe") != 1) {
		for (int i = 0; i < 4; i++)
			ktap_skip("this kernel has no kprobes: members see their pinned CPU");
	} else {
		check_getaffinity();
	}
	if (wsched_counter("yield_probe") != 1)
		ktap_skip("this kernel has no kprobes: a member's yield keeps its token");
	else
		check_yield();
	return ktap_finish();
}
