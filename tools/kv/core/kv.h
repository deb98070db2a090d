/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The key-value store's data model, shared by the sans-I/O core, the
 * simulator and the node: version vectors and dots, hybrid logical
 * clocks, objects (siblings under dotted version vectors, or last writer
 * wins), the PN-counter and OR-set CRDTs, the shard ring and the Merkle
 * trees. Fixed-size structures: the simulator copies them by value.
 */
#ifndef KV_H
#define KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KV_MAX_NODES	16
#define KV_NONE		0xff
#define KV_MAX_N	5	/* replicas per shard, at most */
#define KV_MAX_SHARDS	256
#define KV_KEY_MAX	64	/* bytes of a key, the limit clients see */
#define KV_VAL_MAX	128	/* bytes of a value */
/*
 * A write that would leave more than KV_SIB_LIMIT concurrent versions is
 * refused (-EMLINK): the client must read and merge first. Merges are
 * never refused (replicas must converge), so an object holds up to
 * KV_MAX_SIB: room for the versions that several nodes each admitted
 * under the limit before they exchanged them (obj.c).
 */
#define KV_SIB_LIMIT	8
#define KV_MAX_SIB	32
#define KV_SET_MAX	24	/* OR-set entries (element, dot) */
#define KV_ELEM_MAX	16	/* bytes of a set element, NUL included */

typedef uint64_t kv_time;	/* microseconds */

/* hash.c: the one hash every placement decision and digest uses. */
uint64_t kv_hash(const void *p, size_t len, uint64_t seed);
uint64_t kv_mix(uint64_t a, uint64_t b);

/* vv.c: version vectors, dots, hybrid logical clocks. */
struct kv_vv {
	uint64_t c[KV_MAX_NODES];
};

struct kv_dot {
	uint8_t node;
	uint64_t ctr;		/* 0: no dot */
};

enum kv_order { KV_EQUAL, KV_BEFORE, KV_AFTER, KV_CONCURRENT };

enum kv_order kv_vv_compare(const struct kv_vv *a, const struct kv_vv *b);
void kv_vv_merge(struct kv_vv *a, const struct kv_vv *b);
bool kv_vv_covers(const struct kv_vv *v, struct kv_dot d);
void kv_vv_add_dot(struct kv_vv *v, struct kv_dot d);

/* l: the largest physical time seen; c: events since l last moved. */
struct kv_hlc {
	uint64_t l;
	uint32_t c;
	uint8_t node;		/* tie-breaker between equal (l, c) */
};

/* A local event at physical time @pt: the time-stamp it gets. */
struct kv_hlc kv_hlc_tick(struct kv_hlc *h, uint64_t pt);
/* Fold a received time-stamp in, then tick. */
struct kv_hlc kv_hlc_recv(struct kv_hlc *h, const struct kv_hlc *m,
			  uint64_t pt);
int kv_hlc_cmp(const struct kv_hlc *a, const struct kv_hlc *b);

/* obj.c: a register's versions. */
enum kv_policy {
	KV_POL_SIBLINGS,	/* keep concurrent versions for the client */
	KV_POL_LWW,		/* keep the largest HLC time-stamp */
};

/*
 * One version of a register: its dot (who wrote it, that node's event
 * number) and the context the writer had read; a version is obsolete
 * once another version's context covers its dot. That pair is a dotted
 * version vector: two writes from the same stale context at the same
 * node stay concurrent, which a plain vector clock would order.
 */
struct kv_sib {
	struct kv_dot dot;
	struct kv_vv ctx;
	struct kv_hlc ts;
	uint8_t del;		/* a tombstone */
	uint8_t len;
	uint8_t val[KV_VAL_MAX];
};

/* crdt.c */
struct kv_pn {
	uint64_t p[KV_MAX_NODES], n[KV_MAX_NODES];
};

/* Add-wins observed-remove set without tombstones (an "ORSWOT"). */
struct kv_orset {
	struct kv_vv vv;
	uint8_t n;
	struct {
		char e[KV_ELEM_MAX];
		struct kv_dot dot;
	} ent[KV_SET_MAX];
};

enum kv_type { KV_T_NONE, KV_T_REG, KV_T_COUNTER, KV_T_SET };

struct kv_obj {
	uint8_t type;
	uint8_t nsib;
	uint8_t overflow;	/* siblings were dropped to fit: data lost */
	union {
		struct kv_sib sib[KV_MAX_SIB];	/* sorted by dot */
		struct kv_pn pn;
		struct kv_orset set;
	} u;
};

void kv_obj_init(struct kv_obj *o, enum kv_type t);
/*
 * A write from context @ctx: drops the versions @ctx covers and adds the
 * new one. Returns 0, -EINVAL for a value over KV_VAL_MAX, or -EMLINK
 * (kv_obj_admit; @o unchanged).
 */
int kv_obj_put(struct kv_obj *o, enum kv_policy pol, const struct kv_vv *ctx,
	       struct kv_dot dot, struct kv_hlc ts, const void *val,
	       size_t len, bool del);
/*
 * May a write that carries @in be merged into @cur? -EMLINK when the
 * merge would leave more than KV_SIB_LIMIT versions and more than @cur
 * has (a write that replaces versions is always let through), else 0.
 */
int kv_obj_admit(const struct kv_obj *cur, const struct kv_obj *in,
		 enum kv_policy pol);
/*
 * Fold @src into @dst (commutative, associative, idempotent). Returns
 * -EINVAL when their types differ (dst unchanged), else 0.
 */
