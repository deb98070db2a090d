// SPDX-License-Identifier: GPL-2.0
/*
 * abi_test: every wsched ioctl refuses wrong sizes, flags, reserved bits,
 * ranges, CPU sets, tids and bad pointers with the documented errno, from
 * root and from an unprivileged user, and the kernel log stays clean.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktap.h"
#include "wutil.h"

#define BADPTR ((void *)0xffff888000000000ull)

static int err_of(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static struct wsched_group_args good_args(void)
{
	struct wsched_group_args a = { .size = sizeof(a), .slice_us = 10000 };

	a.cpus[0] = 1u << 1;
	return a;
}

static void create_cases(void)
{
	struct wsched_group_args a;
	int fd = open(WSCHED_DEVICE, O_RDWR), fd2;

#define CASE(mutate, want, what) do {					\
		a = good_args();					\
		mutate;							\
		ktap_ok(err_of(fd, WSCHED_IOC_CREATE, &a) == want,	\
			"CREATE %s gives %s", what, strerror(want));	\
	} while (0)
	CASE(a.size = 8, EINVAL, "with a wrong size");
	CASE(a.flags = 1, EINVAL, "with unknown flags");
	CASE(a.reserved[2] = 1, EINVAL, "with reserved bits");
	CASE(a.reserved0 = 1, EINVAL, "with the reserved word beside balance_gap");
	CASE(a.slice_us = WSCHED_SLICE_MIN_US - 1, EINVAL, "with a slice too short");
	CASE(a.slice_us = WSCHED_SLICE_MAX_US + 1, EINVAL, "with a slice too long");
	CASE(a.steal = WSCHED_STEAL_NR, EINVAL, "with an unknown steal policy");
	CASE(a.balance = 99, EINVAL, "with an unknown balance policy");
	CASE(a.place = ~0u, EINVAL, "with an unknown placement");
	CASE(a.balance_gap = WSCHED_BALANCE_GAP_MAX + 1, EINVAL,
	     "with a balance gap over the maximum");
	CASE(a.watchdog_ms = 1, EINVAL, "with a watchdog below the minimum");
	CASE((a.slice_us = 100000, a.watchdog_ms = 150), EINVAL,
	     "with a watchdog under two slices (150 ms, slice 100 ms)");
	CASE(a.cpus[0] = 0, EINVAL, "with no CPU");
	CASE(a.cpus[3] = 1ull << 63, EINVAL, "with CPU 255 (not present)");
	ktap_ok(err_of(fd, WSCHED_IOC_CREATE, NULL) == EFAULT,
		"CREATE with a NULL pointer gives EFAULT");
	ktap_ok(err_of(fd, WSCHED_IOC_CREATE, BADPTR) == EFAULT,
		"CREATE with a kernel pointer gives EFAULT");

	a = good_args();
	ktap_ok(err_of(fd, WSCHED_IOC_CREATE, &a) == 0, "CREATE on CPU 1 works");
	a = good_args();
	a.cpus[0] = 1u << 2;
	ktap_ok(err_of(fd, WSCHED_IOC_CREATE, &a) == EBUSY,
		"a second CREATE on one descriptor gives EBUSY");
	fd2 = open(WSCHED_DEVICE, O_RDWR);
	a = good_args();
	a.cpus[0] = (1u << 1) | (1u << 2);
	ktap_ok(err_of(fd2, WSCHED_IOC_CREATE, &a) == EBUSY,
		"a group overlapping another's CPU gives EBUSY");
	close(fd2);
	close(fd);
#undef CASE
}

static void thread_cases(void)
{
	struct wsched_thread_args t = { .size = sizeof(t) };
	struct wsched_stats s = { .size = sizeof(s) };
	struct wsched_params p;
	int fd = open(WSCHED_DEVICE, O_RDWR), gfd, e;
	pid_t dead;

	ktap_ok(err_of(fd, WSCHED_IOC_JOIN, &t) == ENOENT,
		"JOIN without a group gives ENOENT");
	ktap_ok(err_of(fd, WSCHED_IOC_STATS, &s) == ENOENT,
		"STATS without a group gives ENOENT");
	close(fd);

	wsched_params_default(&p);
	gfd = group_open("1", &p);
	t.flags = 2;
	ktap_ok(err_of(gfd, WSCHED_IOC_JOIN, &t) == EINVAL, "JOIN with flags gives EINVAL");
	t.flags = 0;
	t.tid = -5;
	ktap_ok(err_of(gfd, WSCHED_IOC_JOIN, &t) == EINVAL, "JOIN of tid -5 gives EINVAL");
	t.tid = 0x3ffffff0;
	ktap_ok(err_of(gfd, WSCHED_IOC_JOIN, &t) == ESRCH, "JOIN of a missing tid gives ESRCH");
	dead = fork();
	if (!dead)
		_exit(0);
	waitpid(dead, NULL, 0);
	t.tid = dead;
	ktap_ok(err_of(gfd, WSCHED_IOC_JOIN, &t) == ESRCH, "JOIN of a reaped tid gives ESRCH");
	t.tid = 0;
	ktap_ok(err_of(gfd, WSCHED_IOC_LEAVE, &t) == ENOENT,
		"LEAVE of a thread that is not a member gives ENOENT");
	ktap_ok(err_of(gfd, WSCHED_IOC_JOIN, &t) == 0, "JOIN of itself works");
	e = err_of(gfd, WSCHED_IOC_JOIN, &t);
	ktap_ok(e == EEXIST, "a second JOIN gives EEXIST (%s)", strerror(e));
	ktap_ok(err_of(gfd, WSCHED_IOC_JOIN, BADPTR) == EFAULT, "JOIN with a kernel pointer gives EFAULT");
	s.size = 4;
	ktap_ok(err_of(gfd, WSCHED_IOC_STATS, &s) == EINVAL, "STATS with a wrong size gives EINVAL");
	s.size = sizeof(s);
	s.nr_threads = WSCHED_MAX_THREADS + 1;
	ktap_ok(err_of(gfd, WSCHED_IOC_STATS, &s) == EINVAL, "STATS with a huge room gives EINVAL");
	s.nr_threads = 4;
	s.threads_ptr = (uintptr_t)BADPTR;
	ktap_ok(err_of(gfd, WSCHED_IOC_STATS, &s) == EFAULT, "STATS into a kernel pointer gives EFAULT");
	e = err_of(gfd, WSCHED_IOC_LEAVE, &t);
	ktap_ok(e == 0, "LEAVE of itself works (%s)", strerror(e));
	close(gfd);
}

/* As an unprivileged user: no CREATE, no JOIN of root's threads. */
static void unprivileged_cases(void)
{
	struct wsched_params p;
	int gfd, st, pipefd[2];
	pid_t child;
	char rc[3] = { 0 };

	wsched_params_default(&p);
	gfd = group_open("1", &p);
	if (pipe(pipefd))
		return;
	child = fork();
	if (!child) {
		struct wsched_group_args a = good_args();
		struct wsched_thread_args t = { .size = sizeof(t), .tid = 1 };
		int fd = open(WSCHED_DEVICE, O_RDWR);

		if (setgid(65534) || setuid(65534))
			_exit(9);
		rc[0] = err_of(fd, WSCHED_IOC_CREATE, &a) == EPERM ? 'y' : 'n';
		rc[1] = err_of(gfd, WSCHED_IOC_JOIN, &t) == EPERM ? 'y' : 'n';
		t.tid = 0;
		rc[2] = err_of(gfd, WSCHED_IOC_JOIN, &t) == 0 ? 'y' : 'n';
		if (write(pipefd[1], rc, 3) != 3)
			_exit(8);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], rc, 3) != 3)
		rc[0] = rc[1] = rc[2] = '?';
	waitpid(child, &st, 0);
	ktap_ok(rc[0] == 'y', "CREATE as uid 65534 gives EPERM");
	ktap_ok(rc[1] == 'y', "JOIN of root's PID 1 as uid 65534 gives EPERM");
	ktap_ok(rc[2] == 'y', "JOIN of itself as uid 65534 through an inherited descriptor works");
	close(pipefd[0]);
	close(gfd);
}

int main(void)
{
	wutil_init();
	ktap_plan(19 + 14 + 3 + 1);
	create_cases();
	thread_cases();
	unprivileged_cases();
	sleep_ms(50);
	ktap_ok(wsched_counter("groups") == 0 && wsched_counter("members") == 0,
		"no group or member is left behind");
	return ktap_finish();
}
