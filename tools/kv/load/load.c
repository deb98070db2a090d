// SPDX-License-Identifier: GPL-2.0
/*
 * "smpkit-kv load": an open-loop load generator. Requests leave on a
 * Poisson schedule fixed in advance (--rate), whatever the replies do;
 * each latency runs from the request's *intended* start, so a stalled
 * store is charged for the requests it delayed (no coordinated omission).
 * Keys follow a Zipf or uniform law; reads and writes mix by --reads;
 * writes carry the last context seen for their key (so they replace what
 * was read instead of piling up siblings). Bounded in time and count.
 * --backend hands a closed loop to the peer comparison's driver (drive.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "../cli.h"
#include "../node/wire.h"
#include "drive.h"
#include "hist.h"
#include "keys.h"

#define SLOTS 4096
#define MAX_KEYS 1000000

enum { OP_GET, OP_PUT, OP_BUMP };

struct pending {
	bool used, again, maybe;
	bool counter;		/* the key is a counter's (loadc:K) */
	uint8_t op, attempt, hops;
	uint16_t gen;
	unsigned int node;	/* of l->node: where the attempt went */
	uint32_t key;
	uint64_t intended, invoked, sent;
	struct kvw_req q;	/* kept as sent: a retry is the same request */
};

struct load {
	int fd;
	unsigned int nnodes, next_node;
	struct sockaddr_in node[KV_MAX_NODES];
	uint64_t rate, total, duration_us, timeout_us;
	unsigned int reads_pct, bumps_pct, r, w;
	struct kv_keys kg;	/* kg.n keys */
	bool verify;		/* read every key once instead */
	unsigned int window;	/* closed loop: this many in flight */
	bool no_idem;		/* writes without idempotency keys */
	struct kv_vv *ctx;	/* per key, the last context seen */
	struct kv_hlc *ts;
	uint64_t idem_client, idem_seq;
	FILE *history;
	struct pending p[SLOTS];
	struct kv_hist ok_lat;
	uint64_t sent, ok, errors, failed, unknown, saturated, late_replies;
	uint64_t timeouts, transient, refused, retries;
	uint64_t ring_errors;	/* of errors: a stale ring, a shard not kept */
	uint64_t full;		/* of errors: too many versions of the key */
};

static void refused(struct load *l, struct pending *p, uint64_t now);

/*
 * Send @p's current attempt. The tag names the slot, its generation and
 * the attempt, so that an answer or a refusal of an attempt already
 * given up is told apart. A sendto() failing with ECONNREFUSED reports
 * an earlier datagram's refusal (IP_RECVERR keeps it in the error
 * queue, handled by the next receive()) and sent nothing: send again.
 * Any other failure means the datagram never left: a refusal.
 */
static void transmit(struct load *l, struct pending *p, uint64_t now)
{
	static uint8_t buf[KVW_MAX];
	struct sockaddr_in *to = &l->node[p->node];
	unsigned int i;
	size_t n;

	p->q.rq.tag = (uint64_t)p->attempt << 32 | (uint64_t)p->gen << 16 |
		      (p - l->p);
	p->sent = now;
	n = kvw_put_req(buf, sizeof(buf), &p->q);
	for (i = 0; i < 4; i++) {
		if (sendto(l->fd, buf, n, 0, (struct sockaddr *)to,
			   sizeof(*to)) >= 0)
			return;
		if (errno != ECONNREFUSED)
			break;
	}
	refused(l, p, now);
}

static const char *const op_name[] = { "get", "put", "bump" };

/* A verify pass's reads are "final": the checker judges them in every mode. */
static const char *op_of(const struct load *l, const struct pending *p)
{
	return l->verify ? "final" : op_name[p->op];
}

static void key_name(const struct pending *p, char *buf, size_t cap)
{
	snprintf(buf, cap, p->counter ? "loadc:%u" : KV_LOAD_KEY, p->key);
}

