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
 * with a waiter of an overloaded CPU when it has had at least @gap slices
 * more CPU time than that waiter. Swapping by run time rather than by
 * turn converges to equal shares whatever the slice alignment; the gap
 * is the hysteresis that prices a migration: the swaps (two migrations
 * each) fall as 1/@gap while shares stay within @gap slices of equal.
 * WSCHED_BALANCE_GAP_DEFAULT was picked from the trade-off measured by
 * smpkit-bench's "balance" workload (Documentation/bench.rst).
 */
bool wsched_should_swap(u64 holder_runtime, u64 waiter_runtime, u64 slice_ns,
			u32 gap);

/*
 * Deficit round robin: a turn that ran past its slice (a late timer, a
 * vCPU the host descheduled, a slow way back to user mode) leaves a debt,
 * paid back by shorter turns (never under an eighth of a slice), so CPU
 * shares stay even; a turn given up early pays some back. The debt is
 * capped at eight slices: one runaway turn is not repaid for ever.
 * wsched_debt() is the debt after a turn that ran @ran, wsched_turn()
 * how long the next turn is.
 */
u64 wsched_debt(u64 debt, u64 ran, u64 slice_ns);
u64 wsched_turn(u64 debt, u64 slice_ns);

/*
 * Wake-up, in virtual run time (a member's CPU time since it joined, plus
 * the credit adjustments below). A member that slept, or is new, comes
 * back at most one slice behind the holder of its CPU: a long sleeper
 * does not bank credit (wsched_wake_vrt() returns its new virtual run
 * time). It goes before a waiter, and preempts the holder, only when it
 * is more than a quarter slice behind: a member that sleeps briefly and
 * often runs ahead of the hogs of its CPU only while it has had less CPU
 * than they, so it never takes more than its share, and two members
 * within a quarter slice of each other keep round-robin order.
 */
u64 wsched_wake_vrt(u64 vrt, u64 holder_vrt, u64 slice_ns);
bool wsched_wake_before(u64 vrt, u64 other_vrt, u64 slice_ns);

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
