// SPDX-License-Identifier: GPL-2.0
/*
 * The coordinator: any node takes a client's request, sends it to the
 * key's owners and answers once R reads or W writes succeeded. A write is
 * applied to the coordinator's own copy first, which numbers its dot, and
 * that whole copy is what the owners merge. With a sloppy request, owners
 * silent after sloppy_after get stand-ins further along the ring, which
 * keep the data as hints (repair.c). After the answer the request stays
 * until every target replied or the deadline passed: targets whose copy
 * differed from the merged one then get it (read and write repair).
 */
#include <errno.h>
#include <string.h>

#include "node.h"

enum { REQ_SENT = 1, REQ_OK, REQ_ERR };

static void reply(struct kv_node *n, struct kv_out *out, uint64_t tag,
		  int err, const struct kv_req *q)
{
	struct kv_reply *r;

	if (out->nrep == KV_MAX_REQS || (q && q->probe))
		return;
	r = &out->rep[out->nrep++];
	r->tag = tag;
	r->err = err;
	r->acks = q ? q->nok : 0;
	if (q) {
		r->dot = q->dot;
		kv_obj_copy(&r->obj, &q->obj);
	} else {
		memset(&r->dot, 0, sizeof(r->dot));
		kv_obj_init(&r->obj, KV_T_NONE);
	}
	if (err)
		n->st.failed++;
}

static void send_to(struct kv_node *n, struct kv_req *q, unsigned int i,
		    struct kv_out *out)
{
	struct kv_msg *m = kv_out_msg(n, out, q->write ? KV_M_WRITE : KV_M_READ,
				      q->target[i]);

	q->state[i] = REQ_SENT;
	if (!m)
		return;
	m->rid = q->rid;
	m->shard = q->shard;
	m->hint_for = q->hint_for[i];
	m->klen = q->klen;
	memcpy(m->key, q->key, q->klen);
	if (q->write)
		kv_obj_copy(&m->obj, &q->obj);
}

/*
 * The next counter of this node's dots for the key, from its copy, and
 * past any copy the clean-up dropped (a gap in the numbers is harmless:
 * a context covers a dot by comparing counters).
 */
uint64_t kv_next_ctr(const struct kv_obj *o, unsigned int self,
		     uint64_t floor)
{
	uint64_t c = floor;
	unsigned int i;

	if (o->type != KV_T_REG)
		return floor + 1;
	for (i = 0; i < o->nsib; i++) {
		if (o->u.sib[i].dot.node == self && o->u.sib[i].dot.ctr > c)
			c = o->u.sib[i].dot.ctr;
		if (o->u.sib[i].ctx.c[self] > c)
			c = o->u.sib[i].ctx.c[self];
	}
	return c + 1;
}

/* The client's operation on the coordinator's copy: 0 or -errno. */
static int apply(struct kv_node *n, uint64_t wall, const struct kv_request *rq,
		 struct kv_obj *o, struct kv_dot *dot)
{
	unsigned int self = n->cfg.self;
	struct kv_hlc ts;
	int type = rq->op == KV_OP_COUNTER ? KV_T_COUNTER :
		   rq->op == KV_OP_PUT || rq->op == KV_OP_DEL ? KV_T_REG :
		   KV_T_SET;

	if (o->type == KV_T_NONE)
		kv_obj_init(o, type);
	else if (o->type != type)
		return -EINVAL;
	switch (rq->op) {
	case KV_OP_PUT:
	case KV_OP_DEL:
		dot->node = self;
		dot->ctr = kv_next_ctr(o, self, n->dot_floor);
		if (n->cfg.broken_wallclock) {
			memset(&ts, 0, sizeof(ts));
			ts.l = wall;
			ts.node = self;
		} else {
			ts = kv_hlc_recv(&n->hlc, &rq->ctx_ts, wall);
		}
		return kv_obj_put(o, n->cfg.policy, &rq->ctx, *dot, ts,
				  rq->val, rq->vlen, rq->op == KV_OP_DEL);
	case KV_OP_COUNTER:
		kv_pn_add(&o->u.pn, self, rq->delta);
		return 0;
	case KV_OP_SADD:
		return kv_orset_add(&o->u.set, self, rq->elem);
	default:
		kv_orset_remove(&o->u.set, rq->elem);
		return 0;
	}
}

