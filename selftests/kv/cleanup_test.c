// SPDX-License-Identifier: GPL-2.0
/*
 * kv_cleanup_test: the clean-up after a ring change (move.c). A node
 * that leaves drops its register copies only once the change commits,
 * keeps its counters and sets (its own increments and set dots live
 * only there), and numbers its next dot on a dropped key past every dot
 * it used before, so that no dot is ever used twice.
 */
#include <stdlib.h>

#include "ktap.h"
#include "../../tools/kv/core/node.h"

static struct kv_out out;

static void request(struct kv_node *n, unsigned int op, const char *key,
		    int64_t delta)
{
	static struct kv_request rq;

	memset(&rq, 0, sizeof(rq));
	rq.op = op;
	rq.klen = strlen(key);
	memcpy(rq.key, key, rq.klen);
	rq.vlen = 1;
	rq.val[0] = 'v';
	rq.delta = delta;
	kv_out_reset(&out);
	kv_node_request(n, 1000, 1000, &rq, &out);
}

/* The largest counter of node 0's dots in the key's copy, 0 if none. */
static uint64_t own_dot(struct kv_node *n, const char *key)
{
	struct kv_ent *e = kv_store_find(n, key, strlen(key));
	uint64_t c = 0;
	unsigned int i;

	for (i = 0; e && i < e->obj.nsib; i++)
		if (e->obj.u.sib[i].dot.node == 0 && e->obj.u.sib[i].dot.ctr > c)
			c = e->obj.u.sib[i].dot.ctr;
	return c;
}

int main(void)
{
	static struct kv_node node;
	struct kv_config cfg;
	struct kv_ring ring, next;
	unsigned int i, dropped;
	uint64_t before;

	ktap_plan(5);
	kv_config_default(&cfg, 0);
	kv_ring_init(&ring, 16, 3);
	for (i = 0; i < 4; i++)
		kv_ring_join(&ring, i);
	if (kv_node_init(&node, &cfg, &ring))
		ktap_skip_all("out of memory");
	/* three concurrent puts: dots (n0, 1..3), all kept as siblings */
	for (i = 0; i < 3; i++)
		request(&node, KV_OP_PUT, "reg", 0);
	request(&node, KV_OP_COUNTER, "ctr", 5);
	before = own_dot(&node, "reg");

	next = ring;
	kv_ring_leave(&next, 0);
	kv_node_move_begin(&node, 2000, &next);
	dropped = kv_node_cleanup(&node, NULL, NULL);
	ktap_ok(!dropped && kv_store_find(&node, "reg", 3),
		"nothing is dropped while the change is under way");

	kv_node_move_commit(&node);
	dropped = kv_node_cleanup(&node, NULL, NULL);
	ktap_ok(dropped == 1 && !kv_store_find(&node, "reg", 3),
		"after the commit the leaver's register copy is dropped (%u)",
		dropped);
	ktap_ok(kv_store_find(&node, "ctr", 3) != NULL,
		"its counter copy is kept");
	ktap_ok(before >= 3 && node.dot_floor >= before,
		"the dot floor %llu covers the dropped dots (up to %llu)",
		(unsigned long long)node.dot_floor,
		(unsigned long long)before);
	request(&node, KV_OP_PUT, "reg", 0);
	ktap_ok(own_dot(&node, "reg") > before,
		"the next write through it gets dot %llu, past %llu",
		(unsigned long long)own_dot(&node, "reg"),
		(unsigned long long)before);
	kv_node_free(&node);
	return ktap_finish();
}
