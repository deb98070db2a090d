// SPDX-License-Identifier: GPL-2.0
/*
 * kv_merkle_test: two replicas of n keys that differ in k keys find every
 * differing key's leaf by exchanging at most 1 + 2k*depth hashes (depth =
 * log2 of the leaves), far fewer than n for small k; equal trees cost one
 * hash; updates are order-independent (the XOR leaves). --seed S replays.
 */
#include <stdlib.h>

#include "ktap.h"
#include "rng.h"
#include "../../tools/kv/core/kv.h"

#define DEPTH 12
#define NKEYS 4096

static uint64_t keyh[NKEYS], dig[NKEYS], cdig[NKEYS];
static unsigned int x[NKEYS];

static bool found(const uint16_t *leaves, unsigned int n, unsigned int leaf)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (leaves[i] == leaf)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static const unsigned int ks[] = { 1, 4, 16, 64, 256 };
	uint64_t seed = argc > 2 && !strcmp(argv[1], "--seed") ?
			strtoull(argv[2], NULL, 0) : rng_clock_seed();
	static uint16_t leaves[1u << DEPTH];
	struct kv_merkle a, b, c;
	unsigned int i, j, n, k, missed, over = 0;
	uint64_t hashes, nd;
	struct rng g;

	ktap_plan(4);
	ktap_diag("seed %llu", (unsigned long long)seed);
	rng_seed(&g, seed, 4);
	if (kv_merkle_init(&a, DEPTH) || kv_merkle_init(&b, DEPTH) ||
	    kv_merkle_init(&c, DEPTH))
		ktap_skip_all("out of memory");
	for (i = 0; i < NKEYS; i++) {
		keyh[i] = rng_next(&g);
		dig[i] = rng_next(&g) | 1;
	}
	for (i = 0; i < NKEYS; i++) {
		kv_merkle_update(&a, keyh[i], 0, dig[i]);
		kv_merkle_update(&b, keyh[NKEYS - 1 - i], 0,
				 dig[NKEYS - 1 - i]);
	}
	ktap_ok(!memcmp(a.h, b.h, (2u << DEPTH) * sizeof(*a.h)),
		"the same keys inserted in another order give the same tree");
	n = kv_merkle_diff(&a, &b, leaves, 1u << DEPTH, &hashes);
	ktap_ok(n == 0 && hashes == 1, "equal replicas exchange one hash");

	missed = 0;
	for (j = 0; j < sizeof(ks) / sizeof(ks[0]); j++) {
		k = ks[j];
		memcpy(c.h, a.h, (2u << DEPTH) * sizeof(*a.h));
		memcpy(cdig, dig, sizeof(dig));
		/* c differs from a in k keys: new versions of k distinct keys */
		for (i = 0; i < k; i++) {
			x[i] = (i * (NKEYS / k)) + rng_below(&g, NKEYS / k);
			nd = rng_next(&g) | 1;
			kv_merkle_update(&c, keyh[x[i]], cdig[x[i]], nd);
			cdig[x[i]] = nd;
		}
		n = kv_merkle_diff(&a, &c, leaves, 1u << DEPTH, &hashes);
		for (i = 0; i < k; i++)
			missed += !found(leaves, n,
					 kv_merkle_leaf(&c, keyh[x[i]]));
		ktap_diag("n=%u keys, k=%u differ: %u leaves, %llu hashes exchanged (bound %u, n %u)",
			  NKEYS, k, n, (unsigned long long)hashes,
			  1 + 2 * k * DEPTH, NKEYS);
		over += hashes > 1 + 2ull * k * DEPTH;
	}
	ktap_ok(!missed, "every differing key's leaf is found");
	ktap_ok(!over, "k differing keys cost at most 1 + 2k*log2(leaves) hashes");
	kv_merkle_free(&a);
	kv_merkle_free(&b);
	kv_merkle_free(&c);
	return ktap_finish();
}
