// SPDX-License-Identifier: GPL-2.0
/*
 * Hooks into the core scheduler through its tracepoints (6.1 exports no
 * way to add a sched_class): sched_switch sees the token holder block,
 * sched_process_fork passes membership on, sched_process_exit detaches,
 * sched_waking gates a member that blocked, signal_deliver one that left
 * its gate for a signal.
 * The tracepoint symbols are not exported, so they are found by name.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "internal.h"

/*
 * The token of @wc's CPU passes on because its holder @prev blocks.
 * Called under the rq lock with interrupts off: only mark state here;
 * the irq_work wakes the next holder and gates the blocked thread.
 */
static void hand_off(struct wsched_cpu *wc, struct task_struct *prev)
{
	struct wsched_member *m, *nm;
	u64 now;

	raw_spin_lock(&wc->lock);
	m = wc->holder;
	if (!m || m->task != prev || !wsched_group_live(wc->grp) ||
	    test_bit(WMF_PARKING, &m->flags)) {
		raw_spin_unlock(&wc->lock);
		return;
	}
	now = wsched_now();
	WRITE_ONCE(m->state, WM_BLOCKED);
	m->last_ran = now;
	m->debt = wsched_debt(m->debt, now - m->dispatched_at,
			      wc->grp->slice_ns);
	m->st.blocks++;
	wc->st.blocks++;
	nm = wsched_dispatch_next(wc, now);
	if (nm)
		nm->handoff_t0 = now;
	else
		wc->want_steal = true;
	/*
	 * Gated again when it wakes, not now: a queued callback would tie
	 * the module to a thread that may sleep for ever.
	 */
	set_bit(WMF_WAKE_GATE, &m->flags);
	if (!test_and_set_bit(WMF_ON_BLOCKED, &m->flags)) {
		refcount_inc(&m->ref);
		llist_add(&m->block_node, &wc->blocked);
	}
	raw_spin_unlock(&wc->lock);
	/* Runs here, whichever CPU it is; it only wakes and queues work. */
	irq_work_queue(&wc->work);
}

static void probe_switch(void *data, bool preempt, struct task_struct *prev,
			 struct task_struct *next, unsigned int prev_state)
{
	struct wsched_member *m, *h;
	struct wsched_cpu *wc;

	if (!wsched_task_blocked(prev) || (prev->flags & PF_KTHREAD))
		return;
	wc = wsched_cpu_of(smp_processor_id());
	/*
	 * One read: the holder can change (to none) under us, and a member
	 * stays readable until an RCU grace period (we run under the rq lock).
	 */
	h = wc ? READ_ONCE(wc->holder) : NULL;
	if (h && h->task == prev) {
		hand_off(wc, prev);
		return;
	}
	/*
	 * A holder can block away from its home CPU: the user moved it, or
	 * hotplug broke its affinity, before its gate ran. Its home CPU's
	 * queue must not wait for it, so look it up (lockless, O(1)).
	 */
	m = wsched_member_find(prev);
	if (m && READ_ONCE(m->state) == WM_RUNNING &&
	    !test_bit(WMF_MIGRATING, &m->flags))
		hand_off(wsched_group_cpu(m->grp, READ_ONCE(m->cpu)), prev);
}

/*
 * In try_to_wake_up(), under the woken task's pi_lock, from any context
 * (hard IRQ too, so the member table must not be one that resizes).
 */
static void probe_waking(void *data, struct task_struct *p)
{
	struct wsched_member *m = wsched_member_find(p);

	if (m && test_bit(WMF_WAKE_GATE, &m->flags)) {
		wsched_wake_place(m);
		wsched_gate_woken(m);
	}
}

/*
 * In get_signal(), in the member's own context under its siglock, once
 * a signal is dequeued: a member that left its gate for it goes through
 * the gate again before the handler runs. A stop waits for the wake-up
 * that continues it, so a stopped thread holds no callback.
 */
static void probe_signal(void *data, int sig, struct kernel_siginfo *info,
			 struct k_sigaction *ka)
{
	struct wsched_member *m = wsched_member_find(current);

	if (!m || !test_and_clear_bit(WMF_SIGNALLED, &m->flags))
		return;
	if (ka->sa.sa_handler == SIG_DFL && sig_kernel_stop(sig))
		set_bit(WMF_WAKE_GATE, &m->flags);
	else
		wsched_gate_kick(m);
}

static void probe_fork(void *data, struct task_struct *parent,
		       struct task_struct *child)
{
	wsched_fork(parent, child);
}

/* Fires for every exiting task in the system: the lookup is O(1), lockless. */
static void probe_exit(void *data, struct task_struct *p)
{
	struct wsched_member *m;

	/* PF_EXITING is set; pairs with the barrier in wsched_join(). */
	smp_mb();
	m = wsched_member_find(p);

	if (m && !test_bit(WMF_DETACHED, &m->flags) &&
	    refcount_inc_not_zero(&m->ref)) {
		wsched_member_detach(m, false);
		wsched_member_put(m);
	}
}

/* The VM rig's tpkeep/tpkeep.c keeps these patched: add new ones there too. */
static struct wsched_hook {
	const char *name;
	void *probe;
	struct tracepoint *tp;
} hooks[] = {
	{ "sched_switch", probe_switch },
	{ "sched_process_fork", probe_fork },
	{ "sched_process_exit", probe_exit },
	{ "sched_waking", probe_waking },
	{ "signal_deliver", probe_signal },
};

static void find_tp(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hooks); i++)
		if (!strcmp(tp->name, hooks[i].name))
			hooks[i].tp = tp;
}

int wsched_hooks_init(void)
{
	unsigned int i;
	int ret;

	for_each_kernel_tracepoint(find_tp, NULL);
	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		if (!hooks[i].tp) {
			pr_err("wsched: tracepoint %s not found\n", hooks[i].name);
			ret = -ENOENT;
			goto unregister;
		}
		ret = tracepoint_probe_register(hooks[i].tp, hooks[i].probe, NULL);
		if (ret)
			goto unregister;
	}
	return 0;
unregister:
	while (i--)
		tracepoint_probe_unregister(hooks[i].tp, hooks[i].probe, NULL);
	tracepoint_synchronize_unregister();
	return ret;
}

void wsched_hooks_exit(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hooks); i++)
		tracepoint_probe_unregister(hooks[i].tp, hooks[i].probe, NULL);
	tracepoint_synchronize_unregister();
}
