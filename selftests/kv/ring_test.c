// SPDX-License-Identifier: GPL-2.0
/*
 * kv_ring_test: shards on the consistent-hash ring. Every shard has n
 * distinct owners; a join moves only the replicas of the shards the new
 * member takes over (the new owner list is the old one with the joiner
 * in and one old owner out), about the ideal share 1/(members); a leave
 * undoes the join exactly; bad ids and double joins are refused.
 */
#include <errno.h>

#include "ktap.h"
#include "../../tools/kv/core/kv.h"

#define NSHARDS 256
#define KEYS 20000

static struct kv_ring ring, before;

static bool owners_distinct(const struct kv_ring *r)
{
	unsigned int s, i, j;

	for (s = 0; s < r->nshards; s++)
		for (i = 0; i < r->n; i++) {
			if (r->owner[s][i] >= KV_MAX_NODES ||
			    !r->member[r->owner[s][i]])
				return false;
			for (j = 0; j < i; j++)
				if (r->owner[s][i] == r->owner[s][j])
					return false;
		}
	return true;
}

/* Replica placements of @keys that differ between @a and @b. */
static unsigned long moved(const struct kv_ring *a, const struct kv_ring *b,
			   unsigned int joiner, bool *only_joiner)
{
	unsigned long mv = 0;
	unsigned int k, s, i;
	char key[32];

	*only_joiner = true;
	for (k = 0; k < KEYS; k++) {
		int len = snprintf(key, sizeof(key), "user:%u", k);

		s = kv_ring_shard(a, key, len);
		for (i = 0; i < b->n; i++) {
			if (kv_ring_owns(a, s, b->owner[s][i]))
				continue;
			mv++;
			if (b->owner[s][i] != joiner)
				*only_joiner = false;
		}
	}
	return mv;
}

int main(void)
{
	unsigned int m, s, n_before;
	unsigned long mv, ideal;
	bool only;
	uint8_t pref[KV_MAX_NODES];

	ktap_plan(9);
	ktap_ok(kv_ring_init(&ring, 0, 3) == -EINVAL &&
		kv_ring_init(&ring, KV_MAX_SHARDS + 1, 3) == -EINVAL &&
		kv_ring_init(&ring, NSHARDS, KV_MAX_N + 1) == -EINVAL,
		"bad shard or replica counts are refused");
	kv_ring_init(&ring, NSHARDS, 3);
	for (m = 0; m < 4; m++)
		kv_ring_join(&ring, m);
	ktap_ok(kv_ring_join(&ring, 2) == -EEXIST &&
		kv_ring_leave(&ring, 9) == -ENOENT &&
		kv_ring_join(&ring, KV_MAX_NODES) == -EINVAL,
		"double join, absent leave and bad id are refused");
	ktap_ok(owners_distinct(&ring), "every shard has 3 distinct members");
	s = kv_ring_pref(&ring, 5, pref, KV_MAX_NODES);
	ktap_ok(s == 4 && pref[0] == ring.owner[5][0] &&
		pref[2] == ring.owner[5][2],
		"the preference list starts with the owners, then fall-backs");

	/* join members 4..7 one at a time; each join moves ~1/members */
	for (m = 4; m < 8; m++) {
		before = ring;
		n_before = ring.nmembers;
		kv_ring_join(&ring, m);
		mv = moved(&before, &ring, m, &only);
		ideal = (unsigned long)KEYS * ring.n / (n_before + 1);
		ktap_diag("join %u: %lu of %u replica placements moved, ideal %lu (%.2fx)",
			  m, mv, KEYS * ring.n, ideal, (double)mv / ideal);
		if (!only || mv > 2 * ideal || mv < ideal / 2)
			break;
	}
	ktap_ok(m == 8, "joins move only replicas to the joiner, within 2x of the ideal 1/members");
	ktap_ok(owners_distinct(&ring) && ring.version == 8,
		"owners stay distinct; each change bumps the ring version");
	before = ring;
	kv_ring_join(&ring, 12);
	kv_ring_leave(&ring, 12);
	ktap_ok(!memcmp(before.owner, ring.owner, sizeof(ring.owner)),
		"a leave undoes the join exactly (no other shard moves)");
	kv_ring_init(&ring, NSHARDS, 3);
	kv_ring_join(&ring, 0);
	kv_ring_join(&ring, 1);
	ktap_ok(kv_ring_owners(&ring) == 2 && ring.owner[0][2] == KV_NONE,
		"fewer members than n: every member owns every shard");
	ktap_ok(kv_ring_pref(&ring, NSHARDS, pref, 3) == 0,
		"an unknown shard has no owners");
	return ktap_finish();
}
