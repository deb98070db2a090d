// SPDX-License-Identifier: GPL-2.0
/*
 * The gate: which member may run user code on each group CPU. A member
 * passes the gate in its own process context (a TWA_RESUME task_work on
 * its way back to user mode), so everything that may sleep - parking,
 * changing its own affinity - happens there. The slice timer and the
 * hand-off irq_work only change state and queue that task_work.
 */
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/task_work.h>

#include <asm/irq_regs.h>
#include <asm/ptrace.h>

#include "internal.h"

/*
 * Lock @m's home CPU and return it. A member always has a home; a steal
 * or balance move may change it until its lock is held, hence the retry.
 */
struct wsched_cpu *wsched_lock_home(struct wsched_member *m,
				    unsigned long *flags)
	__acquires(wc->lock)
{
	struct wsched_cpu *wc;
	int cpu;

	for (;;) {
		cpu = READ_ONCE(m->cpu);
		wc = wsched_group_cpu(m->grp, cpu);
		raw_spin_lock_irqsave(&wc->lock, *flags);
		if (likely(READ_ONCE(m->cpu) == cpu))
			return wc;
		raw_spin_unlock_irqrestore(&wc->lock, *flags);
	}
}

static void account_busy(struct wsched_cpu *wc, u64 now)
{
	if (wc->idle_since) {
		wc->st.idle_ns += now - wc->idle_since;
		wc->idle_since = 0;
	}
}

/* Make @m the holder of @wc. Caller holds wc->lock; @m is not queued. */
void wsched_make_holder(struct wsched_cpu *wc, struct wsched_member *m,
			u64 now)
{
	lockdep_assert_held(&wc->lock);
	account_busy(wc, now);
	if (m->queued_at) {
		m->st.gated_ns += now - m->queued_at;
		wsched_hist_add(m->st.wait_hist, now - m->queued_at);
		m->queued_at = 0;
	}
	m->dispatched_at = now;
	m->preempt = false;
	wc->turn_cap = 0;
	m->st.dispatches++;
	wc->st.dispatches++;
	wc->holder = m;
	WRITE_ONCE(m->state, WM_RUNNING);
}

/* Pop the head of @wc's queue and make it the holder, or mark @wc idle. */
struct wsched_member *wsched_dispatch_next(struct wsched_cpu *wc, u64 now)
{
	struct wsched_member *next;

	lockdep_assert_held(&wc->lock);
	next = list_first_entry_or_null(&wc->queue, struct wsched_member,
					qnode);
	if (!next) {
		wc->holder = NULL;
		wc->idle_since = now;
		return NULL;
	}
	list_del_init(&next->qnode);
	wc->nr_queued--;
	wsched_make_holder(wc, next, now);
	return next;
}

void wsched_enqueue(struct wsched_cpu *wc, struct wsched_member *m, u64 now)
{
	lockdep_assert_held(&wc->lock);
	list_add_tail(&m->qnode, &wc->queue);
	wc->nr_queued++;
	m->queued_at = now;
	WRITE_ONCE(m->state, WM_QUEUED);
}

/*
 * A sleeper queued on @wc without preempting its holder is at most a
 * quarter slice behind it (policy.h); it would be that far behind once
 * the holder has run @left more. End the holder's turn then rather than
 * at its end, a whole slice away: with long slices a sleeper level with a
 * hog (a node's daemon beside a spinner it forked) would otherwise wait
 * out that slice. The timer is pinned: it is moved only from its CPU
 * (the sleeper's gate runs there once pinned), and never later.
 */
static void cap_turn(struct wsched_cpu *wc, u64 now, u64 left)
{
	u64 at = now + max(left, wc->grp->slice_ns / 100);

	lockdep_assert_held(&wc->lock);
	if (wc->turn_cap && wc->turn_cap <= at)
		return;
	wc->turn_cap = at;
	if (wc->timer_armed && smp_processor_id() == wc->cpu &&
	    ktime_after(hrtimer_get_expires(&wc->timer), ns_to_ktime(at)))
		hrtimer_start(&wc->timer, ns_to_ktime(at),
			      HRTIMER_MODE_ABS_PINNED_HARD);
}

/*
 * Queue @m, which slept or is new, on @wc, which has a holder: before the
 * first waiter it is well behind in virtual run time (policy.h), so a
 * sleeper does not wait out the turns of the hogs of its CPU. Returns the
 * holder, with a reference, when @m should preempt it too; else, if @m
 * is next, the holder's turn ends no later than when @m would be that far
 * behind.
 */
