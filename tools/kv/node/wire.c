// SPDX-License-Identifier: GPL-2.0
/*
 * Encoding and checked decoding of the store's datagrams and stored
 * objects (wire.h). Version vectors travel sparse (only non-zero
 * entries); a reader that runs out of bytes, meets a count over a limit
 * or has bytes left over refuses the whole datagram.
 */
#include <errno.h>
#include <string.h>

#include "wire.h"

struct wb {
	uint8_t *p;
	size_t len, cap;
	bool over;
};

struct rb {
	const uint8_t *p;
	size_t len, off;
	const char *bad;
};

static void put(struct wb *w, const void *v, size_t n)
{
	if (w->over || w->len + n > w->cap) {
		w->over = true;
		return;
	}
	memcpy(w->p + w->len, v, n);
	w->len += n;
}

/* The part of an oversized key or value the request does not hold. */
static void pad(struct wb *w, size_t n)
{
	if (w->over || w->len + n > w->cap) {
		w->over = true;
		return;
	}
	memset(w->p + w->len, 'x', n);
	w->len += n;
}

static void put_u(struct wb *w, uint64_t v, unsigned int bytes)
{
	uint8_t b[8];
	unsigned int i;

	for (i = 0; i < bytes; i++)
		b[i] = v >> (8 * i);
	put(w, b, bytes);
}

static uint64_t get_u(struct rb *r, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	if (r->bad || r->off + bytes > r->len) {
		if (!r->bad)
			r->bad = "truncated";
		return 0;
	}
	for (i = 0; i < bytes; i++)
		v |= (uint64_t)r->p[r->off + i] << (8 * i);
	r->off += bytes;
	return v;
}

static void get(struct rb *r, void *v, size_t n)
{
	if (r->bad || r->off + n > r->len) {
		if (!r->bad)
			r->bad = "truncated";
		memset(v, 0, n);
		return;
	}
	memcpy(v, r->p + r->off, n);
	r->off += n;
}

static void fail(struct rb *r, const char *why)
{
	if (!r->bad)
		r->bad = why;
}

static void put_vv(struct wb *w, const struct kv_vv *v)
{
	unsigned int i, n = 0;

	for (i = 0; i < KV_MAX_NODES; i++)
		n += !!v->c[i];
	put_u(w, n, 1);
	for (i = 0; i < KV_MAX_NODES; i++)
		if (v->c[i]) {
			put_u(w, i, 1);
			put_u(w, v->c[i], 8);
		}
}

/* One encoding per value: entries by increasing node, none zero. */
static void get_vv(struct rb *r, struct kv_vv *v)
{
	unsigned int n = get_u(r, 1), i, k;
	int last = -1;

	memset(v, 0, sizeof(*v));
	if (n > KV_MAX_NODES)
		fail(r, "version vector too long");
	for (i = 0; i < n && !r->bad; i++) {
		k = get_u(r, 1);
		if (k >= KV_MAX_NODES || (int)k <= last) {
			fail(r, "version vector entries out of order");
			break;
		}
		last = k;
		v->c[k] = get_u(r, 8);
		if (!v->c[k])
			fail(r, "a zero version vector entry");
	}
}

/* A flag byte: 0 or 1, nothing else. */
static bool get_flag(struct rb *r)
{
	unsigned int v = get_u(r, 1);

	if (v > 1)
		fail(r, "a flag other than 0 or 1");
	return v;
}

static void put_dot(struct wb *w, struct kv_dot d)
{
	put_u(w, d.node, 1);
	put_u(w, d.ctr, 8);
}

static struct kv_dot get_dot(struct rb *r)
{
	struct kv_dot d;

	d.node = get_u(r, 1);
	d.ctr = get_u(r, 8);
	if (d.ctr && d.node >= KV_MAX_NODES)
		fail(r, "dot of an unknown node");
	return d;
}

static void put_hlc(struct wb *w, const struct kv_hlc *h)
{
	put_u(w, h->l, 8);
	put_u(w, h->c, 4);
	put_u(w, h->node, 1);
}

