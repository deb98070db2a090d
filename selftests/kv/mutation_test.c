// SPDX-License-Identifier: GPL-2.0
/*
 * kv_mutation_test: each deliberately broken variant is caught by the
 * simulator's history checker within 1,000 seeds, by the invariant it
 * breaks, while the correct store passes the very same seeds. A checker
 * that cannot fail would fail this test.
 *   - read repair, write repair and anti-entropy off (eventual mode):
 *     replicas that missed a write never converge;
 *   - last writer wins stamped by the bare, skewed wall clock (quorum
 *     mode): a later write loses to an earlier one;
 *   - a join that moves reads to the new owners before the joiner caught
 *     up (quorum mode): a read misses an acknowledged write;
 *   - the same with a leave, whose commit also lets the leaver drop its
 *     copies: a read misses an acknowledged write;
 *   - replicas that drop a key as soon as they store its tombstone
 *     (quorum mode, deletes): a replica that missed the delete hands the
 *     deleted version back, and a read returns it;
 *   - tombstones collected as soon as a read found them on every owner,
 *     without purging the other nodes' copies and hints or waiting: a
 *     node that still held an older version hands it back, and a read
 *     returns it.
 */
#include "ktap.h"
#include "../../tools/kv/sim/sim.h"

struct variant {
	const char *name;
	const char *invariant;	/* what the failure must say */
	const char *or;		/* or this; may be NULL */
	void (*setup)(struct kvsim_opts *o, bool broken);
};

static void no_repair(struct kvsim_opts *o, bool broken)
{
	o->r = o->w = 1;
	o->keys = 16;	/* as kv_sim_test's eventual mode: no explosion */
	if (broken)
		o->cfg.read_repair = o->cfg.write_repair =
			o->cfg.anti_entropy = false;
}

static void wallclock(struct kvsim_opts *o, bool broken)
{
	o->cfg.policy = KV_POL_LWW;
	o->nemesis = KVSIM_N_SKEW | KVSIM_N_LOSS;
	o->cfg.broken_wallclock = broken;
}

static void hasty_join(struct kvsim_opts *o, bool broken)
{
	o->nodes = 6;
	o->join_at = 500000;
	o->cfg.broken_hasty_move = broken;
}

static void hasty_leave(struct kvsim_opts *o, bool broken)
{
	o->nodes = 6;
	o->leave_at = 500000;
	o->cfg.broken_hasty_move = broken;
}

static void drop_tombstones(struct kvsim_opts *o, bool broken)
{
	o->deletes = 50;
	o->cfg.broken_drop_tombstones = broken;
}

static void hasty_reap(struct kvsim_opts *o, bool broken)
{
	o->cfg.broken_hasty_reap = broken;
}

static const struct variant variants[] = {
	{ "read repair and anti-entropy off", "did not converge", NULL,
	  no_repair },
	{ "LWW on skewed wall clocks", "lost update", NULL, wallclock },
	/* a read that misses a delete returns what it deleted */
	{ "a join committed before the joiner caught up", "misses the write",
	  "resurrected", hasty_join },
	{ "a leave committed before the leaver's heirs caught up",
	  "misses the write", "resurrected", hasty_leave },
	{ "tombstones collected at once", "resurrected", NULL,
	  drop_tombstones },
	{ "tombstones reaped without purge or grace", "resurrected", NULL,
	  hasty_reap },
};

int main(void)
{
	const unsigned int nv = sizeof(variants) / sizeof(variants[0]);
	struct kvsim_result r;
	struct kvsim_opts o;
	unsigned int i, seed, found, control_bad, last;

	ktap_plan(2 * nv);
	for (i = 0; i < nv; i++) {
		kvsim_opts_default(&o);
		variants[i].setup(&o, true);
		for (found = 0, seed = 1; seed <= 1000; seed++) {
			kvsim_run(&o, seed, &r, NULL);
			if (!r.ok) {
				found = seed;
				break;
			}
		}
		ktap_ok(found && (strstr(r.why, variants[i].invariant) ||
				  (variants[i].or &&
				   strstr(r.why, variants[i].or))),
			"%s: caught at seed %u (%s)", variants[i].name, found,
			found ? r.why : "never");
		kvsim_opts_default(&o);
		variants[i].setup(&o, false);
		control_bad = 0;
		last = found > 200 ? found : 200;
		for (seed = 1; seed <= last; seed++) {
			kvsim_run(&o, seed, &r, NULL);
			if (!r.ok && !control_bad++)
				ktap_diag("seed %u: %s", seed, r.why);
		}
		ktap_ok(!control_bad, "%s: the correct store passes seeds 1..%u",
			variants[i].name, last);
	}
	return ktap_finish();
}
