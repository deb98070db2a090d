// SPDX-License-Identifier: GPL-2.0
/*
 * The node's watchdog, SBD's self-fence in user space (the host has no
 * softdog): a child process the daemon pets through a pipe at every
 * tick. A process, not a thread, so that whatever stops the daemon
 * (SIGSTOP, a hang, a stuck disk write) does not stop its watchdog; it
 * holds the daemon by a pidfd, so its SIGKILL cannot hit a process that
 * reused the pid. It ends when the daemon does (pipe closed or pidfd
 * readable). Cgroup freezing stops both, which is a fence of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "node.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The daemon's own log format (wall-clock stamp, node): the lab merges it. */
static void wd_say(unsigned int id, const char *what, unsigned int ms)
{
	struct timespec ts;

	/* not stdio: the daemon's unflushed buffer was copied at fork */
	clock_gettime(CLOCK_REALTIME, &ts);
	dprintf(STDOUT_FILENO, "%lld.%06ld n%u watchdog: %s (%u ms)\n",
		(long long)ts.tv_sec, ts.tv_nsec / 1000, id, what, ms);
}

static void watch(int pet, int pidfd, unsigned int ms, unsigned int id)
{
	struct pollfd pf[2] = {
		{ .fd = pet, .events = POLLIN }, { .fd = pidfd, .events = POLLIN },
	};
	uint64_t last = mono_ms(), t;
	char buf[64];
	ssize_t n;

	for (;;) {
		t = mono_ms();
		if (t - last >= ms)
			break;
		if (poll(pf, 2, last + ms - t) < 0 && errno != EINTR)
			_exit(1);
		if (pf[1].revents)
			_exit(0);		/* the daemon is gone */
		if (pf[0].revents) {
			n = read(pet, buf, sizeof(buf));
			if (n == 0)
				_exit(0);	/* it closed the pipe: leaving */
			if (n > 0)
				last = mono_ms();
		}
	}
	wd_say(id, "not petted: self-fence, SIGKILL to the node", ms);
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0))
		wd_say(id, "pidfd_send_signal failed", ms);
	/* report the death itself: that is the moment the bound is about */
	pf[1].revents = 0;
	if (poll(&pf[1], 1, 5000) == 1)
		wd_say(id, "node killed", (unsigned int)(mono_ms() - last));
	_exit(0);
}

int node_watchdog_start(unsigned int ms, unsigned int id)
{
	pid_t parent = getpid(), pid;
	int p[2], pidfd;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pidfd = syscall(SYS_pidfd_open, parent, 0);
	if (pidfd < 0) {
		close(p[0]);
		close(p[1]);
		return -1;		/* no pidfd (Linux < 5.3): no watchdog */
	}
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		close(pidfd);
		return -1;
	}
	if (pid == 0) {
		close(p[1]);
		watch(p[0], pidfd, ms, id);
	}
	close(p[0]);
	close(pidfd);
	/* a lagging watchdog must never block the daemon's loop */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	return p[1];
}

void node_watchdog_pet(int fd)
{
	if (fd >= 0 && write(fd, "p", 1) < 0 && errno != EAGAIN)
		fprintf(stderr, "smpkit-cluster: watchdog pet: %s\n",
			strerror(errno));
}
