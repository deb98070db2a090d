/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's insides, shared by the engine (sim.c) and the history
 * checker (check.c): events, simulated nodes with their own clocks, the
 * clients and the history they record.
 */
#ifndef KV_SIM_INTERNAL_H
#define KV_SIM_INTERNAL_H

#include "sim.h"

#define KVSIM_HIST	40
#define KVSIM_HIST_LINE	120
#define KVSIM_MAX_WRITES 4096
#define KVSIM_CTR	0xff	/* the PN-counter's key */
#define KVSIM_SET	0xfe	/* the OR-set's key */

enum kev_kind {
	KEV_DELIVER, KEV_TICK, KEV_CLIENT, KEV_CLIENT_TIMEOUT, KEV_NEMESIS,
	KEV_RESTART, KEV_HEAL, KEV_PROBE, KEV_JOIN, KEV_MOVE_CHECK,
	KEV_COMMIT,
};

struct kev {
	kv_time t;
	uint64_t seq;
	uint8_t kind, node;
	uint32_t arg;
	struct kv_msg *msg;
};

struct knode {
	struct kv_node *core;
	bool up;
	int64_t skew;
	uint8_t group;
};

/* One write as the checker sees it. */
struct kwrite {
	uint8_t key, client;
	bool acked;
	kv_time start;		/* of the read-modify-write */
	kv_time ack;
	struct kv_dot dot;
	uint32_t val;		/* the unique value written */
	/*
	 * A delete: a tombstone carrying val as its tag. It supersedes the
	 * versions its context covers (what the client's read returned).
	 */
	bool del;
	struct kv_vv ctx;
};

struct kclient {
	bool busy, reading, stopped;
	uint8_t key;
	uint32_t seq;		/* tag of the operation in flight */
	kv_time start;
	struct kv_obj read;	/* what the read of the RMW returned */
	int64_t ctr_delta;
	uint8_t set_op;		/* 0, KV_OP_SADD or KV_OP_SREM */
	char elem[KV_ELEM_MAX];
};

struct ksim {
	struct kvsim_opts o;
	struct kv_ring ring;
	uint64_t rng;
	kv_time now, heal_at, end;
	bool healed;
	bool moving;
	unsigned int to_commit;	/* nodes yet to commit the change */
	kv_time move_began;
	struct kv_ring next;
	unsigned int loss, dup;
	uint64_t seq;
	struct knode node[KV_MAX_NODES];
	struct kclient cl[KVSIM_MAX_CLIENTS];
	struct kv_out out;
	struct kev **heap;
	unsigned int nheap, cap;
	/* history */
	struct kwrite w[KVSIM_MAX_WRITES];
	unsigned int nw;
	uint32_t next_val;
	int64_t ctr_acked, ctr_tried;
	bool failed;
	char why[240];
	char hist[KVSIM_HIST][KVSIM_HIST_LINE];
	unsigned int nhist;
	struct kvsim_stats st;
};

static inline uint64_t ks_rand(struct ksim *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545f4914f6cdd1dULL;
}

static inline uint64_t ks_below(struct ksim *s, uint64_t n)
{
	return n ? ks_rand(s) % n : 0;
}

static inline bool ks_pct(struct ksim *s, unsigned int pct)
{
	return ks_below(s, 100) < pct;
}

void ks_key(unsigned int k, char *buf, uint8_t *len);

/* check.c */
__attribute__((format(printf, 2, 3)))
void ks_hist(struct ksim *s, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
void ks_fail(struct ksim *s, const char *fmt, ...);
void ks_check_read(struct ksim *s, unsigned int key, kv_time start,
		   const struct kv_obj *o, const char *who);
bool ks_converged(struct ksim *s, unsigned int *divergent);
void ks_check_end(struct ksim *s);

#endif
