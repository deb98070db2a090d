// SPDX-License-Identifier: GPL-2.0
/*
 * "smpkit-cluster node": the real driver of the core. One thread, one
 * epoll set: the UDP socket, a timerfd armed at the core's next wake-up
 * (CLOCK_MONOTONIC, absolute) and a signalfd for SIGTERM/SIGINT (leave
 * the cluster) — the same core the simulator runs, fed real time. Disk
 * operations and the fence agent run synchronously (a lab daemon's
 * choice: simple, and slow disks then look like a busy node). Bad input
 * is logged with its sender and dropped; the node stays up. With
 * --watchdog every tick pets the watchdog (watchdog.c), so a stuck loop,
 * a stuck disk included, gets the node killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "../cluster.h"
#include "node.h"

struct daemon {
	struct node_cfg nc;
	struct cl_node core;
	struct cl_out out;
	struct node_disk disk;
	struct node_journal jn;
	int sock, tfd, sfd, pet;
	uint64_t wd_said;		/* term of the last "no agent" line */
	cl_time t0, fence_deadline;
	pid_t fence_pid;
	unsigned int fence_target;
};

static cl_time mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (cl_time)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static cl_time now(struct daemon *d)
{
	return mono_us() - d->t0;
}

__attribute__((format(printf, 2, 3)))
static void say(struct daemon *d, const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	/* wall-clock stamps: the lab merges the nodes' logs by them */
	clock_gettime(CLOCK_REALTIME, &ts);
	printf("%lld.%06ld n%u term %llu ", (long long)ts.tv_sec,
	       ts.tv_nsec / 1000, d->nc.id, (unsigned long long)d->core.term);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void load_state(struct daemon *d, struct cl_persist *p)
{
	FILE *f = fopen(d->nc.state, "r");
	unsigned long long term;
	unsigned int inc, vote, wfa;

	memset(p, 0, sizeof(*p));
	p->voted_for = CL_NONE;
	if (!f)
		return;
	if (fscanf(f, "term %llu inc %u vote %u wfa %u", &term, &inc, &vote,
		   &wfa) == 4 && vote <= CL_NONE) {
		p->term = term;
		p->incarnation = inc;
		p->voted_for = vote;
		p->wfa_done = !!wfa;
	} else {
		fprintf(stderr, "smpkit-cluster: %s is not a node state file: starting from term 0\n",
			d->nc.state);
	}
	fclose(f);
}

/* Term and vote reach the disk before any message that depends on them. */
static void save_state(struct daemon *d)
{
	char tmp[4200];
	struct cl_persist p;
	FILE *f;

	cl_node_persist(&d->core, &p);
	snprintf(tmp, sizeof(tmp), "%s.tmp", d->nc.state);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "term %llu inc %u vote %u wfa %u\n",
			  (unsigned long long)p.term, p.incarnation,
			  p.voted_for, p.wfa_done) < 0 ||
	    fflush(f) || fsync(fileno(f)) || fclose(f) ||
	    rename(tmp, d->nc.state))
		die_errno("cannot persist the term to %s", d->nc.state);
}

static void step(struct daemon *d, const struct cl_event *ev);

/*
 * The power-fence agent runs beside the loop, not inside it: a master
 * that waited for it would stop renewing its lease. SIGCHLD (signalfd)
 * reports it done; one that outlives FENCE_LIMIT counts as failed.
 */
#define FENCE_LIMIT	5000000

static void fence_done(struct daemon *d, bool ok)
{
	struct cl_event ev = { .type = CL_EV_FENCE_DONE };

	ev.target = d->fence_target;
	ev.ok = ok;
	d->fence_pid = 0;
	say(d, "fence-power n%u: agent %s", ev.target, ok ? "done" : "FAILED");
	step(d, &ev);
}

