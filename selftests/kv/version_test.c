// SPDX-License-Identifier: GPL-2.0
/*
 * kv_version_test: versions and reconciliation. Version vectors order or
 * flag concurrency; two writes from one stale context stay siblings (a
 * dotted version vector, where a plain vector clock would drop one); a
 * write with the read's context replaces what it read; a user merge of
 * siblings converges; a blind write past KV_SIB_LIMIT versions is
 * refused while merges keep more; object merge is commutative,
 * associative and idempotent over random histories (--seed S replays);
 * last writer wins with clock skew loses a later update, measured over a
 * range of skews, and the HLC that carries the read's time-stamp keeps
 * it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ktap.h"
#include "rng.h"
#include "../../tools/kv/core/kv.h"

static struct kv_dot dot(unsigned int node, uint64_t ctr)
{
	struct kv_dot d = { .node = node, .ctr = ctr };

	return d;
}

static struct kv_hlc ts(uint64_t l, unsigned int node)
{
	struct kv_hlc h = { .l = l, .c = 0, .node = node };

	return h;
}

static void put(struct kv_obj *o, enum kv_policy pol, const struct kv_vv *ctx,
		struct kv_dot d, struct kv_hlc t, const char *v)
{
	if (kv_obj_put(o, pol, ctx, d, t, v, strlen(v), false))
		ktap_diag("put %s failed", v);
}

static bool has_value(const struct kv_obj *o, const char *v)
{
	unsigned int i;

	for (i = 0; i < o->nsib; i++)
		if (o->u.sib[i].len == strlen(v) &&
		    !memcmp(o->u.sib[i].val, v, o->u.sib[i].len))
			return true;
	return false;
}

static void test_vv(void)
{
	struct kv_vv a = { { 0 } }, b = { { 0 } };
	bool ok;

	ok = kv_vv_compare(&a, &b) == KV_EQUAL;
	a.c[0] = 1;
	ok &= kv_vv_compare(&a, &b) == KV_AFTER;
	ok &= kv_vv_compare(&b, &a) == KV_BEFORE;
	b.c[1] = 1;
	ok &= kv_vv_compare(&a, &b) == KV_CONCURRENT;
	kv_vv_merge(&a, &b);
	ok &= kv_vv_compare(&a, &b) == KV_AFTER && a.c[1] == 1;
	ok &= kv_vv_covers(&a, dot(0, 1)) && !kv_vv_covers(&a, dot(0, 2)) &&
	      !kv_vv_covers(&a, dot(0, 0));
	ktap_ok(ok, "version vectors: equal, before, after, concurrent, merge");
}

/* A shopping cart: the user merge is the union of the siblings' lines. */
static void user_merge(const struct kv_obj *o, char *out, size_t len)
{
	unsigned int i, j;
	char item[KV_VAL_MAX + 1];

	out[0] = 0;
	for (i = 0; i < o->nsib; i++) {
		for (j = 0; j < o->u.sib[i].len; j++) {
			unsigned int k = j;

			while (k < o->u.sib[i].len && o->u.sib[i].val[k] != ',')
				k++;
			memcpy(item, o->u.sib[i].val + j, k - j);
			item[k - j] = 0;
			if (!strstr(out, item)) {
				if (out[0])
					strncat(out, ",", len - strlen(out) - 1);
				strncat(out, item, len - strlen(out) - 1);
			}
			j = k;
		}
	}
}

static void test_siblings(void)
{
	struct kv_obj o, r;
	struct kv_vv empty = { { 0 } }, ctx;
	char merged[KV_VAL_MAX];

	kv_obj_init(&o, KV_T_NONE);
	put(&o, KV_POL_SIBLINGS, &empty, dot(0, 1), ts(10, 0), "milk");
	kv_obj_context(&o, &ctx);
	/* two clients read "milk" and write from that same context */
	put(&o, KV_POL_SIBLINGS, &ctx, dot(0, 2), ts(20, 0), "milk,eggs");
	put(&o, KV_POL_SIBLINGS, &ctx, dot(0, 3), ts(21, 0), "milk,bread");
	ktap_ok(o.nsib == 2 && has_value(&o, "milk,eggs") &&
		has_value(&o, "milk,bread") && !has_value(&o, "milk"),
		"two writes from one context at one node stay siblings");
	user_merge(&o, merged, sizeof(merged));
	kv_obj_context(&o, &ctx);
	r = o;
	put(&r, KV_POL_SIBLINGS, &ctx, dot(1, 1), ts(30, 1), merged);
	ktap_ok(r.nsib == 1 && has_value(&r, "milk,eggs,bread") &&
		kv_obj_covers(&r, dot(0, 2)) && kv_obj_covers(&r, dot(0, 3)),
		"the user's merge, written with the siblings' context, replaces them");
	/* a replica that still has the two siblings converges on merge */
	kv_obj_merge(&o, &r, KV_POL_SIBLINGS);
	ktap_ok(kv_obj_digest(&o) == kv_obj_digest(&r),
		"a replica holding the siblings takes the merged version");
	kv_obj_init(&r, KV_T_COUNTER);
	ktap_ok(kv_obj_merge(&o, &r, KV_POL_SIBLINGS) < 0 &&
		kv_obj_put(&r, KV_POL_SIBLINGS, &empty, dot(0, 9), ts(1, 0),
			   "x", 1, false) < 0 &&
		kv_obj_put(&o, KV_POL_SIBLINGS, &empty, dot(0, 9), ts(1, 0),
			   merged, KV_VAL_MAX + 1, false) < 0,
		"a register merged with a counter, or an oversized value, is refused");
}

