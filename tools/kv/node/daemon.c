// SPDX-License-Identifier: GPL-2.0
/*
 * "smpkit-kv node": one store node over UDP. Every configured peer is a
 * ring member (ids in --peers order); the node loads its copies from
 * LMDB, then feeds the core (tools/kv/core) datagrams and a 10 ms tick.
 * Each batch the core returns is committed to disk before any of its
 * messages or replies is sent, so an acknowledgement implies durability.
 * Bad input (malformed, oversized, stale ring, unknown shard) gets a
 * clear answer or log line and changes nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "../cli.h"
#include "daemon.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t kv_now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

uint64_t kv_num(const char *prog, const char *s, const char *what,
		uint64_t min, uint64_t max)
{
	uint64_t v;

	if (!parse_u64(s, min, max, &v))
		die("%s: %s must be %llu..%llu, not '%s'", prog, what,
		    (unsigned long long)min, (unsigned long long)max, s);
	return v;
}

int kv_parse_addr(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	uint64_t port;

	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(host) ||
	    !parse_u64(colon + 1, 1, 65535, &port))
		return -1;
	memcpy(host, s, colon - s);
	host[colon - s] = 0;
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

unsigned int kv_parse_addrs(const char *list, struct sockaddr_in *a,
			    unsigned int max, const char *what)
{
	char buf[1024], *tok, *save;
	unsigned int n = 0;

	if (strlen(list) >= sizeof(buf))
		die("%s: the list is too long", what);
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			die("%s: at most %u addresses", what, max);
		if (kv_parse_addr(tok, &a[n]))
			die("%s: '%s' is not IP:PORT", what, tok);
		n++;
	}
	return n;
}

static const char *err_text(int err)
{
	switch (err) {
	case -ETIMEDOUT:
		return "timed out before enough replicas answered";
	case -EINVAL:
		return "invalid request (R or W above N, empty key, or the key holds another type)";
	case -E2BIG:
		return "too long";
	case -ENOENT:
		return "unknown shard";
	case -ESTALE:
		return "stale ring version";
	case -EBUSY:
		return "node busy: too many requests in flight";
	case -ENOSPC:
		return "set full";
	case -EIO:
		return "the replicas refused the request";
	case -EMLINK:
		return "too many concurrent versions: read the key and write with its context";
	default:
		return strerror(-err);
	}
}

static void send_reply(struct daemon *d, const struct sockaddr_in *to,
		       const struct kvw_rep *p)
{
	static uint8_t buf[KVW_MAX];
	size_t len = kvw_put_rep(buf, sizeof(buf), p);

	if (len)
		sendto(d->fd, buf, len, 0, (const struct sockaddr *)to,
		       sizeof(*to));
}

void kvd_answer(struct daemon *d, const struct sockaddr_in *to,
		uint64_t tag, int err, const char *fmt, ...)
{
	static struct kvw_rep p;
	va_list ap;

	memset(&p, 0, sizeof(p));
	p.rep.tag = tag;
	p.rep.err = err;
	va_start(ap, fmt);
	vsnprintf(p.info, sizeof(p.info), fmt, ap);
	va_end(ap);
	send_reply(d, to, &p);
}

/*
 * Answer the client of reply @r and free its slot. A write that failed
 * still applied here (at least in memory): its idempotency key says
 * APPLIED, so a retry runs it again without applying twice.
 */
static void give_reply(struct daemon *d, const struct kv_reply *r,
		       const char *info)
{
	static struct kvw_rep p;
	unsigned int slot = r->tag;
	struct client_slot *c;

	if (slot >= CLIENT_SLOTS || !d->cl[slot].used)
		return;
	c = &d->cl[slot];
	p.rep = *r;
	p.rep.tag = c->tag;
	snprintf(p.info, sizeof(p.info), "%s", info);
	send_reply(d, &c->addr, &p);
	c->used = false;
	if (c->idem && c->idem->state == KV_IDEM_RUNNING &&
	    c->idem->slot == slot)
		c->idem->state = p.rep.err ? KV_IDEM_APPLIED : KV_IDEM_DONE;
	c->idem = NULL;
}

/*
 * The disk refused the batch: its messages stay unsent, and its replies
 * become errors, since nothing they would acknowledge is durable. Every
 * client is answered and its slot freed: a slot kept for a reply that
 * never leaves would be lost for good, and after KV_MAX_REQS failures
 * the node would refuse every request as busy.
 */
