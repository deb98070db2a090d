// SPDX-License-Identifier: GPL-2.0
/*
 * Exit statistics, one line per vCPU: every exit kind with the name the
 * textbook gives the trap, idle time given back to the host on HLT, the
 * guest's demand-zero counters from the PV page, and beside them what
 * KVM counted itself (kvmstats.c), per vCPU and per VM.
 */
#include <string.h>

#include "tvmm.h"

static const char *const names[EX_NR] = {
	[EX_PIO_CONSOLE] = "pio_console",
	[EX_PIO_UCALL] = "pio_ucall",
	[EX_PIO_FWD] = "pio_fwd_syscall",
	[EX_PIO_IRET] = "pio_fwd_iret",
	[EX_PIO_TRAP] = "pio_trap_table",
	[EX_PIO_TRAP_INTR] = "pio_trap_intr",
	[EX_PIO_NULL] = "pio_null",
	[EX_MMIO_DEV] = "mmio_device",
	[EX_MMIO_UNMAPPED] = "mmio_unmapped",
	[EX_HLT] = "hlt",
	[EX_MSR_READ] = "msr_read",
	[EX_MSR_WRITE] = "msr_write",
	[EX_SHUTDOWN] = "shutdown",
	[EX_INTR] = "intr",
	[EX_OTHER] = "other",
};

const char *tvmm_exit_name(enum tvmm_exit_kind k)
{
	return k < EX_NR ? names[k] : "?";
}

void tvmm_print_stats(struct tvmm_vm *vm)
{
	const struct tvmm_pv *pv = gpa_to_hva(vm, TVMM_PV_GPA, sizeof(*pv));

	char prefix[32];

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct tvmm_vcpu *v = &vm->vcpus[i];

		fprintf(vm->out, "stats vm%d cpu%d: exits=%llu", vm->index, i,
			(unsigned long long)v->st.exits);
		for (int k = 0; k < EX_NR; k++)
			if (v->st.kind[k])
				fprintf(vm->out, " %s=%llu", names[k],
					(unsigned long long)v->st.kind[k]);
		fprintf(vm->out, " put_regs=%llu put_sregs=%llu reg_ioctls=%llu",
			(unsigned long long)v->st.put_regs,
			(unsigned long long)v->st.put_sregs,
			(unsigned long long)v->st.reg_ioctls);
		fprintf(vm->out, " wall_ms=%.1f cpu_ms=%.1f idle_ms=%.1f\n",
			v->st.wall_ns / 1e6, v->st.cpu_ns / 1e6,
			v->st.idle_ns / 1e6);
		/* What KVM handled itself meanwhile: tvmm never saw those. */
		snprintf(prefix, sizeof(prefix), "kvm vm%d cpu%d:", vm->index, i);
		tvmm_kstats_print(vm->out, prefix, &v->ks, v->ks_before,
				  v->ks_after, 1);
		for (int r = 0; r < v->nr_reports; r++)
			fprintf(vm->out, "report vm%d cpu%d: %s=%lld\n",
				vm->index, i, v->reports[r].key,
				(long long)v->reports[r].val);
	}
	fprintf(vm->out,
		"stats vm%d: demand-zero host_zeroed=%llu guest_rezeroed=%llu guest_zeroed=%llu resident_pages=%llu\n",
		vm->index, (unsigned long long)pv->host_zeroed,
		(unsigned long long)pv->guest_rezeroed,
		(unsigned long long)pv->guest_zeroed,
		(unsigned long long)tvmm_resident_pages(vm));
	snprintf(prefix, sizeof(prefix), "kvm vm%d:", vm->index);
	tvmm_kstats_print(vm->out, prefix, &vm->ks, vm->ks_before,
			  vm->ks_after, 1);
}
