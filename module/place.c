// SPDX-License-Identifier: GPL-2.0
/*
 * Wake-time placement: a member that wakes while its home CPU's token is
 * held, with another group CPU it may use idle (no holder, none queued),
 * runs on that idle CPU, which becomes its home. A member whose home is
 * idle stays home (its cache is there).
 *
 * The sched_waking probe decides, under the woken task's pi_lock and
 * before the kernel picks a run queue: it moves the home, hands the idle
 * CPU's token to the member at once (so no other wake-up or steal takes
 * that CPU meanwhile) and points the task's one allowed CPU there, so
 * that the kernel's own wake-up queues it on the idle CPU (redirect()).
 * A member woken when no CPU was idle goes on its home's arriving list
 * while it waits in the kernel's run queue for its gate; a group CPU
 * that goes idle before then takes it (wsched_take_arriving()) and a
 * kworker there pulls it over with set_cpus_allowed_ptr(), which moves
 * a task waiting in a run queue without waiting for it to run.
 *
 * Documentation/wsched.rst (Wake-time placement) says why not the other
 * ways: a kworker for every wake-up placement cost more than it saved in
 * the rig, and widening the member's affinity before it sleeps needs a
 * hook at the start of every blocking system call.
 */
#include <linux/moduleparam.h>
#include <linux/sched/task.h>
#include <linux/workqueue.h>

#include "internal.h"

/*
 * Off by default: in the rig it did not shorten the wake-up tail it was
 * built for (Documentation/bench.rst); on, for hardware and for A/Bs.
 */
static bool wake_place;
module_param(wake_place, bool, 0644);
MODULE_PARM_DESC(wake_place,
		 "run a woken member on an idle group CPU when its home is busy (default off)");

/*
 * The idle group CPU nearest to @home (enum wsched_dist) that @m may use,
 * or NULL. Unlocked reads: the caller checks again under the locks.
 */
static struct wsched_cpu *idle_near(struct wsched_member *m,
				    struct wsched_cpu *home)
{
	struct wsched_group *grp = m->grp;
	struct wsched_cpu *best = NULL;
	unsigned int i, n = grp->nr_cpus, d, best_d = ~0u;

	for (i = 1; i < n; i++) {
		struct wsched_cpu *wc = &grp->cpus[(home->idx + i) % n];

		if (READ_ONCE(wc->holder) || READ_ONCE(wc->nr_queued) ||
		    READ_ONCE(wc->offline) || !cpu_active(wc->cpu) ||
		    !cpumask_test_cpu(wc->cpu, m->saved_mask))
			continue;
		d = grp->dist[home->idx * n + wc->idx];
		if (d < best_d) {
			best = wc;
			best_d = d;
		}
	}
	return best;
}

/* Queue @m (a reference taken) for @to's kworker. Caller holds to->lock. */
static void pull_later(struct wsched_cpu *to, struct wsched_member *m)
{
	lockdep_assert_held(&to->lock);
	if (!test_and_set_bit(WMF_ON_PULL, &m->flags)) {
		refcount_inc(&m->ref);
		llist_add(&m->pull_node, &to->pull);
	}
}

/* @m reached its gate, moved or left: off @wc's arriving list. */
void wsched_arrived(struct wsched_cpu *wc, struct wsched_member *m)
{
	lockdep_assert_held(&wc->lock);
	if (list_empty(&m->anode))
		return;
	list_del_init(&m->anode);
	wc->nr_arriving--;
}

/*
 * Move @m's home from @from to idle @to and give it @to's token; true if
 * it did. Both locks held; @m is asleep (blocked, promised a gate).
 */
static bool take_idle(struct wsched_member *m, struct wsched_cpu *from,
		      struct wsched_cpu *to)
{
	u64 now;

	if (READ_ONCE(m->cpu) != from->cpu || m->state != WM_BLOCKED ||
	    !from->holder || to->holder || to->nr_queued || to->offline ||
	    !cpumask_test_cpu(to->cpu, m->saved_mask))
		return false;
	now = wsched_now();
	/* Woken before and blocked again on its way to the gate. */
	wsched_arrived(from, m);
	from->nr_threads--;
	to->nr_threads++;
	WRITE_ONCE(m->cpu, to->cpu);
	m->st.migrations++;
	wsched_make_holder(to, m, now);
	to->wake_moves++;
	return true;
}

