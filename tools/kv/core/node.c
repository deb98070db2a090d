// SPDX-License-Identifier: GPL-2.0
/*
 * A node's replica side: it checks every message (ring version, shard,
 * sizes) before it touches the store, answers reads with its copy (and
 * the hints it holds for the key), merges writes and answers with the
 * merged copy so that the coordinator can repair. Replies go to the
 * coordinator (coord.c); anti-entropy and hints to repair.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

void kv_config_default(struct kv_config *c, unsigned int self)
{
	memset(c, 0, sizeof(*c));
	c->self = self;
	c->policy = KV_POL_SIBLINGS;
	c->read_repair = c->write_repair = true;
	c->anti_entropy = c->handoff = true;
	c->timeout = 300000;
	c->sloppy_after = 100000;
	c->ae_every = 50000;
	c->hint_every = 100000;
	c->collect = true;
	c->grace = 1000000;
}

/*
 * Free request and collection slots: their objects are read only once a
 * slot is taken, and they are most of a node's size (KV_MAX_SIB versions
 * each), which the simulator would otherwise clear thousands of times.
 */
static void free_slots(struct kv_node *n)
{
	unsigned int i;

	for (i = 0; i < KV_MAX_REQS; i++)
		memset(&n->req[i], 0, offsetof(struct kv_req, obj));
	for (i = 0; i < KV_MAX_REAPS; i++)
		memset(&n->reap[i], 0, offsetof(struct kv_reap, tomb));
}

#define ZERO_FROM_TO(n, from, to)					\
	memset((char *)(n) + offsetof(struct kv_node, from), 0,		\
	       offsetof(struct kv_node, to) - offsetof(struct kv_node, from))

int kv_node_init(struct kv_node *n, const struct kv_config *cfg,
		 const struct kv_ring *ring)
{
	unsigned int s;

	/* all but the slots' objects (hints too: free_slots()) */
	static_assert(offsetof(struct kv_node, hint_dirty) ==
		      offsetof(struct kv_node, hint) +
		      sizeof(((struct kv_node *)0)->hint) &&
		      offsetof(struct kv_node, reap) ==
		      offsetof(struct kv_node, req) +
		      sizeof(((struct kv_node *)0)->req) &&
		      offsetof(struct kv_node, next_rid) ==
		      offsetof(struct kv_node, reap) +
		      sizeof(((struct kv_node *)0)->reap),
		      "kv_node_init() clears every field around the slots");
	ZERO_FROM_TO(n, cfg, hint);
	ZERO_FROM_TO(n, hint_dirty, req);
	memset(&n->next_rid, 0,
	       sizeof(*n) - offsetof(struct kv_node, next_rid));
	for (s = 0; s < KV_MAX_HINTS; s++)
		memset(&n->hint[s], 0, offsetof(struct kv_hint, obj));
	free_slots(n);
	n->cfg = *cfg;
	n->ring = *ring;
	n->hlc.node = cfg->self;
	for (s = 0; s < ring->nshards; s++)
		if (kv_merkle_init(&n->tree[s], KV_TREE_DEPTH)) {
			kv_node_free(n);
			return -ENOMEM;
		}
	return 0;
}

void kv_node_free(struct kv_node *n)
{
	struct kv_ent *e, *next;
	unsigned int s;

	for (e = n->all; e; e = next) {
		next = e->all_next;
		free(e);
	}
	n->all = NULL;
	for (s = 0; s < KV_MAX_SHARDS; s++)
		kv_merkle_free(&n->tree[s]);
	memset(n->bucket, 0, sizeof(n->bucket));
}

void kv_node_crash(struct kv_node *n)
{
	free_slots(n);
	/* replies to the old incarnation's requests must not match */
	n->next_rid += 1ull << 32;
	n->next_ae = n->next_hint = n->next_sweep = 0;
}

void kv_out_reset(struct kv_out *out)
{
	out->nmsg = out->nrep = out->ndirty = out->ngone = 0;
	out->dropped = 0;
	out->floor_dirty = false;
}

