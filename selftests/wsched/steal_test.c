// SPDX-License-Identifier: GPL-2.0
/*
 * steal_test: N spinners all placed on one CPU of a C-CPU group spread
 * out by work stealing under each steal policy, so the group uses all C
 * CPUs; with steal "none" they stay on one CPU (the control).
 */
#include <unistd.h>

#include <smpkit/util.h>

#include "ktap.h"
#include "wutil.h"

#define N 4

static struct spinner sp[N];

static double run(enum wsched_steal steal, uint64_t *steals)
{
	struct wsched_group_stats st;
	struct wsched_params p;
	cpu_set_t all;
	char err[64];
	double wall, cpus = 0;
	int fd, i;

	wsched_params_default(&p);
	p.slice_us = 10000;
	p.steal = steal;
	p.balance = WSCHED_BALANCE_NONE;
	p.place = WSCHED_PLACE_CURRENT;
	fd = group_open("0-3", &p);
	if (fd < 0)
		return -1;
	parse_cpulist("0-3", &all, err, sizeof(err));
	for (i = 0; i < N; i++) {
		sp[i].fd = fd;
		sp[i].start_cpu = 0;	/* every one placed on CPU 0 */
		sp[i].mask = &all;
	}
	wall = spin_run(sp, N, 500, 1500);
	for (i = 0; i < N; i++)
		cpus += (double)(sp[i].cpu1 - sp[i].cpu0) / wall;
	*steals = 0;
	if (!wsched_stats_read(fd, &st)) {
		for (i = 0; i < (int)st.g.nr_cpus; i++)
			*steals += st.cpus[i].steals_ok;
		wsched_stats_free(&st);
	}
	spin_stop(sp, N);
	close(fd);
	return cpus;
}

int main(void)
{
	static const enum wsched_steal pol[] = {
		WSCHED_STEAL_RANDOM, WSCHED_STEAL_BUSIEST, WSCHED_STEAL_TOPOLOGY,
	};
	uint64_t steals;
	double used;
	unsigned int i;

	wutil_init();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 4)
		ktap_skip_all("needs 4 CPUs");
	ktap_plan(2 * 3 + 1);
	used = run(WSCHED_STEAL_NONE, &steals);
	ktap_diag("steal none: %.2f CPUs used, %llu steals", used,
		  (unsigned long long)steals);
	ktap_ok(used > 0 && used < 1.3 && steals == 0,
		"steal none: %d spinners stay on one CPU (%.2f CPUs)", N, used);
	for (i = 0; i < 3; i++) {
		used = run(pol[i], &steals);
		ktap_diag("steal %s: %.2f CPUs used, %llu steals",
			  wsched_steal_name(pol[i]), used,
			  (unsigned long long)steals);
		ktap_ok(used > 3.0, "steal %s: %d spinners use all 4 CPUs (%.2f)",
			wsched_steal_name(pol[i]), N, used);
		ktap_ok(steals >= 3, "steal %s: at least 3 successful steals (%llu)",
			wsched_steal_name(pol[i]), (unsigned long long)steals);
	}
	return ktap_finish();
}