/* Send @q to the @owners owners of its shard in the current ring. */
static void send_owners(struct kv_node *n, struct kv_req *q,
			unsigned int owners, struct kv_out *out)
{
	unsigned int i;

	q->ntargets = owners;
	for (i = 0; i < owners; i++) {
		q->target[i] = n->ring.owner[q->shard][i];
		q->hint_for[i] = KV_NONE;
		q->in_old[i] = true;
		send_to(n, q, i, out);
	}
}

/*
 * During a ring change a write must also reach W owners of the new ring,
 * and a read R of them: the nodes commit one after another, and a write
 * a node that committed coordinates reaches the new owners only, which a
 * read from a node still moving must then see.
 */
static void add_next_owners(struct kv_node *n, struct kv_req *q,
			    struct kv_out *out)
{
	unsigned int i, j, o, owners = kv_ring_owners(&n->next);

	q->need_next = q->need < owners ? q->need : owners;
	for (j = 0; j < owners; j++) {
		o = n->next.owner[q->shard][j];
		for (i = 0; i < q->ntargets; i++)
			if (q->target[i] == o)
				break;
		if (i == q->ntargets) {
			q->ntargets++;
			q->target[i] = o;
			q->hint_for[i] = KV_NONE;
			q->in_old[i] = false;
			send_to(n, q, i, out);
		}
		q->in_next[i] = true;
	}
}

static int check_request(const struct kv_node *n,
			 const struct kv_request *rq)
{
	unsigned int owners = kv_ring_owners(&n->ring);

	if (!owners)
		return -ENOENT;
	if (rq->op > KV_OP_SREM || !rq->klen || rq->klen > KV_KEY_MAX ||
	    rq->r > owners || rq->w > owners)
		return -EINVAL;
	if (rq->vlen > KV_VAL_MAX)
		return -E2BIG;
	if ((rq->op == KV_OP_SADD || rq->op == KV_OP_SREM) &&
	    (!memchr(rq->elem, 0, KV_ELEM_MAX) || !rq->elem[0]))
		return -EINVAL;
	return 0;
}

static void close_req(struct kv_node *n, kv_time now, struct kv_req *q,
		      struct kv_out *out);

/*
 * A free request slot. When every slot is taken, the oldest request
 * whose client has its answer gives way: it was only waiting for the
 * last targets, to repair them, and a dead replica would otherwise hold
 * each slot for a whole timeout (64 slots: 213 requests a second at
 * 300 ms). Those targets get repaired now, the silent ones later by
 * anti-entropy.
 */
static struct kv_req *free_req(struct kv_node *n, kv_time now,
			       struct kv_out *out)
{
	struct kv_req *old = NULL;
	unsigned int i;

	for (i = 0; i < KV_MAX_REQS; i++) {
		if (!n->req[i].used)
			return &n->req[i];
		if (n->req[i].done && !n->req[i].probe &&
		    (!old || n->req[i].rid < old->rid))
			old = &n->req[i];
	}
	if (!old)
		return NULL;
	n->st.closed_early++;
	close_req(n, now, old, out);
	return old;
}

void kv_node_request(struct kv_node *n, kv_time now, uint64_t wall,
		     const struct kv_request *rq, struct kv_out *out)
{
	unsigned int owners = kv_ring_owners(&n->ring);
	struct kv_req *q = NULL;
	struct kv_ent *e;
	int err = check_request(n, rq);

	if (!err)
		q = free_req(n, now, out);
	if (!err && !q)
		err = -EBUSY;
	if (err) {
		reply(n, out, rq->tag, err, NULL);
		return;
	}
	memset(q, 0, offsetof(struct kv_req, obj));
	kv_obj_init(&q->obj, KV_T_NONE);
	q->used = true;
	q->rid = ++n->next_rid;
	q->tag = rq->tag;
	q->op = rq->op;
	q->write = rq->op != KV_OP_GET;
	q->sloppy = rq->sloppy;
	q->klen = rq->klen;
	memcpy(q->key, rq->key, rq->klen);
	q->shard = kv_ring_shard(&n->ring, rq->key, rq->klen);
	q->need = q->write ? rq->w : rq->r;
	if (!q->need)
		q->need = owners / 2 + 1;
	q->sloppy_at = now + n->cfg.sloppy_after;
	q->deadline = now + n->cfg.timeout;
	if (q->write) {
		n->st.writes++;
		e = kv_store_find(n, rq->key, rq->klen);
		if (e)
			kv_obj_copy(&q->obj, &e->obj);
		err = apply(n, wall, rq, &q->obj, &q->dot);
		if (!err)
			e = kv_store_merge(n, rq->key, rq->klen, &q->obj, &err);
		if (err == -EMLINK) {
			/*
			 * The refused put left q->obj as it was: the versions
			 * go back for the client to merge.
			 */
			n->st.full++;
			memset(&q->dot, 0, sizeof(q->dot));
		}
		if (err) {
			q->used = false;
			reply(n, out, rq->tag, err, err == -EMLINK ? q : NULL);
			return;
		}
		if (out->ndirty < KV_OUT_MAX)
			out->dirty[out->ndirty++] = e;
		kv_obj_copy(&q->obj, &e->obj);
	} else {
		n->st.reads++;
	}
	send_owners(n, q, owners, out);
	if (n->moving)
		add_next_owners(n, q, out);
}

