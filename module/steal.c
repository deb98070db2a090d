// SPDX-License-Identifier: GPL-2.0
/*
 * Moving threads between group CPUs: work stealing by an idle CPU and the
 * fair balance swap. Both move a thread's home under the two CPUs' locks
 * (lower CPU first) and wake it; the thread changes its own affinity at
 * the gate, since set_cpus_allowed_ptr() may sleep.
 */
#include <linux/random.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "internal.h"

/* Threads that ran this recently are cache-hot: stolen last (CFS task_hot). */
#define WSCHED_HOT_NS	(500 * NSEC_PER_USEC)

void wsched_lock_two(struct wsched_cpu *a, struct wsched_cpu *b,
		     unsigned long *flags)
	__acquires(a->lock) __acquires(b->lock)
{
	if (a->cpu > b->cpu)
		swap(a, b);
	raw_spin_lock_irqsave(&a->lock, *flags);
	raw_spin_lock_nested(&b->lock, SINGLE_DEPTH_NESTING);
}

void wsched_unlock_two(struct wsched_cpu *a, struct wsched_cpu *b,
		       unsigned long flags)
	__releases(a->lock) __releases(b->lock)
{
	if (a->cpu > b->cpu)
		swap(a, b);
	raw_spin_unlock(&b->lock);
	raw_spin_unlock_irqrestore(&a->lock, flags);
}

/*
 * Move queued @m from @from to @to (both locked); it becomes @to's holder
 * if @to is free, else it waits there.
 */
static void move_queued(struct wsched_cpu *from, struct wsched_cpu *to,
			struct wsched_member *m, u64 now)
{
	list_del_init(&m->qnode);
	from->nr_queued--;
	from->nr_threads--;
	to->nr_threads++;
	WRITE_ONCE(m->cpu, to->cpu);
	m->st.migrations++;
	if (!to->holder) {
		wsched_make_holder(to, m, now);
	} else {
		list_add_tail(&m->qnode, &to->queue);
		to->nr_queued++;
	}
}

/* The first waiter of @v that may run on @cpu and, unless @force, is cold. */
static struct wsched_member *pick(struct wsched_cpu *v, int cpu, u64 now,
				  bool force)
{
	struct wsched_member *m;

	list_for_each_entry(m, &v->queue, qnode) {
		if (!cpumask_test_cpu(cpu, m->saved_mask))
			continue;
		if (!force && m->last_ran && now - m->last_ran < WSCHED_HOT_NS)
			continue;
		return m;
	}
	return NULL;
}

/* @wc is idle: take a waiter from another group CPU. True if it did. */
bool wsched_steal(struct wsched_cpu *wc)
{
	struct wsched_group *grp = wc->grp;
	unsigned int buf[32], *nrq = buf, *out, i, n = grp->nr_cpus, cnt;
	struct wsched_member *w = NULL;
	struct task_struct *p = NULL;
	unsigned long flags;

	if (grp->steal == WSCHED_STEAL_NONE || !wsched_group_live(grp) ||
	    READ_ONCE(wc->offline) || READ_ONCE(wc->holder) ||
	    READ_ONCE(wc->nr_queued))
		return false;
	if (2 * n > ARRAY_SIZE(buf)) {
		nrq = kmalloc_array(2 * n, sizeof(*nrq), GFP_ATOMIC);
		if (!nrq)
			return false;
	}
	out = nrq + n;
	for (i = 0; i < n; i++)
		nrq[i] = READ_ONCE(grp->cpus[i].nr_queued);
	cnt = wsched_victims(grp->steal, n, wc->idx, grp->dist, nrq,
			     get_random_u32(), out);

	for (i = 0; i < cnt && !w; i++) {
		struct wsched_cpu *v = &grp->cpus[out[i]];
		u64 now;

		wsched_lock_two(wc, v, &flags);
		now = wsched_now();	/* after any last_ran set under these locks */
		/* offline again, under the lock: hotplug's moves take it too */
		if (wc->holder || wc->nr_queued || wc->offline) {
			wsched_unlock_two(wc, v, flags);
			break;
		}
		/* Hot threads only when it is the last victim left. */
		w = pick(v, wc->cpu, now, i + 1 == cnt);
		if (w) {
			move_queued(v, wc, w, now);
			wc->st.steals_ok++;
			wc->st.steal_dist[grp->dist[wc->idx * n + v->idx]]++;
			p = get_task_struct(w->task);
		}
		wsched_unlock_two(wc, v, flags);
	}
	raw_spin_lock_irqsave(&wc->lock, flags);
	wc->st.steals_tried++;
	raw_spin_unlock_irqrestore(&wc->lock, flags);
	/* Nothing queued anywhere: a woken member not at its gate yet? */
	if (!w && wsched_take_arriving(wc)) {
		if (nrq != buf)
			kfree(nrq);
		return true;
	}
	if (p) {
		wake_up_process(p);
		put_task_struct(p);
	}
	if (nrq != buf)
		kfree(nrq);
	return w;
}

