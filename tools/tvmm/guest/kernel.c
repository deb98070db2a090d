// SPDX-License-Identifier: GPL-2.0
/*
 * The guest mini-OS's main: installs its traps, then runs the scenario
 * tvmm named in the boot-info page. Each scenario reports what it saw
 * through ucalls so the host side (and the selftests) can check it.
 * vCPUs other than 0 only take part in the "smp*" scenarios.
 */
#include "guest.h"

void user_direct(uint64_t arg);
void user_pv(uint64_t arg);
void user_bench_direct(uint64_t n);
void user_bench_pv(uint64_t n);
void user_pair_direct(uint64_t n);
void user_pair_pv(uint64_t n);
void user_smp_pv(uint64_t n);
void user_smp_direct(uint64_t n);
void kmain(uint64_t cpu);

static bool is(const char *name)
{
	return !strcmp((const char *)BOOTINFO->scenario, name);
}

static void check_cpuid(void)
{
	uint32_t a = 0x40000000, b, c = 0, d;
	char sig[13];

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	GUEST_REPORT("cpuid_tvmm_sig", !strcmp(sig, "TVMMtvmmTVMM"));
}

static void check_mmio(void)
{
	volatile uint64_t *dev = (volatile uint64_t *)TVMM_MMIO_GPA;
	uint64_t c0, c1;

	GUEST_ASSERT_EQ(*(volatile uint32_t *)TVMM_MMIO_GPA,
			TVMM_MMIO_ID_VALUE);
	dev[TVMM_MMIO_SCRATCH / 8] = 0xfeedfacecafef00dull;
	GUEST_ASSERT_EQ(dev[TVMM_MMIO_SCRATCH / 8], 0xfeedfacecafef00dull);
	c0 = dev[TVMM_MMIO_COUNTER / 8];
	c1 = dev[TVMM_MMIO_COUNTER / 8];
	GUEST_ASSERT_EQ(c1, c0 + 1);
	GUEST_REPORT("mmio_accesses", 5);
}

static void check_msr(void)
{
	uint32_t lo, hi;

	if (!(BOOTINFO->features & TVMM_F_MSR_EXIT))
		return;
	asm volatile("wrmsr" : : "c"(TVMM_MSR_DEVICE), "a"(0x89abcdef),
		     "d"(0x01234567));
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(TVMM_MSR_DEVICE));
	GUEST_ASSERT_EQ(((uint64_t)hi << 32) | lo, 0x0123456789abcdefull);
	GUEST_REPORT("msr_accesses", 2);
}

/* The flow the next user programs run in; tvmm swaps trap tables. */
static void flow(uint64_t f)
{
	ucall(UCALL_FLOW, __FILE__, __LINE__, "flow", f, 0, 0, 0);
}

/* The same user program, int 0x80 and all, for direct and fwd. */
static const struct {
	const char *name;
	uint32_t feature;
	uint64_t flow;
	void (*prog)(uint64_t arg), (*bench)(uint64_t n), (*pair)(uint64_t n);
} flows[] = {
	{ "direct", TVMM_F_TRY_DIRECT, TVMM_FLOW_DIRECT, user_direct,
	  user_bench_direct, user_pair_direct },
	{ "fwd", TVMM_F_TRY_FWD, TVMM_FLOW_FWD, user_direct,
	  user_bench_direct, user_pair_direct },
	{ "pv", TVMM_F_TRY_PV, TVMM_FLOW_PV, user_pv, user_bench_pv,
	  user_pair_pv },
};

/* "@a@sep@b" in @buf (32 bytes: the names here are short). */
static const char *join(char *buf, const char *a, char sep, const char *b)
{
	size_t la = strlen(a);

	memcpy(buf, a, la);
	buf[la] = sep;
	memcpy(buf + la + 1, b, strlen(b) + 1);
	return buf;
}

