// SPDX-License-Identifier: GPL-2.0
/*
 * probes_pin_test: pinning lands on the requested CPU (the caller and
 * every team thread, checked with sched_getcpu() while running), a CPU
 * that does not exist is refused, and memory bound to node 0 is found on
 * node 0 by move_pages().
 */
#include <unistd.h>

#include "../../tools/probes/probes.h"
#include "ktap.h"

/* Each team thread records whether it ever ran off its CPU. */
static void where_body(struct team_member *m)
{
	while (!team_stopping(m)) {
		if (sched_getcpu() != m->cpu)
			m->aux++;
		m->ops++;
	}
}

int main(void)
{
	int cpus[CPU_SETSIZE], n = allowed_cpus(cpus, CPU_SETSIZE);
	struct team_member mem[16];
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	bool ok = true;
	void *p;

	ktap_plan(n + 4);
	clock_init();
	for (int i = 0; i < n; i++) {
		bool good = try_pin_self(cpus[i]) == 0;

		for (int k = 0; k < 1000 && good; k++) {
			if (!(k % 100))
				sched_yield();
			good = sched_getcpu() == cpus[i];
		}
		ktap_ok(good, "pinned to CPU %d and stays there", cpus[i]);
	}
	ktap_ok(try_pin_self(conf + 1) != 0 && try_pin_self(-1) != 0,
		"CPU %ld (beyond the %ld configured) and CPU -1 are refused",
		conf + 1, conf);

	int nt = n > 16 ? 16 : n;

	team_run(nt, cpus, n, 100, where_body, NULL, mem);
	for (int i = 0; i < nt; i++) {
		if (mem[i].aux || !mem[i].ops)
			ktap_diag("thread %d on CPU %d: %llu of %llu checks elsewhere",
				  i, mem[i].cpu, (unsigned long long)mem[i].aux,
				  (unsigned long long)mem[i].ops);
		ok &= mem[i].aux == 0 && mem[i].ops > 0;
	}
	ktap_ok(ok, "%d team threads all ran only on their own CPU", nt);

	pin_self(cpus[0]);
	p = place_alloc(8 << 20, 0, false);
	ktap_ok(place_check(p, 8 << 20, 0) == 1.0,
		"8 MiB bound to node 0 is all on node 0 (move_pages)");
	ktap_ok(place_check(p, 8 << 20, nodes_count()) == 0.0,
		"none of it is reported on node %d", nodes_count());
	place_free(p, 8 << 20);
	return ktap_finish();
}
