/* SPDX-License-Identifier: GPL-2.0 */
/*
 * glibc's pthread_mutex (spins briefly only for ADAPTIVE, else sleeps in
 * futex) and pthread_spinlock (a TTAS-style spin without backoff), in the
 * same shape as the hand-written locks.
 */
#ifndef SMPKIT_LOCK_PTHREAD_H
#define SMPKIT_LOCK_PTHREAD_H

#include <pthread.h>

#include "lock_common.h"

struct pmutex_lock {
	_Alignas(64) pthread_mutex_t m;
};

struct pspin_lock {
	_Alignas(64) pthread_spinlock_t s;
};

static inline void pmutex_init(struct pmutex_lock *l)
{
	pthread_mutex_init(&l->m, NULL);
}

static inline void pmutex_destroy(struct pmutex_lock *l)
{
	pthread_mutex_destroy(&l->m);
}

static inline void pspin_init(struct pspin_lock *l)
{
	pthread_spin_init(&l->s, PTHREAD_PROCESS_PRIVATE);
}

static inline void pspin_destroy(struct pspin_lock *l)
{
	pthread_spin_destroy(&l->s);
}

#endif