/*
 * Random histories: writes from random contexts, at @only (or at random
 * nodes when it is 3). A node numbers its writes from its own copy, so
 * the copies that diverge each belong to one node, as in the store.
 */
static void random_obj(struct rng *g, struct kv_obj *o, uint64_t *ctr,
		       enum kv_policy pol, unsigned int only)
{
	/* at most 2 x 4 writes: never more siblings than an object keeps */
	unsigned int i, n = 1 + rng_below(g, 2), node;
	struct kv_vv ctx;
	char v[16];

	for (i = 0; i < n; i++) {
		node = only < 3 ? only : rng_below(g, 3);
		if (rng_pct(g, 50))
			kv_obj_context(o, &ctx);
		else
			memset(&ctx, 0, sizeof(ctx));
		snprintf(v, sizeof(v), "v%llu", (unsigned long long)*ctr);
		/* every write has its own dot: counters are global */
		put(o, pol, &ctx, dot(node, ++ctr[node]),
		    ts(rng_below(g, 1000), node), v);
	}
}

static void test_merge_laws(uint64_t seed)
{
	struct kv_obj a, b, c, ab, ba, ab_c, a_bc, bc, aa;
	uint64_t ctr[3] = { 0 };
	unsigned int run, bad = 0, pol;
	const char *law;
	struct rng g;

	rng_seed(&g, seed, 1);
	for (run = 0; run < 3000; run++) {
		pol = run % 2 ? KV_POL_LWW : KV_POL_SIBLINGS;
		kv_obj_init(&a, KV_T_NONE);
		random_obj(&g, &a, ctr, pol, 3);
		b = a;
		c = a;
		random_obj(&g, &a, ctr, pol, 0);
		random_obj(&g, &b, ctr, pol, 1);
		random_obj(&g, &c, ctr, pol, 2);
		ab = a;
		kv_obj_merge(&ab, &b, pol);
		ba = b;
		kv_obj_merge(&ba, &a, pol);
		ab_c = ab;
		kv_obj_merge(&ab_c, &c, pol);
		bc = b;
		kv_obj_merge(&bc, &c, pol);
		a_bc = a;
		kv_obj_merge(&a_bc, &bc, pol);
		aa = a;
		kv_obj_merge(&aa, &a, pol);
		law = kv_obj_digest(&ab) != kv_obj_digest(&ba) ? "commutativity" :
		      kv_obj_digest(&ab_c) != kv_obj_digest(&a_bc) ? "associativity" :
		      kv_obj_digest(&aa) != kv_obj_digest(&a) ? "idempotence" :
		      ab_c.overflow || a_bc.overflow ? "no overflow" : NULL;
		if (law) {
			if (!bad)
				ktap_diag("seed %llu run %u (%s) breaks %s",
					  (unsigned long long)seed, run,
					  pol == KV_POL_LWW ? "LWW" : "siblings",
					  law);
			bad++;
		}
	}
	ktap_ok(!bad, "merge is commutative, associative, idempotent (3000 random histories, seed %llu)",
		(unsigned long long)seed);
}

#define OV_ORIGINS	6
#define OV_RECEIVERS	3
#define OV_WRITES	64
#define OV_ROUNDS	4

/*
 * One history for the overflow property: six origin nodes write 64
 * versions of one key, one in five from the context of a random
 * origin's copy (a read, often stale), the rest blind. An origin admits
 * at most KV_SIB_LIMIT versions of its own (a refused write leaves its
 * copy as it was), so more than KV_MAX_SIB can be concurrent only
 * across origins. Each write's time-stamp passes the one it read, as
 * the store's HLC does. Every copy an origin holds after a write is
 * published.
 */
