/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A node's durable copies in LMDB: one record per key, the object in the
 * wire format (wire.h), and the idempotency keys of the writes it
 * coordinated (idem.h). A batch's changes commit in one synchronous
 * transaction before the batch's acknowledgements leave the node.
 */
#ifndef KV_DISK_H
#define KV_DISK_H

#include "../core/node.h"
#include "idem.h"

struct kv_disk;

/*
 * The environment in @dir (created), at most @map_bytes of data (LMDB's
 * map size: a commit past it fails with MDB_MAP_FULL); NULL with a
 * message on stderr.
 */
struct kv_disk *kv_disk_open(const char *dir, size_t map_bytes);
/* What the last failed call said (LMDB's text), for the clients. */
const char *kv_disk_error(const struct kv_disk *d);
void kv_disk_close(struct kv_disk *d);
/* Load every record into @n; returns how many, or -errno. */
long kv_disk_load(struct kv_disk *d, struct kv_node *n);
/*
 * The ring's members as a bit mask and its version (a leave bumps it
 * too, so the members alone do not tell it; 0 when not stored): 0, or
 * -ENOENT when no ring is stored.
 */
int kv_disk_get_members(struct kv_disk *d, uint32_t *mask, uint32_t *version);
/* Also forgets the change under way (kv_disk_put_next). */
int kv_disk_put_members(struct kv_disk *d, uint32_t mask, uint32_t version);
/*
 * The ring change under way (begun, not yet committed or abandoned): its
 * members and version, so that a node restarted in the middle takes it
 * up again. 0, or -ENOENT when none is stored; version 0 forgets it.
 */
int kv_disk_get_next(struct kv_disk *d, uint32_t *mask, uint32_t *version);
int kv_disk_put_next(struct kv_disk *d, uint32_t mask, uint32_t version);
/* The node's dot floor (kv_node_cleanup): 0, or -ENOENT when none. */
int kv_disk_get_floor(struct kv_disk *d, uint64_t *floor);
/*
 * After a committed ring change: kv_node_cleanup, with the dropped copies
 * deleted and the raised dot floor stored in one transaction. How many
 * copies went, or -errno (then from memory only).
 */
long kv_disk_cleanup(struct kv_disk *d, struct kv_node *n);
/* Bytes of the database file in use (pages up to the last one). */
uint64_t kv_disk_used(struct kv_disk *d);
/*
 * Commit one batch @out — the entries it changed, the copies it dropped
 * (collected tombstones) with the raised dot floor — the idempotency keys
 * @t added with them and the hint slots @node changed (the dirty slots of
 * both, then cleared), in one transaction; 0 or -errno (the dirty slots
 * then stay dirty, for the next commit).
 */
int kv_disk_commit(struct kv_disk *d, const struct kv_out *out,
		   struct kv_idem *t, struct kv_node *node);
/* Load the hints held before a restart into @n; how many, or -errno. */
long kv_disk_load_hints(struct kv_disk *d, struct kv_node *n);
/* Load the remembered idempotency keys; how many, or -errno. */
long kv_disk_load_idem(struct kv_disk *d, struct kv_idem *t);

#endif