static void withhold(struct daemon *d)
{
	static struct kv_reply r;
	char info[160];
	unsigned int i;

	fprintf(stderr, "smpkit-kv: n%u: commit failed (%s): batch of %u messages and %u replies withheld\n",
		d->self, kv_disk_error(d->disk), d->out.nmsg, d->out.nrep);
	snprintf(info, sizeof(info),
		 "not stored: the node's disk commit failed (%s)",
		 kv_disk_error(d->disk));
	for (i = 0; i < d->out.nrep; i++) {
		memset(&r, 0, sizeof(r));
		r.tag = d->out.rep[i].tag;
		r.err = -EIO;
		give_reply(d, &r, info);
	}
}

/*
 * Persist the batch, then send it; nothing leaves when the disk failed.
 * One batch gathers every datagram of a poll round: one synchronous
 * commit then covers them all (group commit).
 */
void kvd_flush(struct daemon *d)
{
	static uint8_t buf[KVW_MAX];
	const struct sockaddr_in *to;
	const struct kv_reply *r;
	struct kv_msg *m;
	char info[KVW_INFO];
	unsigned int i;
	size_t len;

	if (kv_disk_commit(d->disk, &d->out, &d->idem, &d->node)) {
		withhold(d);
		goto reset;
	}
	for (i = 0; i < d->out.nmsg; i++) {
		m = &d->out.msg[i];
		to = m->dst < d->npeers ? &d->peer[m->dst] : NULL;
		if (d->back[i])
			to = &d->back_to[i];
		len = kvw_put_msg(buf, sizeof(buf), m);
		if (to && len)
			sendto(d->fd, buf, len, 0, (const struct sockaddr *)to,
			       sizeof(*to));
	}
	for (i = 0; i < d->out.nrep; i++) {
		r = &d->out.rep[i];
		snprintf(info, sizeof(info), "%s", r->err ? err_text(r->err) : "");
		if (r->err == -ETIMEDOUT)
			snprintf(info, sizeof(info),
				 "timed out: %u replicas answered", r->acks);
		give_reply(d, r, info);
	}
reset:
	memset(d->back, 0, sizeof(d->back));
	kv_out_reset(&d->out);
}

/* Room for one more datagram's output, or send what is there first. */
static void make_room(struct daemon *d)
{
	if (d->out.nmsg > KV_OUT_MAX / 2 || d->out.nrep > KV_MAX_REQS / 2 ||
	    d->out.ndirty > KV_OUT_MAX / 2 || d->out.ngone > KV_OUT_MAX / 2 ||
	    d->idem.ndirty > KV_IDEM_DIRTY / 2)
		kvd_flush(d);
}

static void status(struct daemon *d, const struct sockaddr_in *to,
		   uint64_t tag)
{
	const struct kv_stats *s = &d->node.st;
	unsigned int i, hints = 0, waiting = 0;

	for (i = 0; i < KV_MAX_HINTS; i++)
		hints += d->node.hint[i].used;
	for (i = 0; i < CLIENT_SLOTS; i++)
		waiting += d->cl[i].used;
	kvd_answer(d, to, tag, 0,
		   "node n%u of %u, ring version %u%s, %u shards, N=%u\n"
		   "keys %llu, hints held %u\n"
		   "tombstones %llu, collected %llu, copies purged %llu, hints purged %llu\n"
		   "memory %zu bytes a key (fixed-size objects), disk %llu bytes in use\n"
		   "reads %llu, writes %llu, failed %llu, closed early for a free slot %llu\n"
		   "writes refused for too many versions %llu, most versions a copy held %llu of %u\n"
		   "read repairs %llu, write repairs %llu\n"
		   "anti-entropy rounds %llu, hashes %llu, keys pushed %llu\n"
		   "idempotent retries %llu, replayed %llu\n"
		   "bad input %llu\n"
		   "clients waiting for an answer %u of %u",
		   d->self, d->npeers, d->node.ring.version,
		   d->node.moving ? " (a change is under way)" : "",
		   d->node.ring.nshards,
		   kv_ring_owners(&d->node.ring),
		   (unsigned long long)d->node.nkeys, hints,
		   (unsigned long long)d->node.ntombs,
		   (unsigned long long)s->reaped,
		   (unsigned long long)s->purged_copies,
		   (unsigned long long)s->purged_hints,
		   sizeof(struct kv_ent),
		   (unsigned long long)kv_disk_used(d->disk),
		   (unsigned long long)s->reads, (unsigned long long)s->writes,
		   (unsigned long long)s->failed,
		   (unsigned long long)s->closed_early,
		   (unsigned long long)s->full,
		   (unsigned long long)s->max_sibs, KV_MAX_SIB,
		   (unsigned long long)s->read_repairs,
		   (unsigned long long)s->write_repairs,
		   (unsigned long long)s->ae_rounds,
		   (unsigned long long)s->ae_hashes,
		   (unsigned long long)s->ae_pushed,
		   (unsigned long long)d->idem.hits,
		   (unsigned long long)d->idem.replays,
		   (unsigned long long)(d->bad_input + s->errors_in),
		   waiting, CLIENT_SLOTS);
}

