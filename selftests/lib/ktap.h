/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KTAP output for smpkit's selftests, kselftest style: a plan, one
 * "ok"/"not ok" line per case, SKIP with a reason, and the exit code the
 * runner reads (0 pass, 1 fail, 4 skip).
 */
#ifndef SMPKIT_KTAP_H
#define SMPKIT_KTAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KTAP_PASS 0
#define KTAP_FAIL 1
#define KTAP_SKIP 4

struct ktap_state {
	int planned, done, failed, skipped;
};
extern struct ktap_state ktap;

static inline void ktap_plan(int n)
{
	printf("TAP version 13\n1..%d\n", n);
	fflush(stdout);
	ktap.planned = n;
}

static inline void ktap_vresult(bool ok, const char *fmt, va_list ap)
{
	ktap.done++;
	if (!ok)
		ktap.failed++;
	printf("%sok %d ", ok ? "" : "not ", ktap.done);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

/* One case: passes when @ok is true. Returns @ok so callers can chain. */
__attribute__((format(printf, 2, 3)))
static inline bool ktap_ok(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vresult(ok, fmt, ap);
	va_end(ap);
	return ok;
}

__attribute__((format(printf, 1, 2)))
static inline void ktap_skip(const char *fmt, ...)
{
	va_list ap;

	ktap.done++;
	ktap.skipped++;
	printf("ok %d # SKIP ", ktap.done);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

__attribute__((format(printf, 1, 2)))
static inline void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* The whole binary cannot run here: plan 0 and exit 4 with the reason. */
__attribute__((format(printf, 1, 2), noreturn))
static inline void ktap_skip_all(const char *fmt, ...)
{
	va_list ap;

	printf("TAP version 13\n1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(KTAP_SKIP);
}

/* Exit with the code the runner expects; a short plan is a failure. */
static inline int ktap_finish(void)
{
	if (ktap.done != ktap.planned) {
		printf("# planned %d cases, ran %d\n", ktap.planned, ktap.done);
		return KTAP_FAIL;
	}
	if (ktap.failed)
		return KTAP_FAIL;
	if (ktap.skipped == ktap.done && ktap.done)
		return KTAP_SKIP;
	return KTAP_PASS;
}

#define KTAP_DEFINE_STATE struct ktap_state ktap

#endif /* SMPKIT_KTAP_H */
