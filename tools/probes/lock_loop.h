/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one lock benchmark loop as a template, compiled once per lock so
 * that lock and unlock are inlined: through lock_ops function pointers
 * every acquisition paid two indirect calls (1.4-1.8 ns on the AMD host,
 * issue 17). No include guard: a user defines
 *
 *   LV_PFX              the name prefix (tas -> tas_loop, tas_init_op)
 *   LV_TYPE             the lock's type
 *   LV_INIT(l), LV_DESTROY(l), LV_LOCK(l, q), LV_UNLOCK(l, q)
 *
 * and includes this file; it defines LV_PFX_loop (measured),
 * LV_PFX_loop_checked (also keeps the "inside" flag: tests only),
 * LV_PFX_init_op and LV_PFX_destroy_op, then undefines its parameters.
 * lock_table.c holds the shims of the tool; the selftest adds a lock
 * that does nothing through the same template.
 */
#include <stdlib.h>
#include <string.h>

#include "lock_bench.h"

#define LV_CAT2(a, b) a##_##b
#define LV_CAT(a, b) LV_CAT2(a, b)
#define LV_(x) LV_CAT(LV_PFX, x)

/*
 * @check is a constant in each caller, so the measured loop carries no
 * trace of the checks. The shared counter is a plain increment: a lock
 * that lets two threads in loses updates, which lock_bench() reports.
 */
static inline __attribute__((always_inline)) void
LV_(loop_impl)(struct team_member *m, const bool check)
{
	struct lock_shared *s = m->arg;
	LV_TYPE *l = s->lock;
	struct lock_qnode *q = aligned_alloc(CACHELINE, sizeof(*q));
	const unsigned int cs = s->cs, outside = s->outside;
	/* volatile: the private work must not be folded away. */
	volatile uint64_t priv = 0;
	uint64_t ops = 0;

	if (!q)
		die("out of memory");
	memset(q, 0, sizeof(*q));
	while (!team_stopping(m)) {
		LV_LOCK(l, q);
		if (check && atomic_exchange_explicit(&s->inside, 1,
						      memory_order_relaxed))
			atomic_fetch_add(&s->violations, 1);
		/* Critical section: read-modify-write of the shared line. */
		for (unsigned int i = 0; i < cs; i++)
			s->data[i % 7]++;
		s->counter++;
		if (check)
			atomic_store_explicit(&s->inside, 0,
					      memory_order_relaxed);
		LV_UNLOCK(l, q);
		ops++;
		for (unsigned int i = 0; i < outside; i++)
			priv += i;
	}
	m->ops = ops;
	free(q);
}

static void LV_(loop)(struct team_member *m)
{
	LV_(loop_impl)(m, false);
}

static void LV_(loop_checked)(struct team_member *m)
{
	LV_(loop_impl)(m, true);
}

static void LV_(init_op)(void *l)
{
	LV_INIT((LV_TYPE *)l);
}

static void LV_(destroy_op)(void *l)
{
	LV_DESTROY((LV_TYPE *)l);
}

#undef LV_
#undef LV_CAT
#undef LV_CAT2
#undef LV_PFX
#undef LV_TYPE
#undef LV_INIT
#undef LV_DESTROY
#undef LV_LOCK
#undef LV_UNLOCK
