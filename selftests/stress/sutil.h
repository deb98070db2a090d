/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the stress selftests (fuzz_test, storm_test): option
 * parsing, the module's allocation counters, and the end-of-run health
 * checks (no thread stuck in D state, no group left in debugfs). Runs
 * inside the VM rig as root.
 */
#ifndef STRESS_SUTIL_H
#define STRESS_SUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "rng.h"

struct stress_opts {
	uint64_t seed;
	bool seed_given;
	long cases;		/* fuzz_test */
	long seconds;		/* storm_test */
	int hotplug_cpu;	/* storm_test; -1: none */
};

/*
 * --seed N, --cases N, --seconds N, --hotplug-cpu N; the environment
 * (SMPKIT_FUZZ_SEED, SMPKIT_FUZZ_CASES, SMPKIT_STORM_SECONDS) supplies
 * what the command line does not. Without a seed one is drawn from the
 * clock and printed, so every run can be replayed.
 */
void stress_parse(int argc, char **argv, struct stress_opts *o);

/* Wait up to @ms for all three counters to be zero; fills @why if not. */
bool counters_zero(unsigned int ms, char *why, size_t len);
/* groupN entries left under /sys/kernel/debug/wsched. */
int debugfs_groups(void);
/*
 * User threads (kernel threads excluded) found in D state in each of
 * @samples samples 500 ms apart: stuck, not merely passing through.
 * Their tids and wchan go to stdout as KTAP diagnostics.
 */
int stuck_threads(int samples);
bool cpu_is_online(int cpu);
/* Write /sys/devices/system/cpu/cpuN/online; 0 or -errno. */
int cpu_set_online(int cpu, bool on);
/* Become uid/gid 65534 (nobody) for good, or die. */
void drop_privs(void);
/* waitpid with a timeout; 0 with *status, or -ETIMEDOUT. */
int wait_timeout(pid_t pid, int *status, unsigned int ms);
uint64_t mono_ms(void);
void msleep(unsigned int ms);
pid_t gettid_(void);

#endif
