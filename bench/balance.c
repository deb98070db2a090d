// SPDX-License-Identifier: GPL-2.0
/*
 * The price of fairness in migrations: the affinity workload's five
 * CPU-bound jobs on four CPUs, under wsched's fair balance at several
 * gaps (how far ahead, in slices, a thread must be before it is swapped)
 * and under the stock scheduler. Each run is a point of one picture:
 * Jain's index over the window against migrations per second.
 */
#include "lib/bench.h"

#define GAP(n) { .name = "wsched-gap" #n, .wsched = true, .steal = -1, \
		 .balance = WSCHED_BALANCE_FAIR, .place = -1, .balance_gap = n }

static const struct bench_variant gaps[] = {
	GAP(1), GAP(2), GAP(4), GAP(8), GAP(32),
};

static int run(struct bench_ctx *c)
{
	struct bench_window win;
	struct bench_team tm;
	double share[5];
	uint64_t mig = 0;
	int i;

	team_start(&tm, c->v, "0-3", 5, bench_spinner, NULL);
	bench_window_run(c, &tm, bench_ms(c, 500), bench_ms(c, 3000), 250,
			 NULL, &win);
	team_stop(&tm);
	for (i = 0; i < 5; i++)
		mig += win.s1[i].mig - win.s0[i].mig;
	bench_window_shares(&tm, &win, share);
	bench_record(c, "migrations_per_s", "1/s", LOWER, mig / win.wall_s);
	/* Every repetition is a point: the spread shows in the picture. */
	bench_point(c, "tradeoff", "runs", mig / win.wall_s,
		    bench_jain(share, 5));
	bench_window_record(c, &tm, &win, LOWER);
	bench_window_free(&win);
	return 0;
}

const struct bench_workload wl_balance = {
	.name = "balance",
	.title = "Fairness against migrations: the balance gap",
	.what = "The affinity workload (five CPU-bound threads on CPUs 0-3) under fair balance with the module's default gap of 16 slices (wsched) and a gap of 1, 2, 4, 8 and 32 slices (a thread must be that far ahead in CPU time before it swaps with a waiter elsewhere), beside the stock scheduler. Jain's index of the CPU shares over a 3 s window and migrations per second; the picture puts every run on those two axes. Target: the default reaches Jain >= 0.99 with fewer migrations than the stock scheduler.",
	.variants = (const struct bench_variant *const[]){
		&bench_cfs, &bench_wsched, &gaps[0], &gaps[1], &gaps[2],
		&gaps[3], &gaps[4], NULL },
	.run = run,
};
