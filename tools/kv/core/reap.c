// SPDX-License-Identifier: GPL-2.0
/*
 * Tombstone collection. A delete leaves a tombstone, which must outlive
 * every older version of the key: a replica that forgot it would take
 * such a version back from whoever still holds one, live again. So a
 * tombstone goes only when nothing older can reach an owner any more:
 *
 *   1. a read the shard's primary coordinated heard every owner answer
 *      with the same copy, tombstones only (coord.c calls kv_reap_begin):
 *      every owner holds it. Besides the clients' reads, the primary
 *      sweeps its tombstones, reading one of them every ae_every
 *      (kv_reap_tick);
 *   2. every node (the cluster's, not only the owners: any node may have
 *      coordinated a write, and a coordinator keeps and ships its whole
 *      copy; any may hold a hint) removes from its copy, its hints and
 *      its open requests for the key every version the tombstone covers
 *      (a purge: purge() says how). All must answer;
 *      unanswered purges are sent again until a deadline, then the
 *      collection is abandoned;
 *   3. a grace period longer than a request lives and a message travels:
 *      a request opened before the purge, or a message sent before it,
 *      may still have planted an older version somewhere, so the purge
 *      runs a second time, followed by a second grace period;
 *   4. the owners drop their copy if it is still that tombstone (a write
 *      since then changed it: nothing to collect), raising the dot floor
 *      past its dots so that no dot is used twice (as the clean-up does).
 *
 * A ring change under way abandons it: ownership must not move between
 * the check and the reap.
 */
#include <string.h>

#include "node.h"

static uint32_t all_nodes(const struct kv_node *n)
{
	uint32_t mask = 0;
	unsigned int i;

	if (n->cfg.nodes)
		return (1u << n->cfg.nodes) - 1;
	for (i = 0; i < KV_MAX_NODES; i++)
		if (n->ring.member[i])
			mask |= 1u << i;
	return mask;
}

