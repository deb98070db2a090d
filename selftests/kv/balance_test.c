// SPDX-License-Identifier: GPL-2.0
/*
 * kv_balance_test: the client's balancer over front ends. Round robin
 * spreads requests evenly; least outstanding requests sends to the
 * server with the fewest in flight, so a server that holds its requests
 * (a dead one) gets fewer; a server whose request timed out sits out
 * until its bench time passes, unless every server is benched; the
 * server to avoid (the one a retry leaves) is avoided when another is
 * there.
 */
#include "ktap.h"
#include "../../tools/kv/load/balance.h"

int main(void)
{
	struct kv_bal b;
	unsigned int i, s, bad = 0, held = 0;
	uint64_t now = 1000;

	ktap_plan(5);

	kv_bal_init(&b, 3, KV_BAL_RR);
	for (i = 0; i < 300; i++)
		kv_bal_done(&b, kv_bal_pick(&b, now, -1u), now, false);
	ktap_ok(b.picks[0] == 100 && b.picks[1] == 100 && b.picks[2] == 100,
		"round robin: 300 requests, %llu/%llu/%llu per server",
		(unsigned long long)b.picks[0], (unsigned long long)b.picks[1],
		(unsigned long long)b.picks[2]);

	/* server 2 never answers: its requests stay in flight */
	kv_bal_init(&b, 3, KV_BAL_LOR);
	for (i = 0; i < 300; i++) {
		s = kv_bal_pick(&b, now, -1u);
		if (s == 2)
			held++;
		else
			kv_bal_done(&b, s, now, false);
	}
	ktap_ok(held == 1, "least outstanding: a server holding its requests got %u of 300",
		held);

	kv_bal_init(&b, 3, KV_BAL_LOR);
	kv_bal_done(&b, kv_bal_pick(&b, now, -1u), now, true);	/* server 0 */
	for (i = 0; i < 30; i++) {
		s = kv_bal_pick(&b, now + 1, -1u);
		bad += s == 0;
		kv_bal_done(&b, s, now + 1, false);
	}
	s = kv_bal_pick(&b, now + KV_BAL_BENCH_US, -1u);
	ktap_ok(!bad && s == 0,
		"a timed-out server sits out its bench time, then returns");

	kv_bal_init(&b, 2, KV_BAL_RR);
	for (i = 0; i < 2; i++)
		kv_bal_done(&b, kv_bal_pick(&b, now, -1u), now, true);
	s = kv_bal_pick(&b, now, -1u);
	ktap_ok(s < 2, "every server benched: one is picked all the same");

	kv_bal_init(&b, 3, KV_BAL_LOR);
	for (bad = 0, i = 0; i < 30; i++) {
		s = kv_bal_pick(&b, now, i % 3);
		bad += s == i % 3;
		kv_bal_done(&b, s, now, false);
	}
	kv_bal_init(&b, 1, KV_BAL_RR);
	ktap_ok(!bad && kv_bal_pick(&b, now, 0) == 0,
		"a retry avoids the server it leaves, unless it is the only one");
	return ktap_finish();
}
