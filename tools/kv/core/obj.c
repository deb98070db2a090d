// SPDX-License-Identifier: GPL-2.0
/*
 * A register's versions. Under KV_POL_SIBLINGS a version survives until
 * a write whose context covers its dot replaces it, so concurrent writes
 * come back to the client together (siblings) for it to merge; under
 * KV_POL_LWW only the largest hybrid time-stamp survives. Counters and
 * sets merge as CRDTs (crdt.c). Every merge is commutative, associative
 * and idempotent: replicas may exchange whole objects in any order.
 *
 * Dots stay unambiguous because a coordinator numbers a write from its
 * own durable copy of the key and ships that whole copy: an object that
 * holds dot (X, n) also holds, or covers, X's earlier dots for the key.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "kv.h"

void kv_obj_init(struct kv_obj *o, enum kv_type t)
{
	/*
	 * A register reads only its nsib siblings: leave the rest alone,
	 * the simulator makes millions of these. CRDTs read all of theirs.
	 */
	if (t == KV_T_COUNTER || t == KV_T_SET)
		memset(o, 0, sizeof(*o));
	o->type = t;
	o->nsib = 0;
	o->overflow = 0;
}

static int dot_cmp(struct kv_dot a, struct kv_dot b)
{
	if (a.node != b.node)
		return a.node < b.node ? -1 : 1;
	if (a.ctr != b.ctr)
		return a.ctr < b.ctr ? -1 : 1;
	return 0;
}

/* Does another version of @o supersede the one with dot @d? */
static bool superseded(const struct kv_obj *o, struct kv_dot d)
{
	unsigned int i;

	for (i = 0; i < o->nsib; i++)
		if (dot_cmp(o->u.sib[i].dot, d) &&
		    kv_vv_covers(&o->u.sib[i].ctx, d))
			return true;
	return false;
}

static bool has_dot(const struct kv_sib *s, unsigned int n, struct kv_dot d)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!dot_cmp(s[i].dot, d))
			return true;
	return false;
}

static int sib_cmp_dot(const struct kv_sib *a, const struct kv_sib *b)
{
	return dot_cmp(a->dot, b->dot);
}

/* Insertion sort by dot: a handful of entries, canonical order. */
static void sort_sibs(struct kv_sib *s, unsigned int n)
{
	struct kv_sib t;
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		t = s[i];
		for (j = i; j > 0 && sib_cmp_dot(&s[j - 1], &t) > 0; j--)
			s[j] = s[j - 1];
		s[j] = t;
	}
}

/*
 * The overflow's order: newest time-stamp first, then the dot, so that
 * which versions survive depends only on the versions, never on the
 * order they arrived in. A version written from a context that covered
 * another carries a larger time-stamp than it (the client passes the
 * largest time-stamp it read, and the HLC moves past it), so a version
 * never ranks above one that supersedes it.
 */
static int newer(const struct kv_sib *a, const struct kv_sib *b)
{
	int c = kv_hlc_cmp(&a->ts, &b->ts);

	return c ? c : dot_cmp(a->dot, b->dot);
}

/*
 * More versions than an object holds: keep the KV_MAX_SIB newest, and say
 * that data was dropped (kv_obj_admit() keeps writes from getting near).
 * Not associative (no bounded rule is: a version dropped here for want
 * of room may fit at a replica where a newer one superseded others
 * first), but replicas that exchange their states agree: a version one
 * of them kept and another dropped ranks below all that the other kept,
 * so the exchange drops it there too (the merge of a state into one it
 * produced changes nothing). kv_version_test checks that over random
 * histories.
 */
static void trim(struct kv_obj *o, struct kv_sib *all, unsigned int n)
{
	struct kv_sib t;
	unsigned int i, j;

	if (n > KV_MAX_SIB) {
		for (i = 1; i < n; i++) {
			t = all[i];
			for (j = i; j > 0 && newer(&all[j - 1], &t) < 0; j--)
				all[j] = all[j - 1];
			all[j] = t;
		}
		n = KV_MAX_SIB;
		o->overflow = 1;
	}
	sort_sibs(all, n);
	memcpy(o->u.sib, all, n * sizeof(*all));
	o->nsib = n;
}

static void merge_reg(struct kv_obj *dst, const struct kv_obj *src,
		      enum kv_policy pol)
{
	struct kv_sib all[2 * KV_MAX_SIB];
	unsigned int i, n = 0, best;