/*
 * No CPU was idle at @m's wake-up: it waits in @home's run queue behind
 * the holder. A group CPU that goes idle before it reaches its gate may
 * take it from there (wsched_take_arriving()).
 */
static void arrive(struct wsched_member *m, struct wsched_cpu *home)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&home->lock, flags);
	if (READ_ONCE(m->cpu) == home->cpu && m->state == WM_BLOCKED &&
	    home->holder && list_empty(&m->anode)) {
		list_add_tail(&m->anode, &home->arriving);
		home->nr_arriving++;
	}
	raw_spin_unlock_irqrestore(&home->lock, flags);
}

/*
 * Can @m's wake-up go elsewhere than @home? Under the pi_lock: asleep,
 * off every run queue (a task still queued, or EEVDF's delayed dequeue,
 * is woken where it is), with the pin wsched gave it as its only CPU.
 */
static bool can_redirect(struct wsched_member *m, struct wsched_cpu *home)
{
	struct task_struct *p = m->task;

	lockdep_assert_held(&p->pi_lock);
	return !READ_ONCE(p->on_rq) && p->cpus_ptr == &p->cpus_mask &&
	       !p->migration_disabled && READ_ONCE(m->pinned) == home->cpu &&
	       cpumask_equal(&p->cpus_mask, cpumask_of(home->cpu));
}

/*
 * Make @cpu the only CPU of @m's task, which the wake-up in progress
 * then picks (for a task allowed one CPU, the kernel's placement is that
 * CPU). This is what set_cpus_allowed_common() writes; the kernel does
 * it under the pi_lock and the task's rq lock, and we hold only the
 * first. Enough here: the task is off every run queue (can_redirect()),
 * so no path that holds only an rq lock reads its mask (balancing and
 * push/pull look at queued tasks), and every other reader (the wake-up
 * itself, sched_getaffinity(), set_cpus_allowed_ptr()) takes the
 * pi_lock. pull_cpu first: the gate and a leave must take the mask for
 * wsched's (wsched_pulled()); pairs with the smp_rmb() there.
 */
static void redirect(struct wsched_member *m, int cpu)
{
	struct task_struct *p = m->task;

	WRITE_ONCE(m->pull_cpu, cpu);
	/* pull_cpu before the mask: pairs with wsched_pulled()'s smp_rmb(). */
	smp_wmb();
	cpumask_copy(&p->cpus_mask, cpumask_of(cpu));
}

/*
 * sched_waking, under @m's task's pi_lock, before the kernel picks its
 * run queue; any context. @m was promised a gate at this wake-up.
 */
void wsched_wake_place(struct wsched_member *m)
{
	struct task_struct *p = m->task;
	struct wsched_cpu *home, *to;
	unsigned long flags;
	bool moved;

	if (!READ_ONCE(wake_place) || p == current ||
	    test_bit(WMF_PARKING, &m->flags) ||
	    test_bit(WMF_DETACHED, &m->flags) || !wsched_group_live(m->grp))
		return;
	home = wsched_group_cpu(m->grp, READ_ONCE(m->cpu));
	/* Home idle: stay. Busy: is some other CPU idle? */
	if (!READ_ONCE(home->holder))
		return;
	to = can_redirect(m, home) ? idle_near(m, home) : NULL;
	if (!to) {
		arrive(m, home);
		return;
	}
	wsched_lock_two(home, to, &flags);
	moved = take_idle(m, home, to);
	wsched_unlock_two(home, to, flags);
	/* Unlocked (no affinity change under a wsched_cpu lock): the pi_lock suffices. */
	if (moved)
		redirect(m, to->cpu);
	else
		arrive(m, home);
}

/*
 * Take the first member of @v's arriving list that may run on @wc and
 * waits in a run queue now: not running (its gate would run first), not
 * asleep again. Both locks held; @wc is idle.
 */
static struct wsched_member *pick_arriving(struct wsched_cpu *wc,
					   struct wsched_cpu *v)
{
	struct wsched_member *m;

	list_for_each_entry(m, &v->arriving, anode) {
		struct task_struct *p = m->task;

		if (m->state != WM_BLOCKED || READ_ONCE(m->cpu) != v->cpu ||
		    !cpumask_test_cpu(wc->cpu, m->saved_mask) ||
		    READ_ONCE(p->on_cpu) || wsched_task_blocked(p))
			continue;
		return m;
	}
	return NULL;
}

