// SPDX-License-Identifier: GPL-2.0
/*
 * rr_test: k pure user-space spinners on one group CPU share its time 1/k
 * each (within 5%; a second window decides when the first is off) in
 * uninterrupted stretches of about wsched's slice; the same spinners
 * under the stock scheduler are measured for comparison.
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "ktap.h"
#include "wutil.h"

#define K 3
#define SLICE_US 20000

static struct spinner sp[K];
static uint64_t prev_dispatches;

/*
 * Shares are checked in CPU time: what the scheduler hands out. Work (spin
 * iterations) is shown beside it but not checked: a TCG vCPU that the
 * host deschedules loses work for whichever spinner holds the CPU then,
 * under either scheduler (seen: 0.307 to 0.355 of the work with exact
 * 20 ms turns, the stock scheduler's 0.297 to 0.351 in the same boot).
 */
static bool measure(const char *who, int fd, bool check, bool last)
{
	struct wsched_group_stats st;
	uint64_t all[K * MAX_STRETCHES], n = 0, med, turns = 0, loops = 0;
	uint64_t dispatches = 0, cpu = 0;
	double share[K], work[K];
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
		/* This window's (and its warm-up's), not an earlier one's. */
		dispatches = st.cpus[0].dispatches - prev_dispatches;
		prev_dispatches = st.cpus[0].dispatches;
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
	for (i = 0; i < K; i++) {
		cpu += sp[i].cpu1 - sp[i].cpu0;
		work[i] = loops ? (double)sp[i].loops / loops : 0;
	}
	for (i = 0; i < K; i++)
		share[i] = cpu ? (double)(sp[i].cpu1 - sp[i].cpu0) / cpu : 0;
	med = median_u64(all, n);
	for (i = 0; i < K; i++)
		ktap_diag("%s: spinner %d: %llu turns, %.1f ms of CPU", who, i,
			  (unsigned long long)sp[i].turns, (sp[i].cpu1 - sp[i].cpu0) / 1e6);
	ktap_diag("%s: CPU shares %.3f %.3f %.3f (work %.3f %.3f %.3f), median turn %.2f ms, %llu turns",
		  who, share[0], share[1], share[2], work[0], work[1], work[2],
		  med / 1e6, (unsigned long long)turns);
	if (!check)
		return true;
	for (i = 0; i < K; i++)
		if (fabs(share[i] - 1.0 / K) > 0.05 / K && !last)
			return false;
	for (i = 0; i < K; i++)
		ktap_ok(sp[i].join_err == 0 && share[i] > (1.0 / K) * 0.95 &&
			share[i] < (1.0 / K) * 1.05,
			"spinner %d gets 1/%d of the CPU's time within 5%% (%.3f)",
			i, K, share[i]);
	ktap_ok(med > SLICE_US * 1000ull * 8 / 10 && med < SLICE_US * 1000ull * 12 / 10,
		"median uninterrupted turn %.2f ms is the %d ms slice +-20%%",
		med / 1e6, SLICE_US / 1000);
	/* Exclusive: the CPU changes hands only when the token does. */
	ktap_ok(turns > 0 && dispatches > 0 && turns <= dispatches + K,
		"exclusive: %llu turns on the CPU for %llu token dispatches",
		(unsigned long long)turns, (unsigned long long)dispatches);
	return true;
}

int main(void)
{
	struct wsched_params p;
	int fd;

	wutil_init();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		ktap_skip_all("needs 2 CPUs");
	ktap_plan(K + 2);
	measure("stock scheduler (baseline)", -1, false, true);
	wsched_params_default(&p);
	p.slice_us = SLICE_US;
	p.steal = WSCHED_STEAL_NONE;
	p.balance = WSCHED_BALANCE_NONE;
	fd = group_open("1", &p);
	if (fd < 0) {
		printf("Bail out! group on CPU 1: %s\n", strerror(-fd));
		return KTAP_FAIL;
	}
	/*
	 * A loaded host can skew one window's CPU times by descheduling the
	 * vCPU (seen: 0.425 of the CPU time with 0.312 of the work): a
	 * second window decides. An unfair scheduler fails both.
	 */
	if (!measure("wsched", fd, true, false)) {
		ktap_diag("a share is off by more than 5%%: measuring a second window");
		measure("wsched", fd, true, true);
	}
	close(fd);
	return ktap_finish();
}
