// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm bench: the per-syscall cost of the direct flow (int 0x80 stays in
 * the guest), of trap-and-forward (two exits through tvmm) and of a
 * native getpid on this host, in one run; then what the demand-zero
 * hint saves (guest time and host pages). Guest spans are timed by tvmm
 * between the guest's SYNC ucalls, so no guest clock is trusted.
 */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "cmd.h"

static double span_ns(const struct tvmm_vcpu *v, const char *a, const char *b)
{
	const struct tvmm_sync *s = tvmm_sync(v, a), *e = tvmm_sync(v, b);

	return s && e ? (double)(e->ns - s->ns) : -1;
}

static int cmp_double(const void *a, const void *b)
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

static int bench_flows(struct tvmm_config *cfg)
{
	struct tvmm_vm *vms[TVMM_MAX_VMS];
	struct tvmm_host h = { .kvm_fd = -1 };
	struct tvmm_vcpu *v;
	unsigned int n;
	double d, f;
	int rc;

	cfg->scenario = "bench";
	rc = tvmm_run(cfg, vms, &n, &h);
	if (!n)
		return rc;
	v = &vms[0]->vcpus[0];
	printf("machine: host %s; guest memory: %s\n", h.kind, h.mmu);
	d = span_ns(v, "direct-begin", "direct-end");
	f = span_ns(v, "fwd-begin", "fwd-end");
	if (tvmm_report(v, "int80_ud"))
		printf("direct (int 0x80, no exit):     refused here: #UD from CPL3\n");
	else if (d >= 0)
		printf("direct (int 0x80, no exit):     %10.0f ns/syscall (%llu calls)\n",
		       d / cfg->iters, (unsigned long long)cfg->iters);
	if (f >= 0) {
		const struct tvmm_sync *s = tvmm_sync(v, "fwd-begin"),
				       *e = tvmm_sync(v, "fwd-end");

		printf("trap-and-forward (2 exits):     %10.0f ns/syscall (%llu exits)\n",
		       f / cfg->iters,
		       (unsigned long long)(e->fwd_exits - s->fwd_exits));
	}
	printf("native getpid on this host:     %10.0f ns/syscall\n",
	       native_getpid_ns(cfg->iters * 10));
	free_vms(vms, n, &h);
	return rc;
}

static int bench_zero(struct tvmm_config *cfg, bool hint)
{
	struct tvmm_vm *vms[TVMM_MAX_VMS];
	struct tvmm_host h = { .kvm_fd = -1 };
	const struct tvmm_sync *s, *e;
	unsigned int n;
	int rc;

	cfg->scenario = "zero";
	cfg->zero_hint = hint;
	rc = tvmm_run(cfg, vms, &n, &h);
	if (!n)
		return rc;
	s = tvmm_sync(&vms[0]->vcpus[0], "zero-begin");
	e = tvmm_sync(&vms[0]->vcpus[0], "zero-end");
	if (s && e)
		printf("demand-zero, hint %-3s: %llu pages in %8.0f us, host pages touched %+lld\n",
		       hint ? "on" : "off", (unsigned long long)cfg->iters,
		       (e->ns - s->ns) / 1e3,
		       (long long)(e->resident_pages - s->resident_pages));
	free_vms(vms, n, &h);
	return rc;
}

int cmd_bench(int argc, char **argv)
{
	struct tvmm_config cfg;
	uint64_t iters;
	int rc;

	tvmm_config_default(&cfg);
	cfg.iters = 2000;
	cfg.quiet = true;
	if (parse_run_options(argc, argv, &cfg) < 0)
		return TVMM_EXIT_USAGE;
	cfg.quiet = true;
	iters = cfg.iters;
	rc = bench_flows(&cfg);
	if (rc)
		return rc;
	cfg.iters = 4096;	/* 16 MiB of fresh pages */
	if (cfg.mem < (32ull << 20))
		cfg.mem = 32ull << 20;
	rc = bench_zero(&cfg, false);
	if (!rc)
		rc = bench_zero(&cfg, true);
	cfg.iters = iters;
	return rc;
}