/* One history line per request (Documentation/kv.rst, "The history"). */
static void record(struct load *l, const struct pending *p, uint64_t now,
		   const char *outcome, const struct kvw_rep *rep)
{
	char key[32];
	unsigned int i, n = 0;
	struct kv_vv ctx = { 0 };
	const struct kv_obj *o = rep ? &rep->rep.obj : NULL;

	if (!l->history)
		return;
	key_name(p, key, sizeof(key));
	fprintf(l->history, "%s %s %.*s %llu %llu %s", op_of(l, p), key,
		p->op == OP_PUT ? p->q.rq.vlen : 1,
		p->op == OP_PUT ? (const char *)p->q.rq.val :
		p->op == OP_BUMP ? "1" : "-",
		(unsigned long long)p->invoked, (unsigned long long)now,
		outcome);
	if (rep && p->op == OP_PUT)
		fprintf(l->history, " dot=%u:%llu", rep->rep.dot.node,
			(unsigned long long)rep->rep.dot.ctr);
	if (o && p->op == OP_GET && o->type == KV_T_COUNTER)
		fprintf(l->history, " count=%lld",
			(long long)kv_pn_value(&o->u.pn));
	if (o && p->op == OP_GET && o->type != KV_T_COUNTER) {
		/* what kv_obj_covers() needs: the dots and their contexts */
		fprintf(l->history, " dots=");
		for (i = 0; o->type == KV_T_REG && i < o->nsib; i++) {
			fprintf(l->history, "%s%u:%llu", i ? "," : "",
				o->u.sib[i].dot.node,
				(unsigned long long)o->u.sib[i].dot.ctr);
			kv_vv_merge(&ctx, &o->u.sib[i].ctx);
		}
		fprintf(l->history, " ctx=");
		for (i = 0; i < KV_MAX_NODES; i++)
			if (ctx.c[i])
				fprintf(l->history, "%s%u:%llu", n++ ? "," : "",
					i, (unsigned long long)ctx.c[i]);
		fprintf(l->history, " overflow=%u", o->overflow);
	}
	fputc('\n', l->history);
}

static void finish(struct load *l, struct pending *p, uint64_t now,
		   const char *outcome, const struct kvw_rep *rep)
{
	record(l, p, now, outcome, rep);
	p->used = false;
}

/*
 * The attempt was not taken in (refused, or it could not leave): this
 * attempt applied nothing, so the request goes on to the next node at
 * once, as the plain client's does (client.c). A write whose earlier
 * attempt timed out may still have applied there (maybe): a bump then
 * stops, its outcome unknown (the next node would not know its key), and
 * a put with no node left ends unknown too.
 */
static void refused(struct load *l, struct pending *p, uint64_t now)
{
	l->refused++;
	if (p->op == OP_BUMP && p->maybe) {
		l->unknown++;
		finish(l, p, now, "unknown", NULL);
		return;
	}
	if (++p->hops >= l->nnodes) {
		if (p->maybe) {
			l->unknown++;
			finish(l, p, now, "unknown", NULL);
		} else {
			l->failed++;
			finish(l, p, now, "fail", NULL);
		}
		return;
	}
	l->retries++;
	p->again = false;
	p->attempt++;
	p->node = (p->node + 1) % l->nnodes;
	transmit(l, p, now);
}

/*
 * No answer in time, or a transient error: the attempt may have applied.
 * A read goes on to the next node. A write goes once more to the same
 * node with the same idempotency key, which that node applies once; then
 * a put goes on (applied twice it is at worst an identical sibling), but
 * a counter bump stops with its outcome unknown: another node does not
 * know its key and could count it twice.
 */
static void failed(struct load *l, struct pending *p, uint64_t now)
{
	bool write = p->op != OP_GET;

	p->maybe |= write;
	if (p->op == OP_BUMP && p->again) {
		l->unknown++;
		finish(l, p, now, "unknown", NULL);
		return;
	}
	if (write && !p->again) {
		p->again = true;	/* the same node: it knows the key */
	} else if (++p->hops < l->nnodes) {
		p->again = false;
		p->node = (p->node + 1) % l->nnodes;
	} else {
		if (write)
			l->unknown++;
		else
			l->failed++;
		finish(l, p, now, write ? "unknown" : "fail", NULL);
		return;
	}
	l->retries++;
	p->attempt++;
	transmit(l, p, now);
}