struct kv_msg *kv_out_msg(struct kv_node *n, struct kv_out *out,
			  unsigned int type, unsigned int dst)
{
	struct kv_msg *m;

	if (out->nmsg == KV_OUT_MAX) {
		out->dropped++;
		return NULL;
	}
	m = &out->msg[out->nmsg++];
	memset(m, 0, offsetof(struct kv_msg, obj));
	kv_obj_init(&m->obj, KV_T_NONE);
	m->type = type;
	m->src = n->cfg.self;
	m->dst = dst;
	m->hint_for = KV_NONE;
	m->ring_ver = n->ring.version;
	return m;
}

static void answer_err(struct kv_node *n, const struct kv_msg *in, int err,
		       struct kv_out *out)
{
	struct kv_msg *m;

	n->st.errors_in++;
	if (!in->rid || in->type == KV_M_ERR)
		return;
	m = kv_out_msg(n, out, KV_M_ERR, in->src);
	if (!m)
		return;
	m->rid = in->rid;
	m->err = err;
	m->shard = in->shard;
	m->klen = in->klen;
	memcpy(m->key, in->key, in->klen);
}

static bool obj_valid(const struct kv_obj *o)
{
	unsigned int i;

	switch (o->type) {
	case KV_T_NONE:
	case KV_T_COUNTER:
		return true;
	case KV_T_REG:
		if (o->nsib > KV_MAX_SIB)
			return false;
		for (i = 0; i < o->nsib; i++)
			if (o->u.sib[i].len > KV_VAL_MAX ||
			    o->u.sib[i].dot.node >= KV_MAX_NODES)
				return false;
		return true;
	case KV_T_SET:
		if (o->u.set.n > KV_SET_MAX)
			return false;
		for (i = 0; i < o->u.set.n; i++)
			if (!memchr(o->u.set.ent[i].e, 0, KV_ELEM_MAX))
				return false;
		return true;
	}
	return false;
}

/*
 * A ring change commits at each node at its own moment, so requests and
 * replies in flight then cross from one version to the next. Both sides
 * know both rings for that while: a node still moving keeps the shards
 * of both, and a node that committed answers from the shards it keeps
 * (kv_node_keeps; -ENOENT for one it gave away, which the coordinator
 * survives: coord.c). Anti-entropy, which marks shards synced, stays on
 * one version. Anything further apart is a node that missed a change.
 */
static bool ring_ver_ok(const struct kv_node *n, const struct kv_msg *m)
{
	if (m->ring_ver == n->ring.version)
		return true;
	if (m->type == KV_M_AE || m->type == KV_M_AE_R ||
	    m->type >= KV_M_PURGE)
		return false;
	return (n->moving && m->ring_ver == n->next.version) ||
	       m->ring_ver + 1 == n->ring.version;
}

/* -errno for a message no node could have sent, else 0. */
static int msg_check(const struct kv_node *n, const struct kv_msg *m)
{
	if (m->type < KV_M_READ || m->type >= KV_M_MAX ||
	    m->src >= KV_MAX_NODES || m->klen > KV_KEY_MAX ||
	    m->nidx > KV_AE_MAX || !obj_valid(&m->obj))
		return -EINVAL;
	if (!ring_ver_ok(n, m))
		return -ESTALE;
	if (m->shard >= n->ring.nshards)
		return -ENOENT;
	if ((m->type == KV_M_READ || m->type == KV_M_WRITE ||
	     m->type == KV_M_PURGE || m->type == KV_M_REAP) &&
	    (!m->klen ||
	     kv_ring_shard(&n->ring, m->key, m->klen) != m->shard))
		return -EINVAL;
	return 0;
}

static void on_read(struct kv_node *n, const struct kv_msg *m,
		    struct kv_out *out)
{
	struct kv_ent *e;
	struct kv_msg *r;

	if (!kv_node_keeps(n, m->shard) && m->hint_for == KV_NONE) {
		answer_err(n, m, -ENOENT, out);
		return;
	}
	r = kv_out_msg(n, out, KV_M_READ_R, m->src);
	if (!r)
		return;
	r->rid = m->rid;
	r->shard = m->shard;
	r->klen = m->klen;
	memcpy(r->key, m->key, m->klen);
	e = kv_store_find(n, m->key, m->klen);
	if (e)
		kv_obj_copy(&r->obj, &e->obj);
	kv_hint_read(n, m->key, m->klen, &r->obj);
}

/*
 * A client's write reaching this replica (not a repair, a hand-off or
 * anti-entropy, which must always merge): may it add its versions here?
 */
