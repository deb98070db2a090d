// SPDX-License-Identifier: GPL-2.0
/*
 * fair_test: the textbook imbalance - A alone on CPU 1, B and D sharing
 * CPU 2. With balance "none" it stays (A ~ 1.0, B, D ~ 0.5); with "fair"
 * every thread ends near 2/3 of a CPU (Jain's index >= 0.99).
 */
#include <stdlib.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "ktap.h"
#include "wutil.h"

static struct spinner sp[3];

/* Jain's index of the shares; the balance moves of the window in *@moves. */
static double run(enum wsched_balance balance, unsigned int gap, double *share,
		  uint64_t *moves)
{
	struct wsched_params p;
	cpu_set_t both;
	char err[64];
	double wall;
	int fd, i;

	wsched_params_default(&p);
	p.slice_us = 20000;
	p.steal = WSCHED_STEAL_NONE;
	p.balance = balance;
	p.balance_gap = gap;
	p.place = WSCHED_PLACE_CURRENT;
	fd = group_open("1-2", &p);
	if (fd < 0)
		return -1;
	parse_cpulist("1-2", &both, err, sizeof(err));
	for (i = 0; i < 3; i++) {
		sp[i].fd = fd;
		/* place=current: A starts on CPU 1, B and D on CPU 2. */
		sp[i].start_cpu = i == 0 ? 1 : 2;
		sp[i].mask = &both;
	}
	wall = spin_run(sp, 3, 1000, 4000);
	ktap_diag("placed on CPUs %d %d %d", sp[0].home, sp[1].home, sp[2].home);
	for (i = 0; i < 3; i++)
		share[i] = (double)(sp[i].cpu1 - sp[i].cpu0) / wall;
	*moves = 0;
	{
		struct wsched_group_stats st;

		if (!wsched_stats_read(fd, &st)) {
			for (i = 0; i < (int)st.g.nr_cpus; i++)
				*moves += st.cpus[i].balance_moves;
			if (getenv("WSCHED_DEBUG"))
				wsched_stats_print(stdout, &st);
			wsched_stats_free(&st);
		}
	}
	spin_stop(sp, 3);
	close(fd);
	return jain(share, 3);
}

int main(void)
{
	double share[3], j;
	uint64_t moves, moves16;

	wutil_init();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 3)
		ktap_skip_all("needs CPUs 1 and 2");
	ktap_plan(5);

	j = run(WSCHED_BALANCE_NONE, 0, share, &moves);
	ktap_diag("balance none: A %.3f B %.3f D %.3f, Jain %.3f", share[0],
		  share[1], share[2], j);
	ktap_ok(j > 0 && share[0] > 0.85 && share[1] < 0.6 && share[2] < 0.6,
		"balance none keeps the imbalance: A ~1.0, B and D ~0.5");
	ktap_ok(j > 0 && j < 0.95, "balance none: Jain's index %.3f < 0.95", j);

	j = run(WSCHED_BALANCE_FAIR, 0, share, &moves);
	ktap_diag("balance fair: A %.3f B %.3f D %.3f, Jain %.3f, %llu moves",
		  share[0], share[1], share[2], j, (unsigned long long)moves);
	ktap_ok(j >= 0.99, "balance fair: Jain's index %.4f >= 0.99", j);
	/* Swaps cost migrations under TCG: equal shares, somewhat below 2/3. */
	ktap_ok(share[0] > 0.5 && share[0] < 0.8 && share[1] > 0.5 &&
		share[1] < 0.8 && share[2] > 0.5 && share[2] < 0.8,
		"balance fair: every thread near 2/3 of a CPU (0.5..0.8)");

	/*
	 * The gap prices a migration: 16 slices (320 ms of drift) instead of
	 * the default's few swap an order of magnitude less often.
	 */
	j = run(WSCHED_BALANCE_FAIR, 16, share, &moves16);
	ktap_diag("balance fair, gap 16: A %.3f B %.3f D %.3f, Jain %.3f, %llu moves",
		  share[0], share[1], share[2], j, (unsigned long long)moves16);
	ktap_ok(j > 0.9 && moves > 0 && 3 * moves16 < moves,
		"balance gap 16: %llu balance moves against the default's %llu (under a third), Jain %.3f > 0.9",
		(unsigned long long)moves16, (unsigned long long)moves, j);
	return ktap_finish();
}
