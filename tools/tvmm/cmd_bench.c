// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm bench: the per-call cost of a bare exit (an OUT tvmm only
 * counts: the baseline), of the direct flow (int 0x80 stays in the
 * guest), of the forwarded flow (the same int 0x80 through tvmm's trap
 * table) and of the para-virtual flow, each --reps times in one guest:
 * median and spread. Then the flows again with the register ioctls
 * instead of KVM_CAP_SYNC_REGS (an A/B in the same run), a native getpid
 * on this host, and what the demand-zero hint saves (guest time and host
 * pages). Guest spans are timed by tvmm between the guest's SYNC
 * ucalls, so no guest clock is trusted.
 */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "cmd.h"

static const struct {
	const char *name, *what;
} phases[] = {
	{ "exit", "bare exit (OUT, only counted)" },
	{ "direct", "direct int 0x80 (no exit)" },
	{ "fwd", "int 0x80 via tvmm's trap table" },
	{ "pv", "para-virtual OUT, forwarded" },
};

#define NR_PHASES	(sizeof(phases) / sizeof(phases[0]))

int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of 5 runs after a warm-up, in ns per call. */
static double native_getpid_ns(uint64_t n)
{
	double r[5];

	for (uint64_t i = 0; i < n; i++)
		syscall(SYS_getpid);
	for (int k = 0; k < 5; k++) {
		uint64_t t0 = now_ns();

		for (uint64_t i = 0; i < n; i++)
			syscall(SYS_getpid);
		r[k] = (double)(now_ns() - t0) / n;
	}
	qsort(r, 5, sizeof(r[0]), cmp_double);
	return r[2];
}

/* ns per call of phase @p in repetition @rep; -1: not run. */
static double rep_ns(const struct tvmm_vcpu *v, const struct tvmm_config *cfg,
		     unsigned int p, int rep)
{
	char b[24], e[24];
	const struct tvmm_sync *s, *t;

	snprintf(b, sizeof(b), "%s-begin", phases[p].name);
	snprintf(e, sizeof(e), "%s-end", phases[p].name);
	s = tvmm_sync_nth(v, b, rep);
	t = tvmm_sync_nth(v, e, rep);
	return s && t ? (double)(t->ns - s->ns) / cfg->iters : -1;
}

/*
 * Phase @p against two bare exits, repetition by repetition: each rep
 * against the mean of the bare loops just before and after it (this
 * rep's and the next one's), so that the rig's slow drifts, which move
 * whole phases by 2x between runs, cancel. Median and range.
 */
static void ratio_line(const struct tvmm_vcpu *v, const struct tvmm_config *cfg,
		       unsigned int p)
{
	double r[16];
	unsigned int n = 0;

	for (int rep = 0; rep < (int)cfg->reps && n < 16; rep++) {
		double x = rep_ns(v, cfg, p, rep), e0 = rep_ns(v, cfg, 0, rep),
		       e1 = rep_ns(v, cfg, 0, rep + 1);

		if (x <= 0 || e0 <= 0)
			continue;
		r[n++] = x / (2 * (e1 > 0 ? (e0 + e1) / 2 : e0));
	}
	if (!n)
		return;
	qsort(r, n, sizeof(r[0]), cmp_double);
	printf("  %s / two bare exits: %.2f  (per rep, beside its bare loops: min %.2f max %.2f, %u reps)\n",
	       phases[p].name, r[n / 2], r[0], r[n - 1], n);
}

/*
 * The guest's paired loop (user.c): a bare exit and a call of @p's flow
 * in turn, each timed by the guest's TSC; the median of each. A busy
 * host slows the two alike, and preempted calls fall out of the median.
 */
static void pair_line(const struct tvmm_vcpu *v, const struct tvmm_config *cfg,
		      unsigned int p)
{
	const struct tvmm_report *e, *c;
	char k[32];

	snprintf(k, sizeof(k), "%s_pair_exit", phases[p].name);
	e = tvmm_report(v, k);
	snprintf(k, sizeof(k), "%s_pair_call", phases[p].name);
	c = tvmm_report(v, k);
	if (!e || !c || !e->val)
		return;
	printf("  %s paired with a bare exit, %llu times: call %.2f us, exit %.2f us (medians, guest TSC)",
	       phases[p].name,
	       (unsigned long long)(cfg->iters < 1024 ? cfg->iters : 1024),
	       c->val / 1e3, e->val / 1e3);
	if (p > 1)
		printf(": %s / two bare exits %.2f", phases[p].name,
		       (double)c->val / (2.0 * e->val));
	putchar('\n');
}

