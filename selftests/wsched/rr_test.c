// SPDX-License-Identifier: GPL-2.0
/*
 * rr_test: k pure user-space spinners on one group CPU share it 1/k each
 * (within 5%) in uninterrupted stretches of about wsched's slice; the
 * same spinners under the stock scheduler are measured for comparison.
 */
#include <unistd.h>

#include "ktap.h"
#include "wutil.h"

#define K 3
#define SLICE_US 20000

static struct spinner sp[K];

static void measure(const char *who, int fd, bool check)
{
	cpu_set_t one;
	double wall, share[K], sum = 0;
	uint64_t all[K * MAX_STRETCHES], n = 0, med;
	int i, j;

	CPU_ZERO(&one);
	CPU_SET(1, &one);
	for (i = 0; i < K; i++) {
		sp[i].fd = fd;
		sp[i].start_cpu = -1;
		sp[i].mask = &one;
		sp[i].join_err = 0;
	}
	wall = spin_run(sp, K, 500, 3000);
	spin_stop(sp, K);
	for (i = 0; i < K; i++) {
		share[i] = (double)(sp[i].cpu1 - sp[i].cpu0) / wall;
		sum += share[i];
		for (j = 0; j < (int)sp[i].nstretch; j++)
			all[n++] = sp[i].stretch[j];
	}
	med = median_u64(all, n);
	ktap_diag("%s: shares %.3f %.3f %.3f of the CPU, median stretch %.2f ms over %llu stretches",
		  who, share[0], share[1], share[2], med / 1e6,
		  (unsigned long long)n);
	if (!check)
		return;

	for (i = 0; i < K; i++)
		ktap_ok(sp[i].join_err == 0 &&
			share[i] / sum > (1.0 / K) * 0.95 &&
			share[i] / sum < (1.0 / K) * 1.05,
			"spinner %d gets 1/%d of the group's CPU within 5%% (%.3f)",
			i, K, share[i] / sum);
	ktap_ok(med > SLICE_US * 1000ull * 8 / 10 && med < SLICE_US * 1000ull * 12 / 10,
		"median uninterrupted stretch %.2f ms is the %d ms slice +-20%%",
		med / 1e6, SLICE_US / 1000);
}

int main(void)
{
	struct wsched_params p;
	int fd;

	wutil_init();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		ktap_skip_all("needs 2 CPUs");
	ktap_plan(K + 1);
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
