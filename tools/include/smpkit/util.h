/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one error-helper family of smpkit's userspace, and small parsers
 * every tool shares (CPU lists in the kernel's format, sizes, numbers).
 */
#ifndef SMPKIT_UTIL_H
#define SMPKIT_UTIL_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern const char *smpkit_prog;		/* prefix of every message */
/* die()'s exit status: 1, unless a tool reserves codes (wsched-run: 125). */
extern int smpkit_die_status;

__attribute__((format(printf, 1, 2), noreturn))
void die(const char *fmt, ...);
/* Like die(), then ": strerror(errno)". */
__attribute__((format(printf, 1, 2), noreturn))
void die_errno(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void warnx_(const char *fmt, ...);

/*
 * Parse "0-3,6,8-11:2"-style lists (the kernel's cpulist format) into
 * @set. Returns 0, or -1 with a message in @err for bad syntax, a CPU
 * at or beyond CPU_SETSIZE, a stride of 0 or at or beyond CPU_SETSIZE,
 * or a number too large for strtoul.
 */
int parse_cpulist(const char *s, cpu_set_t *set, char *err, size_t errlen);
/* Format @set as a cpulist ("0-3,6") into @buf. */
void format_cpulist(const cpu_set_t *set, char *buf, size_t len);

/* "4096", "64K", "2M", "1G" -> bytes; false on junk or overflow. */
bool parse_size(const char *s, uint64_t *out);
/* Decimal unsigned within [min, max]; false otherwise. */
bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/*
 * @name as given when it has a slash, else the first match on PATH, in
 * @out; true when that is an executable file.
 */
bool find_exe(const char *name, char *out, size_t len);

#endif
