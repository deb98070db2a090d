// SPDX-License-Identifier: GPL-2.0
/*
 * What machine a result came from: kernel, CPU model, CPUs/cores/SMT,
 * NUMA nodes, LLC size (caches.c), clocksource, and VM detection from
 * CPUID (the hypervisor bit and the vendor leaf 0x40000000). Read from
 * sysfs, /proc and libnuma; nothing here is measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <numa.h>
#include <sys/utsname.h>
#ifdef __x86_64__
#include <cpuid.h>
#endif

#include "caches.h"
#include "probes.h"

bool cpuid_hypervisor(char *vendor, size_t len)
{
	snprintf(vendor, len, "none");
#ifdef __x86_64__
	unsigned int a, b, c, d;
	char v[13];

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return false;
	/* Leaf 0x40000000 is outside __get_cpuid's range check. */
	__cpuid(0x40000000, a, b, c, d);
	memcpy(v, &b, 4);
	memcpy(v + 4, &c, 4);
	memcpy(v + 8, &d, 4);
	v[12] = 0;
	/* Some pad their vendor with spaces ("bhyve bhyve "). */
	for (int i = 11; i >= 0 && v[i] == ' '; i--)
		v[i] = 0;
	if (!v[0])
		snprintf(vendor, len, "unknown");
	else if (!strcmp(v, "KVMKVMKVM"))
		snprintf(vendor, len, "KVM");
	else if (!strcmp(v, "TCGTCGTCGTCG"))
		snprintf(vendor, len, "QEMU TCG");
	else if (!strcmp(v, "Microsoft Hv"))
		snprintf(vendor, len, "Hyper-V");
	else if (!strcmp(v, "VMwareVMware"))
		snprintf(vendor, len, "VMware");
	else if (!strcmp(v, "XenVMMXenVMM"))
		snprintf(vendor, len, "Xen");
	else
		snprintf(vendor, len, "%s", v);
	return true;
#else
	return false;
#endif
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

int node_cpus(int node, int *cpus, int max)
{
	struct bitmask *bm = numa_allocate_cpumask();
	int cand[CPU_SETSIZE], nc, n = 0;

	if (numa_node_to_cpus(node, bm)) {
		numa_free_cpumask(bm);
		return 0;
	}
	nc = allowed_cpus(cand, CPU_SETSIZE);
	for (int i = 0; i < nc && n < max; i++)
		if (numa_bitmask_isbitset(bm, cand[i]))
			cpus[n++] = cand[i];
	numa_free_cpumask(bm);
	return n;
}

static void cpu_model(char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !p)
			continue;
		p += 2;
		p[strcspn(p, "\n")] = 0;
		snprintf(buf, len, "%s", p);
		break;
	}
	fclose(f);
}

/* A core is counted at its lowest-numbered SMT sibling. */
static void count_cores(struct machine *m)
{
	char path[128], sib[256], err[64];
	int cores = 0, maxsmt = 1;
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	cpu_set_t s;

	for (long c = 0; c < conf && c < CPU_SETSIZE; c++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%ld/topology/thread_siblings_list",
			 c);
		if (read_line(path, sib, sizeof(sib)) ||
		    parse_cpulist(sib, &s, err, sizeof(err)))
			continue;
		if (CPU_COUNT(&s) > maxsmt)
			maxsmt = CPU_COUNT(&s);
		for (int k = 0; k < CPU_SETSIZE; k++) {
			if (CPU_ISSET(k, &s)) {
				cores += k == c;
				break;
			}
		}
	}
	m->cores = cores;
	m->smt = maxsmt;
}

void machine_probe(struct machine *m)
{
	struct utsname u;
	time_t now;
	struct tm tm;

	memset(m, 0, sizeof(*m));
	now = time(NULL);
	if (!gmtime_r(&now, &tm) ||
	    !strftime(m->date, sizeof(m->date), "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(m->date, sizeof(m->date), "?");
	if (gethostname(m->host, sizeof(m->host)))
		snprintf(m->host, sizeof(m->host), "?");
	m->host[sizeof(m->host) - 1] = 0;
	uname(&u);
	snprintf(m->kernel, sizeof(m->kernel), "%.64s %.32s", u.release,
		 u.machine);
	cpu_model(m->model, sizeof(m->model));
	m->in_vm = cpuid_hypervisor(m->hypervisor, sizeof(m->hypervisor));
	/* QEMU's TCG names itself in the model string even without a leaf. */
	m->tcg = strstr(m->hypervisor, "TCG") || strstr(m->model, "TCG");
	if (m->tcg)
		snprintf(m->hypervisor, sizeof(m->hypervisor), "QEMU TCG");
	if (read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		      m->clocksource, sizeof(m->clocksource)))
		snprintf(m->clocksource, sizeof(m->clocksource), "?");
	m->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	count_cores(m);
	m->nodes = nodes_count();
	m->llc_bytes = llc_size();
	m->llc_source = caches_get()->source;
}
