// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm: a tiny KVM-based VMM with its own guest mini-OS. This file only
 * dispatches to the subcommands (cmd_*.c) and prints the usage.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <smpkit/util.h>

#include "cmd.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tvmm run [options] [IMAGE]   boot the guest mini-OS (or IMAGE)\n"
		"       tvmm xlate [options] [GVA...] walk guest addresses (Figure B.1)\n"
		"       tvmm bench [options]          syscall flows, native getpid, demand-zero\n"
		"       tvmm idle [options]           HLT vs spinning idle: host CPU, IPI wake-up\n"
		"       tvmm probe                    what this host's /dev/kvm can do\n"
		"options: --mem SIZE --vcpus N --vms N --timeout SEC --trace --stats\n"
		"         --scenario NAME --iters N --no-zero-hint --flows direct,fwd,pv|none\n"
		"         --reps N (bench) --ioctl-regs (no KVM_CAP_SYNC_REGS)\n"
		"         --no-irqchip (no in-kernel LAPIC: HLT exits, tvmm sleeps a tick)\n"
		"         --irqchip (insist on it: exit 4 where KVM has none)\n"
		"         --quiet (no host line)  -h, --help (this text)\n"
		"scenarios: demo bench zero xlate idle busy smp smp-fwd smp-fail runaway\n"
		"           unmapped triple-fault kernel-fault assert\n"
		"           idle-spin ipi (these two need the irqchip)\n"
		"exit: 0 ok, 1 guest failed, 2 usage or bad image, 3 timeout,\n"
		"      4 this host cannot run it (no usable /dev/kvm),\n"
		"      5 tvmm or KVM failed (an ioctl, memory, a thread)\n");
}

/* "tvmm run --help" as well as "tvmm --help": no option takes it as a value. */
static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	smpkit_prog = "tvmm";
	smpkit_die_status = TVMM_EXIT_HOST;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || wants_help(argc, argv)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? TVMM_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "xlate"))
		return cmd_xlate(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return cmd_bench(argc - 1, argv + 1);
	if (!strcmp(argv[1], "idle"))
		return cmd_idle(argc - 1, argv + 1);
	if (!strcmp(argv[1], "probe"))
		return cmd_probe(argc - 1, argv + 1);
	warnx_("unknown command '%s'", argv[1]);
	usage(stderr);
	return TVMM_EXIT_USAGE;
}
