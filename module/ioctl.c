// SPDX-License-Identifier: GPL-2.0
/*
 * wsched ioctl argument handling: copies each argument in, checks size,
 * reserved space and ranges, and only then calls into the scheduler.
 */
#include <linux/cpumask.h>
#include <linux/uaccess.h>

#include "internal.h"

/* Reserved fields must be zero so that they can carry meaning later. */
static bool wsched_reserved_zero(const __u64 *r, size_t n)
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
	if (v.size != sizeof(v) ||
	    !wsched_reserved_zero(v.reserved, ARRAY_SIZE(v.reserved)))
		return -EINVAL;
	v.major = WSCHED_ABI_MAJOR;
	v.minor = WSCHED_ABI_MINOR;
	v.max_cpus = nr_cpu_ids;
	if (copy_to_user(uarg, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}
