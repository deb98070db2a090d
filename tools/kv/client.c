// SPDX-License-Identifier: GPL-2.0
/*
 * The client commands of smpkit-kv: get, put, del, counter, set, status,
 * and junk (forged bad input for the tests). A put or del first reads
 * the key and writes with that read's context, so it replaces what it
 * read and stays concurrent with what it did not (siblings). A request
 * goes to --node, then along --nodes when a node refuses the datagram
 * (nothing listens: the request was not received) or does not answer.
 * A write carries an idempotency key (idem.h): after a timeout it goes
 * once more to the same node, which applies it once; only then to the
 * next node, and never a counter bump, which the next node, not knowing
 * the key, could count twice.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "cli.h"
#include "node/wire.h"

struct conn {
	int fd;
	struct sockaddr_in node;
	/* --node, then --nodes: where a request goes, in this order */
	struct sockaddr_in list[KV_MAX_NODES];
	unsigned int nlist, cur;
	uint64_t idem_client, idem_seq;
	unsigned int timeout_ms;
	uint32_t ring_ver;
	uint8_t r, w;
	bool sloppy;
};

static uint8_t buf[KVW_MAX + 1];

/*
 * Send @len bytes, wait for one reply datagram: its length, -ECONNREFUSED
 * (nothing listens at the node: the datagram was not taken in, so
 * sending it elsewhere applies nothing twice) or -ETIMEDOUT. The socket
 * is connected, so that the refusal comes back to it.
 */
static ssize_t exchange(struct conn *c, size_t len)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	ssize_t n;

	if (connect(c->fd, (struct sockaddr *)&c->node, sizeof(c->node)))
		die_errno("connect");
	if (send(c->fd, buf, len, 0) < 0)
		return errno == ECONNREFUSED ? -ECONNREFUSED : -ETIMEDOUT;
	if (poll(&p, 1, c->timeout_ms) <= 0)
		return -ETIMEDOUT;
	n = recv(c->fd, buf, sizeof(buf), 0);
	if (n < 0)
		return errno == ECONNREFUSED ? -ECONNREFUSED : -ETIMEDOUT;
	return n;
}

/* One request, one reply: its error (-ETIMEDOUT: none came). */
static int ask(struct conn *c, struct kvw_req *q, struct kvw_rep *p)
{
	const char *why;
	ssize_t n;
	size_t len;

	q->rq.tag = (uint64_t)getpid() << 32 | (uint32_t)time(NULL);
	q->ring_ver = c->ring_ver;
	len = kvw_put_req(buf, sizeof(buf), q);
	n = len ? exchange(c, len) : -1;
	if (n < 0 || kvw_get_rep(buf, n, p, &why)) {
		snprintf(p->info, sizeof(p->info), "no answer");
		return -ETIMEDOUT;
	}
	return p->rep.err;
}

/* Every node of an operator command, from --nodes. */
struct fleet {
	struct sockaddr_in node[KV_MAX_NODES];
	bool on[KV_MAX_NODES];	/* in the change this command runs */
	unsigned int n;
};

static void fleet_parse(struct fleet *f, const char *list)
{
	char copy[1024], *tok, *save;

	if (strlen(list) >= sizeof(copy))
		die("--nodes is too long");
	strcpy(copy, list);
	f->n = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (f->n == KV_MAX_NODES || kv_parse_addr(tok, &f->node[f->n++]))
			die("node '%s' is not IP:PORT", tok);
	memset(f->on, 1, sizeof(f->on));
}

/* @op at every node in the change; how many refused or did not answer. */
static unsigned int fleet_ask(struct conn *c, struct fleet *f, unsigned int op,
			      unsigned int id, int fine)
{
	static struct kvw_req q;
	static struct kvw_rep p;
	unsigned int i, bad = 0;
	int err;

	memset(&q, 0, sizeof(q));
	q.rq.op = op;
	q.rq.delta = id;
	for (i = 0; i < f->n; i++) {
		if (!f->on[i])
			continue;
		c->node = f->node[i];
		err = ask(c, &q, &p);
		printf("n%u: %s\n", i, p.info);
		if (err && err != fine)
			bad++;
	}
	return bad;
}

/*
 * A change that failed before any node committed it is abandoned at
 * every node it reached, so that none stays in it.
 */
static int give_up(struct conn *c, struct fleet *f)
{
	fleet_ask(c, f, KVW_OP_ABORT, 0, -EINVAL);
	printf("abandoned: the ring stays as it was\n");
	return 1;
}