static void issue(struct load *l, uint64_t intended, uint64_t now)
{
	struct kvw_req *q;
	struct pending *p = NULL;
	unsigned int i, len;

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
	q = &p->q;
	memset(q, 0, sizeof(*q));
	p->used = true;
	p->again = p->maybe = false;
	p->attempt = p->hops = 0;
	p->gen++;
	p->intended = intended;
	p->invoked = now;
	if (l->verify) {
		/* every register, then every counter, in order */
		p->key = (l->sent - 1) % l->kg.n;
		p->op = OP_GET;
	} else {
		p->key = kv_keys_pick(&l->kg);
		p->op = kv_keys_rnd(&l->kg) % 100 < l->reads_pct ? OP_GET :
			kv_keys_rnd(&l->kg) % 100 < l->bumps_pct ? OP_BUMP : OP_PUT;
	}
	p->counter = p->op == OP_BUMP || (l->verify && l->sent > l->kg.n);
	q->rq.r = l->r;
	q->rq.w = l->w;
	key_name(p, q->rq.key, KV_KEY_MAX);
	len = strlen(q->rq.key);
	q->rq.klen = q->klen = len;
	if (p->op == OP_GET) {
		q->rq.op = KV_OP_GET;
	} else {
		q->idem_client = l->no_idem ? 0 : l->idem_client;
		q->idem_seq = ++l->idem_seq;
	}
	if (p->op == OP_BUMP) {
		q->rq.op = KV_OP_COUNTER;
		q->rq.delta = 1;
	} else if (p->op == OP_PUT) {
		q->rq.op = KV_OP_PUT;
		q->rq.ctx = l->ctx[p->key];
		q->rq.ctx_ts = l->ts[p->key];
		/* unique per run and client: the history names writes by it */
		q->vlen = q->rq.vlen = snprintf((char *)q->rq.val, KV_VAL_MAX,
						KV_LOAD_VAL,
						(unsigned long long)(l->idem_client & 0xffffff),
						(unsigned long long)l->sent);
	}
	p->node = l->next_node++ % l->nnodes;
	transmit(l, p, now);
}

/* The slot a tag names, when it is still open and at that attempt. */
static struct pending *slot_of(struct load *l, uint64_t tag, bool any_attempt)
{
	struct pending *p;
	unsigned int slot = tag & 0xffff;

	if (slot >= SLOTS)
		return NULL;
	p = &l->p[slot];
	if (!p->used || p->gen != (uint16_t)(tag >> 16))
		return NULL;
	if (!any_attempt && p->attempt != (uint8_t)(tag >> 32))
		return NULL;
	return p;
}

/*
 * The error queue (IP_RECVERR): each entry is an ICMP error about one
 * datagram we sent, with that datagram's payload, so the refusal is
 * charged to the very request (and attempt) it names.
 */
static void drain_errors(struct load *l, uint64_t now)
{
	uint8_t data[64], ctl[512];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh;
	struct pending *p;
	uint64_t tag;
	ssize_t n;
	int i;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		n = recvmsg(l->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			return;
		if (n < 12 || kvw_kind(data, n) != KVW_REQ)
			continue;
		for (tag = 0, i = 7; i >= 0; i--)
			tag = tag << 8 | data[4 + i];
		p = slot_of(l, tag, false);
		if (p)
			refused(l, p, now);
	}
}

static bool transient(int err)
{
	return err == -ETIMEDOUT || err == -EIO || err == -EBUSY ||
	       err == -EAGAIN;
}

