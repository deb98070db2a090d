// SPDX-License-Identifier: GPL-2.0
/*
 * Trap-and-forward system calls (Disco; the textbook's Table B.3), made
 * para-virtual: the user's OUT to TVMM_PORT_FWD exits to tvmm, which does
 * what the hardware does for int 0x80 (push the iret frame on the TSS
 * rsp0 stack, switch to CPL0, enter the OS's handler); the OS's
 * return-from-trap is a jump to tvmm's own (TVMM_VMM_IRET_GPA: an OUT to
 * TVMM_PORT_IRET, then iretq): tvmm checks the frame at the OUT's exit
 * and its iretq pops it back to CPL3. Two exits per system call.
 *
 * tvmm learns the handler from the trap table the OS loaded: the IDTR of
 * this exit and the gate it points at in guest memory. The hot path
 * makes no system call of its own: registers come from kvm_run
 * (regs.c), guest addresses are walked in guest memory (no pagemap),
 * and only the entry hands registers back. No extra KVM_RUN completes
 * an OUT: KVM skips the instruction on the next KVM_RUN only while RIP
 * is still where the exit left it (complete_fast_pio_out()). The return
 * leaves RIP there, so KVM steps on to tvmm's iretq; the entry moves
 * RIP, so tvmm computes the return address itself.
 */
#include <asm/processor-flags.h>
#include <string.h>

#include <smpkit/util.h>

#include "tvmm.h"

#define GATE_PRESENT	0x80

volatile struct tvmm_pv *tvmm_pv(struct tvmm_vm *vm)
{
	return gpa_to_hva(vm, TVMM_PV_GPA, sizeof(struct tvmm_pv));
}

/* @len bytes at @gva through the guest's page tables, within one page. */
void *tvmm_guest_ptr(struct tvmm_vcpu *vcpu, uint64_t cr3, uint64_t gva,
		     uint64_t len)
{
	struct tvmm_xlate x;

	if (tvmm_walk(vcpu->vm, cr3, gva, &x) || !x.mapped ||
	    (x.gpa & 4095) > 4096 - len)
		return NULL;
	return gpa_to_hva(vcpu->vm, x.gpa, len);
}

/* The handler of @vec in the IDT the guest OS loaded (its IDTR). */
bool tvmm_os_handler(struct tvmm_vcpu *vcpu, uint64_t cr3,
		     const struct kvm_dtable *idt, unsigned int vec,
		     uint64_t *rip)
{
	const uint8_t *g = NULL;

	if (idt->limit >= vec * 16 + 15)
		g = tvmm_guest_ptr(vcpu, cr3, idt->base + vec * 16, 16);
	if (!g || !(g[5] & GATE_PRESENT)) {
		vcpu_fail(vcpu, "no present gate for vector %#x in the guest's IDT (base %#llx, limit %#x)",
			  vec, idt->base, idt->limit);
		return false;
	}
	/* 64-bit gate: offset 15:0 at 0, 31:16 at 6, 63:32 at 8. */
	*rip = (uint64_t)(g[0] | g[1] << 8) |
	       (uint64_t)(g[6] | g[7] << 8) << 16 |
	       (uint64_t)(g[8] | g[9] << 8 | g[10] << 16 |
			  (uint32_t)g[11] << 24) << 32;
	return true;
}

/* The length of the OUT at RIP: only the two forms the guest uses. */
static int out_len(struct tvmm_vcpu *vcpu, const struct kvm_regs *r,
		   const struct kvm_sregs *s, uint16_t port)
{
	const uint8_t *b = tvmm_guest_ptr(vcpu, s->cr3, r->rip, 2);

	if (b && b[0] == 0xe6 && b[1] == port)
		return 2;		/* out %al, $imm8 */
	if (b && b[0] == 0xee)
		return 1;		/* out %al, %dx */
	vcpu_fail(vcpu, "no OUT to port %#x at RIP %#llx", port, r->rip);
	return 0;
}

