// SPDX-License-Identifier: GPL-2.0
/*
 * The user programs, run at CPL3. The linker places this file's code and
 * data at TVMM_USER_TEXT, so it must call nothing in the kernel: its only
 * ways out are the two system call instructions below. sys() is int
 * 0x80, the same instruction in the direct flow (the trap stays in the
 * guest) and the forwarded one (tvmm's trap table takes it); pv() is the
 * para-virtual flow (an OUT to a port the TSS opens to CPL3). The
 * benchmark's bare exit, an OUT to the other open port, exits too.
 */
#include <stdint.h>

#include "abi.h"

static inline int64_t sys(uint64_t nr, uint64_t a, uint64_t b, uint64_t c)
{
	int64_t ret;

	asm volatile("int $0x80" : "=a"(ret)
		     : "a"(nr), "D"(a), "S"(b), "d"(c) : "memory");
	return ret;
}

static inline int64_t pv(uint64_t nr, uint64_t a, uint64_t b, uint64_t c)
{
	int64_t ret;

	asm volatile("outb %%al, %1" : "=a"(ret)
		     : "Nd"((uint16_t)TVMM_PORT_FWD), "a"(nr), "D"(a), "S"(b),
		       "d"(c) : "memory");
	return ret;
}

typedef int64_t (*sys_fn)(uint64_t, uint64_t, uint64_t, uint64_t);

static uint64_t ulen(const char *s)
{
	uint64_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Every system call once; exit code 0 only when every result is right. */
static void exercise(sys_fn call, const char *hello)
{
	volatile uint64_t *p;
	int64_t r;

	r = call(TVMM_SYS_write, 1, (uint64_t)hello, ulen(hello));
	if (r != (int64_t)ulen(hello))
		call(TVMM_SYS_exit, 1, 0, 0);
	if (call(TVMM_SYS_getpid, 0, 0, 0) != TVMM_GUEST_PID)
		call(TVMM_SYS_exit, 2, 0, 0);
	if (call(TVMM_SYS_sched_yield, 0, 0, 0) != 0)
		call(TVMM_SYS_exit, 3, 0, 0);
	r = call(TVMM_SYS_mmap, 8192, 0, 0);
	if (r < 0)
		call(TVMM_SYS_exit, 4, 0, 0);
	p = (volatile uint64_t *)r;
	if (p[0] != 0 || p[1023] != 0)
		call(TVMM_SYS_exit, 5, 0, 0);	/* mmap must give zeroes */
	p[0] = 0x1234;
	p[512] = 0x5678;		/* the second page */
	if (call(TVMM_SYS_nanosleep, 2, 0, 0) != 0)
		call(TVMM_SYS_exit, 6, 0, 0);
	if (call(999, 0, 0, 0) != -78)
		call(TVMM_SYS_exit, 7, 0, 0);
	call(TVMM_SYS_exit, 0, 0, 0);
}

void user_direct(uint64_t arg)
{
	(void)arg;
	exercise(sys, "hello from CPL3 via int 0x80\n");
}

void user_pv(uint64_t arg)
{
	(void)arg;
	exercise(pv, "hello from CPL3 via the para-virtual OUT\n");
}

void user_bench_direct(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		sys(TVMM_SYS_getpid, 0, 0, 0);
	sys(TVMM_SYS_exit, 0, 0, 0);
}

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint32_t median(uint32_t *v, uint64_t n)
{
	for (uint64_t i = 1; i < n; i++)
		for (uint64_t j = i; j && v[j - 1] > v[j]; j--) {
			uint32_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

static uint32_t cycles(uint64_t a, uint64_t b)
{
	return b - a < 0xffffffffu ? b - a : 0xffffffffu;
}

/*
 * A bare exit and a call in turn, @n times (at most 1024), each timed
 * with the TSC: both see the same moments of the host, so that a busy
 * host slows both alike, and the median of each drops the calls it
 * preempted. The two medians, in TSC cycles, are the exit status:
 * call << 32 | bare exit (0: no memory for the samples).
 */
static void pair(sys_fn call, uint64_t n)
{
	uint32_t *d;

	n = n < 1024 ? n : 1024;
	d = (uint32_t *)call(TVMM_SYS_mmap, 8 * n, 0, 0);
	if ((int64_t)d < 0 || !n)
		call(TVMM_SYS_exit, 0, 0, 0);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = tsc(), t1, t2;

		asm volatile("outb %%al, %0" : : "Nd"((uint16_t)TVMM_PORT_NULL),
			     "a"(0) : "memory");
		t1 = tsc();
		call(TVMM_SYS_getpid, 0, 0, 0);
		t2 = tsc();
		d[i] = cycles(t0, t1);
		d[n + i] = cycles(t1, t2);
	}
	call(TVMM_SYS_exit, (uint64_t)median(d + n, n) << 32 | median(d, n),
	     0, 0);
}

void user_pair_direct(uint64_t n)
{
	pair(sys, n);
}

void user_pair_pv(uint64_t n)
{
	pair(pv, n);
}

void user_bench_pv(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		pv(TVMM_SYS_getpid, 0, 0, 0);
	pv(TVMM_SYS_exit, 0, 0, 0);
}

/*
 * smp-fwd: vCPU 0 makes @n para-virtual calls, vCPU 1 direct ones until
 * vCPU 0 is done; both processes share this page, as threads would.
 */
static volatile uint64_t smp_fwd_done;

void user_smp_pv(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (pv(TVMM_SYS_getpid, 0, 0, 0) != TVMM_GUEST_PID)
			pv(TVMM_SYS_exit, 1, 0, 0);
	smp_fwd_done = 1;
	pv(TVMM_SYS_exit, 0, 0, 0);
}

void user_smp_direct(uint64_t n)
{
	(void)n;
	while (!smp_fwd_done)
		if (sys(TVMM_SYS_getpid, 0, 0, 0) != TVMM_GUEST_PID)
			sys(TVMM_SYS_exit, 1, 0, 0);
	sys(TVMM_SYS_exit, 0, 0, 0);
}
