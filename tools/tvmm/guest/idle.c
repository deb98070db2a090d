// SPDX-License-Identifier: GPL-2.0
/*
 * The idle scenarios. "idle" and "idle-spin" wait out --iters timer
 * interrupts TVMM_IDLE_PERIOD ticks apart, halting or spinning, so that
 * tvmm can compare the host CPU time each burns. "ipi" times how long vCPU 1 takes to wake from an IPI that
 * vCPU 0 sends, halted and then spinning, in the same boot.
 */
#include "guest.h"

void idle_scenario(bool spin)
{
	uint64_t t0 = irq_ticks[0], loops;

	GUEST_SYNC("idle-begin", BOOTINFO->iters);
	loops = idle_ticks(BOOTINFO->iters, TVMM_IDLE_PERIOD, spin);
	GUEST_SYNC("idle-end", BOOTINFO->iters);
	GUEST_REPORT("halts", spin ? 0 : loops);
	GUEST_REPORT("spins", spin ? loops : 0);
	GUEST_REPORT("ticks", irq_ticks[0] - t0);
}

static void sort(uint64_t *a, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j && a[j - 1] > a[j]; j--) {
			uint64_t t = a[j];

			a[j] = a[j - 1];
			a[j - 1] = t;
		}
}

static volatile uint64_t ipi_armed, ipi_sent_tsc;
static volatile uint32_t ipi_arrived;

/* vCPU 0's side: @n IPIs to a vCPU 1 that halts (or spins) for each. */
static void ipi_send(unsigned int kind, unsigned int n, uint64_t *lat)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t seq = kind * n + i + 1, wake;

		while (ipi_armed != seq)
			asm volatile("pause");
		/* Long enough for vCPU 1 to be really blocked in KVM. */
		tsc_delay(TVMM_TICK_NS);
		ipi_sent_tsc = rdtsc();
		send_ipi(1, TVMM_VEC_IPI);
		while (irq_ipis[1] != seq)
			asm volatile("pause");
		wake = ipi_wake_tsc[1];
		lat[i] = wake > ipi_sent_tsc ? tsc_ns(wake - ipi_sent_tsc) : 0;
	}
}

static void report_lat(const char *kind, uint64_t *lat, unsigned int n)
{
	char key[32] = "ipi_";
	size_t k = strlen(key) + strlen(kind);

	sort(lat, n);
	memcpy(key + 4, kind, strlen(kind));
	memcpy(key + k, "_min_ns", 8);
	GUEST_REPORT(key, lat[0]);
	memcpy(key + k, "_med_ns", 8);
	GUEST_REPORT(key, lat[n / 2]);
	memcpy(key + k, "_max_ns", 8);
	GUEST_REPORT(key, lat[n - 1]);
}

void ipi_scenario(uint64_t cpu)
{
	unsigned int n = BOOTINFO->iters < TVMM_IPI_SAMPLES ?
			 BOOTINFO->iters : TVMM_IPI_SAMPLES;
	uint64_t lat[2][TVMM_IPI_SAMPLES], loops = 0;

	if (cpu > 1)
		return;
	GUEST_ASSERT(have_irqchip());
	GUEST_ASSERT(BOOTINFO->nr_vcpus >= 2);
	__atomic_add_fetch(&ipi_arrived, 1, __ATOMIC_SEQ_CST);
	while (ipi_arrived < 2)
		asm volatile("pause");
	for (unsigned int kind = 0; kind < 2; kind++) {
		if (cpu == 0) {
			ipi_send(kind, n, lat[kind]);
			continue;
		}
		for (unsigned int i = 0; i < n; i++) {
			uint64_t seen = irq_ipis[1];

			__atomic_store_n(&ipi_armed, kind * n + i + 1,
					 __ATOMIC_SEQ_CST);
			loops += wait_irq(&irq_ipis[1], seen, kind == 1);
		}
	}
	if (cpu == 1) {
		GUEST_REPORT("ipis", irq_ipis[1]);
		GUEST_REPORT("wait_loops", loops);
		return;
	}
	report_lat("hlt", lat[0], n);
	report_lat("spin", lat[1], n);
	GUEST_REPORT("ipis_sent", 2 * n);
}