static void receive(struct load *l)
{
	static uint8_t buf[KVW_MAX + 1];
	static struct kvw_rep rep;
	const char *why;
	struct pending *p;
	uint64_t now;
	ssize_t n;

	for (;;) {
		n = recv(l->fd, buf, sizeof(buf), MSG_DONTWAIT);
		now = kv_now_us();
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			drain_errors(l, now);
			continue;
		}
		if (n < 0)
			break;
		if (kvw_get_rep(buf, n, &rep, &why))
			continue;
		/* a success from any attempt is the request's answer */
		p = slot_of(l, rep.rep.tag, !rep.rep.err);
		if (!p) {
			l->late_replies++;
			continue;
		}
		if (transient(rep.rep.err)) {
			l->transient++;
			failed(l, p, now);
			continue;
		}
		if (rep.rep.err) {
			l->errors++;
			l->ring_errors += rep.rep.err == -ESTALE ||
					  rep.rep.err == -ENOENT;
			/*
			 * The refusal carries the versions: the key's next
			 * write replaces them, as a client's merge would.
			 */
			if (rep.rep.err == -EMLINK &&
			    rep.rep.obj.type == KV_T_REG) {
				l->full++;
				kv_obj_context(&rep.rep.obj, &l->ctx[p->key]);
				l->ts[p->key] = kv_obj_maxts(&rep.rep.obj);
			}
			finish(l, p, now, "error", NULL);
			continue;
		}
		l->ok++;
		kv_hist_add(&l->ok_lat, now - p->intended);
		if (!p->counter) {
			kv_obj_context(&rep.rep.obj, &l->ctx[p->key]);
			l->ts[p->key] = kv_obj_maxts(&rep.rep.obj);
		}
		finish(l, p, now, "ok", &rep);
	}
	drain_errors(l, kv_now_us());
}

/* Attempts unanswered for a timeout: failed() decides what follows. */
static void expire(struct load *l, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < SLOTS; i++)
		if (l->p[i].used && now - l->p[i].sent > l->timeout_us) {
			l->timeouts++;
			failed(l, &l->p[i], now);
		}
}

static unsigned int in_flight(const struct load *l)
{
	unsigned int i, n = 0;

	for (i = 0; i < SLOTS; i++)
		n += l->p[i].used;
	return n;
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
	       l->reads_pct, l->kg.n, l->kg.cdf ? "zipf" : "uniform",
	       (unsigned long long)l->ok, (unsigned long long)l->errors,
	       (unsigned long long)(l->failed + l->unknown),
	       (unsigned long long)l->saturated);
	printf("retries %llu (refused %llu, attempts timed out %llu, transient errors %llu); of the requests timed out, writes with an unknown outcome %llu, not applied %llu\n",
	       (unsigned long long)l->retries, (unsigned long long)l->refused,
	       (unsigned long long)l->timeouts,
	       (unsigned long long)l->transient,
	       (unsigned long long)l->unknown, (unsigned long long)l->failed);
	printf("errors for the ring (a stale version, a shard not kept): %llu\n",
	       (unsigned long long)l->ring_errors);
	printf("writes refused for too many versions of their key: %llu\n",
	       (unsigned long long)l->full);
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
"                      [--reads PCT] [--bumps PCT] [--keys K]\n"
"                      [--dist zipf|uniform] [--zipf-s S] [--r R] [--w W]\n"
"                      [--timeout MS] [--seed S] [--history FILE]\n"
"                      [--verify] [--window W] [--no-idem]\n"
"       smpkit-kv load --backend ours|redis|etcd --window W --nodes IP:PORT,...\n"
"                      [--duration SEC] [--reads PCT] [--keys K] [--dist D]\n"
"                      [--zipf-s S] [--r R] [--w W] [--timeout MS] [--seed S]\n"
"                      [--serializable]\n"
"Offers R requests a second (default 1000) for SEC seconds (default 2,\n"
"at most 600) on a Poisson schedule, round robin over the nodes; prints\n"
"the outcome counts, the retries, the throughput and latency percentiles\n"
"measured from each request's intended start. --bumps: the share of the\n"
"writes that are counter bumps (loadc:K) instead of puts (load:K).\n"
"A request refused by a node goes to the next at once; one unanswered\n"
"after --timeout (500 ms) is retried as the client commands do: a read\n"
"on the next node, a write first on the same node with its idempotency\n"
"key, then a put on the next node, while a bump ends 'unknown'.\n"
"--no-idem sends writes without idempotency keys (a retry may apply\n"
"twice).\n"
"--history FILE appends one line per request for 'smpkit-kv check'.\n"
"--verify reads every register and then every counter key once.\n"
"--window W: closed loop instead, W requests in flight for SEC seconds,\n"
"each timed from its own start (a benchmark of the store's capacity).\n"
"--backend: the same closed loop, without retries, for the peer comparison\n"
"(bench/kv/peers.sh): our nodes (ours), redis-server (redis: RESP SET/GET)\n"
"or etcd (etcd: its JSON gateway; --serializable gets), one connection\n"
"per request in flight, 127.0.0.1 only; errors are counted by kind.\n");
}

