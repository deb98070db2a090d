/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * wsched ABI: the ioctls of /dev/wsched. Every argument struct starts with
 * its own size so the kernel can reject a caller built against another
 * layout, and carries reserved space that must be zero.
 */
#ifndef _UAPI_WSCHED_H
#define _UAPI_WSCHED_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define WSCHED_DEVICE		"/dev/wsched"
#define WSCHED_ABI_MAJOR	1
#define WSCHED_ABI_MINOR	0

/**
 * struct wsched_version - answer of %WSCHED_IOC_VERSION
 * @size:	in: sizeof(struct wsched_version) as the caller knows it
 * @major:	out: ABI major; a caller must refuse a major it does not know
 * @minor:	out: ABI minor; grows with compatible additions
 * @max_cpus:	out: highest CPU number + 1 the module accepts in a CPU set
 * @reserved:	in: must be zero; out: zero
 */
struct wsched_version {
	__u32 size;
	__u32 major;
	__u32 minor;
	__u32 max_cpus;
	__u64 reserved[4];
};

#define WSCHED_IOC_MAGIC	0xb7

/**
 * WSCHED_IOC_VERSION - report the ABI version of the loaded module
 *
 * Errors: %EFAULT bad pointer, %EINVAL wrong size or reserved not zero.
 */
#define WSCHED_IOC_VERSION	_IOWR(WSCHED_IOC_MAGIC, 0x00, struct wsched_version)

#endif /* _UAPI_WSCHED_H */
