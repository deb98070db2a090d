// SPDX-License-Identifier: GPL-2.0
/*
 * offcpu_test: a token holder that blocks while it runs off its home CPU
 * (the user moved it, or hotplug broke its affinity) must still hand the
 * token on, or the threads queued behind it wait for the watchdog. The
 * holder moves itself off CPU 0 and waits on a pipe that the queued
 * thread writes once it runs: the write must come within a slice.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <libwsched.h>
#include <smpkit/util.h>

#include "kmod.h"
#include "ktap.h"
#include "sutil.h"

static int fd, pfd[2], go[2];

static void *queued_main(void *arg)
{
	int cpu;
	char c;

	/* Created before the holder joined, so it did not inherit membership. */
	if (read(go[0], &c, 1) != 1)
		*(int *)arg = -EIO;
	/* Returns once this thread holds CPU 0's token. */
	*(int *)arg = wsched_join(fd, 0, &cpu);
	if (write(pfd[1], "x", 1) != 1)
		*(int *)arg = -EIO;
	wsched_leave(fd, 0);
	return NULL;
}

static int nr_queued(void)
{
	struct wsched_group_stats st;
	int n;

	if (wsched_stats_read(fd, &st))
		return -1;
	n = st.cpus[0].nr_queued;
	wsched_stats_free(&st);
	return n;
}

int main(int argc, char **argv)
{
	struct wsched_params p;
	struct wsched_group_stats st;
	int cpu, qret = 0, released;
	cpu_set_t set;
	pthread_t th;
	uint64_t t0, waited;
	char c;

	(void)argc;
	(void)argv;
	if (getuid() != 0)
		ktap_skip_all("needs root (runs in the VM rig)");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 3)
		ktap_skip_all("needs 3 online CPUs");
	kmod_need_wsched();
	ktap_plan(4);
	wsched_params_default(&p);
	p.slice_us = WSCHED_SLICE_MAX_US;	/* no slice end in the window */
	p.watchdog_ms = 3000;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	fd = wsched_open();
	if (fd < 0 || wsched_create(fd, &set, &p, NULL) || pipe(pfd) || pipe(go))
		die("group on CPU 0");
	pthread_create(&th, NULL, queued_main, &qret);
	ktap_ok(!wsched_join(fd, 0, &cpu) && cpu == 0, "holder joined on CPU 0");
	if (write(go[1], "g", 1) != 1)
		die_errno("write");
	/* Poll without blocking: a block here would hand the token on. */
	t0 = mono_ms();
	while (nr_queued() != 1 && mono_ms() - t0 < 5000)
		;
	ktap_ok(nr_queued() == 1, "a second thread queued behind the holder");
	/* Off the home CPU, still holding its token, then block. */
	CPU_ZERO(&set);
	CPU_SET(2, &set);
	sched_setaffinity(0, sizeof(set), &set);
	t0 = mono_ms();
	if (read(pfd[0], &c, 1) != 1)
		die_errno("read");
	waited = mono_ms() - t0;
	pthread_join(th, NULL);
	released = !wsched_stats_read(fd, &st) && (st.g.flags & WSCHED_STATS_RELEASED);
	ktap_ok(waited < 1000 && !qret,
		"the queued thread ran %llu ms after the holder blocked off its home CPU (join: %d)",
		(unsigned long long)waited, qret);
	ktap_ok(!released, "the group was not released by the watchdog");
	close(fd);
	return ktap_finish();
}
