// SPDX-License-Identifier: GPL-2.0
/*
 * Asynchronous repair. Anti-entropy: every ae_every a node compares one
 * of its shards with one co-owner (round robin), the Merkle exchange
 * level by level; at the leaves both sides push their copies of the keys
 * in the differing leaves, and merges do the rest. Hinted hand-off: a
 * stand-in keeps a sloppy write as a hint and offers it to the owner
 * every hint_every until the owner acknowledges that very version.
 */
#include <errno.h>
#include <string.h>

#include "node.h"

struct push {
	struct kv_out *out;
	unsigned int dst;
};

static void push_one(struct kv_node *n, struct kv_ent *e, void *arg)
{
	struct push *p = arg;
	struct kv_msg *m = kv_out_msg(n, p->out, KV_M_WRITE, p->dst);

	if (!m)
		return;
	m->shard = e->shard;
	m->klen = e->klen;
	memcpy(m->key, e->key, e->klen);
	kv_obj_copy(&m->obj, &e->obj);
	n->st.ae_pushed++;
}

static void push_leaves(struct kv_node *n, const struct kv_msg *m,
			const uint16_t *idx, unsigned int nidx,
			struct kv_out *out)
{
	struct push p = { .out = out, .dst = m->src };
	unsigned int i, first = 1u << KV_TREE_DEPTH;

	for (i = 0; i < nidx; i++)
		if (idx[i] >= first && idx[i] < 2 * first)
			kv_store_leaf(n, m->shard, idx[i] - first, push_one,
				      &p);
}

static void ae_start(struct kv_node *n, unsigned int s, unsigned int peer,
		     struct kv_out *out)
{
	struct kv_msg *m = kv_out_msg(n, out, KV_M_AE, peer);

	if (!m)
		return;
	m->shard = s;
	m->level = 0;
	m->nidx = 1;
	m->idx[0] = 1;
	m->hash[0] = n->tree[s].h[1];
	n->st.ae_rounds++;
	n->st.ae_hashes++;
}

/*
 * One comparison per tick, round robin over (shard, co-owner); while a
 * ring change is under way, a node first catches up on the shards it
 * gains, against each of their old owners.
 */
void kv_ae_tick(struct kv_node *n, struct kv_out *out)
{
	unsigned int slots = n->ring.nshards * n->ring.n, i, s, peer;
	bool gaining = false;

	for (s = 0; s < n->ring.nshards && !gaining; s++)
		gaining = kv_node_gains(n, s);
	for (i = 0; i < slots; i++) {
		n->ae_cursor = (n->ae_cursor + 1) % slots;
		s = n->ae_cursor / n->ring.n;
		peer = n->ring.owner[s][n->ae_cursor % n->ring.n];
		if (peer == KV_NONE || peer == n->cfg.self)
			continue;
		if (gaining ? !kv_node_gains(n, s) :
			      !kv_ring_owns(&n->ring, s, n->cfg.self))
			continue;
		ae_start(n, s, peer, out);
		return;
	}
}

void kv_ae_recv(struct kv_node *n, kv_time now, const struct kv_msg *m,
		struct kv_out *out)
{
	uint16_t diff[KV_AE_MAX];
	unsigned int nd, i;
	struct kv_msg *r;

	if (!kv_node_keeps(n, m->shard) || m->level > KV_TREE_DEPTH)
		return;
	if (m->type == KV_M_AE) {
		nd = kv_merkle_compare(&n->tree[m->shard], m->idx, m->hash,
				       m->nidx, diff);
		if (!nd && m->level == 0 && n->moving &&
		    now >= n->move_began + n->cfg.timeout) {
			/* equal roots: a node moving in counts it as synced */
			r = kv_out_msg(n, out, KV_M_AE_R, m->src);
			if (r)
				r->shard = m->shard;
			return;
		}
		if (!nd)
			return;
		if (m->level == KV_TREE_DEPTH)
			push_leaves(n, m, diff, nd, out);
		r = kv_out_msg(n, out, KV_M_AE_R, m->src);
		if (!r)
			return;
		r->shard = m->shard;
		r->level = m->level;
		r->nidx = nd;
		memcpy(r->idx, diff, nd * sizeof(diff[0]));
		return;
	}
	/* KV_M_AE_R: the peer's differing nodes at m->level */
	if (!m->nidx) {
		kv_move_synced(n, m);
		return;
	}
	if (m->level == KV_TREE_DEPTH) {
		push_leaves(n, m, m->idx, m->nidx, out);
		return;
	}
	r = kv_out_msg(n, out, KV_M_AE, m->src);
	if (!r)
		return;
	r->shard = m->shard;
	r->level = m->level + 1;
	/* more than fit wait for the next round: it starts at the root */
	for (i = 0; i < m->nidx && r->nidx + 2 <= KV_AE_MAX; i++) {
		if (m->idx[i] == 0 || m->idx[i] >= (1u << KV_TREE_DEPTH))
			continue;
		r->idx[r->nidx] = 2 * m->idx[i];
		r->hash[r->nidx] = n->tree[m->shard].h[2 * m->idx[i]];
		r->nidx++;
		r->idx[r->nidx] = 2 * m->idx[i] + 1;
		r->hash[r->nidx] = n->tree[m->shard].h[2 * m->idx[i] + 1];
		r->nidx++;
	}
	n->st.ae_hashes += r->nidx;
}