/*
 * The operator's join or leave: every node begins the change (one that
 * committed it already, after an earlier failed run, says so and is
 * left out), every node is polled until it caught up with the shards
 * the change gives it (bounded by @wait_s), then every node commits and
 * drops what it no longer keeps. A failure before any commit abandons
 * the change; a node that a commit misses commits on its own once it
 * hears from a node that did (daemon.c), or a rerun finishes the job.
 * With @stage the change waits, begun and caught up, for 'commit' or
 * 'abort'.
 */
static int change(struct conn *c, const char *list, unsigned int op,
		  unsigned int id, unsigned int wait_s, bool stage)
{
	static struct kvw_req q;
	static struct kvw_rep p;
	unsigned int i, in = 0, tries = 0;
	struct fleet f;
	int err;

	fleet_parse(&f, list);
	if (id >= f.n)
		die("join|leave: n%u is not among the %u --nodes", id, f.n);
	/* abandoned, if it comes to that, only where this run began it */
	memset(f.on, 0, sizeof(f.on));
	memset(&q, 0, sizeof(q));
	q.rq.delta = id;
	for (i = 0; i < f.n; i++) {
		c->node = f.node[i];
		q.rq.op = op;
		err = ask(c, &q, &p);
		printf("n%u: %s\n", i, p.info);
		/* a node that did not answer may take the begin late */
		f.on[i] = err == -ETIMEDOUT;
		if (err && err != -EALREADY)
			return give_up(c, &f);
		f.on[i] = !err;
		in += !err;
	}
	if (!in) {
		printf("nothing to do: every node has the change\n");
		return 0;
	}
	q.rq.op = KVW_OP_READY;
	for (i = 0; i < f.n; i++) {
		if (!f.on[i])
			continue;
		c->node = f.node[i];
		for (; tries < wait_s * 10; tries++) {
			err = ask(c, &q, &p);
			if (err != -EAGAIN && err != -ETIMEDOUT)
				break;
			usleep(100000);
		}
		printf("n%u: %s\n", i, p.info);
		if (err)
			return give_up(c, &f);
	}
	if (stage) {
		printf("staged: every node caught up; finish with 'commit' or 'abort' and the same --nodes\n");
		return 0;
	}
	if (fleet_ask(c, &f, KVW_OP_COMMIT, 0, 0)) {
		printf("not every node committed: each follows on its own once it hears from one that did, or rerun the command\n");
		return 1;
	}
	return 0;
}

/*
 * 'commit' or 'abort' of a staged change at every node of --nodes. A
 * commit anywhere lets reads go to the new owners, so it is sent only
 * when every node listed says it caught up (a node that followed a
 * peer's commit says so too).
 */
static int finish_change(struct conn *c, const char *list, bool commit)
{
	struct fleet f;

	fleet_parse(&f, list);
	if (!commit)
		return fleet_ask(c, &f, KVW_OP_ABORT, 0, -EINVAL) ? 1 : 0;
	if (fleet_ask(c, &f, KVW_OP_READY, 0, -EINVAL)) {
		printf("not committed: not every node caught up\n");
		return 1;
	}
	return fleet_ask(c, &f, KVW_OP_COMMIT, 0, 0) ? 1 : 0;
}

/* Errors of the store's moment, not of the request: worth a retry. */
static bool transient(int err)
{
	return err == -ETIMEDOUT || err == -EIO || err == -EBUSY ||
	       err == -EAGAIN;
}

static void next_node(struct conn *c, const char *what)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &c->node.sin_addr, a, sizeof(a));
	if (++c->cur == c->nlist) {
		fprintf(stderr, "smpkit-kv: %s:%u %s, and no other node is left to try\n",
			a, ntohs(c->node.sin_port), what);
		exit(3);
	}
	fprintf(stderr, "smpkit-kv: %s:%u %s: trying the next node\n", a,
		ntohs(c->node.sin_port), what);
	c->node = c->list[c->cur];
}

/* A bump that may have applied where no other node knows its key. */
static void unknown(const struct kvw_req *q, const char *what)
{
	fprintf(stderr, "smpkit-kv: %s twice; the bump may or may not have applied (idempotency key %llx:%llu: rerun against the same node to settle it)\n",
		what, (unsigned long long)q->idem_client,
		(unsigned long long)q->idem_seq);
	exit(3);
}

/*
 * The request, with retries (the file's header): returns 0 with the
 * answer in @p, or exits 1 (refused) or 3 (no answer, or for a counter
 * an outcome it cannot know).
 */
