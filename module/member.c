// SPDX-License-Identifier: GPL-2.0
/*
 * Member threads: the task -> member table, joining (by itself, by tid,
 * or inherited at fork), placement, and detaching (leave, exit, group
 * teardown). Lookups are lockless under RCU because the sched_switch,
 * sched_waking, signal, fork and exit probes run for every task in the
 * system.
 */
#include <linux/cgroup.h>
#include <linux/hash.h>
#include <linux/rculist.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "internal.h"

/*
 * task -> member. A fixed table, never resized: the lookup runs from hard
 * interrupts (the sched_waking probe under a timer's wake-up, the slice
 * timer), and a resizing table (rhashtable) can make a lookup walk for
 * ever when it interrupts the rehash worker in mid-move. A member's key
 * never changes, so it only ever sits in one chain, and a reader racing
 * with its removal walks on (hlist_del_rcu() keeps ->next). 4096 chains
 * for at most WSCHED_MAX_GROUPS * WSCHED_MAX_THREADS members.
 */
#define WSCHED_HASH_BITS	12
static struct hlist_head wsched_members[1 << WSCHED_HASH_BITS];
static DEFINE_SPINLOCK(wsched_members_lock);	/* writers of the table */

static struct hlist_head *member_chain(struct task_struct *p)
{
	return &wsched_members[hash_ptr(p, WSCHED_HASH_BITS)];
}

/* At unload: every member left with its group. */
void wsched_members_exit(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wsched_members); i++)
		WARN_ON_ONCE(!hlist_empty(&wsched_members[i]));
}

/* Caller is in an RCU read-side section (any atomic context counts). */
struct wsched_member *wsched_member_find(struct task_struct *p)
{
	struct wsched_member *m;

	if (!atomic_read(&wsched_nr_members))
		return NULL;
	hlist_for_each_entry_rcu(m, member_chain(p), node)
		if (m->task == p)
			return m;
	return NULL;
}

/* Add @m unless its task is a member already (of any group). */
static int member_insert(struct wsched_member *m)
{
	struct hlist_head *chain = member_chain(m->task);
	struct wsched_member *o;

	spin_lock(&wsched_members_lock);
	hlist_for_each_entry(o, chain, node) {
		if (o->task == m->task) {
			spin_unlock(&wsched_members_lock);
			return -EEXIST;
		}
	}
	hlist_add_head_rcu(&m->node, chain);
	spin_unlock(&wsched_members_lock);
	return 0;
}

static void member_remove(struct wsched_member *m)
{
	spin_lock(&wsched_members_lock);
	hlist_del_rcu(&m->node);
	spin_unlock(&wsched_members_lock);
}

static void member_free_rcu(struct rcu_head *rcu)
{
	struct wsched_member *m = container_of(rcu, struct wsched_member, rcu);

	put_task_struct(m->task);
	wsched_group_put(m->grp);
	free_cpumask_var(m->saved_mask);
	kfree(m);
}

void wsched_member_put(struct wsched_member *m)
{
	if (refcount_dec_and_test(&m->ref))
		call_rcu(&m->rcu, member_free_rcu);
}

/* Group CPU index with the fewest threads among @allowed (the policy). */
int wsched_place(struct wsched_group *grp, const struct cpumask *allowed)
{
	unsigned int nr[16], i, n = grp->nr_cpus, *nrp = nr;
	u64 bits[WSCHED_MAX_CPUS / 64] = { 0 };
	int idx;

	if (n > ARRAY_SIZE(nr)) {
		nrp = kmalloc_array(n, sizeof(*nrp), GFP_ATOMIC);
		if (!nrp)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		nrp[i] = READ_ONCE(grp->cpus[i].nr_threads);
		/* Not active: on its way offline, before our callback marks it. */
		if (cpumask_test_cpu(grp->cpus[i].cpu, allowed) &&
		    !READ_ONCE(grp->cpus[i].offline) &&
		    cpu_active(grp->cpus[i].cpu))
			bits[i / 64] |= 1ull << (i % 64);
	}
	if (grp->place == WSCHED_PLACE_CURRENT) {
		for (i = 0; i < n; i++)
			if (grp->cpus[i].cpu == raw_smp_processor_id() &&
			    (bits[i / 64] & (1ull << (i % 64))))
				goto out;
	}
	i = grp->place == WSCHED_PLACE_RR ?
		(unsigned int)atomic_inc_return(&grp->rr_next) % n : 0;
	idx = wsched_place_least(n, nrp, bits, i);
	i = idx < 0 ? -EINVAL : idx;
out:
	if (nrp != nr)
		kfree(nrp);
	return i;
}