bool tvmm_forward_syscall(struct tvmm_vcpu *vcpu)
{
	struct tvmm_vm *vm = vcpu->vm;
	struct kvm_regs *r;
	struct kvm_sregs *s;
	uint64_t handler, rsp0, *frame;
	void *tss_rsp0;
	int len;

	if (!tvmm_regs_get(vcpu, &r, &s))
		return false;
	if ((s->cs.selector & 3) != 3) {
		vcpu_fail(vcpu, "forwarded-syscall port used from CPL%d at RIP %#llx",
			  s->cs.selector & 3, r->rip);
		return false;
	}
	len = out_len(vcpu, r, s, TVMM_PORT_FWD);
	if (!len || !tvmm_os_handler(vcpu, s->cr3, &s->idt, 0x80, &handler))
		return false;
	/* As the CPU does: the stack is the TSS's rsp0 (at offset 4). */
	tss_rsp0 = tvmm_guest_ptr(vcpu, s->cr3, s->tr.base + 4, 8);
	if (!tss_rsp0) {
		vcpu_fail(vcpu, "guest TSS at %#llx is not mapped", s->tr.base);
		return false;
	}
	/* Offset 4: never 8-byte aligned (UBSan in the rig said so). */
	memcpy(&rsp0, tss_rsp0, sizeof(rsp0));
	rsp0 = (rsp0 & ~15ull) - 40;
	frame = tvmm_guest_ptr(vcpu, s->cr3, rsp0, 40);
	if (!frame) {
		vcpu_fail(vcpu, "guest TSS rsp0 %#llx is not mapped",
			  (unsigned long long)rsp0 + 40);
		return false;
	}
	frame[0] = r->rip + len;
	frame[1] = s->cs.selector;
	frame[2] = r->rflags;
	frame[3] = r->rsp;
	frame[4] = s->ss.selector;
	/* As an interrupt gate would: IF, TF, NT, RF and AC cleared. */
	r->rflags &= ~(X86_EFLAGS_IF | X86_EFLAGS_TF | X86_EFLAGS_NT |
		       X86_EFLAGS_RF | X86_EFLAGS_AC);
	r->rsp = rsp0;
	r->rip = handler;
	tvmm_seg_kernel(s);
	tvmm_pv(vm)->in_forward[vcpu->id] = 1;
	tvmm_trace(vcpu, "IO forward syscall %llu from CPL3 at %#llx to handler %#llx",
		   (unsigned long long)(r->rax & 0xffffffff),
		   (unsigned long long)frame[0], (unsigned long long)handler);
	return tvmm_regs_put(vcpu, TVMM_REGS | TVMM_SREGS);
}

bool tvmm_forward_return(struct tvmm_vcpu *vcpu)
{
	struct tvmm_vm *vm = vcpu->vm;
	struct kvm_regs *r;
	struct kvm_sregs *s;
	uint64_t *frame;

	if (!tvmm_regs_get(vcpu, &r, &s))
		return false;
	if ((s->cs.selector & 3) || !tvmm_pv(vm)->in_forward[vcpu->id] ||
	    r->rip != TVMM_VMM_IRET_GPA) {
		vcpu_fail(vcpu, "return-from-trap hypercall outside a forwarded trap or tvmm's return (RIP %#llx)",
			  r->rip);
		return false;
	}
	frame = tvmm_guest_ptr(vcpu, s->cr3, r->rsp, 40);
	if (!frame || frame[1] != TVMM_SEL_UCODE || frame[4] != TVMM_SEL_UDATA) {
		vcpu_fail(vcpu, "bad return frame at %#llx", r->rsp);
		return false;
	}
	/*
	 * KVM steps over the OUT and tvmm's iretq pops the frame tvmm
	 * checked: nothing is handed back to KVM. Writing RIP, RSP, RFLAGS
	 * and the user segments here instead made KVM reload every segment,
	 * control register and the APIC base on the next KVM_RUN.
	 */
	tvmm_pv(vm)->in_forward[vcpu->id] = 0;
	tvmm_trace(vcpu, "IO return-from-trap to CPL3 at %#llx",
		   (unsigned long long)frame[0]);
	return true;
}
