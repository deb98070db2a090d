// SPDX-License-Identifier: GPL-2.0
/*
 * Long-mode bring-up done by the VMM, as firmware would: the guest's
 * 4-level page tables (identity map of guest memory in 2 MiB pages, the
 * device page, user-accessible upper levels for the guest to extend),
 * the GDT, one TSS per vCPU with an I/O bitmap that opens only
 * TVMM_PORT_FWD to CPL3, and the vCPU's control and segment registers.
 */
#include <asm/processor-flags.h>
#include <assert.h>
#include <string.h>

#include <smpkit/util.h>

#include "tvmm.h"

/* EFER is not in a uapi header: SDM vol. 3, 2.2.1 (and Linux's msr-index.h). */
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
static_assert(EFER_LMA == EFER_LME << 2, "EFER.LMA is two bits above LME");

#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_U		(1ull << 2)
#define PTE_PS		(1ull << 7)
#define PTE_PCD		(1ull << 4)
static_assert(PTE_PS == 0x80 && PTE_PCD == 0x10, "SDM vol. 3, table 4-17/4-18");

/* 64-bit TSS, as the guest's trap.c sees it. */
struct tss64 {
	uint32_t res0;
	uint64_t rsp0, rsp1, rsp2, res1, ist[7], res2;
	uint16_t res3, iomap_base;
	uint8_t iomap[TVMM_IOBITMAP_BYTES];
} __attribute__((packed));
static_assert(offsetof(struct tss64, iomap) == 104, "TSS I/O map offset");
static_assert(sizeof(struct tss64) <= TVMM_TSS_STRIDE, "TSS fits its slot");

static uint64_t *table(struct tvmm_vm *vm, uint64_t gpa)
{
	return gpa_to_hva(vm, gpa, 4096);
}

static void build_page_tables(struct tvmm_vm *vm)
{
	uint64_t *pml4 = table(vm, TVMM_PML4_GPA);
	uint64_t *pdpt = table(vm, TVMM_PDPT_GPA);
	uint64_t *pd0 = table(vm, TVMM_PD0_GPA);
	uint64_t *pd3 = table(vm, TVMM_PD3_GPA);

	/* U on the upper levels: the guest hangs user tables below them. */
	pml4[0] = TVMM_PDPT_GPA | PTE_P | PTE_W | PTE_U;
	pdpt[0] = TVMM_PD0_GPA | PTE_P | PTE_W;
	pdpt[3] = TVMM_PD3_GPA | PTE_P | PTE_W;
	for (uint64_t a = 0; a < vm->mem_size; a += 2ull << 20)
		pd0[a >> 21] = a | PTE_P | PTE_W | PTE_PS;
	/* Device page and the deliberately unbacked page after it. */
	pd3[0] = TVMM_MMIO_GPA | PTE_P | PTE_W | PTE_PS | PTE_PCD;
	pd3[1] = TVMM_UNMAPPED_GPA | PTE_P | PTE_W | PTE_PS | PTE_PCD;
}

/* A flat code/data descriptor (SDM vol. 3, 3.4.5). */
static uint64_t seg_desc(unsigned int type, unsigned int dpl, bool code)
{
	return 0xffffull | (0xfull << 48) |	/* limit 0xfffff */
	       ((uint64_t)type << 40) | (1ull << 44) |	/* S: code/data */
	       ((uint64_t)dpl << 45) | (1ull << 47) |	/* P */
	       (code ? 1ull << 53 : 1ull << 54) |	/* L or D/B */
	       (1ull << 55);				/* G */
}

static void build_gdt_tss(struct tvmm_vm *vm)
{
	uint64_t *gdt = gpa_to_hva(vm, TVMM_GDT_GPA, TVMM_GDT_ENTRIES * 8);

	gdt[TVMM_SEL_KCODE >> 3] = seg_desc(0xb, 0, true);
	gdt[TVMM_SEL_KDATA >> 3] = seg_desc(0x3, 0, false);
	gdt[TVMM_SEL_UDATA >> 3] = seg_desc(0x3, 3, false);
	gdt[TVMM_SEL_UCODE >> 3] = seg_desc(0xb, 3, true);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		uint64_t base = TVMM_TSS_GPA + i * TVMM_TSS_STRIDE;
		uint64_t limit = sizeof(struct tss64) - 1;
		struct tss64 *tss = gpa_to_hva(vm, base, sizeof(*tss));
		int idx = TVMM_SEL_TSS(i) >> 3;

		memset(tss, 0, sizeof(*tss));
		tss->iomap_base = offsetof(struct tss64, iomap);
		/* Every port closed to CPL3 but the forwarded-syscall one. */
		memset(tss->iomap, 0xff, sizeof(tss->iomap));
		tss->iomap[TVMM_PORT_FWD / 8] &= ~(1u << (TVMM_PORT_FWD % 8));
		/* bench: a user program times bare exits beside its calls. */
		tss->iomap[TVMM_PORT_NULL / 8] &= ~(1u << (TVMM_PORT_NULL % 8));
		gdt[idx] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			   (0x9ull << 40) | (1ull << 47) |	/* avail TSS, P */
			   (((base >> 24) & 0xff) << 56);
		gdt[idx + 1] = base >> 32;
	}
}

void tvmm_setup_longmode(struct tvmm_vm *vm)
{
	build_page_tables(vm);
	build_gdt_tss(vm);
	tvmm_trap_stubs(vm);
}

static struct kvm_segment seg(uint16_t sel, bool code, unsigned int dpl)
{
	return (struct kvm_segment) {
		.selector = sel, .base = 0, .limit = 0xffffffff,
		.type = code ? 0xb : 0x3, .present = 1, .dpl = dpl,
		.db = !code, .s = 1, .l = code, .g = 1,
	};
}

void tvmm_seg_kernel(struct kvm_sregs *s)
{
	s->cs = seg(TVMM_SEL_KCODE, true, 0);
	s->ss = seg(TVMM_SEL_KDATA, false, 0);
}

void tvmm_vcpu_setup(struct tvmm_vcpu *vcpu)
{
	struct tvmm_vm *vm = vcpu->vm;
	struct kvm_sregs s;
	struct kvm_regs r = { 0 };

	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	s.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		X86_CR0_WP | X86_CR0_PG;
	s.cr4 = X86_CR4_PAE;
	s.cr3 = TVMM_PML4_GPA;
	s.efer = EFER_LME | EFER_LMA;
	tvmm_seg_kernel(&s);
	s.ds = s.es = s.fs = s.gs = s.ss;
	s.gdt.base = TVMM_GDT_GPA;
	s.gdt.limit = TVMM_GDT_ENTRIES * 8 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;	/* the guest installs its own */
	s.tr = (struct kvm_segment) {
		.selector = TVMM_SEL_TSS(vcpu->id),
		.base = TVMM_TSS_GPA + vcpu->id * TVMM_TSS_STRIDE,
		.limit = sizeof(struct tss64) - 1, .type = 0xb, .present = 1,
	};
	s.ldt = (struct kvm_segment) { .type = 0x2, .present = 1,
				       .unusable = 1 };
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &s);
	r.rip = vm->entry;
	r.rdi = vcpu->id;
	r.rflags = 0x2;		/* reserved bit 1; IF clear: no interrupts */
	kvm_ioctl(vcpu->fd, KVM_SET_REGS, &r);
}
