// SPDX-License-Identifier: GPL-2.0
/*
 * "smpkit-kv load": an open-loop load generator. Requests leave on a
 * Poisson schedule fixed in advance (--rate), whatever the replies do;
 * each latency runs from the request's *intended* start, so a stalled
 * store is charged for the requests it delayed (no coordinated omission).
 * Keys follow a Zipf or uniform law; reads and writes mix by --reads;
 * writes carry the last context seen for their key (so they replace what
 * was read instead of piling up siblings). Bounded in time and count.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "../cli.h"
#include "../node/wire.h"
#include "hist.h"

#define SLOTS 4096
#define MAX_KEYS 1000000

struct pending {
	bool used, read;
	uint16_t gen;
	uint32_t key;
	uint64_t intended;
};

struct load {
	int fd;
	unsigned int nnodes, next_node;
	struct sockaddr_in node[KV_MAX_NODES];
	uint64_t rate, total, duration_us, timeout_us, rng;
	unsigned int reads_pct, keys, r, w;
	double *cdf;		/* Zipf; NULL for uniform */
	struct kv_vv *ctx;	/* per key, the last context seen */
	struct kv_hlc *ts;
	struct pending p[SLOTS];
	struct kv_hist ok_lat;
	uint64_t sent, ok, errors, timeouts, saturated, late_replies;
	uint64_t ring_errors;	/* of errors: a stale ring, a shard not kept */
};

static uint64_t rnd(struct load *l)
{
	l->rng ^= l->rng >> 12;
	l->rng ^= l->rng << 25;
	l->rng ^= l->rng >> 27;
	return l->rng * 0x2545f4914f6cdd1dULL;
}

static double unit(struct load *l)
{
	return (rnd(l) >> 11) * (1.0 / 9007199254740992.0);
}

