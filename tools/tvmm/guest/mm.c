// SPDX-License-Identifier: GPL-2.0
/*
 * Guest physical page allocator and user page tables. Fresh pages (never
 * handed out before) come from tvmm's anonymous memory and are already
 * zero: with the TVMM_F_ZERO_HINT para-virtual hint the guest trusts that
 * and skips zeroing them, which also leaves them unbacked on the host
 * until first use. Recycled pages are always zeroed. Counts go to the PV
 * page so tvmm can report them.
 */
#include "guest.h"

static uint64_t fresh_next, mem_end;
static uint64_t free_list;	/* singly linked through the first word */
static uint64_t mmap_next = TVMM_USER_MMAP;

void mm_init(void)
{
	fresh_next = BOOTINFO->free_start;
	mem_end = BOOTINFO->mem_size;
}

uint64_t page_alloc(void)
{
	uint64_t pa = free_list;

	if (pa) {
		free_list = *(uint64_t *)pa;
		memset((void *)pa, 0, PAGE_SIZE);
		PV->guest_zeroed++;
		return pa;
	}
	GUEST_ASSERT(fresh_next + PAGE_SIZE <= mem_end);
	pa = fresh_next;
	fresh_next += PAGE_SIZE;
	PV->host_zeroed++;
	if (!(BOOTINFO->features & TVMM_F_ZERO_HINT)) {
		memset((void *)pa, 0, PAGE_SIZE);
		PV->guest_rezeroed++;
	}
	return pa;
}

void page_free(uint64_t pa)
{
	*(uint64_t *)pa = free_list;
	free_list = pa;
}

static inline void invlpg(uint64_t va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* The leaf PTE of @va; page-table pages are allocated with @alloc. */
uint64_t *walk_pte(uint64_t va, bool alloc)
{
	uint64_t *table = (uint64_t *)(read_cr3() & PTE_ADDR);

	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &table[(va >> shift) & 511];

		if (!(*e & PTE_P)) {
			if (!alloc)
				return NULL;
			*e = page_alloc() | PTE_P | PTE_W | PTE_U;
		}
		GUEST_ASSERT(!(*e & PTE_PS));
		table = (uint64_t *)(*e & PTE_ADDR);
	}
	return &table[(va >> 12) & 511];
}

void map_user_page(uint64_t va, uint64_t pa)
{
	*walk_pte(va, true) = pa | PTE_P | PTE_W | PTE_U;
	invlpg(va);
}

static void unmap_free(uint64_t va)
{
	uint64_t *pte = walk_pte(va, false);

	if (pte && (*pte & PTE_P)) {
		page_free(*pte & PTE_ADDR);
		*pte = 0;
		invlpg(va);
	}
}

uint64_t user_mmap(uint64_t bytes)
{
	uint64_t va = mmap_next, n = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;

	if (!n || n > (TVMM_USER_STACK_TOP - 0x100000 - va) / PAGE_SIZE)
		return (uint64_t)-12;	/* ENOMEM */
	for (uint64_t i = 0; i < n; i++)
		map_user_page(va + i * PAGE_SIZE, page_alloc());
	mmap_next += n * PAGE_SIZE;
	return va;
}

/* The processes have ended: mmap pages and stacks go back to the pool. */
void user_space_reset(void)
{
	for (uint64_t va = TVMM_USER_MMAP; va < mmap_next; va += PAGE_SIZE)
		unmap_free(va);
	mmap_next = TVMM_USER_MMAP;
	for (unsigned int c = 0; c < BOOTINFO->nr_vcpus; c++)
		for (int i = 1; i <= USER_STACK_PAGES; i++)
			unmap_free(user_stack_top(c) - i * PAGE_SIZE);
}