static bool same_key(const char *a, unsigned int alen, const char *b,
		     unsigned int blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

static bool reaping(const struct kv_node *n, const char *key,
		    unsigned int klen)
{
	unsigned int i;

	for (i = 0; i < KV_MAX_REAPS; i++)
		if (n->reap[i].used &&
		    same_key(n->reap[i].key, n->reap[i].klen, key, klen))
			return true;
	return false;
}

void kv_reap_begin(struct kv_node *n, kv_time now, const struct kv_req *q)
{
	struct kv_reap *r = NULL;
	unsigned int i;

	/* one collection per key at a time: its primary runs it */
	if (!n->cfg.collect || n->moving ||
	    n->ring.owner[q->shard][0] != n->cfg.self ||
	    reaping(n, q->key, q->klen))
		return;
	for (i = 0; i < KV_MAX_REAPS && !r; i++)
		if (!n->reap[i].used)
			r = &n->reap[i];
	if (!r)
		return;
	memset(r, 0, offsetof(struct kv_reap, tomb));
	r->used = true;
	r->round = n->cfg.broken_hasty_reap ? 3 : 1;
	r->klen = q->klen;
	memcpy(r->key, q->key, q->klen);
	r->shard = q->shard;
	r->ring_ver = n->ring.version;
	r->due = now;
	r->give_up = now + 4 * n->cfg.grace + 10 * n->cfg.timeout;
	kv_obj_copy(&r->tomb, &q->obj);
	n->st.reaps_begun++;
}

static struct kv_msg *reap_msg(struct kv_node *n, const struct kv_reap *r,
			       unsigned int type, unsigned int dst,
			       struct kv_out *out)
{
	struct kv_msg *m = kv_out_msg(n, out, type, dst);

	if (!m)
		return NULL;
	m->shard = r->shard;
	m->klen = r->klen;
	memcpy(m->key, r->key, r->klen);
	kv_obj_copy(&m->obj, &r->tomb);
	return m;
}

static void step(struct kv_node *n, struct kv_reap *r, kv_time now,
		 struct kv_out *out)
{
	uint32_t all = all_nodes(n);
	struct kv_msg *m;
	unsigned int i;

	if (r->round == 3) {
		for (i = 0; i < kv_ring_owners(&n->ring); i++)
			reap_msg(n, r, KV_M_REAP, n->ring.owner[r->shard][i],
				 out);
		r->used = false;
		return;
	}
	if ((r->acked & all) == all) {
		r->round++;
		r->acked = 0;
		r->rid = 0;
		r->due = now + n->cfg.grace;
		return;
	}
	if (!r->rid)
		r->rid = ++n->next_rid;
	for (i = 0; i < KV_MAX_NODES; i++) {
		if (!(all & ~r->acked & (1u << i)))
			continue;
		m = reap_msg(n, r, KV_M_PURGE, i, out);
		if (m)
			m->rid = r->rid;
	}
	r->due = now + n->cfg.hint_every;
}

/*
 * The next tombstone past the cursor (by key hash, wrapping) in a shard
 * this node is the primary of, and not being collected: probe it.
 */
static void sweep(struct kv_node *n, kv_time now, struct kv_out *out)
{
	struct kv_ent *e, *next = NULL, *first = NULL;

	for (e = n->all; e; e = e->all_next) {
		if (!kv_obj_tombstone(&e->obj) ||
		    n->ring.owner[e->shard][0] != n->cfg.self ||
		    reaping(n, e->key, e->klen))
			continue;
		if (!first || e->keyhash < first->keyhash)
			first = e;
		if (e->keyhash > n->sweep_after &&
		    (!next || e->keyhash < next->keyhash))
			next = e;
	}
	if (!next)
		next = first;
	if (!next)
		return;
	n->sweep_after = next->keyhash;
	kv_coord_probe(n, now, next, out);
}

void kv_reap_tick(struct kv_node *n, kv_time now, struct kv_out *out)
{
	struct kv_reap *r;
	unsigned int i;

	if (n->cfg.collect && !n->moving && now >= n->next_sweep) {
		n->next_sweep = now + n->cfg.ae_every;
		/* a walk over every copy: only when there are tombstones */
		if (n->ntombs)
			sweep(n, now, out);
	}
	for (i = 0; i < KV_MAX_REAPS; i++) {
		r = &n->reap[i];
		if (!r->used)
			continue;
		if (n->moving || n->ring.version != r->ring_ver ||
		    now >= r->give_up)
			r->used = false;
		else if (now >= r->due)
			step(n, r, now, out);
	}
}

/*
 * Step 2 at this node: nothing the tombstone covers stays here. Owners
 * hold the tombstone (or a newer version) already. A copy elsewhere
 * loses the covered versions without taking the tombstone, which would
 * come back with this node's next write as one more sibling: such a copy
 * merges nothing but this node's own writes. A hint or an open request
 * merges what arrives, so it takes the tombstone instead, which keeps
 * superseding a stale version that may still arrive; a hint left equal
 * to the tombstone goes (every owner holds it). A copy left empty goes.
 */
static void purge(struct kv_node *n, const struct kv_msg *m,
		  struct kv_out *out)
{
	struct kv_ent *e = kv_store_find(n, m->key, m->klen);
	enum kv_policy pol = n->cfg.policy;
	uint64_t d = kv_obj_digest(&m->obj);
	struct kv_obj o;
	struct kv_hint *h;
	unsigned int i;
	int err;

	if (e && !kv_ring_owns(&n->ring, m->shard, n->cfg.self)) {
		o = e->obj;
		if (!kv_obj_forget(&o, &m->obj, pol)) {
			kv_store_forget(n, e, out);
			n->st.purged_copies++;
		} else if (o.nsib != e->obj.nsib) {
			/* a merge cannot remove versions: replace the copy */
			kv_store_forget(n, e, out);
			e = kv_store_merge(n, m->key, m->klen, &o, &err);
			if (e && !err && out->ndirty < KV_OUT_MAX)
				out->dirty[out->ndirty++] = e;
		}
	}
	for (i = 0; i < KV_MAX_HINTS; i++) {
		h = &n->hint[i];
		if (!h->used || !same_key(h->key, h->klen, m->key, m->klen) ||
		    kv_obj_merge(&h->obj, &m->obj, pol))
			continue;
		n->hint_dirty |= 1ull << i;
		if (kv_obj_digest(&h->obj) == d) {
			h->used = false;
			n->st.purged_hints++;
		}
	}
	for (i = 0; i < KV_MAX_REQS; i++)
		if (n->req[i].used &&
		    same_key(n->req[i].key, n->req[i].klen, m->key, m->klen))
			kv_obj_merge(&n->req[i].obj, &m->obj, pol);
}

void kv_reap_recv(struct kv_node *n, const struct kv_msg *m,
		  struct kv_out *out)
{
	struct kv_msg *r;
	struct kv_ent *e;
	unsigned int i;

	switch (m->type) {
	case KV_M_PURGE:
		if (n->moving || !kv_obj_tombstone(&m->obj))
			return;
		purge(n, m, out);
		r = kv_out_msg(n, out, KV_M_PURGE_R, m->src);
		if (r)
			r->rid = m->rid;
		return;
	case KV_M_PURGE_R:
		for (i = 0; i < KV_MAX_REAPS; i++)
			if (n->reap[i].used && m->rid && n->reap[i].rid == m->rid)
				n->reap[i].acked |= 1u << m->src;
		return;
	case KV_M_REAP:
		e = kv_store_find(n, m->key, m->klen);
		if (!e || n->moving ||
		    !kv_ring_owns(&n->ring, m->shard, n->cfg.self) ||
		    !kv_obj_tombstone(&e->obj) ||
		    e->digest != kv_obj_digest(&m->obj))
			return;
		kv_store_forget(n, e, out);
		n->st.reaped++;
		return;
	}
}
