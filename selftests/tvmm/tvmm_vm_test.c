// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm_vm_test (in the VM rig): every case on kvm-amd, once with nested
 * paging (npt=1) and once with shadow paging (npt=0). Reloads kvm-amd
 * between the two, so it must hold no /dev/kvm file at that point.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktap.h>
#include <smpkit/util.h>

#include "../../tools/tvmm/tvmm.h"
#include "cases.h"

static bool mmu_is(const char *want)
{
	struct tvmm_host h;
	char err[256];
	bool ok;

	if (tvmm_host_open(&h, err, sizeof(err)))
		return false;
	ok = strstr(h.mmu, want) != NULL;
	tvmm_host_close(&h);
	return ok;
}

int main(void)
{
	static const struct { const char *arg, *label, *mmu; } modes[] = {
		{ "npt=1", "npt=1", "NPT" },
		{ "npt=0", "npt=0", "shadow" },
	};

	smpkit_prog = "tvmm";
	if (system("load-kvm npt=1 >/dev/null 2>&1"))
		ktap_skip_all("cannot load kvm-amd here (not in the VM rig?)");
	ktap_plan(2 * (1 + TVMM_KVM_CASES));
	for (int m = 0; m < 2; m++) {
		char cmd[64];

		/*
		 * The probe above loaded npt=1 already. Skip reloading it:
		 * each load live-patches kernel text (static calls), which
		 * can wedge the rig under TCG (Documentation/tvmm.rst).
		 */
		snprintf(cmd, sizeof(cmd), "load-kvm %s >/dev/null 2>&1", modes[m].arg);
		ktap_ok((m == 0 || !system(cmd)) && mmu_is(modes[m].mmu),
			"%s: kvm-amd loaded, tvmm reports %s", modes[m].label,
			modes[m].mmu);
		tvmm_kvm_cases(modes[m].label, true);
	}
	system("load-kvm npt=1 >/dev/null 2>&1");
	return ktap_finish();
}
