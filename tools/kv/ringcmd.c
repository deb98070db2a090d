// SPDX-License-Identifier: GPL-2.0
/*
 * "smpkit-kv ring": the placement the nodes compute, printed: each
 * shard's primary and secondaries, each member's share, and with --join
 * how many replica placements of K keys a new member moves against the
 * ideal 1/(members+1); with --leave, how many the last member hands to
 * the others against the ideal 1/members (its fair share).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <smpkit/util.h>

#include "cli.h"
#include "core/kv.h"

static unsigned int num(const char *s, const char *what, unsigned int min,
			unsigned int max)
{
	uint64_t v;

	if (!parse_u64(s, min, max, &v))
		die("ring: %s must be a number in %u..%u, not '%s'", what, min,
		    max, s);
	return v;
}

static unsigned long moved(const struct kv_ring *a, const struct kv_ring *b,
			   unsigned int keys)
{
	unsigned long mv = 0;
	unsigned int k, s, i;
	char key[32];

	for (k = 0; k < keys; k++) {
		int len = snprintf(key, sizeof(key), "key:%u", k);

		s = kv_ring_shard(a, key, len);
		for (i = 0; i < b->n && b->owner[s][i] != KV_NONE; i++)
			mv += !kv_ring_owns(a, s, b->owner[s][i]);
	}
	return mv;
}

int cmd_kv_ring(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nodes", 1, 0, 'm' }, { "shards", 1, 0, 's' },
		{ "n", 1, 0, 'n' }, { "join", 0, 0, 'j' }, { "leave", 0, 0, 'l' },
		{ "keys", 1, 0, 'k' }, { "help", 0, 0, 'h' }, { 0 }
	};
	unsigned int nodes = 3, shards = 16, n = 3, keys = 100000, s, i, c;
	unsigned int share[KV_MAX_NODES] = { 0 }, prim[KV_MAX_NODES] = { 0 };
	static struct kv_ring ring, after;
	bool join = false, leave = false;
	unsigned long mv, ideal;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != (unsigned int)-1) {
		switch (c) {
		case 'm':
			nodes = num(optarg, "--nodes", 1, KV_MAX_NODES - 1);
			break;
		case 's':
			shards = num(optarg, "--shards", 1, KV_MAX_SHARDS);
			break;
		case 'n':
			n = num(optarg, "--n", 1, KV_MAX_N);
			break;
		case 'k':
			keys = num(optarg, "--keys", 1, 10000000);
			break;
		case 'j':
			join = true;
			break;
		case 'l':
			leave = true;
			break;
		case 'h':
			printf("usage: smpkit-kv ring [--nodes M] [--shards S] [--n N] [--join] [--leave] [--keys K]\n");
			return 0;
		default:
			return 2;
		}
	}
	kv_ring_init(&ring, shards, n);
	for (i = 0; i < nodes; i++)
		kv_ring_join(&ring, i);
	printf("ring version %u: %u members, %u shards, %u replicas each\n",
	       ring.version, nodes, shards, kv_ring_owners(&ring));
	for (s = 0; s < shards; s++) {
		printf("shard %3u: primary n%u, secondaries", s,
		       ring.owner[s][0]);
		for (i = 1; i < kv_ring_owners(&ring); i++)
			printf(" n%u", ring.owner[s][i]);
		printf("\n");
		prim[ring.owner[s][0]]++;
		for (i = 0; i < kv_ring_owners(&ring); i++)
			share[ring.owner[s][i]]++;
	}
	for (i = 0; i < nodes; i++)
		printf("n%u: primary of %u shards, replica of %u\n", i, prim[i],
		       share[i]);
	if (leave && nodes > 1) {
		/* the placements the others gain are the leaver's, moving */
		after = ring;
		kv_ring_leave(&after, nodes - 1);
		mv = moved(&ring, &after, keys);
		ideal = (unsigned long)keys * kv_ring_owners(&ring) / nodes;
		printf("leave n%u: %lu of %lu replica placements of %u keys move, ideal %lu (1/%u): %.2fx\n",
		       nodes - 1, mv,
		       (unsigned long)keys * kv_ring_owners(&ring), keys,
		       ideal, nodes, ideal ? (double)mv / ideal : 0.0);
	}
	if (!join)
		return 0;
	after = ring;
	kv_ring_join(&after, nodes);
	mv = moved(&ring, &after, keys);
	ideal = (unsigned long)keys * kv_ring_owners(&after) / (nodes + 1);
	printf("join n%u: %lu of %lu replica placements of %u keys move, ideal %lu (1/%u): %.2fx\n",
	       nodes, mv, (unsigned long)keys * kv_ring_owners(&after), keys,
	       ideal, nodes + 1, ideal ? (double)mv / ideal : 0.0);
	return 0;
}