static u64 runtime(struct wsched_member *m)
{
	return READ_ONCE(m->task->se.sum_exec_runtime) - m->runtime_base;
}

/*
 * Fair balance, from @wc's slice timer when its holder ran a whole slice
 * alone: swap it with the waiter elsewhere that is furthest behind in run
 * time, if wsched_should_swap() says the gap is worth a move.
 */
bool wsched_balance(struct wsched_cpu *wc)
{
	struct wsched_group *grp = wc->grp;
	struct wsched_member *h, *w, *best_w = NULL;
	struct wsched_cpu *best = NULL;
	struct task_struct *p = NULL;
	unsigned long flags;
	u64 h_rt, gap = 0, now;
	unsigned int i;

	h = READ_ONCE(wc->holder);
	if (!h)
		return false;
	h_rt = runtime(h);
	for (i = 0; i < grp->nr_cpus; i++) {
		struct wsched_cpu *v = &grp->cpus[i];

		if (v == wc || !READ_ONCE(v->nr_queued) || READ_ONCE(v->offline))
			continue;
		raw_spin_lock_irqsave(&v->lock, flags);
		w = pick(v, wc->cpu, 0, true);
		if (w && cpumask_test_cpu(v->cpu, h->saved_mask) &&
		    wsched_should_swap(h_rt, runtime(w), grp->slice_ns,
				       grp->balance_gap) &&
		    h_rt - runtime(w) > gap) {
			gap = h_rt - runtime(w);
			best = v;
			best_w = w;
		}
		raw_spin_unlock_irqrestore(&v->lock, flags);
	}
	if (!best)
		return false;

	wsched_lock_two(wc, best, &flags);
	w = best_w;
	/*
	 * Recheck: both may have moved while no lock was held, and h may
	 * have changed its affinity (its mask is only stable under wc->lock).
	 */
	if (wc->holder != h || wc->nr_queued || READ_ONCE(w->cpu) != best->cpu ||
	    w->state != WM_QUEUED || !cpumask_test_cpu(best->cpu, h->saved_mask)) {
		wsched_unlock_two(wc, best, flags);
		return false;
	}
	/* Not earlier than w's queued_at: it was set under best's lock. */
	now = wsched_now();
	list_del_init(&w->qnode);
	best->nr_queued--;
	best->nr_threads--;
	wc->nr_threads++;
	WRITE_ONCE(w->cpu, wc->cpu);
	w->st.migrations++;
	h->last_ran = now;
	h->st.preemptions++;
	h->st.migrations++;
	wc->nr_threads--;
	best->nr_threads++;
	WRITE_ONCE(h->cpu, best->cpu);
	wsched_enqueue(best, h, now);
	wsched_make_holder(wc, w, now);
	wc->st.balance_moves++;
	best->st.balance_moves++;
	p = get_task_struct(w->task);
	wsched_unlock_two(wc, best, flags);

	wake_up_process(p);
	put_task_struct(p);
	/* @h leaves the CPU at its next return to user mode. */
	wsched_gate_request(h);
	return true;
}
