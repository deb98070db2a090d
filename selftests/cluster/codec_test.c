// SPDX-License-Identifier: GPL-2.0
/*
 * cluster_codec_test: the datagram decoder and the voting-disk format.
 * Every refusal class has a case; a replayable fuzzer (selftests/lib/rng,
 * --seed S to replay) mutates valid datagrams and disk images: the
 * decoder never reads outside the buffer (each buffer is heap-allocated
 * to its exact length for ASan), whatever it accepts re-encodes to the
 * same bytes, and a node fed the garbage counts it and keeps working.
 */
#include <stdlib.h>

#include "ktap.h"
#include "rng.h"
#include "../../tools/cluster/core/core.h"

#define CID 0x534d504b
#define N 5

static size_t sample(struct cl_wire_msg *m, unsigned int type, uint8_t *buf)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->cluster_id = CID;
	m->src = 1;
	m->dst = 0;
	m->term = 7;
	m->inc = 3;
	m->seq = 11;
	if (type == CL_MSG_HB) {
		m->a = N;
		m->c = 0x1f;
	}
	if (type == CL_MSG_PING_REQ)
		m->a = 2;
	m->ngossip = 2;
	m->g[0].node = 3;
	m->g[0].state = 1;
	m->g[0].inc = 9;
	m->g[1].node = 4;
	m->g[1].inc = 1;
	return cl_wire_encode(m, buf);
}

static int decode_copy(const uint8_t *buf, size_t len, struct cl_wire_msg *m)
{
	uint8_t *copy = malloc(len ? len : 1);
	int err;

	memcpy(copy, buf, len);
	err = cl_wire_decode(copy, len, CID, N, 0, m);
	free(copy);
	return err;
}

static void refusals(void)
{
	uint8_t buf[CL_WIRE_MAX], bad[CL_WIRE_MAX + 8];
	struct cl_wire_msg m, d;
	size_t len = sample(&m, CL_MSG_HB, buf);
	bool ok = true;

	ok &= decode_copy(buf, len, &d) == CL_WIRE_OK && d.term == 7 &&
	      d.ngossip == 2 && d.g[0].inc == 9 && d.c == 0x1f;
	ktap_ok(ok, "a heart beat round-trips through the codec");
#define REFUSE(expect, what, ...) do {					\
	memcpy(bad, buf, len);						\
	size_t l = len;							\
	__VA_ARGS__;							\
	ktap_ok(decode_copy(bad, l, &d) == expect, "refused: %s (%s)",	\
		what, cl_wire_err_name(expect));			\
} while (0)
	REFUSE(CL_WIRE_SHORT, "truncated below a header", l = 39);
	REFUSE(CL_WIRE_LONG, "one byte more than the gossip says", l = len + 1);
	REFUSE(CL_WIRE_LONG, "oversized: gossip count 200", bad[10] = 200);
	REFUSE(CL_WIRE_MAGIC_BAD, "bad magic", bad[0] ^= 1);
	REFUSE(CL_WIRE_VERSION_BAD, "version 2", bad[2] = 2);
	REFUSE(CL_WIRE_TYPE_BAD, "message type 99", bad[3] = 99);
	REFUSE(CL_WIRE_CLUSTER_BAD, "another cluster", bad[4] ^= 0x80);
	REFUSE(CL_WIRE_NODE_BAD, "unknown node id 9", bad[8] = 9);
	REFUSE(CL_WIRE_NODE_BAD, "addressed to node 2", bad[9] = 2);
	REFUSE(CL_WIRE_NODE_BAD, "sent from ourselves", bad[8] = 0);
	REFUSE(CL_WIRE_FIELD_BAD, "reserved byte set", bad[11] = 1);
	REFUSE(CL_WIRE_FIELD_BAD, "expected votes 6 of 5", bad[32] = 6);
	REFUSE(CL_WIRE_FIELD_BAD, "active map names node 7", bad[34] = 0x80);
	REFUSE(CL_WIRE_FIELD_BAD, "partition 0 owned by node 9 of 5", bad[36] = 0xf9);
	REFUSE(CL_WIRE_FIELD_BAD, "gossip about node 12", bad[40] = 12);
	REFUSE(CL_WIRE_FIELD_BAD, "gossip state 9", bad[41] = 9);
}

