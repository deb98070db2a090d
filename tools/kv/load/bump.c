// SPDX-License-Identifier: GPL-2.0
/*
 * "smpkit-kv bump": a client of the front-end tier. It adds 1 to a
 * counter COUNT times, WINDOW requests in flight, each through a front
 * end its balancer (balance.h) picks. A request unanswered after the
 * timeout, or refused by the store, is sent again through another front
 * end with the same idempotency key (this client's id, the request's
 * number), so the store applies it once: the counter then ends exactly
 * at the number of acknowledged bumps. --no-idem sends no key, the
 * broken variant that the test shows counting some retries twice.
 * Bounded: each request gives up after --deadline, the run stops after
 * COUNT/rate + deadline + 1 s.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "../cli.h"
#include "../node/wire.h"
#include "balance.h"

enum { WAITING, FLYING, ACKED, FAILED };

#define REFUSED_US	10000	/* a refused request waits this long */

struct bump_req {
	uint8_t state;
	unsigned int fe;
	uint64_t first, sent;
	uint64_t retry_at;	/* refused: sent again then (0: not refused) */
};

struct bump {
	int fd;
	struct sockaddr_in fe[KV_BAL_MAX];
	struct kv_bal bal;
	struct kvw_req q;
	struct bump_req *r;
	uint64_t count, window, rate, timeout_us, deadline_us, keys;
	const char *key;
	uint64_t next, flying, acked, failed, timeouts, refusals;
	uint64_t done_below;	/* every request under it is finished */
	/* --owners: the ring the nodes run, to send to a key's primary */
	bool owners;
	struct kv_ring ring;
};

static void send_req(struct bump *b, uint64_t i, uint64_t now,
		     unsigned int avoid)
{
	static uint8_t buf[KVW_MAX];
	struct bump_req *r = &b->r[i];
	size_t len;

	b->q.rq.tag = i;
	/* spread over --keys counters, hence over the shards */
	if (b->keys > 1)
		b->q.klen = b->q.rq.klen =
			snprintf(b->q.rq.key, KV_KEY_MAX, "%s%llu", b->key,
				 (unsigned long long)(i % b->keys));
	if (b->owners && avoid == -1u) {
		/* the first try skips the hop from a coordinator to the owner */
		r->fe = b->ring.owner[kv_ring_shard(&b->ring, b->q.rq.key,
						    b->q.rq.klen)][0];
		b->bal.out[r->fe]++;
		b->bal.picks[r->fe]++;
	} else {
		r->fe = kv_bal_pick(&b->bal, now, avoid);
	}
	r->sent = now;
	if (b->q.idem_client)
		b->q.idem_seq = i + 1;
	len = kvw_put_req(buf, sizeof(buf), &b->q);
	sendto(b->fd, buf, len, 0, (struct sockaddr *)&b->fe[r->fe],
	       sizeof(b->fe[r->fe]));
}

/* Resend @i through another front end, or give up past the deadline. */
static void again(struct bump *b, uint64_t i, uint64_t now)
{
	struct bump_req *r = &b->r[i];

	if (now - r->first > b->deadline_us) {
		r->state = FAILED;
		b->flying--;
		b->failed++;
		return;
	}
	send_req(b, i, now, r->fe);
}