/*
 * A write whose idempotency key this node has seen. Returns true when
 * answered here: acknowledged before (the answer again) or still running
 * (its answer goes to this newer asker instead). Else the write applied
 * here but was never acknowledged (it failed, or the node restarted):
 * it runs again without applying twice, a counter bump as +0, which
 * sends this node's copy, holding the first bump, to the owners again.
 * Other operations run again as they are: a set add or remove twice is
 * the same set, and a put twice leaves at worst an identical sibling.
 */
static bool retry(struct daemon *d, const struct sockaddr_in *from,
		  struct kvw_req *q, struct kv_idem_ent *e)
{
	d->idem.hits++;
	switch (e->state) {
	case KV_IDEM_DONE:
		kvd_answer(d, from, q->rq.tag, 0,
			   "already applied (idempotency key %llx:%llu)",
			   (unsigned long long)e->client,
			   (unsigned long long)e->seq);
		return true;
	case KV_IDEM_RUNNING:
		d->cl[e->slot].addr = *from;
		d->cl[e->slot].tag = q->rq.tag;
		return true;
	default:
		d->idem.replays++;
		if (q->rq.op == KV_OP_COUNTER)
			q->rq.delta = 0;
		return false;
	}
}

static void on_request(struct daemon *d, const uint8_t *buf, size_t len,
		       const struct sockaddr_in *from)
{
	static struct kvw_req q;
	struct kv_idem_ent *e = NULL;
	const char *why = NULL;
	unsigned int i, nrep;
	int rc = kvw_get_req(buf, len, &q, &why);

	if (rc == -EBADMSG) {
		d->bad_input++;
		kvd_answer(d, from, q.rq.tag, rc, "malformed request: %s", why);
		return;
	}
	if (rc == -E2BIG) {
		d->bad_input++;
		kvd_answer(d, from, q.rq.tag, rc,
			   "too long: key %u bytes (at most %u), value %u bytes (at most %u), set element at most %u",
			   q.klen, KV_KEY_MAX, q.vlen, KV_VAL_MAX, KV_ELEM_MAX - 1);
		return;
	}
	if (q.ring_ver && q.ring_ver != d->node.ring.version) {
		d->bad_input++;
		kvd_answer(d, from, q.rq.tag, -ESTALE,
			   "stale ring version %u: this node's ring is version %u",
			   q.ring_ver, d->node.ring.version);
		return;
	}
	if (q.rq.op == KVW_OP_STATUS) {
		status(d, from, q.rq.tag);
		return;
	}
	if (q.rq.op >= KVW_OP_JOIN && q.rq.op <= KVW_OP_ABORT) {
		kv_ring_change(d, from, &q);
		return;
	}
	if (q.idem_client && q.rq.op != KV_OP_GET) {
		e = kv_idem_find(&d->idem, q.idem_client, q.idem_seq);
		if (e && retry(d, from, &q, e))
			return;
	}
	for (i = 0; i < CLIENT_SLOTS; i++)
		if (!d->cl[i].used)
			break;
	if (i == CLIENT_SLOTS) {
		kvd_answer(d, from, q.rq.tag, -EBUSY, "%s", err_text(-EBUSY));
		return;
	}
	d->cl[i].used = true;
	d->cl[i].tag = q.rq.tag;
	d->cl[i].addr = *from;
	d->cl[i].idem = NULL;
	q.rq.tag = i;
	nrep = d->out.nrep;
	kv_node_request(&d->node, clock_us(CLOCK_MONOTONIC),
			clock_us(CLOCK_REALTIME), &q.rq, &d->out);
	/* a reply at once means refused before it applied: nothing to remember */
	if (!q.idem_client || q.rq.op == KV_OP_GET || d->out.nrep != nrep)
		return;
	if (!e)
		e = kv_idem_add(&d->idem, q.idem_client, q.idem_seq);
	if (!e) {
		fprintf(stderr, "smpkit-kv: n%u: no room to remember an idempotency key\n",
			d->self);
		return;
	}
	e->state = KV_IDEM_RUNNING;
	e->slot = i;
	d->cl[i].idem = e;
}

