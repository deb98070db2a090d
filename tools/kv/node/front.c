// SPDX-License-Identifier: GPL-2.0
/*
 * "smpkit-kv front": a stateless front-end server, the web farm's tier
 * in front of the store. It forwards each client datagram to a node and
 * the node's answer back, keeping only the forwards in flight (lost in a
 * crash: the client's retry costs a round trip, nothing else). A write
 * with an idempotency key goes to the key's home node, the same from
 * every front end, whose table (idem.h) applies it once however many
 * front ends relay retries; other requests go round robin. --lose drops
 * replies on purpose, the fault the tests use to force retries.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "../cli.h"
#include "wire.h"

#define FRONT_SLOTS	1024
#define FRONT_TTL_US	3000000	/* a forward older than this is forgotten */
#define TAG_OFF		4	/* the tag's place in requests and replies */

struct fwd {
	bool used;
	uint32_t gen;
	uint64_t tag, sent;
	struct sockaddr_in client;
};

struct front {
	int fd;
	unsigned int nnodes, rr, next, lose_pct;
	uint32_t gen;
	uint64_t rng;
	struct sockaddr_in node[KV_MAX_NODES];
	struct fwd f[FRONT_SLOTS];
	uint64_t forwarded, answered, lost, expired, refused;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The tag is rewritten in place: the rest of a datagram passes as is. */
static uint64_t get_tag(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | b[TAG_OFF + i];
	return v;
}

static void set_tag(uint8_t *b, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		b[TAG_OFF + i] = v;
}

static void status(struct front *f, const struct sockaddr_in *to,
		   uint64_t tag)
{
	static uint8_t buf[KVW_MAX];
	static struct kvw_rep p;
	size_t len;

	memset(&p, 0, sizeof(p));
	p.rep.tag = tag;
	snprintf(p.info, sizeof(p.info),
		 "front end to %u nodes\n"
		 "forwarded %llu, answered %llu, replies lost on purpose %llu\n"
		 "forwards expired %llu, refused (all slots busy) %llu",
		 f->nnodes, (unsigned long long)f->forwarded,
		 (unsigned long long)f->answered, (unsigned long long)f->lost,
		 (unsigned long long)f->expired,
		 (unsigned long long)f->refused);
	len = kvw_put_rep(buf, sizeof(buf), &p);
	if (len)
		sendto(f->fd, buf, len, 0, (const struct sockaddr *)to,
		       sizeof(*to));
}

/* Which node: the home of an idempotent write, else the next in turn. */
static unsigned int route(struct front *f, const struct kvw_req *q,
			  bool parsed)
{
	/* a refused request still goes on: the node explains the refusal */
	if (parsed && q->idem_client && q->rq.op != KV_OP_GET)
		return kv_hash(q->rq.key, q->rq.klen, 0) % f->nnodes;
	return f->rr++ % f->nnodes;
}

static void from_client(struct front *f, uint8_t *buf, size_t len,
			const struct sockaddr_in *from)
{
	static struct kvw_req q;
	const char *why;
	struct fwd *w;
	unsigned int i, slot;
	bool parsed = kvw_get_req(buf, len, &q, &why) == 0;

	if (parsed && q.rq.op == KVW_OP_STATUS) {
		status(f, from, q.rq.tag);
		return;
	}
	for (i = 0; i < FRONT_SLOTS; i++) {
		slot = (f->next + i) % FRONT_SLOTS;
		if (!f->f[slot].used)
			break;
	}
	if (i == FRONT_SLOTS) {
		f->refused++;	/* the client's timeout and retry cover it */
		return;
	}
	f->next = slot + 1;
	w = &f->f[slot];
	w->used = true;
	w->gen = ++f->gen;
	w->tag = get_tag(buf);
	w->sent = kv_now_us();
	w->client = *from;
	set_tag(buf, (uint64_t)w->gen << 16 | slot);
	i = route(f, &q, parsed);
	sendto(f->fd, buf, len, 0, (const struct sockaddr *)&f->node[i],
	       sizeof(f->node[i]));
	f->forwarded++;
}

static void from_node(struct front *f, uint8_t *buf, size_t len)
{
	uint64_t tag = get_tag(buf);
	unsigned int slot = tag & 0xffff;
	struct fwd *w = &f->f[slot % FRONT_SLOTS];

	if (slot >= FRONT_SLOTS || !w->used || w->gen != (uint32_t)(tag >> 16))
		return;		/* late: the forward expired */
	w->used = false;
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	if (f->rng % 100 < f->lose_pct) {
		f->lost++;
		return;
	}
	set_tag(buf, w->tag);
	sendto(f->fd, buf, len, 0, (const struct sockaddr *)&w->client,
	       sizeof(w->client));
	f->answered++;
}

static void expire(struct front *f, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < FRONT_SLOTS; i++)
		if (f->f[i].used && now - f->f[i].sent > FRONT_TTL_US) {
			f->f[i].used = false;
			f->expired++;
		}
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-kv front --listen IP:PORT --nodes IP:PORT,...\n"
"                       [--lose PCT] [--duration SEC]\n"
"A stateless front-end server: forwards client requests to the store's\n"
"nodes and their answers back. Writes with an idempotency key go to the\n"
"key's home node, the rest round robin. --lose drops PCT %% of the\n"
"answers (a fault for tests: clients then retry).\n");
}

