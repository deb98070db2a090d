/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-and-test-and-set with exponential backoff: waiters spin on a
 * shared (read-only) copy of the line and only try the exchange when it
 * looks free; after a failed try they back off for a random time that
 * doubles up to a cap, which spreads out the stampede on release.
 */
#ifndef SMPKIT_LOCK_TTAS_H
#define SMPKIT_LOCK_TTAS_H

#include <stdint.h>

#include "lock_common.h"

#define TTAS_BACKOFF_MIN 4
#define TTAS_BACKOFF_MAX 1024

struct ttas_lock {
	_Alignas(64) atomic_int held;
};

static inline void ttas_init(struct ttas_lock *l)
{
	atomic_init(&l->held, 0);
}

/*
 * A try failed: back off for a random time that doubles, then retry.
 * Inline all the same, so that the measured loop makes no call of ours.
 */
static inline __attribute__((always_inline)) void
ttas_lock_contended(struct ttas_lock *l)
{
	unsigned int limit = TTAS_BACKOFF_MIN;
	/* Per-call seed from the stack address: cheap, differs per thread. */
	uint32_t seed = (uint32_t)(uintptr_t)&limit;

	for (;;) {
		seed = seed * 1103515245u + 12345u;
		for (unsigned int i = (seed >> 8) % limit; i; i--)
			cpu_relax();
		if (limit < TTAS_BACKOFF_MAX)
			limit *= 2;
		while (atomic_load_explicit(&l->held, memory_order_relaxed))
			cpu_relax();
		if (!atomic_exchange_explicit(&l->held, 1,
					      memory_order_acquire))
			return;
	}
}

/*
 * The free lock's path is a load and an exchange, nothing more: with the
 * back-off's state set up on every call (its seed takes a stack
 * address), an uncontended ttas cost 0.6 ns more than the same lock
 * written bare (bench/peers/compare.sh, AMD host).
 */
static inline void ttas_lock(struct ttas_lock *l)
{
	while (atomic_load_explicit(&l->held, memory_order_relaxed))
		cpu_relax();
	if (atomic_exchange_explicit(&l->held, 1, memory_order_acquire))
		ttas_lock_contended(l);
}

static inline void ttas_unlock(struct ttas_lock *l)
{
	atomic_store_explicit(&l->held, 0, memory_order_release);
}

#endif