	if (pol == KV_POL_LWW) {
		if (!src->nsib)
			return;
		best = 0;
		for (i = 1; i < src->nsib; i++)
			if (kv_hlc_cmp(&src->u.sib[i].ts,
				       &src->u.sib[best].ts) > 0)
				best = i;
		if (!dst->nsib ||
		    kv_hlc_cmp(&src->u.sib[best].ts, &dst->u.sib[0].ts) > 0) {
			dst->u.sib[0] = src->u.sib[best];
			dst->nsib = 1;
		}
		return;
	}
	for (i = 0; i < dst->nsib; i++)
		if (!superseded(src, dst->u.sib[i].dot))
			all[n++] = dst->u.sib[i];
	for (i = 0; i < src->nsib; i++)
		if (!has_dot(all, n, src->u.sib[i].dot) &&
		    !superseded(dst, src->u.sib[i].dot))
			all[n++] = src->u.sib[i];
	trim(dst, all, n);
}

/* How many versions merge_reg() would keep, before any trim. */
static unsigned int merged_size(const struct kv_obj *dst,
				const struct kv_obj *src)
{
	unsigned int i, j, n = 0;
	bool dup;

	for (i = 0; i < dst->nsib; i++)
		n += !superseded(src, dst->u.sib[i].dot);
	for (i = 0; i < src->nsib; i++) {
		dup = false;
		for (j = 0; j < dst->nsib && !dup; j++)
			dup = !dot_cmp(dst->u.sib[j].dot, src->u.sib[i].dot) &&
			      !superseded(src, dst->u.sib[j].dot);
		n += !dup && !superseded(dst, src->u.sib[i].dot);
	}
	return n;
}

/*
 * Writes make versions; merges only gather them. A node admits a write
 * only while its copy, after it, holds at most KV_SIB_LIMIT versions or
 * fewer than before (a write from a read's context replaces what that
 * read returned). An object grows past the limit only by merging the
 * copies of nodes that each admitted writes on their own (replicas
 * apart in a partition, a coordinator whose copy was behind), and
 * KV_MAX_SIB leaves room for four such copies (Documentation/kv.rst).
 */
int kv_obj_admit(const struct kv_obj *cur, const struct kv_obj *in,
		 enum kv_policy pol)
{
	unsigned int n;

	if (pol != KV_POL_SIBLINGS || cur->type != KV_T_REG ||
	    in->type != KV_T_REG)
		return 0;
	n = merged_size(cur, in);
	return n > KV_SIB_LIMIT && n > cur->nsib ? -EMLINK : 0;
}

int kv_obj_merge(struct kv_obj *dst, const struct kv_obj *src,
		 enum kv_policy pol)
{
	if (src->type == KV_T_NONE)
		return 0;
	if (dst->type == KV_T_NONE) {
		kv_obj_copy(dst, src);
		return 0;
	}
	if (dst->type != src->type)
		return -EINVAL;
	dst->overflow |= src->overflow;
	switch (dst->type) {
	case KV_T_REG:
		merge_reg(dst, src, pol);
		return 0;
	case KV_T_COUNTER:
		kv_pn_merge(&dst->u.pn, &src->u.pn);
		return 0;
	case KV_T_SET:
		if (kv_orset_merge(&dst->u.set, &src->u.set))
			dst->overflow = 1;
		return 0;
	}
	return -EINVAL;
}

int kv_obj_put(struct kv_obj *o, enum kv_policy pol, const struct kv_vv *ctx,
	       struct kv_dot dot, struct kv_hlc ts, const void *val,
	       size_t len, bool del)
{
	struct kv_obj one;
	struct kv_sib *s = &one.u.sib[0];

	if (len > KV_VAL_MAX)
		return -EINVAL;
	if (o->type != KV_T_NONE && o->type != KV_T_REG)
		return -EINVAL;
	kv_obj_init(&one, KV_T_REG);
	one.nsib = 1;
	s->dot = dot;
	s->ctx = *ctx;
	s->ts = ts;
	s->del = del;
	s->len = len;
	if (len)
		memcpy(s->val, val, len);
	if (kv_obj_admit(o, &one, pol))
		return -EMLINK;
	return kv_obj_merge(o, &one, pol);
}