static void demo(void)
{
	char key[32];

	kprint("tvmm guest: long mode, traps installed\n");
	check_cpuid();
	check_mmio();
	check_msr();
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t d = direct_syscalls[0], f = forwarded_syscalls[0];

		if (!(BOOTINFO->features & flows[i].feature))
			continue;
		flow(flows[i].flow);
		GUEST_REPORT(join(key, flows[i].name, '_', "exit"),
			     run_user((uint64_t)flows[i].prog, 0));
		flow(TVMM_FLOW_DIRECT);
		/* Which flow served the calls, as the handler saw it. */
		GUEST_REPORT(join(key, flows[i].name, '_', "fwd"),
			     forwarded_syscalls[0] - f);
		GUEST_REPORT(join(key, flows[i].name, '_', "direct"),
			     direct_syscalls[0] - d);
	}
	GUEST_REPORT("user_faults", user_faults);
}

/*
 * Per-call cost of each flow beside a bare exit (an OUT tvmm only
 * counts), @reps times over: tvmm times the spans between the SYNCs.
 */
static void bench(void)
{
	uint64_t n = BOOTINFO->iters;
	char stage[32];

	for (uint64_t rep = 0; rep < BOOTINFO->reps; rep++) {
		GUEST_SYNC("exit-begin", n);
		for (uint64_t i = 0; i < n; i++)
			outb(TVMM_PORT_NULL, 0);
		GUEST_SYNC("exit-end", n);
		for (unsigned int i = 0; i < 3; i++) {
			if (!(BOOTINFO->features & flows[i].feature))
				continue;
			flow(flows[i].flow);
			GUEST_SYNC(join(stage, flows[i].name, '-', "begin"), n);
			run_user((uint64_t)flows[i].bench, n);
			GUEST_SYNC(join(stage, flows[i].name, '-', "end"), n);
			flow(TVMM_FLOW_DIRECT);
		}
	}
	/* Each flow's call timed in turn with a bare exit (user.c). */
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t code;

		if (!(BOOTINFO->features & flows[i].feature))
			continue;
		flow(flows[i].flow);
		code = run_user((uint64_t)flows[i].pair, n);
		flow(TVMM_FLOW_DIRECT);
		GUEST_REPORT(join(stage, flows[i].name, '_', "pair_exit"),
			     tsc_ns(code & 0xffffffff));
		GUEST_REPORT(join(stage, flows[i].name, '_', "pair_call"),
			     tsc_ns(code >> 32));
	}
	GUEST_REPORT("direct_syscalls", direct_syscalls[0]);
	GUEST_REPORT("forwarded_syscalls", forwarded_syscalls[0]);
}

/* Demand-zero: take @iters fresh pages; the hint decides who zeroes. */
static void zero(void)
{
	uint64_t n = BOOTINFO->iters, va;

	GUEST_SYNC("zero-begin", n);
	va = user_mmap(n * PAGE_SIZE);
	GUEST_SYNC("zero-end", n);
	GUEST_ASSERT(va == TVMM_USER_MMAP);
	GUEST_REPORT("host_zeroed", PV->host_zeroed);
	GUEST_REPORT("guest_rezeroed", PV->guest_rezeroed);
	GUEST_REPORT("guest_zeroed", PV->guest_zeroed);
}

/* Figure B.1: walk addresses whose mapping the guest knows. */
static void xlate(void)
{
	uint64_t va = user_mmap(3 * PAGE_SIZE);
	volatile uint64_t *p = (volatile uint64_t *)(va + PAGE_SIZE + 8);

	*p = 0x74766d6d78616c74ull;	/* "tvmmxalt": found via the host */
	GUEST_XLATE("user mmap page (pattern)", (uint64_t)p);
	GUEST_XLATE("kernel text (kmain)", (uint64_t)kmain);
	GUEST_XLATE("bootinfo page", TVMM_BOOTINFO_GPA);
	GUEST_XLATE("user text", TVMM_USER_TEXT);
	GUEST_XLATE("unmapped user address", TVMM_USER_MMAP + 0x1000000);
	user_space_reset();
}

static void busy(void)
{
	volatile uint64_t x = 0;

	for (uint64_t i = 0; i < BOOTINFO->iters * 1000; i++)
		x += i;
	GUEST_REPORT("busy_loops", BOOTINFO->iters * 1000);
}

static volatile uint32_t lock, smp_arrived, smp_finished;
static volatile uint64_t smp_counter;

