// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement window of a team of long-running workers: warm-up,
 * snapshots at the edges taken from the main thread, CPU share over time
 * for the pictures, and the metrics every such workload reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smpkit/util.h>

#include "bench.h"

void bench_spinner(struct bench_thread *t)
{
	while (!team_stopping(t)) {
		bench_work(100);
		atomic_fetch_add_explicit(&t->ops, 1, memory_order_relaxed);
	}
}

static struct bench_snap *snap_alloc(int n)
{
	struct bench_snap *s = calloc(n, sizeof(*s));

	if (!s)
		die("out of memory");
	return s;
}

void bench_window_run(struct bench_ctx *c, struct bench_team *tm,
		      unsigned int warm_ms, unsigned int window_ms,
		      unsigned int sample_ms, const char *const *labels,
		      struct bench_window *win)
{
	struct bench_snap *prev, *cur;
	uint64_t t0, t1, tp, tn;
	char plot[48];
	int i;

	win->s0 = snap_alloc(tm->n);
	win->s1 = snap_alloc(tm->n);
	prev = snap_alloc(tm->n);
	cur = snap_alloc(tm->n);
	snprintf(plot, sizeof(plot), "share-%s", c->v->name);
	bench_sleep_ms(warm_ms);

	bench_wtotals(tm->fd, &win->w0);
	t0 = tp = bench_now_ns();
	team_snap(tm, win->s0);
	memcpy(prev, win->s0, tm->n * sizeof(*prev));
	/* Sampling only feeds the pictures; the totals come from the edges. */
	if (!labels || !c->plot || !sample_ms)
		bench_sleep_ms(window_ms);
	else
		while ((tn = bench_now_ns()) - t0 + sample_ms * 1000000ull <=
		       window_ms * 1000000ull) {
			bench_sleep_ms(sample_ms);
			tn = bench_now_ns();
			team_snap(tm, cur);
			for (i = 0; i < tm->n; i++)
				bench_series(c, plot, labels[i], (tn - t0) / 1e9,
					     (double)(cur[i].cpu_ns - prev[i].cpu_ns) /
					     (double)(tn - tp));
			memcpy(prev, cur, tm->n * sizeof(*prev));
			tp = tn;
		}
	team_snap(tm, win->s1);
	t1 = bench_now_ns();
	bench_wtotals(tm->fd, &win->w1);
	win->wall_s = (t1 - t0) / 1e9;
	free(prev);
	free(cur);
}

double bench_window_shares(const struct bench_team *tm,
			   const struct bench_window *win, double *share)
{
	uint64_t ops = 0;
	int i;

	for (i = 0; i < tm->n; i++) {
		share[i] = (win->s1[i].cpu_ns - win->s0[i].cpu_ns) / 1e9 /
			   win->wall_s;
		ops += win->s1[i].ops - win->s0[i].ops;
	}
	return ops / win->wall_s;
}

void bench_window_record(struct bench_ctx *c, const struct bench_team *tm,
			 const struct bench_window *win,
			 enum bench_better mig_better)
{
	double share[tm->n], lo = 1e9, ops;
	struct bench_snap sum;
	int i;

	ops = bench_window_shares(tm, win, share);
	for (i = 0; i < tm->n; i++)
		if (share[i] < lo)
			lo = share[i];
	bench_team_totals(win->s0, win->s1, tm->n, &sum);
	bench_record(c, "throughput", "ops/s", HIGHER, ops);
	bench_record(c, "jain", "index", HIGHER, bench_jain(share, tm->n));
	bench_record(c, "min_share", "CPU", HIGHER, lo);
	bench_record_sched(c, sum.csw, sum.mig, sum.runq_ns, mig_better,
			   &win->w0, &win->w1);
}

void bench_window_free(struct bench_window *win)
{
	free(win->s0);
	free(win->s1);
}
