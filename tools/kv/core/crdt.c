// SPDX-License-Identifier: GPL-2.0
/*
 * The two CRDTs: a PN-counter (one increment and one decrement total per
 * node; merge takes each entry's maximum) and an add-wins observed-remove
 * set that needs no tombstones: each element carries the dot of the add
 * that made it, and the set's version vector tells a removed entry (its
 * dot seen, the entry gone) from one not yet received (dot unseen).
 * Entries stay sorted so that equal states compare and hash equal.
 */
#include <errno.h>
#include <string.h>

#include "kv.h"

void kv_pn_add(struct kv_pn *c, uint8_t node, int64_t delta)
{
	if (node >= KV_MAX_NODES)
		return;
	if (delta >= 0)
		c->p[node] += (uint64_t)delta;
	else
		c->n[node] += -(uint64_t)delta;
}

int64_t kv_pn_value(const struct kv_pn *c)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < KV_MAX_NODES; i++)
		v += c->p[i] - c->n[i];
	return (int64_t)v;
}

void kv_pn_merge(struct kv_pn *a, const struct kv_pn *b)
{
	unsigned int i;

	for (i = 0; i < KV_MAX_NODES; i++) {
		if (b->p[i] > a->p[i])
			a->p[i] = b->p[i];
		if (b->n[i] > a->n[i])
			a->n[i] = b->n[i];
	}
}

static int ent_cmp(const char *ea, struct kv_dot da, const char *eb,
		   struct kv_dot db)
{
	int c = strcmp(ea, eb);

	if (c)
		return c;
	if (da.node != db.node)
		return da.node < db.node ? -1 : 1;
	if (da.ctr != db.ctr)
		return da.ctr < db.ctr ? -1 : 1;
	return 0;
}

/* Insert keeping the order; the caller checked there is room. */
static void insert(struct kv_orset *s, const char *e, struct kv_dot d)
{
	unsigned int i = s->n;

	while (i > 0 && ent_cmp(s->ent[i - 1].e, s->ent[i - 1].dot, e, d) > 0) {
		s->ent[i] = s->ent[i - 1];
		i--;
	}
	memset(s->ent[i].e, 0, KV_ELEM_MAX);
	strcpy(s->ent[i].e, e);
	s->ent[i].dot = d;
	s->n++;
}

void kv_orset_remove(struct kv_orset *s, const char *e)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->ent[i].e, e))
			s->ent[n++] = s->ent[i];
	s->n = n;
}

int kv_orset_add(struct kv_orset *s, uint8_t node, const char *e)
{
	unsigned int i, same = 0;
	struct kv_dot d;

	if (node >= KV_MAX_NODES || !e[0] || strlen(e) >= KV_ELEM_MAX)
		return -EINVAL;
	for (i = 0; i < s->n; i++)
		same += !strcmp(s->ent[i].e, e);
	if (s->n - same >= KV_SET_MAX)
		return -ENOSPC;
	/* the new add supersedes the element's older dots */
	kv_orset_remove(s, e);
	d.node = node;
	d.ctr = ++s->vv.c[node];
	insert(s, e, d);
	return 0;
}

bool kv_orset_has(const struct kv_orset *s, const char *e)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->ent[i].e, e))
			return true;
	return false;
}

static bool holds(const struct kv_orset *s, const char *e, struct kv_dot d)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (!ent_cmp(s->ent[i].e, s->ent[i].dot, e, d))
			return true;
	return false;
}

int kv_orset_merge(struct kv_orset *a, const struct kv_orset *b)
{
	struct kv_orset r;
	unsigned int i;
	int err = 0;

	memset(&r, 0, sizeof(r));
	r.vv = a->vv;
	kv_vv_merge(&r.vv, &b->vv);
	/* kept: in both, or new to the other side (its dot unseen there) */
	for (i = 0; i < a->n; i++) {
		if (!holds(b, a->ent[i].e, a->ent[i].dot) &&
		    kv_vv_covers(&b->vv, a->ent[i].dot))
			continue;
		if (r.n == KV_SET_MAX) {
			err = -ENOSPC;
			break;
		}
		insert(&r, a->ent[i].e, a->ent[i].dot);
	}
	for (i = 0; i < b->n; i++) {
		if (holds(a, b->ent[i].e, b->ent[i].dot) ||
		    kv_vv_covers(&a->vv, b->ent[i].dot))
			continue;
		if (r.n == KV_SET_MAX) {
			err = -ENOSPC;
			break;
		}
		insert(&r, b->ent[i].e, b->ent[i].dot);
	}
	*a = r;
	return err;
}

bool kv_orset_equal(const struct kv_orset *a, const struct kv_orset *b)
{
	unsigned int i;

	if (a->n != b->n || kv_vv_compare(&a->vv, &b->vv) != KV_EQUAL)
		return false;
	for (i = 0; i < a->n; i++)
		if (ent_cmp(a->ent[i].e, a->ent[i].dot, b->ent[i].e,
			    b->ent[i].dot))
			return false;
	return true;
}