static void fence(struct daemon *d, unsigned int target)
{
	struct cl_event ev = { .type = CL_EV_FENCE_DONE, .target = target };
	char cmd[4200];
	pid_t pid;

	if (!d->nc.fence_cmd && d->nc.watchdog) {
		/* no FENCE_DONE: the core waits out the watchdog bound */
		if (d->wd_said != d->core.term)
			say(d, "fence-power n%u: no fence agent configured, waiting %llu ms for its watchdog",
			    target, (unsigned long long)
			    cl_watchdog_wait(&d->nc.cl) / 1000);
		d->wd_said = d->core.term;
		return;
	}
	if (!d->nc.fence_cmd) {
		say(d, "fence-power n%u: no fence agent configured, relying on the disk's fencing token",
		    target);
		ev.ok = true;
		step(d, &ev);
		return;
	}
	if (d->fence_pid)
		return;		/* the agent is at work; the core asks again */
	snprintf(cmd, sizeof(cmd), "%s %u", d->nc.fence_cmd, target);
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		say(d, "fence-power n%u: fork: %s", target, strerror(errno));
		return;
	}
	say(d, "fence-power n%u: agent started", target);
	d->fence_pid = pid;
	d->fence_target = target;
	d->fence_deadline = now(d) + FENCE_LIMIT;
}

static void reap(struct daemon *d, bool timeout)
{
	int st;

	if (!d->fence_pid)
		return;
	if (timeout)
		kill(d->fence_pid, SIGKILL);
	if (waitpid(d->fence_pid, &st, timeout ? 0 : WNOHANG) != d->fence_pid)
		return;
	fence_done(d, !timeout && WIFEXITED(st) && !WEXITSTATUS(st));
}

/* The service's state is replayed here, in the loop: nothing else runs. */
static void catch_up(struct daemon *d, unsigned int p)
{
	struct cl_event ev = { .type = CL_EV_CAUGHT_UP, .target = p };
	uint64_t us, n = node_journal_catch_up(&d->jn, p, &us);

	say(d, "catch-up partition %u: %llu updates replayed in %llu us (counter %llu, %llu late records of older terms skipped)",
	    p, (unsigned long long)n, (unsigned long long)us,
	    (unsigned long long)d->jn.value[p < CL_MAX_PARTS ? p : 0],
	    (unsigned long long)d->jn.fenced[p < CL_MAX_PARTS ? p : 0]);
	step(d, &ev);
}

static const char *const step_reason[] = {
	[CL_STEP_QUORUM] = "quorum lost",
	[CL_STEP_DISK] = "disk lost or fenced",
	[CL_STEP_TERM] = "newer term",
	[CL_STEP_LEAVE] = "leaving",
};

static void decision(struct daemon *d, const struct cl_decision *dec)
{
	switch (dec->type) {
	case CL_D_BAD_INPUT:
		break;		/* logged with the sender by recv_one() */
	case CL_D_FENCE_POWER:
		fence(d, dec->a);
		break;
	case CL_D_WRITE_REFUSED:
		say(d, "write-refused: %s", cl_disk_result_name(dec->a));
		break;
	case CL_D_STEP_DOWN:
		say(d, "step-down (%s)", step_reason[dec->a & 3]);
		break;
	case CL_D_OWN:
		if (d->jn.parts)
			say(d, "serves partition %u (counter %llu)", dec->a,
			    (unsigned long long)d->jn.value[dec->a]);
		else
			say(d, "serves partition %u", dec->a);
		break;
	case CL_D_CATCH_UP:
		catch_up(d, dec->a);
		break;
	case CL_D_DISOWN:
		say(d, "stops serving partition %u", dec->a);
		break;
	case CL_D_FENCE_TIMED:
		if (dec->a == CL_NONE)
			say(d, "fence-timed: no master known before me, its watchdog bound is over");
		else
			say(d, "fence-timed n%u: its watchdog bound is over", dec->a);
		break;
	default:
		say(d, "%s n%u", cl_decision_name(dec->type), dec->a);
	}
}

