// SPDX-License-Identifier: GPL-2.0
/*
 * Wake-up latency, schbench-style: message threads each wake their
 * workers, stamping the TSC just before the futex wake; a worker takes
 * the time from the stamp to running in user space again, does a fixed
 * request of CPU work and reports back. Ten threads on four CPUs, so
 * wake-ups race for CPUs and a woken wsched thread may find its CPU's
 * token taken and wait for it.
 */
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "lib/bench.h"

#define MSGS		2
#define WORKERS		4	/* per message thread */
#define REQ_UNITS	200	/* CPU work per request, about 200 us */
#define MAX_SAMPLES	40000	/* per worker */

struct slot {
	_Atomic uint32_t seq;	/* bumped by the message thread: a request */
	_Atomic uint64_t stamp;	/* TSC when it was posted */
	int n;
	double *lat_ns;
};

static struct {
	struct slot slot[MSGS * WORKERS];
	_Atomic uint32_t pending[MSGS];	/* requests of a round not done yet */
	atomic_int measuring;
	_Atomic uint64_t rounds;
} wk;

/* The same with a 1 ms slice: how much of the tail is the slice's doing. */
static const struct bench_variant short_slice = {
	.name = "wsched-1ms", .wsched = true, .steal = -1, .balance = -1,
	.place = -1, .slice_us = 1000,
};

/* With wake-time placement (off by default): an idle group CPU runs them. */
static const struct bench_variant wake_place = {
	.name = "wsched-place", .wsched = true, .steal = -1, .balance = -1,
	.place = -1, .wake_place = true,
};

static void futex_op(_Atomic uint32_t *w, int op, uint32_t val)
{
	syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

static void message(struct bench_thread *t)
{
	int m = t->idx, i;
	uint32_t p;

	while (!team_stopping(t)) {
		atomic_store(&wk.pending[m], WORKERS);
		for (i = 0; i < WORKERS; i++) {
			struct slot *s = &wk.slot[m * WORKERS + i];

			atomic_store(&s->stamp, bench_tsc());
			atomic_fetch_add(&s->seq, 1);
			futex_op(&s->seq, FUTEX_WAKE_PRIVATE, 1);
		}
		while ((p = atomic_load(&wk.pending[m])))
			futex_op(&wk.pending[m], FUTEX_WAIT_PRIVATE, p);
		atomic_fetch_add(&wk.rounds, 1);
		atomic_fetch_add_explicit(&t->ops, 1, memory_order_relaxed);
	}
}

static void worker(struct bench_thread *t)
{
	int w = t->idx - MSGS, m = w / WORKERS;
	struct slot *s = &wk.slot[w];
	uint32_t last = 0, now;
	uint64_t lat;

	for (;;) {
		while ((now = atomic_load(&s->seq)) == last && !team_stopping(t))
			futex_op(&s->seq, FUTEX_WAIT_PRIVATE, last);
		if (team_stopping(t))
			break;
		lat = bench_tsc() - atomic_load(&s->stamp);
		last = now;
		if (atomic_load(&wk.measuring) && s->n < MAX_SAMPLES)
			s->lat_ns[s->n++] = bench_tsc_to_ns(lat);
		bench_work(REQ_UNITS);
		atomic_fetch_add_explicit(&t->ops, 1, memory_order_relaxed);
		if (atomic_fetch_sub(&wk.pending[m], 1) == 1)
			futex_op(&wk.pending[m], FUTEX_WAKE_PRIVATE, 1);
	}
	/* Let a message thread blocked on this round finish. */
	atomic_store(&wk.pending[m], 0);
	futex_op(&wk.pending[m], FUTEX_WAKE_PRIVATE, 1);
}

static void body(struct bench_thread *t)
{
	if (t->idx < MSGS)
		message(t);
	else
		worker(t);
}

static int run(struct bench_ctx *c)
{
	const int n = MSGS + MSGS * WORKERS;
	struct bench_snap s0[n], s1[n], sum;
	struct bench_wtotals w0, w1;
	struct bench_team tm;
	uint64_t r0, t0;
	double *all;
	int i, total = 0;

	memset(&wk, 0, sizeof(wk));
	for (i = 0; i < MSGS * WORKERS; i++) {
		wk.slot[i].lat_ns = calloc(MAX_SAMPLES, sizeof(double));
		if (!wk.slot[i].lat_ns)
			die("out of memory");
	}
	team_start(&tm, c->v, "0-3", n, body, NULL);
	bench_sleep_ms(bench_ms(c, 300));
	bench_wtotals(tm.fd, &w0);
	team_snap(&tm, s0);
	r0 = atomic_load(&wk.rounds);
	t0 = bench_now_ns();
	atomic_store(&wk.measuring, 1);
	bench_sleep_ms(bench_ms(c, 2000));
	atomic_store(&wk.measuring, 0);
	team_snap(&tm, s1);
	bench_record(c, "requests", "req/s", HIGHER,
		     (atomic_load(&wk.rounds) - r0) * WORKERS /
		     ((bench_now_ns() - t0) / 1e9));
	bench_wtotals(tm.fd, &w1);
	/* Workers parked in futex_wait see the stop flag once woken. */
	atomic_store(&tm.stop, 1);
	for (i = 0; i < MSGS * WORKERS; i++) {
		atomic_fetch_add(&wk.slot[i].seq, 1);
		futex_op(&wk.slot[i].seq, FUTEX_WAKE_PRIVATE, 1);
	}
	team_stop(&tm);

	bench_team_totals(s0, s1, n, &sum);
	for (i = 0; i < MSGS * WORKERS; i++)
		total += wk.slot[i].n;
	all = malloc((total + 1) * sizeof(double));
	if (!all)
		die("out of memory");
	for (total = 0, i = 0; i < MSGS * WORKERS; i++) {
		memcpy(all + total, wk.slot[i].lat_ns, wk.slot[i].n * sizeof(double));
		total += wk.slot[i].n;
		free(wk.slot[i].lat_ns);
	}
	bench_record_latency(c, "wakeup", all, total);
	bench_record_sched(c, sum.csw, sum.mig, sum.runq_ns, INFO, &w0, &w1);
	free(all);
	return 0;
}

const struct bench_workload wl_wakeup = {
	.name = "wakeup",
	.title = "Wake-up latency (schbench-style)",
	.what = "2 message threads each wake 4 workers through futexes; a worker measures TSC time from the post to running again, does ~200 us of CPU work and reports back; 10 threads on CPUs 0-3. Percentiles of the wake-up latency, requests served per second. wsched-1ms is wsched with a 1 ms slice instead of 20 ms; wsched-place is wsched with wake-time placement (the module's wake_place, off by default). Target: p99 no worse than the stock scheduler.",
	.variants = (const struct bench_variant *const[]){ &bench_cfs, &bench_wsched, &short_slice, &wake_place, NULL },
	.run = run,
};