/*
 * A read of @e with no client behind it, sent to every owner: when they
 * all answer with the same tombstones, close_req() starts collecting
 * them. The collection's sweep (reap.c) sends these.
 */
void kv_coord_probe(struct kv_node *n, kv_time now, const struct kv_ent *e,
		    struct kv_out *out)
{
	unsigned int i, owners = kv_ring_owners(&n->ring);
	struct kv_req *q = NULL;

	for (i = 0; i < KV_MAX_REQS && !q; i++)
		if (!n->req[i].used)
			q = &n->req[i];
	if (!q)
		return;
	memset(q, 0, offsetof(struct kv_req, obj));
	kv_obj_init(&q->obj, KV_T_NONE);
	q->used = q->probe = true;
	q->rid = ++n->next_rid;
	q->op = KV_OP_GET;
	q->klen = e->klen;
	memcpy(q->key, e->key, e->klen);
	q->shard = e->shard;
	q->need = owners;
	q->deadline = now + n->cfg.timeout;
	send_owners(n, q, owners, out);
}

/*
 * Did every owner of the key answer this read with the same copy, the
 * merged one? Then, when that copy is tombstones only, it may be
 * collected (reap.c).
 */
static bool owners_agree(const struct kv_node *n, const struct kv_req *q,
			 uint64_t d)
{
	unsigned int owners = kv_ring_owners(&n->ring), i;

	if (q->write || q->sloppied || n->moving || n->retarget ||
	    owners != n->ring.n || q->ntargets != owners)
		return false;
	for (i = 0; i < owners; i++)
		if (q->target[i] != n->ring.owner[q->shard][i] ||
		    q->hint_for[i] != KV_NONE || q->state[i] != REQ_OK ||
		    q->digest[i] != d)
			return false;
	return true;
}

/* Every target answered, or the deadline: repair, then forget it. */
static void close_req(struct kv_node *n, kv_time now, struct kv_req *q,
		      struct kv_out *out)
{
	bool repair = q->write ? n->cfg.write_repair : n->cfg.read_repair;
	uint64_t d = kv_obj_digest(&q->obj);
	struct kv_msg *m;
	unsigned int i;

	for (i = 0; repair && i < q->ntargets; i++) {
		if (q->state[i] != REQ_OK || q->digest[i] == d)
			continue;
		m = kv_out_msg(n, out, KV_M_WRITE, q->target[i]);
		if (!m)
			break;
		m->shard = q->shard;
		m->hint_for = q->hint_for[i];
		m->klen = q->klen;
		memcpy(m->key, q->key, q->klen);
		kv_obj_copy(&m->obj, &q->obj);
		if (q->write)
			n->st.write_repairs++;
		else
			n->st.read_repairs++;
	}
	if (kv_obj_tombstone(&q->obj) && owners_agree(n, q, d))
		kv_reap_begin(n, now, q);
	q->used = false;
}

static bool all_answered(const struct kv_req *q)
{
	unsigned int i;

	for (i = 0; i < q->ntargets; i++)
		if (q->state[i] == REQ_SENT)
			return false;
	return true;
}

void kv_coord_reply(struct kv_node *n, kv_time now, const struct kv_msg *m,
		    struct kv_out *out)
{
	struct kv_req *q = NULL;
	unsigned int i;

