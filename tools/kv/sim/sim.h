/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The store's deterministic simulator: M kv_nodes in one process, virtual
 * time, one seeded PRNG behind every choice (delays, loss, duplication,
 * partitions, crashes, clock skew, the clients' operations), in the
 * discipline of the cluster simulator (tools/cluster/sim): a failing
 * seed prints its history and replays exactly. A history checker judges
 * every run (check.c).
 */
#ifndef KV_SIM_H
#define KV_SIM_H

#define KVSIM_MAX_CLIENTS 32

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/node.h"

enum kvsim_nemesis {
	KVSIM_N_PARTITION = 1 << 0,
	KVSIM_N_LOSS = 1 << 1,
	KVSIM_N_DUP = 1 << 2,
	KVSIM_N_CRASH = 1 << 3,
	KVSIM_N_SKEW = 1 << 4,
	KVSIM_N_ALL = (1 << 5) - 1,
};

struct kvsim_opts {
	unsigned int nodes, nshards, n, keys, clients;	/* clients <= 32 */
	unsigned int r, w;	/* per request; strict when r + w > n */
	bool sloppy;
	bool counters;		/* clients also update a counter and a set */
	unsigned int deletes;	/* percent of the registers' writes */
	struct kv_config cfg;	/* policy, repairs, timers, broken variant */
	unsigned int nemesis;	/* KVSIM_N_* */
	unsigned int max_loss;	/* percent; the seed picks 0..max_loss */
	kv_time max_skew;	/* the seed picks each node's in +-max */
	kv_time chaos, quiet;	/* virtual microseconds of each phase */
	kv_time join_at;	/* 0, or when the last node joins the ring */
	kv_time leave_at;	/* 0, or when the last node leaves it */
	FILE *trace;
};

struct kvsim_stats {
	uint64_t events, ops, acked, failed, reads_checked, indeterminate;
	uint64_t deletes;	/* acknowledged */
	uint64_t stale;		/* requests failed for a stale ring version */
	uint64_t crossing;	/* requests in flight when the commit began */
	uint64_t reads, writes, read_repairs, write_repairs;
	uint64_t ae_hashes, ae_pushed;
	uint64_t hints_stored, hints_done, sloppy, crashes, partitions;
	uint64_t full;		/* writes refused: too many versions */
	uint64_t max_sibs;	/* the most versions one copy held */
	uint64_t divergent_at_heal;	/* keys whose owners differed */
	kv_time converge;	/* heal -> every owner equal */
	uint64_t lost;		/* acknowledged writes missing at the end */
	kv_time move;		/* join or leave begun -> committed */
	uint64_t moved_keys;	/* the joiner's (leaver's) copies after it */
	uint64_t dropped;	/* copies the clean-up dropped at the commit */
	/*
	 * tombstone collection: collections begun, owner copies reaped,
	 * other copies and hints purged
	 */
	uint64_t reaps_begun, reaped, purged;
};

struct kvsim_result {
	bool ok;
	char why[240];
	struct kvsim_stats st;
};

void kvsim_opts_default(struct kvsim_opts *o);
/* Strict: r + w > n and no sloppy quorum. */
bool kvsim_strict(const struct kvsim_opts *o);
void kvsim_run(const struct kvsim_opts *o, uint64_t seed,
	       struct kvsim_result *r, FILE *hist);
int kvsim_nemesis_parse(const char *list);
const char *kvsim_nemesis_names(void);

#endif
