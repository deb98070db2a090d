// SPDX-License-Identifier: GPL-2.0
/*
 * What a member sees of its CPUs. The gate pins every member to its home
 * CPU, so sched_getaffinity() would tell a managed program it has one
 * CPU: nproc, OpenMP, Go and Java then size their thread pools to 1.
 * A return probe on sched_getaffinity() reports the CPUs the member may
 * be placed on instead: its own (saved) affinity within the group's CPUs
 * that are active. Only what is read changes; the pin stays, and a mask
 * the program sets from what it read is a user's affinity change that
 * the gate follows (follow_user_affinity()).
 *
 * Why a kretprobe: 6.1 has no hook on the read (no tracepoint, and the
 * kernel's user/effective mask split does not reach getaffinity on 6.1 or
 * 6.12), and the raw_syscalls tracepoints would tax every system call of
 * every task. The probe costs one lookup per sched_getaffinity() call.
 * Kernels built without CONFIG_KPROBES get the pinned CPU, as before
 * (the module says so when it loads).
 */
#include <linux/kprobes.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "internal.h"

struct getaff_call {
	pid_t pid;
	struct cpumask *mask;
};

static int getaff_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct getaff_call *c = (struct getaff_call *)ri->data;

	c->pid = (pid_t)regs_get_kernel_argument(regs, 0);
	c->mask = (struct cpumask *)regs_get_kernel_argument(regs, 1);
	return 0;
}

static int getaff_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct getaff_call *c = (struct getaff_call *)ri->data;
	struct wsched_member *m;
	struct task_struct *p;
	struct wsched_cpu *wc;
	unsigned long flags;

	if (regs_return_value(regs) != 0 || !atomic_read(&wsched_nr_members))
		return 0;
	rcu_read_lock();
	p = c->pid ? pid_task(find_vpid(c->pid), PIDTYPE_PID) : current;
	m = p ? wsched_member_find(p) : NULL;
	if (m && wsched_group_live(m->grp) && !test_bit(WMF_DETACHED, &m->flags) &&
	    READ_ONCE(m->pinned) >= 0 && !wsched_affinity_changed(m)) {
		wc = wsched_lock_home(m, &flags);
		if (cpumask_intersects(m->saved_mask, m->grp->mask) &&
		    cpumask_intersects(m->saved_mask, cpu_active_mask)) {
			cpumask_and(c->mask, m->saved_mask, m->grp->mask);
			cpumask_and(c->mask, c->mask, cpu_active_mask);
		}
		raw_spin_unlock_irqrestore(&wc->lock, flags);
	}
	rcu_read_unlock();
	return 0;
}

static struct kretprobe getaff_probe = {
	.kp.symbol_name = "sched_getaffinity",
	.entry_handler = getaff_entry,
	.handler = getaff_return,
	.data_size = sizeof(struct getaff_call),
};

static bool getaff_registered;

/* Never fails the load: without the probe, members see their pinned CPU. */
void wsched_getaffinity_init(void)
{
	int ret;

	/* No sleeping in the probed function: one instance per CPU suffices. */
	getaff_probe.maxactive = 2 * num_possible_cpus();
	ret = register_kretprobe(&getaff_probe);
	if (ret) {
		pr_info("wsched: members' sched_getaffinity() shows their pinned CPU (no kretprobe: %d)\n",
			ret);
		return;
	}
	getaff_registered = true;
}

void wsched_getaffinity_exit(void)
{
	if (getaff_registered)
		unregister_kretprobe(&getaff_probe);
	getaff_registered = false;
}

/* For the debugfs state file: is the probe on? */
bool wsched_getaffinity_active(void)
{
	return getaff_registered;
}
