/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One store node as a pure state machine: the caller feeds it client
 * requests, messages and the time, and collects a kv_out batch of
 * messages to send, replies to give and keys to persist before sending.
 * Any node coordinates any request; the replicas of a key are its
 * shard's owners (kv_ring). The simulator and the UDP daemon drive the
 * same code.
 */
#ifndef KV_NODE_H
#define KV_NODE_H

#include <assert.h>

#include "kv.h"

#define KV_MAX_REQS	64	/* requests one node coordinates at once */
#define KV_TARGETS	(2 * KV_MAX_NODES)
#define KV_MAX_HINTS	64	/* at most 64: one bit each in hint_dirty */
#define KV_AE_MAX	32	/* tree nodes per anti-entropy message */
#define KV_TREE_DEPTH	6	/* 64 leaves per shard */
#define KV_OUT_MAX	96
#define KV_BUCKETS	1024
#define KV_MAX_REAPS	8	/* tombstone collections under way */

struct kv_config {
	uint8_t self;
	enum kv_policy policy;
	bool read_repair, write_repair, anti_entropy, handoff;
	/*
	 * A broken variant for the checker: LWW stamps from the bare
	 * physical clock, ignoring what the client read.
	 */
	bool broken_wallclock;
	/* another: a ring change may commit before the new owners caught up */
	bool broken_hasty_move;
	/*
	 * another: a replica collects a tombstone as soon as it stores one
	 * (drops the key), the naive collection kv.rst explains is unsafe
	 */
	bool broken_drop_tombstones;
	/*
	 * another: a tombstone all owners hold is collected at once, without
	 * the purge of the other nodes' copies and hints and the grace
	 * periods (reap.c)
	 */
	bool broken_hasty_reap;
	/*
	 * Tombstone collection (reap.c): on, the grace period between its
	 * steps (longer than a request lives and a message travels), and
	 * how many nodes (ids 0..nodes-1) may hold a copy or a hint and must
	 * therefore all be purged first (0: the ring's members).
	 */
	bool collect;
	kv_time grace;
	uint8_t nodes;
	kv_time timeout;	/* a request fails after this */
	kv_time sloppy_after;	/* then silent owners get stand-ins */
	kv_time ae_every, hint_every;
};

void kv_config_default(struct kv_config *c, unsigned int self);

enum kv_op {
	KV_OP_GET, KV_OP_PUT, KV_OP_DEL, KV_OP_COUNTER, KV_OP_SADD,
	KV_OP_SREM,
};

struct kv_request {
	uint64_t tag;		/* the client's, echoed in the reply */
	uint8_t op, r, w;	/* r, w: 0 means a majority of owners */
	bool sloppy;
	uint8_t klen, vlen;
	char key[KV_KEY_MAX];
	uint8_t val[KV_VAL_MAX];
	int64_t delta;
	char elem[KV_ELEM_MAX];
	struct kv_vv ctx;	/* from the last read, for writes */
	struct kv_hlc ctx_ts;
};

struct kv_reply {
	uint64_t tag;
	int err;		/* 0, -EINVAL, -E2BIG, -ETIMEDOUT, ... */
	uint8_t acks;
	struct kv_dot dot;	/* the write's dot */
	struct kv_obj obj;	/* what a read found, merged */
};

enum kv_mtype {
	KV_M_READ = 1, KV_M_READ_R, KV_M_WRITE, KV_M_WRITE_R, KV_M_AE,
	KV_M_AE_R, KV_M_ERR, KV_M_PURGE, KV_M_PURGE_R, KV_M_REAP, KV_M_MAX,
};

struct kv_msg {
	uint8_t type, src, dst;
	uint8_t hint_for;	/* the owner a stand-in holds this for */
	uint32_t ring_ver;
	uint64_t rid;		/* 0: nobody waits for the answer */
	uint16_t shard;
	int16_t err;
	uint8_t klen, level, nidx;
	char key[KV_KEY_MAX];
	uint16_t idx[KV_AE_MAX];
	uint64_t hash[KV_AE_MAX];
	struct kv_obj obj;
};

struct kv_out {
	unsigned int nmsg, nrep, ndirty;
	struct kv_msg msg[KV_OUT_MAX];
	struct kv_reply rep[KV_MAX_REQS];
	struct kv_ent *dirty[KV_OUT_MAX];	/* persist before sending */
	unsigned int dropped;	/* messages that did not fit */
	/* copies dropped (collected tombstones): delete before sending */
	unsigned int ngone;
	bool floor_dirty;	/* dot_floor rose: persist it too */
	struct {
		uint8_t klen;
		char key[KV_KEY_MAX];
	} gone[KV_OUT_MAX];
};

struct kv_ent {
	struct kv_ent *next;		/* in its bucket */
	struct kv_ent *all_next;	/* in the node's list of all */
	uint64_t keyhash, digest;
	uint16_t shard;
	uint8_t klen;
	char key[KV_KEY_MAX];
	struct kv_obj obj;
};

