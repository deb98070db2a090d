// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's CPU policy: CPUID from KVM_GET_SUPPORTED_CPUID with tvmm's
 * hypervisor signature in leaf 0x40000000 (set with KVM_SET_CPUID2; CPUID
 * then never exits), and the one MSR that tvmm handles in user space
 * (KVM_X86_SET_MSR_FILTER denies it to KVM, so every access exits).
 */
#include <stdlib.h>
#include <string.h>

#include <smpkit/util.h>

#include "tvmm.h"

#define CPUID_SIG_LEAF		0x40000000u
#define MAX_CPUID_ENTRIES	256

void tvmm_set_cpuid(struct tvmm_vcpu *vcpu)
{
	struct kvm_cpuid2 *c;
	const char sig[12] = "TVMMtvmmTVMM";
	bool have_sig = false;

	c = calloc(1, sizeof(*c) + MAX_CPUID_ENTRIES * sizeof(c->entries[0]));
	if (!c)
		die("out of memory");
	c->nent = MAX_CPUID_ENTRIES;
	kvm_ioctl(vcpu->vm->host->kvm_fd, KVM_GET_SUPPORTED_CPUID, c);
	for (unsigned int i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != CPUID_SIG_LEAF)
			continue;
		memcpy(&e->ebx, sig, 4);
		memcpy(&e->ecx, sig + 4, 4);
		memcpy(&e->edx, sig + 8, 4);
		have_sig = true;
	}
	if (!have_sig && c->nent < MAX_CPUID_ENTRIES) {
		struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];

		memset(e, 0, sizeof(*e));
		e->function = CPUID_SIG_LEAF;
		e->eax = CPUID_SIG_LEAF;
		memcpy(&e->ebx, sig, 4);
		memcpy(&e->ecx, sig + 4, 4);
		memcpy(&e->edx, sig + 8, 4);
	}
	kvm_ioctl(vcpu->fd, KVM_SET_CPUID2, c);
	free(c);
}

bool tvmm_setup_msr_filter(struct tvmm_vm *vm)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_USER_SPACE_MSR,
		.args[0] = KVM_MSR_EXIT_REASON_FILTER,
	};
	static uint8_t deny;	/* bit 0 clear: the one MSR is denied */
	struct kvm_msr_filter f = {
		.flags = KVM_MSR_FILTER_DEFAULT_ALLOW,
		.ranges[0] = {
			.flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
			.nmsrs = 1,
			.base = TVMM_MSR_DEVICE,
			.bitmap = &deny,
		},
	};

	if (__kvm_ioctl(vm->fd, KVM_ENABLE_CAP, &cap) < 0)
		return false;
	return __kvm_ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &f) == 0;
}
