// SPDX-License-Identifier: GPL-2.0
/*
 * wsched module entry: registers /dev/wsched, the scheduler hooks and
 * debugfs, and dispatches the ioctls (argument checks live in ioctl.c).
 * A group belongs to the descriptor that created it and ends with it.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "internal.h"

atomic_t wsched_nr_groups = ATOMIC_INIT(0);
atomic_t wsched_nr_members = ATOMIC_INIT(0);
atomic_t wsched_nr_pending = ATOMIC_INIT(0);

static long wsched_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case WSCHED_IOC_VERSION:
		return wsched_ioc_version(uarg);
	case WSCHED_IOC_CREATE:
		return wsched_ioc_create(file, uarg);
	case WSCHED_IOC_JOIN:
		return wsched_ioc_thread(file, uarg, true);
	case WSCHED_IOC_LEAVE:
		return wsched_ioc_thread(file, uarg, false);
	case WSCHED_IOC_STATS:
		return wsched_ioc_stats(file, uarg);
	default:
		return -ENOTTY;
	}
}

/* misc_open() leaves the miscdevice in private_data; ours holds the group. */
static int wsched_open(struct inode *inode, struct file *file)
{
	file->private_data = NULL;
	return 0;
}

static int wsched_release(struct inode *inode, struct file *file)
{
	struct wsched_group *grp = file->private_data;

	if (grp)
		wsched_group_destroy(grp);
	return 0;
}

static const struct file_operations wsched_fops = {
	.owner		= THIS_MODULE,
	.open		= wsched_open,
	.release	= wsched_release,
	.unlocked_ioctl	= wsched_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice wsched_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "wsched",
	.fops	= &wsched_fops,
	.mode	= 0666,
};

static int __init wsched_init(void)
{
	int ret;

	ret = wsched_hooks_init();
	if (ret)
		return ret;
	ret = wsched_hotplug_init();
	if (ret)
		goto hooks;
	wsched_debugfs_init();
	wsched_getaffinity_init();
	wsched_yield_init();
	ret = misc_register(&wsched_misc);
	if (ret)
		goto debugfs;
	pr_info("wsched: loaded, ABI %d.%d\n", WSCHED_ABI_MAJOR,
		WSCHED_ABI_MINOR);
	return 0;
debugfs:
	wsched_yield_exit();
	wsched_getaffinity_exit();
	wsched_debugfs_exit();
	wsched_hotplug_exit();
hooks:
	wsched_hooks_exit();
	return ret;
}

/*
 * Unload runs only when no descriptor is open and no gate callback is
 * pending (each holds a module reference), so no group or member is
 * left. The RCU wait covers the last instructions of those callbacks and
 * the member frees queued with call_rcu().
 */
static void __exit wsched_exit(void)
{
	misc_deregister(&wsched_misc);
	wsched_yield_exit();
	wsched_getaffinity_exit();
	wsched_debugfs_exit();
	wsched_hotplug_exit();
	wsched_hooks_exit();
	synchronize_rcu();
	rcu_barrier();
	WARN_ON_ONCE(atomic_read(&wsched_nr_members) ||
		     atomic_read(&wsched_nr_groups));
	wsched_members_exit();
	pr_info("wsched: unloaded\n");
}

module_init(wsched_init);
module_exit(wsched_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("wsched: per-CPU-queue scheduler for managed thread groups");