static struct wsched_member *wake_enqueue(struct wsched_cpu *wc,
					  struct wsched_member *m, u64 now)
{
	struct wsched_member *h = wc->holder, *x;
	u64 slice = wc->grp->slice_ns, hv = wsched_vrt(h), vrt;
	struct list_head *pos = &wc->queue;
	unsigned int walk = 0;

	lockdep_assert_held(&wc->lock);
	vrt = wsched_wake_vrt(wsched_vrt(m), hv, slice);
	m->vadj += vrt - wsched_vrt(m);
	/* Bounded: a long queue costs a sleeper its place, not the lock. */
	list_for_each_entry(x, &wc->queue, qnode) {
		if (++walk > 32)
			break;
		if (wsched_wake_before(vrt, wsched_vrt(x), slice)) {
			pos = &x->qnode;
			break;
		}
	}
	list_add_tail(&m->qnode, pos);
	wc->nr_queued++;
	m->queued_at = now;
	WRITE_ONCE(m->state, WM_QUEUED);
	if (h->preempt)
		return NULL;
	if (!wsched_wake_before(vrt, hv, slice)) {
		/* Next to run (vrt + slice / 4 >= hv here): bound its wait. */
		if (wc->queue.next == &m->qnode)
			cap_turn(wc, now, vrt + slice / 4 - hv);
		return NULL;
	}
	h->preempt = true;
	refcount_inc(&h->ref);
	return h;
}

/* Wake @wc's holder if it is parked; a running holder is not disturbed. */
void wsched_wake_holder(struct wsched_cpu *wc)
{
	struct task_struct *p = NULL;
	unsigned long flags;

	raw_spin_lock_irqsave(&wc->lock, flags);
	if (wc->holder)
		p = get_task_struct(wc->holder->task);
	raw_spin_unlock_irqrestore(&wc->lock, flags);
	if (p) {
		wake_up_process(p);
		put_task_struct(p);
	}
}

/*
 * Queue the gate on @m's way to user mode. One callback_head per member,
 * queued at most once (there is no task_work_cancel to take it back); it
 * holds a member and a module reference until it has run.
 */
void wsched_gate_kick(struct wsched_member *m)
{
	if (test_and_set_bit(WMF_GATE_QUEUED, &m->flags))
		return;
	/*
	 * The slice timer and the balance kick a holder they saw under a
	 * lock they have since dropped: it may have left and been put in
	 * between (its memory lives to the RCU grace period). No gate then.
	 */
	if (!refcount_inc_not_zero(&m->ref)) {
		clear_bit(WMF_GATE_QUEUED, &m->flags);
		return;
	}
	__module_get(THIS_MODULE);
	atomic_inc(&wsched_nr_pending);
	if (task_work_add(m->task, &m->gate_cb, TWA_RESUME)) {
		/* The task is past exit_task_work(): nothing to gate. */
		clear_bit(WMF_GATE_QUEUED, &m->flags);
		atomic_dec(&wsched_nr_pending);
		wsched_member_put(m);
		module_put(THIS_MODULE);
	}
}

/*
 * Is @p asleep in the kernel, so that only a wake-up (and so the
 * sched_waking probe) can make it run again? Caller holds @p->pi_lock,
 * which every wake-up of a sleeping task takes around that probe. A new
 * task starts without a wake-up; a waking or running one has had it.
 */
bool wsched_task_asleep(struct task_struct *p)
{
	unsigned int state = READ_ONCE(p->__state);

	lockdep_assert_held(&p->pi_lock);
	if (state == TASK_RUNNING || state == TASK_WAKING || (state & TASK_NEW))
		return false;
	return wsched_task_blocked(p);
}

/* @m woke, or is awake: queue the gate it was promised (once). */
void wsched_gate_woken(struct wsched_member *m)
{
	if (test_and_clear_bit(WMF_WAKE_GATE, &m->flags))
		wsched_gate_kick(m);
}

/*
 * Queue the promised gate now unless @m's thread is asleep, in which
 * case its wake-up does it. Under the pi_lock that the wake-up holds
 * around the probe: the probe either sees the promise or ran before,
 * and then the thread is no longer asleep here.
 */
