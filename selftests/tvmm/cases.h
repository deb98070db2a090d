/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tvmm's selftest cases, shared by the host test (whatever /dev/kvm the
 * machine has, PVM here) and the VM-rig test (kvm-amd, npt=1 and npt=0).
 * They drive the VMM in-process, KVM selftests style, and check
 * invariants: exit counters against what the guest did, syscall results,
 * the xlate chain against what the guest wrote. Never absolute times.
 */
#ifndef TVMM_CASES_H
#define TVMM_CASES_H

#include <stdbool.h>
#include <stdint.h>

struct tvmm_host;

#define TVMM_BAD_INPUT_CASES	7
#define TVMM_KVM_CASES		26
#define TVMM_ABUSE_CASES	4

/* Bad input that needs no KVM at all. */
void tvmm_bad_input_cases(void);
/*
 * Everything that runs a guest. @hw: the host is hardware KVM, where
 * every flow must work (no SKIP for int 0x80). Returns false when
 * /dev/kvm could not be opened (then every case was skipped).
 */
bool tvmm_kvm_cases(const char *label, bool hw);
/*
 * abuse.c: @cases generated guests and @cases / 2 mutated image headers
 * from @seed, then @rounds of two VMs created and destroyed. Returns
 * false when /dev/kvm could not be opened (every case skipped).
 */
bool tvmm_abuse_cases(const char *label, uint64_t seed, long cases, long rounds);
/* Echo tvmm's messages for every guest (--verbose, for replays). */
extern bool tvmm_abuse_verbose;
/*
 * An idle VM with one vCPU, held open so that VMs coming and going do
 * not flip KVM's static keys (cases.c says why). The VM fd, or -1;
 * tvmm_unpin_kvm() closes it and its irqchip sibling.
 */
int tvmm_pin_kvm(const struct tvmm_host *h);
void tvmm_unpin_kvm(int pin);

#endif
