// SPDX-License-Identifier: GPL-2.0
/*
 * "smpkit-cluster fence-kill PIDFILE": the power-fence agent for a node
 * that is a process. A pid alone may name another process by the time
 * the fence runs (the node died, the pid was reused), so the pid file
 * carries the process's start time too, and the agent holds the process
 * by a pidfd (Linux >= 5.3, through syscall()) from the check to the
 * SIGKILL: no other process can be hit in between. It then waits on the
 * pidfd until the process is gone, since a fence confirms a power-off.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "../cluster.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-cluster fence-kill PIDFILE [--wait MS]\n"
"Powers off the node process that PIDFILE names: line 1 its pid, line 2\n"
"its start time (field 22 of /proc/PID/stat, as tools/cluster/lab writes\n"
"it). The process is opened by pidfd, checked against that start time,\n"
"sent SIGKILL through the pidfd, and waited for (--wait, default 2000 ms).\n"
"A pid now held by another process is left alone: the node is gone.\n"
"Without line 2 the agent cannot tell a reused pid and says so.\n"
"Exit: 0 the node is not running; 1 it did not die; 2 bad usage or file.\n");
}

/* Field 22 of /proc/PID/stat; false when the process is gone. */
static bool start_time(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* the name (field 2) may hold spaces and ')': skip to the last ')' */
	p = strrchr(buf, ')');
	return p && sscanf(p + 1,
			   " %*c %*d %*d %*d %*d %*d"		/* fields 3-8 */
			   " %*u %*u %*u %*u %*u %*u %*u"	/* 9-15 */
			   " %*d %*d %*d %*d %*d %*d %llu",	/* 16-22 */
			   start) == 1;
}

static int read_pidfile(const char *path, pid_t *pid,
			unsigned long long *start, bool *has_start)
{
	unsigned long long p;
	FILE *f = fopen(path, "r");
	int r;

	if (!f) {
		fprintf(stderr, "fence-kill: %s: %s\n", path, strerror(errno));
		return -1;
	}
	r = fscanf(f, "%llu %llu", &p, start);
	fclose(f);
	if (r < 1 || p < 2 || p > 4194304) {
		fprintf(stderr, "fence-kill: %s does not start with a pid\n",
			path);
		return -1;
	}
	*pid = p;
	*has_start = r == 2;
	return 0;
}

int cmd_fence_kill(int argc, char **argv)
{
	unsigned long long want = 0, have;
	uint64_t wait_ms = 2000;
	struct pollfd pf = { .events = POLLIN };
	bool has_start;
	pid_t pid;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[2], "--wait") &&
	    parse_u64(argv[3], 1, 60000, &wait_ms))
		argc = 2;
	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	if (read_pidfile(argv[1], &pid, &want, &has_start))
		return 2;
	pf.fd = syscall(SYS_pidfd_open, pid, 0);
	if (pf.fd < 0 && errno == ESRCH) {
		printf("fence-kill: pid %d is not running: the node is down\n",
		       (int)pid);
		return 0;
	}
	if (pf.fd < 0) {
		fprintf(stderr, "fence-kill: pidfd_open(%d): %s\n", (int)pid,
			strerror(errno));
		return 1;
	}
	if (has_start) {
		/*
		 * Read the start time, then ask the pidfd whether its
		 * process still lives: if it does, the pid was not reused
		 * in between, so the start time read is its own.
		 */
		if (!start_time(pid, &have) ||
		    syscall(SYS_pidfd_send_signal, pf.fd, 0, NULL, 0)) {
			printf("fence-kill: pid %d exited: the node is down\n",
			       (int)pid);
			return 0;
		}
		if (have != want) {
			printf("fence-kill: pid %d now belongs to another process (started at %llu, the node at %llu): not killed, the node is down\n",
			       (int)pid, have, want);
			return 0;
		}
	} else {
		fprintf(stderr, "fence-kill: %s has no start time: a reused pid cannot be told apart\n",
			argv[1]);
	}
	if (syscall(SYS_pidfd_send_signal, pf.fd, SIGKILL, NULL, 0) &&
	    errno != ESRCH) {
		fprintf(stderr, "fence-kill: SIGKILL to %d: %s\n", (int)pid,
			strerror(errno));
		return 1;
	}
	if (poll(&pf, 1, wait_ms) != 1) {
		fprintf(stderr, "fence-kill: pid %d still runs after %llu ms\n",
			(int)pid, (unsigned long long)wait_ms);
		return 1;
	}
	printf("fence-kill: pid %d killed\n", (int)pid);
	return 0;
}