static void do_out(struct daemon *d, struct cl_out *o)
{
	struct cl_disk_image img;
	struct cl_event ev = { 0 };
	struct itimerspec its = { 0 };
	unsigned int k, nwrite = o->nwrite, ndec = o->ndec;
	struct cl_disk_op ops[CL_OUT_WRITES];
	struct cl_decision decs[CL_OUT_DECS];
	bool rd = o->disk_read;
	cl_time wake = o->wake;
	int corrupt, res;

	if (o->persist)
		save_state(d);
	for (k = 0; k < o->nmsg; k++)
		if (sendto(d->sock, o->msg[k].buf, o->msg[k].len, 0,
			   (struct sockaddr *)&d->nc.peer[o->msg[k].dst],
			   sizeof(d->nc.peer[0])) < 0 && errno != ECONNREFUSED)
			say(d, "send to n%u: %s", o->msg[k].dst, strerror(errno));
	/* the rest re-enters the core: take it out of @o first */
	memcpy(ops, o->write, sizeof(ops[0]) * nwrite);
	memcpy(decs, o->dec, sizeof(decs[0]) * ndec);
	if (wake) {
		its.it_value.tv_sec = (d->t0 + wake) / 1000000;
		its.it_value.tv_nsec = (d->t0 + wake) % 1000000 * 1000;
		timerfd_settime(d->tfd, TFD_TIMER_ABSTIME, &its, NULL);
	}
	for (k = 0; k < ndec; k++)
		decision(d, &decs[k]);
	for (k = 0; k < nwrite; k++) {
		res = node_disk_apply(&d->disk, &ops[k], true, &corrupt);
		if (corrupt > 0)
			say(d, "bad-input: %d corrupt block(s) on the voting disk", corrupt);
		ev.type = CL_EV_DISK_WRITE;
		ev.op = &ops[k];
		ev.result = res;
		step(d, &ev);
	}
	if (rd) {
		corrupt = node_disk_read(&d->disk, &img);
		if (corrupt < 0)
			say(d, "disk read: %s", strerror(errno));
		ev.type = CL_EV_DISK_READ;
		ev.disk = corrupt < 0 ? NULL : &img;
		step(d, &ev);
	}
}

static void step(struct daemon *d, const struct cl_event *ev)
{
	struct cl_out *o = malloc(sizeof(*o));

	if (!o)
		die("out of memory");
	cl_node_step(&d->core, now(d), ev, o);
	do_out(d, o);
	free(o);
}

static void recv_one(struct daemon *d)
{
	uint8_t buf[2048];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct cl_event ev = { .type = CL_EV_RECV };
	char addr[INET_ADDRSTRLEN];
	uint64_t bad = d->core.bad_input;
	ssize_t n;
	unsigned int j;

	n = recvfrom(d->sock, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT,
		     (struct sockaddr *)&from, &fl);
	if (n < 0)
		return;
	inet_ntop(AF_INET, &from.sin_addr, addr, sizeof(addr));
	if ((size_t)n > sizeof(buf)) {
		say(d, "bad-input: oversized datagram (%zd bytes) from %s:%u dropped",
		     n, addr, ntohs(from.sin_port));
		return;
	}
	for (j = 0; j < d->nc.cl.n; j++)
		if (d->nc.peer[j].sin_addr.s_addr == from.sin_addr.s_addr &&
		    d->nc.peer[j].sin_port == from.sin_port)
			break;
	if (j == d->nc.cl.n) {
		say(d, "bad-input: datagram from %s:%u, not a configured peer, dropped",
		     addr, ntohs(from.sin_port));
		return;
	}
	ev.buf = buf;
	ev.len = n;
	step(d, &ev);
	if (d->core.bad_input != bad)
		say(d, "bad-input: %zd bytes from n%u (%s:%u) refused: %s", n, j,
		     addr, ntohs(from.sin_port),
		     cl_wire_err_name(cl_wire_decode(buf, n, d->nc.cl.cluster_id,
						     d->nc.cl.n, d->nc.id,
						     &(struct cl_wire_msg){ 0 })));
}