/* load --backend: the closed-loop driver (drive.c) with load's options. */
static int drive(struct load *l, const char *backend, bool serializable)
{
	static const struct kv_backend *const be[] = {
		&kv_backend_ours, &kv_backend_redis, &kv_backend_etcd,
	};
	static struct kv_drive d;
	unsigned int i;

	for (i = 0; i < sizeof(be) / sizeof(be[0]); i++)
		if (!strcmp(backend, be[i]->name))
			d.be = be[i];
	if (!d.be)
		die("load: --backend is ours, redis or etcd");
	if (!l->window || l->window > KV_DRIVE_MAX_LANES)
		die("load: --backend needs --window 1..%u", KV_DRIVE_MAX_LANES);
	for (i = 0; i < l->nnodes; i++)
		if (l->node[i].sin_addr.s_addr != htonl(INADDR_LOOPBACK))
			die("load: --backend talks to 127.0.0.1 only");
	d.addr = l->node;
	d.naddr = l->nnodes;
	d.window = l->window;
	d.reads_pct = l->reads_pct;
	d.r = l->r;
	d.w = l->w;
	d.serializable = serializable;
	d.duration_us = l->duration_us;
	d.timeout_us = l->timeout_us;
	d.client = l->idem_client;
	d.kg = &l->kg;
	return kv_drive(&d);
}

