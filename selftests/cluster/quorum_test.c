// SPDX-License-Identifier: GPL-2.0
/*
 * cluster_quorum_test: votequorum's arithmetic (N/2+1, the disk's votes,
 * two_node, the broken N/2) and scripted histories in the simulator that
 * show each rule doing its job: last_man_standing keeps a master as nodes
 * fail one by one where plain quorum loses it; wait_for_all holds the
 * first election until every node was seen; two_node survives the loss
 * of one node; the voting disk lets a lone node keep the cluster only
 * while it holds the disk. And the ranked election: each time a master
 * crashes its successor takes over when the timeout runs out, with no
 * random delay on top.
 */
#include "ktap.h"
#include "../../tools/cluster/core/quorum.h"
#include "../../tools/cluster/sim/sim.h"

static void arithmetic(void)
{
	struct cl_config c;
	unsigned int n, bad = 0;

	for (n = 1; n <= 16; n++) {
		cl_config_default(&c, n);
		bad += cl_quorum_need(&c, n) != n / 2 + 1;
		/* no two disjoint groups can both reach it */
		bad += 2 * cl_quorum_need(&c, n) <= n;
	}
	ktap_ok(!bad, "quorum is N/2+1 and no two disjoint groups reach it, N = 1..16");
	cl_config_default(&c, 3);
	c.disk_votes = 2;
	ktap_ok(cl_quorum_need(&c, 3) == 3 && cl_quorate(&c, 3, 1, true) &&
		!cl_quorate(&c, 3, 2, false),
		"with a 2-vote disk, 3 nodes need 3 of 5 votes: one node and the disk, or all three nodes");
	cl_config_default(&c, 2);
	c.two_node = true;
	ktap_ok(cl_quorum_need(&c, 2) == 1, "two_node: one vote of two is quorum");
	cl_config_default(&c, 4);
	c.broken = CL_BROKEN_HALF_QUORUM;
	ktap_ok(cl_quorum_need(&c, 4) == 2,
		"the broken variant needs N/2: two halves of four could both have it");
	cl_config_default(&c, 5);
	c.last_man_standing = true;
	ktap_ok(cl_lms_next(&c, 5, 4, c.lms_window - 1) == 5 &&
		cl_lms_next(&c, 5, 4, c.lms_window) == 4 &&
		cl_lms_next(&c, 2, 1, c.lms_window) == 2 &&
		cl_lms_next(&c, 3, 5, 0) == 5,
		"last_man_standing: expected votes fall after the window, never below 2, rise at once");
}

static uint8_t run(struct sim_opts *o, const struct sim_script *sc,
		   unsigned int nsc, struct sim_result *r)
{
	o->nemesis = 0;
	o->vary = false;
	o->no_heal = true;
	o->script = sc;
	o->nscript = nsc;
	sim_run(o, 1, r, stdout);
	return r->final_master;
}

static void scenarios(void)
{
	static const struct sim_script three_fail[] = {
		{ 3000000, 4, SIM_ACT_CRASH },
		{ 6000000, 3, SIM_ACT_CRASH },
		{ 9000000, 2, SIM_ACT_CRASH },
	};
	static const struct sim_script absent[] = { { 0, 2, SIM_ACT_ABSENT } };
	static const struct sim_script one_of_two[] = {
		{ 3000000, 0, SIM_ACT_CRASH }, { 3000000, 1, SIM_ACT_CRASH },
	};
	static const struct sim_script two_of_three[] = {
		{ 3000000, 1, SIM_ACT_CRASH }, { 3000000, 2, SIM_ACT_CRASH },
	};
	struct sim_opts o;
	struct sim_result r;
	uint8_t m;

	sim_opts_default(&o, 5);
	o.chaos = 14000000;
	o.cfg.last_man_standing = true;
	m = run(&o, three_fail, 3, &r);
	ktap_ok(r.ok && m != CL_NONE && r.final_expected == 2,
		"last_man_standing: 5 nodes lose 3 one by one, the last 2 keep a master (n%d, expected votes %u)",
		m == CL_NONE ? -1 : m, r.final_expected);
	o.cfg.last_man_standing = false;
	m = run(&o, three_fail, 3, &r);
	ktap_ok(r.ok && m == CL_NONE,
		"without it the same 2 survivors of 5 have no quorum and no master");

	sim_opts_default(&o, 3);
	o.chaos = 6000000;
	o.cfg.wait_for_all = true;
	m = run(&o, absent, 1, &r);
	ktap_ok(r.ok && m == CL_NONE,
		"wait_for_all: with one of 3 nodes never seen, no master is elected");
	o.cfg.wait_for_all = false;
	m = run(&o, absent, 1, &r);
	ktap_ok(r.ok && m != CL_NONE,
		"without wait_for_all, 2 of 3 elect a master");

	sim_opts_default(&o, 2);
	o.chaos = 8000000;
	o.cfg.two_node = o.cfg.wait_for_all = true;
	m = run(&o, &one_of_two[1], 1, &r);
	ktap_ok(r.ok && m == 0, "two_node: n0 is master after n1 crashes");

	sim_opts_default(&o, 3);
	o.chaos = 8000000;
	o.cfg.disk_votes = 2;
	m = run(&o, two_of_three, 2, &r);
	ktap_ok(r.ok && m == 0,
		"a 2-vote disk lets n0 alone keep the cluster after n1 and n2 crash");
	o.cfg.disk_votes = 0;
	m = run(&o, two_of_three, 2, &r);
	ktap_ok(r.ok && m == CL_NONE, "without the disk n0 alone has no quorum");
	(void)one_of_two;
}

/*
 * Nine ranked nodes lose four masters in turn. The successor of each is
 * known to all from the master's beats, so it starts its pre-vote at the
 * first tick a quarter tick past the timeout: from the first follower
 * that sees the beats stop (its tick may come before the successor's),
 * a new master within two ticks and the three round trips of pre-vote,
 * vote and disk reservation (the simulator's links take at most 0.6 ms,
 * its disk 1 ms). A 1 ms tick makes a random draw on top, up to half a
 * slot (16 ms here), stand out.
 */
static void ranked(void)
{
	static const struct sim_script masters[] = {
		{ 3000000, 0, SIM_ACT_CRASH }, { 4500000, 1, SIM_ACT_CRASH },
		{ 6000000, 2, SIM_ACT_CRASH }, { 7500000, 3, SIM_ACT_CRASH },
	};
	struct sim_opts o;
	struct sim_result r;
	cl_time bound;
	uint8_t m;

	sim_opts_default(&o, 9);
	o.chaos = 9000000;
	o.cfg.ranked = true;
	o.cfg.tick = 1000;
	bound = 2 * o.cfg.tick + 4000;
	m = run(&o, masters, 4, &r);
	ktap_ok(r.ok && m == 4 && r.st.takeover_n == 4 &&
		r.st.takeover_max <= bound,
		"ranked: 4 crashed masters of 9 each replaced by their successor (n%d last), slowest %llu us after the beats were seen stopped (bound %llu)",
		m == CL_NONE ? -1 : m, (unsigned long long)r.st.takeover_max,
		(unsigned long long)bound);
}

int main(void)
{
	ktap_plan(13);
	arithmetic();
	scenarios();
	ranked();
	return ktap_finish();
}
