// SPDX-License-Identifier: GPL-2.0
/*
 * A join or leave while the service runs. Every node is told the next
 * ring (kv_node_move_begin); from then on writes must reach W owners of
 * both rings (coord.c), reads still go to the old owners, and a node the
 * next ring gives new shards runs anti-entropy against each of their old
 * owners. A comparison that finds equal roots marks that old owner
 * synced, but only when the old owner answers at least one request
 * timeout after the change began: by then every write acknowledged under
 * the old ring alone is on the old owners that acknowledged it. Once a
 * gaining node is synced with every old owner of every shard it gains,
 * the change can commit: the new owners hold every acknowledged write,
 * and reads move to them. Only then may the nodes that lost a shard drop
 * their copies of it (kv_node_cleanup): never the last copy.
 */
#include <errno.h>
#include <string.h>

#include "node.h"

bool kv_node_keeps(const struct kv_node *n, unsigned int s)
{
	return kv_ring_owns(&n->ring, s, n->cfg.self) ||
	       (n->moving && kv_ring_owns(&n->next, s, n->cfg.self));
}

bool kv_node_gains(const struct kv_node *n, unsigned int s)
{
	return n->moving && kv_ring_owns(&n->next, s, n->cfg.self) &&
	       !kv_ring_owns(&n->ring, s, n->cfg.self);
}

int kv_node_move_begin(struct kv_node *n, kv_time now,
		       const struct kv_ring *next)
{
	if (n->moving || next->version != n->ring.version + 1 ||
	    next->nshards != n->ring.nshards || next->n != n->ring.n)
		return -EINVAL;
	n->next = *next;
	n->moving = true;
	n->next_seen = false;
	n->move_began = now;
	memset(n->synced, 0, sizeof(n->synced));
	return 0;
}

bool kv_node_move_ready(const struct kv_node *n)
{
	unsigned int s, i;

	if (!n->moving)
		return false;
	if (n->cfg.broken_hasty_move)
		return true;
	for (s = 0; s < n->ring.nshards; s++) {
		if (!kv_node_gains(n, s))
			continue;
		for (i = 0; i < kv_ring_owners(&n->ring); i++)
			if (!(n->synced[s] & (1u << i)))
				return false;
	}
	return true;
}

void kv_node_move_commit(struct kv_node *n)
{
	if (!n->moving)
		return;
	n->ring = n->next;
	n->moving = false;
	n->next_seen = false;
	n->retarget = true;
}

int kv_node_move_abort(struct kv_node *n)
{
	if (!n->moving)
		return -EINVAL;
	n->moving = false;
	n->next_seen = false;
	n->retarget = true;
	return 0;
}

/* An old owner answered "equal roots" late enough (see the header). */
void kv_move_synced(struct kv_node *n, const struct kv_msg *m)
{
	unsigned int i;

	if (!kv_node_gains(n, m->shard))
		return;
	for (i = 0; i < kv_ring_owners(&n->ring); i++)
		if (n->ring.owner[m->shard][i] == m->src)
			n->synced[m->shard] |= 1u << i;
}

unsigned int kv_node_cleanup(struct kv_node *n,
			     void (*fn)(struct kv_node *, struct kv_ent *,
					void *),
			     void *arg)
{
	struct kv_ent *e, *next;
	unsigned int dropped = 0;

	if (n->moving)
		return 0;
	for (e = n->all; e; e = next) {
		next = e->all_next;
		if (kv_node_keeps(n, e->shard) ||
		    (e->obj.type != KV_T_REG && e->obj.type != KV_T_NONE))
			continue;
		if (fn)
			fn(n, e, arg);
		kv_store_forget(n, e, NULL);
		dropped++;
	}
	return dropped;
}