static unsigned int ov_history(struct rng *g, struct kv_obj *pub)
{
	static struct kv_obj org[OV_ORIGINS];
	struct kv_obj *from;
	uint64_t ctr[OV_ORIGINS] = { 0 }, clock[OV_ORIGINS] = { 0 };
	struct kv_hlc t = { 0 }, seen;
	unsigned int i, o, npub = 0;
	struct kv_vv ctx;
	char v[16];

	for (o = 0; o < OV_ORIGINS; o++)
		kv_obj_init(&org[o], KV_T_NONE);
	for (i = 0; i < OV_WRITES; i++) {
		o = rng_below(g, OV_ORIGINS);
		memset(&ctx, 0, sizeof(ctx));
		memset(&seen, 0, sizeof(seen));
		if (rng_pct(g, 20)) {
			from = &org[rng_below(g, OV_ORIGINS)];
			kv_obj_context(from, &ctx);
			seen = kv_obj_maxts(from);
			/* the writer's copy learns what it read (read repair) */
			if (rng_pct(g, 50) && from != &org[o])
				kv_obj_merge(&org[o], from, KV_POL_SIBLINGS);
		}
		clock[o] += 1 + rng_below(g, 3);
		t.l = clock[o] > seen.l ? clock[o] : seen.l + 1;
		clock[o] = t.l;
		t.node = o;
		snprintf(v, sizeof(v), "v%u", i);
		if (!kv_obj_put(&org[o], KV_POL_SIBLINGS, &ctx,
				dot(o, ctr[o] + 1), t, v, strlen(v), false))
			ctr[o]++;
		pub[npub++] = org[o];
	}
	return npub;
}

static bool ov_equal(const struct kv_obj *r)
{
	unsigned int i;

	for (i = 1; i < OV_RECEIVERS; i++)
		if (kv_obj_digest(&r[i]) != kv_obj_digest(&r[0]))
			return false;
	return true;
}

/*
 * The overflow past KV_MAX_SIB: receivers that merge the published copies
 * in random orders, with duplicates, may end apart (the trim is not
 * associative: see obj.c), but once they exchange their states (what
 * read repair and anti-entropy do) they agree, on at most KV_MAX_SIB
 * versions, with the loss marked.
 */
static void test_overflow(uint64_t seed)
{
	static struct kv_obj pub[OV_WRITES], r[OV_RECEIVERS],
		before[OV_RECEIVERS];
	unsigned int run, i, j, k, n, t, round, over = 0, apart = 0, bad = 0;
	unsigned int order[OV_WRITES + OV_WRITES / 3], worst = 0;
	struct rng g;

	rng_seed(&g, seed, 2);
	for (run = 0; run < 2000; run++) {
		n = ov_history(&g, pub);
		for (i = 0; i < OV_RECEIVERS; i++) {
			/* every copy once, a third of them twice, shuffled */
			for (k = 0; k < n + n / 3; k++)
				order[k] = k < n ? k : rng_below(&g, n);
			for (k = n + n / 3 - 1; k > 0; k--) {
				j = rng_below(&g, k + 1);
				t = order[k];
				order[k] = order[j];
				order[j] = t;
			}
			kv_obj_init(&r[i], KV_T_NONE);
			for (k = 0; k < n + n / 3; k++)
				kv_obj_merge(&r[i], &pub[order[k]],
					     KV_POL_SIBLINGS);
		}
		over += r[0].overflow || r[1].overflow || r[2].overflow;
		apart += !ov_equal(r);
		for (round = 0; round < OV_ROUNDS && !ov_equal(r); round++) {
			memcpy(before, r, sizeof(r));
			for (i = 0; i < OV_RECEIVERS; i++)
				for (k = 0; k < OV_RECEIVERS; k++)
					kv_obj_merge(&r[i], &before[k],
						     KV_POL_SIBLINGS);
		}
		if (round > worst)
			worst = round;
		if (!ov_equal(r) || r[0].nsib > KV_MAX_SIB) {
			if (!bad)
				ktap_diag("seed %llu run %u: %u rounds of exchange leave the receivers apart",
					  (unsigned long long)seed, run, round);
			bad++;
		}
	}
	ktap_diag("2000 histories: %u overflowed, %u ended apart before the exchange, at most %u round%s of exchange to agree",
		  over, apart, worst, worst == 1 ? "" : "s");
	ktap_ok(!bad && over && apart,
		"an overflowing register converges once replicas exchange states (seed %llu)",
		(unsigned long long)seed);
}

/* @n concurrent versions, written blind (no context) at nodes 0, 1, ... */
static void blind(struct kv_obj *o, unsigned int from, unsigned int n)
{
	struct kv_vv none = { { 0 } };
	char v[16];
	unsigned int i;

	for (i = from; i < from + n; i++) {
		snprintf(v, sizeof(v), "b%u", i);
		put(o, KV_POL_SIBLINGS, &none, dot(i % KV_MAX_NODES, 1 + i),
		    ts(10 + i, i % KV_MAX_NODES), v);
	}
}

