// SPDX-License-Identifier: GPL-2.0
/*
 * The log-linear histogram (hist.h). Values below KV_HIST_SUB have a
 * bucket each; above, bucket (e, s) holds [2^e + s*2^e/32, +2^e/32).
 */
#include "hist.h"

static void locate(uint64_t v, unsigned int *e, unsigned int *s)
{
	unsigned int top;

	if (v < KV_HIST_SUB) {
		*e = 0;
		*s = v;
		return;
	}
	top = 63 - __builtin_clzll(v);		/* v in [2^top, 2^(top+1)) */
	if (top >= KV_HIST_EXP + 4) {
		*e = KV_HIST_EXP - 1;
		*s = KV_HIST_SUB - 1;
		return;
	}
	*e = top - 4;				/* 2^5 = KV_HIST_SUB -> e = 1 */
	*s = (v >> (top - 5)) - KV_HIST_SUB;
}

/* The largest value bucket (e, s) holds. */
static uint64_t upper(unsigned int e, unsigned int s)
{
	unsigned int top;

	if (!e)
		return s;
	top = e + 4;
	return ((uint64_t)(KV_HIST_SUB + s + 1) << (top - 5)) - 1;
}

void kv_hist_add(struct kv_hist *h, uint64_t v)
{
	unsigned int e, s;

	locate(v, &e, &s);
	h->b[e][s]++;
	h->n++;
	if (v > h->max)
		h->max = v;
}

uint64_t kv_hist_quantile(const struct kv_hist *h, double q)
{
	uint64_t want, seen = 0, u;
	unsigned int e, s;

	if (!h->n)
		return 0;
	want = (uint64_t)(q * h->n + 0.5);
	if (want < 1)
		want = 1;
	for (e = 0; e < KV_HIST_EXP; e++)
		for (s = 0; s < KV_HIST_SUB; s++) {
			seen += h->b[e][s];
			if (seen >= want) {
				u = upper(e, s);
				return u < h->max ? u : h->max;
			}
		}
	return h->max;
}