static bool same_key(const struct kv_hint *h, const char *key,
		     unsigned int klen)
{
	return h->used && h->klen == klen && !memcmp(h->key, key, klen);
}

int kv_hint_store(struct kv_node *n, const struct kv_msg *m)
{
	struct kv_hint *h, *free_slot = NULL;
	unsigned int i;

	for (i = 0; i < KV_MAX_HINTS; i++) {
		h = &n->hint[i];
		if (same_key(h, m->key, m->klen) && h->owner == m->hint_for) {
			n->hint_dirty |= 1ull << i;
			return kv_obj_merge(&h->obj, &m->obj, n->cfg.policy);
		}
		if (!h->used && !free_slot)
			free_slot = h;
	}
	if (!free_slot || m->hint_for >= KV_MAX_NODES)
		return -ENOSPC;
	h = free_slot;
	n->hint_dirty |= 1ull << (h - n->hint);
	memset(h, 0, offsetof(struct kv_hint, obj));
	h->used = true;
	h->owner = m->hint_for;
	h->shard = m->shard;
	h->klen = m->klen;
	memcpy(h->key, m->key, m->klen);
	kv_obj_copy(&h->obj, &m->obj);
	n->st.hints_stored++;
	return 0;
}

void kv_hint_read(struct kv_node *n, const char *key, unsigned int klen,
		  struct kv_obj *o)
{
	unsigned int i;

	for (i = 0; i < KV_MAX_HINTS; i++)
		if (same_key(&n->hint[i], key, klen))
			kv_obj_merge(o, &n->hint[i].obj, n->cfg.policy);
}

/*
 * A hint held for a node that no longer owns the shard (it left, or a
 * join displaced it) would be offered to it forever, and refused: once
 * the change committed it goes to the shard's primary instead (perhaps
 * this node), whose anti-entropy spreads it to the other owners.
 */
static void retarget(struct kv_node *n, struct kv_hint *h, unsigned int i)
{
	if (n->moving || kv_ring_owns(&n->ring, h->shard, h->owner) ||
	    n->ring.owner[h->shard][0] == KV_NONE)
		return;
	h->owner = n->ring.owner[h->shard][0];
	n->hint_dirty |= 1ull << i;
}

void kv_hint_tick(struct kv_node *n, struct kv_out *out)
{
	struct kv_hint *h;
	struct kv_msg *m;
	unsigned int i;

	for (i = 0; i < KV_MAX_HINTS; i++) {
		h = &n->hint[i];
		if (!h->used)
			continue;
		retarget(n, h, i);
		m = kv_out_msg(n, out, KV_M_WRITE, h->owner);
		if (!m)
			return;
		m->rid = KV_RID_HINT | i;
		m->shard = h->shard;
		m->klen = h->klen;
		memcpy(m->key, h->key, h->klen);
		kv_obj_copy(&m->obj, &h->obj);
		h->sent_digest = kv_obj_digest(&h->obj);
	}
}

void kv_hint_acked(struct kv_node *n, const struct kv_msg *m)
{
	unsigned int i = m->rid & ~KV_RID_HINT;
	struct kv_hint *h;

	if (m->type != KV_M_WRITE_R || i >= KV_MAX_HINTS)
		return;
	h = &n->hint[i];
	/*
	 * A newer version merged in since it was sent stays; so does the
	 * hint when the node that took it is not an owner in every ring
	 * this node knows: an old owner takes a hand-off until it commits a
	 * change, then its clean-up drops the copy, and the new owners,
	 * which caught up before, never saw it. After the commit the hint
	 * goes to the shard's primary instead (retarget()).
	 */
	if (h->used && h->owner == m->src &&
	    kv_ring_owns(&n->ring, h->shard, m->src) &&
	    (!n->moving || kv_ring_owns(&n->next, h->shard, m->src)) &&
	    kv_obj_digest(&h->obj) == h->sent_digest) {
		h->used = false;
		n->hint_dirty |= 1ull << i;
		n->st.hints_done++;
	}
}
