// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug: a group CPU going offline hands its threads to the
 * group's other online CPUs (the group is released if none is left);
 * coming back online makes it eligible again. Runs in the hotplug
 * thread, in process context, with the hotplug lock held.
 */
#include <linux/cpuhotplug.h>
#include <linux/sched/task.h>

#include "internal.h"

static enum cpuhp_state wsched_hp_state;

/* @wc's holder, else its first waiter, with a reference; NULL when empty. */
static struct wsched_member *first_member(struct wsched_cpu *wc)
{
	struct wsched_member *m;
	unsigned long flags;

	raw_spin_lock_irqsave(&wc->lock, flags);
	m = wc->holder;
	if (!m)
		m = list_first_entry_or_null(&wc->queue, struct wsched_member,
					     qnode);
	if (m)
		refcount_inc(&m->ref);
	raw_spin_unlock_irqrestore(&wc->lock, flags);
	return m;
}

/*
 * Take @m off @wc's token or queue, unless it blocked, left or moved
 * since it was picked; *@wake gets the next holder, if any. Under
 * wc->lock.
 */
static bool take_off(struct wsched_cpu *wc, struct wsched_member *m, u64 now,
		     struct task_struct **wake)
{
	struct wsched_member *next;

	lockdep_assert_held(&wc->lock);
	if (READ_ONCE(m->cpu) != wc->cpu ||
	    (m->state != WM_RUNNING && m->state != WM_QUEUED))
		return false;
	if (m->state == WM_RUNNING) {
		next = wsched_dispatch_next(wc, now);
		if (next)
			*wake = get_task_struct(next->task);
	} else {
		list_del_init(&m->qnode);
		wc->nr_queued--;
		m->queued_at = 0;
	}
	WRITE_ONCE(m->state, WM_BLOCKED);
	return true;
}

/*
 * Move one member (holder first, then waiters) off @wc to a CPU of its
 * own mask that stays online; false when @wc is empty. One with none
 * left is only taken off the token or queue: its home stays here, and
 * its gate, finding the home offline and no other, lets it leave.
 */
static bool move_one(struct wsched_cpu *wc, struct cpumask *allowed)
{
	struct wsched_group *grp = wc->grp;
	struct task_struct *wake = NULL;
	struct wsched_member *m;
	struct wsched_cpu *to;
	unsigned long flags;
	u64 now;
	int idx;

	m = first_member(wc);
	if (!m)
		return false;
	/* Never this CPU: it is marked offline and no longer active. */
	wsched_saved_mask(m, allowed);
	idx = wsched_place(grp, allowed);
	if (idx >= 0) {
		to = &grp->cpus[idx];
		wsched_lock_two(wc, to, &flags);
		now = wsched_now();
		/* Its mask may have changed since the copy: then the next round. */
		if (cpumask_test_cpu(to->cpu, m->saved_mask) &&
		    take_off(wc, m, now, &wake)) {
			wc->nr_threads--;
			to->nr_threads++;
			WRITE_ONCE(m->cpu, to->cpu);
			m->st.migrations++;
			if (!to->holder)
				wsched_make_holder(to, m, now);
			else
				wsched_enqueue(to, m, now);
		}
		wsched_unlock_two(wc, to, flags);
	} else {
		raw_spin_lock_irqsave(&wc->lock, flags);
		take_off(wc, m, wsched_now(), &wake);
		raw_spin_unlock_irqrestore(&wc->lock, flags);
	}
	if (wake) {
		wake_up_process(wake);
		put_task_struct(wake);
	}
	/* It re-pins itself (or leaves) at its gate; wake it if parked. */
	wake_up_process(m->task);
	wsched_gate_request(m);
	wsched_member_put(m);
	return true;
}

static int wsched_cpu_offline(unsigned int cpu)
{
	struct wsched_group *grp = wsched_group_get_cpu(cpu);
	struct wsched_cpu *wc;
	cpumask_var_t allowed;
	unsigned int guard;

	if (!grp)
		return 0;
	wc = wsched_group_cpu(grp, cpu);
	WRITE_ONCE(wc->offline, true);
	if (!zalloc_cpumask_var(&allowed, GFP_KERNEL)) {
		wsched_group_release(grp, "no memory to move its threads off an offline CPU");
	} else if (cpumask_weight_and(grp->mask, cpu_online_mask) <= 1) {
		wsched_group_release(grp, "its last online CPU went offline");
	} else {
		/*
		 * Bounded: the CPU is marked offline, so a steal or move
		 * that checks under its lock no longer puts members here; a
		 * join or fork that raced the mark, and members blocked in
		 * the kernel (not moved here), find an online home at their
		 * gate.
		 */
		for (guard = 0; guard < WSCHED_MAX_THREADS && move_one(wc, allowed);
		     guard++)
			;
	}
	free_cpumask_var(allowed);
	hrtimer_cancel(&wc->timer);
	raw_spin_lock_irq(&wc->lock);
	wc->timer_armed = false;
	raw_spin_unlock_irq(&wc->lock);
	wsched_group_put(grp);
	return 0;
}

static int wsched_cpu_online(unsigned int cpu)
{
	struct wsched_group *grp = wsched_group_get_cpu(cpu);

	if (!grp)
		return 0;
	WRITE_ONCE(wsched_group_cpu(grp, cpu)->offline, false);
	wsched_group_put(grp);
	return 0;
}

int wsched_hotplug_init(void)
{
	int ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "wsched:online",
					    wsched_cpu_online,
					    wsched_cpu_offline);

	if (ret < 0)
		return ret;
	wsched_hp_state = ret;
	return 0;
}

void wsched_hotplug_exit(void)
{
	cpuhp_remove_state_nocalls(wsched_hp_state);
}
