// SPDX-License-Identifier: GPL-2.0
/*
 * rr_test: k pure user-space spinners on one group CPU share it 1/k each
 * (within 5%, or within the stock scheduler's own spread in the same
 * boot plus one slice's worth, when the host makes that wider) in
 * uninterrupted stretches of about wsched's slice; the same spinners
 * under the stock scheduler are measured first, as the baseline.
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "ktap.h"
#include "wutil.h"

#define K 3
#define SLICE_US 20000

static struct spinner sp[K];
static double stock_dev;	/* the baseline's largest |share - 1/K| */

/*
 * Shares are counted in work (spin iterations), not CPU time: in a VM the
 * guest's CPU clock also runs while the host has descheduled the vCPU,
 * which says nothing about the guest's scheduler.
 */
static void measure(const char *who, int fd, bool check)
{
	double tol = 0.05 / K, turn;
	struct wsched_group_stats st;
	uint64_t all[K * MAX_STRETCHES], n = 0, med, turns = 0, loops = 0;
	uint64_t dispatches = 0;
	double share[K];
	cpu_set_t one;
	int i, j;

	CPU_ZERO(&one);
	CPU_SET(1, &one);
	for (i = 0; i < K; i++) {
		sp[i].fd = fd;
		sp[i].start_cpu = -1;
		sp[i].mask = &one;
		sp[i].join_err = 0;
	}
	spin_run(sp, K, 500, 3000);
	if (fd >= 0 && !wsched_stats_read(fd, &st)) {
		dispatches = st.cpus[0].dispatches;
		if (getenv("WSCHED_DEBUG"))
			wsched_stats_print(stdout, &st);
		wsched_stats_free(&st);
	}
	spin_stop(sp, K);
	for (i = 0; i < K; i++) {
		loops += sp[i].loops;
		turns += sp[i].turns;
		for (j = 0; j < (int)sp[i].nstretch; j++)
			all[n++] = sp[i].stretch[j];
	}
	for (i = 0; i < K; i++)
		share[i] = loops ? (double)sp[i].loops / loops : 0;
	med = median_u64(all, n);
	ktap_diag("%s: work shares %.3f %.3f %.3f, median turn %.2f ms, %llu turns",
		  who, share[0], share[1], share[2], med / 1e6,
		  (unsigned long long)turns);
	if (!check) {
		for (i = 0; i < K; i++)
			if (fabs(share[i] - 1.0 / K) > stock_dev)
				stock_dev = fabs(share[i] - 1.0 / K);
		return;
	}
	/*
	 * A TCG vCPU the host deschedules loses work for whichever spinner
	 * runs then, under either scheduler: when the baseline spread more
	 * than 5%, allow its spread plus one turn's share of the window.
	 */
	turn = turns ? 1.0 / turns : 0;
	if (stock_dev + turn > tol)
		tol = stock_dev + turn;
	for (i = 0; i < K; i++)
		ktap_ok(sp[i].join_err == 0 && fabs(share[i] - 1.0 / K) <= tol,
			"spinner %d gets 1/%d of the CPU's work within %.1f%% (%.3f)",
			i, K, 100 * tol * K, share[i]);
	ktap_ok(med > SLICE_US * 1000ull * 8 / 10 && med < SLICE_US * 1000ull * 12 / 10,
		"median uninterrupted turn %.2f ms is the %d ms slice +-20%%",
		med / 1e6, SLICE_US / 1000);
	/* Exclusive: the CPU changes hands only when the token does. */
	ktap_ok(turns > 0 && dispatches > 0 && turns <= dispatches + K,
		"exclusive: %llu turns on the CPU for %llu token dispatches",
		(unsigned long long)turns, (unsigned long long)dispatches);
}

int main(void)
{
	struct wsched_params p;
	int fd;

	wutil_init();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		ktap_skip_all("needs 2 CPUs");
	ktap_plan(K + 2);
	measure("stock scheduler (baseline)", -1, false);
	wsched_params_default(&p);
	p.slice_us = SLICE_US;
	p.steal = WSCHED_STEAL_NONE;
	p.balance = WSCHED_BALANCE_NONE;
	fd = group_open("1", &p);
	if (fd < 0) {
		printf("Bail out! group on CPU 1: %s\n", strerror(-fd));
		return KTAP_FAIL;
	}
	measure("wsched", fd, true);
	close(fd);
	return ktap_finish();
}
