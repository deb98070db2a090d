/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsched internals shared by the module's files: the group, its per-CPU
 * token state and the member threads. Locking, outermost first:
 *   the scheduler's rq lock (held by the kernel around the sched_switch
 *   probe) > wsched_cpu.lock (two at once: lower CPU first);
 *   wsched_group.lock > wsched_cpu.lock (never the other way round);
 *   wsched_group.lock > the member table's lock (member.c);
 *   a task's pi_lock > wsched_cpu.lock (the sched_waking probe runs under
 *   the woken task's pi_lock).
 * Nothing may wake a task or change affinity under a wsched_cpu.lock:
 * both take the rq lock, which nests outside it. (place.c's redirect()
 * writes a waking task's mask under its pi_lock alone, after unlocking.)
 */
#ifndef WSCHED_INTERNAL_H
#define WSCHED_INTERNAL_H

#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/version.h>
#include <linux/workqueue.h>
#include <uapi/wsched.h>

#include "policy.h"

enum wsched_mstate {
	WM_RUNNING	= 0,	/* holds its home CPU's token */
	WM_QUEUED	= 1,	/* on its home CPU's queue */
	WM_BLOCKED	= 2,	/* neither: blocked, new, or between gates */
	WM_GONE		= 3,	/* detached: runs under stock scheduling */
};

struct wsched_group;

/* One group CPU: its token, queue, slice timer and hand-off irq_work. */
struct wsched_cpu {
	raw_spinlock_t lock;
	struct wsched_group *grp;
	int cpu;
	int idx;			/* index in grp->cpus[] */
	/* protected by lock */
	struct list_head queue;		/* WM_QUEUED members, FIFO */
	unsigned int nr_queued;
	unsigned int nr_threads;	/* members whose home this is */
	struct wsched_member *holder;	/* WM_RUNNING member or NULL */
	bool timer_armed;
	bool want_steal;		/* went idle in the probe */
	bool offline;			/* CPU is (going) offline: not a target */
	/*
	 * At the watchdog's first look at this holder: who, its run time,
	 * the time its CPU had run anything, and the clock.
	 */
	struct wsched_member *wd_holder;
	u64 wd_runtime;
	u64 wd_cpu_ran;
	u64 wd_since;
	u64 idle_since;			/* ns, 0 while held */
	u64 turn_cap;			/* ns: the holder's turn ends by then, or 0 */
	struct wsched_cpu_stats st;	/* counters only; cpu/nr_* filled on read */
	/* not locked */
	struct hrtimer timer;		/* slice end, pinned to cpu */
	struct irq_work work;		/* hand-off and readmit after a block */
	struct llist_head blocked;	/* members that blocked holding the token */
	/*
	 * Wake-time placement (place.c). Under lock: members woken with
	 * this CPU as home while its token was held, that have not reached
	 * their gate yet (they wait in the kernel's run queue), and how
	 * many; woken members placed here or taken from such a list.
	 */
	struct list_head arriving;
	unsigned int nr_arriving;
	u64 wake_moves;
	/* Members to pull onto this CPU. */
	struct llist_head pull;
	struct work_struct pull_work;	/* a kworker bound to this CPU */
};

struct wsched_group {
	struct kref ref;
	u32 id;
	u64 slice_ns;
	u64 watchdog_ns;
	enum wsched_steal steal;
	enum wsched_balance balance;
	u32 balance_gap;		/* slices; wsched_should_swap() */
	enum wsched_place place;
	cpumask_var_t mask;
	/* Set once; read locklessly (READ_ONCE) on every path. */
	bool dead;			/* owner closed its descriptor */
	bool released;			/* the watchdog gave up on it */
	s32 watchdog_tid;
	atomic_t rr_next;		/* WSCHED_PLACE_RR cursor */
	spinlock_t lock;		/* protects members, nr_members */
	struct list_head members;
	unsigned int nr_members;
	atomic64_t joined, left;
	struct delayed_work watchdog;
	struct dentry *debugfs;
	unsigned int nr_cpus;
	u8 *dist;			/* nr_cpus^2 enum wsched_dist */
	u16 *idx_of;			/* CPU number -> index in cpus[] */
	struct wsched_cpu cpus[];
};

struct wsched_member {
	struct hlist_node node;		/* wsched_members, keyed by task */
	struct task_struct *task;	/* reference held */
	struct wsched_group *grp;	/* reference held */
	refcount_t ref;
	struct rcu_head rcu;
	unsigned long flags;		/* WMF_* bits */
	struct list_head gnode;		/* grp->members, under grp->lock */
	struct callback_head gate_cb;
	struct llist_node block_node;
	struct llist_node pull_node;	/* on a wsched_cpu.pull list */
	/*
	 * The user's affinity and its cpuset: set before publication, then
	 * written only by the member itself (follow_user_affinity()) under
	 * its home CPU's lock. Read under that lock, or by the member itself.
	 */
	cpumask_var_t saved_mask;
	u64 saved_cpuset;		/* cgroup id of its cpuset then */
	/* CPU its affinity names now, -1 if none: READ_ONCE/WRITE_ONCE */
	int pinned;
	/* CPU wake-time placement last pointed it at, -1 if none: likewise */
	int pull_cpu;
	/* protected by the home CPU's lock */
	int cpu;			/* home CPU: set before publication */
	enum wsched_mstate state;
	struct list_head qnode;
	struct list_head anode;		/* on its home's arriving list */
	bool preempt;			/* slice over: yield at the gate */
	u64 debt;			/* overrun owed: wsched_debt() */
	u64 vadj;			/* wake-up credit taken away, ns */
	u64 queued_at, dispatched_at, last_ran, handoff_t0;
	u64 runtime_base;
	struct wsched_thread_stats st;
};

#define WMF_DETACHED	0	/* left the group (once) */
#define WMF_GATE_QUEUED	1	/* gate_cb is queued on the task */
#define WMF_ON_BLOCKED	2	/* on a wsched_cpu.blocked list */
#define WMF_MIGRATING	3	/* moving itself to its new home CPU */
#define WMF_PARKING	4	/* asleep in its gate, waiting for the token */
#define WMF_WAKE_GATE	5	/* asleep in the kernel: gate it when it wakes */
#define WMF_SIGNALLED	6	/* left its gate for a signal: gate it again */
#define WMF_ON_PULL	7	/* on a wsched_cpu.pull list */

/* main.c */
extern atomic_t wsched_nr_groups, wsched_nr_members, wsched_nr_pending;

/* ioctl.c */
long wsched_ioc_version(void __user *uarg);
long wsched_ioc_create(struct file *file, void __user *uarg);
long wsched_ioc_thread(struct file *file, void __user *uarg, bool join);
long wsched_ioc_stats(struct file *file, void __user *uarg);

/* group.c */
struct wsched_group *wsched_group_create(const struct cpumask *mask,
					 const struct wsched_group_args *a);
void wsched_group_destroy(struct wsched_group *grp);
void wsched_group_put(struct wsched_group *grp);
void wsched_group_release(struct wsched_group *grp, const char *why);
struct wsched_cpu *wsched_cpu_of(int cpu);
struct wsched_cpu *wsched_group_cpu(struct wsched_group *grp, int cpu);
struct wsched_group *wsched_group_get_cpu(int cpu);

/* hotplug.c */
int wsched_hotplug_init(void);
void wsched_hotplug_exit(void);

/* member.c */
void wsched_members_exit(void);
struct wsched_member *wsched_member_find(struct task_struct *p);
int wsched_join(struct wsched_group *grp, struct task_struct *p, int *cpu);
int wsched_leave(struct wsched_group *grp, struct task_struct *p);
void wsched_member_detach(struct wsched_member *m, bool restore);
void wsched_member_put(struct wsched_member *m);
u64 wsched_cpuset_id(struct task_struct *p);
void wsched_restore_affinity(struct wsched_member *m);
u64 wsched_saved_mask(struct wsched_member *m, struct cpumask *dst);
void wsched_fork(struct task_struct *parent, struct task_struct *child);
int wsched_place(struct wsched_group *grp, const struct cpumask *allowed);

/* gate.c */
void wsched_gate_kick(struct wsched_member *m);
void wsched_gate_request(struct wsched_member *m);
void wsched_gate_woken(struct wsched_member *m);
bool wsched_task_asleep(struct task_struct *p);
void wsched_gate(struct callback_head *cb);
void wsched_gate_run(struct wsched_member *m);
struct wsched_cpu *wsched_lock_home(struct wsched_member *m,
				    unsigned long *flags) __acquires(wc->lock);
struct wsched_member *wsched_dispatch_next(struct wsched_cpu *wc, u64 now);
void wsched_make_holder(struct wsched_cpu *wc, struct wsched_member *m,
			u64 now);
void wsched_enqueue(struct wsched_cpu *wc, struct wsched_member *m, u64 now);
void wsched_wake_holder(struct wsched_cpu *wc);
enum hrtimer_restart wsched_slice_end(struct hrtimer *t);
void wsched_handoff_work(struct irq_work *w);

/* steal.c */
void wsched_lock_two(struct wsched_cpu *a, struct wsched_cpu *b,
		     unsigned long *flags) __acquires(a->lock) __acquires(b->lock);
void wsched_unlock_two(struct wsched_cpu *a, struct wsched_cpu *b,
		       unsigned long flags) __releases(a->lock) __releases(b->lock);
bool wsched_steal(struct wsched_cpu *wc);
bool wsched_balance(struct wsched_cpu *wc);

/* hooks.c */
int wsched_hooks_init(void);
void wsched_hooks_exit(void);

/* getaffinity.c */
void wsched_getaffinity_init(void);
void wsched_getaffinity_exit(void);
bool wsched_getaffinity_active(void);

/* place.c */
void wsched_wake_place(struct wsched_member *m);
void wsched_arrived(struct wsched_cpu *wc, struct wsched_member *m);
bool wsched_take_arriving(struct wsched_cpu *wc);
void wsched_pull_work(struct work_struct *w);
void wsched_pull_sync(struct wsched_cpu *wc);

/* yield.c */
void wsched_yield_init(void);
void wsched_yield_exit(void);
bool wsched_yield_active(void);

/* stats.c */
void wsched_hist_add(u64 *hist, u64 ns);
int wsched_debugfs_init(void);
void wsched_debugfs_exit(void);
void wsched_debugfs_group(struct wsched_group *grp);
void wsched_fill_cpu_stats(struct wsched_cpu *wc, struct wsched_cpu_stats *o);
void wsched_fill_thread_stats(struct wsched_member *m,
			      struct wsched_thread_stats *o);

static inline u64 wsched_now(void)
{
	return ktime_get_ns();
}

/* @m's CPU time since it joined plus its credit adjustment (policy.h). */
static inline u64 wsched_vrt(struct wsched_member *m)
{
	return READ_ONCE(m->task->se.sum_exec_runtime) - m->runtime_base +
	       m->vadj;
}

/*
 * Did wake-time placement (place.c: the probe's redirect() or a pull),
 * rather than the user, give @m's task the one-CPU mask it has? Both
 * write pull_cpu before the mask.
 */
static inline bool wsched_pulled(struct wsched_member *m)
{
	int cpu;

	/*
	 * Callers may have read the mask already: pairs with the barriers
	 * in redirect() and pull_one().
	 */
	smp_rmb();
	cpu = READ_ONCE(m->pull_cpu);
	return cpu >= 0 && cpumask_equal(m->task->cpus_ptr, cpumask_of(cpu));
}

/* Did someone else (the user) change the affinity wsched gave @m? */
static inline bool wsched_affinity_changed(struct wsched_member *m)
{
	int pinned = READ_ONCE(m->pinned);

	return pinned >= 0 &&
	       !cpumask_equal(m->task->cpus_ptr, cpumask_of(pinned)) &&
	       !wsched_pulled(m);
}

/*
 * Is @p leaving the CPU, or off it, because it blocks (rather than being
 * preempted)? The state alone is not enough: a task preempted right
 * after setting its state looks blocked. EEVDF (6.12) may keep a blocked
 * task on the runqueue with its dequeue delayed.
 */
static inline bool wsched_task_blocked(struct task_struct *p)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	if (p->se.sched_delayed)
		return true;
#endif
	return !READ_ONCE(p->on_rq);
}

static inline bool wsched_group_live(struct wsched_group *grp)
{
	return !READ_ONCE(grp->dead) && !READ_ONCE(grp->released);
}

#endif /* WSCHED_INTERNAL_H */