static int call(struct conn *c, struct kvw_req *q, struct kvw_rep *p)
{
	bool write = q->rq.op != KV_OP_GET && q->rq.op != KVW_OP_STATUS;
	bool again = false;	/* a write already went twice to this node */
	const char *why;
	ssize_t n;
	size_t len;

	q->rq.tag = (uint64_t)getpid() << 32 | (uint32_t)time(NULL);
	q->rq.r = c->r;
	q->rq.w = c->w;
	q->rq.sloppy = c->sloppy;
	q->ring_ver = c->ring_ver;
	if (write && c->idem_client) {
		q->idem_client = c->idem_client;
		q->idem_seq = ++c->idem_seq;
	}
	len = kvw_put_req(buf, sizeof(buf), q);
	if (!len)
		die("request too large to encode");
	for (;;) {
		n = exchange(c, len);
		/*
		 * A refusal of the second try says nothing of the first,
		 * which timed out and may have applied before the node died.
		 */
		if (n == -ECONNREFUSED && again && q->rq.op == KV_OP_COUNTER)
			unknown(q, "refused the retry after a timeout");
		if (n == -ECONNREFUSED) {
			again = false;
			next_node(c, "refused the request (nothing listens)");
			continue;
		}
		if (n >= 0 && kvw_get_rep(buf, n, p, &why)) {
			fprintf(stderr, "smpkit-kv: the node's reply does not decode: %s\n",
				why);
			exit(3);
		}
		if (n >= 0 && !p->rep.err)
			return 0;
		if (n >= 0 && !transient(p->rep.err)) {
			fprintf(stderr, "smpkit-kv: error: %s\n", p->info);
			exit(1);
		}
		/* no answer, or a transient error: it may have applied */
		if (write && !again) {
			again = true;	/* the node knows the key */
			continue;
		}
		if (write && q->rq.op == KV_OP_COUNTER)
			unknown(q, n >= 0 ? p->info : "no reply");
		again = false;
		next_node(c, n >= 0 ? p->info : "did not answer in time");
	}
}

static void set_key(struct kvw_req *q, const char *key)
{
	size_t l = strlen(key);

	/* too long for the request: send what fits, the node says so */
	q->klen = l > 0xffff ? 0xffff : l;
	q->rq.klen = l > KV_KEY_MAX ? KV_KEY_MAX : l;
	memcpy(q->rq.key, key, q->rq.klen);
}

static void print_obj(const struct kv_obj *o)
{
	unsigned int i, live = kv_obj_live(o);

	switch (o->type) {
	case KV_T_REG:
		if (live > 1)
			printf("siblings: %u\n", live);
		for (i = 0; i < o->nsib; i++)
			if (!o->u.sib[i].del)
				printf("%.*s\n", o->u.sib[i].len,
				       (const char *)o->u.sib[i].val);
		break;
	case KV_T_COUNTER:
		printf("%lld\n", (long long)kv_pn_value(&o->u.pn));
		break;
	case KV_T_SET:
		for (i = 0; i < o->u.set.n; i++)
			if (!i || strcmp(o->u.set.ent[i].e,
					 o->u.set.ent[i - 1].e))
				printf("%s\n", o->u.set.ent[i].e);
		break;
	}
}

static int do_write(struct conn *c, struct kvw_req *q, struct kvw_rep *p,
		    const char *key, const char *val, bool del)
{
	struct kvw_req rd = { 0 };
	size_t l = val ? strlen(val) : 0;

	set_key(&rd, key);
	rd.rq.op = KV_OP_GET;
	if (rd.klen <= KV_KEY_MAX && l <= KV_VAL_MAX) {
		call(c, &rd, p);
		kv_obj_context(&p->rep.obj, &q->rq.ctx);
		q->rq.ctx_ts = kv_obj_maxts(&p->rep.obj);
	}
	set_key(q, key);
	q->rq.op = del ? KV_OP_DEL : KV_OP_PUT;
	q->vlen = l > 0xffff ? 0xffff : l;
	q->rq.vlen = l > KV_VAL_MAX ? KV_VAL_MAX : l;
	memcpy(q->rq.val, val ? val : "", q->rq.vlen);
	return call(c, q, p);
}