/* Mutate a valid datagram the ways a network or an attacker would. */
static size_t mutate(struct rng *r, uint8_t *buf, size_t len)
{
	unsigned int k, flips;

	switch (rng_below(r, 5)) {
	case 0:
		flips = 1 + rng_below(r, 4);
		for (k = 0; k < flips; k++)
			buf[rng_below(r, len)] ^= 1 << rng_below(r, 8);
		return len;
	case 1:
		return rng_below(r, len);
	case 2:
		for (k = len; k < CL_WIRE_MAX + 8; k++)
			buf[k] = rng_next(r);
		return len + 1 + rng_below(r, CL_WIRE_MAX + 8 - len);
	case 3:
		buf[rng_below(r, 40)] = rng_next(r);
		return len;
	default:
		len = rng_below(r, CL_WIRE_MAX + 8);
		for (k = 0; k < len; k++)
			buf[k] = rng_next(r);
		return len;
	}
}

static void fuzz(uint64_t seed, unsigned int iters)
{
	static const uint8_t types[] = {
		CL_MSG_HB, CL_MSG_HB_ACK, CL_MSG_VOTE, CL_MSG_PING,
		CL_MSG_ACK, CL_MSG_PING_REQ, CL_MSG_JOIN,
	};
	uint8_t buf[CL_WIRE_MAX + 8], again[CL_WIRE_MAX];
	struct cl_wire_msg m, d;
	struct cl_config cfg;
	struct cl_node *nd = malloc(sizeof(*nd));
	struct cl_out *o = malloc(sizeof(*o));
	struct cl_event ev = { .type = CL_EV_START };
	unsigned int i, accepted = 0, noncanon = 0;
	uint64_t refused = 0;
	struct rng r;
	size_t len;

	rng_seed(&r, seed, 0);
	cl_config_default(&cfg, N);
	cl_node_init(nd, &cfg, 0, NULL, seed);
	cl_node_step(nd, 1000, &ev, o);
	for (i = 0; i < iters; i++) {
		len = sample(&m, types[rng_below(&r, sizeof(types))], buf);
		len = mutate(&r, buf, len);
		if (decode_copy(buf, len, &d) == CL_WIRE_OK) {
			accepted++;
			noncanon += cl_wire_encode(&d, again) != len ||
				    memcmp(again, buf, len);
		} else {
			refused++;
		}
		ev.type = CL_EV_RECV;
		ev.buf = buf;
		ev.len = len;
		cl_node_step(nd, 2000 + i, &ev, o);
	}
	ktap_ok(!noncanon, "fuzz seed %llu: %u datagrams, %u accepted re-encode to the same bytes, %llu refused",
		(unsigned long long)seed, iters, accepted,
		(unsigned long long)refused);
	ktap_ok(nd->bad_input == refused,
		"the node counted every refused datagram (%llu of %llu) and kept running",
		(unsigned long long)nd->bad_input, (unsigned long long)refused);
	free(nd);
	free(o);
}

static void stale_term(void)
{
	uint8_t buf[CL_WIRE_MAX];
	struct cl_wire_msg m;
	struct cl_config cfg;
	struct cl_node *nd = malloc(sizeof(*nd));
	struct cl_out *o = malloc(sizeof(*o));
	struct cl_event ev = { .type = CL_EV_START };
	struct cl_persist p = { .term = 9, .voted_for = CL_NONE };
	size_t len;

	cl_config_default(&cfg, N);
	cl_node_init(nd, &cfg, 0, &p, 1);
	cl_node_step(nd, 1000, &ev, o);
	len = sample(&m, CL_MSG_HB, buf);	/* term 7 < 9 */
	ev.type = CL_EV_RECV;
	ev.buf = buf;
	ev.len = len;
	cl_node_step(nd, 2000, &ev, o);
	ktap_ok(nd->master == CL_NONE && nd->term == 9 && nd->stale_msgs == 1 &&
		o->nmsg == 1 && o->msg[0].buf[32] == 1,
		"a replayed heart beat of an old term is refused and answered with the new term");
	m.type = CL_MSG_VOTE_RESP;
	m.a = 1;
	m.c = 0;
	m.ngossip = 0;
	len = cl_wire_encode(&m, buf);
	ev.len = len;
	cl_node_step(nd, 3000, &ev, o);
	ktap_ok(nd->role == CL_FOLLOWER && nd->term == 9 && nd->stale_msgs == 2,
		"a replayed vote of an old term changes nothing");
	free(nd);
	free(o);
}

