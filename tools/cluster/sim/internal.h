/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's insides, shared by the engine (sim.c), the faults
 * (nemesis.c) and the checker (check.c): the event heap, the simulated
 * nodes with their own skewed clocks, the shared disk and the network's
 * partition groups.
 */
#ifndef CL_SIM_INTERNAL_H
#define CL_SIM_INTERNAL_H

#include "sim.h"

#define SIM_MAX_EVENTS	4096
#define SIM_HIST	48
#define SIM_HIST_LINE	120

enum sev_kind {
	SEV_DELIVER, SEV_TIMER, SEV_DISK_APPLY, SEV_DISK_DONE, SEV_DISK_READ,
	SEV_FENCE, SEV_FENCE_DONE, SEV_NEMESIS, SEV_RESTART, SEV_HEAL,
	SEV_SCRIPT, SEV_CAUGHT_UP, SEV_WATCHDOG,
};

struct sev {
	cl_time t;
	uint64_t seq;
	uint8_t kind, node, src, len, target;
	uint32_t gen;
	int result;
	union {
		uint8_t buf[CL_WIRE_MAX];
		struct cl_disk_op op;
	} u;
};

struct snode {
	struct cl_node core;
	struct cl_persist persist;
	bool up;
	uint32_t gen;			/* bumped by each crash */
	cl_time paused_until;
	cl_time ran_at;			/* its last step */
	cl_time petted;			/* its last tick: the watchdog's pet */
	int64_t clk_off;		/* local = t + off + t * ppm / 1e6 */
	int32_t ppm;
	bool timer_set;
	cl_time timer_at;
	cl_time disk_fail_until;
	cl_time disturbed;		/* last fault that touched it */
	cl_time down_at;		/* crashed (by the nemesis) at */
	bool was_master;		/* when it went down */
	bool death_seen;
	uint8_t group;			/* partition group */
	cl_time nomq_since;		/* master without quorum since (+1) */
	uint8_t expected;		/* its expected votes before this step */
	cl_time low_since;		/* master, expected below reach (+1) */
};

struct sim {
	struct sim_opts o;
	struct cl_config cfg;
	uint64_t rng;
	cl_time now, heal_at, end;
	bool healed, converged;
	uint64_t seq;
	unsigned int loss, dup, jitter;	/* this seed's network */
	unsigned int stall;		/* disk writes still to stall */
	cl_time disturbed;		/* last partition or disk stall */
	cl_time master_lost_at;		/* a master crashed, none since */
	cl_time beats_lost_at;		/* since: a follower saw its beats stop */
	cl_time part_lost_at[CL_MAX_PARTS];	/* its server crashed (+1) */
	/* the journal: updates so far, and each node's copy of each */
	uint32_t jlen[CL_MAX_PARTS];
	uint32_t applied[CL_WIRE_MAX_NODES][CL_MAX_PARTS];
	cl_time catch_at[CL_WIRE_MAX_NODES][CL_MAX_PARTS];
	struct snode node[CL_WIRE_MAX_NODES];
	struct cl_disk_image disk;
	struct cl_out out;
	/* the heap of pending events (indices into ev[]) */
	struct sev ev[SIM_MAX_EVENTS];
	uint16_t heap[SIM_MAX_EVENTS], free[SIM_MAX_EVENTS];
	unsigned int nheap, nfree;
	/* checker */
	bool failed;
	char why[200];
	struct { uint64_t term; uint8_t node; } terms[1024];
	cl_time seen[CL_WIRE_MAX_NODES][CL_WIRE_MAX_NODES]; /* +1 */
	cl_time disk_held[CL_WIRE_MAX_NODES];		      /* +1 */
	char hist[SIM_HIST][SIM_HIST_LINE];
	unsigned int nhist;
	struct sim_stats st;
};

static inline uint64_t sim_rand(struct sim *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n). */
static inline uint64_t sim_below(struct sim *s, uint64_t n)
{
	return n ? sim_rand(s) % n : 0;
}

static inline bool sim_pct(struct sim *s, unsigned int pct)
{
	return sim_below(s, 100) < pct;
}

struct sev *sim_push(struct sim *s, cl_time t, unsigned int kind,
		     unsigned int node);
void sim_crash(struct sim *s, unsigned int i, cl_time restart_after);
void sim_watchdog_arm(struct sim *s, unsigned int i);
bool sim_reachable(const struct sim *s, unsigned int a, unsigned int b);

/* nemesis.c */
void sim_choose_config(struct sim *s);
void sim_nemesis(struct sim *s);
void sim_heal(struct sim *s);

/* check.c */
__attribute__((format(printf, 2, 3)))
void sim_hist(struct sim *s, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
void sim_fail(struct sim *s, const char *fmt, ...);
void sim_check_decision(struct sim *s, unsigned int i,
			const struct cl_decision *d);
void sim_check_write(struct sim *s, const struct cl_disk_op *op, int result);
void sim_check_step(struct sim *s);
void sim_check_caught(struct sim *s, unsigned int i, unsigned int p);
void sim_check_end(struct sim *s);

#endif
