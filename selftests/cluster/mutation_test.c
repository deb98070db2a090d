// SPDX-License-Identifier: GPL-2.0
/*
 * cluster_mutation_test: each deliberately broken variant (fencing
 * skipped, quorum N/2, suspicion off, a partition served without the
 * handover wait, a journal-replay primary serving before its replay,
 * last_man_standing that never raises expected votes again, a master
 * that serves without waiting out a stuck master's watchdog) is
 * caught by the simulator's
 * checker within 1,000 seeds, and by the invariant it breaks; the
 * correct code passes the very same seeds. A checker that cannot fail
 * would fail this test.
 */
#include "ktap.h"
#include "../../tools/cluster/sim/sim.h"

struct variant {
	const char *name;
	unsigned int broken;
	const char *invariant;	/* what the failure must say */
	unsigned int nemesis;
	bool swim_only;		/* detector swim, no second channel */
	bool journal;		/* the service replays a journal */
	bool lms;		/* last_man_standing on */
	unsigned int watchdog_ms;	/* watchdogs, no power-fence agent */
};

static const struct variant variants[] = {
	{ "fencing skipped", CL_BROKEN_NO_FENCE, "fenced write accepted",
	  SIM_N_ALL, false, false, false, 0 },
	{ "quorum N/2", CL_BROKEN_HALF_QUORUM, "quorum", SIM_N_ALL, false, false, false, 0 },
	{ "suspicion off", CL_BROKEN_NO_SUSPECT, "false death",
	  SIM_N_LOSS | SIM_N_DUP | SIM_N_REORDER | SIM_N_SKEW, true, false, false, 0 },
	{ "partition handover skipped", CL_BROKEN_NO_HANDOVER,
	  "served", SIM_N_ALL, false, false, false, 0 },
	{ "serving before the journal replay", CL_BROKEN_NO_CATCHUP,
	  "journaled updates", SIM_N_ALL, false, true, false, 0 },
	{ "last_man_standing never raises", CL_BROKEN_LMS_NO_RAISE,
	  "while it reaches", SIM_N_ALL, false, false, true, 0 },
	{ "watchdog bound not waited out", CL_BROKEN_NO_WD_WAIT,
	  "still master of term", SIM_N_ALL, false, false, false, 1000 },
};

static void setup(struct sim_opts *o, const struct variant *v,
		  unsigned int broken)
{
	sim_opts_default(o, 5);
	o->nemesis = v->nemesis;
	o->cfg.broken = broken;
	o->cfg.watchdog = v->watchdog_ms * 1000;
	if (v->swim_only) {
		o->vary = false;
		o->cfg.detector = CL_DET_SWIM;
		o->cfg.second_channel = false;
	}
	if (v->lms) {
		o->vary = false;
		o->cfg.last_man_standing = true;
	}
	if (v->journal) {
		o->vary = false;
		o->cfg.partitions = 4;
		o->cfg.standby = CL_SB_JOURNAL;
	}
}

int main(void)
{
	const unsigned int nv = sizeof(variants) / sizeof(variants[0]);
	struct sim_result r;
	struct sim_opts o;
	unsigned int i, seed, control_fail;
	const struct variant *v;

	ktap_plan(2 * nv);
	for (i = 0; i < nv; i++) {
		v = &variants[i];
		setup(&o, v, v->broken);
		for (seed = 1; seed <= 1000; seed++) {
			sim_run(&o, seed, &r, NULL);
			if (!r.ok)
				break;
		}
		if (seed <= 1000)
			ktap_diag("%s: seed %u: %s", v->name, seed, r.why);
		ktap_ok(seed <= 1000 && strstr(r.why, v->invariant),
			"%s is caught within 1000 seeds (at seed %u) as '%s'",
			v->name, seed, v->invariant);
		/* the correct code on the same seeds: no failure */
		setup(&o, v, 0);
		control_fail = 0;
		for (unsigned int s = 1; s <= seed && s <= 1000; s++) {
			sim_run(&o, s, &r, NULL);
			control_fail += !r.ok;
		}
		ktap_ok(!control_fail, "the correct code passes the same %u seeds",
			seed <= 1000 ? seed : 1000);
	}
	return ktap_finish();
}
