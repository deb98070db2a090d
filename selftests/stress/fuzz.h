/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_test's model of the wsched ABI: each case builds one ioctl's input
 * (boundary or random), predicts the set of answers the documented checks
 * allow, makes the call, and compares. The model tracks which of its own
 * threads are members, so JOIN/LEAVE answers are exact, not "any errno".
 */
#ifndef STRESS_FUZZ_H
#define STRESS_FUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sutil.h"

enum fuzz_op { OP_VERSION, OP_CREATE, OP_JOIN, OP_LEAVE, OP_STATS, OP_BOGUS, OP_NR };

#define NR_HELPERS 4
#define MAX_DEAD 8

/* Everything a fuzzing process knows; one per process (root, nobody). */
struct fuzz_ctx {
	const char *who;	/* "root" or "nobody" */
	bool priv;
	uint64_t seed;
	long cases;
	struct rng rng;
	int gfd;		/* owns the group on CPU 0 (shared, inherited) */
	uint32_t gid;		/* its group id */
	int nfd;		/* open, never given a group */
	int nr_cpus;		/* online CPUs in the VM */
	uint64_t busy_cpus;	/* CPUs in someone's group (not CPU 1) */
	bool self_member;
	pid_t helper[NR_HELPERS];	/* blocked threads of this process */
	bool helper_member[NR_HELPERS];
	pid_t foreign;		/* another user's thread */
	bool foreign_member;	/* root only: it may manage it */
	pid_t zombie, dead[MAX_DEAD];
	int nr_dead;
	char *arena;		/* [RW][NONE][RO][NONE] pages */
	void *big;		/* room for the largest STATS arrays */
	long run[OP_NR], bad[OP_NR];
	int printed;
};

/* Results the nobody child hands back to the parent (shared mapping). */
struct fuzz_report {
	long run[OP_NR], bad[OP_NR];
	int done;
};

extern const char *const fuzz_op_name[OP_NR];

void fuzz_arena_init(struct fuzz_ctx *c);
/* Run case number @i; false when the kernel's answer broke the model. */
bool fuzz_case(struct fuzz_ctx *c, long i);
/* Leave every membership the model holds (so the group can be checked). */
void fuzz_leave_all(struct fuzz_ctx *c);

#endif