void kv_obj_copy(struct kv_obj *dst, const struct kv_obj *src)
{
	if (src->type == KV_T_REG || src->type == KV_T_NONE)
		memcpy(dst, src, offsetof(struct kv_obj, u.sib) +
		       src->nsib * sizeof(src->u.sib[0]));
	else
		*dst = *src;
}

void kv_obj_context(const struct kv_obj *o, struct kv_vv *ctx)
{
	unsigned int i;

	memset(ctx, 0, sizeof(*ctx));
	if (o->type != KV_T_REG)
		return;
	for (i = 0; i < o->nsib; i++) {
		kv_vv_merge(ctx, &o->u.sib[i].ctx);
		kv_vv_add_dot(ctx, o->u.sib[i].dot);
	}
}

struct kv_hlc kv_obj_maxts(const struct kv_obj *o)
{
	struct kv_hlc m = { 0 };
	unsigned int i;

	if (o->type != KV_T_REG)
		return m;
	for (i = 0; i < o->nsib; i++)
		if (kv_hlc_cmp(&o->u.sib[i].ts, &m) > 0)
			m = o->u.sib[i].ts;
	return m;
}

bool kv_obj_covers(const struct kv_obj *o, struct kv_dot d)
{
	unsigned int i;

	if (o->type != KV_T_REG)
		return false;
	for (i = 0; i < o->nsib; i++)
		if (!dot_cmp(o->u.sib[i].dot, d) ||
		    kv_vv_covers(&o->u.sib[i].ctx, d))
			return true;
	return false;
}

static uint64_t hash_sib(uint64_t h, const struct kv_sib *s)
{
	h = kv_mix(h, s->dot.node);
	h = kv_mix(h, s->dot.ctr);
	h = kv_mix(h, kv_hash(&s->ctx, sizeof(s->ctx), 0));
	h = kv_mix(h, s->ts.l);
	h = kv_mix(h, ((uint64_t)s->ts.c << 8) | s->ts.node);
	h = kv_mix(h, s->del);
	return kv_mix(h, kv_hash(s->val, s->len, 0));
}

uint64_t kv_obj_digest(const struct kv_obj *o)
{
	uint64_t h = kv_mix(0x6b76, o->type);
	unsigned int i;

	switch (o->type) {
	case KV_T_REG:
		for (i = 0; i < o->nsib; i++)
			h = hash_sib(h, &o->u.sib[i]);
		break;
	case KV_T_COUNTER:
		h = kv_mix(h, kv_hash(&o->u.pn, sizeof(o->u.pn), 0));
		break;
	case KV_T_SET:
		h = kv_mix(h, kv_hash(&o->u.set.vv, sizeof(o->u.set.vv), 0));
		for (i = 0; i < o->u.set.n; i++) {
			h = kv_mix(h, kv_hash(o->u.set.ent[i].e,
					      strlen(o->u.set.ent[i].e), 0));
			h = kv_mix(h, o->u.set.ent[i].dot.node);
			h = kv_mix(h, o->u.set.ent[i].dot.ctr);
		}
		break;
	}
	return h ? h : 1;
}

unsigned int kv_obj_live(const struct kv_obj *o)
{
	unsigned int i, n = 0;

	if (o->type != KV_T_REG)
		return 0;
	for (i = 0; i < o->nsib; i++)
		n += !o->u.sib[i].del;
	return n;
}

bool kv_obj_tombstone(const struct kv_obj *o)
{
	return o->type == KV_T_REG && o->nsib && !kv_obj_live(o);
}

unsigned int kv_obj_forget(struct kv_obj *o, const struct kv_obj *t,
			   enum kv_policy pol)
{
	struct kv_hlc top = kv_obj_maxts(t);
	unsigned int i, n = 0;
	bool gone;

	if (o->type != KV_T_REG || t->type != KV_T_REG)
		return o->type == KV_T_NONE ? 0 : 1;
	for (i = 0; i < o->nsib; i++) {
		gone = pol == KV_POL_LWW ?
		       kv_hlc_cmp(&o->u.sib[i].ts, &top) <= 0 :
		       kv_obj_covers(t, o->u.sib[i].dot);
		if (!gone)
			o->u.sib[n++] = o->u.sib[i];
	}
	o->nsib = n;
	return n;
}
