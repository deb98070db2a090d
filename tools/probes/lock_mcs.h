/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MCS queue lock (Mellor-Crummey and Scott): waiters form a linked queue
 * and each spins on a flag in its own node, so a release touches exactly
 * one waiter's line. FIFO like the ticket lock, without the broadcast.
 * The caller supplies the node and passes the same one to unlock.
 */
#ifndef SMPKIT_LOCK_MCS_H
#define SMPKIT_LOCK_MCS_H

#include "lock_common.h"

struct mcs_lock {
	_Alignas(64) _Atomic(struct lock_qnode *) tail;
};

static inline void mcs_init(struct mcs_lock *l)
{
	atomic_init(&l->tail, NULL);
}

static inline void mcs_lock(struct mcs_lock *l, struct lock_qnode *q)
{
	struct lock_qnode *prev;

	atomic_store_explicit(&q->next, NULL, memory_order_relaxed);
	atomic_store_explicit(&q->locked, 1, memory_order_relaxed);
	/* acq_rel: publishes our node's init, acquires the previous tail. */
	prev = atomic_exchange_explicit(&l->tail, q, memory_order_acq_rel);
	if (!prev)
		return;
	atomic_store_explicit(&prev->next, q, memory_order_release);
	/* Acquire pairs with the release store of locked = 0 in unlock. */
	while (atomic_load_explicit(&q->locked, memory_order_acquire))
		cpu_relax();
}

static inline void mcs_unlock(struct mcs_lock *l, struct lock_qnode *q)
{
	struct lock_qnode *next = atomic_load_explicit(&q->next,
						       memory_order_acquire);

	if (!next) {
		struct lock_qnode *expect = q;

		/* No successor queued: swing tail back to empty. */
		if (atomic_compare_exchange_strong_explicit(&l->tail, &expect,
				NULL, memory_order_release,
				memory_order_relaxed))
			return;
		/* A successor swapped tail but has not linked in yet. */
		while (!(next = atomic_load_explicit(&q->next,
						     memory_order_acquire)))
			cpu_relax();
	}
	atomic_store_explicit(&next->locked, 0, memory_order_release);
}

#endif
