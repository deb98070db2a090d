// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU's registers at an exit, for the paths that change them on every
 * forwarded trap. With KVM_CAP_SYNC_REGS, KVM copies them into kvm_run
 * on each exit and takes back the ones marked dirty on the next KVM_RUN:
 * no ioctl at all. Without it (or with --ioctl-regs, for an A/B in the
 * same run) they are read and written with KVM_GET/SET_(S)REGS.
 */
#include <errno.h>
#include <string.h>

#include "tvmm.h"

void tvmm_regs_init(struct tvmm_vcpu *vcpu)
{
	if (vcpu->vm->host->sync_regs && !vcpu->vm->cfg->ioctl_regs)
		vcpu->run->kvm_valid_regs = KVM_SYNC_X86_REGS |
					    KVM_SYNC_X86_SREGS;
}

static bool synced(const struct tvmm_vcpu *vcpu)
{
	return vcpu->run->kvm_valid_regs & KVM_SYNC_X86_SREGS;
}

/* Points *r and *s at this exit's registers; false: an ioctl failed. */
bool tvmm_regs_get(struct tvmm_vcpu *vcpu, struct kvm_regs **r,
		   struct kvm_sregs **s)
{
	if (synced(vcpu)) {
		*r = &vcpu->run->s.regs.regs;
		*s = &vcpu->run->s.regs.sregs;
		return true;
	}
	*r = &vcpu->regs;
	*s = &vcpu->sregs;
	vcpu->st.reg_ioctls += 2;
	if (__kvm_ioctl(vcpu->fd, KVM_GET_REGS, *r) ||
	    __kvm_ioctl(vcpu->fd, KVM_GET_SREGS, *s)) {
		vcpu_host_fail(vcpu, "KVM_GET_(S)REGS: %s", strerror(errno));
		return false;
	}
	return true;
}

/*
 * Hands back the registers from tvmm_regs_get() that @which names
 * (TVMM_REGS, TVMM_SREGS). KVM_SET_SREGS takes the whole set: TR too.
 */
bool tvmm_regs_put(struct tvmm_vcpu *vcpu, unsigned int which)
{
	bool sregs = which & TVMM_SREGS, regs = which & TVMM_REGS;
	struct kvm_sregs *s = synced(vcpu) ? &vcpu->run->s.regs.sregs :
					     &vcpu->sregs;

	/*
	 * KVM reports TR as busy (type 11) and VMX insists on it, but QEMU's
	 * TCG (the VM rig's nested SVM) checks the I/O bitmap only for type
	 * 9, what its LTR leaves in TR. SVM accepts either: give it 9 back,
	 * or the user's next OUT to TVMM_PORT_FWD takes a #GP.
	 */
	if (sregs && vcpu->vm->host->svm)
		s->tr.type = 9;
	vcpu->st.put_regs += regs;
	vcpu->st.put_sregs += sregs;
	if (synced(vcpu)) {
		vcpu->run->kvm_dirty_regs |= (regs ? KVM_SYNC_X86_REGS : 0) |
					     (sregs ? KVM_SYNC_X86_SREGS : 0);
		return true;
	}
	vcpu->st.reg_ioctls += regs + sregs;
	if ((sregs && __kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &vcpu->sregs)) ||
	    (regs && __kvm_ioctl(vcpu->fd, KVM_SET_REGS, &vcpu->regs))) {
		vcpu_host_fail(vcpu, "KVM_SET_(S)REGS: %s", strerror(errno));
		return false;
	}
	return true;
}
