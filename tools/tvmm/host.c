// SPDX-License-Identifier: GPL-2.0
/*
 * What kind of host virtualization /dev/kvm is: hardware VT-x or SVM,
 * with EPT/NPT (two-level hardware paging) or shadow paging, or software
 * nested virtualization (KVM PVM). Read from the KVM modules' parameters
 * in sysfs; the syscall flows then probe the rest at run time.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tvmm.h"

/* First character of a module parameter ('Y', 'N', '1', '0'), or 0. */
static char param(const char *mod, const char *name)
{
	char path[128], c = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", mod, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fread(&c, 1, 1, f) != 1)
		c = 0;
	fclose(f);
	return c;
}

static bool yes(char c)
{
	return c == 'Y' || c == 'y' || c == '1';
}

void tvmm_host_detect(struct tvmm_host *h)
{
	char c;

	if (access("/sys/module/kvm_pvm", F_OK) == 0) {
		h->pvm = true;
		snprintf(h->kind, sizeof(h->kind),
			 "KVM PVM (software nested virtualization)");
		snprintf(h->mmu, sizeof(h->mmu),
			 "shadow paging by PVM (no EPT/NPT for this guest)");
	} else if ((c = param("kvm_amd", "npt"))) {
		h->svm = true;
		snprintf(h->kind, sizeof(h->kind), "kvm-amd (AMD SVM)");
		snprintf(h->mmu, sizeof(h->mmu), "%s", yes(c) ?
			 "NPT: two-level hardware paging" :
			 "shadow paging (kvm-amd npt=0)");
	} else if ((c = param("kvm_intel", "ept"))) {
		snprintf(h->kind, sizeof(h->kind), "kvm-intel (Intel VT-x)");
		snprintf(h->mmu, sizeof(h->mmu), "%s", yes(c) ?
			 "EPT: two-level hardware paging" :
			 "shadow paging (kvm-intel ept=0)");
	} else {
		snprintf(h->kind, sizeof(h->kind), "unknown KVM backend");
		snprintf(h->mmu, sizeof(h->mmu), "unknown");
	}
}
