// SPDX-License-Identifier: GPL-2.0
/*
 * wsched ioctl arguments: each is copied in, checked for size, flags,
 * reserved space, ranges and permission, and only then handed to the
 * group and member code. Bad input is an errno, never a warning.
 */
#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

/* Reserved fields must be zero so that they can carry meaning later. */
static bool reserved_zero(const __u64 *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i])
			return false;
	return true;
}

long wsched_ioc_version(void __user *uarg)
{
	struct wsched_version v;

	if (copy_from_user(&v, uarg, sizeof(v)))
		return -EFAULT;
	if (v.size != sizeof(v) || !reserved_zero(v.reserved, ARRAY_SIZE(v.reserved)))
		return -EINVAL;
	v.major = WSCHED_ABI_MAJOR;
	v.minor = WSCHED_ABI_MINOR;
	v.max_cpus = min_t(unsigned int, nr_cpu_ids, WSCHED_MAX_CPUS);
	v.max_groups = WSCHED_MAX_GROUPS;
	v.max_threads = WSCHED_MAX_THREADS;
	if (copy_to_user(uarg, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}

static int cpus_from_user(const struct wsched_group_args *a,
			  struct cpumask *mask)
{
	unsigned int bit;

	cpumask_clear(mask);
	for (bit = 0; bit < WSCHED_MAX_CPUS; bit++) {
		if (!(a->cpus[bit / 64] & (1ull << (bit % 64))))
			continue;
		if (bit >= nr_cpu_ids || !cpu_online(bit))
			return -EINVAL;
		cpumask_set_cpu(bit, mask);
	}
	if (cpumask_empty(mask) || !cpumask_subset(mask, current->cpus_ptr))
		return -EINVAL;
	return 0;
}

long wsched_ioc_create(struct file *file, void __user *uarg)
{
	struct wsched_group_args a;
	struct wsched_group *grp;
	cpumask_var_t mask;
	int ret;

	if (!capable(CAP_SYS_NICE))
		return -EPERM;
	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.size != sizeof(a) || a.flags || a.group_id || a.reserved0 ||
	    !reserved_zero(a.reserved, ARRAY_SIZE(a.reserved)))
		return -EINVAL;
	if (a.slice_us < WSCHED_SLICE_MIN_US || a.slice_us > WSCHED_SLICE_MAX_US ||
	    a.steal >= WSCHED_STEAL_NR || a.balance >= WSCHED_BALANCE_NR ||
	    a.place >= WSCHED_PLACE_NR ||
	    a.balance_gap > WSCHED_BALANCE_GAP_MAX)
		return -EINVAL;
	/*
	 * The queue's head waits a whole slice of the holder's before its
	 * turn: a bound under two slices would release a healthy group.
	 */
	if (a.watchdog_ms && (a.watchdog_ms < WSCHED_WATCHDOG_MIN_MS ||
			      a.watchdog_ms > WSCHED_WATCHDOG_MAX_MS ||
			      (u64)a.watchdog_ms * USEC_PER_MSEC < 2ull * a.slice_us))
		return -EINVAL;
	if (READ_ONCE(file->private_data))
		return -EBUSY;
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	cpus_read_lock();
	ret = cpus_from_user(&a, mask);
	if (!ret) {
		grp = wsched_group_create(mask, &a);
		if (IS_ERR(grp))
			ret = PTR_ERR(grp);
	}
	cpus_read_unlock();
	free_cpumask_var(mask);
	if (ret)
		return ret;
	/* Two racing CREATEs on one descriptor: the loser undoes its group. */
	if (cmpxchg(&file->private_data, NULL, grp)) {
		wsched_group_destroy(grp);
		return -EBUSY;
	}
	a.group_id = grp->id;
	if (copy_to_user(uarg, &a, sizeof(a)))
		return -EFAULT;
	return 0;
}

/* May the caller manage @p? As sched_setaffinity(): same owner or CAP_SYS_NICE. */
static bool may_manage(struct task_struct *p)
{
	const struct cred *cred = current_cred(), *pcred;
	bool ok;

	rcu_read_lock();
	pcred = __task_cred(p);
	ok = uid_eq(cred->euid, pcred->euid) || uid_eq(cred->euid, pcred->uid);
	rcu_read_unlock();
	return ok || capable(CAP_SYS_NICE);
}

long wsched_ioc_thread(struct file *file, void __user *uarg, bool join)
{
	struct wsched_group *grp = READ_ONCE(file->private_data);
	struct wsched_thread_args a;
	struct task_struct *p;
	int ret, cpu = -1;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	/* @cpu is output only: whatever the caller left there is ignored. */
	if (a.size != sizeof(a) || a.flags ||
	    !reserved_zero(a.reserved, ARRAY_SIZE(a.reserved)) || a.tid < 0)
		return -EINVAL;
	if (!grp)
		return -ENOENT;
	if (a.tid) {
		struct pid *pid = find_get_pid(a.tid);

		p = pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
		put_pid(pid);
		if (!p)
			return -ESRCH;
	} else {
		p = get_task_struct(current);
	}
	if (!may_manage(p))
		ret = -EPERM;
	else if (join)
		ret = wsched_join(grp, p, &cpu);
	else
		ret = wsched_leave(grp, p);
	put_task_struct(p);
	if (ret)
		return ret;
	a.cpu = cpu < 0 ? 0 : cpu;
	if (join && copy_to_user(uarg, &a, sizeof(a)))
		return -EFAULT;
	return 0;
}

long wsched_ioc_stats(struct file *file, void __user *uarg)
{
	struct wsched_group *grp = READ_ONCE(file->private_data);
	struct wsched_cpu_stats __user *ucpus;
	struct wsched_thread_stats __user *uthreads;
	struct wsched_thread_stats *ts = NULL;
	struct wsched_cpu_stats cs;
	struct wsched_member *m;
	struct wsched_stats s;
	unsigned int i, n = 0, room;

	if (copy_from_user(&s, uarg, sizeof(s)))
		return -EFAULT;
	if (s.size != sizeof(s) || s.flags || s.pad ||
	    !reserved_zero(s.reserved, ARRAY_SIZE(s.reserved)) ||
	    s.nr_threads > WSCHED_MAX_THREADS || s.cpus_room > WSCHED_MAX_CPUS)
		return -EINVAL;
	if (!grp)
		return -ENOENT;
	ucpus = u64_to_user_ptr(s.cpus_ptr);
	uthreads = u64_to_user_ptr(s.threads_ptr);
	room = uthreads ? s.nr_threads : 0;

	for (i = 0; ucpus && i < grp->nr_cpus && i < s.cpus_room; i++) {
		wsched_fill_cpu_stats(&grp->cpus[i], &cs);
		if (copy_to_user(&ucpus[i], &cs, sizeof(cs)))
			return -EFAULT;
	}
	if (room) {
		ts = kvcalloc(room, sizeof(*ts), GFP_KERNEL);
		if (!ts)
			return -ENOMEM;
	}
	spin_lock(&grp->lock);
	list_for_each_entry(m, &grp->members, gnode) {
		if (n < room)
			wsched_fill_thread_stats(m, &ts[n]);
		n++;
	}
	spin_unlock(&grp->lock);
	if (room && copy_to_user(uthreads, ts, sizeof(*ts) * min(n, room))) {
		kvfree(ts);
		return -EFAULT;
	}
	kvfree(ts);

	s.flags = READ_ONCE(grp->released) ? WSCHED_STATS_RELEASED : 0;
	s.group_id = grp->id;
	s.nr_cpus = grp->nr_cpus;
	s.nr_threads = n;
	s.joined = atomic64_read(&grp->joined);
	s.left = atomic64_read(&grp->left);
	s.watchdog_tid = READ_ONCE(grp->watchdog_tid);
	if (copy_to_user(uarg, &s, sizeof(s)))
		return -EFAULT;
	return 0;
}
