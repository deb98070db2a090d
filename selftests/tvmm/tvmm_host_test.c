// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm_host_test: bad input is refused clearly, and whatever this host's
 * /dev/kvm can do works (on KVM PVM the direct int 0x80 flow SKIPs).
 */
#include <ktap.h>
#include <smpkit/util.h>

#include "cases.h"

int main(void)
{
	smpkit_prog = "tvmm";
	ktap_plan(TVMM_BAD_INPUT_CASES + TVMM_KVM_CASES);
	tvmm_bad_input_cases();
	tvmm_kvm_cases("host", false);
	return ktap_finish();
}
