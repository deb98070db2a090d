/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client's balancer over the front-end servers: round robin, or
 * least outstanding requests (the server with the fewest requests in
 * flight, so a slow or dead one, whose requests linger until they time
 * out, gets fewer). A server whose request timed out is left out for a
 * while, unless every server is.
 */
#ifndef KV_BALANCE_H
#define KV_BALANCE_H

#include <stdbool.h>
#include <stdint.h>

#define KV_BAL_MAX	16
#define KV_BAL_BENCH_US	1000000	/* how long a timed-out server sits out */

enum kv_bal_policy { KV_BAL_RR, KV_BAL_LOR };

struct kv_bal {
	enum kv_bal_policy policy;
	unsigned int n, next;
	unsigned int out[KV_BAL_MAX];	/* requests in flight */
	uint64_t picks[KV_BAL_MAX];
	uint64_t benched_until[KV_BAL_MAX];
};

void kv_bal_init(struct kv_bal *b, unsigned int n, enum kv_bal_policy p);
/*
 * The server for a request sent at @now, other than @avoid (the one
 * that just failed it; -1u: none) when another is available.
 */
unsigned int kv_bal_pick(struct kv_bal *b, uint64_t now, unsigned int avoid);
/* Its request ended: answered, or (@failed) timed out at @now. */
void kv_bal_done(struct kv_bal *b, unsigned int i, uint64_t now, bool failed);

#endif
