// SPDX-License-Identifier: GPL-2.0
/*
 * Version vectors (one event counter per node), dots, and hybrid logical
 * clocks: a physical time that never runs backwards and grows past every
 * time-stamp a node has received, so causally later writes sort later
 * even when the writers' clocks disagree.
 */
#include "kv.h"

enum kv_order kv_vv_compare(const struct kv_vv *a, const struct kv_vv *b)
{
	bool less = false, more = false;
	unsigned int i;

	for (i = 0; i < KV_MAX_NODES; i++) {
		less |= a->c[i] < b->c[i];
		more |= a->c[i] > b->c[i];
	}
	if (less && more)
		return KV_CONCURRENT;
	if (less)
		return KV_BEFORE;
	return more ? KV_AFTER : KV_EQUAL;
}

void kv_vv_merge(struct kv_vv *a, const struct kv_vv *b)
{
	unsigned int i;

	for (i = 0; i < KV_MAX_NODES; i++)
		if (b->c[i] > a->c[i])
			a->c[i] = b->c[i];
}

bool kv_vv_covers(const struct kv_vv *v, struct kv_dot d)
{
	return d.ctr && d.node < KV_MAX_NODES && v->c[d.node] >= d.ctr;
}

void kv_vv_add_dot(struct kv_vv *v, struct kv_dot d)
{
	if (d.node < KV_MAX_NODES && v->c[d.node] < d.ctr)
		v->c[d.node] = d.ctr;
}

struct kv_hlc kv_hlc_tick(struct kv_hlc *h, uint64_t pt)
{
	if (pt > h->l) {
		h->l = pt;
		h->c = 0;
	} else {
		h->c++;
	}
	return *h;
}

struct kv_hlc kv_hlc_recv(struct kv_hlc *h, const struct kv_hlc *m,
			  uint64_t pt)
{
	if (m->l > h->l || (m->l == h->l && m->c > h->c)) {
		h->l = m->l;
		h->c = m->c;
	}
	return kv_hlc_tick(h, pt);
}

int kv_hlc_cmp(const struct kv_hlc *a, const struct kv_hlc *b)
{
	if (a->l != b->l)
		return a->l < b->l ? -1 : 1;
	if (a->c != b->c)
		return a->c < b->c ? -1 : 1;
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return 0;
}