int cmd_kv_front(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", 1, 0, 'l' }, { "nodes", 1, 0, 'n' },
		{ "lose", 1, 0, 'L' }, { "duration", 1, 0, 't' },
		{ "help", 0, 0, 'h' }, { 0 }
	};
	static struct front f;
	static uint8_t buf[KVW_MAX + 1];
	const char *listen = NULL, *nodes = NULL;
	uint64_t pct = 0, duration = 0, start, last = 0;
	struct sockaddr_in self, from;
	socklen_t fl;
	ssize_t len;
	int c, kind;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen = optarg;
			break;
		case 'n':
			nodes = optarg;
			break;
		case 'L':
			if (!parse_u64(optarg, 0, 100, &pct))
				die("front: --lose must be 0..100");
			break;
		case 't':
			if (!parse_u64(optarg, 1, 86400, &duration))
				die("front: --duration must be 1..86400 s");
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!listen || !nodes || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (kv_parse_addr(listen, &self))
		die("front: --listen '%s' is not IP:PORT", listen);
	f.nnodes = kv_parse_addrs(nodes, f.node, KV_MAX_NODES, "front: --nodes");
	if (!f.nnodes)
		die("front: --nodes names no node");
	f.lose_pct = pct;
	f.rng = kv_now_us() | 1;
	f.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f.fd < 0)
		die_errno("front: socket");
	if (bind(f.fd, (struct sockaddr *)&self, sizeof(self)))
		die_errno("front: bind %s", listen);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	start = kv_now_us();
	while (!stop) {
		struct pollfd p = { .fd = f.fd, .events = POLLIN };
		uint64_t now = kv_now_us();

		if (duration && now - start > duration * 1000000)
			break;
		if (now - last > 100000) {
			expire(&f, now);
			last = now;
		}
		poll(&p, 1, 100);
		for (;;) {
			fl = sizeof(from);
			len = recvfrom(f.fd, buf, sizeof(buf), 0,
				       (struct sockaddr *)&from, &fl);
			if (len < 0)
				break;
			kind = len > KVW_MAX || len < TAG_OFF + 8 ? -EBADMSG :
			       kvw_kind(buf, len);
			if (kind == KVW_REQ)
				from_client(&f, buf, len, &from);
			else if (kind == KVW_REP)
				from_node(&f, buf, len);
			else
				fprintf(stderr, "smpkit-kv: front: bad-input: %zd-byte datagram refused: not a whole request or reply\n",
					len);
		}
	}
	close(f.fd);
	return 0;
}
