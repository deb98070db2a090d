// SPDX-License-Identifier: GPL-2.0
/*
 * kv_codec_test: the node's datagram and record format. Random messages,
 * requests, replies and objects of every type survive an encode/decode
 * round trip byte for byte; every truncation is refused; a replayable
 * fuzzer (--seed S) flips bytes of valid encodings, and whatever the
 * decoder accepts re-encodes to the same bytes, while each buffer is
 * heap-allocated to its exact length so that ASan sees any over-read.
 */
#include <stdlib.h>

#include "ktap.h"
#include "rng.h"
#include "../../tools/kv/node/wire.h"

#define ROUNDS 3000

static void random_obj(struct rng *g, struct kv_obj *o)
{
	unsigned int i, j, t = rng_below(g, 4);

	kv_obj_init(o, t);
	if (t == KV_T_REG) {
		o->nsib = rng_below(g, KV_MAX_SIB + 1);
		for (i = 0; i < o->nsib; i++) {
			struct kv_sib *s = &o->u.sib[i];

			memset(s, 0, sizeof(*s));
			s->dot.node = rng_below(g, KV_MAX_NODES);
			s->dot.ctr = rng_next(g);
			for (j = 0; j < KV_MAX_NODES; j++)
				if (rng_pct(g, 30))
					s->ctx.c[j] = rng_next(g);
			s->ts.l = rng_next(g);
			s->ts.c = rng_next(g);
			s->ts.node = rng_below(g, KV_MAX_NODES);
			s->del = rng_below(g, 2);
			s->len = rng_below(g, KV_VAL_MAX + 1);
			for (j = 0; j < s->len; j++)
				s->val[j] = rng_next(g);
		}
	} else if (t == KV_T_COUNTER) {
		for (j = 0; j < KV_MAX_NODES; j++) {
			o->u.pn.p[j] = rng_next(g);
			o->u.pn.n[j] = rng_next(g);
		}
	} else if (t == KV_T_SET) {
		o->u.set.n = rng_below(g, KV_SET_MAX + 1);
		for (i = 0; i < o->u.set.n; i++) {
			unsigned int l = 1 + rng_below(g, KV_ELEM_MAX - 1);

			for (j = 0; j < l; j++)
				o->u.set.ent[i].e[j] = 'a' + rng_below(g, 26);
			o->u.set.ent[i].dot.node = rng_below(g, KV_MAX_NODES);
			o->u.set.ent[i].dot.ctr = 1 + rng_below(g, 1000);
		}
	}
}

static size_t random_msg(struct rng *g, uint8_t *buf, size_t cap)
{
	static struct kv_msg m;
	unsigned int i;

	memset(&m, 0, sizeof(m));
	m.type = 1 + rng_below(g, KV_M_MAX - 1);
	m.src = rng_below(g, KV_MAX_NODES);
	m.dst = rng_below(g, KV_MAX_NODES);
	m.hint_for = rng_pct(g, 50) ? KV_NONE : rng_below(g, KV_MAX_NODES);
	m.ring_ver = rng_next(g);
	m.rid = rng_next(g);
	m.shard = rng_next(g);
	m.err = -(int)rng_below(g, 200);
	m.klen = rng_below(g, KV_KEY_MAX + 1);
	for (i = 0; i < m.klen; i++)
		m.key[i] = rng_next(g);
	m.level = rng_below(g, 8);
	m.nidx = rng_below(g, KV_AE_MAX + 1);
	for (i = 0; i < m.nidx; i++) {
		m.idx[i] = rng_next(g);
		m.hash[i] = rng_next(g);
	}
	random_obj(g, &m.obj);
	return kvw_put_msg(buf, cap, &m);
}

static size_t random_req(struct rng *g, uint8_t *buf, size_t cap)
{
	static struct kvw_req q;
	unsigned int i;

	memset(&q, 0, sizeof(q));
	q.rq.tag = rng_next(g);
	q.ring_ver = rng_next(g);
	q.rq.op = rng_below(g, 8);
	q.rq.r = rng_below(g, 4);
	q.rq.w = rng_below(g, 4);
	q.rq.sloppy = rng_below(g, 2);
	q.klen = q.rq.klen = rng_below(g, KV_KEY_MAX + 1);
	for (i = 0; i < q.klen; i++)
		q.rq.key[i] = rng_next(g);
	q.vlen = q.rq.vlen = rng_below(g, KV_VAL_MAX + 1);
	for (i = 0; i < q.vlen; i++)
		q.rq.val[i] = rng_next(g);
	q.rq.delta = rng_next(g);
	for (i = 0; i < rng_below(g, KV_ELEM_MAX); i++)
		q.rq.elem[i] = 'a' + rng_below(g, 26);
	for (i = 0; i < KV_MAX_NODES; i++)
		if (rng_pct(g, 30))
			q.rq.ctx.c[i] = rng_next(g);
	q.rq.ctx_ts.l = rng_next(g);
	if (rng_pct(g, 50)) {
		q.idem_client = rng_next(g);
		q.idem_seq = rng_next(g);
	}
	return kvw_put_req(buf, cap, &q);
}

