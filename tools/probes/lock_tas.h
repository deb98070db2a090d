/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-and-set spinlock: every waiter hammers the line with an atomic
 * exchange, so under contention the line bounces on every attempt. The
 * baseline the others are measured against.
 */
#ifndef SMPKIT_LOCK_TAS_H
#define SMPKIT_LOCK_TAS_H

#include "lock_common.h"

struct tas_lock {
	_Alignas(64) atomic_int held;
};

static inline void tas_init(struct tas_lock *l)
{
	atomic_init(&l->held, 0);
}

static inline void tas_lock(struct tas_lock *l)
{
	while (atomic_exchange_explicit(&l->held, 1, memory_order_acquire))
		cpu_relax();
}

static inline void tas_unlock(struct tas_lock *l)
{
	/* Release: the critical section's stores are visible first. */
	atomic_store_explicit(&l->held, 0, memory_order_release);
}

#endif