static void smp(uint64_t cpu)
{
	uint32_t ncpu = BOOTINFO->nr_vcpus;

	__atomic_add_fetch(&smp_arrived, 1, __ATOMIC_SEQ_CST);
	while (smp_arrived < ncpu)
		asm volatile("pause");
	for (uint64_t i = 0; i < BOOTINFO->iters; i++) {
		while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
			asm volatile("pause");
		smp_counter = smp_counter + 1;	/* not atomic: the lock is */
		__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
	}
	__atomic_add_fetch(&smp_finished, 1, __ATOMIC_SEQ_CST);
	if (cpu)
		return;
	while (smp_finished < ncpu)
		asm volatile("pause");
	GUEST_ASSERT_EQ(smp_counter, BOOTINFO->iters * ncpu);
	GUEST_REPORT("smp_counter", smp_counter);
}

static void smp_barrier(volatile uint32_t *count, uint32_t n)
{
	__atomic_add_fetch(count, 1, __ATOMIC_SEQ_CST);
	while (*count < n)
		asm volatile("pause");
}

/*
 * Two user processes at once: vCPU 0's makes forwarded calls, each held
 * in its handler until vCPU 1's has made direct calls meanwhile. Each
 * vCPU reports what its own handler counted: a direct call must never
 * be taken for a forwarded one, nor return through tvmm.
 */
static volatile uint32_t fwd_ready, fwd_mapped, fwd_done;

static void smp_fwd(uint64_t cpu)
{
	uint64_t code;

	if (cpu > 1)
		return;
	smp_barrier(&fwd_ready, 2);
	if (cpu == 0) {
		user_map_program(2);
		overlap_wait = true;
		__atomic_store_n(&fwd_mapped, 1, __ATOMIC_SEQ_CST);
		code = run_user_mapped((uint64_t)user_smp_pv, BOOTINFO->iters);
	} else {
		while (!fwd_mapped)
			asm volatile("pause");
		code = run_user_mapped((uint64_t)user_smp_direct, 0);
	}
	GUEST_REPORT("user_exit", code);
	GUEST_REPORT("direct_syscalls", direct_syscalls[cpu]);
	GUEST_REPORT("forwarded_syscalls", forwarded_syscalls[cpu]);
	smp_barrier(&fwd_done, 2);
	if (cpu == 0) {
		GUEST_REPORT("overlaps", overlaps);
		user_space_reset();
	}
}

/* Faults on purpose, to show how tvmm reports each. */
static void fault(void)
{
	if (is("runaway")) {
		for (;;)
			asm volatile("" : : : "memory");
	} else if (is("unmapped")) {
		GUEST_REPORT("unmapped_value",
			     *(volatile uint64_t *)TVMM_UNMAPPED_GPA);
	} else if (is("triple-fault")) {
		struct {
			uint16_t limit;
			uint64_t base;
		} __attribute__((packed)) none = { 0, 0 };

		asm volatile("lidt %0; ud2" : : "m"(none));
	} else if (is("kernel-fault")) {
		GUEST_REPORT("value", *(volatile uint64_t *)0x80000000ull);
	} else if (is("assert")) {
		GUEST_ASSERT_EQ(BOOTINFO->nr_vcpus, 1000);
	}
}

/* smp-fail: the last vCPU fails while the others spin for ever. */
static void smp_fail(uint64_t cpu)
{
	if (cpu + 1 == BOOTINFO->nr_vcpus)
		GUEST_ASSERT_EQ(cpu, 1000);
	for (;;)
		asm volatile("pause" : : : "memory");
}

void kmain(uint64_t cpu)
{
	trap_init(cpu);
	apic_init();
	if (cpu == 0)
		mm_init();
	if (is("smp"))
		smp(cpu);
	else if (is("smp-fwd"))
		smp_fwd(cpu);
	else if (is("smp-fail"))
		smp_fail(cpu);
	else if (is("ipi"))
		ipi_scenario(cpu);
	else if (cpu != 0)
		;
	else if (is("demo"))
		demo();
	else if (is("bench"))
		bench();
	else if (is("zero"))
		zero();
	else if (is("xlate"))
		xlate();
	else if (is("idle"))
		idle_scenario(false);
	else if (is("idle-spin"))
		idle_scenario(true);
	else if (is("busy"))
		busy();
	else
		fault();
	GUEST_DONE();
}
