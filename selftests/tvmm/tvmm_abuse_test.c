// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm_abuse_test: tvmm against guests and images it did not write, and
 * VMs created and destroyed in a loop (abuse.c). On the host it runs on
 * this machine's /dev/kvm; in the VM rig on kvm-amd (npt=1).
 * usage: tvmm_abuse_test [--seed N] [--cases N] [--rounds N] [--verbose]
 * Without --seed one is drawn from the clock; either way it is printed,
 * and the same seed and counts replay the same guests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktap.h>
#include <rng.h>
#include <smpkit/util.h>

#include "cases.h"

static long number(const char *opt, const char *v)
{
	char *end;
	long n;

	n = v ? strtol(v, &end, 0) : -1;
	if (!v || *end || n < 0) {
		fprintf(stderr, "tvmm_abuse_test: %s wants a number\n", opt);
		exit(2);
	}
	return n;
}

int main(int argc, char **argv)
{
	long cases = 60, rounds = 10;
	bool in_vm = getenv("SMPKIT_VM") != NULL;
	uint64_t seed = 0;
	bool seeded = false;

	for (int i = 1; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--verbose")) {
			tvmm_abuse_verbose = true;
			i--;
		} else if (!strcmp(argv[i], "--seed") && v) {
			seed = strtoull(v, NULL, 0);
			seeded = true;
		} else if (!strcmp(argv[i], "--cases")) {
			cases = number("--cases", v);
		} else if (!strcmp(argv[i], "--rounds")) {
			rounds = number("--rounds", v);
		} else {
			fprintf(stderr, "usage: %s [--seed N] [--cases N] [--rounds N] [--verbose]\n",
				argv[0]);
			return 2;
		}
	}
	if (!seeded)
		seed = rng_clock_seed();
	smpkit_prog = "tvmm";
	if (in_vm && system("load-kvm npt=1 >/dev/null 2>&1"))
		ktap_skip_all("cannot load kvm-amd in this guest");
	ktap_plan(TVMM_ABUSE_CASES);
	ktap_diag("seed %#llx (replay: tvmm_abuse_test --seed %#llx --cases %ld --rounds %ld)",
		  (unsigned long long)seed, (unsigned long long)seed, cases, rounds);
	tvmm_abuse_cases(in_vm ? "npt=1" : "host", seed, cases, rounds);
	return ktap_finish();
}
