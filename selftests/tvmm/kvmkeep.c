// SPDX-License-Identifier: GPL-2.0
/*
 * kvmkeep: a VM rig helper, not a test. Holds one KVM VM with one vCPU
 * and no in-kernel irqchip until it is killed. The first VM created and
 * the last destroyed flip static keys (preempt_notifier_key, patched
 * into finish_task_switch(); kvm_has_noapic_vcpu), and the int3-based
 * text patching of each flip sometimes wedges QEMU TCG: every vCPU
 * spins in the int3 handler (seen in tvmm_abuse_test's VM churn, and as
 * tpkeep.ko's reason to be). While this one VM is held, test VMs come
 * and go without patching kernel text. A second VM with an irqchip
 * whose LAPIC is never enabled holds apic_sw_disabled the same way:
 * every tvmm VM has a LAPIC now, disabled from creation until its guest
 * enables it. scripts/load-kvm starts it after loading kvm-amd and
 * stops it before unloading it.
 * usage: kvmkeep PIDFILE   (written once the VM and vCPU exist)
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int kvm, vm, vcpu, irq_vm;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: kvmkeep PIDFILE\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	vcpu = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		perror("kvmkeep: /dev/kvm, KVM_CREATE_VM or KVM_CREATE_VCPU");
		return 1;
	}
	/* Best effort: a KVM without an irqchip has no such key to hold. */
	irq_vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (irq_vm >= 0 && (ioctl(irq_vm, KVM_CREATE_IRQCHIP, 0) < 0 ||
			    ioctl(irq_vm, KVM_CREATE_VCPU, 0) < 0))
		close(irq_vm);
	f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
		perror("kvmkeep: pid file");
		return 1;
	}
	for (;;)
		pause();
}
