// SPDX-License-Identifier: GPL-2.0
/*
 * The closed-loop driver (drive.h). Every lane keeps one request in
 * flight: when its reply is judged, the next leaves at once, timed from
 * its own start. Whatever a server does (refuse, reset, close, answer
 * garbage or nothing) costs a count and a reconnection, never a crash or
 * a wait past the deadline: every request has --timeout, and the run
 * ends at most one timeout after its duration.
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "../cli.h"
#include "drive.h"

/* After a failure, a lane waits this long: a dead server is not spun on. */
#define BACKOFF_US	10000

void kv_drive_note(struct kv_drive *d, const char *fmt, ...)
{
	va_list ap;

	if (d->first_err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(d->first_err, sizeof(d->first_err), fmt, ap);
	va_end(ap);
}

int kv_printable(const uint8_t *b, size_t len)
{
	int n = 0;

	while ((size_t)n < len && n < 60 && b[n] >= ' ' && b[n] < 127)
		n++;
	return n;
}

static void drop(struct kv_lane *ln, uint64_t retry_at)
{
	if (ln->fd >= 0)
		close(ln->fd);
	ln->fd = -1;
	ln->busy = ln->close_after = false;
	ln->olen = ln->off = ln->ilen = 0;
	ln->retry_at = retry_at;
}

static void conn_failed(struct kv_drive *d, struct kv_lane *ln, int err,
			uint64_t now)
{
	d->conn_err++;
	kv_drive_note(d, "connection: %s", strerror(err));
	drop(ln, now + BACKOFF_US);
}

/*
 * A non-blocking connect: on loopback it is done at once or refused at
 * once; one still in progress shows its outcome to the first send or
 * poll, which handle it as any other connection error.
 */
static bool dial(struct kv_drive *d, struct kv_lane *ln, uint64_t now)
{
	int one = 1;

	ln->fd = socket(AF_INET, d->be->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ln->fd < 0)
		die_errno("load: socket");
	if (d->be->type == SOCK_STREAM &&
	    setsockopt(ln->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die_errno("load: TCP_NODELAY");
	if (connect(ln->fd, (const struct sockaddr *)ln->to,
		    sizeof(*ln->to)) && errno != EINPROGRESS) {
		conn_failed(d, ln, errno, now);
		return false;
	}
	return true;
}

static void flush(struct kv_drive *d, struct kv_lane *ln, uint64_t now)
{
	ssize_t n;

	while (ln->off < ln->olen) {
		n = send(ln->fd, ln->out + ln->off, ln->olen - ln->off,
			 MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;		/* POLLOUT resumes */
		if (n < 0) {
			conn_failed(d, ln, errno, now);
			return;
		}
		ln->off += n;
	}
}

static void issue(struct kv_drive *d, struct kv_lane *ln, uint64_t now)
{
	if (ln->fd < 0 && !dial(d, ln, now))
		return;
	ln->key = kv_keys_pick(d->kg);
	ln->put = kv_keys_rnd(d->kg) % 100 >= d->reads_pct;
	snprintf(ln->kname, sizeof(ln->kname), KV_LOAD_KEY, ln->key);
	/* unique per run and client, as load.c's */
	snprintf(ln->val, sizeof(ln->val), KV_LOAD_VAL,
		 (unsigned long long)(d->client & 0xffffff),
		 (unsigned long long)d->sent + 1);
	ln->seq++;
	ln->off = 0;
	ln->olen = d->be->request(d, ln);
	if (!ln->olen)
		die("load: %s: a request does not fit in %u bytes",
		    d->be->name, KV_DRIVE_BUF);
	ln->busy = true;
	ln->start = now;
	d->sent++;
	flush(d, ln, now);
}

/* Judges what ln->in holds, reply by reply. */
static void judge(struct kv_drive *d, struct kv_lane *ln, uint64_t now)
{
	bool dgram = d->be->type == SOCK_DGRAM;
	enum kv_verdict v;
	size_t used;

	while (ln->ilen && ln->fd >= 0) {
		if (!ln->busy && dgram) {
			ln->ilen = 0;	/* an answer to a request given up */
			return;
		}
		if (!ln->busy) {
			d->malformed++;
			kv_drive_note(d, "%s: bytes nobody asked for",
				      d->be->name);
			drop(ln, now + BACKOFF_US);
			return;
		}
		used = ln->ilen;
		v = d->be->reply(d, ln, &used);
		if (v == KV_V_MORE && !dgram && ln->ilen < sizeof(ln->in))
			return;
		if (v == KV_V_MORE) {
			d->malformed++;
			kv_drive_note(d, "%s: a reply over %zu bytes or cut short",
				      d->be->name, sizeof(ln->in));
			drop(ln, now + BACKOFF_US);
			return;
		}
		if (v == KV_V_BAD) {
			d->malformed++;
			drop(ln, now + BACKOFF_US);
			return;
		}
		if (v == KV_V_OK || v == KV_V_MISS) {
			d->ok++;
			d->missing += v == KV_V_MISS;
			kv_hist_add(&d->lat, now - ln->start);
		} else if (v == KV_V_ERR) {
			/*
			 * A refusal comes back at once: the lane waits before
			 * its next request rather than flood a busy server.
			 */
			d->server_err++;
			ln->retry_at = now + BACKOFF_US;
		}
		if (dgram)
			used = ln->ilen;
		if (v != KV_V_STALE)
			ln->busy = false;
		memmove(ln->in, ln->in + used, ln->ilen - used);
		ln->ilen -= used;
		if (!ln->busy && ln->close_after)
			drop(ln, now);
	}
}

static void receive(struct kv_drive *d, struct kv_lane *ln, uint64_t now)
{
	bool dgram = d->be->type == SOCK_DGRAM;
	ssize_t n;

	for (;;) {
		if (dgram)
			ln->ilen = 0;
		n = recv(ln->fd, ln->in + ln->ilen, sizeof(ln->in) - ln->ilen,
			 MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0) {
			conn_failed(d, ln, errno, now);
			return;
		}
		if (!n && !dgram) {
			if (ln->busy || ln->ilen)
				conn_failed(d, ln, ECONNRESET, now);
			else
				drop(ln, now);	/* an idle keep-alive closed */
			return;
		}
		ln->ilen += n;
		judge(d, ln, now);
		if (ln->fd < 0 || (!dgram && ln->ilen == sizeof(ln->in)))
			return;
	}
}

static void report(const struct kv_drive *d, double secs)
{
	const struct kv_hist *h = &d->lat;

	printf("load --backend %s: %u in flight for %.0f s, %u%% reads, %u keys, %s: sent %llu, ok %llu (gets that found nothing %llu), errors %llu\n",
	       d->be->name, d->window, d->duration_us / 1e6, d->reads_pct,
	       d->kg->n, d->kg->cdf ? "zipf" : "uniform",
	       (unsigned long long)d->sent, (unsigned long long)d->ok,
	       (unsigned long long)d->missing,
	       (unsigned long long)(d->server_err + d->malformed +
				    d->conn_err + d->timeouts));
	printf("errors: server %llu, malformed replies %llu, connections failed %llu, timeouts %llu\n",
	       (unsigned long long)d->server_err,
	       (unsigned long long)d->malformed,
	       (unsigned long long)d->conn_err,
	       (unsigned long long)d->timeouts);
	if (d->first_err[0])
		printf("first error: %s\n", d->first_err);
	printf("throughput %.0f ok/s over %.2f s\n", d->ok / secs, secs);
	printf("latency from each request's start (us): p50 %llu p90 %llu p99 %llu p99.9 %llu max %llu\n",
	       (unsigned long long)kv_hist_quantile(h, 0.5),
	       (unsigned long long)kv_hist_quantile(h, 0.9),
	       (unsigned long long)kv_hist_quantile(h, 0.99),
	       (unsigned long long)kv_hist_quantile(h, 0.999),
	       (unsigned long long)h->max);
}

int kv_drive(struct kv_drive *d)
{
	static struct pollfd pfd[KV_DRIVE_MAX_LANES];
	static unsigned int who[KV_DRIVE_MAX_LANES];
	uint64_t t0, now, stop, cap;
	unsigned int i, n, busy;
	struct kv_lane *ln;

	d->lane = calloc(d->window, sizeof(*d->lane));
	if (!d->lane)
		die("load: out of memory");
	for (i = 0; i < d->window; i++) {
		d->lane[i].fd = -1;
		/* spread over the servers, as load.c's round robin */
		d->lane[i].to = &d->addr[i % d->naddr];
	}
	if (d->be->init && d->be->init(d))
		die("load: %s: cannot start", d->be->name);
	t0 = kv_now_us();
	stop = t0 + d->duration_us;
	cap = stop + d->timeout_us + 1000000;
	for (;;) {
		now = kv_now_us();
		busy = n = 0;
		for (i = 0; i < d->window; i++) {
			ln = &d->lane[i];
			if (ln->busy && now - ln->start > d->timeout_us) {
				d->timeouts++;
				kv_drive_note(d, "%s: no reply in %llu ms",
					      d->be->name,
					      (unsigned long long)d->timeout_us / 1000);
				drop(ln, now);
			}
			if (!ln->busy && now < stop && now >= ln->retry_at)
				issue(d, ln, now);
			busy += ln->busy;
			if (ln->fd < 0)
				continue;
			pfd[n].fd = ln->fd;
			pfd[n].events = POLLIN |
				(ln->off < ln->olen ? POLLOUT : 0);
			who[n++] = i;
		}
		if ((now >= stop && !busy) || now >= cap)
			break;
		if (poll(pfd, n, 5) < 0 && errno != EINTR)
			die_errno("load: poll");
		now = kv_now_us();
		for (i = 0; i < n; i++) {
			ln = &d->lane[who[i]];
			if (pfd[i].revents & POLLOUT)
				flush(d, ln, now);
			if (ln->fd >= 0 &&
			    pfd[i].revents & (POLLIN | POLLERR | POLLHUP))
				receive(d, ln, now);
		}
	}
	report(d, (kv_now_us() - t0) / 1e6);
	for (i = 0; i < d->window; i++)
		drop(&d->lane[i], 0);
	if (d->be->fini)
		d->be->fini(d);
	free(d->lane);
	return d->ok ? 0 : 1;
}