/*
 * @wc went idle with nothing queued anywhere in the group: take a member
 * woken behind a busy holder, still in that CPU's run queue, and pull it
 * over. True if it did. Caller holds no lock (the pull may wake).
 */
bool wsched_take_arriving(struct wsched_cpu *wc)
{
	struct wsched_group *grp = wc->grp;
	struct wsched_member *m = NULL;
	unsigned int i, n = grp->nr_cpus;
	unsigned long flags, irq;

	if (!READ_ONCE(wake_place))
		return false;
	/*
	 * Interrupts off from the look at the group to the queueing of the
	 * work: wsched_group_destroy() flushes the work a grace period after
	 * marking the group dead, so it either sees this work or we see the
	 * mark (as arm_timer()).
	 */
	local_irq_save(irq);
	for (i = 1; i < n && !m && wsched_group_live(grp); i++) {
		struct wsched_cpu *v = &grp->cpus[(wc->idx + i) % n];
		u64 now;

		if (!READ_ONCE(v->nr_arriving))
			continue;
		wsched_lock_two(wc, v, &flags);
		if (wc->holder || wc->nr_queued || wc->offline) {
			wsched_unlock_two(wc, v, flags);
			break;
		}
		m = pick_arriving(wc, v);
		if (m) {
			now = wsched_now();
			wsched_arrived(v, m);
			v->nr_threads--;
			wc->nr_threads++;
			WRITE_ONCE(m->cpu, wc->cpu);
			m->st.migrations++;
			wsched_make_holder(wc, m, now);
			/*
			 * It may have run and blocked since the look: then
			 * the switch probe saw it blocked, not holding, and
			 * handed nothing back. Its gate, promised at the
			 * wake-up, takes it from here. (A block after this
			 * point is a holder's, handed off as usual.)
			 */
			smp_mb();
			if (wsched_task_blocked(m->task)) {
				WRITE_ONCE(m->state, WM_BLOCKED);
				wc->holder = NULL;
				wc->idle_since = now;
				m = NULL;
			} else {
				wc->wake_moves++;
				pull_later(wc, m);
			}
		}
		wsched_unlock_two(wc, v, flags);
	}
	/* Unlocked: queueing may wake the kworker. */
	if (m)
		queue_work_on(wc->cpu, system_highpri_wq, &wc->pull_work);
	local_irq_restore(irq);
	return m;
}

/*
 * Move @m's task onto @wc's CPU, its new home, unless its gate did or it
 * moved on meanwhile. A detach racing with us is handled as in
 * pin_home(): the mask first, then the test, so that either the detach's
 * restore sees our mask or we see the detach and restore ourselves.
 */
static void pull_one(struct wsched_cpu *wc, struct wsched_member *m)
{
	if (!wsched_group_live(wc->grp) || test_bit(WMF_DETACHED, &m->flags))
		return;
	WRITE_ONCE(m->pull_cpu, wc->cpu);
	/* Order pull_cpu before the state reads and the mask write. */
	smp_mb();
	if (READ_ONCE(m->cpu) != wc->cpu || READ_ONCE(m->state) != WM_RUNNING ||
	    READ_ONCE(m->pinned) == wc->cpu)
		return;
	if (set_cpus_allowed_ptr(m->task, cpumask_of(wc->cpu)))
		return;
	/* Pairs with the detach's test_and_set_bit(). */
	smp_mb();
	if (test_bit(WMF_DETACHED, &m->flags))
		wsched_restore_affinity(m);
}

/* The kworker bound to @wc's CPU. */
void wsched_pull_work(struct work_struct *w)
{
	struct wsched_cpu *wc = container_of(w, struct wsched_cpu, pull_work);
	struct wsched_member *m, *n;

	llist_for_each_entry_safe(m, n, llist_del_all(&wc->pull), pull_node) {
		clear_bit(WMF_ON_PULL, &m->flags);
		pull_one(wc, m);
		wsched_member_put(m);
	}
}

/* Group teardown, after the probes are gone: no pull is queued again. */
void wsched_pull_sync(struct wsched_cpu *wc)
{
	flush_work(&wc->pull_work);
	/* A member queued but never pulled (no work ran): drop it. */
	wsched_pull_work(&wc->pull_work);
}
