// SPDX-License-Identifier: GPL-2.0
/*
 * wsched module entry: registers /dev/wsched and dispatches its ioctls.
 * Relies on ioctl.c for argument validation.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "internal.h"

static long wsched_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case WSCHED_IOC_VERSION:
		return wsched_ioc_version(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations wsched_fops = {
	.owner		= THIS_MODULE,
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

	ret = misc_register(&wsched_misc);
	if (ret)
		return ret;
	pr_info("wsched: loaded, ABI %d.%d\n", WSCHED_ABI_MAJOR,
		WSCHED_ABI_MINOR);
	return 0;
}

static void __exit wsched_exit(void)
{
	misc_deregister(&wsched_misc);
	pr_info("wsched: unloaded\n");
}

module_init(wsched_init);
module_exit(wsched_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("wsched: per-CPU-queue scheduler for managed thread groups");
