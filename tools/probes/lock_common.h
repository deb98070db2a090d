/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every lock variant shares: cpu_relax(), the per-thread queue node
 * (only MCS uses it, the others ignore it) and the lock_ops table through
 * which the lock benchmark and the mutual-exclusion test drive any lock:
 * one call per run, never per acquisition (the loops are lock_loop.h's).
 */
#ifndef SMPKIT_LOCK_COMMON_H
#define SMPKIT_LOCK_COMMON_H

#include <stdatomic.h>
#include <stddef.h>

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ volatile("" ::: "memory");
#endif
}

/* MCS queue node: each waiter spins on its own line. */
struct lock_qnode {
	_Alignas(64) _Atomic(struct lock_qnode *) next;
	_Atomic int locked;
};

struct team_member;
struct lock_ops {
	const char *name;
	const char *what;
	size_t size;
	void (*init)(void *l);
	void (*destroy)(void *l);
	/* Team bodies with the lock inlined; _checked also counts overlaps. */
	void (*loop)(struct team_member *m);
	void (*loop_checked)(struct team_member *m);
};

/* A table entry for the shim of lock_loop.h instantiated with @pfx. */
#define LOCK_VARIANT(n, pfx, w) { .name = n, .what = w,			\
	.size = sizeof(struct pfx##_lock), .init = pfx##_init_op,	\
	.destroy = pfx##_destroy_op, .loop = pfx##_loop,		\
	.loop_checked = pfx##_loop_checked }

extern const struct lock_ops lock_variants[];
extern const int lock_nvariants;
/* NULL when no variant has that name. */
const struct lock_ops *lock_find(const char *name);

#endif
