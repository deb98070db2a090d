// SPDX-License-Identifier: GPL-2.0
/*
 * Trap-and-forward system calls (Disco; the textbook's Table B.3), made
 * para-virtual: the user's OUT to TVMM_PORT_FWD exits to tvmm, which does
 * what the hardware does for int 0x80 (push the iret frame on the TSS
 * rsp0 stack, switch to CPL0, enter the handler the OS registered with
 * SET_TRAPS); the OS's return-from-trap is an OUT to TVMM_PORT_IRET, and
 * tvmm pops the frame back to CPL3. Two exits per system call.
 */
#include <asm/processor-flags.h>
#include <string.h>

#include <smpkit/util.h>

#include "tvmm.h"

/*
 * A PIO exit is complete (RIP past the OUT) only after the next KVM_RUN;
 * with immediate_exit that run completes it and returns at once, so the
 * registers read next are the ones after the instruction. The watchdog
 * sets immediate_exit too (after vm->stop, see kick_all()): never clear
 * a kick it made meanwhile, or the next KVM_RUN would enter the guest.
 */
void vcpu_complete_io(struct tvmm_vcpu *vcpu)
{
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	__kvm_ioctl(vcpu->fd, KVM_RUN, NULL);
	if (!__atomic_load_n(&vcpu->vm->stop, __ATOMIC_SEQ_CST))
		__atomic_store_n(&vcpu->run->immediate_exit, 0,
				 __ATOMIC_SEQ_CST);
}

/*
 * KVM reports TR as busy (type 11) and VMX insists on it, but QEMU's TCG
 * (our VM rig's nested SVM) checks the I/O bitmap only for type 9, what
 * its LTR leaves in TR. SVM itself accepts either, so give it back 9
 * there, or the user's next OUT to TVMM_PORT_FWD takes a #GP.
 */
static void set_sregs(struct tvmm_vcpu *vcpu, struct kvm_sregs *s)
{
	if (vcpu->vm->host->svm)
		s->tr.type = 9;
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, s);
}

static volatile struct tvmm_pv *pv(struct tvmm_vm *vm)
{
	return gpa_to_hva(vm, TVMM_PV_GPA, sizeof(struct tvmm_pv));
}

/* The kernel stack is identity-mapped, but walk it like the CPU would. */
static uint64_t *stack_hva(struct tvmm_vcpu *vcpu, uint64_t cr3, uint64_t gva)
{
	struct tvmm_xlate x;

	if (tvmm_xlate(vcpu->vm, cr3, gva, &x) || !x.mapped ||
	    (x.gpa & 4095) > 4096 - 40)
		return NULL;
	return gpa_to_hva(vcpu->vm, x.gpa, 40);
}

bool tvmm_forward_syscall(struct tvmm_vcpu *vcpu)
{
	struct tvmm_vm *vm = vcpu->vm;
	struct kvm_regs r;
	struct kvm_sregs s;
	uint64_t rsp0, *frame;

	if (!vm->syscall_handler) {
		vcpu_fail(vcpu, "forwarded system call before the guest OS registered its trap table");
		return false;
	}
	vcpu_complete_io(vcpu);
	kvm_ioctl(vcpu->fd, KVM_GET_REGS, &r);
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	if ((s.cs.selector & 3) != 3) {
		vcpu_fail(vcpu, "forwarded-syscall port used from CPL%d at RIP %#llx",
			  s.cs.selector & 3, r.rip);
		return false;
	}
	memcpy(&rsp0, gpa_to_hva(vm, TVMM_TSS_GPA + vcpu->id * TVMM_TSS_STRIDE + 4, 8), 8);
	rsp0 = (rsp0 & ~15ull) - 40;
	frame = stack_hva(vcpu, s.cr3, rsp0);
	if (!frame) {
		vcpu_fail(vcpu, "guest TSS rsp0 %#llx is not mapped",
			  (unsigned long long)rsp0 + 40);
		return false;
	}
	frame[0] = r.rip;
	frame[1] = s.cs.selector;
	frame[2] = r.rflags;
	frame[3] = r.rsp;
	frame[4] = s.ss.selector;
	/* As an interrupt gate would: IF, TF, NT, RF and AC cleared. */
	r.rflags &= ~(X86_EFLAGS_IF | X86_EFLAGS_TF | X86_EFLAGS_NT |
		      X86_EFLAGS_RF | X86_EFLAGS_AC);
	r.rsp = rsp0;
	r.rip = vm->syscall_handler;
	tvmm_seg_kernel(&s);
	pv(vm)->in_forward[vcpu->id] = 1;
	set_sregs(vcpu, &s);
	kvm_ioctl(vcpu->fd, KVM_SET_REGS, &r);
	tvmm_trace(vcpu, "IO forward syscall %llu from CPL3 at %#llx to handler %#llx",
		   (unsigned long long)(r.rax & 0xffffffff),
		   (unsigned long long)frame[0],
		   (unsigned long long)vm->syscall_handler);
	return true;
}

bool tvmm_forward_return(struct tvmm_vcpu *vcpu)
{
	struct tvmm_vm *vm = vcpu->vm;
	struct kvm_regs r;
	struct kvm_sregs s;
	uint64_t *frame;

	vcpu_complete_io(vcpu);
	kvm_ioctl(vcpu->fd, KVM_GET_REGS, &r);
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	if ((s.cs.selector & 3) || !pv(vm)->in_forward[vcpu->id]) {
		vcpu_fail(vcpu, "return-from-trap hypercall outside a forwarded trap (RIP %#llx)",
			  r.rip);
		return false;
	}
	frame = stack_hva(vcpu, s.cr3, r.rsp);
	if (!frame || frame[1] != TVMM_SEL_UCODE || frame[4] != TVMM_SEL_UDATA) {
		vcpu_fail(vcpu, "bad return frame at %#llx", r.rsp);
		return false;
	}
	r.rip = frame[0];
	r.rflags = frame[2];
	r.rsp = frame[3];
	tvmm_seg_user(&s);
	pv(vm)->in_forward[vcpu->id] = 0;
	set_sregs(vcpu, &s);
	kvm_ioctl(vcpu->fd, KVM_SET_REGS, &r);
	tvmm_trace(vcpu, "IO return-from-trap to CPL3 at %#llx", r.rip);
	return true;
}