static void on_datagram(struct daemon *d, const uint8_t *buf, size_t len,
			const struct sockaddr_in *from)
{
	static struct kv_msg m;
	const char *why;
	int kind = kvw_kind(buf, len);
	unsigned int i, first;

	make_room(d);
	first = d->out.nmsg;
	if (kind == KVW_REQ) {
		on_request(d, buf, len, from);
		return;
	}
	if (kind != KVW_PEER || kvw_get_msg(buf, len, &m, &why)) {
		d->bad_input++;
		fprintf(stderr, "smpkit-kv: n%u: bad-input: %zu-byte datagram refused: %s\n",
			d->self, len, kind < 0 ? "not a store datagram" :
			kind == KVW_REP ? "a reply sent to a node" : why);
		return;
	}
	kv_node_recv(&d->node, clock_us(CLOCK_MONOTONIC),
		     clock_us(CLOCK_REALTIME), &m, &d->out);
	for (i = first; i < d->out.nmsg; i++) {
		struct kv_msg *o = &d->out.msg[i];

		if (o->dst == m.src && o->type != KV_M_WRITE &&
		    o->type != KV_M_READ && o->type != KV_M_AE) {
			d->back[i] = true;
			d->back_to[i] = *from;
		}
	}
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-kv node --id I --peers IP:PORT,... --dir DIR\n"
"                      [--shards S] [--n N] [--policy siblings|lww]\n"
"                      [--members LIST] [--duration SEC] [--map-kb KB]\n"
"                      [--grace-ms MS] [--ae-ms MS]\n"
"Runs store node I (its address is the I-th of --peers) with its data in\n"
"the LMDB environment DIR (created). The ring's members are --members\n"
"(ids like 0-2,4; default every peer) until a join commits: then the\n"
"members stored in DIR. --map-kb caps the LMDB data (65536 KiB): a batch\n"
"that does not fit is refused, its clients told so. A tombstone every owner\n"
"holds is collected after two grace periods of --grace-ms (1000; 0: never),\n"
"once every peer has purged the versions it deleted. Anti-entropy compares\n"
"a shard's tree with a co-owner every --ae-ms (50; 0: never, so that only\n"
"reads and writes repair: bench/kv/repair.sh).\n");
}

