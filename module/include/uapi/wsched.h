/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * wsched ABI: the ioctls of /dev/wsched. Every argument struct starts with
 * its own size so the kernel can reject a caller built against another
 * layout, and carries reserved space that must be zero. A group lives as
 * long as the file descriptor that created it.
 */
#ifndef _UAPI_WSCHED_H
#define _UAPI_WSCHED_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define WSCHED_DEVICE		"/dev/wsched"
#define WSCHED_ABI_MAJOR	1
#define WSCHED_ABI_MINOR	1	/* 1: balance_gap */

/* Limits the module enforces (also reported by WSCHED_IOC_VERSION). */
#define WSCHED_MAX_CPUS		256	/* CPU numbers in a set: 0..255 */
#define WSCHED_MAX_GROUPS	64
#define WSCHED_MAX_THREADS	4096	/* per group */
#define WSCHED_SLICE_MIN_US	100
#define WSCHED_SLICE_MAX_US	1000000
#define WSCHED_WATCHDOG_MIN_MS	10
#define WSCHED_WATCHDOG_MAX_MS	600000
#define WSCHED_BALANCE_GAP_DEFAULT 16	/* slices: what balance_gap 0 picks */
#define WSCHED_BALANCE_GAP_MAX	64
/* Histograms: bucket 0 under 1 us, bucket b [2^(b-1), 2^b) us, last open */
#define WSCHED_HIST_BUCKETS	16

/**
 * struct wsched_version - answer of %WSCHED_IOC_VERSION
 * @size:	in: sizeof(struct wsched_version) as the caller knows it
 * @major:	out: ABI major; a caller must refuse a major it does not know
 * @minor:	out: ABI minor; grows with compatible additions
 * @max_cpus:	out: highest CPU number + 1 the module accepts in a CPU set
 * @max_groups:	out: groups the module allows at once
 * @max_threads: out: threads one group may hold
 * @reserved:	in: must be zero; out: zero
 */
struct wsched_version {
	__u32 size;
	__u32 major;
	__u32 minor;
	__u32 max_cpus;
	__u32 max_groups;
	__u32 max_threads;
	__u64 reserved[3];
};

/* Steal policies: where an idle group CPU looks for waiting threads. */
enum wsched_steal {
	WSCHED_STEAL_NONE	= 0,	/* never: the textbook MQMS imbalance */
	WSCHED_STEAL_RANDOM	= 1,	/* random victim order (Go) */
	WSCHED_STEAL_BUSIEST	= 2,	/* the longest queue */
	WSCHED_STEAL_TOPOLOGY	= 3,	/* sibling, then LLC, then node, then any */
	WSCHED_STEAL_NR,
};

/* Balance policies: whether busy queues are evened out by run time. */
enum wsched_balance {
	WSCHED_BALANCE_NONE	= 0,
	WSCHED_BALANCE_FAIR	= 1,	/* swap threads to equalise run time */
	WSCHED_BALANCE_NR,
};

/* Placement of a thread that joins, or is created by a member. */
enum wsched_place {
	WSCHED_PLACE_LEAST	= 0,	/* the group CPU with the fewest threads */
	WSCHED_PLACE_CURRENT	= 1,	/* the CPU it runs on, if in the group */
	WSCHED_PLACE_RR		= 2,	/* round robin over the group's CPUs */
	WSCHED_PLACE_NR,
};

/**
 * struct wsched_group_args - argument of %WSCHED_IOC_CREATE
 * @size:	sizeof(struct wsched_group_args)
 * @flags:	must be zero
 * @slice_us:	time slice, %WSCHED_SLICE_MIN_US..%WSCHED_SLICE_MAX_US
 * @steal:	an &enum wsched_steal
 * @balance:	an &enum wsched_balance
 * @place:	an &enum wsched_place
 * @watchdog_ms: a queued thread waiting longer than this releases the
 *		group to stock scheduling, unless the token's holder is busy
 *		on its CPU (one long system call); 0 picks 100 slices (at
 *		least 1 s); else %WSCHED_WATCHDOG_MIN_MS..%WSCHED_WATCHDOG_MAX_MS
 *		and at least two slices
 * @group_id:	out: the group's number (debugfs name, log lines)
 * @cpus:	the group's CPUs, a bitmap; must be online and allowed for
 *		the caller, and no CPU may belong to another group
 * @balance_gap: fair balance's price of a migration: a thread alone on
 *		its CPU swaps with a waiter elsewhere once it has had this
 *		many slices more CPU time; a larger gap moves threads less
 *		often and lets shares drift further apart over a window.
 *		0 picks the module's default; else 1..%WSCHED_BALANCE_GAP_MAX
 *		(ABI minor 1; a module of minor 0 rejects a non-zero value)
 * @reserved0:	must be zero
 * @reserved:	must be zero
 */
