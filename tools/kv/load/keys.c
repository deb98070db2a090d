// SPDX-License-Identifier: GPL-2.0
/*
 * The key law of the loads (keys.h): a Zipf law is a cumulative table
 * searched by bisection, so a pick costs log K whatever the exponent.
 */
#include <math.h>
#include <stdlib.h>

#include <smpkit/util.h>

#include "keys.h"

uint64_t kv_keys_rnd(struct kv_keys *k)
{
	k->rng ^= k->rng >> 12;
	k->rng ^= k->rng << 25;
	k->rng ^= k->rng >> 27;
	return k->rng * 0x2545f4914f6cdd1dULL;
}

double kv_keys_unit(struct kv_keys *k)
{
	return (kv_keys_rnd(k) >> 11) * (1.0 / 9007199254740992.0);
}

unsigned int kv_keys_pick(struct kv_keys *k)
{
	unsigned int lo = 0, hi = k->n - 1;
	double u;

	if (!k->cdf)
		return kv_keys_rnd(k) % k->n;
	u = kv_keys_unit(k);
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (k->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void kv_keys_zipf(struct kv_keys *k, double s)
{
	double sum = 0;
	unsigned int i;

	k->cdf = malloc(k->n * sizeof(*k->cdf));
	if (!k->cdf)
		die("load: out of memory");
	for (i = 0; i < k->n; i++) {
		sum += 1.0 / pow(i + 1, s);
		k->cdf[i] = sum;
	}
	for (i = 0; i < k->n; i++)
		k->cdf[i] /= sum;
}
