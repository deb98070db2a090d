// SPDX-License-Identifier: GPL-2.0
/*
 * Placement: a key hashes to one of a fixed number of shards; each member
 * owns KV_TOKENS points of a 64-bit ring, and a shard belongs to the first
 * n distinct members clockwise of the shard's own point (the first is its
 * primary). A join takes over only the shards whose owner lists the new
 * tokens reach, about a 1/(members) share; a leave hands its shards to the
 * next members clockwise. The number of replicas per shard never grows.
 */
#include <errno.h>
#include <string.h>

#include "kv.h"

static uint64_t shard_point(unsigned int s)
{
	return kv_mix(0x5348415244ull, s);
}

static uint64_t token(unsigned int node, unsigned int i)
{
	return kv_mix(kv_mix(0x544f4bull, node + 1), i);
}

/* Index of the first token at or after @p (wrapping to 0). */
static unsigned int first_at(const struct kv_ring *r, uint64_t p)
{
	unsigned int lo = 0, hi = r->ntok;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (r->tok[mid] < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == r->ntok ? 0 : lo;
}

unsigned int kv_ring_pref(const struct kv_ring *r, unsigned int s,
			  uint8_t *out, unsigned int max)
{
	unsigned int i, j, k, n = 0;
	bool seen[KV_MAX_NODES] = { false };

	if (!r->ntok || s >= r->nshards)
		return 0;
	i = first_at(r, shard_point(s));
	for (k = 0; k < r->ntok && n < max; k++) {
		j = r->tok_node[(i + k) % r->ntok];
		if (!seen[j]) {
			seen[j] = true;
			out[n++] = j;
		}
	}
	return n;
}

static void rebuild(struct kv_ring *r)
{
	unsigned int m, i, j, s;
	uint64_t t;

	r->ntok = 0;
	for (m = 0; m < KV_MAX_NODES; m++) {
		if (!r->member[m])
			continue;
		for (i = 0; i < KV_TOKENS; i++) {
			/* insertion keeps the array sorted as it grows */
			t = token(m, i);
			for (j = r->ntok; j > 0 && r->tok[j - 1] > t; j--) {
				r->tok[j] = r->tok[j - 1];
				r->tok_node[j] = r->tok_node[j - 1];
			}
			r->tok[j] = t;
			r->tok_node[j] = m;
			r->ntok++;
		}
	}
	memset(r->owner, KV_NONE, sizeof(r->owner));
	for (s = 0; s < r->nshards; s++)
		kv_ring_pref(r, s, r->owner[s], r->n);
	r->version++;
}

int kv_ring_init(struct kv_ring *r, unsigned int nshards, unsigned int n)
{
	if (!nshards || nshards > KV_MAX_SHARDS || !n || n > KV_MAX_N)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	memset(r->owner, KV_NONE, sizeof(r->owner));
	r->nshards = nshards;
	r->n = n;
	return 0;
}

int kv_ring_join(struct kv_ring *r, unsigned int node)
{
	if (node >= KV_MAX_NODES)
		return -EINVAL;
	if (r->member[node])
		return -EEXIST;
	r->member[node] = true;
	r->nmembers++;
	rebuild(r);
	return 0;
}

int kv_ring_leave(struct kv_ring *r, unsigned int node)
{
	if (node >= KV_MAX_NODES)
		return -EINVAL;
	if (!r->member[node])
		return -ENOENT;
	r->member[node] = false;
	r->nmembers--;
	rebuild(r);
	return 0;
}

unsigned int kv_ring_shard(const struct kv_ring *r, const void *key,
			   size_t len)
{
	return kv_hash(key, len, 0) % r->nshards;
}

unsigned int kv_ring_owners(const struct kv_ring *r)
{
	return r->nmembers < r->n ? r->nmembers : r->n;
}

bool kv_ring_owns(const struct kv_ring *r, unsigned int shard,
		  unsigned int node)
{
	unsigned int i;

	if (shard >= r->nshards)
		return false;
	for (i = 0; i < r->n; i++)
		if (r->owner[shard][i] == node)
			return true;
	return false;
}
