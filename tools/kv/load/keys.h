/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every load of smpkit-kv asks for: which key (uniform or Zipf over
 * K keys, from one seeded xorshift generator) and how keys and values
 * are spelt, shared by the open-loop load (load.c) and the closed-loop
 * driver of the peer comparison (drive.c), so both send the same thing.
 */
#ifndef KV_KEYS_H
#define KV_KEYS_H

#include <stdint.h>

#define KV_LOAD_KEY	"load:%u"	/* key number */
#define KV_LOAD_VAL	"v%llx.%llu"	/* client id (24 bits), request number */

struct kv_keys {
	uint64_t rng;		/* xorshift state, never 0 */
	unsigned int n;
	double *cdf;		/* Zipf; NULL for uniform */
};

uint64_t kv_keys_rnd(struct kv_keys *k);
/* Uniform in [0, 1). */
double kv_keys_unit(struct kv_keys *k);
/* Makes the law Zipf with exponent @s over the k->n keys (dies on ENOMEM). */
void kv_keys_zipf(struct kv_keys *k, double s);
unsigned int kv_keys_pick(struct kv_keys *k);

#endif