/* Forged input for the tests: a truncated request, an unknown shard. */
static int junk(struct conn *c, const char *what)
{
	static struct kv_msg m;
	struct kvw_req q = { 0 };
	struct kvw_rep p;
	const char *why;
	size_t len;
	ssize_t n;

	if (!strcmp(what, "truncated")) {
		set_key(&q, "k");
		len = kvw_put_req(buf, sizeof(buf), &q);
		n = exchange(c, len / 2);
	} else if (!strcmp(what, "shard")) {
		memset(&m, 0, sizeof(m));
		m.type = KV_M_READ;
		m.src = 0;
		m.rid = 7;
		m.shard = KV_MAX_SHARDS - 1;
		m.klen = 1;
		m.key[0] = 'k';
		m.ring_ver = c->ring_ver;
		len = kvw_put_msg(buf, sizeof(buf), &m);
		n = exchange(c, len);
		if (n > 0 && !kvw_get_msg(buf, n, &m, &why) &&
		    m.type == KV_M_ERR) {
			printf("refused: %s\n", m.err == -ENOENT ?
			       "unknown shard" : strerror(-m.err));
			return 0;
		}
	} else {
		die("junk: truncated or shard, not '%s'", what);
	}
	if (n <= 0 || kvw_get_rep(buf, n, &p, &why)) {
		printf("no answer\n");
		return 1;
	}
	printf("refused: %s\n", p.info);
	return 0;
}

/* --node first, then the --nodes not already named: -1 on a bad address. */
static int node_list(struct conn *c, const char *node, const char *nodes)
{
	struct sockaddr_in a;
	char copy[1024], *tok, *save;
	unsigned int i;

	if (node) {
		if (kv_parse_addr(node, &c->list[0]))
			return -1;
		c->nlist = 1;
	}
	if (nodes) {
		if (strlen(nodes) >= sizeof(copy))
			return -1;
		strcpy(copy, nodes);
		for (tok = strtok_r(copy, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (kv_parse_addr(tok, &a))
				return -1;
			for (i = 0; i < c->nlist; i++)
				if (!memcmp(&c->list[i], &a, sizeof(a)))
					break;
			if (i < c->nlist)
				continue;
			if (c->nlist == KV_MAX_NODES)
				return -1;
			c->list[c->nlist++] = a;
		}
	}
	c->cur = 0;
	c->node = c->list[0];
	return c->nlist ? 0 : -1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-kv get|put|del|counter|set|status --node IP:PORT\n"
"                 | --nodes IP:PORT,...\n"
"                 [--r R] [--w W] [--sloppy] [--ring-version V]\n"
"                 [--timeout MS] ARGS\n"
"A request goes to --node, then to the --nodes in turn when a node\n"
"refuses it or does not answer within --timeout (2000 ms); a write\n"
"carries an idempotency key and first goes to the same node once more;\n"
"a counter bump is never sent to another node after a timeout.\n"
"  get KEY            the value (one line per sibling, after 'siblings: N')\n"
"  put KEY VALUE      read, then write with the read's context\n"
"  del KEY            the same, writing a tombstone\n"
"  counter KEY DELTA  add DELTA (may be negative); prints the new value\n"
"  set KEY add|rm ELEM   change the OR-set; prints its elements\n"
"  status             the node's ring, keys and counters\n"
"  join --nodes IP:PORT,... ID   member ID joins the ring while the store\n"
"                     serves: begin everywhere, wait (--wait SEC, 30) until\n"
"                     every node caught up, commit everywhere, and the old\n"
"                     owners drop the copies they gave away. A failure\n"
"                     before any commit abandons the change everywhere; a\n"
"                     node a commit missed follows the others on its own,\n"
"                     and a rerun finishes what is left. --stage: stop,\n"
"                     caught up, before the commit\n"
"  leave --nodes IP:PORT,... ID  the same, member ID leaving the ring\n"
"  commit|abort --nodes IP:PORT,...  finish a staged change\n"
"Exit status: 0 done, 1 refused (the message says why), 2 bad usage,\n"
"3 no reply from any node, or a counter bump's outcome unknown.\n");
}