static void gate_settle(struct wsched_member *m)
{
	struct task_struct *p = m->task;
	unsigned long flags;

	raw_spin_lock_irqsave(&p->pi_lock, flags);
	if (!wsched_task_asleep(p))
		wsched_gate_woken(m);
	raw_spin_unlock_irqrestore(&p->pi_lock, flags);
}

/*
 * Ask for @m's gate before it next runs user code. A thread asleep in
 * the kernel (in read(), a futex, stopped) gets it when it wakes: so a
 * sleeper holds no callback into the module, and the module can be
 * unloaded once its groups are gone however long former members sleep.
 * Caller holds no wsched_cpu lock (the pi_lock nests outside them).
 */
void wsched_gate_request(struct wsched_member *m)
{
	set_bit(WMF_WAKE_GATE, &m->flags);
	gate_settle(m);
}

/*
 * Sleep until handed the token. The token can arrive between the last
 * look at the state and the switch away: that switch is not the holder
 * blocking (probe_switch() must not hand the token on) since the one who
 * dispatched us wakes us.
 */
static void gate_park(struct wsched_member *m)
{
	set_bit(WMF_PARKING, &m->flags);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (READ_ONCE(m->state) != WM_QUEUED ||
		    !wsched_group_live(m->grp) || signal_pending(current))
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	clear_bit(WMF_PARKING, &m->flags);
}

static void arm_timer(struct wsched_cpu *wc)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&wc->lock, flags);
	/*
	 * Pinned timers run where they were started: only start it there.
	 * Never for a group that is going: wsched_group_destroy() cancels
	 * the timers once, a grace period after marking it dead, and this
	 * section (interrupts off) either ends before that grace period or
	 * sees the mark. A timer armed later would outlive the group.
	 */
	if (!wc->timer_armed && smp_processor_id() == wc->cpu &&
	    wsched_group_live(wc->grp)) {
		wc->timer_armed = true;
		hrtimer_start(&wc->timer, ns_to_ktime(wc->grp->slice_ns),
			      HRTIMER_MODE_REL_PINNED_HARD);
	}
	raw_spin_unlock_irqrestore(&wc->lock, flags);
}

/*
 * Someone waits on a busy CPU: let an idle group CPU take the work. An
 * idle CPU has no timer of its own to retry with, so a steal that came
 * to nothing (another kick took that CPU first) moves on to the next.
 */
static void kick_idle(struct wsched_group *grp)
{
	unsigned int i;

	if (grp->steal == WSCHED_STEAL_NONE)
		return;
	for (i = 0; i < grp->nr_cpus; i++) {
		struct wsched_cpu *wc = &grp->cpus[i];

		if (!READ_ONCE(wc->holder) && !READ_ONCE(wc->nr_queued) &&
		    wsched_steal(wc))
			return;
	}
}

/*
 * Move @m's home from @wc to @to: off @wc's token or queue, blocked until
 * its gate runs again. Nothing happens when another move came first, @m
 * left, or @to went offline meanwhile: the caller's gate loop looks again.
 */
static void rehome(struct wsched_member *m, struct wsched_cpu *wc,
		   struct wsched_cpu *to)
{
	struct task_struct *next = NULL;
	unsigned long flags;
	bool idle = false;

	if (wc == to)
		return;
	wsched_lock_two(wc, to, &flags);
	if (READ_ONCE(m->cpu) == wc->cpu && m->state != WM_GONE &&
	    !to->offline) {
		wsched_arrived(wc, m);
		if (m->state == WM_RUNNING) {
			struct wsched_member *n = wsched_dispatch_next(wc, wsched_now());

			if (n)
				next = get_task_struct(n->task);
			idle = !n;
		} else if (m->state == WM_QUEUED) {
			list_del_init(&m->qnode);
			wc->nr_queued--;
			m->queued_at = 0;
		}
		WRITE_ONCE(m->state, WM_BLOCKED);
		wc->nr_threads--;
		to->nr_threads++;
		WRITE_ONCE(m->cpu, to->cpu);
		m->st.migrations++;
	}
	wsched_unlock_two(wc, to, flags);
	if (next) {
		wake_up_process(next);
		put_task_struct(next);
	}
	if (idle)
		wsched_steal(wc);
}

/*
 * The user moved the thread with sched_setaffinity(): keep their choice.
 * Its home moves to a group CPU they allowed; with none left in the
 * group, the thread leaves. Returns false when it left.
 */
