// SPDX-License-Identifier: GPL-2.0
/*
 * The table of lock variants: a few lines of shim per lock turn each
 * header's inline functions into lock_ops, so one benchmark loop and one
 * mutual-exclusion test drive them all.
 */
#include <string.h>

#include "lock_mcs.h"
#include "lock_pthread.h"
#include "lock_tas.h"
#include "lock_ticket.h"
#include "lock_ttas.h"

static void nop_destroy(void *l)
{
	(void)l;
}

#define SIMPLE_SHIM(pfx)						\
static void pfx##_init_op(void *l) { pfx##_init(l); }			\
static void pfx##_lock_op(void *l, struct lock_qnode *q)		\
{ (void)q; pfx##_lock(l); }						\
static void pfx##_unlock_op(void *l, struct lock_qnode *q)		\
{ (void)q; pfx##_unlock(l); }

SIMPLE_SHIM(tas)
SIMPLE_SHIM(ttas)
SIMPLE_SHIM(ticket)

static void mcs_init_op(void *l) { mcs_init(l); }
static void mcs_lock_op(void *l, struct lock_qnode *q) { mcs_lock(l, q); }
static void mcs_unlock_op(void *l, struct lock_qnode *q) { mcs_unlock(l, q); }

static void pmutex_init_op(void *l) { pmutex_init(l); }
static void pmutex_destroy_op(void *l) { pmutex_destroy(l); }
static void pmutex_lock_op(void *l, struct lock_qnode *q)
{
	(void)q;
	pthread_mutex_lock(&((struct pmutex_lock *)l)->m);
}
static void pmutex_unlock_op(void *l, struct lock_qnode *q)
{
	(void)q;
	pthread_mutex_unlock(&((struct pmutex_lock *)l)->m);
}

static void pspin_init_op(void *l) { pspin_init(l); }
static void pspin_destroy_op(void *l) { pspin_destroy(l); }
static void pspin_lock_op(void *l, struct lock_qnode *q)
{
	(void)q;
	pthread_spin_lock(&((struct pspin_lock *)l)->s);
}
static void pspin_unlock_op(void *l, struct lock_qnode *q)
{
	(void)q;
	pthread_spin_unlock(&((struct pspin_lock *)l)->s);
}

#define VARIANT(n, pfx, dtor, w) { .name = n, .what = w,		\
	.size = sizeof(struct pfx##_lock), .init = pfx##_init_op,	\
	.destroy = dtor, .lock = pfx##_lock_op, .unlock = pfx##_unlock_op }

const struct lock_ops lock_variants[] = {
	VARIANT("tas", tas, nop_destroy, "test-and-set spin"),
	VARIANT("ttas", ttas, nop_destroy,
		"test-and-test-and-set, exponential backoff"),
	VARIANT("ticket", ticket, nop_destroy, "ticket (FIFO)"),
	VARIANT("mcs", mcs, nop_destroy, "MCS queue lock (FIFO, local spin)"),
	VARIANT("mutex", pmutex, pmutex_destroy_op, "pthread_mutex (futex)"),
	VARIANT("spin", pspin, pspin_destroy_op, "pthread_spinlock"),
};
const int lock_nvariants = sizeof(lock_variants) / sizeof(lock_variants[0]);

const struct lock_ops *lock_find(const char *name)
{
	for (int i = 0; i < lock_nvariants; i++)
		if (!strcmp(lock_variants[i].name, name))
			return &lock_variants[i];
	return NULL;
}
