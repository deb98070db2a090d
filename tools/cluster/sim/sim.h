/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The deterministic cluster simulator: N cores (tools/cluster/core) in one
 * process, virtual time, one seeded PRNG behind every choice (delay, loss,
 * duplication, reordering, partitions, crash and restart, pauses, clock
 * skew, disk faults), an invariant checker after every step, and a short
 * history of the run that a failing seed prints; the seed replays it.
 */
#ifndef CL_SIM_H
#define CL_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/core.h"

enum sim_nemesis {
	SIM_N_PARTITION = 1 << 0,
	SIM_N_LOSS = 1 << 1,
	SIM_N_DUP = 1 << 2,
	SIM_N_REORDER = 1 << 3,
	SIM_N_CRASH = 1 << 4,
	SIM_N_PAUSE = 1 << 5,
	SIM_N_SKEW = 1 << 6,
	SIM_N_DISK = 1 << 7,
	SIM_N_ALL = (1 << 8) - 1,
};

/* A scripted fault instead of (or beside) the random nemesis. */
enum sim_act { SIM_ACT_CRASH, SIM_ACT_ABSENT, SIM_ACT_ISOLATE };

struct sim_script {
	cl_time t;
	uint8_t node, act;
};

struct sim_opts {
	struct cl_config cfg;	/* n, timeouts, broken variant */
	bool vary;		/* let the seed vary detector, disk, n... */
	unsigned int nemesis;	/* SIM_N_* */
	unsigned int max_loss;	/* percent; the seed picks 0..max_loss */
	cl_time chaos, heal;	/* virtual microseconds of each phase */
	FILE *trace;		/* every notable event as it happens */
	const struct sim_script *script;	/* crashes are for good */
	unsigned int nscript;
	bool no_heal;		/* run to the end as scripted, no heal */
	/* the service's journal (cfg.standby): its growth, its replay cost */
	unsigned int ops;	/* updates a primary journals per tick */
	unsigned int replay_us;	/* virtual cost of replaying one update */
	FILE *samples;		/* "what ms" per measured time, or NULL */
};

struct sim_stats {
	uint64_t events, steps;
	uint64_t masters, fences, refused, bad_input, disk_saved;
	uint64_t deaths, false_deaths, crashes, partitions, pauses;
	uint64_t detect_n, detect_sum, detect_max;	/* crash -> dead */
	/* master crash -> the next master */
	uint64_t failover_n, failover_sum, failover_max;
	/* the first follower saw the crashed master's beats stop -> the next */
	uint64_t takeover_n, takeover_sum, takeover_max;
	uint64_t outlived_max;	/* longest master without quorum */
	/* a partition's primary crashed -> another serves it */
	uint64_t svc_n, svc_sum, svc_max;
	/* CATCH_UP -> caught up, and the updates it replayed */
	uint64_t catchup_n, catchup_sum, catchup_max, replayed;
	uint64_t lms_shrinks;	/* last_man_standing lowered expected votes */
	uint64_t wd_kills;	/* nodes killed by their watchdog */
	uint64_t wd_fences;	/* masters that served after the watchdog bound */
	/* heal -> one master that every running node follows */
	uint64_t converge_n, converge_sum, converge_max;
};

struct sim_result {
	bool ok;
	char why[200];
	struct cl_config cfg;	/* the configuration the seed chose */
	uint8_t final_master;	/* the master at the end, or CL_NONE */
	uint8_t final_expected;	/* its expected votes */
	struct sim_stats st;
};

void sim_opts_default(struct sim_opts *o, unsigned int n);
/*
 * Run one seeded history; on failure @r->why says which invariant broke
 * and @hist (when not NULL) gets the last events before it.
 */
void sim_run(const struct sim_opts *o, uint64_t seed, struct sim_result *r,
	     FILE *hist);
/* "partition,loss,crash" or "all" or "none" -> SIM_N_* bits; -1 if bad. */
int sim_nemesis_parse(const char *list);
const char *sim_nemesis_names(void);

#endif