static void setup(struct daemon *d)
{
	struct epoll_event ee = { .events = EPOLLIN };
	sigset_t set;
	int ep;

	d->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (d->sock < 0 || bind(d->sock, (struct sockaddr *)&d->nc.peer[d->nc.id],
				sizeof(d->nc.peer[0])))
		die_errno("cannot bind UDP %s:%u",
			  inet_ntoa(d->nc.peer[d->nc.id].sin_addr),
			  ntohs(d->nc.peer[d->nc.id].sin_port));
	d->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	d->sfd = signalfd(-1, &set, SFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (d->tfd < 0 || d->sfd < 0 || ep < 0)
		die_errno("timerfd/signalfd/epoll");
	ee.data.fd = d->sock;
	epoll_ctl(ep, EPOLL_CTL_ADD, d->sock, &ee);
	ee.data.fd = d->tfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, d->tfd, &ee);
	ee.data.fd = d->sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, d->sfd, &ee);
	d->sfd = d->sfd | ep << 16;	/* both fit: small descriptors */
}

int cmd_node(int argc, char **argv)
{
	static struct daemon dd;
	struct daemon *d = &dd;
	struct cl_event ev = { .type = CL_EV_START };
	struct epoll_event evs[8];
	struct signalfd_siginfo si;
	struct cl_persist p;
	char err[256];
	uint64_t exp;
	int r, i, ep, sfd;
	cl_time end;

	r = node_cfg_parse(argc, argv, &d->nc, err, sizeof(err));
	if (r == 1) {
		node_usage(stdout);
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "smpkit-cluster node: %s\n", err);
		return 2;
	}
	/* first, so that the watchdog inherits no socket or disk */
	fflush(stdout);
	d->pet = -1;
	if (d->nc.watchdog) {
		d->pet = node_watchdog_start(d->nc.watchdog, d->nc.id);
		if (d->pet < 0)
			die_errno("cannot start the watchdog");
	}
	if (node_disk_open(&d->disk, d->nc.disk, d->nc.cl.n, d->nc.format))
		die_errno("cannot open the voting disk %s", d->nc.disk);
	if (node_journal_open(&d->jn, d->nc.disk, &d->nc.cl, d->nc.ops,
			      d->nc.format))
		die_errno("cannot open the service's journals %s.jP",
			  d->nc.disk);
	d->t0 = mono_us() - 1;
	load_state(d, &p);
	cl_node_init(&d->core, &d->nc.cl, d->nc.id, &p, mono_us() ^ getpid());
	setup(d);
	ep = d->sfd >> 16;
	sfd = d->sfd & 0xffff;
	say(d, "starts: %u nodes, %s detector, disk %s%s, hb %u ms, timeout %u ms, watchdog %u ms",
	     d->nc.cl.n, d->nc.cl.detector ? "swim" : "master", d->nc.disk,
	     d->disk.direct ? " (O_DIRECT)" : "", d->nc.cl.hb_interval / 1000,
	     d->nc.cl.hb_timeout / 1000, d->nc.watchdog);
	step(d, &ev);
	end = d->nc.duration ? now(d) + d->nc.duration * 1000000ULL : 0;
	while (!end || now(d) < end) {
		r = epoll_wait(ep, evs, 8, 1000);
		if (r < 0 && errno != EINTR)
			die_errno("epoll_wait");
		if (d->fence_pid && now(d) > d->fence_deadline)
			reap(d, true);
		for (i = 0; i < r; i++) {
			if (evs[i].data.fd == d->sock) {
				recv_one(d);
			} else if (evs[i].data.fd == d->tfd) {
				if (read(d->tfd, &exp, sizeof(exp)) < 0)
					continue;
				node_watchdog_pet(d->pet);
				ev.type = CL_EV_TICK;
				step(d, &ev);
				node_journal_tick(&d->jn, d->core.serving_parts,
						  d->core.catching_parts,
						  d->core.term);
			} else if (evs[i].data.fd == sfd) {
				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGCHLD) {
					reap(d, false);
					continue;
				}
				say(d, "leaves (signal)");
				ev.type = CL_EV_LEAVE;
				step(d, &ev);
				node_journal_close(&d->jn);
				node_disk_close(&d->disk);
				return 0;
			}
		}
	}
	say(d, "leaves (--duration over)");
	ev.type = CL_EV_LEAVE;
	step(d, &ev);
	node_journal_close(&d->jn);
	node_disk_close(&d->disk);
	return 0;
}