int cmd_kv_client(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "node", 1, 0, 'a' }, { "r", 1, 0, 'r' }, { "w", 1, 0, 'w' },
		{ "sloppy", 0, 0, 's' }, { "ring-version", 1, 0, 'v' },
		{ "timeout", 1, 0, 't' }, { "nodes", 1, 0, 'n' },
		{ "wait", 1, 0, 'W' }, { "stage", 0, 0, 'S' },
		{ "help", 0, 0, 'h' }, { 0 }
	};
	bool ring_cmd, stage = false;
	const char *cmd = argv[1], *node = NULL, *nodes = NULL;
	unsigned int wait_s = 30;
	struct conn c = { .timeout_ms = 2000 };
	static struct kvw_req q;
	static struct kvw_rep p;
	uint64_t v;
	char *end;
	int ch, na, ret = 0;

	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			node = optarg;
			break;
		case 'r':
		case 'w':
			if (!parse_u64(optarg, 1, KV_MAX_N, &v))
				die("--%c must be 1..%u", ch, KV_MAX_N);
			if (ch == 'r')
				c.r = v;
			else
				c.w = v;
			break;
		case 's':
			c.sloppy = true;
			break;
		case 'n':
			nodes = optarg;
			break;
		case 'W':
			if (!parse_u64(optarg, 1, 600, &v))
				die("--wait must be 1..600 s");
			wait_s = v;
			break;
		case 'v':
			if (!parse_u64(optarg, 1, ~0u, &v))
				die("--ring-version must be a positive number");
			c.ring_ver = v;
			break;
		case 't':
			if (!parse_u64(optarg, 1, 60000, &v))
				die("--timeout must be 1..60000 ms");
			c.timeout_ms = v;
			break;
		case 'S':
			stage = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	na = argc - optind;
	argv += optind;
	ring_cmd = !strcmp(cmd, "join") || !strcmp(cmd, "leave");
	if (nodes && ((ring_cmd && na == 1 &&
		       parse_u64(argv[0], 0, KV_MAX_NODES - 1, &v)) ||
		      (!ring_cmd && !stage && na == 0 &&
		       (!strcmp(cmd, "commit") || !strcmp(cmd, "abort"))))) {
		c.timeout_ms = c.timeout_ms > 500 ? 500 : c.timeout_ms;
		c.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (c.fd < 0)
			die_errno("socket");
		ret = ring_cmd ? change(&c, nodes, strcmp(cmd, "join") ?
					KVW_OP_LEAVE : KVW_OP_JOIN, v, wait_s,
					stage) :
				 finish_change(&c, nodes, !strcmp(cmd, "commit"));
		close(c.fd);
		return ret;
	}
	if ((!node && !nodes) || node_list(&c, node, nodes)) {
		fprintf(stderr, "smpkit-kv: %s: --node IP:PORT or --nodes IP:PORT,... is required\n",
			cmd);
		return 2;
	}
	c.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c.fd < 0)
		die_errno("socket");
	while (!c.idem_client)
		if (getrandom(&c.idem_client, sizeof(c.idem_client), 0) < 0)
			die_errno("getrandom");
	if (!strcmp(cmd, "get") && na == 1) {
		set_key(&q, argv[0]);
		q.rq.op = KV_OP_GET;
		call(&c, &q, &p);
		if (!kv_obj_live(&p.rep.obj) && p.rep.obj.type != KV_T_COUNTER &&
		    p.rep.obj.type != KV_T_SET) {
			fprintf(stderr, "smpkit-kv: %s: not found\n", argv[0]);
			return 1;
		}
		print_obj(&p.rep.obj);
	} else if (!strcmp(cmd, "put") && na == 2) {
		do_write(&c, &q, &p, argv[0], argv[1], false);
		printf("ok (%u acks)\n", p.rep.acks);
	} else if (!strcmp(cmd, "del") && na == 1) {
		do_write(&c, &q, &p, argv[0], NULL, true);
		printf("ok (%u acks)\n", p.rep.acks);
	} else if (!strcmp(cmd, "counter") && na == 2) {
		set_key(&q, argv[0]);
		q.rq.op = KV_OP_COUNTER;
		q.rq.delta = strtoll(argv[1], &end, 10);
		if (*end || end == argv[1])
			die("counter: DELTA must be an integer, not '%s'", argv[1]);
		call(&c, &q, &p);
		print_obj(&p.rep.obj);
	} else if (!strcmp(cmd, "set") && na == 3 &&
		   (!strcmp(argv[1], "add") || !strcmp(argv[1], "rm"))) {
		set_key(&q, argv[0]);
		q.rq.op = strcmp(argv[1], "add") ? KV_OP_SREM : KV_OP_SADD;
		if (strlen(argv[2]) >= KV_ELEM_MAX)
			die("set: an element has at most %u bytes", KV_ELEM_MAX - 1);
		strcpy(q.rq.elem, argv[2]);
		call(&c, &q, &p);
		print_obj(&p.rep.obj);
	} else if (!strcmp(cmd, "status") && na == 0) {
		q.rq.op = KVW_OP_STATUS;
		call(&c, &q, &p);
		printf("%s\n", p.info);
	} else if (!strcmp(cmd, "junk") && na == 1) {
		ret = junk(&c, argv[0]);
	} else {
		usage(stderr);
		ret = 2;
	}
	close(c.fd);
	return ret;
}
