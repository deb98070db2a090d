/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ticket lock: take a number, wait until it is served. FIFO-fair, one
 * atomic per acquire, but every waiter spins on the same "owner" word, so
 * each release invalidates all of them (and a preempted ticket holder
 * stalls everyone queued behind it).
 */
#ifndef SMPKIT_LOCK_TICKET_H
#define SMPKIT_LOCK_TICKET_H

#include "lock_common.h"

struct ticket_lock {
	_Alignas(64) atomic_uint next;
	atomic_uint owner;
};

static inline void ticket_init(struct ticket_lock *l)
{
	atomic_init(&l->next, 0);
	atomic_init(&l->owner, 0);
}

static inline void ticket_lock(struct ticket_lock *l)
{
	unsigned int me = atomic_fetch_add_explicit(&l->next, 1,
						    memory_order_relaxed);

	/* Acquire pairs with the release in ticket_unlock(). */
	while (atomic_load_explicit(&l->owner, memory_order_acquire) != me)
		cpu_relax();
}

static inline void ticket_unlock(struct ticket_lock *l)
{
	/* Only the holder writes owner: a plain load + store is enough. */
	unsigned int o = atomic_load_explicit(&l->owner, memory_order_relaxed);

	atomic_store_explicit(&l->owner, o + 1, memory_order_release);
}

#endif
