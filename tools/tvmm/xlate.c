// SPDX-License-Identifier: GPL-2.0
/*
 * Figure B.1 for tvmm's guest: guest-virtual -> guest-physical through
 * the guest's own 4-level page tables (read from guest memory, as the
 * MMU or a shadow-paging VMM would), then -> memory slot -> host virtual
 * -> host physical frame (/proc/self/pagemap; the frame needs root).
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "tvmm.h"

#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_U		(1ull << 2)
#define PTE_PS		(1ull << 7)
#define PTE_ADDR	0x000ffffffffff000ull
#define PAGEMAP_PRESENT	(1ull << 63)	/* Documentation/admin-guide/mm/pagemap.rst */
#define PAGEMAP_PFN	((1ull << 55) - 1)

static const char *const level_name[4] = { "PML4", "PDPT", "PD", "PT" };

static uint64_t host_pfn(const void *hva)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, (uintptr_t)hva / 4096 * 8) != 8)
		e = 0;
	close(fd);
	return (e & PAGEMAP_PRESENT) ? e & PAGEMAP_PFN : 0;
}

/* The guest's walk alone: what the forward path needs, no system call. */
int tvmm_walk(struct tvmm_vm *vm, uint64_t cr3, uint64_t gva,
	      struct tvmm_xlate *x)
{
	uint64_t table = cr3 & PTE_ADDR;

	memset(x, 0, sizeof(*x));
	x->gva = gva;
	x->cr3 = cr3;
	for (int lvl = 0; lvl < 4; lvl++) {
		int shift = 39 - 9 * lvl;
		const uint64_t *e = gpa_to_hva(vm, table + ((gva >> shift) & 511) * 8, 8);

		if (!e) {
			x->fault = "page table outside guest memory";
			return -1;
		}
		x->entry[lvl] = *e;
		x->levels = lvl + 1;
		if (!(*e & PTE_P)) {
			x->fault = "not present";
			return 0;
		}
		if (lvl == 3 || (lvl > 0 && (*e & PTE_PS))) {
			uint64_t mask = (1ull << shift) - 1;

			x->gpa = (*e & PTE_ADDR & ~mask) | (gva & mask);
			x->mapped = true;
			break;
		}
		table = *e & PTE_ADDR;
	}
	if (x->mapped && x->gpa < vm->mem_size)
		x->hva = (uintptr_t)(vm->mem + x->gpa);
	return 0;
}

/* The whole chain, down to the host frame (pagemap: open, read, close). */
int tvmm_xlate(struct tvmm_vm *vm, uint64_t cr3, uint64_t gva,
	       struct tvmm_xlate *x)
{
	int rc = tvmm_walk(vm, cr3, gva, x);

	if (!rc && x->hva)
		x->hpfn = host_pfn((void *)(uintptr_t)x->hva);
	return rc;
}

void tvmm_xlate_print(FILE *f, const struct tvmm_xlate *x, const char *what)
{
	fprintf(f, "xlate %#llx (%s), CR3 %#llx\n", (unsigned long long)x->gva,
		what, (unsigned long long)x->cr3);
	for (int l = 0; l < x->levels; l++) {
		uint64_t e = x->entry[l];

		fprintf(f, "  %-4s[%3llu] = %#018llx %s%s%s%s\n", level_name[l],
			(unsigned long long)(x->gva >> (39 - 9 * l)) & 511,
			(unsigned long long)e, e & PTE_P ? "P" : "-",
			e & PTE_W ? "W" : "-", e & PTE_U ? "U" : "-",
			l && l < 3 && (e & PTE_PS) ? (l == 1 ? " 1G" : " 2M") : "");
	}
	if (!x->mapped) {
		fprintf(f, "  -> guest page fault: %s\n", x->fault);
		return;
	}
	fprintf(f, "  -> guest-physical %#llx\n", (unsigned long long)x->gpa);
	if (!x->hva) {
		fprintf(f, "  -> no memory slot: MMIO (exits to tvmm)\n");
		return;
	}
	fprintf(f, "  -> memory slot 0 (guest-physical 0x0 + %#llx) -> host virtual %#llx\n",
		(unsigned long long)x->gpa, (unsigned long long)x->hva);
	if (x->hpfn)
		fprintf(f, "  -> host physical frame %#llx (address %#llx)\n",
			(unsigned long long)x->hpfn,
			(unsigned long long)(x->hpfn << 12 | (x->gpa & 4095)));
	else
		fprintf(f, "  -> host physical frame unknown (not resident, or not root)\n");
}
