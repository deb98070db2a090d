// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm run: boot the guest(s) and report. Also owns the option parser
 * and the run-and-report helper the other subcommands reuse.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <smpkit/util.h>

#include "cmd.h"

/* "direct,fwd,pv" or "none": a comma list of known names, nothing else. */
static int parse_flows(const char *arg, uint32_t *flows)
{
	static const struct { const char *name; uint32_t bit; } known[] = {
		{ "direct", TVMM_F_TRY_DIRECT },
		{ "fwd", TVMM_F_TRY_FWD },
		{ "pv", TVMM_F_TRY_PV },
		{ "none", 0 },
	};
	const char *p = arg;

	*flows = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		size_t k;

		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (len == strlen(known[k].name) &&
			    !strncmp(p, known[k].name, len))
				break;
		if (k == sizeof(known) / sizeof(known[0]))
			return -1;
		*flows |= known[k].bit;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int parse_run_options(int argc, char **argv, struct tvmm_config *cfg)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "vms", required_argument, NULL, 'v' },
		{ "timeout", required_argument, NULL, 't' },
		{ "trace", no_argument, NULL, 'T' },
		{ "stats", no_argument, NULL, 's' },
		{ "scenario", required_argument, NULL, 'S' },
		{ "iters", required_argument, NULL, 'i' },
		{ "no-zero-hint", no_argument, NULL, 'Z' },
		{ "flows", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "reps", required_argument, NULL, 'r' },
		{ "ioctl-regs", no_argument, NULL, 'I' },
		{ "irqchip", no_argument, NULL, 'Q' },
		{ "no-irqchip", no_argument, NULL, 'N' },
		{ 0 },
	};
	uint64_t v;
	int c, idx = 0;

	optind = 1;
	/* Every option is long: idx names the one a bad value belongs to. */
	while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		switch (c) {
		case 'm':
			if (!parse_size(optarg, &cfg->mem))
				goto bad;
			break;
		case 'c':
			if (!parse_u64(optarg, 1, TVMM_MAX_VCPUS, &v))
				goto bad;
			cfg->vcpus = v;
			break;
		case 'v':
			if (!parse_u64(optarg, 1, TVMM_MAX_VMS, &v))
				goto bad;
			cfg->vms = v;
			break;
		case 't':
			if (!parse_u64(optarg, 1, 3600, &v))
				goto bad;
			cfg->timeout_s = v;
			break;
		case 'i':
			if (!parse_u64(optarg, 1, 100000000, &v))
				goto bad;
			cfg->iters = v;
			break;
		case 'r':
			if (!parse_u64(optarg, 1, 15, &v))
				goto bad;
			cfg->reps = v;
			break;
		case 'I':
			cfg->ioctl_regs = true;
			break;
		case 'Q':
			cfg->irqchip = TVMM_IRQCHIP_ON;
			break;
		case 'N':
			cfg->irqchip = TVMM_IRQCHIP_OFF;
			break;
		case 'T':
			cfg->trace = true;
			break;
		case 's':
			cfg->stats = true;
			break;
		case 'S':
			cfg->scenario = optarg;
			break;
		case 'Z':
			cfg->zero_hint = false;
			break;
		case 'q':
			cfg->quiet = true;
			break;
		case 'f':
			if (parse_flows(optarg, &cfg->flows)) {
				warnx_("bad value '%s' for --flows (a comma list of direct, fwd, pv; or none)",
				       optarg);
				return -1;
			}
			break;
		default:
			return -1;
		}
	}
	return optind;
bad:
	warnx_("bad value '%s' for --%s", optarg, opts[idx].name);
	return -1;
}

void free_vms(struct tvmm_vm **vms, unsigned int n, struct tvmm_host *h)
{
	for (unsigned int i = 0; i < n; i++)
		tvmm_vm_destroy(vms[i]);
	tvmm_host_close(h);
}

int run_and_report(const struct tvmm_config *cfg, struct tvmm_vm **vms,
		   unsigned int *nvms, struct tvmm_host *h, bool keep)
{
	int rc = tvmm_run(cfg, vms, nvms, h);

	if (*nvms && !cfg->quiet)
		printf("tvmm: host %s; guest memory: %s\n", h->kind, h->mmu);
	for (unsigned int i = 0; i < *nvms; i++)
		if (cfg->stats)
			tvmm_print_stats(vms[i]);
	if (!keep) {
		if (*nvms)
			free_vms(vms, *nvms, h);
		*nvms = 0;
	}
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct tvmm_vm *vms[TVMM_MAX_VMS];
	struct tvmm_config cfg;
	struct tvmm_host h = { .kvm_fd = -1 };
	unsigned int n;
	int i;

	tvmm_config_default(&cfg);
	i = parse_run_options(argc, argv, &cfg);
	if (i < 0)
		return TVMM_EXIT_USAGE;
	if (i < argc)
		cfg.image = argv[i++];
	if (i < argc) {
		warnx_("run takes one IMAGE, not '%s'", argv[i]);
		return TVMM_EXIT_USAGE;
	}
	return run_and_report(&cfg, vms, &n, &h, false);
}
