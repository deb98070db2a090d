// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm idle: the information gap of idling, both ways, --reps fresh VMs
 * each in one boot. Host CPU: the vCPU thread's CPU time over the wall
 * time of --iters LAPIC timer ticks, the guest halting (sti; hlt: the
 * vCPU blocks in KVM) against spinning (sti; pause: the host cannot
 * tell idle from work). Wake-up: how long an IPI from vCPU 0 takes to
 * reach vCPU 1's handler, vCPU 1 halted against spinning, timed by the
 * guest's TSC. Median and spread over the runs.
 */
#include <stdlib.h>

#include <smpkit/util.h>

#include "cmd.h"

/* A finished VM of @scenario (@vcpus), kept for reading; 0 or an exit code. */
static int idle_run(struct tvmm_config *cfg, const char *scenario,
		    unsigned int vcpus, struct tvmm_vm **vms, unsigned int *n,
		    struct tvmm_host *h)
{
	cfg->scenario = scenario;
	cfg->vcpus = vcpus;
	h->kvm_fd = -1;
	return tvmm_run(cfg, vms, n, h);
}

static void spread(const char *what, double *v, unsigned int n,
		   const char *unit)
{
	qsort(v, n, sizeof(v[0]), cmp_double);
	printf("  %-40s median %9.1f %s  min %9.1f  max %9.1f  (%u runs)\n",
	       what, v[n / 2], unit, v[0], v[n - 1], n);
}

int cmd_idle(int argc, char **argv)
{
	static const char *const kinds[] = { "idle", "idle-spin" };
	double share[2][16], wake[2][16];
	struct tvmm_vm *vms[TVMM_MAX_VMS];
	struct tvmm_host h;
	struct tvmm_config cfg;
	unsigned int n, runs = 0;
	int rc = 0;

	tvmm_config_default(&cfg);
	cfg.iters = 100;
	cfg.reps = 5;
	if (parse_run_options(argc, argv, &cfg) < 0)
		return TVMM_EXIT_USAGE;
	cfg.quiet = true;
	cfg.irqchip = TVMM_IRQCHIP_ON;
	cfg.vms = 1;
	for (unsigned int r = 0; r < cfg.reps && !rc; r++) {
		for (unsigned int k = 0; k < 2 && !rc; k++) {
			uint64_t wall, cpu;

			rc = idle_run(&cfg, kinds[k], 1, vms, &n, &h);
			if (!rc && !tvmm_span(&vms[0]->vcpus[0], "idle", &wall,
					      &cpu))
				rc = TVMM_EXIT_GUEST;
			if (!rc)
				share[k][r] = 100.0 * cpu / (wall ? wall : 1);
			if (!r && !k && n)
				printf("machine: host %s; guest memory: %s\n",
				       h.kind, h.mmu);
			free_vms(vms, n, &h);
		}
		if (rc)
			break;
		rc = idle_run(&cfg, "ipi", 2, vms, &n, &h);
		if (!rc) {
			const struct tvmm_report *a, *b;

			a = tvmm_report(&vms[0]->vcpus[0], "ipi_hlt_med_ns");
			b = tvmm_report(&vms[0]->vcpus[0], "ipi_spin_med_ns");
			if (!a || !b)
				rc = TVMM_EXIT_GUEST;
			else {
				wake[0][r] = a->val / 1e3;
				wake[1][r] = b->val / 1e3;
			}
		}
		free_vms(vms, n, &h);
		if (!rc)
			runs++;
	}
	if (!runs)
		return rc ? rc : TVMM_EXIT_GUEST;
	printf("idle: %llu LAPIC ticks of %llu us a run; IPI wake-ups: %llu a run, median of each run\n",
	       (unsigned long long)cfg.iters,
	       (unsigned long long)(TVMM_IDLE_PERIOD * TVMM_TICK_NS / 1000),
	       (unsigned long long)(cfg.iters < TVMM_IPI_SAMPLES ?
				    cfg.iters : TVMM_IPI_SAMPLES));
	spread("host CPU per idle vCPU, HLT idle", share[0], runs, "% ");
	spread("host CPU per idle vCPU, spinning idle", share[1], runs, "% ");
	spread("IPI wake-up, target halted", wake[0], runs, "us");
	spread("IPI wake-up, target spinning", wake[1], runs, "us");
	return rc;
}
