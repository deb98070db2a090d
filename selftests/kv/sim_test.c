// SPDX-License-Identifier: GPL-2.0
/*
 * kv_sim_test: seeded histories of the store under every fault the
 * simulator injects, judged by its history checker. Quorum mode (R=W=2
 * of N=3) under siblings and under HLC last-writer-wins: no acknowledged
 * write lost, every read sees the writes acknowledged before it began.
 * Eventual mode (R=W=1, sloppy quorum with hinted hand-off): every
 * replica converges after the heal, no acknowledged write lost, counters
 * exact. A fifth of the register writes are deletes: no read returns a
 * version an acknowledged delete covered, while tombstones are collected
 * (and must be, in every mode). A sixth node joins, or leaves,
 * in the middle of the chaos: the same checks, and the change must
 * commit (node by node, requests in flight) and end with the old owners'
 * clean-up, no request failing for a stale ring version. Any failing
 * seed is printed with its history; --seeds K.
 */
#include <stdlib.h>
#include <time.h>

#include "ktap.h"
#include "../../tools/kv/sim/sim.h"

struct mode {
	const char *name;
	unsigned int r, w;
	bool sloppy;
	enum kv_policy pol;
	unsigned int keys;	/* 0: the default */
	unsigned int clients;	/* 0: the default; more than 8 make a hot key */
	kv_time join_at;	/* 0: no ring change */
	kv_time leave_at;
};

static const struct mode modes[] = {
	{ "quorum R=W=2, siblings", 2, 2, false, KV_POL_SIBLINGS, 0, 0, 0, 0 },
	{ "quorum R=W=2, HLC last writer wins", 2, 2, false, KV_POL_LWW, 0, 0,
	  0, 0 },
	/*
	 * Stale reads make siblings pile up on a hot key (Riak's "sibling
	 * explosion"); the writes past KV_SIB_LIMIT are refused.
	 */
	{ "eventual R=W=1, sloppy quorum, siblings", 1, 1, true,
	  KV_POL_SIBLINGS, 16, 0, 0, 0 },
	{ "eventual R=W=1, LWW", 1, 1, false, KV_POL_LWW, 0, 0, 0, 0 },
	/* a sixth node joins in the middle of the chaos */
	{ "quorum R=W=2, siblings, a node joins while serving", 2, 2, false,
	  KV_POL_SIBLINGS, 0, 0, 500000, 0 },
	/* ... and one of six leaves; both end with the old owners' clean-up */
	{ "quorum R=W=2, siblings, a node leaves while serving", 2, 2, false,
	  KV_POL_SIBLINGS, 0, 0, 0, 500000 },
	/* 16 keys: seed 194 piled nine versions on one before the limit */
	{ "eventual R=W=1, sloppy quorum, a node leaves while serving", 1, 1,
	  true, KV_POL_SIBLINGS, 16, 0, 0, 500000 },
	/*
	 * 32 clients on two keys: more concurrent writers than versions a
	 * write may leave, so some writes must be refused, and none of the
	 * acknowledged ones lost to an object's room (KV_MAX_SIB)
	 */
	{ "quorum R=W=2, siblings, 32 clients on 2 hot keys", 2, 2, false,
	  KV_POL_SIBLINGS, 2, 32, 0, 0 },
};

