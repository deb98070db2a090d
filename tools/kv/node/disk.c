// SPDX-License-Identifier: GPL-2.0
/*
 * LMDB under the node (disk.h): four databases in one environment, "data"
 * (the copies), "meta" (the committed ring and the dot floor), "idem"
 * (idempotency keys by table slot: a reused slot overwrites the key it
 * forgot, so the database never grows past the table) and "hints" (the
 * hints held for unreachable owners, by hint slot, likewise).
 * Copy-on-write B+tree pages: a commit is
 * durable when mdb_txn_commit returns (the environment keeps its default
 * synchronous flushes), so an acknowledged write survives SIGKILL and a
 * power cut. A record that does not decode is reported and skipped: the
 * co-owners' anti-entropy brings the key back.
 */
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "disk.h"
#include "wire.h"

struct kv_disk {
	MDB_env *env;
	MDB_dbi dbi, meta, idem, hints;
	const char *error;	/* the last failure, for the clients */
};

static int disk_err(struct kv_disk *d, const char *what, int rc)
{
	d->error = mdb_strerror(rc);
	fprintf(stderr, "smpkit-kv: lmdb %s: %s\n", what, d->error);
	return rc > 0 ? -rc : -EIO;
}

const char *kv_disk_error(const struct kv_disk *d)
{
	return d->error ? d->error : "no error";
}

struct kv_disk *kv_disk_open(const char *dir, size_t map_bytes)
{
	struct kv_disk *d = calloc(1, sizeof(*d));
	MDB_txn *txn;
	int rc;

	if (!d)
		return NULL;
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "smpkit-kv: mkdir %s: %m\n", dir);
		goto free_d;
	}
	rc = mdb_env_create(&d->env);
	if (rc)
		goto fail;
	mdb_env_set_mapsize(d->env, map_bytes);
	mdb_env_set_maxdbs(d->env, 4);
	rc = mdb_env_open(d->env, dir, 0, 0644);
	if (rc)
		goto close_env;
	rc = mdb_txn_begin(d->env, NULL, 0, &txn);
	if (rc)
		goto close_env;
	rc = mdb_dbi_open(txn, "data", MDB_CREATE, &d->dbi);
	if (!rc)
		rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &d->meta);
	if (!rc)
		rc = mdb_dbi_open(txn, "idem", MDB_CREATE, &d->idem);
	if (!rc)
		rc = mdb_dbi_open(txn, "hints", MDB_CREATE, &d->hints);
	if (rc) {
		mdb_txn_abort(txn);
		goto close_env;
	}
	rc = mdb_txn_commit(txn);
	if (rc)
		goto close_env;
	return d;
close_env:
	mdb_env_close(d->env);
fail:
	disk_err(d, dir, rc);
free_d:
	free(d);
	return NULL;
}

void kv_disk_close(struct kv_disk *d)
{
	if (!d)
		return;
	mdb_env_close(d->env);
	free(d);
}

/*
 * Every record of @dbi through @load, in one read transaction: 1 when it
 * was taken, 0 when it decoded but changed nothing, < 0 when it does not
 * decode (said once per record, naming @what, and skipped: one torn
 * record must not keep a node from starting). Returns the records taken.
 */
