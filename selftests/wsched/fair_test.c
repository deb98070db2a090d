// SPDX-License-Identifier: GPL-2.0
/*
 * fair_test: the textbook imbalance - A alone on CPU 1, B and D sharing
 * CPU 2. With balance "none" it stays (A ~ 1.0, B, D ~ 0.5); with "fair"
 * every thread ends near 2/3 of a CPU (Jain's index >= 0.98 at the default
 * gap of 16 slices, 0.99 at 2, which moves threads several times as often).
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
	uint64_t moves, moves2;

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
	/*
	 * The default gap lets shares drift 16 slices (320 ms) apart before
	 * a swap: within a 4 s window that is up to ~0.01 of Jain's index
	 * (bench's 3 s windows read 0.996); gap 2 below is held to 0.99.
	 */
	ktap_ok(j >= 0.98, "balance fair: Jain's index %.4f >= 0.98", j);
	/* Swaps cost migrations under TCG: equal shares, somewhat below 2/3. */
	ktap_ok(share[0] > 0.5 && share[0] < 0.8 && share[1] > 0.5 &&
		share[1] < 0.8 && share[2] > 0.5 && share[2] < 0.8,
		"balance fair: every thread near 2/3 of a CPU (0.5..0.8)");

	/*
	 * The gap prices a migration: the default's 16 slices (320 ms of
	 * drift) swap several times less often than 2 slices do.
	 */
	j = run(WSCHED_BALANCE_FAIR, 2, share, &moves2);
	ktap_diag("balance fair, gap 2: A %.3f B %.3f D %.3f, Jain %.3f, %llu moves",
		  share[0], share[1], share[2], j, (unsigned long long)moves2);
	ktap_ok(j > 0.99 && moves > 0 && 3 * moves < moves2,
		"balance gap 2: %llu balance moves, over three times the default's %llu, Jain %.3f > 0.99",
		(unsigned long long)moves2, (unsigned long long)moves, j);
	return ktap_finish();
}
