/* SPDX-License-Identifier: GPL-2.0 */
/*
 * storm_test's processes: workers (members of the master's group) and the
 * churner (re-creates its own group under its members), whose threads
 * join, leave, spin, block, fork, move and read stats at random; the
 * master kills, stops and respawns them. Counters live in shared memory.
 */
#ifndef STRESS_STORM_H
#define STRESS_STORM_H

#include <stdatomic.h>
#include <stdint.h>

#define STORM_THREADS 4

struct storm_shared {
	atomic_int stop;
	atomic_long actions, joins, blocks, forks, moves, bad;
	int first_bad_errno, first_bad_action;
	atomic_int churn_fd;		/* the churner's current group fd */
	atomic_long churns;
	atomic_long releases;		/* groups the watchdog gave up on */
};

/*
 * Every storm group's watchdog: short enough that a token stuck for good
 * is released (and counted) within the storm, long enough for a stalled
 * TCG vCPU.
 */
#define STORM_WATCHDOG_MS	10000

extern struct storm_shared *storm;

/* A worker process: STORM_THREADS threads on @fd until storm->stop. */
__attribute__((noreturn))
void storm_worker(int fd, uint64_t seed, long gen);
/* The churner: its own group on @cpus, closed and re-created at random. */
__attribute__((noreturn))
void storm_churner(uint64_t cpus, uint64_t seed, long gen);

#endif