static size_t random_rep(struct rng *g, uint8_t *buf, size_t cap)
{
	static struct kvw_rep p;
	unsigned int i;

	memset(&p, 0, sizeof(p));
	p.rep.tag = rng_next(g);
	p.rep.err = -(int)rng_below(g, 200);
	p.rep.acks = rng_below(g, 6);
	p.rep.dot.node = rng_below(g, KV_MAX_NODES);
	p.rep.dot.ctr = rng_next(g);
	for (i = 0; i < rng_below(g, KVW_INFO - 1); i++)
		p.info[i] = 'a' + rng_below(g, 26);
	random_obj(g, &p.rep.obj);
	return kvw_put_rep(buf, cap, &p);
}

static struct kv_node node;
static struct kv_out kout;
static unsigned long fed;

/* A node fed what the decoder accepted must neither crash nor stall. */
static void feed(const struct kv_msg *m)
{
	static struct kv_msg c;

	c = *m;
	c.dst = 0;
	c.ring_ver = node.ring.version;	/* reach the handlers behind it */
	kv_out_reset(&kout);
	kv_node_recv(&node, 1000 + fed, 1000 + fed, &c, &kout);
	kv_node_tick(&node, 1000 + fed, 1000 + fed, &kout);
	fed++;
}

/* Decode @len bytes from an exact-size heap copy; re-encode into @out. */
static int decode(int kind, const uint8_t *src, size_t len, uint8_t *out,
		  size_t *olen)
{
	static struct kv_msg m;
	static struct kvw_req q;
	static struct kvw_rep p;
	uint8_t *b = malloc(len ? len : 1);
	const char *why;
	int rc;

	memcpy(b, src, len);
	if (kind == KVW_PEER) {
		rc = kvw_get_msg(b, len, &m, &why);
		*olen = rc ? 0 : kvw_put_msg(out, KVW_MAX, &m);
		if (!rc)
			feed(&m);
	} else if (kind == KVW_REQ) {
		rc = kvw_get_req(b, len, &q, &why);
		*olen = rc ? 0 : kvw_put_req(out, KVW_MAX, &q);
	} else {
		rc = kvw_get_rep(b, len, &p, &why);
		*olen = rc ? 0 : kvw_put_rep(out, KVW_MAX, &p);
	}
	free(b);
	return rc;
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 2 && !strcmp(argv[1], "--seed") ?
			strtoull(argv[2], NULL, 0) : rng_clock_seed();
	static uint8_t buf[KVW_MAX], out[KVW_MAX], mut[KVW_MAX];
	unsigned int round, kind, trunc_bad = 0, trip_bad = 0, fuzz_bad = 0;
	unsigned long accepted = 0, refused = 0;
	size_t len, olen, cut;
	struct rng g;
	int i;

	struct kv_request rq;
	struct kv_config cfg;
	struct kv_ring ring;

	ktap_plan(4);
	ktap_diag("seed %llu", (unsigned long long)seed);
	rng_seed(&g, seed, 6);
	kv_ring_init(&ring, 16, 3);
	for (i = 0; i < 3; i++)
		kv_ring_join(&ring, i);
	kv_config_default(&cfg, 0);
	if (kv_node_init(&node, &cfg, &ring))
		ktap_skip_all("out of memory");
	for (round = 0; round < ROUNDS; round++) {
		kind = KVW_PEER + round % 3;
		len = kind == KVW_PEER ? random_msg(&g, buf, sizeof(buf)) :
		      kind == KVW_REQ ? random_req(&g, buf, sizeof(buf)) :
		      random_rep(&g, buf, sizeof(buf));
		if (!len) {
			trip_bad++;
			continue;
		}
		if (decode(kind, buf, len, out, &olen) || olen != len ||
		    memcmp(out, buf, len))
			trip_bad++;
		cut = rng_below(&g, len);
		if (!decode(kind, buf, cut, out, &olen))
			trunc_bad++;
		/* flip a few bytes; accepted input must re-encode exactly */
		memcpy(mut, buf, len);
		for (i = 0; i < 1 + (int)rng_below(&g, 4); i++)
			mut[rng_below(&g, len)] ^= 1 + rng_below(&g, 255);
		if (decode(kind, mut, len, out, &olen)) {
			refused++;
		} else {
			accepted++;
			if (olen != len || memcmp(out, mut, len)) {
				if (!fuzz_bad)
					ktap_diag("round %u (kind %u) re-encodes differently",
						  round, kind);
				fuzz_bad++;
			}
		}
	}
	ktap_ok(!trip_bad, "%u random datagrams of each kind round-trip byte for byte",
		ROUNDS / 3);
	ktap_ok(!trunc_bad, "every truncated datagram is refused");
	ktap_diag("fuzzed: %lu accepted, %lu refused", accepted, refused);
	ktap_ok(!fuzz_bad, "accepted mutations re-encode to the same bytes (no over-read under ASan)");
	memset(&rq, 0, sizeof(rq));
	rq.op = KV_OP_GET;
	rq.klen = 1;
	rq.key[0] = 'k';
	kv_out_reset(&kout);
	kv_node_request(&node, 1 << 30, 1 << 30, &rq, &kout);
	ktap_ok(fed > 0 && kout.nmsg == 3 && kout.nrep == 0,
		"a node fed %lu decoded messages still coordinates a read", fed);
	kv_node_free(&node);
	return ktap_finish();
}
