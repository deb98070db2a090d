/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared by the wsched module's files. */
#ifndef WSCHED_INTERNAL_H
#define WSCHED_INTERNAL_H

#include <linux/compiler_types.h>
#include <uapi/wsched.h>

long wsched_ioc_version(void __user *uarg);

#endif /* WSCHED_INTERNAL_H */
