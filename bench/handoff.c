// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-off cost: two threads on one CPU ping-pong through a pipe, then
 * through a futex; each round trip is timed with the TSC. Under wsched
 * every block passes the CPU's token through the sched_switch probe and
 * an irq_work, which is the overhead this measures against the stock
 * scheduler's plain wake-up.
 */
#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "lib/bench.h"

enum { PING = 1, PONG = 2, QUIT = 3 };

static struct {
	int p1[2], p2[2];	/* pinger -> ponger, ponger -> pinger */
	_Atomic uint32_t word;	/* the futex: PING, PONG or QUIT */
	int warm, n;
	double *pipe_ns, *futex_ns;
	atomic_int done;
} h;

static void futex_op(_Atomic uint32_t *w, int op, uint32_t val)
{
	syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

/* Sleep until the word leaves @val. */
static void wait_while(uint32_t val)
{
	while (atomic_load(&h.word) == val)
		futex_op(&h.word, FUTEX_WAIT_PRIVATE, val);
}

static void post(uint32_t val)
{
	atomic_store(&h.word, val);
	futex_op(&h.word, FUTEX_WAKE_PRIVATE, 1);
}

static void xfer(int rd, int wr, char *b)
{
	if (wr >= 0 && write(wr, b, 1) != 1)
		die_errno("pipe write");
	if (rd >= 0 && read(rd, b, 1) != 1)
		die_errno("pipe read");
}

static void pinger(void)
{
	uint64_t t;
	char b = 'p';
	int i;

	for (i = -h.warm; i < h.n; i++) {
		t = bench_tsc();
		xfer(h.p2[0], h.p1[1], &b);
		if (i >= 0)
			h.pipe_ns[i] = bench_tsc_to_ns(bench_tsc() - t);
	}
	b = 'q';
	xfer(-1, h.p1[1], &b);
	for (i = -h.warm; i < h.n; i++) {
		t = bench_tsc();
		post(PING);
		wait_while(PING);
		if (i >= 0)
			h.futex_ns[i] = bench_tsc_to_ns(bench_tsc() - t);
	}
	post(QUIT);
}

static void ponger(void)
{
	char b;

	for (;;) {
		xfer(h.p1[0], -1, &b);
		if (b == 'q')
			break;
		xfer(-1, h.p2[1], &b);
	}
	for (;;) {
		wait_while(PONG);
		if (atomic_load(&h.word) == QUIT)
			break;
		post(PONG);
	}
}

static void worker(struct bench_thread *t)
{
	if (t->idx == 0)
		pinger();
	else
		ponger();
	atomic_fetch_add(&h.done, 1);
	/* Stay alive (asleep) until the main thread has read the counters. */
	while (!team_stopping(t))
		bench_sleep_ms(1);
}

static int run(struct bench_ctx *c)
{
	static const int start[] = { 1, 1 };
	struct bench_wtotals w0, w1;
	struct bench_snap s0[2], s1[2], sum;
	struct bench_team tm;

	h.warm = 200;
	h.n = c->is_long ? 5000 : 2000;
	h.pipe_ns = calloc(h.n, sizeof(double));
	h.futex_ns = calloc(h.n, sizeof(double));
	if (!h.pipe_ns || !h.futex_ns)
		die("out of memory");
	if (pipe(h.p1) || pipe(h.p2))
		die_errno("pipe");
	atomic_store(&h.word, PONG);
	atomic_store(&h.done, 0);

	team_start(&tm, c->v, "1", 2, worker, start);
	bench_wtotals(tm.fd, &w0);
	team_snap(&tm, s0);
	while (atomic_load(&h.done) < 2)
		bench_sleep_ms(10);
	team_snap(&tm, s1);
	bench_wtotals(tm.fd, &w1);
	team_stop(&tm);

	bench_record_latency(c, "pipe_rtt", h.pipe_ns, h.n);
	bench_record_latency(c, "futex_rtt", h.futex_ns, h.n);
	bench_team_totals(s0, s1, 2, &sum);
	bench_record_sched(c, sum.csw, sum.mig, sum.runq_ns, INFO, &w0, &w1);
	close(h.p1[0]);
	close(h.p1[1]);
	close(h.p2[0]);
	close(h.p2[1]);
	free(h.pipe_ns);
	free(h.futex_ns);
	return 0;
}

const struct bench_workload wl_handoff = {
	.name = "handoff",
	.title = "Hand-off cost: ping-pong on one CPU",
	.what = "Two threads on CPU 1 pass a byte through a pipe, then a futex word, back and forth; every round trip is timed with the TSC (warm-up discarded). Both threads block in turn, so under wsched each round trip is two token hand-offs through the sched_switch probe and an irq_work. Target: round trip within 2x the stock scheduler's.",
	.variants = (const struct bench_variant *const[]){ &bench_cfs, &bench_wsched, NULL },
	.run = run,
};