static bool follow_user_affinity(struct wsched_member *m)
{
	struct wsched_group *grp = m->grp;
	u64 cpuset = wsched_cpuset_id(current);
	struct wsched_cpu *wc;
	unsigned long flags;
	int idx;

	/* Under the home lock: the steal, balance and hotplug paths read it. */
	wc = wsched_lock_home(m, &flags);
	cpumask_copy(m->saved_mask, current->cpus_ptr);
	m->saved_cpuset = cpuset;
	raw_spin_unlock_irqrestore(&wc->lock, flags);
	WRITE_ONCE(m->pinned, -1);
	if (!cpumask_intersects(m->saved_mask, grp->mask)) {
		wsched_member_detach(m, false);
		return false;
	}
	idx = wsched_place(grp, m->saved_mask);
	if (idx < 0)
		return true;
	wc = wsched_group_cpu(grp, READ_ONCE(m->cpu));
	if (!cpumask_test_cpu(wc->cpu, m->saved_mask))
		rehome(m, wc, &grp->cpus[idx]);
	return true;
}

/*
 * @m's home CPU @wc went offline after hotplug moved its holder and
 * queue away (@m was blocked in the kernel then, or a steal, join or
 * move raced with the hotplug): find it an online one. Returns false
 * when it left the group because none of its allowed CPUs is online.
 */
static bool leave_offline(struct wsched_member *m, struct wsched_cpu *wc)
{
	int idx = wsched_place(m->grp, m->saved_mask);

	if (idx < 0) {
		wsched_member_detach(m, true);
		return false;
	}
	rehome(m, wc, &m->grp->cpus[idx]);
	return true;
}

/*
 * Move the current thread, member @m, onto its home @cpu. The move
 * blocks it on the old CPU for a moment; that is not a block that gives
 * up the token (see probe_switch()). A detach from another thread (a
 * LEAVE by tid, the group's close or release) may restore the user's
 * CPUs just before the pin: then the pin is undone. The detach sets its
 * flag before it restores, and the restore and the pin serialise on this
 * task's locks, so one of the two sees the other. Returns
 * set_cpus_allowed_ptr()'s answer, or -ENODEV when @m was detached.
 */
static int pin_home(struct wsched_member *m, int cpu)
{
	int ret;

	if (m->pinned == cpu)
		return 0;
	set_bit(WMF_MIGRATING, &m->flags);
	ret = set_cpus_allowed_ptr(current, cpumask_of(cpu));
	/* Pin, then test; pairs with the detach's test_and_set_bit(). */
	smp_mb();
	if (!ret) {
		WRITE_ONCE(m->pinned, cpu);
		/*
		 * A pull to this CPU is the pin now: forget it, so a user
		 * who later names exactly that CPU is seen (place.c).
		 */
		if (READ_ONCE(m->pull_cpu) == cpu)
			WRITE_ONCE(m->pull_cpu, -1);
	}
	if (test_bit(WMF_DETACHED, &m->flags)) {
		wsched_restore_affinity(m);
		ret = -ENODEV;
	}
	clear_bit(WMF_MIGRATING, &m->flags);
	return ret;
}

/*
 * Pass the gate: return holding the home CPU's token, or without it when
 * the group is gone, the thread is exiting, or a signal must be handled
 * first (the slice timer catches such a thread in user mode and gates it
 * again).
 */
