/* SPDX-License-Identifier: GPL-2.0 */
/* Load and unload wsched.ko from a selftest inside the VM. */
#ifndef SMPKIT_KMOD_H
#define SMPKIT_KMOD_H

#include <stdbool.h>

#define WSCHED_KO "/smpkit/wsched.ko"

/* 0 or -errno, like the raw syscalls. */
int kmod_load(const char *path, const char *params);
int kmod_unload(const char *name);
bool kmod_loaded(const char *name);
/* Load wsched.ko unless it is loaded; SKIPs the whole test without it. */
void kmod_need_wsched(void);
/* A counter of /sys/kernel/debug/wsched/counters, or -1. */
int wsched_counter(const char *name);

#endif