static int admit(struct kv_node *n, const struct kv_msg *m, bool hint)
{
	static struct kv_obj cur;
	const struct kv_ent *e;

	if (!m->rid || (m->rid & KV_RID_HINT))
		return 0;
	if (hint) {
		kv_obj_init(&cur, KV_T_NONE);
		kv_hint_read(n, m->key, m->klen, &cur);
		return kv_obj_admit(&cur, &m->obj, n->cfg.policy);
	}
	e = kv_store_find(n, m->key, m->klen);
	return e ? kv_obj_admit(&e->obj, &m->obj, n->cfg.policy) : 0;
}

static void on_write(struct kv_node *n, const struct kv_msg *m,
		     struct kv_out *out)
{
	bool hint = m->hint_for != KV_NONE && m->hint_for != n->cfg.self;
	struct kv_ent *e = NULL;
	struct kv_msg *r;
	int err = admit(n, m, hint);

	if (err) {
		n->st.full++;
	} else if (hint) {
		err = kv_hint_store(n, m);
	} else if (!kv_node_keeps(n, m->shard)) {
		err = -ENOENT;
	} else {
		e = kv_store_merge(n, m->key, m->klen, &m->obj, &err);
		if (e && !err && out->ndirty < KV_OUT_MAX)
			out->dirty[out->ndirty++] = e;
		if (e && n->cfg.broken_drop_tombstones &&
		    e->obj.type == KV_T_REG && e->obj.nsib &&
		    !kv_obj_live(&e->obj)) {
			if (out->ndirty && out->dirty[out->ndirty - 1] == e)
				out->ndirty--;
			kv_store_drop(n, e);
			e = NULL;
		}
	}
	if (err) {
		answer_err(n, m, err, out);
		return;
	}
	if (!m->rid)
		return;
	r = kv_out_msg(n, out, KV_M_WRITE_R, m->src);
	if (!r)
		return;
	r->rid = m->rid;
	r->shard = m->shard;
	r->klen = m->klen;
	memcpy(r->key, m->key, m->klen);
	kv_obj_copy(&r->obj, e ? &e->obj : &m->obj);
}

void kv_node_recv(struct kv_node *n, kv_time now, uint64_t wall,
		  const struct kv_msg *m, struct kv_out *out)
{
	struct kv_hlc seen;
	int err = msg_check(n, m);

	/*
	 * Only a node that committed sends at the next version, whatever
	 * this node then makes of the message (anti-entropy across versions
	 * is refused, for one).
	 */
	if (n->moving && m->ring_ver == n->next.version &&
	    m->src < KV_MAX_NODES && m->src != n->cfg.self)
		n->next_seen = true;

	if (err) {
		answer_err(n, m, err, out);
		return;
	}
	seen = kv_obj_maxts(&m->obj);
	if (seen.l)
		kv_hlc_recv(&n->hlc, &seen, wall);
	switch (m->type) {
	case KV_M_READ:
		on_read(n, m, out);
		break;
	case KV_M_WRITE:
		on_write(n, m, out);
		break;
	case KV_M_READ_R:
	case KV_M_WRITE_R:
	case KV_M_ERR:
		if (m->type == KV_M_ERR)
			n->st.errors_out++;
		if (m->rid & KV_RID_HINT)
			kv_hint_acked(n, m);
		else
			kv_coord_reply(n, now, m, out);
		break;
	case KV_M_AE:
	case KV_M_AE_R:
		kv_ae_recv(n, now, m, out);
		break;
	case KV_M_PURGE:
	case KV_M_PURGE_R:
	case KV_M_REAP:
		kv_reap_recv(n, m, out);
		break;
	}
}

void kv_node_tick(struct kv_node *n, kv_time now, uint64_t wall,
		  struct kv_out *out)
{
	(void)wall;
	kv_coord_tick(n, now, out);
	kv_reap_tick(n, now, out);
	if (n->cfg.anti_entropy && now >= n->next_ae) {
		kv_ae_tick(n, out);
		n->next_ae = now + n->cfg.ae_every;
	}
	if (n->cfg.handoff && now >= n->next_hint) {
		kv_hint_tick(n, out);
		n->next_hint = now + n->cfg.hint_every;
	}
}
