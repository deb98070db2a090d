// SPDX-License-Identifier: GPL-2.0
/*
 * The textbook's load imbalance: three CPU-bound threads on two CPUs,
 * A starting alone on CPU 1, B and D sharing CPU 2. Per-CPU queues
 * without balancing keep A at a whole CPU and B, D at half; wsched's fair
 * balance (and the stock scheduler's) should give each 2/3.
 */
#include <stdio.h>

#include "lib/bench.h"

static const struct bench_variant none = {
	.name = "wsched-none", .wsched = true, .steal = WSCHED_STEAL_NONE,
	.balance = WSCHED_BALANCE_NONE, .place = WSCHED_PLACE_CURRENT,
};

static const struct bench_variant fair = {
	.name = "wsched-fair", .wsched = true, .steal = WSCHED_STEAL_NONE,
	.balance = WSCHED_BALANCE_FAIR, .place = WSCHED_PLACE_CURRENT,
};

static const int start[] = { 1, 2, 2 };
static const char *const labels[] = { "A", "B", "D" };

static int run(struct bench_ctx *c)
{
	struct bench_window win;
	struct bench_team tm;
	double share[3];
	char name[16];
	int i;

	team_start(&tm, c->v, "1-2", 3, bench_spinner, start);
	bench_window_run(c, &tm, bench_ms(c, 1000), bench_ms(c, 3000), 250,
			 labels, &win);
	team_stop(&tm);
	bench_window_shares(&tm, &win, share);
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "share_%s", labels[i]);
		bench_record(c, name, "CPU", INFO, share[i]);
	}
	bench_window_record(c, &tm, &win, INFO);
	bench_window_free(&win);
	return 0;
}

const struct bench_workload wl_imbalance = {
	.name = "imbalance",
	.title = "Load imbalance: A, B, D on two CPUs",
	.what = "Three CPU-bound threads on CPUs 1-2, A starting alone on CPU 1 and B, D sharing CPU 2. Share of a CPU per thread over the window and Jain's fairness index (1 = equal). wsched-none is the textbook multi-queue pathology on purpose (A ~1.0, B and D ~0.5); wsched-fair balances by accumulated run time.",
	.variants = (const struct bench_variant *const[]){ &bench_cfs, &none, &fair, NULL },
	.run = run,
};
