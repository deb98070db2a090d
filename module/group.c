// SPDX-License-Identifier: GPL-2.0
/*
 * Group lifecycle: creation (CPU set, topology distances, per-CPU token
 * state), the watchdog, release to stock scheduling, and teardown when
 * the owning descriptor closes. wsched_groups_lock serialises creation
 * and teardown; the per-CPU owner pointer is what the probes read.
 */
#include <linux/debugfs.h>
#include <linux/idr.h>
#include <linux/kernel_stat.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/topology.h>

#include "internal.h"

static DEFINE_MUTEX(wsched_groups_lock);
static DEFINE_IDA(wsched_group_ida);
/*
 * The group CPU state owning each CPU; written under wsched_groups_lock,
 * read under RCU (the probes run with preemption off).
 */
static DEFINE_PER_CPU(struct wsched_cpu __rcu *, wsched_pcpu);

struct wsched_cpu *wsched_cpu_of(int cpu)
{
	return rcu_dereference_sched(per_cpu(wsched_pcpu, cpu));
}

/* The group owning @cpu, with a reference, or NULL. */
struct wsched_group *wsched_group_get_cpu(int cpu)
{
	struct wsched_group *grp = NULL;
	struct wsched_cpu *wc;

	mutex_lock(&wsched_groups_lock);
	wc = rcu_dereference_protected(per_cpu(wsched_pcpu, cpu),
				       lockdep_is_held(&wsched_groups_lock));
	if (wc) {
		grp = wc->grp;
		kref_get(&grp->ref);
	}
	mutex_unlock(&wsched_groups_lock);
	return grp;
}

struct wsched_cpu *wsched_group_cpu(struct wsched_group *grp, int cpu)
{
	return &grp->cpus[grp->idx_of[cpu]];
}

/*
 * cpus_share_cache() is not exported: the package (core siblings) stands
 * in for the LLC, which is exact on most x86 parts and coarser on AMD
 * parts with several CCXs per package.
 */
static enum wsched_dist cpu_dist(int a, int b)
{
	if (cpumask_test_cpu(b, topology_sibling_cpumask(a)))
		return WSCHED_DIST_SIBLING;
	if (cpumask_test_cpu(b, topology_core_cpumask(a)))
		return WSCHED_DIST_LLC;
	if (cpu_to_node(a) == cpu_to_node(b))
		return WSCHED_DIST_NODE;
	return WSCHED_DIST_REMOTE;
}

static void group_free(struct kref *ref)
{
	struct wsched_group *grp = container_of(ref, struct wsched_group, ref);

	free_cpumask_var(grp->mask);
	kfree(grp->dist);
	kfree(grp->idx_of);
	kfree(grp);
}

void wsched_group_put(struct wsched_group *grp)
{
	kref_put(&grp->ref, group_free);
}

static void watchdog_fn(struct work_struct *work);

