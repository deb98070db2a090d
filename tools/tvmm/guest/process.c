// SPDX-License-Identifier: GPL-2.0
/*
 * User processes: map the program and a stack, enter CPL3, and serve
 * system calls. Each vCPU runs at most one process; they share one
 * address space (their stacks apart), like threads. The same
 * do_syscall() serves every flow: a direct int 0x80 (the trap stays in
 * the guest) and a call tvmm forwarded into this handler
 * (PV->in_forward[cpu] set), counted per vCPU.
 */
#include "guest.h"

#define USER_STACK_SLOT		(4 * PAGE_SIZE)	/* stack and a guard gap */

static uint64_t saved_rsp[TVMM_MAX_VCPUS];
volatile uint64_t direct_syscalls[TVMM_MAX_VCPUS];
volatile uint64_t forwarded_syscalls[TVMM_MAX_VCPUS];
volatile bool overlap_wait;
volatile uint64_t overlaps;

uint64_t user_stack_top(unsigned int cpu)
{
	return TVMM_USER_STACK_TOP - cpu * USER_STACK_SLOT;
}

/* The program's frames are mapped in place, at its link address. */
void user_map_program(unsigned int ncpu)
{
	uint64_t n = ((uint64_t)__user_size + PAGE_SIZE - 1) / PAGE_SIZE;

	for (uint64_t i = 0; i < n; i++)
		map_user_page(TVMM_USER_TEXT + i * PAGE_SIZE,
			      (uint64_t)__user_lma + i * PAGE_SIZE);
	for (unsigned int c = 0; c < ncpu; c++)
		for (unsigned int i = 1; i <= USER_STACK_PAGES; i++)
			map_user_page(user_stack_top(c) - i * PAGE_SIZE,
				      page_alloc());
}

/* Runs @entry at CPL3 on this vCPU; user_map_program() came first. */
int64_t run_user_mapped(uint64_t entry, uint64_t arg)
{
	unsigned int cpu = this_cpu();

	return user_enter(entry, user_stack_top(cpu), arg, &saved_rsp[cpu]);
}

int64_t run_user(uint64_t entry, uint64_t arg)
{
	int64_t code;

	user_map_program(1);
	code = run_user_mapped(entry, arg);
	user_space_reset();
	return code;
}

/* Called on the trap stack: the trap frame is simply abandoned. */
void user_exit(int64_t code)
{
	unsigned int cpu = this_cpu();

	/* An exit inside a forwarded trap never returns through tvmm. */
	PV->in_forward[cpu] = 0;
	user_return(&saved_rsp[cpu], code);
}

static bool user_range_ok(uint64_t p, uint64_t n)
{
	return p >= TVMM_USER_TEXT && n <= 4096 && p + n <= TVMM_USER_STACK_TOP;
}

/*
 * smp-fwd: hold vCPU 0's forwarded call (its in_forward flag set) until
 * vCPU 1 has made direct calls meanwhile, so that the test sees traps
 * on both vCPUs overlap however the host schedules them. Bounded: a
 * vCPU 1 that never runs costs time, and the test sees no overlap.
 */
static void wait_for_sibling(void)
{
	uint64_t seen = direct_syscalls[1];

	for (uint64_t spin = 0; spin < 200000000; spin++) {
		if (direct_syscalls[1] >= seen + 3) {
			overlaps++;
			return;
		}
		asm volatile("pause");
	}
}

int64_t do_syscall(struct trap_frame *f)
{
	unsigned int cpu = this_cpu();
	bool fwd = PV->in_forward[cpu];

	if (fwd)
		forwarded_syscalls[cpu]++;
	else
		direct_syscalls[cpu]++;
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
		if (overlap_wait && fwd && cpu == 0)
			wait_for_sibling();
		return TVMM_GUEST_PID;
	case TVMM_SYS_sched_yield:
		return 0;	/* the only runnable process runs on */
	case TVMM_SYS_nanosleep:
		idle_ticks(f->rdi < 10000 ? f->rdi : 10000, 1, false);
		return 0;
	case TVMM_SYS_mmap:
		return user_mmap(f->rdi);
	default:
		return -78;	/* FreeBSD ENOSYS */
	}
}