static void receive(struct bump *b)
{
	static uint8_t buf[KVW_MAX + 1];
	static struct kvw_rep p;
	const char *why;
	struct bump_req *r;
	ssize_t n;

	while ((n = recv(b->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if (kvw_get_rep(buf, n, &p, &why) || p.rep.tag >= b->count)
			continue;
		r = &b->r[p.rep.tag];
		/* a late answer to an earlier try counts just the same */
		if (r->state != FLYING)
			continue;
		kv_bal_done(&b->bal, r->fe, kv_now_us(), false);
		if (p.rep.err) {
			/* a busy store is not helped by an instant retry */
			b->refusals++;
			r->retry_at = kv_now_us() + REFUSED_US;
			continue;
		}
		r->state = ACKED;
		b->flying--;
		b->acked++;
	}
}

static void tick(struct bump *b, uint64_t now, uint64_t start)
{
	uint64_t i;

	while (b->done_below < b->next && b->r[b->done_below].state != FLYING)
		b->done_below++;
	for (i = b->done_below; i < b->next; i++) {
		if (b->r[i].state != FLYING)
			continue;
		if (b->r[i].retry_at) {
			if (now >= b->r[i].retry_at) {
				b->r[i].retry_at = 0;
				again(b, i, now);
			}
		} else if (now - b->r[i].sent > b->timeout_us) {
			b->timeouts++;
			kv_bal_done(&b->bal, b->r[i].fe, now, true);
			again(b, i, now);
		}
	}
	while (b->next < b->count && b->flying < b->window &&
	       (!b->rate || b->next * 1000000 / b->rate <= now - start)) {
		b->r[b->next].state = FLYING;
		b->r[b->next].first = now;
		b->flying++;
		send_req(b, b->next++, now, -1u);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-kv bump --fronts IP:PORT,... --count N [--key K]\n"
"                      [--window W] [--rate R] [--policy rr|lor]\n"
"                      [--timeout MS] [--deadline SEC] [--client ID]\n"
"                      [--keys K] [--owners N [--shards S]] [--no-idem]\n"
"Adds 1 to counter K (default \"hits\") N times through the front ends,\n"
"W requests in flight (default 8), at most R a second (default: no\n"
"limit), balanced round robin or by least outstanding requests (lor,\n"
"the default). Unanswered after MS (default 300) or refused, a request\n"
"is retried through another front end with the same idempotency key,\n"
"until SEC (default 10) after its first try. The idempotency keys are\n"
"(ID, 1..N), ID random unless given: the same run again is then a\n"
"retry of every request. --keys K spreads the bumps over K counters\n"
"(KEY0, KEY1, ...). --owners N: --fronts are the store's nodes in id\n"
"order (S shards, default 16; N replicas), and a first try goes to its key's\n"
"primary owner, as a client that knows the ring would send it.\n");
}

int cmd_kv_bump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fronts", 1, 0, 'f' }, { "count", 1, 0, 'c' },
		{ "key", 1, 0, 'k' }, { "window", 1, 0, 'W' },
		{ "rate", 1, 0, 'R' }, { "policy", 1, 0, 'p' },
		{ "timeout", 1, 0, 'T' }, { "deadline", 1, 0, 'D' },
		{ "no-idem", 0, 0, 'N' }, { "client", 1, 0, 'C' },
		{ "keys", 1, 0, 'K' }, { "owners", 1, 0, 'O' },
		{ "shards", 1, 0, 'S' },
		{ "help", 0, 0, 'h' }, { 0 }
	};
	static struct bump b;
	const char *fronts = NULL, *key = "hits";
	enum kv_bal_policy pol = KV_BAL_LOR;
	bool idem = true;
	uint64_t start, now, stop_at;
	double secs;
	unsigned int i, nfe, owners_n = 0, shards = 16;
	int c;

	b.window = 8;
	b.timeout_us = 300000;
	b.deadline_us = 10000000;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fronts = optarg;
			break;
		case 'c':
			b.count = kv_num("bump", optarg, "--count", 1, 1000000);
			break;
		case 'k':
			key = optarg;
			break;
		case 'W':
			b.window = kv_num("bump", optarg, "--window", 1, 1024);
			break;
		case 'R':
			b.rate = kv_num("bump", optarg, "--rate", 1, 1000000);
			break;
		case 'p':
			if (!strcmp(optarg, "rr"))
				pol = KV_BAL_RR;
			else if (strcmp(optarg, "lor"))
				die("bump: --policy is rr or lor");
			break;
		case 'T':
			b.timeout_us = kv_num("bump", optarg, "--timeout", 1, 60000) * 1000;
			break;
		case 'D':
			b.deadline_us = kv_num("bump", optarg, "--deadline", 1, 600) * 1000000;
			break;
		case 'N':
			idem = false;
			break;
		case 'O':
			b.owners = true;
			owners_n = kv_num("bump", optarg, "--owners", 1, KV_MAX_N);
			break;
		case 'S':
			shards = kv_num("bump", optarg, "--shards", 1, KV_MAX_SHARDS);
			break;
		case 'K':
			b.keys = kv_num("bump", optarg, "--keys", 1, 1000000);
			break;
		case 'C':
			b.q.idem_client = kv_num("bump", optarg, "--client", 1, ~0ull);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!fronts || !b.count || optind != argc) {
		usage(stderr);
		return 2;
	}
	/* room for the key's number when spread over --keys */
	if (!*key || strlen(key) > KV_KEY_MAX - 8)
		die("bump: --key must be 1..%u bytes", KV_KEY_MAX - 8);
	b.key = key;
	nfe = kv_parse_addrs(fronts, b.fe, KV_BAL_MAX, "bump: --fronts");
	kv_bal_init(&b.bal, nfe, pol);
	if (b.owners) {
		/* as the nodes build it: every peer a member */
		kv_ring_init(&b.ring, shards, owners_n);
		for (i = 0; i < nfe; i++)
			kv_ring_join(&b.ring, i);
	}
	b.r = calloc(b.count, sizeof(*b.r));
	if (!b.r)
		die("bump: out of memory");
	b.q.rq.op = KV_OP_COUNTER;
	b.q.rq.delta = 1;
	b.q.klen = b.q.rq.klen = strlen(key);
	memcpy(b.q.rq.key, key, b.q.klen);
	/* a random id: two clients' keys never collide by accident */
	if (!idem)
		b.q.idem_client = 0;
	while (idem && !b.q.idem_client)
		if (getrandom(&b.q.idem_client, sizeof(b.q.idem_client), 0) < 0)
			die_errno("bump: getrandom");
	b.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (b.fd < 0)
		die_errno("bump: socket");
	start = kv_now_us();
	stop_at = start + b.deadline_us + 1000000 +
		  (b.rate ? b.count * 1000000 / b.rate : 0);
	for (now = start; b.acked + b.failed < b.count && now < stop_at;
	     now = kv_now_us()) {
		struct pollfd p = { .fd = b.fd, .events = POLLIN };

		tick(&b, now, start);
		poll(&p, 1, 5);
		receive(&b);
	}
	printf("bump: %llu acked, %llu failed, %llu unfinished, %llu retries (%llu timeouts, %llu refusals)\n",
	       (unsigned long long)b.acked, (unsigned long long)b.failed,
	       (unsigned long long)(b.count - b.acked - b.failed),
	       (unsigned long long)(b.timeouts + b.refusals),
	       (unsigned long long)b.timeouts,
	       (unsigned long long)b.refusals);
	secs = (kv_now_us() - start) / 1e6;
	printf("%.3f s, %.0f acknowledged a second\n", secs, b.acked / secs);
	printf("client id %llu\n", (unsigned long long)b.q.idem_client);
	printf("sent through each front end (%s):",
	       pol == KV_BAL_RR ? "round robin" : "least outstanding");
	for (i = 0; i < nfe; i++)
		printf(" %llu", (unsigned long long)b.bal.picks[i]);
	printf("\n");
	close(b.fd);
	free(b.r);
	return b.acked == b.count ? 0 : 1;
}
