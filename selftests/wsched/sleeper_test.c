// SPDX-License-Identifier: GPL-2.0
/*
 * sleeper_test: a pipe ping-pong sharing one group CPU with a spinner of
 * the same group. A member that wakes must get the CPU promptly (it is
 * behind the spinner in run time) instead of waiting out the spinner's
 * whole slice, and the spinner must neither starve nor take nearly all of
 * the CPU. The same three threads run first under the stock
 * scheduler, pinned to the same CPU, in the same boot: the baseline.
 * (Before the wake-up credit, each round trip took about a slice.)
 */
#include <stdlib.h>
#include <unistd.h>

#include "ktap.h"
#include "wutil.h"

#define SLICE_US 20000
#define MAX_TRIPS 200000

struct mix {
	int fd;				/* group, or -1 for the stock scheduler */
	int ab[2], ba[2];		/* pipes: pinger -> ponger, back */
	atomic_int phase;		/* 0 warm-up, 1 window, 2 stop */
	atomic_int errors;
	uint64_t spin_cpu, pair_cpu[2];	/* CPU time in the window, ns */
	uint64_t trips, trip_ns[MAX_TRIPS];
};

static void enter(struct mix *x)
{
	cpu_set_t one;
	int cpu;

	CPU_ZERO(&one);
	CPU_SET(1, &one);
	if (sched_setaffinity(0, sizeof(one), &one) ||
	    (x->fd >= 0 && wsched_join(x->fd, 0, &cpu)))
		atomic_fetch_add(&x->errors, 1);
}

static void *spinner(void *arg)
{
	struct mix *x = arg;
	uint64_t t0 = 0;

	enter(x);
	while (atomic_load_explicit(&x->phase, memory_order_relaxed) == 0)
		;
	t0 = thread_cpu_ns();
	while (atomic_load_explicit(&x->phase, memory_order_relaxed) == 1)
		;
	x->spin_cpu = thread_cpu_ns() - t0;
	return NULL;
}

static void *ponger(void *arg)
{
	struct mix *x = arg;
	uint64_t t0;
	char c;

	enter(x);
	t0 = thread_cpu_ns();
	while (read(x->ab[0], &c, 1) == 1 && c == 'x')
		if (write(x->ba[1], &c, 1) != 1)
			break;
	x->pair_cpu[1] = thread_cpu_ns() - t0;
	return NULL;
}

static void *pinger(void *arg)
{
	struct mix *x = arg;
	uint64_t t0 = 0, t1;
	char c = 'x';
	int ph;

	enter(x);
	while ((ph = atomic_load(&x->phase)) < 2) {
		if (ph == 1 && !t0)
			t0 = thread_cpu_ns();
		t1 = now_ns();
		if (write(x->ab[1], &c, 1) != 1 || read(x->ba[0], &c, 1) != 1) {
			atomic_fetch_add(&x->errors, 1);
			break;
		}
		if (ph == 1 && x->trips < MAX_TRIPS)
			x->trip_ns[x->trips++] = now_ns() - t1;
	}
	x->pair_cpu[0] = t0 ? thread_cpu_ns() - t0 : 0;
	c = 'q';
	if (write(x->ab[1], &c, 1) != 1)
		atomic_fetch_add(&x->errors, 1);
	return NULL;
}

/* Run the mix for a 2 s window; returns the median round trip in us. */
static double run(struct mix *x, int fd, double *spin_share)
{
	pthread_t th[3];
	int i;

	memset(x, 0, sizeof(*x));
	x->fd = fd;
	if (pipe(x->ab) || pipe(x->ba)) {
		printf("Bail out! pipe: %s\n", strerror(errno));
		exit(KTAP_FAIL);
	}
	pthread_create(&th[0], NULL, spinner, x);
	pthread_create(&th[1], NULL, ponger, x);
	pthread_create(&th[2], NULL, pinger, x);
	sleep_ms(300);
	atomic_store(&x->phase, 1);
	sleep_ms(2000);
	atomic_store(&x->phase, 2);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 2; i++) {
		close(x->ab[i]);
		close(x->ba[i]);
	}
	/* The window's wall time is the CPU's: shares of 2 s. */
	*spin_share = x->spin_cpu / 2e9;
	return x->trips ? median_u64(x->trip_ns, x->trips) / 1e3 : 1e9;
}

int main(void)
{
	static struct mix x;
	double stock_rt, stock_share, rt, share;
	struct wsched_params p;
	int fd;

	wutil_init();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		ktap_skip_all("needs 2 CPUs");
	ktap_plan(2);
	stock_rt = run(&x, -1, &stock_share);
	ktap_diag("stock scheduler: round trip median %.0f us (%llu trips), spinner %.0f%% of the CPU",
		  stock_rt, (unsigned long long)x.trips, 100 * stock_share);
	wsched_params_default(&p);
	p.slice_us = SLICE_US;
	p.steal = WSCHED_STEAL_NONE;
	p.balance = WSCHED_BALANCE_NONE;
	fd = group_open("1", &p);
	if (fd < 0) {
		printf("Bail out! group: %s\n", strerror(-fd));
		return KTAP_FAIL;
	}
	rt = run(&x, fd, &share);
	if (getenv("WSCHED_DEBUG")) {
		struct wsched_group_stats st;

		if (!wsched_stats_read(fd, &st)) {
			wsched_stats_print(stdout, &st);
			wsched_stats_free(&st);
		}
	}
	close(fd);
	ktap_diag("wsched (%d ms slice): round trip median %.0f us (%llu trips), spinner %.0f%% of the CPU",
		  SLICE_US / 1000, rt, (unsigned long long)x.trips, 100 * share);
	/*
	 * Bounds with room for TCG's noise, far from the failure they catch:
	 * a round trip that waits out the spinner's slice is 20 ms or more.
	 */
	ktap_ok(!atomic_load(&x.errors) && rt <= 4 * stock_rt + 1000,
		"a woken member does not wait out a spinner's slice: round trip %.0f us (stock %.0f us)",
		rt, stock_rt);
	/*
	 * Without the credit it had 95% and more; a starved one would have
	 * next to none. Not within 10% of the stock share on every kernel:
	 * on 6.12 it keeps about 75% against EEVDF's 46%
	 * (Documentation/wsched.rst).
	 */
	ktap_ok(share >= stock_share - 0.25 && share <= 0.9,
		"the spinner leaves the ping-pong its turns and is not starved: %.0f%% of the CPU (stock %.0f%%)",
		100 * share, 100 * stock_share);
	return ktap_finish();
}