void wsched_gate_run(struct wsched_member *m)
{
	struct wsched_member *preempt = NULL;
	struct wsched_group *grp = m->grp;
	struct task_struct *wake;
	struct wsched_cpu *wc;
	unsigned long flags;
	bool enqueued, parked = false;
	u64 now;

	for (;;) {
		if (current->flags & PF_EXITING) {
			/* Run by exit_task_work(): the exit probe may have missed it. */
			wsched_member_detach(m, false);
			return;
		}
		if (!wsched_group_live(grp) || test_bit(WMF_DETACHED, &m->flags))
			return;
		wc = wsched_group_cpu(grp, READ_ONCE(m->cpu));
		if (unlikely(READ_ONCE(wc->offline))) {
			if (!leave_offline(m, wc))
				return;
			continue;
		}
		if (wsched_affinity_changed(m)) {
			/*
			 * Moved off its pinned CPU as that went offline: the
			 * kernel's fallback mask, not the user's choice. The
			 * pin below replaces it; the user's mask stays saved.
			 */
			if (!cpu_active(READ_ONCE(m->pinned)))
				WRITE_ONCE(m->pinned, -1);
			else if (!follow_user_affinity(m))
				return;
		}
		wc = wsched_lock_home(m, &flags);
		/* Here: no idle CPU may take it from a run queue any more. */
		wsched_arrived(wc, m);
		if (unlikely(wc->offline)) {
			/* It went offline since the look above: again. */
			raw_spin_unlock_irqrestore(&wc->lock, flags);
			continue;
		}
		now = wsched_now();
		wake = NULL;
		enqueued = false;
		switch (m->state) {
		case WM_GONE:
			raw_spin_unlock_irqrestore(&wc->lock, flags);
			return;
		case WM_RUNNING:
			if (!m->preempt || !wc->nr_queued) {
				/*
				 * Handed the token while parked: the slice
				 * starts now that it runs, not when it was
				 * woken, or a slow wake-up (a busy host)
				 * would eat into its turn.
				 */
				if (parked)
					m->dispatched_at = now;
				m->preempt = false;
				raw_spin_unlock_irqrestore(&wc->lock, flags);
				goto holder;
			}
			/* Slice over and someone waits: (deficit) round robin. */
			m->debt = wsched_debt(m->debt, now - m->dispatched_at,
					      grp->slice_ns);
			m->st.preemptions++;
			wc->st.preemptions++;
			m->last_ran = now;
			wake = get_task_struct(wsched_dispatch_next(wc, now)->task);
			wsched_enqueue(wc, m, now);
			/* Once a slice: the retry for a kick that was lost. */
			enqueued = true;
			break;
		case WM_BLOCKED:
			if (!wc->holder) {
				wsched_make_holder(wc, m, now);
				raw_spin_unlock_irqrestore(&wc->lock, flags);
				goto holder;
			}
			preempt = wake_enqueue(wc, m, now);
			enqueued = true;
			break;
		case WM_QUEUED:
			break;
		}
		raw_spin_unlock_irqrestore(&wc->lock, flags);
		if (wake) {
			wake_up_process(wake);
			put_task_struct(wake);
		}
		if (preempt) {
			/* It is off its CPU now (we run there): its gate yields. */
			wsched_gate_request(preempt);
			wsched_member_put(preempt);
			preempt = NULL;
		}
		if (enqueued)
			kick_idle(grp);
		gate_park(m);
		parked = true;
		if (signal_pending(current) && READ_ONCE(m->state) == WM_QUEUED) {
			/*
			 * Leave the queue while the signal is handled: a
			 * stopped thread must not be handed a token. The
			 * slice timer gates it again if it runs user code.
			 */
			wc = wsched_lock_home(m, &flags);
			if (m->state == WM_QUEUED) {
				list_del_init(&m->qnode);
				wc->nr_queued--;
				m->queued_at = 0;
				WRITE_ONCE(m->state, WM_BLOCKED);
			}
			raw_spin_unlock_irqrestore(&wc->lock, flags);
			if (READ_ONCE(m->state) != WM_RUNNING) {
				/*
				 * Where its home's timer sees it, should it
				 * run user code without the token (a first
				 * gate has not pinned it yet).
				 */
				pin_home(m, READ_ONCE(m->cpu));
				/*
				 * Through the gate again once the signal is
				 * delivered (the signal_deliver probe), so a
				 * member signalled often still waits its turn.
				 */
				set_bit(WMF_SIGNALLED, &m->flags);
				return;
			}
		}
	}
holder:
	if (READ_ONCE(m->handoff_t0)) {
		/*
		 * Under the current home's lock, which ordered the write of
		 * the t0 (a balance may have moved us since we unlocked).
		 */
		wc = wsched_lock_home(m, &flags);
		if (m->handoff_t0) {
			wsched_hist_add(wc->st.handoff_hist,
					wsched_now() - m->handoff_t0);
			m->handoff_t0 = 0;
		}
		raw_spin_unlock_irqrestore(&wc->lock, flags);
	}
	/* New, stolen or balanced here from another CPU: move there now. */
	if (pin_home(m, wc->cpu) == -ENODEV)
		return;
	arm_timer(wc);
}

