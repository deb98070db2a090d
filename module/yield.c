// SPDX-License-Identifier: GPL-2.0
/*
 * sched_yield() by a member hands its CPU's token to the next member
 * queued there, as the stock scheduler gives the CPU to another runnable
 * task. Without this, the kernel's own yield finds no other runnable
 * task on the member's pinned CPU (the others sleep in their gates) and
 * returns at once: the yield does nothing.
 *
 * A kprobe on the system call's entry (6.1 has no tracepoint there, and
 * the raw_syscalls ones would tax every task's system calls) marks the
 * holder's slice over and requests its gate, which passes the token on
 * when the call returns to user mode, through the slice timer's path.
 * Kernels built without CONFIG_KPROBES keep the old no-op (the module
 * says so when it loads).
 */
#include <linux/kprobes.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "internal.h"

/* Only the holder with someone queued behind it has anything to give. */
static void member_yield(struct wsched_member *m)
{
	struct wsched_cpu *wc;
	unsigned long flags;
	bool give;

	wc = wsched_lock_home(m, &flags);
	give = wc->holder == m && wc->nr_queued;
	if (give)
		m->preempt = true;
	raw_spin_unlock_irqrestore(&wc->lock, flags);
	if (give)
		wsched_gate_request(m);
}

static int yield_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct wsched_member *m;

	if (!atomic_read(&wsched_nr_members))
		return 0;
	rcu_read_lock();
	m = wsched_member_find(current);
	if (m && wsched_group_live(m->grp) && !test_bit(WMF_DETACHED, &m->flags))
		member_yield(m);
	rcu_read_unlock();
	return 0;
}

static struct kprobe yield_probe = {
	.symbol_name = "__x64_sys_sched_yield",
	.pre_handler = yield_pre,
};

static bool yield_registered;

/* Never fails the load: without the probe, a member's yield is a no-op. */
void wsched_yield_init(void)
{
	int ret = register_kprobe(&yield_probe);

	if (ret) {
		pr_info("wsched: a member's sched_yield() keeps its token (no kprobe: %d)\n",
			ret);
		return;
	}
	yield_registered = true;
}

void wsched_yield_exit(void)
{
	if (yield_registered)
		unregister_kprobe(&yield_probe);
	yield_registered = false;
}

bool wsched_yield_active(void)
{
	return yield_registered;
}
