/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between tvmm and its guest mini-OS: the guest-physical
 * memory layout, the I/O ports (console, ucall, hypercalls), the image
 * header, the boot-info and para-virtual pages and the system call
 * numbers. Included by both sides, so it uses only fixed-width types.
 */
#ifndef TVMM_ABI_H
#define TVMM_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* Guest-physical layout; the kernel identity-maps [0, 1 GiB). */
#define TVMM_BOOTINFO_GPA	0x1000ull	/* struct tvmm_bootinfo */
#define TVMM_PV_GPA		0x2000ull	/* struct tvmm_pv, shared */
#define TVMM_GDT_GPA		0x3000ull
#define TVMM_TSS_GPA		0x4000ull	/* TVMM_TSS_STRIDE per vCPU */
#define TVMM_TSS_STRIDE		0x100ull
#define TVMM_VMM_IDT_GPA	0x5000ull	/* tvmm's trap table (fwd flow) */
#define TVMM_VMM_STUBS_GPA	0x6000	/* its entries (no ull: head.S) */
#define TVMM_VMM_STUB_SIZE	8
/*
 * After the 256 stubs: tvmm's return-from-trap (its OUT to
 * TVMM_PORT_IRET, then iretq), which the OS jumps to instead of iretq
 * when tvmm forwarded the trap, as to a hypervisor's hypercall page.
 */
#define TVMM_VMM_IRET_GPA	(TVMM_VMM_STUBS_GPA + 256 * TVMM_VMM_STUB_SIZE)
#define TVMM_VMM_SLOTS_GPA	0x7000ull	/* where each stub jumps next */
#define TVMM_PML4_GPA		0x10000ull
#define TVMM_PDPT_GPA		0x11000ull
#define TVMM_PD0_GPA		0x12000ull	/* [0, 1 GiB) in 2 MiB pages */
#define TVMM_PD3_GPA		0x13000ull	/* [3 GiB, 4 GiB): devices */
#define TVMM_LOAD_GPA		0x100000ull	/* image load address */
#define TVMM_MEM_MIN		(4ull << 20)
#define TVMM_MEM_MAX		(1ull << 30)
#define TVMM_IMAGE_MAX		(16ull << 20)
#define TVMM_MAX_VCPUS		8

/* A tiny MMIO device nobody backs with memory: every access exits. */
#define TVMM_MMIO_GPA		0xc0000000ull
#define TVMM_MMIO_SIZE		0x1000ull
#define TVMM_MMIO_ID		0x00	/* reads "TVMM" */
#define TVMM_MMIO_COUNTER	0x08	/* each read returns the next value */
#define TVMM_MMIO_SCRATCH	0x10	/* read back what was written */
#define TVMM_MMIO_ID_VALUE	0x4d4d5654u
/* Mapped by the guest's page tables but backed by nothing at all. */
#define TVMM_UNMAPPED_GPA	0xc0200000ull

/* User address space (PDPT[1]: [1 GiB, 2 GiB), user pages). */
#define TVMM_USER_TEXT		0x40000000ull
#define TVMM_USER_MMAP		0x50000000ull
#define TVMM_USER_STACK_TOP	0x7ffff000ull

/* Segment selectors of the host-built GDT. */
#define TVMM_SEL_KCODE		0x08
#define TVMM_SEL_KDATA		0x10
#define TVMM_SEL_UDATA		0x1b	/* index 3, RPL 3 */
#define TVMM_SEL_UCODE		0x23	/* index 4, RPL 3 */
#define TVMM_SEL_TSS(cpu)	(0x30 + 16 * (cpu))
#define TVMM_GDT_ENTRIES	(6 + 2 * TVMM_MAX_VCPUS)

/* Ports. Only TVMM_PORT_FWD is open to CPL3 (TSS I/O bitmap). */
#define TVMM_PORT_CONSOLE	0xe9	/* outb: one character */
#define TVMM_PORT_UCALL		0xe8	/* outl: GPA of struct tvmm_ucall */
#define TVMM_PORT_FWD		0xea	/* outb from CPL3: forwarded syscall */
#define TVMM_PORT_IRET		0xeb	/* outb: PV return-from-trap */
#define TVMM_PORT_TRAP		0xec	/* outb in tvmm's stubs: a trap */
#define TVMM_PORT_NULL		0xed	/* outb: a bare exit (benchmark) */
#define TVMM_IOBITMAP_BYTES	(TVMM_PORT_FWD / 8 + 2)

/* A selected MSR that tvmm filters to user space (not one KVM knows). */
#define TVMM_MSR_DEVICE		0x4b564eff