/* One line per phase: ns per call over the repetitions, median and range. */
static void phase_line(const struct tvmm_vcpu *v,
		       const struct tvmm_config *cfg, unsigned int p)
{
	char b[24], e[24];
	double ns[16], exits = 0, regs = 0, sregs = 0, ioctls = 0;
	unsigned int n = 0;

	snprintf(b, sizeof(b), "%s-begin", phases[p].name);
	snprintf(e, sizeof(e), "%s-end", phases[p].name);
	for (int rep = 0; rep < (int)cfg->reps && n < 16; rep++) {
		const struct tvmm_sync *s = tvmm_sync_nth(v, b, rep),
				       *t = tvmm_sync_nth(v, e, rep);

		if (!s || !t)
			break;
		ns[n++] = (double)(t->ns - s->ns) / cfg->iters;
		/* Less the end SYNC's own exit. */
		exits = (double)(t->exits - s->exits - 1) / cfg->iters;
		/* What the exits cost beyond KVM_RUN (regs.c). */
		regs = (double)(t->put_regs - s->put_regs) / cfg->iters;
		sregs = (double)(t->put_sregs - s->put_sregs) / cfg->iters;
		ioctls = (double)(t->reg_ioctls - s->reg_ioctls) / cfg->iters;
	}
	if (!n)
		return;
	qsort(ns, n, sizeof(ns[0]), cmp_double);
	printf("  %-32s median %9.2f us  min %9.2f  max %9.2f  (%u reps, %.2f exits/call)\n",
	       phases[p].what, ns[n / 2] / 1e3, ns[0] / 1e3, ns[n - 1] / 1e3,
	       n, exits);
	if (regs + sregs + ioctls > 0)
		printf("  %-32s per call: %.2f regs and %.2f sregs handed back, %.2f register ioctls\n",
		       "", regs, sregs, ioctls);
}

static int bench_flows(struct tvmm_config *cfg, bool ioctl_regs)
{
	struct tvmm_vm *vms[TVMM_MAX_VMS];
	struct tvmm_host h = { .kvm_fd = -1 };
	struct tvmm_vcpu *v;
	unsigned int n;
	int rc;

	cfg->scenario = "bench";
	cfg->ioctl_regs = ioctl_regs;
	rc = tvmm_run(cfg, vms, &n, &h);
	if (!n)
		return rc;
	v = &vms[0]->vcpus[0];
	if (!ioctl_regs)
		printf("machine: host %s; guest memory: %s; irqchip %s\n",
		       h.kind, h.mmu,
		       vms[0]->features & TVMM_F_IRQCHIP ? "on" : "off");
	printf("registers: %s; %llu calls a phase\n",
	       ioctl_regs || !h.sync_regs ? "KVM_GET/SET_(S)REGS ioctls" :
	       "KVM_CAP_SYNC_REGS (in kvm_run)",
	       (unsigned long long)cfg->iters);
	for (unsigned int p = 0; p < NR_PHASES; p++) {
		if (p == 1 && tvmm_report(v, "int80_ud")) {
			printf("  %-32s refused here: #UD from CPL3\n",
			       phases[p].what);
			continue;
		}
		phase_line(v, cfg, p);
	}
	/* The target: a forwarded call near two bare exits. */
	for (unsigned int p = 2; p < NR_PHASES; p++)
		ratio_line(v, cfg, p);
	for (unsigned int p = 1; p < NR_PHASES; p++)
		pair_line(v, cfg, p);
	free_vms(vms, n, &h);
	return rc;
}

static int bench_zero(struct tvmm_config *cfg, bool hint)
{
	struct tvmm_vm *vms[TVMM_MAX_VMS];
	struct tvmm_host h = { .kvm_fd = -1 };
	const struct tvmm_sync *s, *e;
	struct tvmm_vcpu *v;
	unsigned int n;
	int rc;

	cfg->scenario = "zero";
	cfg->zero_hint = hint;
	rc = tvmm_run(cfg, vms, &n, &h);
	if (!n)
		return rc;
	v = &vms[0]->vcpus[0];
	s = tvmm_sync(v, "zero-begin");
	e = tvmm_sync(v, "zero-end");
	if (s && e) {
		printf("demand-zero, hint %-3s: %llu pages in %8.0f us (%.1f us/page), host pages touched %+lld, tvmm saw %llu exits\n",
		       hint ? "on" : "off", (unsigned long long)cfg->iters,
		       (e->ns - s->ns) / 1e3,
		       (e->ns - s->ns) / 1e3 / cfg->iters,
		       (long long)(e->resident_pages - s->resident_pages),
		       (unsigned long long)(e->exits - s->exits));
		/* The page faults and exits KVM took care of without tvmm. */
		tvmm_kstats_print(stdout, "  KVM, vCPU, per page:", &v->ks,
				  s->kvm, e->kvm, cfg->iters);
		tvmm_kstats_print(stdout, "  KVM, VM (whole run), per page:",
				  &vms[0]->ks, vms[0]->ks_before,
				  vms[0]->ks_after, cfg->iters);
	}
	free_vms(vms, n, &h);
	return rc;
}

int cmd_bench(int argc, char **argv)
{
	struct tvmm_config cfg;
	uint64_t iters;
	int rc;

	tvmm_config_default(&cfg);
	cfg.iters = 1000;
	cfg.reps = 5;
	if (parse_run_options(argc, argv, &cfg) < 0)
		return TVMM_EXIT_USAGE;
	cfg.quiet = true;
	iters = cfg.iters;
	rc = bench_flows(&cfg, cfg.ioctl_regs);
	if (!rc && !cfg.ioctl_regs)
		rc = bench_flows(&cfg, true);
	if (rc)
		return rc;
	printf("native getpid on this host:     %10.0f ns/syscall\n",
	       native_getpid_ns(cfg.iters * 10));
	cfg.iters = 4096;	/* 16 MiB of fresh pages */
	cfg.reps = 1;
	if (cfg.mem < (32ull << 20))
		cfg.mem = 32ull << 20;
	rc = bench_zero(&cfg, false);
	if (!rc)
		rc = bench_zero(&cfg, true);
	cfg.iters = iters;
	return rc;
}
