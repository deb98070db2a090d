/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every lock variant shares: cpu_relax(), the per-thread queue node
 * (only MCS uses it, the others ignore it) and the lock_ops table through
 * which the lock benchmark and the mutual-exclusion test drive any lock.
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

struct lock_ops {
	const char *name;
	const char *what;
	size_t size;
	void (*init)(void *l);
	void (*destroy)(void *l);
	void (*lock)(void *l, struct lock_qnode *q);
	void (*unlock)(void *l, struct lock_qnode *q);
};

extern const struct lock_ops lock_variants[];
extern const int lock_nvariants;
/* NULL when no variant has that name. */
const struct lock_ops *lock_find(const char *name);

#endif