/*
 * The version limit: a blind write past KV_SIB_LIMIT versions is refused
 * and changes nothing; a write that replaces versions always passes;
 * merges keep what writes admitted at different nodes, past the limit,
 * without marking a loss.
 */
static void test_limit(void)
{
	static struct kv_obj o, other, before;
	struct kv_vv ctx, none = { { 0 } };
	uint64_t d;
	bool ok;
	int rc;

	kv_obj_init(&o, KV_T_NONE);
	blind(&o, 0, KV_SIB_LIMIT);
	ok = o.nsib == KV_SIB_LIMIT;
	d = kv_obj_digest(&o);
	rc = kv_obj_put(&o, KV_POL_SIBLINGS, &none, dot(9, 1), ts(99, 9),
			"x", 1, false);
	ok &= rc == -EMLINK && kv_obj_digest(&o) == d;
	/* under LWW there are no siblings to limit */
	before = o;
	ok &= !kv_obj_put(&before, KV_POL_LWW, &none, dot(9, 1), ts(99, 9),
			  "x", 1, false);
	/* the same write from the context of all it read replaces them */
	kv_obj_context(&o, &ctx);
	before = o;
	ok &= !kv_obj_put(&before, KV_POL_SIBLINGS, &ctx, dot(9, 1),
			  ts(99, 9), "x", 1, false) && before.nsib == 1;
	/* a second copy admitted eight others: the merge keeps sixteen */
	kv_obj_init(&other, KV_T_NONE);
	blind(&other, KV_SIB_LIMIT, KV_SIB_LIMIT);
	kv_obj_merge(&o, &other, KV_POL_SIBLINGS);
	ok &= o.nsib == 2 * KV_SIB_LIMIT && !o.overflow;
	/* past the limit, a write must shrink the object to pass */
	ok &= kv_obj_put(&o, KV_POL_SIBLINGS, &none, dot(9, 1), ts(99, 9),
			 "x", 1, false) == -EMLINK;
	kv_obj_context(&other, &ctx);
	ok &= !kv_obj_put(&o, KV_POL_SIBLINGS, &ctx, dot(9, 1), ts(99, 9),
			  "x", 1, false) && o.nsib == KV_SIB_LIMIT + 1;
	ktap_ok(ok, "a write past %u versions is refused and changes nothing; one that replaces versions passes; merges keep %u",
		KV_SIB_LIMIT, 2 * KV_SIB_LIMIT);
}

/*
 * Node A's clock runs @skew microseconds ahead. A client writes x=1 at A
 * at real time 0; 1 ms later another client, who never saw that write,
 * writes x=2 at B. Returns whether the later write lost.
 */
static bool lww_loses(uint64_t skew, bool carry_ts)
{
	struct kv_hlc ha = { .node = 0 }, hb = { .node = 1 }, t1, t2, seen;
	struct kv_obj o;
	struct kv_vv ctx = { { 0 } };
	uint64_t real = 1000000;

	kv_obj_init(&o, KV_T_NONE);
	t1 = kv_hlc_tick(&ha, real + skew);
	put(&o, KV_POL_LWW, &ctx, dot(0, 1), t1, "1");
	if (carry_ts) {
		/* the second client read x=1 first and passes its stamp */
		seen = kv_obj_maxts(&o);
		t2 = kv_hlc_recv(&hb, &seen, real + 1000);
	} else {
		t2 = kv_hlc_tick(&hb, real + 1000);
	}
	put(&o, KV_POL_LWW, &ctx, dot(1, 1), t2, "2");
	return !has_value(&o, "2");
}

static void test_lww_skew(void)
{
	static const uint64_t skews[] = { 0, 500, 999, 1001, 5000, 100000 };
	unsigned int i, lost = 0, lost_hlc = 0, expect = 0;

	for (i = 0; i < sizeof(skews) / sizeof(skews[0]); i++) {
		bool l = lww_loses(skews[i], false);

		ktap_diag("skew %6llu us, writes 1000 us apart: later write %s",
			  (unsigned long long)skews[i], l ? "LOST" : "kept");
		lost += l;
		expect += skews[i] > 1000;
		lost_hlc += lww_loses(skews[i], true);
	}
	ktap_ok(lost == expect && lost > 0,
		"LWW loses the later write exactly when the skew exceeds the gap (%u of %zu)",
		lost, sizeof(skews) / sizeof(skews[0]));
	ktap_ok(!lost_hlc,
		"an HLC that received the read's time-stamp keeps the later write at every skew");
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 2 && !strcmp(argv[1], "--seed") ?
			strtoull(argv[2], NULL, 0) : rng_clock_seed();

	ktap_plan(10);
	test_vv();
	test_siblings();
	test_limit();
	test_merge_laws(seed);
	test_overflow(seed);
	test_lww_skew();
	return ktap_finish();
}
