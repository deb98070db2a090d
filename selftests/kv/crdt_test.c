// SPDX-License-Identifier: GPL-2.0
/*
 * kv_crdt_test: strong eventual consistency, as a property. Three origin
 * replicas apply random updates (counter increments and decrements; set
 * adds and removes) and publish their states; three receivers merge the
 * published states in random orders, each several times. Receivers that
 * saw the same states end equal, the counter equals the sum of every
 * update, and a concurrent add survives a remove that did not see it
 * (add wins). --seed S replays.
 */
#include <stdlib.h>

#include "ktap.h"
#include "rng.h"
#include "../../tools/kv/core/kv.h"

#define ORIGINS 3
#define STEPS 12
#define RUNS 500

static const char *const elems[] = { "a", "b", "c", "d", "e", "f" };

/* Merge @n states into @dst in a random order, with duplicates. */
static void deliver_pn(struct rng *g, struct kv_pn *dst,
		       const struct kv_pn *st, unsigned int n)
{
	unsigned int i, k = n + rng_below(g, 2 * n);

	for (i = 0; i < k; i++)
		kv_pn_merge(dst, &st[rng_below(g, n)]);
	for (i = 0; i < n; i++)		/* every state at least once */
		kv_pn_merge(dst, &st[(i + k) % n]);
}

static void deliver_set(struct rng *g, struct kv_orset *dst,
			const struct kv_orset *st, unsigned int n, int *err)
{
	unsigned int i, k = n + rng_below(g, 2 * n);

	for (i = 0; i < k; i++)
		*err |= kv_orset_merge(dst, &st[rng_below(g, n)]);
	for (i = 0; i < n; i++)
		*err |= kv_orset_merge(dst, &st[(i + k) % n]);
}

static void test_pn(uint64_t seed)
{
	static struct kv_pn origin[ORIGINS], pub[ORIGINS * STEPS], rcv[3];
	unsigned int run, i, o, npub, bad = 0;
	int64_t sum, d;
	struct rng g;

	rng_seed(&g, seed, 2);
	for (run = 0; run < RUNS; run++) {
		memset(origin, 0, sizeof(origin));
		memset(rcv, 0, sizeof(rcv));
		sum = 0;
		npub = 0;
		for (i = 0; i < ORIGINS * STEPS; i++) {
			o = rng_below(&g, ORIGINS);
			d = (int64_t)rng_below(&g, 21) - 10;
			kv_pn_add(&origin[o], o, d);
			sum += d;
			/* an origin also merges what others published */
			if (npub && rng_pct(&g, 30))
				kv_pn_merge(&origin[o],
					    &pub[rng_below(&g, npub)]);
			pub[npub++] = origin[o];
		}
		for (i = 0; i < 3; i++)
			deliver_pn(&g, &rcv[i], pub, npub);
		for (i = 0; i < 3; i++)
			if (memcmp(&rcv[i], &rcv[0], sizeof(rcv[0])) ||
			    kv_pn_value(&rcv[i]) != sum)
				bad++;
	}
	ktap_ok(!bad, "PN-counter: %u runs, receivers equal and equal to the sum of updates",
		RUNS);
}

static void test_orset(uint64_t seed)
{
	static struct kv_orset origin[ORIGINS], pub[ORIGINS * STEPS], rcv[3];
	unsigned int run, i, o, npub, bad = 0;
	struct rng g;
	int err = 0;

	rng_seed(&g, seed, 3);
	for (run = 0; run < RUNS; run++) {
		memset(origin, 0, sizeof(origin));
		memset(rcv, 0, sizeof(rcv));
		npub = 0;
		for (i = 0; i < ORIGINS * STEPS; i++) {
			const char *e = elems[rng_below(&g, 6)];

			o = rng_below(&g, ORIGINS);
			if (rng_pct(&g, 60))
				err |= kv_orset_add(&origin[o], o, e);
			else
				kv_orset_remove(&origin[o], e);
			if (npub && rng_pct(&g, 30))
				err |= kv_orset_merge(&origin[o],
						      &pub[rng_below(&g, npub)]);
			pub[npub++] = origin[o];
		}
		for (i = 0; i < 3; i++)
			deliver_set(&g, &rcv[i], pub, npub, &err);
		for (i = 1; i < 3; i++)
			bad += !kv_orset_equal(&rcv[i], &rcv[0]);
	}
	ktap_ok(!bad && !err, "OR-set: %u runs of random orders and duplicates, receivers equal",
		RUNS);
}

static void test_add_wins(void)
{
	struct kv_orset a, b;
	bool ok;

	memset(&a, 0, sizeof(a));
	kv_orset_add(&a, 0, "x");
	b = a;
	kv_orset_remove(&a, "x");	/* A removes the x it saw */
	kv_orset_add(&b, 1, "x");	/* B adds x again, concurrently */
	kv_orset_merge(&a, &b);
	ok = kv_orset_has(&a, "x");
	kv_orset_remove(&a, "x");
	kv_orset_merge(&b, &a);
	ok &= !kv_orset_has(&b, "x");
	ktap_ok(ok, "a concurrent add wins over a remove; a remove that saw it wins");
}

static void test_limits(void)
{
	struct kv_orset s;
	char e[8];
	unsigned int i;
	int err = 0;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < KV_SET_MAX; i++) {
		snprintf(e, sizeof(e), "e%u", i);
		err |= kv_orset_add(&s, 0, e);
	}
	ktap_ok(!err && kv_orset_add(&s, 0, "one-more") == -ENOSPC &&
		kv_orset_add(&s, 0, "e3") == 0 &&
		kv_orset_add(&s, 0, "0123456789abcdefg") == -EINVAL &&
		kv_orset_add(&s, 0, "") == -EINVAL &&
		kv_orset_add(&s, KV_MAX_NODES, "x") == -EINVAL,
		"a full set, an overlong or empty element, a bad node: refused");
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 2 && !strcmp(argv[1], "--seed") ?
			strtoull(argv[2], NULL, 0) : rng_clock_seed();

	ktap_plan(4);
	ktap_diag("seed %llu", (unsigned long long)seed);
	test_pn(seed);
	test_orset(seed);
	test_add_wins();
	test_limits();
	return ktap_finish();
}
