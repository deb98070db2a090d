// SPDX-License-Identifier: GPL-2.0
/*
 * The @meta header: what the numbers were measured on. Kernel and its
 * scheduler, CPU model, CPUs, SMT, NUMA nodes, and whether this is
 * hardware, a KVM guest or a QEMU TCG guest (the hypervisor's CPUID
 * signature), since under TCG only ratios within one run mean anything.
 */
#include <cpuid.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, len, "n/a");
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256], *p;

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		p = strchr(line, ':');
		if (strncmp(line, "model name", 10) || !p)
			continue;
		p += 1 + strspn(p + 1, " \t");
		p[strcspn(p, "\n")] = 0;
		snprintf(buf, len, "%s", p);
		break;
	}
	fclose(f);
}

/* CPUID.1:ECX[31] says "under a hypervisor"; leaf 0x40000000 says which. */
static const char *virt(void)
{
	unsigned int a, b, c, d;
	char sig[13];

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return "hardware";
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	if (!strcmp(sig, "TCGTCGTCGTCG"))
		return "VM (QEMU TCG: emulated CPUs, timings comparable only within this run)";
	if (!strncmp(sig, "KVMKVMKVM", 9))
		return "VM (KVM)";
	return "VM (other hypervisor)";
}

static int count_glob(const char *pattern)
{
	glob_t g;
	int n;

	if (glob(pattern, 0, NULL, &g))
		return 0;
	n = (int)g.gl_pathc;
	globfree(&g);
	return n;
}

void bench_meta(int reps, bool is_long)
{
	char buf[256];
	struct utsname u;
	time_t now = time(NULL);

	uname(&u);
	printf("@meta kernel %s %s\n", u.release, u.version);
	printf("@meta baseline %s\n", bench_baseline_name());
	cpu_model(buf, sizeof(buf));
	printf("@meta cpu %s\n", buf);
	printf("@meta cpus %ld online\n", sysconf(_SC_NPROCESSORS_ONLN));
	read_line("/sys/devices/system/cpu/smt/active", buf, sizeof(buf));
	printf("@meta smt %s\n", !strcmp(buf, "1") ? "on" :
	       !strcmp(buf, "0") ? "off" : buf);
	printf("@meta numa %d nodes\n",
	       count_glob("/sys/devices/system/node/node[0-9]*"));
	printf("@meta machine %s\n", virt());
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  buf, sizeof(buf));
	printf("@meta clocksource %s\n", buf);
	printf("@meta mode %s, %d repetitions per variant\n",
	       is_long ? "long" : "quick", reps);
	printf("@meta work_unit %llu loops (about 1 us)\n",
	       (unsigned long long)bench_work_unit_loops());
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	printf("@meta date %s\n", buf);
}
