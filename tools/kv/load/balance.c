// SPDX-License-Identifier: GPL-2.0
/*
 * The balancer (balance.h). Both policies first drop the benched servers
 * and the one to avoid, then fall back to every server rather than pick
 * none: a request is better sent to a suspect server than not at all.
 */
#include "balance.h"

void kv_bal_init(struct kv_bal *b, unsigned int n, enum kv_bal_policy p)
{
	unsigned int i;

	b->policy = p;
	b->n = n > KV_BAL_MAX ? KV_BAL_MAX : n;
	b->next = 0;
	for (i = 0; i < KV_BAL_MAX; i++) {
		b->out[i] = 0;
		b->picks[i] = 0;
		b->benched_until[i] = 0;
	}
}

static bool usable(const struct kv_bal *b, unsigned int i, uint64_t now,
		   unsigned int avoid, unsigned int strict)
{
	if (strict >= 2 && now < b->benched_until[i])
		return false;
	return strict < 1 || i != avoid || b->n == 1;
}

unsigned int kv_bal_pick(struct kv_bal *b, uint64_t now, unsigned int avoid)
{
	unsigned int strict, k, i, best = b->n;

	/* strict 2: neither benched nor avoided; 1: not avoided; 0: any */
	for (strict = 3; strict-- > 0 && best == b->n;) {
		for (k = 0; k < b->n; k++) {
			i = (b->next + k) % b->n;
			if (!usable(b, i, now, avoid, strict))
				continue;
			if (b->policy == KV_BAL_RR) {
				best = i;
				break;
			}
			if (best == b->n || b->out[i] < b->out[best])
				best = i;
		}
	}
	/* rotating the start breaks LOR's ties fairly too */
	b->next = (best + 1) % b->n;
	b->out[best]++;
	b->picks[best]++;
	return best;
}

void kv_bal_done(struct kv_bal *b, unsigned int i, uint64_t now, bool failed)
{
	if (i >= b->n)
		return;
	if (b->out[i])
		b->out[i]--;
	if (failed)
		b->benched_until[i] = now + KV_BAL_BENCH_US;
}