int main(int argc, char **argv)
{
	unsigned int seeds = argc > 2 && !strcmp(argv[1], "--seeds") ?
			     strtoul(argv[2], NULL, 0) : 200;
	const unsigned int nm = sizeof(modes) / sizeof(modes[0]);
	struct kvsim_result r;
	struct kvsim_opts o;
	unsigned int i, seed, bad;
	uint64_t conv_max, conv_sum, conv_n, div_sum, rr, hints, events;
	uint64_t move_sum, move_max, moved, dropped, deletes, stale, crossing;
	uint64_t reaped, purged, full, max_sibs;
	struct timespec t0, t1;

	ktap_plan(nm);
	for (i = 0; i < nm; i++) {
		kvsim_opts_default(&o);
		o.r = modes[i].r;
		o.w = modes[i].w;
		o.sloppy = modes[i].sloppy;
		o.cfg.policy = modes[i].pol;
		if (modes[i].keys)
			o.keys = modes[i].keys;
		if (modes[i].clients)
			o.clients = modes[i].clients;
		o.join_at = modes[i].join_at;
		o.leave_at = modes[i].leave_at;
		if (o.join_at || o.leave_at)
			o.nodes = 6;
		bad = 0;
		conv_max = conv_sum = conv_n = div_sum = rr = hints = 0;
		events = move_sum = move_max = moved = dropped = deletes = 0;
		stale = crossing = reaped = purged = full = max_sibs = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (seed = 1; seed <= seeds; seed++) {
			kvsim_run(&o, seed, &r, bad ? NULL : stdout);
			if (!r.ok) {
				if (!bad)
					ktap_diag("%s: seed %u: %s", modes[i].name,
						  seed, r.why);
				bad++;
				continue;
			}
			events += r.st.events;
			deletes += r.st.deletes;
			stale += r.st.stale;
			crossing += r.st.crossing;
			reaped += r.st.reaped;
			purged += r.st.purged;
			full += r.st.full;
			if (r.st.max_sibs > max_sibs)
				max_sibs = r.st.max_sibs;
			move_sum += r.st.move;
			moved += r.st.moved_keys;
			dropped += r.st.dropped;
			if (r.st.move > move_max)
				move_max = r.st.move;
			rr += r.st.read_repairs + r.st.write_repairs;
			hints += r.st.hints_done;
			div_sum += r.st.divergent_at_heal;
			if (r.st.divergent_at_heal) {
				conv_n++;
				conv_sum += r.st.converge;
				if (r.st.converge > conv_max)
					conv_max = r.st.converge;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ktap_diag("%s: %u seeds, %.1f s, %llu events, %llu deletes acknowledged; repairs %llu, hints handed off %llu",
			  modes[i].name, seeds,
			  (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
			  (unsigned long long)events,
			  (unsigned long long)deletes, (unsigned long long)rr,
			  (unsigned long long)hints);
		ktap_diag("  tombstones: %llu owner copies collected, %llu other copies and hints purged",
			  (unsigned long long)reaped,
			  (unsigned long long)purged);
		if (o.cfg.policy == KV_POL_SIBLINGS)
			ktap_diag("  writes refused for more than %u versions: %llu; the most one copy held %llu (room for %u)",
				  KV_SIB_LIMIT, (unsigned long long)full,
				  (unsigned long long)max_sibs, KV_MAX_SIB);
		if (conv_n)
			ktap_diag("  %llu seeds divergent at heal (%.1f keys on average): converged in %.1f ms mean, %.1f ms max",
				  (unsigned long long)conv_n,
				  (double)div_sum / conv_n,
				  conv_sum / 1000.0 / conv_n, conv_max / 1000.0);
		if ((o.join_at || o.leave_at) && seeds > bad)
			ktap_diag("  %s committed %.1f ms after it began on average, %.1f ms max; the %s %.1f keys; clean-up dropped %.1f copies",
				  o.join_at ? "join" : "leave",
				  move_sum / 1000.0 / (seeds - bad),
				  move_max / 1000.0,
				  o.join_at ? "joiner held" : "leaver kept",
				  (double)moved / (seeds - bad),
				  (double)dropped / (seeds - bad));
		if (o.join_at || o.leave_at)
			ktap_diag("  %llu requests in flight when the commit began, %llu requests failed for a stale ring",
				  (unsigned long long)crossing,
				  (unsigned long long)stale);
		/*
		 * a ring change must end with the clean-up having run and
		 * lose no request to a stale ring; the checker must have had
		 * deletes to judge, and collected tombstones among them; a hot
		 * key must have met the version limit
		 */
		ktap_ok(!bad && deletes && reaped && !stale &&
			(!(o.join_at || o.leave_at) || dropped) &&
			(!modes[i].clients || full),
			"%s: %u of %u seeds pass the checker, %llu lost to a stale ring",
			modes[i].name, seeds - bad, seeds,
			(unsigned long long)stale);
	}
	return ktap_finish();
}