int cmd_kv_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nodes", 1, 0, 'n' }, { "rate", 1, 0, 'R' },
		{ "duration", 1, 0, 'd' }, { "reads", 1, 0, 'p' },
		{ "keys", 1, 0, 'k' }, { "dist", 1, 0, 'D' },
		{ "zipf-s", 1, 0, 'z' }, { "r", 1, 0, 'r' }, { "w", 1, 0, 'w' },
		{ "timeout", 1, 0, 't' }, { "seed", 1, 0, 's' },
		{ "bumps", 1, 0, 'b' }, { "history", 1, 0, 'H' },
		{ "verify", 0, 0, 'V' }, { "window", 1, 0, 'W' },
		{ "no-idem", 0, 0, 'I' }, { "backend", 1, 0, 'B' },
		{ "serializable", 0, 0, 'S' },
		{ "help", 0, 0, 'h' }, { 0 }
	};
	static struct load l;
	char *end;
	double s = 0.99, secs;
	bool uniform = false;
	uint64_t t0, now, next, stop, cap;
	const char *nodes = NULL, *history = NULL, *backend = NULL;
	bool open_only = false, serializable = false;
	int c, on = 1;

	l.rate = 1000;
	l.duration_us = 2000000;
	l.reads_pct = 90;
	l.kg.n = 1000;
	l.timeout_us = 500000;
	l.kg.rng = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			nodes = optarg;
			break;
		case 'R':
			open_only = true;
			l.rate = kv_num("load", optarg, "--rate", 1, 1000000);
			break;
		case 'd':
			l.duration_us = kv_num("load", optarg, "--duration", 1, 600) * 1000000;
			break;
		case 'p':
			l.reads_pct = kv_num("load", optarg, "--reads", 0, 100);
			break;
		case 'b':
			open_only = true;
			l.bumps_pct = kv_num("load", optarg, "--bumps", 0, 100);
			break;
		case 'k':
			l.kg.n = kv_num("load", optarg, "--keys", 1, MAX_KEYS);
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
			l.kg.rng = kv_num("load", optarg, "--seed", 1, ~0ull);
			break;
		case 'H':
			open_only = true;
			history = optarg;
			break;
		case 'V':
			open_only = true;
			l.verify = true;
			break;
		case 'I':
			open_only = true;
			l.no_idem = true;
			break;
		case 'B':
			backend = optarg;
			break;
		case 'S':
			serializable = true;
			break;
		case 'W':
			l.window = kv_num("load", optarg, "--window", 1, SLOTS);
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
	if (l.verify && l.window)
		die("load: --verify and --window exclude each other");
	if (backend && open_only)
		die("load: --backend takes neither --rate, --bumps, --history, --verify nor --no-idem");
	if (serializable && (!backend || strcmp(backend, "etcd")))
		die("load: --serializable is for --backend etcd");
	l.nnodes = kv_parse_addrs(nodes, l.node, KV_MAX_NODES, "load: --nodes");
	l.ctx = calloc(l.kg.n, sizeof(*l.ctx));
	l.ts = calloc(l.kg.n, sizeof(*l.ts));
	if (!l.ctx || !l.ts)
		die("load: out of memory");
	if (!uniform)
		kv_keys_zipf(&l.kg, s);
	if (history) {
		l.history = fopen(history, "a");
		if (!l.history)
			die_errno("load: %s", history);
	}
	while (!l.idem_client)
		if (getrandom(&l.idem_client, sizeof(l.idem_client), 0) < 0)
			die_errno("load: getrandom");
	if (backend) {
		c = drive(&l, backend, serializable);
		goto out;
	}
	l.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (l.fd < 0)
		die_errno("load: socket");
	/* refusals name their datagram: drain_errors() */
	if (setsockopt(l.fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on)))
		die_errno("load: IP_RECVERR");
	l.total = l.verify ? 2ull * l.kg.n : l.rate * l.duration_us / 1000000;
	if (l.verify)
		l.duration_us = l.total * (1000000 / l.rate) + 1;
	t0 = kv_now_us();
	next = t0;
	stop = t0 + l.duration_us;
	/* a request's last answer may come after 2 attempts on each node */
	cap = stop + (2 * l.nnodes + 1) * l.timeout_us;
	for (;;) {
		struct pollfd p = { .fd = l.fd, .events = POLLIN };
		int wait_ms;

		now = kv_now_us();
		/* closed loop: a request leaves when one ends, timed from then */
		while (l.window && now < stop && in_flight(&l) < l.window)
			issue(&l, now, now);
		while (!l.window && next <= now && next < stop &&
		       l.sent < l.total) {
			issue(&l, next, now);
			/* a verify pass is not a load: evenly spaced */
			next += l.verify ? 1000000 / l.rate :
				(uint64_t)(-log(1.0 - kv_keys_unit(&l.kg)) * 1e6 / l.rate);
		}
		receive(&l);
		expire(&l, kv_now_us());
		if (now >= cap || (l.window && now >= stop && !any_pending(&l)) ||
		    (!l.window && (next >= stop || l.sent >= l.total) &&
		     !any_pending(&l)))
			break;
		wait_ms = next > now ? (int)((next - now) / 1000) : 0;
		if (l.window)
			wait_ms = 10;
		poll(&p, 1, wait_ms > 10 ? 10 : wait_ms);
	}
	secs = (kv_now_us() - t0) / 1e6;
	report(&l, secs);
	if (l.history && fclose(l.history))
		die_errno("load: %s", history);
	close(l.fd);
	c = l.ok ? 0 : 1;
out:
	free(l.kg.cdf);
	free(l.ctx);
	free(l.ts);
	return c;
}
