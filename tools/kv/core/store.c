// SPDX-License-Identifier: GPL-2.0
/*
 * A node's local copies: a chained hash table of objects by key, and one
 * Merkle tree per shard kept in step with every change. Everything a
 * write changes goes on the batch's dirty list; a node with a disk
 * persists those entries before it sends the batch's acknowledgements.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

static unsigned int bucket_of(uint64_t h)
{
	return h % KV_BUCKETS;
}

struct kv_ent *kv_store_find(struct kv_node *n, const char *key,
			     unsigned int klen)
{
	uint64_t h = kv_hash(key, klen, 0);
	struct kv_ent *e;

	for (e = n->bucket[bucket_of(h)]; e; e = e->next)
		if (e->keyhash == h && e->klen == klen &&
		    !memcmp(e->key, key, klen))
			return e;
	return NULL;
}

struct kv_ent *kv_store_merge(struct kv_node *n, const char *key,
			      unsigned int klen, const struct kv_obj *o,
			      int *err)
{
	struct kv_ent *e = kv_store_find(n, key, klen);
	uint64_t old;

	*err = 0;
	if (!klen || klen > KV_KEY_MAX) {
		*err = -EINVAL;
		return NULL;
	}
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e) {
			*err = -ENOMEM;
			return NULL;
		}
		e->keyhash = kv_hash(key, klen, 0);
		e->shard = kv_ring_shard(&n->ring, key, klen);
		e->klen = klen;
		memcpy(e->key, key, klen);
		e->next = n->bucket[bucket_of(e->keyhash)];
		n->bucket[bucket_of(e->keyhash)] = e;
		e->all_next = n->all;
		n->all = e;
		n->nkeys++;
	}
	old = e->digest;
	n->ntombs -= kv_obj_tombstone(&e->obj);
	*err = kv_obj_merge(&e->obj, o, n->cfg.policy);
	n->ntombs += kv_obj_tombstone(&e->obj);
	if (*err)
		return e;
	if (e->obj.overflow)
		n->st.overflow++;
	if (e->obj.type == KV_T_REG && e->obj.nsib > n->st.max_sibs)
		n->st.max_sibs = e->obj.nsib;
	e->digest = kv_obj_digest(&e->obj);
	kv_merkle_update(&n->tree[e->shard], e->keyhash, old, e->digest);
	return e;
}

void kv_store_drop(struct kv_node *n, struct kv_ent *e)
{
	struct kv_ent **p;

	for (p = &n->bucket[bucket_of(e->keyhash)]; *p != e; p = &(*p)->next)
		;
	*p = e->next;
	for (p = &n->all; *p != e; p = &(*p)->all_next)
		;
	*p = e->all_next;
	kv_merkle_update(&n->tree[e->shard], e->keyhash, e->digest, 0);
	n->nkeys--;
	n->ntombs -= kv_obj_tombstone(&e->obj);
	free(e);
}

void kv_store_leaf(struct kv_node *n, unsigned int s, unsigned int leaf,
		   void (*fn)(struct kv_node *, struct kv_ent *, void *),
		   void *arg)
{
	struct kv_ent *e;

	for (e = n->all; e; e = e->all_next)
		if (e->shard == s &&
		    kv_merkle_leaf(&n->tree[s], e->keyhash) == leaf)
			fn(n, e, arg);
}

void kv_store_forget(struct kv_node *n, struct kv_ent *e, struct kv_out *out)
{
	uint64_t c = kv_next_ctr(&e->obj, n->cfg.self, n->dot_floor) - 1;
	unsigned int i;

	if (c > n->dot_floor)
		n->dot_floor = c;
	if (out) {
		out->floor_dirty = true;
		for (i = 0; i < out->ndirty; i++)
			if (out->dirty[i] == e)
				out->dirty[i--] = out->dirty[--out->ndirty];
		if (out->ngone < KV_OUT_MAX) {
			out->gone[out->ngone].klen = e->klen;
			memcpy(out->gone[out->ngone].key, e->key, e->klen);
			out->ngone++;
		}
	}
	kv_store_drop(n, e);
}
