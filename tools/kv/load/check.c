// SPDX-License-Identifier: GPL-2.0
/*
 * "smpkit-kv check": the history checker for what the load generator
 * records (load.c, --history) on real nodes, by the simulator's rules
 * (sim/check.c) as far as a client can see them:
 *  - a read must see every put acknowledged before it began: the put's
 *    dot is one of the dots returned or covered by their contexts
 *    (kv_obj_covers()'s rule: kept or superseded);
 *  - no read may report siblings dropped to fit;
 *  - a counter read lies between the bumps acknowledged before the read
 *    began and the bumps begun before it ended that may have applied.
 * With --quorum (R + W > N, no sloppy quorum) every read is judged; else
 * only the "final" reads of a verify pass, made after the heal, which
 * show that no acknowledged write was lost. The judged reads that missed
 * a put are counted: an eventual-mode history judged with --quorum thus
 * tells how many of its reads were stale (bench/kv/modes.sh).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smpkit/util.h>

#include "../cli.h"
#include "../core/kv.h"

struct rec {
	char op[8], key[KV_KEY_MAX + 1], arg[KV_VAL_MAX + 1], outcome[8];
	uint64_t invoke, complete;
	struct kv_dot dot;	/* a put's */
	struct kv_dot sib[KV_MAX_SIB];	/* a read's */
	unsigned int nsib;
	struct kv_vv ctx;	/* a read's: its versions' contexts merged */
	bool overflow, counter;
	long long count;
	unsigned int line;
};

struct check {
	struct rec *r;
	size_t n, cap;
	bool quorum;
	unsigned long long judged, puts_acked, bumps_acked, unknown, bad;
	unsigned long long stale;	/* judged reads that missed a put */
};

static bool parse_dot(const char *s, struct kv_dot *d)
{
	unsigned int node;
	unsigned long long ctr;
	char *end;

	node = strtoul(s, &end, 10);
	if (*end != ':' || node >= KV_MAX_NODES)
		return false;
	ctr = strtoull(end + 1, &end, 10);
	if (*end && *end != ',')
		return false;
	d->node = node;
	d->ctr = ctr;
	return true;
}

/* "n:c,n:c,...": a read's dots, or its context; false when malformed. */
static bool parse_list(const char *s, struct rec *r, bool ctx)
{
	struct kv_dot d;

	while (*s) {
		if (!parse_dot(s, &d))
			return false;
		if (ctx) {
			r->ctx.c[d.node] = d.ctr;
		} else {
			if (r->nsib == KV_MAX_SIB)
				return false;
			r->sib[r->nsib++] = d;
		}
		s = strchr(s, ',');
		if (!s)
			break;
		s++;
	}
	return true;
}

static bool parse_field(struct rec *r, const char *f)
{
	if (!strncmp(f, "dot=", 4))
		return parse_dot(f + 4, &r->dot);
	if (!strncmp(f, "dots=", 5))
		return parse_list(f + 5, r, false);
	if (!strncmp(f, "ctx=", 4))
		return parse_list(f + 4, r, true);
	if (!strncmp(f, "overflow=", 9)) {
		r->overflow = f[9] != '0';
		return true;
	}
	if (!strncmp(f, "count=", 6)) {
		r->counter = true;
		r->count = strtoll(f + 6, NULL, 10);
		return true;
	}
	return false;
}

static void parse(struct check *c, FILE *f, const char *name)
{
	char line[1024], *tok, *save;
	unsigned int no = 0;
	struct rec *r;
	int used;

	while (fgets(line, sizeof(line), f)) {
		no++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 4096;
			c->r = realloc(c->r, c->cap * sizeof(*c->r));
			if (!c->r)
				die("check: out of memory");
		}
		r = &c->r[c->n];
		memset(r, 0, sizeof(*r));
		r->line = no;
		used = 0;
		if (sscanf(line, "%7s %64s %128s %" SCNu64 " %" SCNu64 " %7s %n",
			   r->op, r->key, r->arg, &r->invoke, &r->complete,
			   r->outcome, &used) != 6 || !used)
			die("check: %s:%u: not a history line (op key arg invoke complete outcome [fields])",
			    name, no);
		line[strcspn(line, "\n")] = 0;
		for (tok = strtok_r(line + used, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save))
			if (!parse_field(r, tok))
				die("check: %s:%u: bad field '%s'", name, no, tok);
		c->n++;
	}
}

static bool is_read(const struct rec *r)
{
	return !strcmp(r->op, "get") || !strcmp(r->op, "final");
}

static bool ok(const struct rec *r)
{
	return !strcmp(r->outcome, "ok");
}