static void disk(uint64_t seed)
{
	uint8_t img[CL_DISK_BYTES(N)];
	struct cl_disk_image d, e;
	struct cl_disk_op op = { .kind = CL_DISK_RESERVE, .node = 1, .epoch = 5 };
	struct rng r;
	unsigned int i, bad = 0;

	cl_disk_format(&d, N);
	ktap_ok(cl_disk_apply(&d, &op, true) == CL_DISK_OK && d.owner == 1 &&
		d.epoch == 5, "the disk reserves epoch 5 for n1");
	op.kind = CL_DISK_DATA;
	op.node = 0;
	op.epoch = 4;
	ktap_ok(cl_disk_apply(&d, &op, true) == CL_DISK_STALE,
		"a write carrying epoch 4 is refused: the writer is fenced");
	op.epoch = 5;
	ktap_ok(cl_disk_apply(&d, &op, true) == CL_DISK_NOT_OWNER,
		"a write of epoch 5 from n0, not the holder, is refused");
	op.kind = CL_DISK_RESERVE;
	op.epoch = 4;
	ktap_ok(cl_disk_apply(&d, &op, true) == CL_DISK_STALE,
		"reserving an older epoch is refused");
	op.kind = CL_DISK_DATA;
	ktap_ok(cl_disk_apply(&d, &op, false) == CL_DISK_OK,
		"the broken device (no fencing) accepts it: the variant is real");
	op.kind = CL_DISK_SLOT;
	op.node = 3;
	op.seq = 77;
	cl_disk_apply(&d, &op, true);
	cl_disk_encode(&d, img);
	ktap_ok(cl_disk_decode(img, sizeof(img), &e) == 0 && e.epoch == 5 &&
		e.owner == 1 && e.slot[3].valid && e.slot[3].seq == 77 &&
		!e.slot[2].valid, "the disk image round-trips");
	img[CL_DISK_BLOCK * 4 + 9] ^= 4;
	ktap_ok(cl_disk_decode(img, sizeof(img), &e) == 1 && !e.slot[3].valid &&
		e.header_valid, "a corrupt slot block is seen and only it is dropped");
	img[3] ^= 1;
	ktap_ok(cl_disk_decode(img, sizeof(img), &e) == 2 && !e.header_valid,
		"a corrupt header is seen");
	op.kind = CL_DISK_RESERVE;
	op.epoch = 99;
	ktap_ok(cl_disk_apply(&e, &op, true) == CL_DISK_CORRUPT,
		"nothing may reserve a disk whose token is unreadable");
	ktap_ok(cl_disk_decode(img, 100, &e) == -1,
		"a disk of a size that is no whole number of blocks is refused");
	rng_seed(&r, seed, 1);
	for (i = 0; i < 20000; i++) {
		cl_disk_encode(&d, img);
		img[rng_below(&r, sizeof(img))] ^= 1 << rng_below(&r, 8);
		bad += cl_disk_decode(img, sizeof(img), &e) != 1;
	}
	ktap_ok(!bad, "20000 single-bit flips: each is caught in exactly one block (%u missed)",
		bad);
}

int main(int argc, char **argv)
{
	uint64_t seed = 12345;

	if (argc == 3 && !strcmp(argv[1], "--seed"))
		seed = strtoull(argv[2], NULL, 0);
	ktap_plan(17 + 2 + 2 + 11);
	ktap_diag("fuzz seed %llu (replay: --seed %llu)",
		  (unsigned long long)seed, (unsigned long long)seed);
	refusals();
	fuzz(seed, 200000);
	stale_term();
	disk(seed);
	return ktap_finish();
}