struct kv_hint {
	bool used;
	uint8_t owner, klen;
	uint16_t shard;
	char key[KV_KEY_MAX];
	uint64_t sent_digest;
	struct kv_obj obj;
};

struct kv_req {
	bool used, done, write, sloppy, sloppied;
	bool probe;		/* no client: the collection's sweep */
	uint8_t op, need, ntargets, nok;
	uint16_t shard;
	uint64_t rid, tag;
	kv_time sloppy_at, deadline;
	uint8_t target[KV_TARGETS], hint_for[KV_TARGETS];
	uint8_t need_next, nok_next;	/* acks from the new ring's owners */
	bool ring_err;		/* a target refused it for the ring */
	bool full;		/* a target refused it: too many versions */
	bool in_old[KV_TARGETS], in_next[KV_TARGETS];
	uint8_t state[KV_TARGETS];	/* REQ_SENT, REQ_OK, REQ_ERR */
	uint64_t digest[KV_TARGETS];
	uint8_t klen;
	char key[KV_KEY_MAX];
	struct kv_dot dot;
	struct kv_obj obj;
};

/*
 * A tombstone collection this node started (reap.c): two rounds of
 * purges to every node, each followed by a grace period, then the reap
 * at the owners. Volatile: a crash merely abandons it.
 */
struct kv_reap {
	bool used;
	uint8_t round;		/* 1, 2: purging; 3: reap once due */
	uint8_t klen;
	uint16_t shard;
	uint32_t ring_ver;
	uint32_t acked;		/* bit i: node i purged in this round */
	uint64_t rid;		/* of this round's purges */
	kv_time due;		/* the next resend, or the end of a grace */
	kv_time give_up;
	char key[KV_KEY_MAX];
	struct kv_obj tomb;	/* what every owner held */
};

struct kv_stats {
	uint64_t reads, writes, failed, read_repairs, write_repairs;
	uint64_t ae_rounds, ae_hashes, ae_pushed, hints_stored, hints_done;
	uint64_t sloppy, errors_in, errors_out, overflow;
	uint64_t full;		/* writes refused: too many versions */
	uint64_t max_sibs;	/* the most versions a copy has held */
	uint64_t closed_early;	/* answered requests closed for a slot */
	/*
	 * tombstone collection: collections begun here, owner copies reaped
	 * here, other copies and hints purged here
	 */
	uint64_t reaps_begun, reaped, purged_copies, purged_hints;
};

struct kv_node {
	struct kv_config cfg;
	struct kv_ring ring;
	struct kv_hlc hlc;
	/* durable: the store, its trees, the hints */
	struct kv_ent *bucket[KV_BUCKETS];
	struct kv_ent *all;
	uint64_t nkeys;
	uint64_t ntombs;	/* copies of tombstones only (reap.c) */
	struct kv_merkle tree[KV_MAX_SHARDS];
	struct kv_hint hint[KV_MAX_HINTS];
	/*
	 * Bit i: hint slot i changed (stored, merged into or handed off)
	 * since a node with a disk last persisted it; that node writes the
	 * slots with the batch and clears the bits (the simulator ignores
	 * them: its nodes' memory is their disk).
	 */
	uint64_t hint_dirty;
	/*
	 * A ring change in progress (move.c): writes go to the owners of
	 * both rings, reads to the old ones, until the new owners have
	 * caught up and the change commits. Kept across a crash, like the
	 * ring itself: it is configuration.
	 */
	bool moving;
	/*
	 * A peer's message at the next ring's version: some node committed
	 * the change, which happens only once every node caught up, so this
	 * one may commit too (the daemon does; the simulator commits by
	 * itself). Cleared by begin, commit and abort.
	 */
	bool next_seen;
	kv_time move_began;
	struct kv_ring next;
	uint8_t synced[KV_MAX_SHARDS];	/* bit i: equal to old owner i */
	/*
	 * Above every dot counter this node used on a register whose copy
	 * the clean-up dropped (kv_node_cleanup): its next dot on any
	 * register is numbered past it, so a dropped copy never lets a dot
	 * be used twice. Durable.
	 */
	uint64_t dot_floor;
	/* volatile: lost by a crash */
	/*
	 * A change committed here since the last tick: the requests still
	 * in flight go to the new ring's owners (kv_coord_tick).
	 */
	bool retarget;
	struct kv_req req[KV_MAX_REQS];
	struct kv_reap reap[KV_MAX_REAPS];
	uint64_t next_rid;
	kv_time next_ae, next_hint, next_sweep;
	uint64_t sweep_after;	/* the sweep's cursor: a key hash */
	unsigned int ae_cursor;
	struct kv_stats st;
};

static_assert(KV_MAX_HINTS <= 64, "hint_dirty has one bit per hint slot");

