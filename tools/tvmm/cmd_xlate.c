// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm xlate [GVA...]: boots the guest's "xlate" scenario, which walks
 * the addresses it knows (a user page holding a pattern, kernel text, a
 * user address it never mapped), then walks each GVA given here with the
 * guest's final page tables.
 */
#include <stdlib.h>

#include <smpkit/util.h>

#include "cmd.h"

int cmd_xlate(int argc, char **argv)
{
	struct tvmm_vm *vms[TVMM_MAX_VMS];
	struct tvmm_config cfg;
	struct tvmm_host h = { .kvm_fd = -1 };
	struct kvm_sregs s;
	unsigned int n;
	int i, rc;

	tvmm_config_default(&cfg);
	cfg.scenario = "xlate";
	i = parse_run_options(argc, argv, &cfg);
	if (i < 0)
		return TVMM_EXIT_USAGE;
	for (int a = i; a < argc; a++) {
		char *end;

		strtoull(argv[a], &end, 0);
		if (*end || end == argv[a]) {
			warnx_("'%s' is not an address", argv[a]);
			return TVMM_EXIT_USAGE;
		}
	}
	cfg.vms = 1;
	rc = run_and_report(&cfg, vms, &n, &h, true);
	if (rc == TVMM_EXIT_OK && n) {
		kvm_ioctl(vms[0]->vcpus[0].fd, KVM_GET_SREGS, &s);
		for (; i < argc; i++) {
			struct tvmm_xlate x;

			tvmm_xlate(vms[0], s.cr3, strtoull(argv[i], NULL, 0), &x);
			tvmm_xlate_print(stdout, &x, "given");
		}
	}
	if (n)
		free_vms(vms, n, &h);
	return rc;
}
