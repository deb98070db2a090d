// SPDX-License-Identifier: GPL-2.0
/*
 * storm_test's member threads: each loops over random actions that a real
 * program does to a managed thread (see storm.h). Every ioctl answer must
 * be one the ABI allows at that moment; anything else is counted as bad
 * with the action and errno, for the master to report.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libwsched.h>

#include "storm.h"
#include "sutil.h"

enum act { A_JOIN, A_LEAVE, A_SPIN, A_SLEEP, A_PIPE, A_YIELD, A_MOVE,
	   A_FORK, A_SIBLING, A_STATS, A_NR };

struct storm_thread {
	pthread_t th;
	int fd;				/* -1: use storm->churn_fd */
	pid_t tid;
	struct rng rng;
	struct storm_thread *all;
};

static void bad(int act, int err)
{
	if (!atomic_fetch_add(&storm->bad, 1)) {
		storm->first_bad_errno = err;
		storm->first_bad_action = act;
	}
}

/* Answers a join or leave may give while others kill and churn. */
static void check(int act, int ret, bool churn)
{
	switch (-ret) {
	case 0: case EEXIST: case ENOENT: case ENODEV: case ESRCH:
		return;
	case EINVAL:	/* our affinity missed the group (CPU offline) */
		return;
	case EBADF: case ENOTTY:	/* the churner closed the fd under us */
		if (churn)
			return;
	}
	bad(act, -ret);
}

static void spin_us(unsigned int us)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000 +
		 (t.tv_nsec - t0.tv_nsec) / 1000 < us);
}

static void act(struct storm_thread *t)
{
	int fd = t->fd >= 0 ? t->fd : atomic_load(&storm->churn_fd);
	struct wsched_group_stats st;
	struct timespec ts;
	cpu_set_t set;
	int a = rng_below(&t->rng, A_NR), p[2], cpu, ret;
	char c = 0;
	pid_t pid;

	switch (a) {
	case A_JOIN:
		check(a, wsched_join(fd, 0, &cpu), t->fd < 0);
		atomic_fetch_add(&storm->joins, 1);
		break;
	case A_LEAVE:
		check(a, wsched_leave(fd, 0), t->fd < 0);
		break;
	case A_SPIN:
		spin_us(rng_below(&t->rng, 3000));
		break;
	case A_SLEEP:
		ts.tv_sec = 0;
		ts.tv_nsec = rng_below(&t->rng, 2000000);
		nanosleep(&ts, NULL);
		atomic_fetch_add(&storm->blocks, 1);
		break;
	case A_PIPE:		/* block in the kernel, woken by a sibling-ish write */
		if (pipe(p))
			break;
		if (write(p[1], &c, 1) == 1 && read(p[0], &c, 1) == 1)
			atomic_fetch_add(&storm->blocks, 1);
		close(p[0]);
		close(p[1]);
		break;
	case A_YIELD:
		sched_yield();
		break;
	case A_MOVE:		/* the user's own affinity call, then back */
		CPU_ZERO(&set);
		CPU_SET(rng_below(&t->rng, 4), &set);
		if (!sched_setaffinity(0, sizeof(set), &set))
			atomic_fetch_add(&storm->moves, 1);
		spin_us(200);
		for (cpu = 0; cpu < 4; cpu++)
			CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
		break;
	case A_FORK:		/* the child inherits membership, then exits */
		pid = fork();
		if (!pid) {
			spin_us(500);
			_exit(0);
		}
		if (pid > 0) {
			waitpid(pid, NULL, 0);
			atomic_fetch_add(&storm->forks, 1);
		}
		break;
	case A_SIBLING:		/* join or leave a sibling by tid */
		pid = t->all[rng_below(&t->rng, STORM_THREADS)].tid;
		ret = rng_pct(&t->rng, 50) ? wsched_join(fd, pid, &cpu) :
			wsched_leave(fd, pid);
		check(a, ret, t->fd < 0);
		break;
	default:
		ret = wsched_stats_read(fd, &st);
		if (!ret)
			wsched_stats_free(&st);
		else if (ret != -EBADF && ret != -ENOTTY && ret != -ENOENT)
			bad(a, -ret);
	}
	atomic_fetch_add(&storm->actions, 1);
}

static void *thread_main(void *arg)
{
	struct storm_thread *t = arg;

	__atomic_store_n(&t->tid, gettid_(), __ATOMIC_RELEASE);
	while (!atomic_load(&storm->stop))
		act(t);
	if (t->fd >= 0)
		wsched_leave(t->fd, 0);
	return NULL;
}

static void run_threads(int fd, uint64_t seed, long gen)
{
	struct storm_thread t[STORM_THREADS];
	int i;

	for (i = 0; i < STORM_THREADS; i++) {
		t[i].fd = fd;
		t[i].tid = 0;
		t[i].all = t;
		rng_seed(&t[i].rng, seed, gen * 64 + i);
		pthread_create(&t[i].th, NULL, thread_main, &t[i]);
	}
	for (i = 0; i < STORM_THREADS; i++)
		pthread_join(t[i].th, NULL);
}

void storm_worker(int fd, uint64_t seed, long gen)
{
	run_threads(fd, seed, gen);
	_exit(0);
}

static int churn_open(uint64_t cpus)
{
	struct wsched_params p;
	cpu_set_t set;
	int fd, cpu;

	wsched_params_default(&p);
	p.slice_us = 1000;
	p.watchdog_ms = STORM_WATCHDOG_MS;
	CPU_ZERO(&set);
	/* Only CPUs online now: CREATE refuses an offline one. */
	for (cpu = 0; cpu < 64; cpu++)
		if ((cpus & (1ull << cpu)) && cpu_is_online(cpu))
			CPU_SET(cpu, &set);
	fd = wsched_open();
	if (fd < 0)
		return -1;
	if (wsched_create(fd, &set, &p, NULL)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void *churn_main(void *arg)
{
	uint64_t cpus = *(uint64_t *)arg;
	struct rng r;
	int fd;

	rng_seed(&r, cpus, 7);
	while (!atomic_load(&storm->stop)) {
		fd = churn_open(cpus);
		if (fd >= 0) {
			atomic_store(&storm->churn_fd, fd);
			atomic_fetch_add(&storm->churns, 1);
		}
		msleep(200 + rng_below(&r, 1500));
		/* Destroy the group under its members' feet. */
		if (fd >= 0) {
			struct wsched_group_stats st;

			if (!wsched_stats_read(fd, &st)) {
				if (st.g.flags & WSCHED_STATS_RELEASED)
					atomic_fetch_add(&storm->releases, 1);
				wsched_stats_free(&st);
			}
			atomic_store(&storm->churn_fd, -1);
			close(fd);
		}
	}
	return NULL;
}

void storm_churner(uint64_t cpus, uint64_t seed, long gen)
{
	pthread_t th;

	atomic_store(&storm->churn_fd, -1);
	pthread_create(&th, NULL, churn_main, &cpus);
	run_threads(-1, seed, gen);
	pthread_join(th, NULL);
	_exit(0);
}
