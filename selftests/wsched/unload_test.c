// SPDX-License-Identifier: GPL-2.0
/*
 * unload_test: a group ends while its members sleep in the kernel
 * (nanosleep, read() on a pipe, pthread_join, pause), by its owner's
 * close() or by kill -9 of the owner; wsched then unloads within a
 * second, and the former members sleep on undisturbed and run normally
 * once woken, with the module gone. (Before, each sleeper held a queued
 * gate callback, and with it the module, until it woke.)
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "ktap.h"
#include "wutil.h"

#define NR_SLEEPERS 4		/* nanosleep, read, join, and the main thread */

static int data_pipe[2], back_pipe[2];
static atomic_int tids[NR_SLEEPERS];

static void *sleep_nano(void *arg)
{
	struct timespec ts = { .tv_sec = 600 };

	(void)arg;
	atomic_store(&tids[0], gettid());
	nanosleep(&ts, NULL);
	return NULL;
}

/* Reads one byte, then answers it: proof that it ran after waking. */
static void *sleep_read(void *arg)
{
	char c;

	(void)arg;
	atomic_store(&tids[1], gettid());
	if (read(data_pipe[0], &c, 1) == 1)
		(void)!write(back_pipe[1], &c, 1);
	return NULL;
}

static void *forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *sleep_join(void *arg)
{
	pthread_t t;

	(void)arg;
	pthread_create(&t, NULL, forever, NULL);
	atomic_store(&tids[2], gettid());
	pthread_join(t, NULL);
	return NULL;
}

/* How many threads of @pid sleep interruptibly; -1 if it has one awake. */
static int threads_asleep(pid_t pid)
{
	char path[64];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		if (task_state(pid, atoi(d->d_name)) != 'S') {
			ktap_diag("thread %s of %d is in state %c", d->d_name,
				  pid, task_state(pid, atoi(d->d_name)));
			n = -1;
			break;
		}
		n++;
	}
	closedir(dir);
	return n;
}

static bool all_asleep(pid_t pid)
{
	int i;

	for (i = 0; i < NR_SLEEPERS; i++)
		if (!atomic_load(&tids[i]) || task_state(pid, tids[i]) != 'S')
			return false;
	return true;
}

/*
 * The owner: a one-CPU group (each sleeper holds its token in turn, so
 * each blocks as the holder), the threads, then close() once all sleep.
 */
static void owner(int ready_fd)
{
	struct wsched_params p;
	pthread_t t[3];
	int fd, i;

	wsched_params_default(&p);
	fd = group_open("1", &p);
	if (fd < 0 || wsched_join(fd, 0, NULL))
		_exit(2);
	pthread_create(&t[0], NULL, sleep_nano, NULL);
	pthread_create(&t[1], NULL, sleep_read, NULL);
	pthread_create(&t[2], NULL, sleep_join, NULL);
	atomic_store(&tids[3], gettid());
	for (i = 0; i < 1000 && !all_asleep(getpid()); i++)
		sleep_ms(5);
	/* Asleep and settled: every hand-off has run. */
	sleep_ms(200);
	close(fd);
	(void)!write(ready_fd, "c", 1);
	for (;;)
		pause();
}

/* rmmod until it works or @ms pass; the milliseconds taken, or -1. */
static long unload_within(unsigned int ms)
{
	uint64_t t0 = now_ns(), t;
	int ret;

	for (;;) {
		ret = kmod_unload("wsched");
		t = now_ns();
		if (!ret)
			return (long)((t - t0) / 1000000);
		if (t - t0 > ms * 1000000ull) {
			ktap_diag("rmmod still fails after %u ms: %s, pending gates %d",
				  ms, strerror(-ret), wsched_counter("pending_gates"));
			return -1;
		}
		sleep_ms(10);
	}
}

static void case_close(void)
{
	int ready[2], i, asleep;
	long ms;
	pid_t pid;
	char c = 0;

	if (pipe(ready) || pipe(data_pipe) || pipe2(back_pipe, O_NONBLOCK))
		die_errno("pipe");
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (!pid)
		owner(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		die("the owner did not make its group (status of pid %d)", pid);
	ms = unload_within(1000);
	ktap_ok(ms >= 0,
		"group closed, its 4 members asleep (nanosleep, read, join, pause): rmmod in %ld ms",
		ms);

	asleep = threads_asleep(pid);
	c = 'x';
	(void)!write(data_pipe[1], &c, 1);
	c = 0;
	for (i = 0; i < 200 && c != 'x'; i++) {
		struct timespec ts = { 0, 10000000 };

		if (read(back_pipe[0], &c, 1) != 1)
			nanosleep(&ts, NULL);
	}
	ktap_ok(asleep == NR_SLEEPERS + 1 && c == 'x',
		"the former members slept on (%d of %d threads asleep); the reader, woken after the unload, ran and answered ('%c')",
		asleep, NR_SLEEPERS + 1, c ? c : '-');
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(ready[0]);
	close(ready[1]);
}

/*
 * kill -9 of an owner whose member process (inherited at fork) sleeps in
 * nanosleep: the group dies with the owner's descriptor.
 */
static void case_kill(void)
{
	struct wsched_params p;
	int ready[2], fd;
	pid_t pid, member;
	long ms;
	char c;

	if (pipe(ready))
		die_errno("pipe");
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (!pid) {
		wsched_params_default(&p);
		fd = group_open("1", &p);
		if (fd < 0 || wsched_join(fd, 0, NULL))
			_exit(2);
		member = fork();
		if (!member) {
			struct timespec ts = { .tv_sec = 600 };

			close(fd);
			nanosleep(&ts, NULL);
			_exit(0);
		}
		(void)!write(ready[1], &member, sizeof(member));
		for (;;)
			pause();
	}
	if (read(ready[0], &member, sizeof(member)) != sizeof(member))
		die("the owner did not make its group");
	while (task_state(member, member) != 'S')
		sleep_ms(5);
	sleep_ms(200);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ms = unload_within(1000);
	c = task_state(member, member);
	ktap_ok(ms >= 0 && c == 'S',
		"owner killed with -9, its member process asleep in nanosleep: rmmod in %ld ms, member state %c",
		ms, c ? c : '-');
	kill(member, SIGKILL);
	/* Reparented to us, the subreaper. */
	waitpid(member, NULL, 0);
	close(ready[0]);
	close(ready[1]);
}

int main(void)
{
	wutil_init();
	ktap_plan(3);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	case_close();
	kmod_need_wsched();
	case_kill();
	kmod_need_wsched();
	return ktap_finish();
}