/* The task_work callback: runs in process context before user mode. */
void wsched_gate(struct callback_head *cb)
{
	struct wsched_member *m = container_of(cb, struct wsched_member,
					       gate_cb);

	/* Cleared first: a kick while we run queues us again. */
	clear_bit(WMF_GATE_QUEUED, &m->flags);
	/*
	 * Order the clear before reading state below; pairs with the full
	 * barrier of test_and_set_bit() in wsched_gate_kick(), so a kick
	 * either sees the bit clear and queues us again, or its state
	 * change is visible to this run.
	 */
	smp_mb__after_atomic();
	wsched_gate_run(m);
	atomic_dec(&wsched_nr_pending);
	wsched_member_put(m);
	/*
	 * Last, so that the compiler makes it a tail call: once the module
	 * reference is gone no instruction of this module runs here.
	 */
	module_put(THIS_MODULE);
}

/*
 * Slice end, in hard interrupt context on the group CPU. Marks the holder
 * for preemption when someone waits, gates a member caught running user
 * code without the token, and lets the balance policy swap threads.
 */
enum hrtimer_restart wsched_slice_end(struct hrtimer *t)
{
	struct wsched_cpu *wc = container_of(t, struct wsched_cpu, timer);
	struct wsched_group *grp = wc->grp;
	struct wsched_member *cur, *m, *kick = NULL, *stray = NULL;
	struct pt_regs *regs = get_irq_regs();
	u64 now, expires;
	bool balance = false;

	/*
	 * Only when we interrupted user mode. The table's lookup walks a
	 * chain again while a rehash moves an entry out of it; in hard IRQ
	 * over this CPU's rehash worker, stopped mid-move, it would walk
	 * for ever (the debug kernel's storm: a soft lockup on every CPU).
	 */
	cur = regs && user_mode(regs) ? wsched_member_find(current) : NULL;
	raw_spin_lock(&wc->lock);
	/* Under the lock, so no dispatched_at can be later (see watchdog_fn()). */
	now = wsched_now();
	expires = now + grp->slice_ns;
	if (!wsched_group_live(grp) || !wc->nr_threads) {
		wc->timer_armed = false;
		raw_spin_unlock(&wc->lock);
		return HRTIMER_NORESTART;
	}
	if (cur && cur->grp == grp && cur->state != WM_RUNNING)
		stray = cur;
	m = wc->holder;
	/* The user changed the holder's affinity: let its gate follow. */
	if (m && wsched_affinity_changed(m))
		kick = m;
	if (m && wc->nr_queued) {
		u64 end = m->dispatched_at + wsched_turn(m->debt, grp->slice_ns);

		/* A sleeper waits: cap_turn() may have moved the end closer. */
		if (wc->turn_cap && wc->turn_cap < end)
			end = wc->turn_cap;
		/* 1% early is close enough: the next expiry is a turn away. */
		if (now >= end - grp->slice_ns / 100) {
			struct wsched_member *next;

			m->preempt = true;
			kick = m;
			/* The next holder's turn, which its debt may shorten. */
			next = list_first_entry(&wc->queue, struct wsched_member,
						qnode);
			expires = now + wsched_turn(next->debt, grp->slice_ns);
		} else {
			expires = end;
		}
	} else if (m && grp->balance == WSCHED_BALANCE_FAIR &&
		   now - m->dispatched_at >= grp->slice_ns) {
		balance = true;
	}
	raw_spin_unlock(&wc->lock);

	if (kick)
		wsched_gate_request(kick);
	if (stray)
		wsched_gate_request(stray);
	if (balance)
		wsched_balance(wc);
	hrtimer_set_expires(t, ns_to_ktime(expires));
	return HRTIMER_RESTART;
}

/*
 * After the probe saw the holder block: wake the new holder, or steal
 * work if the CPU went idle. The blocked thread was promised a gate at
 * its wake-up; one woken already (its waker's probe ran before the
 * switch's) gets it here.
 */
void wsched_handoff_work(struct irq_work *w)
{
	struct wsched_cpu *wc = container_of(w, struct wsched_cpu, work);
	struct wsched_member *m, *n;
	struct llist_node *list;
	unsigned long flags;
	bool steal;

	list = llist_del_all(&wc->blocked);
	llist_for_each_entry_safe(m, n, list, block_node) {
		clear_bit(WMF_ON_BLOCKED, &m->flags);
		if (test_bit(WMF_WAKE_GATE, &m->flags))
			gate_settle(m);
		wsched_member_put(m);
	}
	wsched_wake_holder(wc);
	raw_spin_lock_irqsave(&wc->lock, flags);
	steal = wc->want_steal;
	wc->want_steal = false;
	raw_spin_unlock_irqrestore(&wc->lock, flags);
	if (steal)
		wsched_steal(wc);
}