/* move.c: a join or leave while the service runs. */
/* 0, or -EINVAL when @next is not the ring's next version. */
int kv_node_move_begin(struct kv_node *n, kv_time now,
		       const struct kv_ring *next);
/* Has this node caught up with every shard the new ring gives it? */
bool kv_node_move_ready(const struct kv_node *n);
void kv_node_move_commit(struct kv_node *n);
/*
 * Give up a change that no node committed: the old ring stays, requests
 * in flight go back to its owners. 0, or -EINVAL when none is under way.
 */
int kv_node_move_abort(struct kv_node *n);
/* Does this node keep shard @s now (old owner, or new one moving in)? */
bool kv_node_keeps(const struct kv_node *n, unsigned int s);
/* A shard the new ring gives this node that the old one did not. */
bool kv_node_gains(const struct kv_node *n, unsigned int s);
void kv_move_synced(struct kv_node *n, const struct kv_msg *m);
/*
 * After a committed change: drop the copies of registers in shards this
 * node no longer keeps, raising dot_floor past their dots; @fn (may be
 * NULL) sees each entry before it goes. Counters and sets stay: a node's
 * own increments and set dots live only in its copy, and a coordinator
 * that lost them would undo its own earlier updates. Returns how many
 * copies went; nothing while a change is under way.
 */
unsigned int kv_node_cleanup(struct kv_node *n,
			     void (*fn)(struct kv_node *, struct kv_ent *,
					void *),
			     void *arg);

/* 0, or -ENOMEM. */
int kv_node_init(struct kv_node *n, const struct kv_config *cfg,
		 const struct kv_ring *ring);
void kv_node_free(struct kv_node *n);
/* A crash: what is not durable is gone. */
void kv_node_crash(struct kv_node *n);

void kv_node_request(struct kv_node *n, kv_time now, uint64_t wall,
		     const struct kv_request *rq, struct kv_out *out);
void kv_node_recv(struct kv_node *n, kv_time now, uint64_t wall,
		  const struct kv_msg *m, struct kv_out *out);
void kv_node_tick(struct kv_node *n, kv_time now, uint64_t wall,
		  struct kv_out *out);
void kv_out_reset(struct kv_out *out);

/* store.c: the local copies. */
struct kv_ent *kv_store_find(struct kv_node *n, const char *key,
			     unsigned int klen);
/* Merge @o into the key's copy; the entry, or NULL (-ENOMEM, -EINVAL). */
struct kv_ent *kv_store_merge(struct kv_node *n, const char *key,
			      unsigned int klen, const struct kv_obj *o,
			      int *err);
/* Unlink and free @e, keeping its shard's tree in step. */
void kv_store_drop(struct kv_node *n, struct kv_ent *e);
/*
 * Drop @e for good: dot_floor rises past its dots, and @out (may be
 * NULL) forgets it from its dirty list and records the key as gone.
 */
void kv_store_forget(struct kv_node *n, struct kv_ent *e, struct kv_out *out);
/* Visit every entry of shard @s whose tree leaf is @leaf. */
void kv_store_leaf(struct kv_node *n, unsigned int s, unsigned int leaf,
		   void (*fn)(struct kv_node *, struct kv_ent *, void *),
		   void *arg);

/* Internal to the core (node.c, coord.c, repair.c). */
struct kv_msg *kv_out_msg(struct kv_node *n, struct kv_out *out,
			  unsigned int type, unsigned int dst);
uint64_t kv_next_ctr(const struct kv_obj *o, unsigned int self,
		     uint64_t floor);
void kv_coord_reply(struct kv_node *n, kv_time now, const struct kv_msg *m,
		    struct kv_out *out);
void kv_coord_tick(struct kv_node *n, kv_time now, struct kv_out *out);
void kv_coord_probe(struct kv_node *n, kv_time now, const struct kv_ent *e,
		    struct kv_out *out);
void kv_ae_tick(struct kv_node *n, struct kv_out *out);
void kv_ae_recv(struct kv_node *n, kv_time now, const struct kv_msg *m,
		struct kv_out *out);
int kv_hint_store(struct kv_node *n, const struct kv_msg *m);
void kv_hint_tick(struct kv_node *n, struct kv_out *out);
void kv_hint_acked(struct kv_node *n, const struct kv_msg *m);
void kv_hint_read(struct kv_node *n, const char *key, unsigned int klen,
		  struct kv_obj *o);
/* reap.c */
void kv_reap_begin(struct kv_node *n, kv_time now, const struct kv_req *q);
void kv_reap_tick(struct kv_node *n, kv_time now, struct kv_out *out);
void kv_reap_recv(struct kv_node *n, const struct kv_msg *m,
		  struct kv_out *out);

#define KV_RID_HINT	(1ull << 63)	/* rid of a hand-off: hint index */

#endif
