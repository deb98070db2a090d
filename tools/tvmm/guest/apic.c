// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's interrupt sources, when tvmm gave the VM an in-kernel
 * irqchip (TVMM_F_IRQCHIP): each vCPU's local APIC in x2APIC mode, so
 * every register is an MSR that KVM emulates without a page mapping or
 * an exit to tvmm. Its timer ticks the idle loops and its ICR sends
 * IPIs. Without the irqchip there is no interrupt at all, and idling is
 * a bare HLT that exits to tvmm, which sleeps a tick.
 */
#include "guest.h"

#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EXTD	(1ull << 10)	/* x2APIC mode */
#define APIC_BASE_EN	(1ull << 11)
#define X2APIC_EOI	0x80b
#define X2APIC_SVR	0x80f
#define X2APIC_ICR	0x830
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_TMICT	0x838
#define X2APIC_TMCCT	0x839
#define X2APIC_TDCR	0x83e
#define SVR_ENABLE	(1u << 8)
#define LVT_MASKED	(1u << 16)
#define LVT_PERIODIC	(1u << 17)
#define TDCR_DIV1	0xb
#define ICR_ASSERT	(1u << 14)

volatile uint64_t irq_ticks[TVMM_MAX_VCPUS], irq_ipis[TVMM_MAX_VCPUS];
volatile uint64_t ipi_wake_tsc[TVMM_MAX_VCPUS];
static uint32_t tick_count;	/* timer counts in one TVMM_TICK_NS */

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32)) : "memory");
}

uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

uint64_t tsc_ns(uint64_t cycles)
{
	uint64_t khz = BOOTINFO->tsc_khz;

	return khz ? cycles * 1000000 / khz : cycles;
}

/* Busy-waits @ns of TSC time (a bare pause count when it is unknown). */
void tsc_delay(uint64_t ns)
{
	uint64_t khz = BOOTINFO->tsc_khz, t0 = rdtsc();

	if (!khz) {
		for (uint64_t i = 0; i < ns; i++)
			asm volatile("pause");
		return;
	}
	while (rdtsc() - t0 < ns * khz / 1000000)
		asm volatile("pause");
}

bool have_irqchip(void)
{
	return BOOTINFO->features & TVMM_F_IRQCHIP;
}

void apic_init(void)
{
	if (!have_irqchip())
		return;
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN |
	      APIC_BASE_EXTD);
	wrmsr(X2APIC_SVR, SVR_ENABLE | TVMM_VEC_SPURIOUS);
	wrmsr(X2APIC_LVT_TIMER, LVT_MASKED | TVMM_VEC_TIMER);
	wrmsr(X2APIC_TDCR, TDCR_DIV1);
}

/*
 * The timer counts at KVM's APIC bus rate, which the guest cannot read
 * (1 GHz by default, configurable since Linux 6.10): count it against
 * the TSC for one tick instead.
 */
static uint32_t calibrate(void)
{
	uint64_t left;

	if (!BOOTINFO->tsc_khz)
		return TVMM_TICK_NS;	/* KVM's default 1 ns a count */
	wrmsr(X2APIC_LVT_TIMER, LVT_MASKED | TVMM_VEC_TIMER);
	wrmsr(X2APIC_TMICT, 0xffffffffu);
	tsc_delay(TVMM_TICK_NS);
	left = rdmsr(X2APIC_TMCCT);
	wrmsr(X2APIC_TMICT, 0);
	return left < 0xffffffffu ? 0xffffffffu - left : TVMM_TICK_NS;
}

static void timer_start(uint32_t period)
{
	uint64_t count;

	if (!tick_count)
		tick_count = calibrate();
	count = (uint64_t)tick_count * period;
	wrmsr(X2APIC_LVT_TIMER, LVT_PERIODIC | TVMM_VEC_TIMER);
	wrmsr(X2APIC_TMICT, count < 0xffffffffu ? count : 0xffffffffu);
}

static void timer_stop(void)
{
	wrmsr(X2APIC_TMICT, 0);
	wrmsr(X2APIC_LVT_TIMER, LVT_MASKED | TVMM_VEC_TIMER);
}

void send_ipi(unsigned int cpu, uint8_t vec)
{
	wrmsr(X2APIC_ICR, ((uint64_t)cpu << 32) | ICR_ASSERT | vec);
}

/*
 * Waits with interrupts on until *@count moves past @seen: sti's
 * one-instruction shadow means an interrupt already pending is taken
 * after the hlt (or pause) has begun, never lost before it. Returns
 * how many times the loop went round.
 */
uint64_t wait_irq(volatile uint64_t *count, uint64_t seen, bool spin)
{
	uint64_t loops = 0;

	while (*count == seen) {
		if (spin)
			asm volatile("sti; pause; cli" : : : "memory");
		else
			asm volatile("sti; hlt; cli" : : : "memory");
		loops++;
	}
	return loops;
}

/*
 * @n timer interrupts of idle, @period ticks apart. With the irqchip the
 * LAPIC timer wakes the vCPU (HLT blocks in KVM, tvmm never sees it) or
 * a pause loop spins until it fires; without, each HLT exits and tvmm
 * sleeps one tick whatever @period asks. Returns the HLTs (or pauses)
 * executed.
 */
uint64_t idle_ticks(uint64_t n, uint32_t period, bool spin)
{
	unsigned int cpu = this_cpu();
	uint64_t loops = 0;

	if (!have_irqchip()) {
		GUEST_ASSERT(!spin);
		for (uint64_t i = 0; i < n; i++)
			hlt();
		return n;
	}
	timer_start(period);
	for (uint64_t i = 0; i < n; i++)
		loops += wait_irq(&irq_ticks[cpu], irq_ticks[cpu], spin);
	timer_stop();
	return loops;
}

void irq_dispatch(struct trap_frame *f)
{
	unsigned int cpu = this_cpu();

	if (f->vector == TVMM_VEC_SPURIOUS)
		return;		/* no EOI for a spurious interrupt */
	if (f->vector == TVMM_VEC_IPI) {
		ipi_wake_tsc[cpu] = rdtsc();
		irq_ipis[cpu]++;
	} else if (f->vector == TVMM_VEC_TIMER) {
		irq_ticks[cpu]++;
	}
	wrmsr(X2APIC_EOI, 0);
}
