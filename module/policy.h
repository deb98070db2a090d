/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure scheduling policy: victim order for stealing, the fair-balance
 * swap rule and placement. No kernel globals, no locks: the same source
 * builds into the module and into userspace unit tests
 * (selftests/wsched/policy_test.c).
 */
#ifndef WSCHED_POLICY_H
#define WSCHED_POLICY_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
#endif
#include <uapi/wsched.h>

/*
 * Order the group CPUs an idle CPU @self should try to steal from.
 * @n CPUs; @dist[self * n + j] is an enum wsched_dist; @nr_queued[j] the
 * waiting threads on j (a racy snapshot is fine: the caller rechecks under
 * the victim's lock); @rnd a random number. Writes candidate indices to
 * @out (room for @n) and returns how many; CPUs with nothing queued and
 * @self are never candidates.
 */
unsigned int wsched_victims(enum wsched_steal policy, unsigned int n,
			    unsigned int self, const u8 *dist,
			    const unsigned int *nr_queued, u32 rnd,
			    unsigned int *out);

/*
 * Fair balance: a thread running alone on its CPU for a full slice swaps
 * with a waiter of an overloaded CPU when it has had at least two slices
 * more CPU time than that waiter. Swapping by run time rather than by
 * turn converges to equal shares whatever the slice alignment; the
 * two-slice hysteresis halves the swaps (each costs two migrations)
 * while keeping shares within two slices of equal.
 */
bool wsched_should_swap(u64 holder_runtime, u64 waiter_runtime, u64 slice_ns);

/*
 * Placement: the index among @n CPUs with the fewest threads whose bit is
 * set in @allowed_bits (bit j for index j, 64 per word); ties go to the
 * lowest index at or after @start. Returns -1 when none is allowed.
 */
int wsched_place_least(unsigned int n, const unsigned int *nr_threads,
		       const u64 *allowed_bits, unsigned int start);

/* Index of a log2 microsecond histogram bucket for @ns. */
unsigned int wsched_hist_bucket(u64 ns);

#endif /* WSCHED_POLICY_H */