static void get_hlc(struct rb *r, struct kv_hlc *h)
{
	h->l = get_u(r, 8);
	h->c = get_u(r, 4);
	h->node = get_u(r, 1);
}

static void wobj(struct wb *w, const struct kv_obj *o)
{
	unsigned int i;

	put_u(w, o->type, 1);
	put_u(w, o->overflow, 1);
	switch (o->type) {
	case KV_T_REG:
		put_u(w, o->nsib, 1);
		for (i = 0; i < o->nsib; i++) {
			const struct kv_sib *s = &o->u.sib[i];

			put_dot(w, s->dot);
			put_vv(w, &s->ctx);
			put_hlc(w, &s->ts);
			put_u(w, s->del, 1);
			put_u(w, s->len, 1);
			put(w, s->val, s->len);
		}
		break;
	case KV_T_COUNTER:
		for (i = 0; i < KV_MAX_NODES; i++) {
			put_u(w, o->u.pn.p[i], 8);
			put_u(w, o->u.pn.n[i], 8);
		}
		break;
	case KV_T_SET:
		put_vv(w, &o->u.set.vv);
		put_u(w, o->u.set.n, 1);
		for (i = 0; i < o->u.set.n; i++) {
			size_t l = strlen(o->u.set.ent[i].e);

			put_u(w, l, 1);
			put(w, o->u.set.ent[i].e, l);
			put_dot(w, o->u.set.ent[i].dot);
		}
		break;
	}
}

static void robj(struct rb *r, struct kv_obj *o)
{
	unsigned int i, t = get_u(r, 1), l;

	kv_obj_init(o, KV_T_NONE);
	if (t > KV_T_SET) {
		fail(r, "unknown object type");
		return;
	}
	kv_obj_init(o, t);
	o->overflow = get_flag(r);
	switch (t) {
	case KV_T_REG:
		o->nsib = get_u(r, 1);
		if (o->nsib > KV_MAX_SIB) {
			fail(r, "too many siblings");
			o->nsib = 0;
		}
		for (i = 0; i < o->nsib && !r->bad; i++) {
			struct kv_sib *s = &o->u.sib[i];

			s->dot = get_dot(r);
			get_vv(r, &s->ctx);
			get_hlc(r, &s->ts);
			s->del = get_flag(r);
			s->len = get_u(r, 1);
			if (s->len > KV_VAL_MAX)
				fail(r, "value too long");
			else
				get(r, s->val, s->len);
		}
		break;
	case KV_T_COUNTER:
		for (i = 0; i < KV_MAX_NODES; i++) {
			o->u.pn.p[i] = get_u(r, 8);
			o->u.pn.n[i] = get_u(r, 8);
		}
		break;
	case KV_T_SET:
		get_vv(r, &o->u.set.vv);
		o->u.set.n = get_u(r, 1);
		if (o->u.set.n > KV_SET_MAX) {
			fail(r, "set too large");
			o->u.set.n = 0;
		}
		for (i = 0; i < o->u.set.n && !r->bad; i++) {
			l = get_u(r, 1);
			if (!l || l >= KV_ELEM_MAX) {
				fail(r, "bad set element");
				break;
			}
			get(r, o->u.set.ent[i].e, l);
			if (memchr(o->u.set.ent[i].e, 0, l))
				fail(r, "NUL in a set element");
			o->u.set.ent[i].dot = get_dot(r);
		}
		break;
	}
}

static void header(struct wb *w, unsigned int kind)
{
	put_u(w, KVW_MAGIC, 2);
	put_u(w, KVW_VERSION, 1);
	put_u(w, kind, 1);
}

static size_t done(struct wb *w)
{
	return w->over ? 0 : w->len;
}

static int end(struct rb *r, const char **why)
{
	if (!r->bad && r->off != r->len)
		r->bad = "bytes left over";
	*why = r->bad;
	return r->bad ? -EBADMSG : 0;
}

