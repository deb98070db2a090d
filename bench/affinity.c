// SPDX-License-Identifier: GPL-2.0
/*
 * The textbook's affinity schedule: five CPU-bound jobs A-E on four
 * CPUs. A single shared queue bounces every job across CPUs; per-CPU
 * queues keep four of them home, and only the fifth (or the balancer)
 * has to move. Counts migrations per job and the work done.
 */
#include "lib/bench.h"

static const struct bench_variant none = {
	.name = "wsched-none", .wsched = true,
	.balance = WSCHED_BALANCE_NONE, .steal = -1, .place = -1,
};

static const char *const labels[] = { "A", "B", "C", "D", "E" };

static int run(struct bench_ctx *c)
{
	struct bench_window win;
	struct bench_team tm;
	uint64_t mig = 0;
	int i;

	team_start(&tm, c->v, "0-3", 5, bench_spinner, NULL);
	bench_window_run(c, &tm, bench_ms(c, 500), bench_ms(c, 2500), 250,
			 labels, &win);
	team_stop(&tm);
	for (i = 0; i < 5; i++)
		mig += win.s1[i].mig - win.s0[i].mig;
	bench_record(c, "migrations_per_job", "count", LOWER, mig / 5.0);
	bench_window_record(c, &tm, &win, LOWER);
	bench_window_free(&win);
	return 0;
}

const struct bench_workload wl_affinity = {
	.name = "affinity",
	.title = "Affinity: five jobs on four CPUs",
	.what = "Five CPU-bound threads (A-E) on CPUs 0-3, started unpinned. Migrations per job (perf software counter), total work done and the fairness of the CPU shares. wsched (fair balance) trades some migrations for fairness; wsched-none keeps every job home and leaves two jobs sharing one CPU. Target: 10x fewer migrations than the stock scheduler at no less throughput.",
	.variants = (const struct bench_variant *const[]){ &bench_cfs, &bench_wsched, &none, NULL },
	.run = run,
};