	for (i = 0; i < KV_MAX_REQS; i++)
		if (n->req[i].used && n->req[i].rid == m->rid) {
			q = &n->req[i];
			break;
		}
	if (!q)
		return;		/* late, duplicated, or a past incarnation */
	for (i = 0; i < q->ntargets; i++)
		if (q->target[i] == m->src && q->state[i] == REQ_SENT)
			break;
	if (i == q->ntargets)
		return;
	if (m->type == KV_M_ERR) {
		q->state[i] = REQ_ERR;
		q->ring_err |= m->err == -ESTALE || m->err == -ENOENT;
		q->full |= m->err == -EMLINK;
	} else if (kv_obj_merge(&q->obj, &m->obj, n->cfg.policy)) {
		q->state[i] = REQ_ERR;
	} else {
		q->state[i] = REQ_OK;
		q->digest[i] = kv_obj_digest(&m->obj);
		q->nok += q->in_old[i];
		q->nok_next += q->in_next[i];
	}
	if (!q->done && q->nok >= q->need && q->nok_next >= q->need_next) {
		q->done = true;
		reply(n, out, q->tag, 0, q);
	}
	/*
	 * Refused for the ring while a change is under way: the commit
	 * sends it to the new owners (retarget()), or the deadline ends it.
	 */
	if (!q->done && q->ring_err && (n->moving || n->retarget))
		return;
	if (all_answered(q)) {
		if (!q->done) {
			q->done = true;
			reply(n, out, q->tag, q->full ? -EMLINK :
			      m->type == KV_M_ERR ? m->err : -EIO, q);
		}
		close_req(n, now, q, out);
	}
}

/* Stand-ins for the owners that stayed silent: the next members. */
static void go_sloppy(struct kv_node *n, struct kv_req *q, struct kv_out *out)
{
	uint8_t pref[KV_MAX_NODES];
	unsigned int np, i, j, k = kv_ring_owners(&n->ring), owners = q->ntargets;

	q->sloppied = true;
	np = kv_ring_pref(&n->ring, q->shard, pref, KV_MAX_NODES);
	for (i = 0; i < owners; i++) {
		if (q->state[i] != REQ_SENT || !q->in_old[i] || k >= np ||
		    q->ntargets == KV_TARGETS)
			continue;
		j = q->ntargets++;
		q->target[j] = pref[k++];
		q->hint_for[j] = q->target[i];
		q->in_old[j] = true;
		q->in_next[j] = false;
		send_to(n, q, j, out);
		n->st.sloppy++;
	}
}

/*
 * The change committed here while @q was in flight: the new ring's owners
 * alone count now (they caught up before the commit, and every write
 * since reached W of them), so keep what they answered and ask the rest,
 * instead of failing for a stale ring.
 */
static void retarget(struct kv_node *n, struct kv_req *q, struct kv_out *out)
{
	unsigned int owners = kv_ring_owners(&n->ring), i, j, o;
	uint8_t state[KV_TARGETS];
	uint64_t digest[KV_TARGETS];

	for (j = 0; j < owners; j++) {
		o = n->ring.owner[q->shard][j];
		state[j] = 0;
		digest[j] = 0;
		for (i = 0; i < q->ntargets; i++)
			if (q->target[i] == o && q->hint_for[i] == KV_NONE &&
			    q->state[i] != REQ_ERR) {
				state[j] = q->state[i];
				digest[j] = q->digest[i];
			}
	}
	q->ntargets = owners;
	q->nok = 0;
	q->nok_next = 0;
	q->need_next = 0;
	q->sloppied = false;
	q->ring_err = false;
	if (q->need > owners)
		q->need = owners;
	for (j = 0; j < owners; j++) {
		q->target[j] = n->ring.owner[q->shard][j];
		q->hint_for[j] = KV_NONE;
		q->in_old[j] = true;
		q->in_next[j] = false;
		q->state[j] = state[j];
		q->digest[j] = digest[j];
		q->nok += state[j] == REQ_OK;
		if (!state[j])
			send_to(n, q, j, out);
	}
	if (q->nok >= q->need) {
		q->done = true;
		reply(n, out, q->tag, 0, q);
	}
}

void kv_coord_tick(struct kv_node *n, kv_time now, struct kv_out *out)
{
	bool retarget_all = n->retarget;
	struct kv_req *q;
	unsigned int i;

	n->retarget = false;
	for (i = 0; i < KV_MAX_REQS; i++) {
		q = &n->req[i];
		if (!q->used)
			continue;
		if (retarget_all && !q->done)
			retarget(n, q, out);
		if (!q->done && q->sloppy && !q->sloppied && now >= q->sloppy_at)
			go_sloppy(n, q, out);
		if (now < q->deadline)
			continue;
		if (!q->done) {
			q->done = true;
			reply(n, out, q->tag, -ETIMEDOUT, q);
		}
		close_req(n, now, q, out);
	}
}
