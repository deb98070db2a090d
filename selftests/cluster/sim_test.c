// SPDX-License-Identifier: GPL-2.0
/*
 * cluster_sim_test: thousands of seeded simulator histories (every fault
 * on, the seed picking detector, voting disk and wait_for_all) must keep
 * every invariant, also with watchdogs in place of the power-fence agent
 * (and the watchdog must act); a seed replays to the same history; the
 * simulator's
 * event rate on this core is reported. Under ASan/UBSan a tenth of the
 * seeds run (the same code, ten times slower).
 */
#include <time.h>

#include "ktap.h"
#include "../../tools/cluster/sim/sim.h"

#if defined(__SANITIZE_ADDRESS__)
#define SCALE 10
#else
#define SCALE 1
#endif

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t total_events;
static double total_wall;

/* Seeds @first.. of @n nodes; true when all keep the invariants. */
static bool run_seeds(unsigned int n, uint64_t first, unsigned int count)
{
	struct sim_opts o;
	struct sim_result r;
	unsigned int i, fails = 0;
	double t0 = now_s();

	sim_opts_default(&o, n);
	for (i = 0; i < count; i++) {
		sim_run(&o, first + i, &r, fails ? NULL : stdout);
		total_events += r.st.events;
		if (!r.ok && !fails++)
			ktap_diag("seed %llu (n=%u): %s; replay: smpkit-cluster sim --nodes %u --seed %llu --seeds 1 --trace",
				  (unsigned long long)(first + i), n, r.why, n,
				  (unsigned long long)(first + i));
	}
	total_wall += now_s() - t0;
	return ktap_ok(!fails, "%u seeds of %u nodes under every fault keep the invariants (%u failed)",
		       count, n, fails);
}

/* Watchdogs, no fence agent: stuck nodes are killed, masters wait it out. */
static void run_watchdog(unsigned int count)
{
	struct sim_opts o;
	struct sim_result r;
	unsigned int i, fails = 0;
	uint64_t kills = 0, timed = 0;

	sim_opts_default(&o, 5);
	o.cfg.watchdog = 1000000;
	for (i = 0; i < count; i++) {
		sim_run(&o, 6000000 + i, &r, fails ? NULL : stdout);
		kills += r.st.wd_kills;
		timed += r.st.wd_fences;
		if (!r.ok && !fails++)
			ktap_diag("seed %u: %s; replay: smpkit-cluster sim --watchdog 1000 --seed %u --seeds 1 --trace",
				  6000000 + i, r.why, 6000000 + i);
	}
	ktap_ok(!fails && kills && timed,
		"%u seeds of 5 nodes with 1 s watchdogs and no fence agent keep the invariants (%u failed; %llu stuck nodes killed, %llu masters served after the bound)",
		count, fails, (unsigned long long)kills,
		(unsigned long long)timed);
}

static bool same(const struct sim_result *a, const struct sim_result *b)
{
	return a->ok == b->ok && !strcmp(a->why, b->why) &&
	       a->st.events == b->st.events && a->st.masters == b->st.masters &&
	       a->st.deaths == b->st.deaths && a->st.fences == b->st.fences;
}

int main(void)
{
	struct sim_opts o;
	struct sim_result a, b;
	uint64_t seed;

	ktap_plan(8);
	run_seeds(3, 1000000, 1500 / SCALE);
	run_seeds(4, 2000000, 500 / SCALE);
	run_seeds(5, 3000000, 2500 / SCALE);
	run_seeds(2, 4000000, 500 / SCALE);
	run_watchdog(500 / SCALE);
	ktap_diag("%llu events in %.2f s: %.0f events/s on one core",
		  (unsigned long long)total_events, total_wall,
		  total_events / total_wall);

	sim_opts_default(&o, 5);
	sim_run(&o, 42, &a, NULL);
	sim_run(&o, 42, &b, NULL);
	ktap_ok(same(&a, &b) && a.st.events > 1000,
		"a seed replays exactly (%llu events twice)",
		(unsigned long long)a.st.events);
	o.cfg.broken = CL_BROKEN_HALF_QUORUM;
	/* the first seed the quorum mutation fails (mutation_test) */
	for (seed = 1; seed < 1000; seed++) {
		sim_run(&o, seed, &a, NULL);
		if (!a.ok)
			break;
	}
	sim_run(&o, seed, &b, NULL);
	ktap_ok(!a.ok && same(&a, &b),
		"a failing seed replays to the same failure: %s",
		a.ok ? "(it passed)" : a.why);
	sim_run(&o, 43, &b, NULL);
	o.cfg.broken = 0;
	sim_run(&o, 43, &a, NULL);
	ktap_ok(a.st.events != b.st.events || a.st.masters != b.st.masters ||
		!a.ok != !b.ok, "the variant changes the history (not a no-op)");
	return ktap_finish();
}
