// SPDX-License-Identifier: GPL-2.0
/*
 * VM and vCPU lifetime: KVM_CREATE_VM, one memory slot of anonymous host
 * memory (demand-zero: the host backs a page only when first touched),
 * the vCPUs with their kvm_run areas, and full teardown.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "tvmm.h"

void *gpa_to_hva(struct tvmm_vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa >= vm->mem_size || len > vm->mem_size - gpa)
		return NULL;
	return vm->mem + gpa;
}

/* Host pages backing guest memory right now (mincore). */
uint64_t tvmm_resident_pages(struct tvmm_vm *vm)
{
	size_t n = vm->mem_size / 4096;
	unsigned char *v = malloc(n);
	uint64_t res = 0;

	if (!v)
		die("out of memory");
	if (mincore(vm->mem, vm->mem_size, v) == 0)
		for (size_t i = 0; i < n; i++)
			res += v[i] & 1;
	free(v);
	return res;
}

static void vcpu_create(struct tvmm_vm *vm, int id)
{
	struct tvmm_vcpu *vcpu = &vm->vcpus[id];

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = kvm_ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)id);
	vcpu->run = mmap(NULL, vm->host->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED)
		die_errno("mmap of vCPU %d's kvm_run", id);
	tvmm_set_cpuid(vcpu);
	/*
	 * With an in-kernel LAPIC, KVM holds every vCPU but the first in
	 * wait-for-SIPI, as a real AP; tvmm starts them all at its entry.
	 */
	if (id && (vm->features & TVMM_F_IRQCHIP)) {
		struct kvm_mp_state mp = { KVM_MP_STATE_RUNNABLE };

		kvm_ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp);
	}
	tvmm_vcpu_setup(vcpu);
	tvmm_regs_init(vcpu);
	tvmm_kstats_open(&vcpu->ks, vcpu->fd);
}

struct tvmm_vm *tvmm_vm_create(const struct tvmm_host *h,
			       const struct tvmm_config *cfg, int index)
{
	struct kvm_userspace_memory_region slot = { 0 };
	struct tvmm_vm *vm = calloc(1, sizeof(*vm));

	if (!vm)
		die("out of memory");
	vm->index = index;
	vm->host = h;
	vm->cfg = cfg;
	vm->out = stdout;
	vm->mem_size = cfg->mem;
	vm->nr_vcpus = cfg->vcpus;
	pthread_mutex_init(&vm->dev_lock, NULL);
	vm->fd = kvm_ioctl(h->kvm_fd, KVM_CREATE_VM, 0);
	/* VMX needs a TSS area for real mode; harmless elsewhere. */
	__kvm_ioctl(vm->fd, KVM_SET_TSS_ADDR, (void *)0xfffbd000ul);
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		die_errno("mmap of %llu bytes of guest memory",
			  (unsigned long long)vm->mem_size);
	/*
	 * Guest memory is counted and handed back in 4 KiB pages (the
	 * demand-zero hint); with THP "always" (Debian's default) one touch
	 * in an aligned 2 MiB range would populate 512 pages. No kernel THP:
	 * EINVAL, which changes nothing.
	 */
	madvise(vm->mem, vm->mem_size, MADV_NOHUGEPAGE);
	slot.slot = 0;
	slot.guest_phys_addr = 0;
	slot.memory_size = vm->mem_size;
	slot.userspace_addr = (uintptr_t)vm->mem;
	kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &slot);
	/* Before any vCPU: each then gets its LAPIC (timer, IPIs) in KVM. */
	if (tvmm_wants_irqchip(cfg, h)) {
		kvm_ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0);
		vm->features |= TVMM_F_IRQCHIP;
	}
	if (h->user_msr && tvmm_setup_msr_filter(vm))
		vm->features |= TVMM_F_MSR_EXIT;
	tvmm_kstats_open(&vm->ks, vm->fd);
	return vm;
}

/* After tvmm_setup_longmode() has loaded the image. */
void tvmm_vm_add_vcpus(struct tvmm_vm *vm);
void tvmm_vm_add_vcpus(struct tvmm_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_create(vm, i);
}

void tvmm_vm_destroy(struct tvmm_vm *vm)
{
	if (!vm)
		return;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct tvmm_vcpu *vcpu = &vm->vcpus[i];

		for (int k = 0; k < vcpu->nr_syncs; k++)
			free(vcpu->syncs[k].kvm);
		free(vcpu->ks_before);
		free(vcpu->ks_after);
		tvmm_kstats_close(&vcpu->ks);
		if (vcpu->run && vcpu->run != MAP_FAILED)
			munmap(vcpu->run, vm->host->run_size);
		if (vcpu->fd > 0)
			close(vcpu->fd);
	}
	free(vm->ks_before);
	free(vm->ks_after);
	tvmm_kstats_close(&vm->ks);
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, vm->mem_size);
	if (vm->fd >= 0)
		close(vm->fd);
	pthread_mutex_destroy(&vm->dev_lock);
	free(vm);
}
