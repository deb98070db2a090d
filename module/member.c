// SPDX-License-Identifier: GPL-2.0
/*
 * Member threads: the task -> member table, joining (by itself, by tid,
 * or inherited at fork), placement, and detaching (leave, exit, group
 * teardown). Lookups are lockless under RCU because the sched_switch,
 * fork and exit probes run for every task in the system.
 */
#include <linux/rhashtable.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "internal.h"

static struct rhashtable wsched_members;

static const struct rhashtable_params member_params = {
	.key_len	= sizeof(struct task_struct *),
	.key_offset	= offsetof(struct wsched_member, task),
	.head_offset	= offsetof(struct wsched_member, node),
	.automatic_shrinking = true,
};

int wsched_members_init(void)
{
	return rhashtable_init(&wsched_members, &member_params);
}

void wsched_members_exit(void)
{
	rhashtable_destroy(&wsched_members);
}

/* Caller is in an RCU read-side section (any atomic context counts). */
struct wsched_member *wsched_member_find(struct task_struct *p)
{
	if (!atomic_read(&wsched_nr_members))
		return NULL;
	return rhashtable_lookup_fast(&wsched_members, &p, member_params);
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
	m->state = WM_BLOCKED;
	INIT_LIST_HEAD(&m->qnode);
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
		ret = rhashtable_lookup_insert_fast(&wsched_members, &m->node,
						    member_params);
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
		wsched_gate_kick(m);
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
	wc->nr_threads--;
	WRITE_ONCE(m->state, WM_GONE);
	raw_spin_unlock_irqrestore(&wc->lock, flags);
	if (wake) {
		wake_up_process(wake);
		put_task_struct(wake);
	}
	if (idle)
		wsched_steal(wc);
	/* A parked thread sees WM_GONE and returns to user mode. */
	if (m->task != current)
		wake_up_process(m->task);

	rhashtable_remove_fast(&wsched_members, &m->node, member_params);
	spin_lock(&grp->lock);
	list_del_init(&m->gnode);
	grp->nr_members--;
	spin_unlock(&grp->lock);
	atomic_dec(&wsched_nr_members);
	atomic64_inc(&grp->left);
	if (restore && !(m->task->flags & PF_EXITING))
		set_cpus_allowed_ptr(m->task, m->saved_mask);
	wsched_member_put(m);
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
	if (member_attach(m)) {
		free_cpumask_var(m->saved_mask);
		kfree(m);
		goto fail;
	}
	wsched_gate_kick(m);
	return;
fail:
	pr_info_ratelimited("wsched: group %u: child %d of %d not managed (no memory or group full)\n",
			    grp->id, task_pid_nr(child), task_pid_nr(parent));
}
