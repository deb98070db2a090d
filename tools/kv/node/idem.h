/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A node's memory of the idempotency keys (client, seq) of the writes it
 * coordinated: a ring of the last KV_IDEM_SLOTS keys, each slot stored
 * in LMDB in the same transaction as the write's own copy (disk.h), so
 * after a crash the key is known exactly when the write's effect is.
 * The front end (front.c) sends every retry of a key to the same node.
 */
#ifndef KV_IDEM_H
#define KV_IDEM_H

#include <stdint.h>

#define KV_IDEM_SLOTS	4096	/* keys remembered; older ones are forgotten */
#define KV_IDEM_DIRTY	256	/* new keys one batch may hold */

enum kv_idem_state {
	KV_IDEM_FREE,
	KV_IDEM_RUNNING,	/* applied here; the request still runs */
	KV_IDEM_APPLIED,	/* applied here; not known to be acknowledged */
	KV_IDEM_DONE,		/* acknowledged to the client */
};

struct kv_idem_ent {
	uint64_t client, seq;
	uint64_t age;		/* the table's add count when it was added */
	uint8_t state;
	uint8_t slot;		/* the client slot while RUNNING */
};

struct kv_idem {
	unsigned int next;	/* the oldest slot: the next one reused */
	uint64_t adds;
	struct kv_idem_ent e[KV_IDEM_SLOTS];
	unsigned int ndirty;
	uint16_t dirty[KV_IDEM_DIRTY];	/* slots to persist with the batch */
	uint64_t hits, replays;
};

struct kv_idem_ent *kv_idem_find(struct kv_idem *t, uint64_t client,
				 uint64_t seq);
/*
 * Remember the key of a write that applied here (RUNNING), forgetting
 * the oldest; NULL when the batch has no room (the caller flushes
 * before that can happen).
 */
struct kv_idem_ent *kv_idem_add(struct kv_idem *t, uint64_t client,
				uint64_t seq);
/*
 * A slot loaded from disk: its write applied, its outcome unknown. @age
 * orders the slots, so that the oldest is reused first after a restart.
 */
void kv_idem_load(struct kv_idem *t, unsigned int slot, uint64_t client,
		  uint64_t seq, uint64_t age);

#endif
