// SPDX-License-Identifier: GPL-2.0
/*
 * The table of lock variants: a six-line shim per lock instantiates the
 * loop template (lock_loop.h) with that lock's inline functions, so the
 * measured loop of each lock is compiled with the lock inlined, and one
 * benchmark driver and one mutual-exclusion test still drive them all.
 */
#include <string.h>

#include "lock_mcs.h"
#include "lock_pthread.h"
#include "lock_tas.h"
#include "lock_ticket.h"
#include "lock_ttas.h"

#define LV_PFX tas
#define LV_TYPE struct tas_lock
#define LV_INIT(l) tas_init(l)
#define LV_DESTROY(l) ((void)(l))
#define LV_LOCK(l, q) tas_lock(l)
#define LV_UNLOCK(l, q) tas_unlock(l)
#include "lock_loop.h"

#define LV_PFX ttas
#define LV_TYPE struct ttas_lock
#define LV_INIT(l) ttas_init(l)
#define LV_DESTROY(l) ((void)(l))
#define LV_LOCK(l, q) ttas_lock(l)
#define LV_UNLOCK(l, q) ttas_unlock(l)
#include "lock_loop.h"

#define LV_PFX ticket
#define LV_TYPE struct ticket_lock
#define LV_INIT(l) ticket_init(l)
#define LV_DESTROY(l) ((void)(l))
#define LV_LOCK(l, q) ticket_lock(l)
#define LV_UNLOCK(l, q) ticket_unlock(l)
#include "lock_loop.h"

#define LV_PFX mcs
#define LV_TYPE struct mcs_lock
#define LV_INIT(l) mcs_init(l)
#define LV_DESTROY(l) ((void)(l))
#define LV_LOCK(l, q) mcs_lock(l, q)
#define LV_UNLOCK(l, q) mcs_unlock(l, q)
#include "lock_loop.h"

#define LV_PFX pmutex
#define LV_TYPE struct pmutex_lock
#define LV_INIT(l) pmutex_init(l)
#define LV_DESTROY(l) pmutex_destroy(l)
#define LV_LOCK(l, q) pthread_mutex_lock(&(l)->m)
#define LV_UNLOCK(l, q) pthread_mutex_unlock(&(l)->m)
#include "lock_loop.h"

#define LV_PFX pspin
#define LV_TYPE struct pspin_lock
#define LV_INIT(l) pspin_init(l)
#define LV_DESTROY(l) pspin_destroy(l)
#define LV_LOCK(l, q) pthread_spin_lock(&(l)->s)
#define LV_UNLOCK(l, q) pthread_spin_unlock(&(l)->s)
#include "lock_loop.h"

const struct lock_ops lock_variants[] = {
	LOCK_VARIANT("tas", tas, "test-and-set spin"),
	LOCK_VARIANT("ttas", ttas, "test-and-test-and-set, exponential backoff"),
	LOCK_VARIANT("ticket", ticket, "ticket (FIFO)"),
	LOCK_VARIANT("mcs", mcs, "MCS queue lock (FIFO, local spin)"),
	LOCK_VARIANT("mutex", pmutex, "pthread_mutex (futex)"),
	LOCK_VARIANT("spin", pspin, "pthread_spinlock"),
};
const int lock_nvariants = sizeof(lock_variants) / sizeof(lock_variants[0]);

const struct lock_ops *lock_find(const char *name)
{
	for (int i = 0; i < lock_nvariants; i++)
		if (!strcmp(lock_variants[i].name, name))
			return &lock_variants[i];
	return NULL;
}
