// SPDX-License-Identifier: GPL-2.0
/*
 * probes_cache_test: the CPUID cache decoders give the sizes known
 * registers stand for (Intel leaf 4, AMD 0x8000001D, AMD's legacy
 * 0x80000005/6 as this project's bhyve host returns them), stop where
 * the list ends, and refuse absent caches; on this machine CPUID and
 * hwloc agree on the LLC, and some source names one.
 */
#include <string.h>

#include "../../tools/probes/caches.h"
#include "../../tools/probes/probes.h"
#include "ktap.h"

struct det_case {
	const char *what;
	uint32_t eax, ebx, ecx;
	int level;
	const char *type;
	uint64_t size;
	int ways;
};

static const struct det_case dets[] = {
	/* type 1, level 1, 12 ways x 64 sets x 64 B */
	{ "Intel L1d 48K", 0x4121, 0x02c0003f, 63, 1, "Data", 48 << 10, 12 },
	/* type 3, level 3, 15 ways x 32768 sets x 64 B */
	{ "Intel L3 30M", 0x3fc163, 0x0380003f, 32767, 3, "Unified",
	  30u << 20, 15 },
	/* Zen 4 0x8000001D subleaf 3: 16 ways x 32768 sets x 64 B */
	{ "AMD L3 32M", 0x3c163, 0x03c0003f, 0x7fff, 3, "Unified", 32u << 20,
	  16 },
	/* EAX bit 9: fully associative, one set */
	{ "fully associative", 0x322, 0x0000003f, 0, 1, "Instruction",
	  64, -1 },
};

static void det_cases(void)
{
	for (size_t i = 0; i < sizeof(dets) / sizeof(dets[0]); i++) {
		const struct det_case *d = &dets[i];
		struct cache_info ci;
		bool ok = cpuid_decode_det(d->eax, d->ebx, d->ecx, &ci);

		ktap_ok(ok && ci.level == d->level &&
			!strcmp(ci.type, d->type) && ci.size == d->size &&
			ci.ways == d->ways && ci.line == 64,
			"leaf 4 layout, %s: L%d %s %llu B, %d ways", d->what,
			ci.level, ok ? ci.type : "-",
			(unsigned long long)ci.size, ci.ways);
	}
	{
		struct cache_info ci;

		ktap_ok(!cpuid_decode_det(0, 0x02c0003f, 63, &ci) &&
			!cpuid_decode_det(0x124, 0x02c0003f, 63, &ci),
			"leaf 4 layout: null type ends the list, reserved type too");
	}
}

static void amd_legacy_cases(void)
{
	struct cache_info ci[CACHES_MAX];
	/* What the bhyve guest on an EPYC returns (no topoext). */
	int n = cpuid_decode_amd_legacy(0x300c0140, 0x20080140, 0x04006140,
					0x0fe09140, ci, CACHES_MAX);

	ktap_ok(n == 4 && ci[0].size == 48 << 10 && ci[0].ways == 12 &&
		!strcmp(ci[0].type, "Data") &&
		ci[1].size == 32 << 10 && !strcmp(ci[1].type, "Instruction") &&
		ci[2].level == 2 && ci[2].size == 1 << 20 && ci[2].ways == 8 &&
		ci[3].level == 3 && ci[3].size == 1016ull << 19 &&
		ci[3].ways == 0,
		"AMD legacy leaves: L1d 48K/12, L1i 32K, L2 1M/8, L3 508M (ways code 9: unknown)");
	n = cpuid_decode_amd_legacy(0x300c0140, 0x20080140, 0x04000140, 0,
				    ci, CACHES_MAX);
	ktap_ok(n == 2, "AMD legacy leaves: ways code 0 means no L2, zero size no L3 (%d caches)",
		n);
	n = cpuid_decode_amd_legacy(0x300c0140, 0x20080140, 0x04006140,
				    0x0fe09140, ci, 3);
	ktap_ok(n == 3, "AMD legacy leaves: never more than the room given");
}

static uint64_t largest(const struct caches *cs)
{
	uint64_t best = 0;

	for (int i = 0; i < cs->n; i++)
		if (strcmp(cs->c[i].type, "Instruction") && cs->c[i].size > best)
			best = cs->c[i].size;
	return best;
}

int main(void)
{
	struct caches cpuid;

	ktap_plan(10);
	det_cases();
	amd_legacy_cases();
	ktap_ok(llc_size() > 0, "some source knows the LLC here: %llu KiB from %s",
		(unsigned long long)(llc_size() >> 10), caches_get()->source);
#ifdef __x86_64__
	caches_from_cpuid(&cpuid);
	if (strcmp(caches_get()->source, "hwloc") || !cpuid.n)
		ktap_skip("CPUID or hwloc knows no cache here: nothing to compare");
	else
		ktap_ok(largest(&cpuid) == llc_size(),
			"CPUID's LLC (%llu KiB) is hwloc's (%llu KiB)",
			(unsigned long long)(largest(&cpuid) >> 10),
			(unsigned long long)(llc_size() >> 10));
#else
	(void)cpuid;
	(void)largest;
	ktap_skip("no CPUID on this architecture");
#endif
	return ktap_finish();
}
