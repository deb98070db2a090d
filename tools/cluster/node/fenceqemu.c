// SPDX-License-Identifier: GPL-2.0
/*
 * "smpkit-cluster fence-qemu SOCKET": the power-fence agent for a node that
 * is a QEMU VM, as fence_virsh is for libvirt: it speaks QMP over the VM's
 * unix monitor socket (-qmp unix:PATH,server=on,wait=off). A fence must
 * confirm, so "off" (quit) succeeds only once the QEMU process is gone
 * (its pidfd, from the socket's peer credentials, and a refused connect),
 * and "reset" (system_reset) only once QEMU reports the RESET event.
 * QEMU writes one JSON object a line; the few fields read here are found
 * by name, which is enough for the replies and events QMP sends.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "../cluster.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-cluster fence-qemu SOCKET [TARGET] [--action off|reset]\n"
"                                 [--wait MS]\n"
"Powers off (default) or resets the QEMU VM whose QMP monitor listens on\n"
"the unix socket SOCKET (-qmp unix:SOCKET,server=on,wait=off). With\n"
"TARGET (a node id, as a node's --fence-cmd appends it), a '%%d' in SOCKET\n"
"becomes that id: --fence-cmd 'smpkit-cluster fence-qemu /run/vm/n%%d.qmp'.\n"
"off: QMP quit, then wait until the QEMU process has exited and the socket\n"
"refuses connections. reset: QMP system_reset, then wait for QEMU's RESET\n"
"event. Both within --wait (default 3000 ms; a node gives its agent 5 s).\n"
"Exit: 0 the action is confirmed; 1 it is not (no socket, not QMP, refused,\n"
"timed out), with a one-line reason; 2 bad usage.\n");
}

struct qmp {
	const char *path;
	int fd;
	uint64_t deadline;	/* CLOCK_MONOTONIC, ms */
	size_t len;
	char buf[16384];
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int left_ms(const struct qmp *q)
{
	uint64_t t = mono_ms();

	return t >= q->deadline ? 0 : (int)(q->deadline - t);
}

static int fail(const struct qmp *q, const char *why)
{
	fprintf(stderr, "fence-qemu: %s: %s\n", q->path, why);
	return 1;
}

/* A connected stream socket, or -errno. */
static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e;

	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fd;
	e = errno;
	close(fd);
	return -e;
}

/*
 * The next line into *line; 1 a line, 0 the peer closed, -1 the deadline
 * passed or the read failed, -2 a line longer than the buffer.
 */
static int read_line(struct qmp *q, char **line)
{
	struct pollfd pf = { .fd = q->fd, .events = POLLIN };
	char *nl;
	ssize_t n;

	for (;;) {
		nl = memchr(q->buf, '\n', q->len);
		if (nl) {
			*nl = 0;
			*line = q->buf;
			return 1;
		}
		if (q->len == sizeof(q->buf) - 1)
			return -2;
		if (poll(&pf, 1, left_ms(q)) != 1)
			return -1;
		n = read(q->fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len);
		if (n <= 0)
			return n == 0 ? 0 : -1;
		q->len += n;
	}
}

/* Drop the line read_line() returned. */
static void consume(struct qmp *q, const char *line)
{
	size_t used = strlen(line) + 1;

	memmove(q->buf, q->buf + used, q->len - used);
	q->len -= used;
}

/* Does the line have "KEY": ... ? */
static const char *field(const char *line, const char *key)
{
	size_t k = strlen(key);
	const char *p = line;

	while ((p = strchr(p, '"'))) {
		p++;
		if (!strncmp(p, key, k) && p[k] == '"') {
			p += k + 1;
			p += strspn(p, " \t");
			if (*p == ':')
				return p + 1 + strspn(p + 1, " \t");
		}
	}
	return NULL;
}

/* Is "KEY" a string field of the line equal to VAL? */
static bool field_is(const char *line, const char *key, const char *val)
{
	const char *p = field(line, key);
	size_t v = strlen(val);

	return p && *p == '"' && !strncmp(p + 1, val, v) && p[1 + v] == '"';
}

static int send_cmd(struct qmp *q, const char *cmd)
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg),
			 "{\"execute\": \"%s\", \"id\": \"smpkit-%s\"}\n",
			 cmd, cmd);

	/* MSG_NOSIGNAL: a QEMU that exits under us must not kill the agent */
	return send(q->fd, msg, n, MSG_NOSIGNAL) == n ? 0 : -1;
}

/*
 * Run CMD and read until its reply; an event named EVENT (if any) may
 * come before or after the reply, and *seen says whether it came.
 */
static int command(struct qmp *q, const char *cmd, const char *event,
		   bool *seen)
{
	char id[64], *line, why[200];
	bool replied = false;
	int r;

	snprintf(id, sizeof(id), "smpkit-%s", cmd);
	if (send_cmd(q, cmd)) {
		snprintf(why, sizeof(why), "cannot send %s: %s", cmd,
			 strerror(errno));
		return fail(q, why);
	}
	while (!replied || (event && !*seen)) {
		r = read_line(q, &line);
		if (r <= 0) {
			snprintf(why, sizeof(why), "%s: %s", cmd,
				 r == 0 ? "QEMU closed the monitor before confirming" :
				 r == -2 ? "a reply line too long for QMP" :
				 replied ? "no confirming event before the deadline" :
				 "no reply before the deadline");
			return fail(q, why);
		}
		if (event && field_is(line, "event", event))
			*seen = true;
		if (field_is(line, "id", id)) {
			if (field(line, "error")) {
				snprintf(why, sizeof(why), "QEMU refused %s: %.150s",
					 cmd, line);
				return fail(q, why);
			}
			replied = true;
		}
		consume(q, line);
	}
	return 0;
}