#ifndef __ASSEMBLER__
/* ucall: the guest's one channel to tvmm (KVM selftests style). */
enum tvmm_ucall_cmd {
	UCALL_NONE,
	UCALL_SYNC,	/* args[0] = stage; tvmm timestamps it */
	UCALL_REPORT,	/* key = value, kept for the tests */
	UCALL_ASSERT,	/* a guest assertion failed: file, line, msg */
	UCALL_ABORT,	/* unexpected kernel exception: args = vec, rip, cr2, err */
	UCALL_DONE,	/* this vCPU is finished */
	UCALL_FLOW,	/* args[0] = TVMM_FLOW_*: the next user programs' flow */
	UCALL_XLATE,	/* args[0] = GVA to walk now; msg = what it is */
	UCALL_NR
};

struct tvmm_ucall {
	uint64_t cmd;
	uint64_t line;
	uint64_t file;		/* GVA of a NUL-terminated string */
	uint64_t msg;		/* GVA of a NUL-terminated string or key */
	uint64_t args[4];
};

#endif /* !__ASSEMBLER__ */

/* Image header at offset 0 of a flat guest image. */
#define TVMM_IMAGE_MAGIC	"TVMMIMG1"
#ifndef __ASSEMBLER__
struct tvmm_image_header {
	char magic[8];
	uint64_t load;		/* GPA the image is copied to */
	uint64_t entry;		/* GPA of the 64-bit entry point */
	uint64_t end;		/* load + file size */
	uint64_t bss_end;	/* first byte past the zeroed memory */
};

#endif

/* Features tvmm tells the guest about (struct tvmm_bootinfo.features). */
#define TVMM_F_MSR_EXIT		(1u << 0)	/* TVMM_MSR_DEVICE exits */
#define TVMM_F_ZERO_HINT	(1u << 1)	/* free memory is zero: PV hint */
#define TVMM_F_TRY_DIRECT	(1u << 2)	/* try int 0x80 from CPL3 */
#define TVMM_F_TRY_FWD		(1u << 3)	/* int 0x80 forwarded by tvmm */
#define TVMM_F_TRY_PV		(1u << 4)	/* the para-virtual OUT flow */
#define TVMM_F_IRQCHIP		(1u << 5)	/* in-kernel LAPIC: timer, IPIs */

/* Interrupt vectors of the guest's LAPIC (TVMM_F_IRQCHIP only). */
#define TVMM_VEC_TIMER		0x20
#define TVMM_VEC_IPI		0x21
#define TVMM_VEC_SPURIOUS	0xff
#define TVMM_IPI_SAMPLES	64	/* wake-ups timed per idle kind */

/* UCALL_FLOW: which flow the next user programs run in. */
#define TVMM_FLOW_DIRECT	0	/* the OS's own IDT */
#define TVMM_FLOW_FWD		1	/* tvmm's trap table in its place */
#define TVMM_FLOW_PV		2	/* the OS's IDT; users OUT to tvmm */

#ifndef __ASSEMBLER__
struct tvmm_bootinfo {
	uint64_t mem_size;
	uint64_t free_start;	/* first free page past the image */
	uint32_t features;
	uint32_t nr_vcpus;
	uint64_t iters;		/* scenario parameter (loop counts) */
	uint64_t reps;		/* bench: repetitions of each phase */
	char scenario[32];
	uint64_t tsc_khz;	/* KVM_GET_TSC_KHZ; 0: unknown */
};

/* Para-virtual page shared by tvmm and the guest kernel. */
struct tvmm_pv {
	/*
	 * Indexed by vCPU: set by tvmm while a trap it forwarded runs on
	 * that vCPU, so that only that vCPU's handler returns through tvmm
	 * (one flag per VM sent a sibling's direct trap that way too).
	 */
	uint32_t in_forward[TVMM_MAX_VCPUS];
	uint64_t host_zeroed;	/* fresh pages taken: tvmm handed them out zero */
	uint64_t guest_rezeroed;	/* of those, pages the guest zeroed again */
	uint64_t guest_zeroed;	/* recycled pages the guest had to zero */
};

#endif

/*
 * System calls: int 0x80 with the number in eax (FreeBSD's numbers),
 * arguments in rdi, rsi, rdx, the result in rax.
 */
#define TVMM_SYS_exit		1
#define TVMM_SYS_write		4
#define TVMM_SYS_getpid		20
#define TVMM_SYS_nanosleep		240	/* rdi = ticks of idle */
#define TVMM_SYS_sched_yield		331
#define TVMM_SYS_mmap		477	/* rdi = bytes; returns a user address */

#define TVMM_GUEST_PID		42	/* what getpid returns */
#define TVMM_TICK_NS		1000000ull	/* idle tick: HLT exit or LAPIC timer */
/*
 * The idle scenarios' timer period, in ticks: each interrupt costs the
 * host a fixed exit, injection and wake-up (about 1 ms of CPU under TCG
 * with a debug kernel and npt=0), which 1 ms ticks made half of the
 * "idle" host CPU; a longer period shows what halting leaves free.
 */
#define TVMM_IDLE_PERIOD	10

#endif /* TVMM_ABI_H */
