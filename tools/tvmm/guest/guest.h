/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest mini-OS's internal interfaces: port I/O, the ucall channel
 * to tvmm (GUEST_ASSERT/SYNC/REPORT/DONE with file and line), the trap
 * frame its stubs build, and the memory and process helpers.
 */
#ifndef TVMM_GUEST_H
#define TVMM_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"

#define PAGE_SIZE	4096ul
#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_U		(1ull << 2)
#define PTE_PS		(1ull << 7)
#define PTE_ADDR	0x000ffffffffff000ull

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, err;
	uint64_t rip, cs, rflags, rsp, ss;
};

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

/* The vCPU number, from the TSS selector tvmm gave this vCPU. */
static inline unsigned int this_cpu(void)
{
	uint16_t tr;

	asm volatile("str %0" : "=r"(tr));
	return (tr - TVMM_SEL_TSS(0)) / (TVMM_SEL_TSS(1) - TVMM_SEL_TSS(0));
}

static inline void hlt(void)
{
	asm volatile("hlt" : : : "memory");
}

#define BOOTINFO	((volatile struct tvmm_bootinfo *)TVMM_BOOTINFO_GPA)
#define PV		((volatile struct tvmm_pv *)TVMM_PV_GPA)

void ucall(uint64_t cmd, const char *file, int line, const char *msg,
	   uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);

#define GUEST_SYNC(stage, v) \
	ucall(UCALL_SYNC, __FILE__, __LINE__, (stage), 0, (v), 0, 0)
#define GUEST_REPORT(key, v) \
	ucall(UCALL_REPORT, __FILE__, __LINE__, (key), (v), 0, 0, 0)
#define GUEST_XLATE(what, gva) \
	ucall(UCALL_XLATE, __FILE__, __LINE__, (what), (gva), 0, 0, 0)
#define GUEST_DONE() ucall(UCALL_DONE, __FILE__, __LINE__, "", 0, 0, 0, 0)
#define GUEST_ASSERT(c) do {						\
	if (!(c))							\
		ucall(UCALL_ASSERT, __FILE__, __LINE__, #c, 0, 0, 0, 0); \
} while (0)
#define GUEST_ASSERT_EQ(a, b) do {					\
	uint64_t __a = (a), __b = (b);					\
	if (__a != __b)							\
		ucall(UCALL_ASSERT, __FILE__, __LINE__, #a " == " #b,	\
		      __a, __b, 0, 0);					\
} while (0)

/* lib.c */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
void console_write(const char *s, size_t n);
void kprint(const char *s);

/* trap.c */
void trap_init(int cpu);
extern volatile uint64_t user_faults;	/* exceptions killed a process */
extern volatile uint64_t last_user_vector;

/* apic.c: the local APIC, when tvmm gave the VM an irqchip */
bool have_irqchip(void);
void apic_init(void);
uint64_t rdtsc(void);
uint64_t tsc_ns(uint64_t cycles);
void tsc_delay(uint64_t ns);
void send_ipi(unsigned int cpu, uint8_t vec);
uint64_t wait_irq(volatile uint64_t *count, uint64_t seen, bool spin);
uint64_t idle_ticks(uint64_t n, uint32_t period, bool spin);
void irq_dispatch(struct trap_frame *f);
extern volatile uint64_t irq_ticks[TVMM_MAX_VCPUS], irq_ipis[TVMM_MAX_VCPUS];
extern volatile uint64_t ipi_wake_tsc[TVMM_MAX_VCPUS];

/* idle.c: the idle and IPI scenarios */
void idle_scenario(bool spin);
void ipi_scenario(uint64_t cpu);

/* mm.c */
void mm_init(void);
uint64_t page_alloc(void);
void page_free(uint64_t pa);
void map_user_page(uint64_t va, uint64_t pa);
uint64_t user_mmap(uint64_t bytes);
void user_space_reset(void);
uint64_t *walk_pte(uint64_t va, bool alloc);

/* process.c: one user process per vCPU, all in one address space. */
void user_map_program(unsigned int ncpu);
uint64_t user_stack_top(unsigned int cpu);
int64_t run_user(uint64_t entry, uint64_t arg);
int64_t run_user_mapped(uint64_t entry, uint64_t arg);
void user_exit(int64_t code);	/* from a trap on the trap stack */
int64_t do_syscall(struct trap_frame *f);
extern volatile uint64_t direct_syscalls[TVMM_MAX_VCPUS];
extern volatile uint64_t forwarded_syscalls[TVMM_MAX_VCPUS];
/* smp-fwd: a forwarded call on vCPU 0 waits for vCPU 1's direct calls. */
extern volatile bool overlap_wait;
extern volatile uint64_t overlaps;

/* head.S */
extern char __user_lma[], __user_size[], __bss_end[], __image_start[];
extern uint64_t trap_stubs[32];
extern char trap_128[], trap_32[], trap_33[], trap_255[];
int64_t user_enter(uint64_t entry, uint64_t ustack, uint64_t arg,
		   uint64_t *saved_rsp);
void __attribute__((noreturn)) user_return(uint64_t *saved_rsp, int64_t code);
extern char trap_stack_base[];
#define STACK_SIZE	16384ul
#define USER_STACK_PAGES	2

#endif
