// SPDX-License-Identifier: GPL-2.0
/*
 * policy_test: the module's pure policy code (module/policy.c, built
 * unchanged into this binary): victim order per steal policy, the fair
 * swap rule, placement and histogram buckets.
 */
#include "ktap.h"
#include "policy.h"

#define N 6

/* CPUs 0,1 siblings; 0-2 one LLC; 3,4 same node; 5 remote (from CPU 0). */
static u8 dist[N * N];

static void topo(void)
{
	static const u8 row0[N] = { 0, WSCHED_DIST_SIBLING, WSCHED_DIST_LLC,
		WSCHED_DIST_NODE, WSCHED_DIST_NODE, WSCHED_DIST_REMOTE };
	int i, j;

	for (i = 0; i < N; i++)
		for (j = 0; j < N; j++)
			dist[i * N + j] = i == 0 ? row0[j] : WSCHED_DIST_REMOTE;
}

int main(void)
{
	unsigned int q[N] = { 0, 1, 0, 3, 2, 5 }, out[N], n, i, seen;
	unsigned int nr[4] = { 3, 1, 1, 2 };
	u64 allowed[4] = { 0 };
	bool ok;

	topo();
	ktap_plan(15);
	n = wsched_victims(WSCHED_STEAL_NONE, N, 0, dist, q, 7, out);
	ktap_ok(n == 0, "steal none picks no victim");
	n = wsched_victims(WSCHED_STEAL_TOPOLOGY, N, 0, dist, q, 3, out);
	ktap_ok(n == 4 && out[0] == 1 && out[1] == 3 && out[2] == 4 && out[3] == 5,
		"topology: sibling, then same node busiest first, then remote");
	n = wsched_victims(WSCHED_STEAL_BUSIEST, N, 0, dist, q, 1, out);
	ktap_ok(n == 4 && out[0] == 5 && out[1] == 3 && out[2] == 4 && out[3] == 1,
		"busiest: longest queue first");
	for (i = 0, ok = true; i < 50; i++) {
		n = wsched_victims(WSCHED_STEAL_RANDOM, N, 0, dist, q, i * 2654435761u, out);
		for (seen = 0, ok &= n == 4; n--;)
			seen |= 1u << out[n];
		ok &= seen == ((1u << 1) | (1u << 3) | (1u << 4) | (1u << 5));
	}
	ktap_ok(ok, "random: every queued CPU exactly once, never self or empty");
	for (i = 0, seen = 0; i < 64; i++) {
		wsched_victims(WSCHED_STEAL_RANDOM, N, 0, dist, q, i, out);
		seen |= 1u << out[0];
	}
	ktap_ok(seen == ((1u << 1) | (1u << 3) | (1u << 4) | (1u << 5)),
		"random: each candidate comes first sometimes");
	ktap_ok(wsched_should_swap(50, 10, 20, 2) &&
		!wsched_should_swap(50, 11, 20, 2),
		"fair swap needs two slices of run-time gap at gap 2");
	ktap_ok(wsched_should_swap(90, 10, 20, 4) &&
		!wsched_should_swap(89, 10, 20, 4) &&
		wsched_should_swap(11, 10, 1, 1),
		"and gap slices at any other gap");
	ktap_ok(wsched_debt(0, 20, 20) == 0 && wsched_debt(0, 50, 20) == 30 &&
		wsched_debt(30, 15, 20) == 25 && wsched_debt(5, 10, 20) == 0 &&
		wsched_debt(0, 1000, 20) == 160,
		"a turn's overrun is owed, a short turn pays back, capped at 8 slices");
	ktap_ok(wsched_turn(0, 80) == 80 && wsched_turn(30, 80) == 50 &&
		wsched_turn(75, 80) == 10 && wsched_turn(640, 80) == 10,
		"the next turn is the slice less the debt, never under an eighth");
	ktap_ok(wsched_wake_vrt(0, 100, 20) == 80 && wsched_wake_vrt(90, 100, 20) == 90 &&
		wsched_wake_vrt(3, 10, 20) == 3,
		"a sleeper comes back at most one slice behind the holder");
	ktap_ok(wsched_wake_before(80, 86, 20) && !wsched_wake_before(80, 85, 20) &&
		!wsched_wake_before(100, 90, 20),
		"it goes first only when more than a quarter slice behind");
	allowed[0] = 0xf;
	ktap_ok(wsched_place_least(4, nr, allowed, 0) == 1 &&
		wsched_place_least(4, nr, allowed, 2) == 2,
		"place least: fewest threads, ties from the cursor on");
	allowed[0] = 1u << 3;
	ktap_ok(wsched_place_least(4, nr, allowed, 0) == 3,
		"place least respects the allowed CPUs");
	allowed[0] = 0;
	ktap_ok(wsched_place_least(4, nr, allowed, 0) == -1, "no allowed CPU: -1");
	ktap_ok(wsched_hist_bucket(0) == 0 && wsched_hist_bucket(1500) == 1 &&
		wsched_hist_bucket(4095000) == 12 && wsched_hist_bucket(4096000) == 13 &&
		wsched_hist_bucket(~0ull) == WSCHED_HIST_BUCKETS - 1,
		"histogram buckets are log2 microseconds, capped");
	return ktap_finish();
}
