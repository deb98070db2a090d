// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm xlate [GVA...]: boots the guest's "xlate" scenario, which walks
 * the addresses it knows (a user page holding a pattern, kernel text, a
 * user address it never mapped), then walks each GVA given here with the
 * guest's final page tables.
 */
#include <errno.h>
#include <stdlib.h>

#include <smpkit/util.h>

#include "cmd.h"

/*
 * A GVA as C spells it (0x..., 0..., decimal). strtoull alone saturates
 * anything wider than 64 bits to 2^64-1 (reporting only ERANGE), and
 * takes blanks and a sign ("-1" is 2^64-1): any of them would walk an
 * address other than the one given.
 */
static bool parse_gva(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return !errno && !*end;
}

int cmd_xlate(int argc, char **argv)
{
	struct tvmm_vm *vms[TVMM_MAX_VMS];
	struct tvmm_config cfg;
	struct tvmm_host h = { .kvm_fd = -1 };
	struct kvm_sregs s;
	unsigned int n;
	uint64_t gva;
	int i, rc;

	tvmm_config_default(&cfg);
	cfg.scenario = "xlate";
	i = parse_run_options(argc, argv, &cfg);
	if (i < 0)
		return TVMM_EXIT_USAGE;
	for (int a = i; a < argc; a++) {
		if (!parse_gva(argv[a], &gva)) {
			warnx_("'%s' is not a 64-bit address", argv[a]);
			return TVMM_EXIT_USAGE;
		}
	}
	cfg.vms = 1;
	rc = run_and_report(&cfg, vms, &n, &h, true);
	if (rc == TVMM_EXIT_OK && n) {
		kvm_ioctl(vms[0]->vcpus[0].fd, KVM_GET_SREGS, &s);
		for (; i < argc; i++) {
			struct tvmm_xlate x;

			parse_gva(argv[i], &gva);
			tvmm_xlate(vms[0], s.cr3, gva, &x);
			tvmm_xlate_print(stdout, &x, "given");
		}
	}
	if (n)
		free_vms(vms, n, &h);
	return rc;
}
