// SPDX-License-Identifier: GPL-2.0
/*
 * wsched-example: the reference program for the libwsched API, quoted by
 * Documentation/wsched.rst. It creates a group on two CPUs, runs three
 * CPU-bound threads in it (the textbook A/B/D imbalance when the balance
 * policy is "none"), and prints each thread's share and wsched's stats.
 *
 *   wsched-example [none|fair]     (needs wsched.ko and CAP_SYS_NICE)
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libwsched.h>

#define NTHREADS 3

struct worker {
	pthread_t th;
	int fd;			/* the group's descriptor */
	int cpu;		/* where it starts, so place=current puts it there */
	const cpu_set_t *group_cpus;
	double cpu_s;		/* CPU seconds it got */
};

static atomic_int stop;

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	double t0;
	int ret;

	/* Start on the chosen CPU: the group places the thread there. */
	pin(w->cpu);
	ret = wsched_join(w->fd, 0, NULL);
	if (ret) {
		fprintf(stderr, "join: %s\n", strerror(-ret));
		return NULL;
	}
	/*
	 * Then allow both group CPUs: wsched follows the thread's affinity,
	 * and the fair balance policy only moves a thread where it may run.
	 */
	sched_setaffinity(0, sizeof(*w->group_cpus), w->group_cpus);
	t0 = thread_cpu_s();
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		;		/* pure user-space work: never enters the kernel */
	w->cpu_s = thread_cpu_s() - t0;
	/* Exiting leaves the group; wsched_leave(fd, 0) would too. */
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker w[NTHREADS];
	struct wsched_group_stats st;
	struct wsched_params p;
	struct timespec run = { 3, 0 };
	cpu_set_t cpus;
	uint32_t id;
	int fd, ret, i, balance;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s [none|fair]\n", argv[0]);
		return 0;
	}
	balance = wsched_balance_parse(argc > 1 ? argv[1] : "fair");
	if (balance < 0) {
		fprintf(stderr, "usage: %s [none|fair]\n", argv[0]);
		return 2;
	}

	/* 1. Open the device: checks the module's ABI major too. */
	fd = wsched_open();
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", WSCHED_DEVICE, strerror(-fd));
		return 1;
	}

	/* 2. Create the group: CPUs 0 and 1, a 20 ms slice, no stealing
	 *    (nothing is idle here anyway), new threads stay where they are. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	CPU_SET(1, &cpus);
	wsched_params_default(&p);
	p.slice_us = 20000;
	p.steal = WSCHED_STEAL_NONE;
	p.balance = balance;
	p.place = WSCHED_PLACE_CURRENT;
	ret = wsched_create(fd, &cpus, &p, &id);
	if (ret) {
		fprintf(stderr, "create: %s\n", strerror(-ret));
		return 1;
	}
	printf("group %u on CPUs 0-1, balance %s\n", id,
	       wsched_balance_name(balance));

	/* 3. A alone on CPU 0; B and D share CPU 1. */
	for (i = 0; i < NTHREADS; i++) {
		w[i].fd = fd;
		w[i].cpu = i == 0 ? 0 : 1;
		w[i].group_cpus = &cpus;
		w[i].cpu_s = 0;
		if (pthread_create(&w[i].th, NULL, work, &w[i])) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	}
	nanosleep(&run, NULL);

	/* 4. Read the group's counters while the threads are members. */
	ret = wsched_stats_read(fd, &st);
	if (!ret) {
		wsched_stats_print(stdout, &st);
		wsched_stats_free(&st);
	} else {
		fprintf(stderr, "stats: %s\n", strerror(-ret));
	}

	atomic_store(&stop, 1);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(w[i].th, NULL);
		printf("thread %c: %.2f CPU seconds in %ld s\n", "ABD"[i],
		       w[i].cpu_s, (long)run.tv_sec);
	}

	/* 5. Closing the descriptor ends the group; any member still alive
	 *    goes back to stock scheduling with its old affinity. */
	close(fd);
	return 0;
}
