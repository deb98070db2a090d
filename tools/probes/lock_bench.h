/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lock benchmark driver for every lock variant (lock_ops; the loop
 * itself is the template lock_loop.h) and the read-mostly RCU-versus-
 * rwlock load. The lock loop counts shared increments on every run and,
 * in checked runs, an "inside" flag; checked read runs verify readers
 * never see a half-updated record. Checks stay out of measured loops.
 */
#ifndef SMPKIT_LOCK_BENCH_H
#define SMPKIT_LOCK_BENCH_H

#include "lock_common.h"
#include "probes.h"

/* What a run's threads share (the loop is lock_loop.h's). */
struct lock_shared {
	const struct lock_ops *ops;
	void *lock;
	unsigned int cs, outside;
	/* Protected by the lock under test: its own line, off the lock's. */
	_Alignas(CACHELINE) uint64_t counter;
	uint64_t data[7];
	_Alignas(CACHELINE) atomic_int inside;
	_Alignas(CACHELINE) atomic_ullong violations;
};

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
/*
 * @nreaders readers; one writer updates every @write_us microseconds.
 * Measured runs (@check false) time the read side alone: lock, load one
 * field through the protected pointer, unlock. Checked runs compare all
 * fields of each record read, and count torn ones.
 */
void rw_bench(enum rw_kind kind, int nreaders, const int *cpus, int ncpus,
	      unsigned int write_us, unsigned int ms, bool check,
	      struct rw_result *res);

#endif