struct wsched_group_args {
	__u32 size;
	__u32 flags;
	__u32 slice_us;
	__u32 steal;
	__u32 balance;
	__u32 place;
	__u32 watchdog_ms;
	__u32 group_id;
	__u64 cpus[WSCHED_MAX_CPUS / 64];
	__u32 balance_gap;
	__u32 reserved0;
	__u64 reserved[3];
};

/**
 * struct wsched_thread_args - argument of %WSCHED_IOC_JOIN / %WSCHED_IOC_LEAVE
 * @size:	sizeof(struct wsched_thread_args)
 * @flags:	must be zero
 * @tid:	0 for the calling thread, else a thread id in the caller's pid
 *		namespace (same user, or CAP_SYS_NICE)
 * @cpu:	out: the CPU the thread was placed on (JOIN)
 * @reserved:	must be zero
 */
struct wsched_thread_args {
	__u32 size;
	__u32 flags;
	__s32 tid;
	__u32 cpu;
	__u64 reserved[2];
};

/* Steal distance classes, the index of @steal_dist in the stats. */
enum wsched_dist {
	WSCHED_DIST_SIBLING	= 0,	/* SMT sibling */
	WSCHED_DIST_LLC		= 1,	/* shares the last-level cache */
	WSCHED_DIST_NODE	= 2,	/* same NUMA node */
	WSCHED_DIST_REMOTE	= 3,	/* another node */
	WSCHED_DIST_NR,
};

/**
 * struct wsched_cpu_stats - one group CPU's counters
 * @cpu:		the CPU number
 * @nr_threads:		threads whose home is this CPU now
 * @nr_queued:		of those, waiting for the token now
 * @dispatches:		times a thread was given this CPU's token
 * @preemptions:	slice ends that moved the token to a waiting thread
 * @blocks:		hand-offs because the token holder blocked
 * @steals_tried:	times this CPU looked for work when it went idle
 * @steals_ok:		of those, times it took a thread
 * @steal_dist:		successful steals by distance (&enum wsched_dist)
 * @balance_moves:	threads moved here or away by the balance policy
 * @idle_ns:		time with no token holder while the group existed
 * @handoff_hist:	hand-off latency, log2 us buckets: from the holder
 *			blocking to the next holder running
 */
struct wsched_cpu_stats {
	__u32 cpu;
	__u32 nr_threads;
	__u32 nr_queued;
	__u32 pad;
	__u64 dispatches;
	__u64 preemptions;
	__u64 blocks;
	__u64 steals_tried;
	__u64 steals_ok;
	__u64 steal_dist[WSCHED_DIST_NR];
	__u64 balance_moves;
	__u64 idle_ns;
	__u64 handoff_hist[WSCHED_HIST_BUCKETS];
};

/**
 * struct wsched_thread_stats - one member thread's counters
 * @tid:	thread id (in the reader's pid namespace; 0 if not visible)
 * @cpu:	its home CPU now
 * @state:	0 running (holds the token), 1 queued, 2 blocked, 3 released
 * @pad:	zero
 * @dispatches:	times it was given a token
 * @preemptions: slice ends that took the token from it
 * @blocks:	times it blocked while holding the token
 * @migrations:	home CPU changes (steals and balance moves)
 * @runtime_ns:	CPU time since it joined (the kernel's own accounting)
 * @gated_ns:	time it was runnable but waiting for the token
 * @wait_hist:	its queue waits, log2 us buckets
 */
