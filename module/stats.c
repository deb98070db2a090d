// SPDX-License-Identifier: GPL-2.0
/*
 * Counters and histograms: filling the ABI structs and the debugfs view
 * (/sys/kernel/debug/wsched/). Thread ids are shown, never pointers.
 */
#include <linux/debugfs.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>

#include "internal.h"

static struct dentry *wsched_dir;

void wsched_hist_add(u64 *hist, u64 ns)
{
	hist[wsched_hist_bucket(ns)]++;
}

void wsched_fill_cpu_stats(struct wsched_cpu *wc, struct wsched_cpu_stats *o)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&wc->lock, flags);
	*o = wc->st;
	o->cpu = wc->cpu;
	o->nr_threads = wc->nr_threads;
	o->nr_queued = wc->nr_queued;
	o->pad = 0;
	if (wc->idle_since)
		o->idle_ns += wsched_now() - wc->idle_since;
	raw_spin_unlock_irqrestore(&wc->lock, flags);
}

void wsched_fill_thread_stats(struct wsched_member *m,
			      struct wsched_thread_stats *o)
{
	struct wsched_cpu *wc;
	unsigned long flags;

	wc = wsched_lock_home(m, &flags);
	*o = m->st;
	o->cpu = m->cpu;
	o->state = m->state;
	if (m->state == WM_QUEUED && m->queued_at)
		o->gated_ns += wsched_now() - m->queued_at;
	raw_spin_unlock_irqrestore(&wc->lock, flags);
	o->tid = task_pid_vnr(m->task);
	o->pad = 0;
	o->runtime_ns = READ_ONCE(m->task->se.sum_exec_runtime) - m->runtime_base;
}

static int group_show(struct seq_file *s, void *unused)
{
	struct wsched_group *grp = s->private;
	struct wsched_cpu_stats cs;
	struct wsched_thread_stats ts;
	struct wsched_member *m;
	unsigned int i;

	seq_printf(s, "group %u slice_us %llu steal %u balance %u balance_gap %u place %u%s%s\n",
		   grp->id, grp->slice_ns / NSEC_PER_USEC, grp->steal,
		   grp->balance, grp->balance_gap, grp->place, READ_ONCE(grp->dead) ? " dead" : "",
		   READ_ONCE(grp->released) ? " released" : "");
	/* holder, timer, pinned, on_cpu and flags: for a hang's post-mortem. */
	seq_puts(s, "cpu threads queued dispatches preemptions blocks steals_tried steals_ok balance_moves idle_ms holder timer wake_moves\n");
	for (i = 0; i < grp->nr_cpus; i++) {
		struct wsched_cpu *wc = &grp->cpus[i];
		struct wsched_member *h;

		wsched_fill_cpu_stats(wc, &cs);
		rcu_read_lock();
		h = READ_ONCE(wc->holder);
		seq_printf(s, "%u %u %u %llu %llu %llu %llu %llu %llu %llu %d %d %llu\n",
			   cs.cpu, cs.nr_threads, cs.nr_queued, cs.dispatches,
			   cs.preemptions, cs.blocks, cs.steals_tried,
			   cs.steals_ok, cs.balance_moves,
			   cs.idle_ns / NSEC_PER_MSEC,
			   h ? task_pid_nr(h->task) : 0,
			   READ_ONCE(wc->timer_armed), READ_ONCE(wc->wake_moves));
		rcu_read_unlock();
	}
	seq_puts(s, "tid cpu state dispatches preemptions blocks migrations runtime_ms gated_ms pinned on_cpu flags\n");
	spin_lock(&grp->lock);
	list_for_each_entry(m, &grp->members, gnode) {
		wsched_fill_thread_stats(m, &ts);
		seq_printf(s, "%d %u %u %llu %llu %llu %llu %llu %llu %d %u %#lx\n",
			   task_pid_nr(m->task), ts.cpu, ts.state,
			   ts.dispatches, ts.preemptions, ts.blocks,
			   ts.migrations, ts.runtime_ns / NSEC_PER_MSEC,
			   ts.gated_ns / NSEC_PER_MSEC, READ_ONCE(m->pinned),
			   task_cpu(m->task), READ_ONCE(m->flags));
	}
	spin_unlock(&grp->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(group);

static int counters_show(struct seq_file *s, void *unused)
{
	seq_printf(s, "groups %d\nmembers %d\npending_gates %d\ngetaffinity_probe %d\nyield_probe %d\n",
		   atomic_read(&wsched_nr_groups),
		   atomic_read(&wsched_nr_members),
		   atomic_read(&wsched_nr_pending),
		   wsched_getaffinity_active(), wsched_yield_active());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(counters);

void wsched_debugfs_group(struct wsched_group *grp)
{
	char name[24];

	snprintf(name, sizeof(name), "group%u", grp->id);
	grp->debugfs = debugfs_create_file(name, 0444, wsched_dir, grp,
					   &group_fops);
}

int wsched_debugfs_init(void)
{
	wsched_dir = debugfs_create_dir("wsched", NULL);
	debugfs_create_file("counters", 0444, wsched_dir, NULL,
			    &counters_fops);
	return 0;
}

void wsched_debugfs_exit(void)
{
	debugfs_remove_recursive(wsched_dir);
}
