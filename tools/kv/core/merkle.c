// SPDX-License-Identifier: GPL-2.0
/*
 * A shard's Merkle tree: each key lands in one leaf by its hash's top
 * bits; a leaf is the XOR of its keys' (key, version digest) hashes, so a
 * write updates it without reading the other keys, and each inner node
 * hashes its two children. Two replicas compare level by level and only
 * descend where hashes differ: k differing keys cost about 2k hashes per
 * level, O(k log n) in all, instead of n.
 */
#include <errno.h>
#include <stdlib.h>

#include "kv.h"

#define MERKLE_MAX_DEPTH 15	/* node indices fit uint16_t */

static void fix_path(struct kv_merkle *m, unsigned int i)
{
	for (i /= 2; i; i /= 2)
		m->h[i] = kv_mix(m->h[2 * i], m->h[2 * i + 1]);
}

int kv_merkle_init(struct kv_merkle *m, unsigned int depth)
{
	unsigned int i, first;

	if (!depth || depth > MERKLE_MAX_DEPTH)
		return -EINVAL;
	m->depth = depth;
	m->h = calloc(2u << depth, sizeof(*m->h));
	if (!m->h)
		return -ENOMEM;
	first = 1u << depth;
	for (i = first - 1; i; i--)
		m->h[i] = kv_mix(m->h[2 * i], m->h[2 * i + 1]);
	return 0;
}

void kv_merkle_free(struct kv_merkle *m)
{
	free(m->h);
	m->h = NULL;
}

unsigned int kv_merkle_leaf(const struct kv_merkle *m, uint64_t keyhash)
{
	return keyhash >> (64 - m->depth);
}

void kv_merkle_update(struct kv_merkle *m, uint64_t keyhash, uint64_t old,
		      uint64_t new)
{
	unsigned int i = (1u << m->depth) + kv_merkle_leaf(m, keyhash);

	if (old == new)
		return;
	if (old)
		m->h[i] ^= kv_mix(keyhash, old);
	if (new)
		m->h[i] ^= kv_mix(keyhash, new);
	fix_path(m, i);
}

unsigned int kv_merkle_compare(const struct kv_merkle *m,
			       const uint16_t *idx, const uint64_t *hash,
			       unsigned int n, uint16_t *out)
{
	unsigned int i, k = 0;

	for (i = 0; i < n; i++) {
		/* an index outside the tree is a peer with another depth */
		if (!idx[i] || idx[i] >= (2u << m->depth))
			continue;
		if (m->h[idx[i]] != hash[i])
			out[k++] = idx[i];
	}
	return k;
}

unsigned int kv_merkle_diff(const struct kv_merkle *a,
			    const struct kv_merkle *b, uint16_t *leaves,
			    unsigned int max, uint64_t *hashes)
{
	unsigned int width = 1u << a->depth, level, i, n = 1, nd, out = 0;
	uint16_t *front, *diff;
	uint64_t *hash;

	*hashes = 0;
	if (a->depth != b->depth)
		return 0;
	front = calloc(width, sizeof(*front));
	diff = calloc(width, sizeof(*diff));
	hash = calloc(width, sizeof(*hash));
	if (!front || !diff || !hash)
		goto out;
	front[0] = 1;
	for (level = 0;; level++) {
		/* a sends the hashes of the nodes b asked about */
		for (i = 0; i < n; i++)
			hash[i] = a->h[front[i]];
		*hashes += n;
		nd = kv_merkle_compare(b, front, hash, n, diff);
		if (level == a->depth) {
			for (i = 0; i < nd && out < max; i++)
				leaves[out++] = diff[i] - width;
			break;
		}
		for (i = 0, n = 0; i < nd; i++) {
			front[n++] = 2 * diff[i];
			front[n++] = 2 * diff[i] + 1;
		}
		if (!n)
			break;
	}
out:
	free(front);
	free(diff);
	free(hash);
	return out;
}