int kvw_kind(const uint8_t *buf, size_t len)
{
	if (len < 4 || (buf[0] | buf[1] << 8) != KVW_MAGIC ||
	    buf[2] != KVW_VERSION || buf[3] < KVW_PEER || buf[3] > KVW_REP)
		return -EBADMSG;
	return buf[3];
}

size_t kvw_put_obj(uint8_t *buf, size_t cap, const struct kv_obj *o)
{
	struct wb w = { .p = buf, .cap = cap };

	wobj(&w, o);
	return done(&w);
}

int kvw_get_obj(const uint8_t *buf, size_t len, struct kv_obj *o,
		const char **why)
{
	struct rb r = { .p = buf, .len = len };

	robj(&r, o);
	return end(&r, why);
}

size_t kvw_put_msg(uint8_t *buf, size_t cap, const struct kv_msg *m)
{
	struct wb w = { .p = buf, .cap = cap };
	unsigned int i;

	header(&w, KVW_PEER);
	put_u(&w, m->type, 1);
	put_u(&w, m->src, 1);
	put_u(&w, m->dst, 1);
	put_u(&w, m->hint_for, 1);
	put_u(&w, m->ring_ver, 4);
	put_u(&w, m->rid, 8);
	put_u(&w, m->shard, 2);
	put_u(&w, (uint16_t)m->err, 2);
	put_u(&w, m->klen, 1);
	put(&w, m->key, m->klen);
	put_u(&w, m->level, 1);
	put_u(&w, m->nidx, 1);
	for (i = 0; i < m->nidx; i++) {
		put_u(&w, m->idx[i], 2);
		put_u(&w, m->hash[i], 8);
	}
	wobj(&w, &m->obj);
	return done(&w);
}

int kvw_get_msg(const uint8_t *buf, size_t len, struct kv_msg *m,
		const char **why)
{
	struct rb r = { .p = buf, .len = len, .off = 4 };
	unsigned int i;

	memset(m, 0, offsetof(struct kv_msg, obj));
	if (kvw_kind(buf, len) != KVW_PEER) {
		*why = "not a peer message";
		return -EBADMSG;
	}
	m->type = get_u(&r, 1);
	m->src = get_u(&r, 1);
	m->dst = get_u(&r, 1);
	m->hint_for = get_u(&r, 1);
	m->ring_ver = get_u(&r, 4);
	m->rid = get_u(&r, 8);
	m->shard = get_u(&r, 2);
	m->err = (int16_t)get_u(&r, 2);
	m->klen = get_u(&r, 1);
	if (m->klen > KV_KEY_MAX)
		fail(&r, "key too long");
	else
		get(&r, m->key, m->klen);
	m->level = get_u(&r, 1);
	m->nidx = get_u(&r, 1);
	if (m->nidx > KV_AE_MAX)
		fail(&r, "too many tree nodes");
	for (i = 0; i < m->nidx && !r.bad; i++) {
		m->idx[i] = get_u(&r, 2);
		m->hash[i] = get_u(&r, 8);
	}
	robj(&r, &m->obj);
	return end(&r, why);
}

size_t kvw_put_req(uint8_t *buf, size_t cap, const struct kvw_req *q)
{
	struct wb w = { .p = buf, .cap = cap };
	const struct kv_request *rq = &q->rq;

	header(&w, KVW_REQ);
	put_u(&w, rq->tag, 8);
	put_u(&w, q->ring_ver, 4);
	put_u(&w, rq->op, 1);
	put_u(&w, rq->r, 1);
	put_u(&w, rq->w, 1);
	put_u(&w, rq->sloppy, 1);
	put_u(&w, q->klen, 2);
	put(&w, rq->key, rq->klen);
	pad(&w, q->klen - rq->klen);
	put_u(&w, q->vlen, 2);
	put(&w, rq->val, rq->vlen);
	pad(&w, q->vlen - rq->vlen);
	put_u(&w, (uint64_t)rq->delta, 8);
	put_u(&w, strnlen(rq->elem, KV_ELEM_MAX), 1);
	put(&w, rq->elem, strnlen(rq->elem, KV_ELEM_MAX));
	put_vv(&w, &rq->ctx);
	put_hlc(&w, &rq->ctx_ts);
	put_u(&w, q->idem_client, 8);
	put_u(&w, q->idem_seq, 8);
	return done(&w);
}