struct wsched_group *wsched_group_create(const struct cpumask *mask,
					 const struct wsched_group_args *a)
{
	unsigned int n = cpumask_weight(mask), i, j;
	struct wsched_group *grp;
	int cpu, ret;

	grp = kzalloc(struct_size(grp, cpus, n), GFP_KERNEL);
	if (!grp)
		return ERR_PTR(-ENOMEM);
	kref_init(&grp->ref);
	spin_lock_init(&grp->lock);
	INIT_LIST_HEAD(&grp->members);
	INIT_DELAYED_WORK(&grp->watchdog, watchdog_fn);
	grp->nr_cpus = n;
	grp->slice_ns = (u64)a->slice_us * NSEC_PER_USEC;
	grp->watchdog_ns = a->watchdog_ms ? (u64)a->watchdog_ms * NSEC_PER_MSEC :
		max_t(u64, 100 * grp->slice_ns, NSEC_PER_SEC);
	grp->steal = a->steal;
	grp->balance = a->balance;
	grp->balance_gap = a->balance_gap ? a->balance_gap :
			   WSCHED_BALANCE_GAP_DEFAULT;
	grp->place = a->place;
	grp->dist = kcalloc(n, n, GFP_KERNEL);
	grp->idx_of = kcalloc(nr_cpu_ids, sizeof(*grp->idx_of), GFP_KERNEL);
	if (!grp->dist || !grp->idx_of ||
	    !zalloc_cpumask_var(&grp->mask, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto free;
	}
	cpumask_copy(grp->mask, mask);

	i = 0;
	for_each_cpu(cpu, mask) {
		struct wsched_cpu *wc = &grp->cpus[i];

		raw_spin_lock_init(&wc->lock);
		INIT_LIST_HEAD(&wc->queue);
		init_llist_head(&wc->blocked);
		hrtimer_init(&wc->timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
		wc->timer.function = wsched_slice_end;
		wc->work = IRQ_WORK_INIT_HARD(wsched_handoff_work);
		INIT_LIST_HEAD(&wc->arriving);
		init_llist_head(&wc->pull);
		INIT_WORK(&wc->pull_work, wsched_pull_work);
		wc->grp = grp;
		wc->cpu = cpu;
		wc->idx = i;
		wc->idle_since = wsched_now();
		grp->idx_of[cpu] = i;
		i++;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			grp->dist[i * n + j] = cpu_dist(grp->cpus[i].cpu,
							grp->cpus[j].cpu);

	mutex_lock(&wsched_groups_lock);
	for (i = 0; i < n; i++) {
		if (rcu_access_pointer(per_cpu(wsched_pcpu, grp->cpus[i].cpu))) {
			ret = -EBUSY;
			goto unlock;
		}
	}
	ret = ida_alloc_max(&wsched_group_ida, WSCHED_MAX_GROUPS - 1, GFP_KERNEL);
	if (ret < 0) {
		ret = ret == -ENOSPC ? -ENOSPC : ret;
		goto unlock;
	}
	grp->id = ret;
	for (i = 0; i < n; i++)
		rcu_assign_pointer(per_cpu(wsched_pcpu, grp->cpus[i].cpu),
				   &grp->cpus[i]);
	atomic_inc(&wsched_nr_groups);
	mutex_unlock(&wsched_groups_lock);

	schedule_delayed_work(&grp->watchdog,
			      nsecs_to_jiffies(grp->watchdog_ns / 4) + 1);
	wsched_debugfs_group(grp);
	return grp;
unlock:
	mutex_unlock(&wsched_groups_lock);
free:
	group_free(&grp->ref);
	return ERR_PTR(ret);
}

/*
 * A former member that sleeps with its gate queued keeps the module in
 * use until it wakes (a queued task_work cannot be taken back). Gates
 * are queued only while a thread is awake, so this is the narrow case of
 * one that went to sleep just after: say which thread keeps rmmod out.
 */
static void report_straggler(struct wsched_group *grp, struct wsched_member *m)
{
	struct task_struct *p = m->task;
	unsigned long flags;
	bool asleep;

	if (!test_bit(WMF_GATE_QUEUED, &m->flags) || p == current)
		return;
	raw_spin_lock_irqsave(&p->pi_lock, flags);
	asleep = wsched_task_asleep(p);
	raw_spin_unlock_irqrestore(&p->pi_lock, flags);
	if (asleep)
		pr_info("wsched: group %u: thread %d (%s) sleeps with its gate queued: the module stays in use until it wakes\n",
			grp->id, task_pid_nr(p), p->comm);
}

/* Detach every member, giving each its old affinity back. */
static void detach_all(struct wsched_group *grp)
{
	struct wsched_member *m;

	for (;;) {
		spin_lock(&grp->lock);
		m = list_first_entry_or_null(&grp->members,
					     struct wsched_member, gnode);
		if (m)
			refcount_inc(&m->ref);
		spin_unlock(&grp->lock);
		if (!m)
			return;
		wsched_member_detach(m, true);
		report_straggler(grp, m);
		wsched_member_put(m);
		cond_resched();
	}
}

/*
 * Give the group back to stock scheduling (the watchdog's verdict): every
 * member is detached and woken; the group stays, empty, so its owner can
 * still read why.
 */
void wsched_group_release(struct wsched_group *grp, const char *why)
{
	if (xchg(&grp->released, true))
		return;
	pr_warn("wsched: group %u released to stock scheduling: %s\n",
		grp->id, why);
	detach_all(grp);
}

/*
 * How long @cpu has run anything, user or kernel, as its own tick
 * accounting counts it: time that a virtual CPU's host did not give it
 * is not in there.
 */
static u64 cpu_ran(int cpu)
{
	struct kernel_cpustat kcs;
	const u64 *t = kcs.cpustat;

	kcpustat_cpu_fetch(&kcs, cpu);
	return t[CPUTIME_USER] + t[CPUTIME_NICE] + t[CPUTIME_SYSTEM] +
	       t[CPUTIME_SOFTIRQ] + t[CPUTIME_IRQ] + t[CPUTIME_GUEST] +
	       t[CPUTIME_GUEST_NICE];
}

/*
 * The state of @wc's token when its queue head waited too long, for the
 * release line: who holds it (none: a lost dispatch), where that task is
 * and in what state, and whether a slice timer is pending. Under wc->lock.
 */
static void token_state(struct wsched_cpu *wc, char *buf, size_t len)
{
	struct wsched_member *h = wc->holder;

	if (!h) {
		snprintf(buf, len, "holder none, %u queued, timer %s",
			 wc->nr_queued, wc->timer_armed ? "armed" : "idle");
		return;
	}
	snprintf(buf, len,
		 "holder %d (%c on CPU %d, flags %#lx, ran %llu ms of the CPU's %llu since the first look %llu ms ago), %u queued, timer %s",
		 task_pid_nr(h->task), task_state_to_char(h->task),
		 task_cpu(h->task), h->flags,
		 (READ_ONCE(h->task->se.sum_exec_runtime) - wc->wd_runtime) /
		 NSEC_PER_MSEC,
		 (cpu_ran(wc->cpu) - wc->wd_cpu_ran) / NSEC_PER_MSEC,
		 (wsched_now() - wc->wd_since) / NSEC_PER_MSEC,
		 wc->nr_queued, wc->timer_armed ? "armed" : "idle");
}

/*
 * Is @wc's token in use rather than lost? Its holder sits on its home
 * CPU with the slice timer armed, and runs there now or has had at least
 * a quarter of what that CPU ran since the watchdog first saw it hold
 * the token: a thread busy in one long system call (preemption waits for
 * its return to user mode) looks so; a holder asleep off its CPU (it
 * blocked unseen), gone elsewhere, or starved by a non-member does not
 * (a SCHED_FIFO hog leaves it RT throttling's 5 %). A ratio, not "ran
 * since the last look": the watchdog's own work may run only when a
 * starving hog lets the holder run too. A ratio of the CPU's own run
 * time, not of the wall: a virtual CPU that its host does not run for a
 * while (QEMU on a loaded host) stands still, holder and all; while it
 * has run less than two ticks there is no verdict. A holder seen for
 * the first time gets one more look. Under wc->lock.
 */
static bool holder_busy(struct wsched_cpu *wc, u64 now)
{
	struct wsched_member *h = wc->holder;
	u64 rt = h ? READ_ONCE(h->task->se.sum_exec_runtime) : 0;
	u64 ran = cpu_ran(wc->cpu);

	lockdep_assert_held(&wc->lock);
	if (h != wc->wd_holder) {
		wc->wd_holder = h;
		wc->wd_runtime = rt;
		wc->wd_cpu_ran = ran;
		wc->wd_since = now;
		return h != NULL;
	}
	if (!h || !wc->timer_armed || task_cpu(h->task) != wc->cpu)
		return false;
	if (READ_ONCE(h->task->on_cpu))
		return true;
	if (!task_is_running(h->task))
		return false;
	ran -= wc->wd_cpu_ran;
	return ran < 2 * TICK_NSEC || 4 * (rt - wc->wd_runtime) >= ran;
}

static void watchdog_fn(struct work_struct *work)
{
	struct wsched_group *grp = container_of(to_delayed_work(work),
						struct wsched_group, watchdog);
	struct wsched_member *m;
	unsigned long flags;
	unsigned int i;
	u64 now;
	char why[288], token[192];

	if (!wsched_group_live(grp))
		return;
	for (i = 0; i < grp->nr_cpus; i++) {
		struct wsched_cpu *wc = &grp->cpus[i];
		u64 waited = 0;
		pid_t tid = 0;
		char state = '?';
		bool busy;

		raw_spin_lock_irqsave(&wc->lock, flags);
		/*
		 * Read under the lock that orders every queued_at: a time
		 * taken before it can precede an enqueue that came after,
		 * and the difference wraps (a false release, seen under a
		 * storm on a loaded host).
		 */
		now = wsched_now();
		busy = holder_busy(wc, now);
		m = list_first_entry_or_null(&wc->queue, struct wsched_member,
					     qnode);
		if (m && m->queued_at && now - m->queued_at > grp->watchdog_ns &&
		    !busy) {
			waited = now - m->queued_at;
			tid = task_pid_nr(m->task);
			state = task_state_to_char(m->task);
			token_state(wc, token, sizeof(token));
		}
		raw_spin_unlock_irqrestore(&wc->lock, flags);
		if (waited) {
			WRITE_ONCE(grp->watchdog_tid, tid);
			snprintf(why, sizeof(why),
				 "thread %d (%c) waited %llu ms for CPU %d; %s",
				 tid, state, waited / NSEC_PER_MSEC, wc->cpu,
				 token);
			wsched_group_release(grp, why);
			return;
		}
	}
	schedule_delayed_work(&grp->watchdog,
			      nsecs_to_jiffies(grp->watchdog_ns / 4) + 1);
}

/*
 * The owner closed its descriptor. Order matters: stop admitting, detach
 * members, unpublish the CPUs, wait out the probes (RCU), then stop the
 * timers and irq_works that only the probes and members could restart.
 */
void wsched_group_destroy(struct wsched_group *grp)
{
	struct wsched_member *m, *n;
	unsigned int i;

	WRITE_ONCE(grp->dead, true);
	cancel_delayed_work_sync(&grp->watchdog);
	detach_all(grp);
	/* Before the id is reused: a new group's file takes the same name. */
	debugfs_remove(grp->debugfs);

	mutex_lock(&wsched_groups_lock);
	for (i = 0; i < grp->nr_cpus; i++)
		RCU_INIT_POINTER(per_cpu(wsched_pcpu, grp->cpus[i].cpu), NULL);
	ida_free(&wsched_group_ida, grp->id);
	atomic_dec(&wsched_nr_groups);
	mutex_unlock(&wsched_groups_lock);
	synchronize_rcu();

	for (i = 0; i < grp->nr_cpus; i++) {
		struct wsched_cpu *wc = &grp->cpus[i];

		irq_work_sync(&wc->work);
		wsched_pull_sync(wc);
		hrtimer_cancel(&wc->timer);
		llist_for_each_entry_safe(m, n, llist_del_all(&wc->blocked),
					  block_node) {
			clear_bit(WMF_ON_BLOCKED, &m->flags);
			wsched_member_put(m);
		}
	}
	wsched_group_put(grp);
}