static long walk(struct kv_disk *d, MDB_dbi dbi, const char *what,
		 int (*load)(const MDB_val *k, const MDB_val *v, void *arg),
		 void *arg)
{
	MDB_val k, v;
	MDB_cursor *c;
	MDB_txn *txn;
	long count = 0;
	int rc;

	rc = mdb_txn_begin(d->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return disk_err(d, "read", rc);
	rc = mdb_cursor_open(txn, dbi, &c);
	if (rc) {
		mdb_txn_abort(txn);
		return disk_err(d, "cursor", rc);
	}
	while (!mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		rc = load(&k, &v, arg);
		if (rc < 0)
			fprintf(stderr, "smpkit-kv: %s does not decode; skipped\n",
				what);
		else
			count += rc;
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return count;
}

static int load_record(const MDB_val *k, const MDB_val *v, void *arg)
{
	static struct kv_obj o;
	const char *why;
	int err;

	if (k->mv_size < 1 || k->mv_size > KV_KEY_MAX ||
	    kvw_get_obj(v->mv_data, v->mv_size, &o, &why))
		return -1;
	return kv_store_merge(arg, k->mv_data, k->mv_size, &o, &err) ? 1 : 0;
}

long kv_disk_load(struct kv_disk *d, struct kv_node *n)
{
	return walk(d, d->dbi, "a stored record", load_record, n);
}

/* A fixed-size record of "meta": 0, or -ENOENT when absent or torn. */
static int get_meta(struct kv_disk *d, const char *name, void *val,
		    size_t size)
{
	MDB_val k = { .mv_size = strlen(name), .mv_data = (void *)name }, v;
	MDB_txn *txn;
	int rc;

	rc = mdb_txn_begin(d->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return disk_err(d, "read", rc);
	rc = mdb_get(txn, d->meta, &k, &v);
	if (!rc && v.mv_size == size)
		memcpy(val, v.mv_data, size);
	mdb_txn_abort(txn);
	return rc || v.mv_size != size ? -ENOENT : 0;
}

static int put_meta(MDB_txn *txn, struct kv_disk *d, const char *name,
		    void *val, size_t size)
{
	MDB_val k = { .mv_size = strlen(name), .mv_data = (void *)name };
	MDB_val v = { .mv_size = size, .mv_data = val };

	return mdb_put(txn, d->meta, &k, &v, 0);
}

int kv_disk_get_members(struct kv_disk *d, uint32_t *mask, uint32_t *version)
{
	/* a ring stored before versions were: numbered by its joins */
	if (get_meta(d, "ringver", version, sizeof(*version)))
		*version = 0;
	return get_meta(d, "members", mask, sizeof(*mask));
}

int kv_disk_get_floor(struct kv_disk *d, uint64_t *floor)
{
	return get_meta(d, "dotfloor", floor, sizeof(*floor));
}

/* Remove meta record @name; not there is no error. */
static int del_meta(MDB_txn *txn, struct kv_disk *d, const char *name)
{
	MDB_val k = { .mv_size = strlen(name), .mv_data = (void *)name };
	int rc = mdb_del(txn, d->meta, &k, NULL);

	return rc == MDB_NOTFOUND ? 0 : rc;
}

int kv_disk_get_next(struct kv_disk *d, uint32_t *mask, uint32_t *version)
{
	if (get_meta(d, "nextver", version, sizeof(*version)))
		return -ENOENT;
	return get_meta(d, "nextmembers", mask, sizeof(*mask));
}

/*
 * One transaction: the committed ring (members, version) when @ring is
 * given, then the record of the change under way: set to @next_mask and
 * @next_version, or removed when @next_version is 0.
 */
static int put_rings(struct kv_disk *d, uint32_t *ring,
		     uint32_t next_mask, uint32_t next_version)
{
	MDB_txn *txn;
	int rc;

	rc = mdb_txn_begin(d->env, NULL, 0, &txn);
	if (rc)
		return disk_err(d, "write", rc);
	if (ring) {
		rc = put_meta(txn, d, "members", &ring[0],
			      sizeof(ring[0]));
		if (!rc)
			rc = put_meta(txn, d, "ringver", &ring[1],
				      sizeof(ring[1]));
	}
	if (!rc && next_version) {
		rc = put_meta(txn, d, "nextmembers", &next_mask,
			      sizeof(next_mask));
		if (!rc)
			rc = put_meta(txn, d, "nextver", &next_version,
				      sizeof(next_version));
	} else if (!rc) {
		rc = del_meta(txn, d, "nextmembers");
		if (!rc)
			rc = del_meta(txn, d, "nextver");
	}
	if (rc) {
		mdb_txn_abort(txn);
		return disk_err(d, "put", rc);
	}
	rc = mdb_txn_commit(txn);
	return rc ? disk_err(d, "commit", rc) : 0;
}

int kv_disk_put_next(struct kv_disk *d, uint32_t mask, uint32_t version)
{
	return put_rings(d, NULL, mask, version);
}

/* The change under way is the one committed here: its record goes. */
int kv_disk_put_members(struct kv_disk *d, uint32_t mask, uint32_t version)
{
	uint32_t ring[2] = { mask, version };

	return put_rings(d, ring, 0, 0);
}

struct drop_ctx {
	struct kv_disk *d;
	MDB_txn *txn;
	int rc;
};

static void drop_one(struct kv_node *n, struct kv_ent *e, void *arg)
{
	struct drop_ctx *c = arg;
	MDB_val k = { .mv_size = e->klen, .mv_data = e->key };
	int rc;

	(void)n;
	rc = c->rc ? c->rc : mdb_del(c->txn, c->d->dbi, &k, NULL);
	/* a copy the disk never held (its batch was refused) is no error */
	if (rc && rc != MDB_NOTFOUND)
		c->rc = rc;
}

/*
 * The records go in the same transaction as the raised dot floor: the
 * disk then holds either the copies or a floor past their dots. When it
 * refuses, the copies come back at the next start, which is harmless.
 */
long kv_disk_cleanup(struct kv_disk *d, struct kv_node *n)
{
	struct drop_ctx c = { .d = d };
	unsigned int dropped;
	int rc;

	rc = mdb_txn_begin(d->env, NULL, 0, &c.txn);
	if (rc) {
		kv_node_cleanup(n, NULL, NULL);
		return disk_err(d, "write", rc);
	}
	dropped = kv_node_cleanup(n, drop_one, &c);
	rc = c.rc ? c.rc : put_meta(c.txn, d, "dotfloor", &n->dot_floor,
				    sizeof(n->dot_floor));
	if (rc) {
		mdb_txn_abort(c.txn);
		return disk_err(d, "delete", rc);
	}
	rc = mdb_txn_commit(c.txn);
	return rc ? disk_err(d, "commit", rc) : (long)dropped;
}

uint64_t kv_disk_used(struct kv_disk *d)
{
	MDB_envinfo info;
	MDB_stat st;

	if (mdb_env_info(d->env, &info) || mdb_env_stat(d->env, &st))
		return 0;
	return (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
}

/* The record of slot @i: client, seq, age (host order: the file is local). */
static int put_idem(MDB_txn *txn, struct kv_disk *d, const struct kv_idem *t,
		    unsigned int i)
{
	uint16_t slot = i;
	uint64_t rec[3] = { t->e[i].client, t->e[i].seq, t->e[i].age };
	MDB_val k = { .mv_size = sizeof(slot), .mv_data = &slot };
	MDB_val v = { .mv_size = sizeof(rec), .mv_data = rec };

	return mdb_put(txn, d->idem, &k, &v, 0);
}

/*
 * Hint slot @i: the record owner, shard (little-endian), key length, key
 * and the object in the wire format; deleted when the slot is free.
 */
static int put_hint(MDB_txn *txn, struct kv_disk *d, const struct kv_node *n,
		    uint16_t slot)
{
	static uint8_t buf[KVW_MAX];
	const struct kv_hint *h = &n->hint[slot];
	MDB_val k = { .mv_size = sizeof(slot), .mv_data = &slot };
	MDB_val v = { .mv_data = buf };
	size_t len;
	int rc;

	if (!h->used) {
		rc = mdb_del(txn, d->hints, &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	buf[0] = h->owner;
	buf[1] = h->shard & 0xff;
	buf[2] = h->shard >> 8;
	buf[3] = h->klen;
	memcpy(buf + 4, h->key, h->klen);
	len = kvw_put_obj(buf + 4 + h->klen, sizeof(buf) - 4 - h->klen,
			  &h->obj);
	if (!len)
		return EINVAL;	/* positive, as LMDB's own errno results */
	v.mv_size = 4 + h->klen + len;
	return mdb_put(txn, d->hints, &k, &v, 0);
}

int kv_disk_commit(struct kv_disk *d, const struct kv_out *out,
		   struct kv_idem *t, struct kv_node *node)
{
	static uint8_t buf[KVW_MAX];
	struct kv_ent *const *ents = out->dirty;
	unsigned int i, n = out->ndirty;
	MDB_val k, v;
	MDB_txn *txn;
	int rc;

	if (!n && !out->ngone && !t->ndirty && !node->hint_dirty &&
	    !out->floor_dirty)
		return 0;
	rc = mdb_txn_begin(d->env, NULL, 0, &txn);
	if (rc)
		return disk_err(d, "write", rc);
	/* first: a key dropped and written again in one batch is written */
	for (i = 0; i < out->ngone; i++) {
		k.mv_data = (void *)out->gone[i].key;
		k.mv_size = out->gone[i].klen;
		rc = mdb_del(txn, d->dbi, &k, NULL);
		if (rc && rc != MDB_NOTFOUND)
			goto abort;
	}
	rc = out->floor_dirty ? put_meta(txn, d, "dotfloor", &node->dot_floor,
					 sizeof(node->dot_floor)) : 0;
	if (rc)
		goto abort;
	for (i = 0; i < n; i++) {
		k.mv_data = (void *)ents[i]->key;
		k.mv_size = ents[i]->klen;
		v.mv_size = kvw_put_obj(buf, sizeof(buf), &ents[i]->obj);
		v.mv_data = buf;
		rc = mdb_put(txn, d->dbi, &k, &v, 0);
		if (rc)
			goto abort;
	}
	for (i = 0; i < t->ndirty; i++) {
		rc = put_idem(txn, d, t, t->dirty[i]);
		if (rc)
			goto abort;
	}
	for (i = 0; i < KV_MAX_HINTS; i++) {
		rc = node->hint_dirty & (1ull << i) ? put_hint(txn, d, node, i) : 0;
		if (rc)
			goto abort;
	}
	rc = mdb_txn_commit(txn);
	t->ndirty = 0;
	node->hint_dirty = 0;
	if (rc)
		return disk_err(d, "commit", rc);
	return 0;
abort:
	/*
	 * The idempotency records and hints go with the rest of the batch:
	 * its clients are told it was not stored. Kept dirty, they would be
	 * tried again in every later batch, reads included, and fail each
	 * one while the map stays full.
	 */
	t->ndirty = 0;
	node->hint_dirty = 0;
	mdb_txn_abort(txn);
	return disk_err(d, "put", rc);
}

static int load_idem(const MDB_val *k, const MDB_val *v, void *arg)
{
	uint64_t rec[3];
	uint16_t slot;

	if (k->mv_size != sizeof(slot) || v->mv_size != sizeof(rec))
		return -1;
	memcpy(&slot, k->mv_data, sizeof(slot));
	memcpy(rec, v->mv_data, sizeof(rec));
	kv_idem_load(arg, slot, rec[0], rec[1], rec[2]);
	return 1;
}

long kv_disk_load_idem(struct kv_disk *d, struct kv_idem *t)
{
	return walk(d, d->idem, "an idempotency record", load_idem, t);
}

static int load_hint(const MDB_val *k, const MDB_val *v, void *arg)
{
	static struct kv_obj o;
	struct kv_node *n = arg;
	const uint8_t *b = v->mv_data;
	struct kv_hint *h;
	const char *why;
	uint16_t slot;

	if (k->mv_size != sizeof(slot))
		return -1;
	memcpy(&slot, k->mv_data, sizeof(slot));
	if (slot >= KV_MAX_HINTS ||
	    v->mv_size < 4 || b[0] >= KV_MAX_NODES ||
	    (b[1] | b[2] << 8) >= n->ring.nshards || !b[3] ||
	    b[3] > KV_KEY_MAX || v->mv_size < 4u + b[3] ||
	    kvw_get_obj(b + 4 + b[3], v->mv_size - 4 - b[3], &o, &why))
		return -1;
	h = &n->hint[slot];
	memset(h, 0, offsetof(struct kv_hint, obj));
	h->used = true;
	h->owner = b[0];
	h->shard = b[1] | b[2] << 8;
	h->klen = b[3];
	memcpy(h->key, b + 4, b[3]);
	h->obj = o;
	return 1;
}

long kv_disk_load_hints(struct kv_disk *d, struct kv_node *n)
{
	return walk(d, d->hints, "a stored hint", load_hint, n);
}