static unsigned int pick_key(struct load *l)
{
	unsigned int lo = 0, hi = l->keys - 1;
	double u;

	if (!l->cdf)
		return rnd(l) % l->keys;
	u = unit(l);
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (l->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void zipf(struct load *l, double s)
{
	double sum = 0;
	unsigned int i;

	l->cdf = malloc(l->keys * sizeof(*l->cdf));
	if (!l->cdf)
		die("load: out of memory");
	for (i = 0; i < l->keys; i++) {
		sum += 1.0 / pow(i + 1, s);
		l->cdf[i] = sum;
	}
	for (i = 0; i < l->keys; i++)
		l->cdf[i] /= sum;
}

static void issue(struct load *l, uint64_t intended)
{
	static uint8_t buf[KVW_MAX];
	static struct kvw_req q;
	struct pending *p = NULL;
	struct sockaddr_in *to;
	unsigned int i, len;
	size_t n;

	for (i = 0; i < SLOTS; i++)
		if (!l->p[(l->sent + i) % SLOTS].used) {
			p = &l->p[(l->sent + i) % SLOTS];
			break;
		}
	l->sent++;
	if (!p) {
		l->saturated++;
		return;
	}
	memset(&q, 0, sizeof(q));
	p->used = true;
	p->gen++;
	p->intended = intended;
	p->key = pick_key(l);
	p->read = rnd(l) % 100 < l->reads_pct;
	q.rq.tag = (uint64_t)p->gen << 16 | (p - l->p);
	q.rq.r = l->r;
	q.rq.w = l->w;
	len = snprintf(q.rq.key, KV_KEY_MAX, "load:%u", p->key);
	q.rq.klen = q.klen = len;
	if (p->read) {
		q.rq.op = KV_OP_GET;
	} else {
		q.rq.op = KV_OP_PUT;
		q.rq.ctx = l->ctx[p->key];
		q.rq.ctx_ts = l->ts[p->key];
		q.vlen = q.rq.vlen = snprintf((char *)q.rq.val, KV_VAL_MAX,
					      "v%llu",
					      (unsigned long long)l->sent);
	}
	n = kvw_put_req(buf, sizeof(buf), &q);
	to = &l->node[l->next_node++ % l->nnodes];
	sendto(l->fd, buf, n, 0, (struct sockaddr *)to, sizeof(*to));
}

static void receive(struct load *l)
{
	static uint8_t buf[KVW_MAX + 1];
	static struct kvw_rep rep;
	const char *why;
	struct pending *p;
	unsigned int slot;
	ssize_t n;

	while ((n = recv(l->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if (kvw_get_rep(buf, n, &rep, &why))
			continue;
		slot = rep.rep.tag & 0xffff;
		p = slot < SLOTS ? &l->p[slot] : NULL;
		if (!p || !p->used || p->gen != (uint16_t)(rep.rep.tag >> 16)) {
			l->late_replies++;
			continue;
		}
		p->used = false;
		if (rep.rep.err) {
			l->errors++;
			l->ring_errors += rep.rep.err == -ESTALE ||
					  rep.rep.err == -ENOENT;
			continue;
		}
		l->ok++;
		kv_hist_add(&l->ok_lat, kv_now_us() - p->intended);
		kv_obj_context(&rep.rep.obj, &l->ctx[p->key]);
		l->ts[p->key] = kv_obj_maxts(&rep.rep.obj);
	}
}

static void expire(struct load *l, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < SLOTS; i++)
		if (l->p[i].used && now - l->p[i].intended > l->timeout_us) {
			l->p[i].used = false;
			l->timeouts++;
		}
}

static bool any_pending(const struct load *l)
{
	unsigned int i;

	for (i = 0; i < SLOTS; i++)
		if (l->p[i].used)
			return true;
	return false;
}

static void report(const struct load *l, double secs)
{
	const struct kv_hist *h = &l->ok_lat;

	printf("offered %llu requests at %llu/s (%u%% reads, %u keys, %s): ok %llu, errors %llu, timeouts %llu, client saturated %llu\n",
	       (unsigned long long)l->sent, (unsigned long long)l->rate,
	       l->reads_pct, l->keys, l->cdf ? "zipf" : "uniform",
	       (unsigned long long)l->ok, (unsigned long long)l->errors,
	       (unsigned long long)l->timeouts,
	       (unsigned long long)l->saturated);
	printf("errors for the ring (a stale version, a shard not kept): %llu\n",
	       (unsigned long long)l->ring_errors);
	printf("throughput %.0f ok/s over %.2f s\n", l->ok / secs, secs);
	printf("latency from intended start (us): p50 %llu p90 %llu p99 %llu p99.9 %llu max %llu\n",
	       (unsigned long long)kv_hist_quantile(h, 0.5),
	       (unsigned long long)kv_hist_quantile(h, 0.9),
	       (unsigned long long)kv_hist_quantile(h, 0.99),
	       (unsigned long long)kv_hist_quantile(h, 0.999),
	       (unsigned long long)h->max);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-kv load --nodes IP:PORT,... [--rate R] [--duration SEC]\n"
"                      [--reads PCT] [--keys K] [--dist zipf|uniform]\n"
"                      [--zipf-s S] [--r R] [--w W] [--timeout MS]\n"
"                      [--seed S]\n"
"Offers R requests a second (default 1000) for SEC seconds (default 2,\n"
"at most 600) on a Poisson schedule, round robin over the nodes; prints\n"
"the outcome counts, the throughput and latency percentiles measured\n"
"from each request's intended start.\n");
}

int cmd_kv_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nodes", 1, 0, 'n' }, { "rate", 1, 0, 'R' },
		{ "duration", 1, 0, 'd' }, { "reads", 1, 0, 'p' },
		{ "keys", 1, 0, 'k' }, { "dist", 1, 0, 'D' },
		{ "zipf-s", 1, 0, 'z' }, { "r", 1, 0, 'r' }, { "w", 1, 0, 'w' },
		{ "timeout", 1, 0, 't' }, { "seed", 1, 0, 's' },
		{ "help", 0, 0, 'h' }, { 0 }
	};
	static struct load l;
	char *end;
	double s = 0.99, secs;
	bool uniform = false;
	uint64_t t0, now, next, stop;
	const char *nodes = NULL;
	int c;

	l.rate = 1000;
	l.duration_us = 2000000;
	l.reads_pct = 90;
	l.keys = 1000;
	l.timeout_us = 500000;
	l.rng = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			nodes = optarg;
			break;
		case 'R':
			l.rate = kv_num("load", optarg, "--rate", 1, 1000000);
			break;
		case 'd':
			l.duration_us = kv_num("load", optarg, "--duration", 1, 600) * 1000000;
			break;
		case 'p':
			l.reads_pct = kv_num("load", optarg, "--reads", 0, 100);
			break;
		case 'k':
			l.keys = kv_num("load", optarg, "--keys", 1, MAX_KEYS);
			break;
		case 'D':
			if (!strcmp(optarg, "uniform"))
				uniform = true;
			else if (strcmp(optarg, "zipf"))
				die("load: --dist is zipf or uniform");
			break;
		case 'z':
			s = strtod(optarg, &end);
			if (*end || s <= 0 || s > 5)
				die("load: --zipf-s must be in (0, 5]");
			break;
		case 'r':
			l.r = kv_num("load", optarg, "--r", 1, KV_MAX_N);
			break;
		case 'w':
			l.w = kv_num("load", optarg, "--w", 1, KV_MAX_N);
			break;
		case 't':
			l.timeout_us = kv_num("load", optarg, "--timeout", 1, 60000) * 1000;
			break;
		case 's':
			l.rng = kv_num("load", optarg, "--seed", 1, ~0ull);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!nodes || optind != argc) {
		usage(stderr);
		return 2;
	}
	l.nnodes = kv_parse_addrs(nodes, l.node, KV_MAX_NODES, "load: --nodes");
	l.ctx = calloc(l.keys, sizeof(*l.ctx));
	l.ts = calloc(l.keys, sizeof(*l.ts));
	if (!l.ctx || !l.ts)
		die("load: out of memory");
	if (!uniform)
		zipf(&l, s);
	l.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (l.fd < 0)
		die_errno("load: socket");
	l.total = l.rate * l.duration_us / 1000000;
	t0 = kv_now_us();
	next = t0;
	stop = t0 + l.duration_us;
	/* bounded: the schedule ends at stop, stragglers one timeout later */
	for (;;) {
		struct pollfd p = { .fd = l.fd, .events = POLLIN };
		int wait_ms;

		now = kv_now_us();
		while (next <= now && next < stop && l.sent < l.total) {
			issue(&l, next);
			next += (uint64_t)(-log(1.0 - unit(&l)) * 1e6 / l.rate);
		}
		receive(&l);
		expire(&l, now);
		if (now >= stop + l.timeout_us ||
		    ((next >= stop || l.sent >= l.total) && !any_pending(&l)))
			break;
		wait_ms = next > now ? (int)((next - now) / 1000) : 0;
		poll(&p, 1, wait_ms > 10 ? 10 : wait_ms);
	}
	secs = (kv_now_us() - t0) / 1e6;
	report(&l, secs);
	close(l.fd);
	free(l.cdf);
	free(l.ctx);
	free(l.ts);
	return l.ok ? 0 : 1;
}