static struct wsched_member *member_alloc(struct wsched_group *grp,
					  struct task_struct *p, gfp_t gfp)
{
	struct wsched_member *m = kzalloc(sizeof(*m), gfp);

	if (!m)
		return NULL;
	if (!zalloc_cpumask_var(&m->saved_mask, gfp)) {
		kfree(m);
		return NULL;
	}
	refcount_set(&m->ref, 1);
	m->task = p;
	m->grp = grp;
	m->cpu = -1;
	m->pinned = -1;
	m->pull_cpu = -1;
	m->state = WM_BLOCKED;
	INIT_LIST_HEAD(&m->qnode);
	INIT_LIST_HEAD(&m->anode);
	init_task_work(&m->gate_cb, wsched_gate);
	return m;
}

/*
 * Publish @m: home CPU first (so every published member has one), then
 * the table and the group list. Takes its task and group references.
 */
static int member_attach(struct wsched_member *m)
{
	struct wsched_group *grp = m->grp;
	struct wsched_cpu *wc;
	unsigned long flags;
	int ret, idx;

	/*
	 * A home that goes offline now (the placement reads the offline
	 * marks unlocked) is left behind by hotplug's moves, like a member
	 * asleep in the kernel: its gate, before anything else, finds it an
	 * online one.
	 */
	idx = wsched_place(grp, m->saved_mask);
	if (idx < 0)
		return idx;
	wc = &grp->cpus[idx];
	raw_spin_lock_irqsave(&wc->lock, flags);
	m->cpu = wc->cpu;
	wc->nr_threads++;
	raw_spin_unlock_irqrestore(&wc->lock, flags);
	m->runtime_base = m->task->se.sum_exec_runtime;

	spin_lock(&grp->lock);
	if (!wsched_group_live(grp)) {
		ret = -ENODEV;
	} else if (grp->nr_members >= WSCHED_MAX_THREADS) {
		ret = -ENOSPC;
	} else {
		ret = member_insert(m);
		if (!ret) {
			list_add_tail(&m->gnode, &grp->members);
			grp->nr_members++;
			get_task_struct(m->task);
			kref_get(&grp->ref);
			atomic_inc(&wsched_nr_members);
			atomic64_inc(&grp->joined);
		}
	}
	spin_unlock(&grp->lock);
	if (ret) {
		raw_spin_lock_irqsave(&wc->lock, flags);
		wc->nr_threads--;
		raw_spin_unlock_irqrestore(&wc->lock, flags);
	}
	return ret;
}

