// SPDX-License-Identifier: GPL-2.0
/*
 * kv_hist_test: the load generator's log-linear histogram. For random
 * samples spread over six decades, every quantile it reports is at or
 * above the exact one and within 1/32 of it; the maximum is exact; an
 * empty histogram reports 0. --seed S replays.
 */
#include <stdlib.h>

#include "ktap.h"
#include "rng.h"
#include "../../tools/kv/load/hist.h"

#define N 20000

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const double qs[] = { 0.01, 0.5, 0.9, 0.99, 0.999, 1.0 };
	uint64_t seed = argc > 2 && !strcmp(argv[1], "--seed") ?
			strtoull(argv[2], NULL, 0) : rng_clock_seed();
	static struct kv_hist h, empty;
	static uint64_t v[N];
	uint64_t exact, got;
	unsigned int i, bad = 0;
	struct rng g;

	ktap_plan(3);
	ktap_diag("seed %llu", (unsigned long long)seed);
	rng_seed(&g, seed, 5);
	for (i = 0; i < N; i++) {
		/* log-uniform over 1 us .. 1 s */
		v[i] = 1 + (rng_next(&g) >> (44 + rng_below(&g, 20)));
		kv_hist_add(&h, v[i]);
	}
	qsort(v, N, sizeof(v[0]), cmp);
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		exact = v[(size_t)(qs[i] * N + 0.5) - 1];
		got = kv_hist_quantile(&h, qs[i]);
		ktap_diag("q %.3f: exact %llu, histogram %llu", qs[i],
			  (unsigned long long)exact, (unsigned long long)got);
		bad += got < exact || got > exact + exact / 32 + 1;
	}
	ktap_ok(!bad, "quantiles are upper bounds within 1/32");
	ktap_ok(h.max == v[N - 1] && h.n == N, "the maximum and the count are exact");
	ktap_ok(kv_hist_quantile(&empty, 0.5) == 0, "an empty histogram reports 0");
	return ktap_finish();
}
