/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One benchmark loop for every lock variant (lock_ops) and the read-mostly
 * RCU-versus-rwlock load. Both also check their invariant on every run:
 * the lock loop counts shared increments (and, when asked, an "inside"
 * flag); the read loop checks readers never see a half-updated record.
 */
#ifndef SMPKIT_LOCK_BENCH_H
#define SMPKIT_LOCK_BENCH_H

#include "lock_common.h"
#include "probes.h"

struct lock_result {
	uint64_t elapsed_ns;
	uint64_t total_ops;
	uint64_t counter;	/* plain increments made under the lock */
	uint64_t violations;	/* "inside" seen set on entry (check mode) */
	double min_share, max_share;	/* per-thread ops / fair share */
};

/*
 * @cs: shared-line updates inside the lock; @outside: private work
 * between acquisitions; @check: also keep an atomic "inside" flag.
 */
void lock_bench(const struct lock_ops *ops, int nthreads, const int *cpus,
		int ncpus, unsigned int cs, unsigned int outside,
		unsigned int ms, bool check, struct lock_result *res);

enum rw_kind { RW_RCU, RW_RWLOCK };
struct rw_result {
	uint64_t elapsed_ns, reads, writes, torn;
	double min_share, max_share;
};
/* @nreaders readers; one writer updates every @write_us microseconds. */
void rw_bench(enum rw_kind kind, int nreaders, const int *cpus, int ncpus,
	      unsigned int write_us, unsigned int ms, struct rw_result *res);

#endif