int wsched_join(struct wsched_group *grp, struct task_struct *p, int *cpu)
{
	struct wsched_member *m;
	int ret;

	if (!wsched_group_live(grp))
		return -ENODEV;
	if (p->flags & (PF_EXITING | PF_KTHREAD))
		return -ESRCH;
	if (!cpumask_intersects(p->cpus_ptr, grp->mask))
		return -EINVAL;
	m = member_alloc(grp, p, GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	cpumask_copy(m->saved_mask, p->cpus_ptr);
	m->saved_cpuset = wsched_cpuset_id(p);
	/*
	 * Once published, the member can be detached and put by others (a
	 * LEAVE by tid, the thread's exit) while this call still uses it:
	 * a reference of our own, taken before publishing, until the end.
	 * (Unpublished, it is simply freed below.)
	 */
	refcount_inc(&m->ref);
	ret = member_attach(m);
	if (ret)
		goto free;
	/*
	 * Another thread can start exiting after the check above: if its
	 * exit probe ran before the member was in the table, nothing else
	 * would take it out. Pairs with the barrier in probe_exit().
	 */
	smp_mb();
	if (READ_ONCE(p->flags) & PF_EXITING) {
		wsched_member_detach(m, false);
		ret = -ESRCH;
		goto put;
	}
	/*
	 * The thread moves itself to its home in its gate: the caller now,
	 * another thread at its next return to user mode.
	 */
	if (p == current)
		wsched_gate_run(m);
	else
		wsched_gate_request(m);
	*cpu = READ_ONCE(m->cpu);
put:
	wsched_member_put(m);
	return ret;
free:
	free_cpumask_var(m->saved_mask);
	kfree(m);
	return ret;
}

int wsched_leave(struct wsched_group *grp, struct task_struct *p)
{
	struct wsched_member *m;

	rcu_read_lock();
	m = wsched_member_find(p);
	if (m && (m->grp != grp || !refcount_inc_not_zero(&m->ref)))
		m = NULL;
	rcu_read_unlock();
	if (!m)
		return -ENOENT;
	wsched_member_detach(m, true);
	wsched_member_put(m);
	return 0;
}

/*
 * Take @m out of its group: give up the token or the queue slot, drop it
 * from the table. @restore (process context only) gives the thread back
 * the affinity it had before joining. Safe to race with itself.
 */
void wsched_member_detach(struct wsched_member *m, bool restore)
{
	struct wsched_group *grp = m->grp;
	struct wsched_member *next = NULL;
	struct task_struct *wake = NULL;
	struct wsched_cpu *wc;
	unsigned long flags;
	bool idle = false;

	if (test_and_set_bit(WMF_DETACHED, &m->flags))
		return;
	/* No gate at its next wake-up: it leaves asleep, holding nothing. */
	clear_bit(WMF_WAKE_GATE, &m->flags);
	wc = wsched_lock_home(m, &flags);
	if (m->state == WM_RUNNING) {
		next = wsched_dispatch_next(wc, wsched_now());
		if (next)
			wake = get_task_struct(next->task);
		else
			idle = true;
	} else if (m->state == WM_QUEUED) {
		list_del_init(&m->qnode);
		wc->nr_queued--;
	}
	wsched_arrived(wc, m);
	wc->nr_threads--;
	WRITE_ONCE(m->state, WM_GONE);
	raw_spin_unlock_irqrestore(&wc->lock, flags);
	if (wake) {
		wake_up_process(wake);
		put_task_struct(wake);
	}
	if (idle)
		wsched_steal(wc);
	/*
	 * A parked thread sees WM_GONE and returns to user mode. Only it:
	 * others sleep on in the kernel undisturbed. The barrier orders
	 * the state above before the test; pairs with set_current_state()
	 * after setting the flag in gate_park().
	 */
	smp_mb();
	if (m->task != current && test_bit(WMF_PARKING, &m->flags))
		wake_up_process(m->task);

	member_remove(m);
	spin_lock(&grp->lock);
	list_del_init(&m->gnode);
	grp->nr_members--;
	spin_unlock(&grp->lock);
	atomic_dec(&wsched_nr_members);
	atomic64_inc(&grp->left);
	if (restore)
		wsched_restore_affinity(m);
	wsched_member_put(m);
}

/* The cgroup whose cpuset gives @p its CPUs: an id, never reused. */
u64 wsched_cpuset_id(struct task_struct *p)
{
#ifdef CONFIG_CPUSETS
	u64 id;

	rcu_read_lock();
	id = cgroup_id(task_css(p, cpuset_cgrp_id)->cgroup);
	rcu_read_unlock();
	return id;
#else
	return 0;
#endif
}

/*
 * Give a thread that leaves the CPUs it had before wsched pinned it, but
 * never more than its cpuset allows now: set_cpus_allowed_ptr() does not
 * intersect with the cpuset as sched_setaffinity() does, and 6.1 exports
 * no way to read the cpuset's CPUs. What can be known:
 *  - its mask is no longer our pin: someone set it since (the user, or
 *    the cpuset moving or changing, which writes its CPUs into the mask)
 *    and that is the newest choice: keep it; but when the pinned CPU went
 *    offline, the kernel's fallback (the cpuset's CPUs) wrote it: keep
 *    the saved CPUs among those;
 *  - it is our pin but the thread moved to another cpuset since its mask
 *    was saved: that cpuset wrote exactly our pin, so it allows no more:
 *    keep it;
 *  - else the saved mask is still the user's and the cpuset's.
 * Not seen: the CPUs of the same cpuset rewritten to exactly the pinned
 * CPU (Documentation/wsched.rst, Limits).
 */
void wsched_restore_affinity(struct wsched_member *m)
{
	struct task_struct *p = m->task;
	int pinned = READ_ONCE(m->pinned);
	cpumask_var_t mask;
	u64 cpuset;
	bool ours;

	if (pinned < 0 || (p->flags & PF_EXITING))
		return;
	/* A wake-time pull's mask is ours as much as the pin (place.c). */
	ours = cpumask_equal(p->cpus_ptr, cpumask_of(pinned)) ||
	       wsched_pulled(m);
	if (!ours && cpu_active(pinned))
		return;
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return;
	/* A copy: the member may be rewriting it in its gate right now. */
	cpuset = wsched_saved_mask(m, mask);
	if (!ours) {
		if (cpumask_and(mask, mask, p->cpus_ptr))
			set_cpus_allowed_ptr(p, mask);
	} else if (wsched_cpuset_id(p) == cpuset) {
		set_cpus_allowed_ptr(p, mask);
	}
	free_cpumask_var(mask);
}

/*
 * Copy @m's saved affinity and return its saved cpuset's id, both as
 * one (see struct wsched_member for their lock).
 */
u64 wsched_saved_mask(struct wsched_member *m, struct cpumask *dst)
{
	struct wsched_cpu *wc;
	unsigned long flags;
	u64 cpuset;

	wc = wsched_lock_home(m, &flags);
	cpumask_copy(dst, m->saved_mask);
	cpuset = m->saved_cpuset;
	raw_spin_unlock_irqrestore(&wc->lock, flags);
	return cpuset;
}

/*
 * sched_process_fork: a member's new thread or process inherits
 * membership, like a scheduling policy. Runs in the parent with
 * preemption off, so it only allocates atomically and queues the gate;
 * the child pins itself to its home CPU when it first gets the token.
 */
void wsched_fork(struct task_struct *parent, struct task_struct *child)
{
	struct wsched_member *pm, *m;
	struct wsched_group *grp;

	pm = wsched_member_find(parent);
	if (!pm || !wsched_group_live(pm->grp) ||
	    test_bit(WMF_DETACHED, &pm->flags))
		return;
	grp = pm->grp;
	m = member_alloc(grp, child, GFP_ATOMIC | __GFP_NOWARN);
	if (!m)
		goto fail;
	cpumask_copy(m->saved_mask, pm->saved_mask);
	m->saved_cpuset = pm->saved_cpuset;
	if (member_attach(m)) {
		free_cpumask_var(m->saved_mask);
		kfree(m);
		goto fail;
	}
	wsched_gate_request(m);
	return;
fail:
	pr_info_ratelimited("wsched: group %u: child %d of %d not managed (no memory or group full)\n",
			    grp->id, task_pid_nr(child), task_pid_nr(parent));
}
