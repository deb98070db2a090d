// SPDX-License-Identifier: GPL-2.0
/*
 * The idempotency keys a node remembers (idem.h). A linear search: 4,096
 * slots of 16 bytes cost a few microseconds against a request's
 * round trips, and need no index to keep in step with the ring.
 */
#include <stddef.h>

#include "idem.h"

struct kv_idem_ent *kv_idem_find(struct kv_idem *t, uint64_t client,
				 uint64_t seq)
{
	unsigned int i;

	for (i = 0; i < KV_IDEM_SLOTS; i++)
		if (t->e[i].state != KV_IDEM_FREE && t->e[i].client == client &&
		    t->e[i].seq == seq)
			return &t->e[i];
	return NULL;
}

struct kv_idem_ent *kv_idem_add(struct kv_idem *t, uint64_t client,
				uint64_t seq)
{
	struct kv_idem_ent *e;

	if (t->ndirty == KV_IDEM_DIRTY)
		return NULL;
	t->dirty[t->ndirty++] = t->next;
	e = &t->e[t->next];
	t->next = (t->next + 1) % KV_IDEM_SLOTS;
	e->client = client;
	e->seq = seq;
	e->age = t->adds++;
	e->state = KV_IDEM_RUNNING;
	return e;
}

void kv_idem_load(struct kv_idem *t, unsigned int slot, uint64_t client,
		  uint64_t seq, uint64_t age)
{
	if (slot >= KV_IDEM_SLOTS)
		return;
	t->e[slot].client = client;
	t->e[slot].seq = seq;
	t->e[slot].age = age;
	t->e[slot].state = KV_IDEM_APPLIED;
	if (age >= t->adds) {
		t->adds = age + 1;
		t->next = (slot + 1) % KV_IDEM_SLOTS;
	}
}
