// SPDX-License-Identifier: GPL-2.0
/*
 * Guest trap handling: builds the IDT (exceptions and the int 0x80 gate
 * open to CPL3) and loads it with lidt, telling tvmm nothing (tvmm reads
 * the IDTR when it forwards a trap), and dispatches: system calls, user
 * faults (kill the process), kernel faults (report to tvmm and stop).
 */
#include "guest.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t attr;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate");

struct tss64 {
	uint32_t res0;
	uint64_t rsp0, rsp1, rsp2;
	uint64_t res1;
	uint64_t ist[7];
	uint64_t res2;
	uint16_t res3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS");

#define GATE_INTR_DPL0	0x8e	/* present, DPL 0, 64-bit interrupt gate */
#define GATE_INTR_DPL3	0xee	/* the same, reachable by int n from CPL3 */

static struct idt_gate idt[256] __attribute__((aligned(16)));
volatile uint64_t user_faults;
volatile uint64_t last_user_vector;

static void set_gate(int vec, uint64_t addr, uint8_t attr)
{
	idt[vec] = (struct idt_gate) {
		.off_lo = addr & 0xffff,
		.sel = TVMM_SEL_KCODE,
		.attr = attr,
		.off_mid = (addr >> 16) & 0xffff,
		.off_hi = addr >> 32,
	};
}

void trap_init(int cpu)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };
	volatile struct tss64 *tss =
		(void *)(TVMM_TSS_GPA + cpu * TVMM_TSS_STRIDE);

	if (cpu == 0) {
		for (int v = 0; v < 32; v++)
			set_gate(v, trap_stubs[v], GATE_INTR_DPL0);
		set_gate(0x80, (uint64_t)trap_128, GATE_INTR_DPL3);
		set_gate(TVMM_VEC_TIMER, (uint64_t)trap_32, GATE_INTR_DPL0);
		set_gate(TVMM_VEC_IPI, (uint64_t)trap_33, GATE_INTR_DPL0);
		set_gate(TVMM_VEC_SPURIOUS, (uint64_t)trap_255,
			 GATE_INTR_DPL0);
	}
	/* Traps from CPL3 land on a stack of their own (see process.c). */
	tss->rsp0 = (uint64_t)trap_stack_base + (cpu + 1) * STACK_SIZE;
	asm volatile("lidt %0" : : "m"(idtr));
	/*
	 * tvmm loaded TR already (a VMX entry needs it); loading it again
	 * ourselves gives a TR cache that every CPU model agrees on for the
	 * I/O-bitmap check (QEMU's TCG wants the type an LTR leaves there).
	 */
	asm volatile("ltr %w0" : : "r"(TVMM_SEL_TSS(cpu)));
}

static void user_fault(struct trap_frame *f)
{
	const uint8_t *ip = (const uint8_t *)f->rip;

	user_faults++;
	last_user_vector = f->vector;
	/* #UD on "int 0x80" is how a PVM host refuses a CPL3 software int. */
	if (f->vector == 6 && ip[0] == 0xcd && ip[1] == 0x80)
		GUEST_REPORT("int80_ud", f->rip);
	else
		ucall(UCALL_REPORT, __FILE__, __LINE__, "user_fault",
		      f->vector, f->rip, f->vector == 14 ? read_cr2() : 0,
		      f->err);
	user_exit(-128 - (int64_t)f->vector);
}

/* Returns true when this trap must return through tvmm (it forwarded it). */
bool trap_dispatch(struct trap_frame *f);
bool trap_dispatch(struct trap_frame *f)
{
	if (f->vector == 0x80) {
		f->rax = do_syscall(f);
		return PV->in_forward[this_cpu()] != 0;
	}
	/* Only the idle loops enable interrupts: always at CPL0. */
	if (f->vector >= 32) {
		irq_dispatch(f);
		return false;
	}
	if (f->cs & 3) {
		user_fault(f);
		return false;
	}
	ucall(UCALL_ABORT, __FILE__, __LINE__, "kernel exception",
	      f->vector, f->rip, read_cr2(), f->err);
	for (;;)
		hlt();
}