static void fail(struct check *c, const struct rec *r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct check *c, const struct rec *r, const char *fmt, ...)
{
	va_list ap;

	if (c->bad++ < 10) {
		printf("FAIL line %u: %s of %s at %" PRIu64 " us: ", r->line,
		       r->op, r->key, r->invoke);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
	}
}

static bool covers(const struct rec *rd, struct kv_dot d)
{
	unsigned int i;

	for (i = 0; i < rd->nsib; i++)
		if (rd->sib[i].node == d.node && rd->sib[i].ctr == d.ctr)
			return true;
	return kv_vv_covers(&rd->ctx, d);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct rec *)a)->key, ((const struct rec *)b)->key);
}

/* The reads of one key [lo, hi) against the writes of that key. */
static void judge_key(struct check *c, size_t lo, size_t hi)
{
	size_t i, j;

	for (i = lo; i < hi; i++) {
		const struct rec *rd = &c->r[i];
		long long acked = 0, maybe = 0;
		bool missed = false;

		if (!is_read(rd) || !ok(rd))
			continue;
		if (!c->quorum && strcmp(rd->op, "final"))
			continue;
		c->judged++;
		if (rd->overflow)
			fail(c, rd, "siblings were dropped to fit");
		for (j = lo; j < hi; j++) {
			const struct rec *w = &c->r[j];

			if (!strcmp(w->op, "put") && ok(w) &&
			    w->complete < rd->invoke && !covers(rd, w->dot)) {
				missed = true;
				fail(c, rd, "misses %s (dot %u:%" PRIu64 ") acknowledged at %" PRIu64 " us (line %u)",
				     w->arg, w->dot.node, w->dot.ctr,
				     w->complete, w->line);
			}
			if (strcmp(w->op, "bump"))
				continue;
			acked += ok(w) && w->complete < rd->invoke;
			/* "fail": refused by every node, never taken in */
			maybe += strcmp(w->outcome, "fail") &&
				 w->invoke < rd->complete;
		}
		c->stale += missed;
		if (rd->counter && (rd->count < acked || rd->count > maybe))
			fail(c, rd, "counter %lld outside [%lld acknowledged before, %lld begun that may have applied]",
			     rd->count, acked, maybe);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-kv check [--quorum] HISTORY...\n"
"Checks histories written by 'smpkit-kv load --history': every read\n"
"(--quorum) or only the final reads of 'load --verify' must see each put\n"
"acknowledged before it began, and a counter must lie between the bumps\n"
"acknowledged and those that may have applied. Exit 0 when it holds,\n"
"1 when a rule is broken (the first ten violations are printed), 2 on\n"
"bad usage or a malformed history. The judged reads that missed an\n"
"acknowledged put are counted.\n");
}

int cmd_kv_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quorum", 0, 0, 'q' }, { "help", 0, 0, 'h' }, { 0 }
	};
	struct check c = { 0 };
	size_t i, lo;
	FILE *f;
	int ch;

	smpkit_die_status = 2;	/* unreadable input is not a verdict */
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'q':
			c.quorum = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	for (; optind < argc; optind++) {
		f = fopen(argv[optind], "r");
		if (!f)
			die_errno("check: %s", argv[optind]);
		parse(&c, f, argv[optind]);
		fclose(f);
	}
	for (i = 0; i < c.n; i++) {
		c.puts_acked += !strcmp(c.r[i].op, "put") && ok(&c.r[i]);
		c.bumps_acked += !strcmp(c.r[i].op, "bump") && ok(&c.r[i]);
		c.unknown += !strcmp(c.r[i].outcome, "unknown");
	}
	/* stable enough: a key's records keep no order the rules rely on */
	qsort(c.r, c.n, sizeof(*c.r), by_key);
	for (lo = 0, i = 1; i <= c.n; i++)
		if (i == c.n || strcmp(c.r[i].key, c.r[lo].key)) {
			judge_key(&c, lo, i);
			lo = i;
		}
	printf("check: %zu requests, %llu puts and %llu bumps acknowledged, %llu writes with an unknown outcome; %llu reads judged (%s): %s\n",
	       c.n, c.puts_acked, c.bumps_acked, c.unknown, c.judged,
	       c.quorum ? "every read, quorum" : "final reads only",
	       c.bad ? "FAILED" : "ok");
	if (c.bad > 10)
		printf("check: %llu violations in all\n", c.bad);
	/* in eventual mode judged with --quorum: how stale its reads are */
	if (c.judged)
		printf("check: %llu of %llu reads judged missed an acknowledged put\n",
		       c.stale, c.judged);
	free(c.r);
	return c.bad ? 1 : 0;
}