/* The greeting ({"QMP": ...}), then leave the capabilities negotiation. */
static int handshake(struct qmp *q)
{
	char *line;
	int r = read_line(q, &line);

	if (r <= 0 && r != -2)
		return fail(q, r == 0 ? "closed without a QMP greeting" :
			       "no QMP greeting before the deadline: not a QMP monitor?");
	if (r == -2 || !field(line, "QMP"))
		return fail(q, "not a QMP monitor (its first line is no QMP greeting)");
	consume(q, line);
	return command(q, "qmp_capabilities", NULL, NULL);
}

/*
 * Off is confirmed when QEMU's process has exited (the pidfd taken at
 * connect time, so a reused pid cannot answer) and its socket refuses a
 * connection: QEMU unlinks it or nobody listens. Without a pidfd (the
 * peer's pid is not visible here) the refused connect alone confirms.
 */
static int confirm_off(struct qmp *q, int pidfd, pid_t pid)
{
	struct pollfd pf = { .fd = pidfd, .events = POLLIN };
	char why[160];
	int fd;

	if (pidfd >= 0 && poll(&pf, 1, left_ms(q)) != 1) {
		snprintf(why, sizeof(why), "quit accepted but QEMU (pid %d) still runs",
			 (int)pid);
		return fail(q, why);
	}
	for (;;) {
		fd = connect_unix(q->path);
		if (fd == -ECONNREFUSED || fd == -ENOENT)
			return 0;
		if (fd >= 0)
			close(fd);
		if (!left_ms(q))
			return fail(q, "quit accepted but the socket still accepts connections");
		usleep(20000);
	}
}

static int parse(int argc, char **argv, const char **sock, const char **target,
		 bool *off, uint64_t *wait_ms)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--action") && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "off") && strcmp(argv[i], "reset")) {
				fprintf(stderr, "fence-qemu: unknown action '%s' (off or reset)\n",
					argv[i]);
				return -1;
			}
			*off = !strcmp(argv[i], "off");
		} else if (!strcmp(argv[i], "--wait") && i + 1 < argc) {
			if (!parse_u64(argv[++i], 1, 60000, wait_ms)) {
				fprintf(stderr, "fence-qemu: --wait takes 1 to 60000 ms\n");
				return -1;
			}
		} else if (argv[i][0] == '-') {
			return -1;
		} else if (!*sock) {
			*sock = argv[i];
		} else if (!*target) {
			*target = argv[i];
		} else {
			return -1;
		}
	}
	return *sock ? 0 : -1;
}

int cmd_fence_qemu(int argc, char **argv)
{
	const char *sock = NULL, *target = NULL, *pct;
	struct qmp *q;
	uint64_t wait_ms = 3000, id;
	struct ucred cred = { 0 };
	socklen_t cl = sizeof(cred);
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool off = true, seen = false;
	int pidfd = -1, r;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (parse(argc, argv, &sock, &target, &off, &wait_ms)) {
		fprintf(stderr, "usage: smpkit-cluster fence-qemu SOCKET [TARGET] [--action off|reset]\n"
			"       [--wait MS] (--help for more)\n");
		return 2;
	}
	pct = strstr(sock, "%d");
	if (target && (!pct || !parse_u64(target, 0, 4095, &id))) {
		fprintf(stderr, "fence-qemu: a TARGET needs a node id and a '%%d' in SOCKET\n");
		return 2;
	}
	if (target)
		r = snprintf(path, sizeof(path), "%.*s%u%s", (int)(pct - sock),
			     sock, (unsigned int)id, pct + 2);
	else
		r = snprintf(path, sizeof(path), "%s", sock);
	if (r < 0 || (size_t)r >= sizeof(path)) {
		fprintf(stderr, "fence-qemu: socket path too long (at most %zu bytes)\n",
			sizeof(path) - 1);
		return 2;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		die("out of memory");
	q->path = path;
	q->deadline = mono_ms() + wait_ms;
	q->fd = connect_unix(path);
	if (q->fd < 0) {
		fprintf(stderr, "fence-qemu: %s: cannot connect: %s\n", path,
			strerror(-q->fd));
		free(q);
		return 1;
	}
	/* the listener's pid: QEMU's, for a monitor socket QEMU made */
	if (off && !getsockopt(q->fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) &&
	    cred.pid > 0)
		pidfd = syscall(SYS_pidfd_open, cred.pid, 0);
	r = handshake(q);
	if (!r)
		r = command(q, off ? "quit" : "system_reset",
			    off ? NULL : "RESET", &seen);
	if (!r && off)
		r = confirm_off(q, pidfd, cred.pid);
	if (!r)
		printf("fence-qemu: %s: %s\n", path,
		       off ? "QEMU quit: the VM is off" :
		       "QEMU reset the VM (RESET event)");
	if (pidfd >= 0)
		close(pidfd);
	close(q->fd);
	free(q);
	return r;
}
