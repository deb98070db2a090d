// SPDX-License-Identifier: GPL-2.0
/*
 * The one user process at a time: map its program and stack, enter CPL3,
 * and serve its system calls. The same do_syscall() serves both flows:
 * a direct int 0x80 (the trap stays in the guest) and a call tvmm
 * forwarded into this handler (PV->in_forward set).
 */
#include "guest.h"

static uint64_t saved_rsp;
volatile uint64_t direct_syscalls, forwarded_syscalls;

int64_t run_user(uint64_t entry, uint64_t arg)
{
	uint64_t n = ((uint64_t)__user_size + PAGE_SIZE - 1) / PAGE_SIZE;
	int64_t code;

	/* The program's frames are mapped in place, at its link address. */
	for (uint64_t i = 0; i < n; i++)
		map_user_page(TVMM_USER_TEXT + i * PAGE_SIZE,
			      (uint64_t)__user_lma + i * PAGE_SIZE);
	for (int i = 1; i <= 2; i++)
		map_user_page(TVMM_USER_STACK_TOP - i * PAGE_SIZE, page_alloc());
	code = user_enter(entry, TVMM_USER_STACK_TOP, arg, &saved_rsp);
	user_space_reset();
	return code;
}

/* Called on the trap stack: the trap frame is simply abandoned. */
void user_exit(int64_t code)
{
	/* An exit inside a forwarded trap never returns through tvmm. */
	PV->in_forward = 0;
	user_return(&saved_rsp, code);
}

static bool user_range_ok(uint64_t p, uint64_t n)
{
	return p >= TVMM_USER_TEXT && n <= 4096 && p + n <= TVMM_USER_STACK_TOP;
}

int64_t do_syscall(struct trap_frame *f)
{
	if (PV->in_forward)
		forwarded_syscalls++;
	else
		direct_syscalls++;
	switch (f->rax & 0xffffffff) {
	case TVMM_SYS_exit:
		user_exit(f->rdi);
		return 0;
	case TVMM_SYS_write:
		if (!user_range_ok(f->rsi, f->rdx))
			return -14;	/* EFAULT */
		console_write((const char *)f->rsi, f->rdx);
		return f->rdx;
	case TVMM_SYS_getpid:
		return TVMM_GUEST_PID;
	case TVMM_SYS_sched_yield:
		return 0;	/* the only runnable process runs on */
	case TVMM_SYS_nanosleep:
		/* Idle: each HLT exits and tvmm sleeps a tick for us. */
		for (uint64_t i = 0; i < f->rdi && i < 10000; i++)
			hlt();
		return 0;
	case TVMM_SYS_mmap:
		return user_mmap(f->rdi);
	default:
		return -78;	/* FreeBSD ENOSYS */
	}
}