int cmd_kv_node(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "id", 1, 0, 'i' }, { "peers", 1, 0, 'p' },
		{ "dir", 1, 0, 'd' }, { "shards", 1, 0, 's' },
		{ "n", 1, 0, 'n' }, { "policy", 1, 0, 'P' },
		{ "duration", 1, 0, 't' }, { "members", 1, 0, 'm' },
		{ "map-kb", 1, 0, 'M' }, { "grace-ms", 1, 0, 'g' },
		{ "ae-ms", 1, 0, 'A' },
		{ "help", 0, 0, 'h' }, { 0 }
	};
	static struct daemon d;
	static uint8_t buf[KVW_MAX + 1];
	uint64_t id = ~0ull, shards = 16, n = 3, duration = 0, map_kb = 65536, v;
	const char *dir = NULL, *peers = NULL, *members = NULL;
	uint32_t mask, stored, version = 0;
	cpu_set_t set;
	char err[128];
	struct kv_config cfg;
	struct kv_ring ring;
	struct sockaddr_in from;
	socklen_t fl;
	uint64_t start, next_tick = 0, now;
	unsigned int i;
	long loaded;
	ssize_t len;
	int c;

	kv_config_default(&cfg, 0);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (!parse_u64(optarg, 0, KV_MAX_NODES - 1, &id))
				die("node: --id must be 0..%u", KV_MAX_NODES - 1);
			break;
		case 'p':
			peers = optarg;
			break;
		case 'm':
			members = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 's':
			if (!parse_u64(optarg, 1, KV_MAX_SHARDS, &shards))
				die("node: --shards must be 1..%u", KV_MAX_SHARDS);
			break;
		case 'n':
			if (!parse_u64(optarg, 1, KV_MAX_N, &n))
				die("node: --n must be 1..%u", KV_MAX_N);
			break;
		case 'P':
			if (!strcmp(optarg, "lww"))
				cfg.policy = KV_POL_LWW;
			else if (strcmp(optarg, "siblings"))
				die("node: --policy is siblings or lww");
			break;
		case 't':
			if (!parse_u64(optarg, 1, 86400, &duration))
				die("node: --duration must be 1..86400 s");
			break;
		case 'M':
			map_kb = kv_num("node", optarg, "--map-kb", 32,
					16ull << 20);
			break;
		case 'A':
			/*
			 * 0: off, so that only reads and writes repair (the
			 * tombstone sweep keeps its pace)
			 */
			v = kv_num("node", optarg, "--ae-ms", 0, 86400000);
			cfg.anti_entropy = v != 0;
			if (v)
				cfg.ae_every = v * 1000;
			break;
		case 'g':
			/* 0: tombstones stay */
			cfg.grace = kv_num("node", optarg, "--grace-ms", 0,
					   86400000) * 1000;
			cfg.collect = cfg.grace != 0;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (id == ~0ull || !peers || !dir || optind != argc) {
		usage(stderr);
		return 2;
	}
	d.npeers = kv_parse_addrs(peers, d.peer, KV_MAX_NODES, "node: --peers");
	if (id >= d.npeers) {
		fprintf(stderr, "smpkit-kv: node: --id %llu but --peers names only %u nodes\n",
			(unsigned long long)id, d.npeers);
		return 2;
	}
	d.self = id;
	cfg.self = id;
	/* every peer may hold a copy or a hint: all purge before a reap */
	cfg.nodes = d.npeers;
	mask = d.npeers == 32 ? ~0u : (1u << d.npeers) - 1;
	if (members) {
		if (parse_cpulist(members, &set, err, sizeof(err)))
			die("node: --members: %s", err);
		for (mask = 0, i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &set)) {
				if (i >= d.npeers)
					die("node: --members names n%u, beyond the %u peers",
					    i, d.npeers);
				mask |= 1u << i;
			}
	}
	d.disk = kv_disk_open(dir, map_kb << 10);
	if (!d.disk)
		return 1;
	/* a committed ring change outlives the command line */
	if (!kv_disk_get_members(d.disk, &stored, &version) && stored != mask) {
		fprintf(stderr, "smpkit-kv: n%u: ring members from the last committed change, not --members\n",
			d.self);
		mask = stored;
	}
	kv_ring_init(&ring, shards, n);
	for (i = 0; i < d.npeers; i++)
		if (mask & (1u << i))
			kv_ring_join(&ring, i);
	if (version)
		ring.version = version;
	if (kv_node_init(&d.node, &cfg, &ring))
		die("node: out of memory");
	d.node.next_rid = clock_us(CLOCK_REALTIME) << 8;
	loaded = kv_disk_load(d.disk, &d.node);
	kv_disk_get_floor(d.disk, &d.node.dot_floor);
	/*
	 * A node numbers its dots for a key from its own copy, which a wiped
	 * or lost disk no longer has: a write it coordinated before
	 * anti-entropy brought the key back would reuse a dot the replicas
	 * hold for another value, and they would drop the new one as seen.
	 * Dots numbered past the wall clock at each start cannot meet an
	 * earlier one unless the clock stepped back by more than this node
	 * wrote to one key since (a write a microsecond at most).
	 */
	now = clock_us(CLOCK_REALTIME);
	if (d.node.dot_floor < now) {
		d.node.dot_floor = now;
		d.out.floor_dirty = true;
	}
	if (loaded < 0 || kv_disk_load_idem(d.disk, &d.idem) < 0 ||
	    kv_disk_load_hints(d.disk, &d.node) < 0)
		return 1;
	kvd_resume_change(&d);
	d.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d.fd < 0)
		die_errno("node: socket");
	if (bind(d.fd, (struct sockaddr *)&d.peer[id], sizeof(d.peer[id])))
		die_errno("node: bind %s:%u", inet_ntoa(d.peer[id].sin_addr),
			  ntohs(d.peer[id].sin_port));
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	fprintf(stderr, "smpkit-kv: n%u: up, ring version %u, %ld keys loaded from %s\n",
		d.self, ring.version, loaded, dir);
	start = clock_us(CLOCK_MONOTONIC);
	while (!stop) {
		struct pollfd p = { .fd = d.fd, .events = POLLIN };

		now = clock_us(CLOCK_MONOTONIC);
		if (duration && now - start > duration * 1000000)
			break;
		if (now >= next_tick) {
			kv_node_tick(&d.node, now, clock_us(CLOCK_REALTIME),
				     &d.out);
			kvd_flush(&d);
			next_tick = now + 10000;
		}
		poll(&p, 1, 10);
		for (;;) {
			fl = sizeof(from);
			len = recvfrom(d.fd, buf, sizeof(buf), 0,
				       (struct sockaddr *)&from, &fl);
			if (len < 0)
				break;
			if (len > KVW_MAX) {
				d.bad_input++;
				fprintf(stderr, "smpkit-kv: n%u: bad-input: oversized datagram refused\n",
					d.self);
				continue;
			}
			on_datagram(&d, buf, len, &from);
		}
		kvd_flush(&d);
		kv_follow_commit(&d);
	}
	fprintf(stderr, "smpkit-kv: n%u: stopping\n", d.self);
	close(d.fd);
	kv_disk_close(d.disk);
	kv_node_free(&d.node);
	return 0;
}