struct wsched_thread_stats {
	__s32 tid;
	__u32 cpu;
	__u32 state;
	__u32 pad;
	__u64 dispatches;
	__u64 preemptions;
	__u64 blocks;
	__u64 migrations;
	__u64 runtime_ns;
	__u64 gated_ns;
	__u64 wait_hist[WSCHED_HIST_BUCKETS];
};

/* Group flags in &struct wsched_stats.flags. */
/* Released to stock scheduling: by the watchdog, or its last CPU went offline */
#define WSCHED_STATS_RELEASED	(1u << 0)

/**
 * struct wsched_stats - argument of %WSCHED_IOC_STATS
 * @size:	sizeof(struct wsched_stats)
 * @flags:	out: %WSCHED_STATS_* bits
 * @group_id:	out: the group's number
 * @nr_cpus:	out: CPUs in the group (entries written to @cpus_ptr)
 * @nr_threads:	in: room in @threads_ptr; out: member threads now (may
 *		exceed the room; only the room is written)
 * @joined:	out: threads that ever joined
 * @left:	out: threads that left or exited
 * @cpus_ptr:	user pointer to room for %WSCHED_MAX_CPUS or nr_cpus entries
 *		of &struct wsched_cpu_stats; 0 to skip
 * @cpus_room:	in: entries room at @cpus_ptr
 * @threads_ptr: user pointer to @nr_threads &struct wsched_thread_stats; 0
 *		to skip
 * @watchdog_tid: out: the thread whose wait fired the watchdog, or 0
 * @reserved:	must be zero
 */
struct wsched_stats {
	__u32 size;
	__u32 flags;
	__u32 group_id;
	__u32 nr_cpus;
	__u32 nr_threads;
	__u32 cpus_room;
	__u64 joined;
	__u64 left;
	__u64 cpus_ptr;
	__u64 threads_ptr;
	__s32 watchdog_tid;
	__u32 pad;
	__u64 reserved[3];
};

#define WSCHED_IOC_MAGIC	0xb7

/**
 * WSCHED_IOC_VERSION - report the ABI version and limits of the module
 *
 * Errors: %EFAULT bad pointer, %EINVAL wrong size or reserved not zero.
 */
#define WSCHED_IOC_VERSION	_IOWR(WSCHED_IOC_MAGIC, 0x00, struct wsched_version)

/**
 * WSCHED_IOC_CREATE - create a group owned by this file descriptor
 *
 * Needs CAP_SYS_NICE. One group per descriptor. Errors: %EPERM, %EFAULT,
 * %EINVAL (size, flags, slice, policy, empty or foreign CPU set), %EBUSY
 * (a CPU already in a group, or the descriptor has a group), %ENOSPC (too
 * many groups), %ENOMEM.
 */
#define WSCHED_IOC_CREATE	_IOWR(WSCHED_IOC_MAGIC, 0x01, struct wsched_group_args)

/**
 * WSCHED_IOC_JOIN - make a thread a member of this descriptor's group
 *
 * The thread is pinned to one group CPU and from then on runs user code
 * only while it holds that CPU's token. Threads and processes it creates
 * inherit membership. Errors: %ENOENT (no group), %ESRCH (no such
 * thread), %EPERM (another user's thread without CAP_SYS_NICE), %EEXIST
 * (already a member of a group), %EINVAL (the thread's allowed CPUs miss
 * the group), %ENOSPC (group full), %ENODEV (group released or dying).
 */
#define WSCHED_IOC_JOIN		_IOWR(WSCHED_IOC_MAGIC, 0x02, struct wsched_thread_args)

/**
 * WSCHED_IOC_LEAVE - return a member thread to stock scheduling
 *
 * Its CPU affinity is restored. Errors as %WSCHED_IOC_JOIN, and %ENOENT
 * if the thread is not a member of this group.
 */
#define WSCHED_IOC_LEAVE	_IOWR(WSCHED_IOC_MAGIC, 0x03, struct wsched_thread_args)

/**
 * WSCHED_IOC_STATS - copy out the group's counters
 *
 * Errors: %ENOENT (no group), %EFAULT, %EINVAL.
 */
#define WSCHED_IOC_STATS	_IOWR(WSCHED_IOC_MAGIC, 0x04, struct wsched_stats)

#endif /* _UAPI_WSCHED_H */
