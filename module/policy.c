// SPDX-License-Identifier: GPL-2.0
/*
 * Pure policy code (see policy.h). Built into wsched.ko and, unchanged,
 * into the userspace policy test, so it uses nothing but plain C.
 */
#include "policy.h"

/* Sort key: smaller first. Packs the criteria of each policy. */
static u64 victim_key(enum wsched_steal policy, unsigned int dist,
		      unsigned int queued, unsigned int rot)
{
	u64 busy = 0xffffu - (queued > 0xffffu ? 0xffffu : queued);

	switch (policy) {
	case WSCHED_STEAL_BUSIEST:
		return (busy << 32) | ((u64)dist << 16) | rot;
	case WSCHED_STEAL_TOPOLOGY:
		return ((u64)dist << 32) | (busy << 16) | rot;
	default:
		return rot;
	}
}

unsigned int wsched_victims(enum wsched_steal policy, unsigned int n,
			    unsigned int self, const u8 *dist,
			    const unsigned int *nr_queued, u32 rnd,
			    unsigned int *out)
{
	unsigned int i, j, cnt = 0, start;

	if (policy == WSCHED_STEAL_NONE || policy >= WSCHED_STEAL_NR || !n)
		return 0;
	start = rnd % n;
	/* Insertion sort: groups are small and this runs when idle. */
	for (i = 0; i < n; i++) {
		unsigned int c = (start + i) % n;
		u64 key;

		if (c == self || !nr_queued[c])
			continue;
		key = victim_key(policy, dist[self * n + c], nr_queued[c], i);
		for (j = cnt; j > 0; j--) {
			unsigned int o = out[j - 1];
			unsigned int orot = (o + n - start) % n;

			if (victim_key(policy, dist[self * n + o], nr_queued[o],
				       orot) <= key)
				break;
			out[j] = o;
		}
		out[j] = c;
		cnt++;
	}
	return cnt;
}

bool wsched_should_swap(u64 holder_runtime, u64 waiter_runtime, u64 slice_ns,
			u32 gap)
{
	return holder_runtime >= waiter_runtime + gap * slice_ns;
}

u64 wsched_debt(u64 debt, u64 ran, u64 slice_ns)
{
	u64 owed = debt + ran;

	if (owed <= slice_ns)
		return 0;
	return owed - slice_ns < 8 * slice_ns ? owed - slice_ns : 8 * slice_ns;
}

u64 wsched_turn(u64 debt, u64 slice_ns)
{
	if (debt + slice_ns / 8 >= slice_ns)
		return slice_ns / 8;
	return slice_ns - debt;
}

u64 wsched_wake_vrt(u64 vrt, u64 holder_vrt, u64 slice_ns)
{
	if (holder_vrt > slice_ns && vrt < holder_vrt - slice_ns)
		return holder_vrt - slice_ns;
	return vrt;
}

bool wsched_wake_before(u64 vrt, u64 other_vrt, u64 slice_ns)
{
	return vrt + slice_ns / 4 < other_vrt;
}

int wsched_place_least(unsigned int n, const unsigned int *nr_threads,
		       const u64 *allowed_bits, unsigned int start)
{
	unsigned int i;
	int best = -1;

	for (i = 0; i < n; i++) {
		unsigned int c = (start + i) % n;

		if (!(allowed_bits[c / 64] & (1ull << (c % 64))))
			continue;
		if (best < 0 || nr_threads[c] < nr_threads[best])
			best = (int)c;
	}
	return best;
}

unsigned int wsched_hist_bucket(u64 ns)
{
	u64 us = ns / 1000;
	unsigned int b = 0;

	while (us && b < WSCHED_HIST_BUCKETS - 1) {
		us >>= 1;
		b++;
	}
	return b;
}
