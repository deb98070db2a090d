/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A latency histogram in the manner of HdrHistogram: log-linear buckets
 * (a power of two split into 32 equal steps), so any recorded value comes
 * back within 1/32 of itself at every scale, in fixed memory.
 */
#ifndef KV_HIST_H
#define KV_HIST_H

#include <stdint.h>

#define KV_HIST_SUB	32
#define KV_HIST_EXP	40	/* values up to 2^40 (us: 12 days) */

struct kv_hist {
	uint64_t n, max;
	uint64_t b[KV_HIST_EXP][KV_HIST_SUB];
};

void kv_hist_add(struct kv_hist *h, uint64_t v);
/* The value at quantile @q (0..1): an upper bound within 1/32. */
uint64_t kv_hist_quantile(const struct kv_hist *h, double q);

#endif
