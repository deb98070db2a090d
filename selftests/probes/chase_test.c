// SPDX-License-Identifier: GPL-2.0
/*
 * probes_chase_test: the memlat permutation is one cycle that covers
 * every slot and stays inside the buffer, for odd sizes and strides; a
 * batch on a small set lasts as long as asked (enough loads, not a fixed
 * count); and the order of the curve is sane: a set far beyond L2 is
 * slower per load than an L1-sized set (an order, never an absolute time).
 */
#include <stdlib.h>

#include "../../tools/probes/chase.h"
#include "../../tools/probes/probes.h"
#include "ktap.h"

static bool in_bounds(void *buf, size_t n, size_t stride)
{
	char *p = buf;

	for (size_t i = 0; i < n; i++) {
		char *q = *(char **)(p + i * stride);

		if (q < p || q >= p + n * stride || (q - p) % stride)
			return false;
	}
	return true;
}

int main(void)
{
	static const size_t sizes[] = { 2, 3, 64, 1000, 4099, 65536 };
	static const size_t strides[] = { 64, 8, 200 };
	int ns = sizeof(sizes) / sizeof(sizes[0]);
	int nst = sizeof(strides) / sizeof(strides[0]);
	struct stats small, big;
	size_t big_bytes = 64u << 20;
	uint64_t n;
	void *buf;

	ktap_plan(ns * nst + 3);
	clock_init();
	for (int s = 0; s < nst; s++) {
		for (int i = 0; i < ns; i++) {
			size_t n = sizes[i], len;

			buf = malloc(n * strides[s]);
			if (!buf)
				ktap_skip_all("out of memory");
			chase_build(buf, n, strides[s], 42 + i);
			len = chase_cycle_len(buf, n + 1);
			ktap_ok(len == n && in_bounds(buf, n, strides[s]),
				"%zu slots of %zu B: one cycle of length %zu",
				n, strides[s], len);
			free(buf);
		}
	}
	buf = place_alloc(big_bytes, -1, false);
	chase_build(buf, 2, 64, 1);
	ktap_ok(chase_cycle_len(buf, 3) == 2 &&
		chase_cycle_len((char *)buf + 64, 3) == 2,
		"two slots: each points at the other");
	n = chase_latency(buf, 16 << 10, 64, 7, 20000, 2000000, &small);
	/* A lower bound, with room for a CPU that sped up after the probe. */
	ktap_ok(n * small.median >= 0.75 * 2000000,
		"a 16 KiB batch lasts the 2 ms asked for: %llu loads x %.2f ns",
		(unsigned long long)n, small.median);
	chase_latency(buf, big_bytes, 64, 7, 20000, 0, &big);
	ktap_ok(big.median > small.median,
		"64 MiB set slower than 16 KiB set (%.2f ns > %.2f ns per load)",
		big.median, small.median);
	place_free(buf, big_bytes);
	return ktap_finish();
}