int kv_obj_merge(struct kv_obj *dst, const struct kv_obj *src,
		 enum kv_policy pol);
/*
 * Copy @src to @dst, only as far as it is used: a register with few
 * versions is a small part of its KV_MAX_SIB slots. Never a struct
 * assignment on the hot paths.
 */
void kv_obj_copy(struct kv_obj *dst, const struct kv_obj *src);
/* The context a client sends back with its next write. */
void kv_obj_context(const struct kv_obj *o, struct kv_vv *ctx);
/* The largest time-stamp in it (HLCs pass it along with the context). */
struct kv_hlc kv_obj_maxts(const struct kv_obj *o);
/* Has a write with dot @d been seen (kept or superseded) by @o? */
bool kv_obj_covers(const struct kv_obj *o, struct kv_dot d);
/* A digest of the content, equal exactly when the content is. */
uint64_t kv_obj_digest(const struct kv_obj *o);
/* Live (non-tombstone) siblings. */
unsigned int kv_obj_live(const struct kv_obj *o);
/* A register of tombstones only: what collection looks for. */
bool kv_obj_tombstone(const struct kv_obj *o);
/*
 * Remove from @o the versions @t supersedes (covers, or under LWW does
 * not postdate), without adding @t's: a purge of a copy (reap.c).
 * Returns how many versions are left.
 */
unsigned int kv_obj_forget(struct kv_obj *o, const struct kv_obj *t,
			   enum kv_policy pol);

/* crdt.c */
void kv_pn_add(struct kv_pn *c, uint8_t node, int64_t delta);
int64_t kv_pn_value(const struct kv_pn *c);
void kv_pn_merge(struct kv_pn *a, const struct kv_pn *b);
/* 0, -ENOSPC when full, -EINVAL for an element too long. */
int kv_orset_add(struct kv_orset *s, uint8_t node, const char *e);
void kv_orset_remove(struct kv_orset *s, const char *e);
bool kv_orset_has(const struct kv_orset *s, const char *e);
/* 0, or -ENOSPC: the merge kept what fit and says so. */
int kv_orset_merge(struct kv_orset *a, const struct kv_orset *b);
/* Sorted entries make equal states byte-equal. */
bool kv_orset_equal(const struct kv_orset *a, const struct kv_orset *b);

/* ring.c: shards on a consistent-hash ring of node tokens. */
#define KV_TOKENS	64	/* tokens (virtual nodes) per member */

struct kv_ring {
	uint32_t version;	/* bumped by every join and leave */
	uint16_t nshards;
	uint8_t n;		/* replicas per shard */
	uint8_t nmembers;
	bool member[KV_MAX_NODES];
	uint16_t ntok;		/* the members' tokens, sorted */
	uint64_t tok[KV_MAX_NODES * KV_TOKENS];
	uint8_t tok_node[KV_MAX_NODES * KV_TOKENS];
	/* owner[s][0] is shard s's primary, the rest its secondaries */
	uint8_t owner[KV_MAX_SHARDS][KV_MAX_N];
};

/* 0, or -EINVAL for nshards or n out of range. */
int kv_ring_init(struct kv_ring *r, unsigned int nshards, unsigned int n);
/* 0, -EEXIST, -ENOENT, -EINVAL (id out of range). */
int kv_ring_join(struct kv_ring *r, unsigned int node);
int kv_ring_leave(struct kv_ring *r, unsigned int node);
unsigned int kv_ring_shard(const struct kv_ring *r, const void *key,
			   size_t len);
/* How many owners shard s has: min(n, members). */
unsigned int kv_ring_owners(const struct kv_ring *r);
bool kv_ring_owns(const struct kv_ring *r, unsigned int shard,
		  unsigned int node);
/*
 * The first @max distinct members clockwise of shard @s: its owners,
 * then the fall-backs a sloppy quorum uses. Returns how many.
 */
unsigned int kv_ring_pref(const struct kv_ring *r, unsigned int s,
			  uint8_t *out, unsigned int max);

/* merkle.c: a complete binary tree of 2^depth leaves, heap-indexed. */
struct kv_merkle {
	uint8_t depth;
	uint64_t *h;		/* h[1] the root; leaves h[2^depth ...] */
};

int kv_merkle_init(struct kv_merkle *m, unsigned int depth);
void kv_merkle_free(struct kv_merkle *m);
unsigned int kv_merkle_leaf(const struct kv_merkle *m, uint64_t keyhash);
/* Replace a key's digest @old (0: none) by @new (0: gone). */
void kv_merkle_update(struct kv_merkle *m, uint64_t keyhash, uint64_t old,
		      uint64_t new);
/*
 * One round of the exchange: the peer sent its hashes @hash of the nodes
 * @idx (all on one level); write the indices that differ here to @out.
 * Returns how many.
 */
unsigned int kv_merkle_compare(const struct kv_merkle *m,
			       const uint16_t *idx, const uint64_t *hash,
			       unsigned int n, uint16_t *out);
/*
 * The whole exchange between two trees as the node runs it, level by
 * level: @leaves gets the differing leaves' indices (up to @max), and
 * @hashes how many hashes crossed the wire. Returns the leaf count.
 */
unsigned int kv_merkle_diff(const struct kv_merkle *a,
			    const struct kv_merkle *b, uint16_t *leaves,
			    unsigned int max, uint64_t *hashes);

#endif