/* Skip @n bytes that are too many to keep (an oversized key or value). */
static void skip(struct rb *r, size_t n)
{
	if (r->bad || r->off + n > r->len)
		fail(r, "truncated");
	else
		r->off += n;
}

int kvw_get_req(const uint8_t *buf, size_t len, struct kvw_req *q,
		const char **why)
{
	struct rb r = { .p = buf, .len = len, .off = 4 };
	struct kv_request *rq = &q->rq;
	bool big = false;
	unsigned int l;

	memset(q, 0, sizeof(*q));
	if (kvw_kind(buf, len) != KVW_REQ) {
		*why = "not a request";
		return -EBADMSG;
	}
	rq->tag = get_u(&r, 8);
	q->ring_ver = get_u(&r, 4);
	rq->op = get_u(&r, 1);
	rq->r = get_u(&r, 1);
	rq->w = get_u(&r, 1);
	rq->sloppy = get_flag(&r);
	q->klen = get_u(&r, 2);
	if (q->klen > KV_KEY_MAX) {
		big = true;
		skip(&r, q->klen);
	} else {
		rq->klen = q->klen;
		get(&r, rq->key, q->klen);
	}
	q->vlen = get_u(&r, 2);
	if (q->vlen > KV_VAL_MAX) {
		big = true;
		skip(&r, q->vlen);
	} else {
		rq->vlen = q->vlen;
		get(&r, rq->val, q->vlen);
	}
	rq->delta = (int64_t)get_u(&r, 8);
	l = get_u(&r, 1);
	if (l >= KV_ELEM_MAX)
		big = true;
	if (l < KV_ELEM_MAX)
		get(&r, rq->elem, l);
	else
		skip(&r, l);
	if (memchr(rq->elem, 0, l < KV_ELEM_MAX ? l : 0))
		fail(&r, "NUL in a set element");
	get_vv(&r, &rq->ctx);
	get_hlc(&r, &rq->ctx_ts);
	q->idem_client = get_u(&r, 8);
	q->idem_seq = get_u(&r, 8);
	if (end(&r, why))
		return -EBADMSG;
	return big ? -E2BIG : 0;
}

size_t kvw_put_rep(uint8_t *buf, size_t cap, const struct kvw_rep *p)
{
	struct wb w = { .p = buf, .cap = cap };
	size_t l = strnlen(p->info, KVW_INFO - 1);

	header(&w, KVW_REP);
	put_u(&w, p->rep.tag, 8);
	put_u(&w, (uint32_t)p->rep.err, 4);
	put_u(&w, p->rep.acks, 1);
	put_dot(&w, p->rep.dot);
	put_u(&w, l, 2);
	put(&w, p->info, l);
	wobj(&w, &p->rep.obj);
	return done(&w);
}

int kvw_get_rep(const uint8_t *buf, size_t len, struct kvw_rep *p,
		const char **why)
{
	struct rb r = { .p = buf, .len = len, .off = 4 };
	unsigned int l;

	memset(p, 0, offsetof(struct kvw_rep, rep.obj));
	memset(p->info, 0, sizeof(p->info));
	if (kvw_kind(buf, len) != KVW_REP) {
		*why = "not a reply";
		return -EBADMSG;
	}
	p->rep.tag = get_u(&r, 8);
	p->rep.err = (int32_t)get_u(&r, 4);
	p->rep.acks = get_u(&r, 1);
	p->rep.dot = get_dot(&r);
	l = get_u(&r, 2);
	if (l >= KVW_INFO)
		fail(&r, "info too long");
	else
		get(&r, p->info, l);
	if (l < KVW_INFO && memchr(p->info, 0, l))
		fail(&r, "NUL in the info text");
	robj(&r, &p->rep.obj);
	return end(&r, why);
}
