// SPDX-License-Identifier: GPL-2.0
/*
 * probes_lock_test: every lock variant keeps mutual exclusion under
 * contention (plain shared counter equals acquisitions; the "inside" flag
 * is never found set on entry), with more threads than CPUs too; RCU and
 * rwlock readers never see a half-written record. A lock that does
 * nothing must be caught by the same checks, or they prove nothing.
 */
#include <unistd.h>
#include <stdatomic.h>

#include "../../tools/probes/lock_bench.h"
#include "ktap.h"

/* The control: the tool's loop template around a lock that is none. */
struct none_lock {
	char pad[64];
};
#define LV_PFX none
#define LV_TYPE struct none_lock
#define LV_INIT(l) ((void)(l))
#define LV_DESTROY(l) ((void)(l))
#define LV_LOCK(l, q) ((void)(l), (void)(q))
#define LV_UNLOCK(l, q) ((void)(l), (void)(q))
#include "../../tools/probes/lock_loop.h"

static const struct lock_ops no_lock =
	LOCK_VARIANT("none", none, "no lock at all (control)");

int main(void)
{
	int cpus[CPU_SETSIZE], ncpus, counts[2];

	ncpus = allowed_cpus(cpus, CPU_SETSIZE);
	counts[0] = ncpus < 2 ? 2 : ncpus;
	counts[1] = 2 * counts[0] > 8 ? 8 : 2 * counts[0];
	ktap_plan(1 + lock_nvariants * 2 + 2 * 2);
	clock_init();
	if (ncpus < 2) {
		ktap_skip("one CPU: a missing lock may go unnoticed");
	} else {
		struct lock_result r = { 0 };

		/* Overlap needs both threads on CPU at once: allow retries. */
		for (int k = 0; k < 10; k++) {
			lock_bench(&no_lock, 2, cpus, ncpus, 8, 0, 40, true,
				   &r);
			if (r.violations || r.counter != r.total_ops)
				break;
		}
		ktap_ok(r.violations || r.counter != r.total_ops,
			"control: no lock at all is caught (counter %llu of %llu, inside twice %llu)",
			(unsigned long long)r.counter,
			(unsigned long long)r.total_ops,
			(unsigned long long)r.violations);
	}
	for (int i = 0; i < lock_nvariants; i++) {
		const struct lock_ops *ops = &lock_variants[i];

		for (int k = 0; k < 2; k++) {
			struct lock_result r;

			/*
			 * A busy host (or a stalled vCPU) can starve a 40 ms
			 * run entirely: retry until it made progress.
			 */
			for (int tries = 0; tries < 5; tries++) {
				lock_bench(ops, counts[k], cpus, ncpus, 2, 0, 40,
					   true, &r);
				if (r.violations || r.counter != r.total_ops ||
				    r.total_ops > (uint64_t)counts[k])
					break;
			}
			ktap_ok(r.violations == 0 && r.counter == r.total_ops &&
				r.total_ops > 0,
				"%s, %d threads on %d CPUs: %llu acquisitions, counter %llu, inside twice %llu",
				ops->name, counts[k], ncpus,
				(unsigned long long)r.total_ops,
				(unsigned long long)r.counter,
				(unsigned long long)r.violations);
		}
	}
	for (int kind = 0; kind < 2; kind++) {
		for (int k = 0; k < 2; k++) {
			struct rw_result r;

			for (int tries = 0; tries < 5; tries++) {
				rw_bench(kind, counts[k], cpus, ncpus, 200, 40,
					 true, &r);
				if (r.torn || (r.reads && r.writes))
					break;
			}
			ktap_ok(r.torn == 0 && r.reads > 0 && r.writes > 0,
				"%s, %d readers: %llu reads, %llu writes, %llu torn",
				kind == RW_RCU ? "rcu" : "rwlock", counts[k],
				(unsigned long long)r.reads,
				(unsigned long long)r.writes,
				(unsigned long long)r.torn);
		}
	}
	return ktap_finish();
}
