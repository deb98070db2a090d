// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm probe: what kind of virtualization this /dev/kvm is and which of
 * tvmm's flows work on it, found by running the demo guest once.
 */
#include <smpkit/util.h>

#include "cmd.h"

int cmd_probe(int argc, char **argv)
{
	struct tvmm_vm *vms[TVMM_MAX_VMS];
	struct tvmm_config cfg;
	struct tvmm_host h = { .kvm_fd = -1 };
	const struct tvmm_report *r;
	struct tvmm_vcpu *v;
	unsigned int n;
	int rc;

	/* It takes nothing: an option it ignored would look obeyed. */
	if (argc > 1) {
		warnx_("probe takes no options or arguments, not '%s'", argv[1]);
		return TVMM_EXIT_USAGE;
	}
	tvmm_config_default(&cfg);
	cfg.quiet = true;
	cfg.timeout_s = 20;
	rc = tvmm_run(&cfg, vms, &n, &h);
	if (!n)
		return rc;
	v = &vms[0]->vcpus[0];
	printf("host: %s\nguest memory: %s\n", h.kind, h.mmu);
	printf("user-space MSR exits: %s\n", vms[0]->features & TVMM_F_MSR_EXIT ?
	       "yes" : "no (KVM lacks KVM_CAP_X86_USER_SPACE_MSR/MSR_FILTER)");
	r = tvmm_report(v, "int80_ud");
	printf("direct syscall flow (int 0x80 from CPL3): %s\n",
	       r ? "no: the host raises #UD for a software interrupt from CPL3" :
	       (r = tvmm_report(v, "direct_exit")) && !r->val ? "works" : "fails");
	r = tvmm_report(v, "fwd_exit");
	printf("forwarded flow (int 0x80 through tvmm's trap table): %s\n",
	       r && !r->val ? "works" : "fails");
	r = tvmm_report(v, "pv_exit");
	printf("para-virtual flow (OUT to tvmm): %s\n",
	       r && !r->val ? "works" : "fails");
	printf("registers on the hot path: %s\n", h.sync_regs ?
	       "KVM_CAP_SYNC_REGS" : "ioctls (no KVM_CAP_SYNC_REGS)");
	printf("demo guest: %s\n", rc == TVMM_EXIT_OK ? "ok" : "failed");
	free_vms(vms, n, &h);
	return rc;
}
