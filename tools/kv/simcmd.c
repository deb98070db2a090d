// SPDX-License-Identifier: GPL-2.0
/*
 * "smpkit-kv sim" (also "smpkit-cluster kv-sim"): K seeded histories of
 * the store under the nemesis, each judged by the history checker. A
 * failing seed prints its history and the line that replays it; the
 * summary gives repairs, anti-entropy hashes, hints and the time to
 * converge after the heal against the keys divergent at that moment.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smpkit/util.h>

#include "cli.h"
#include "sim/sim.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-kv sim [--seeds K] [--seed S] [--nodes M] [--keys K]\n"
"                     [--clients C] [--r R] [--w W] [--sloppy]\n"
"                     [--policy siblings|lww] [--nemesis LIST]\n"
"                     [--broken norepair|wallclock|hastyjoin|droptomb|\n"
"                               hastyreap]\n"
"                     [--deletes PCT] [--grace MS] [--no-collect]\n"
"                     [--join MS | --leave MS]\n"
"                     [--no-counters]\n"
"                     [--trace]\n"
"Runs K histories (seeds S..S+K-1; default S=1, K=100) of M nodes (5),\n"
"N=3 replicas per shard, and checks each: with R+W>N and no sloppy quorum\n"
"every read sees every write acknowledged before it began; always, the\n"
"replicas converge after the heal and no acknowledged write is lost.\n"
"  --nemesis LIST  faults: %s\n"
"  --broken X      a deliberately broken variant the checker must catch:\n"
"                  norepair (read/write repair and anti-entropy off) or\n"
"                  wallclock (LWW stamped by the skewed wall clock) or\n"
"                  hastyjoin (a join or leave commits, and the old owners\n"
"                  drop their copies, before the new owners caught up) or\n"
"                  droptomb (a replica drops a key once it holds only\n"
"                  tombstones: deleted versions come back) or\n"
"                  hastyreap (a tombstone all owners hold is collected at\n"
"                  once, without purging the other nodes or waiting)\n"
"  --deletes PCT   percent of the register writes that delete (20)\n"
"  --grace MS      tombstone collection's grace period (400)\n"
"  --no-collect    tombstones are never collected\n"
"  --join MS       the last of the nodes joins the ring MS into the run\n"
"  --leave MS      the last of the nodes leaves the ring MS into the run\n"
"Exit status: 0 when every seed passed, 1 when one failed, 2 on bad usage.\n",
		kvsim_nemesis_names());
}

static unsigned int num(const char *s, const char *what, unsigned int min,
			unsigned int max)
{
	uint64_t v;

	if (!parse_u64(s, min, max, &v))
		die("sim: %s must be a number in %u..%u, not '%s'", what, min,
		    max, s);
	return v;
}

static void summary(const struct kvsim_opts *o, unsigned int seeds,
		    unsigned int bad, const struct kvsim_stats *t,
		    uint64_t conv_n, kv_time conv_max, double secs)
{
	printf("%u of %u seeds passed (%s, R=%u W=%u N=%u%s, %s) in %.2f s, %llu events\n",
	       seeds - bad, seeds, kvsim_strict(o) ? "quorum" : "eventual",
	       o->r, o->w, o->n, o->sloppy ? " sloppy" : "",
	       o->cfg.policy == KV_POL_LWW ? "LWW" : "siblings", secs,
	       (unsigned long long)t->events);
	printf("operations %llu: acknowledged %llu (deletes %llu), failed %llu (stale ring %llu), unknown outcome %llu\n",
	       (unsigned long long)t->ops, (unsigned long long)t->acked,
	       (unsigned long long)t->deletes,
	       (unsigned long long)t->failed, (unsigned long long)t->stale,
	       (unsigned long long)t->indeterminate);
	printf("repairs: %llu reads sent %llu read repairs (%.1f per 100), %llu writes %llu write repairs (%.1f per 100)\n",
	       (unsigned long long)t->reads,
	       (unsigned long long)t->read_repairs,
	       t->reads ? 100.0 * t->read_repairs / t->reads : 0.0,
	       (unsigned long long)t->writes,
	       (unsigned long long)t->write_repairs,
	       t->writes ? 100.0 * t->write_repairs / t->writes : 0.0);
	printf("anti-entropy: hashes %llu, keys pushed %llu\n",
	       (unsigned long long)t->ae_hashes,
	       (unsigned long long)t->ae_pushed);
	printf("sloppy stand-ins %llu, hints stored %llu, handed off %llu\n",
	       (unsigned long long)t->sloppy,
	       (unsigned long long)t->hints_stored,
	       (unsigned long long)t->hints_done);
	if (o->cfg.policy == KV_POL_SIBLINGS)
		printf("versions: writes refused for more than %u %llu, the most one copy held %llu (room for %u)\n",
		       KV_SIB_LIMIT, (unsigned long long)t->full,
		       (unsigned long long)t->max_sibs, KV_MAX_SIB);
	if (o->join_at && seeds > bad)
		printf("join of n%u at %.0f ms: committed %.1f ms later on average, the joiner then held %.1f keys\n",
		       o->nodes - 1, o->join_at / 1000.0,
		       (double)t->move / 1000.0 / (seeds - bad),
		       (double)t->moved_keys / (seeds - bad));
	if (o->leave_at && seeds > bad)
		printf("leave of n%u at %.0f ms: committed %.1f ms later on average, the leaver then kept %.1f keys (counters and sets)\n",
		       o->nodes - 1, o->leave_at / 1000.0,
		       (double)t->move / 1000.0 / (seeds - bad),
		       (double)t->moved_keys / (seeds - bad));
	if ((o->join_at || o->leave_at) && seeds > bad)
		printf("clean-up after the commit: %.1f register copies dropped on average\n",
		       (double)t->dropped / (seeds - bad));
	printf("tombstone collection: %llu begun, %llu owner copies reaped, %llu other copies and hints purged\n",
	       (unsigned long long)t->reaps_begun,
	       (unsigned long long)t->reaped,
	       (unsigned long long)t->purged);
	if (conv_n)
		printf("after the heal: %.1f divergent keys on average, converged in %.1f ms mean, %.1f ms max (%llu seeds)\n",
		       (double)t->divergent_at_heal / conv_n,
		       (double)t->converge / 1000.0 / conv_n,
		       conv_max / 1000.0, (unsigned long long)conv_n);
}

int cmd_kv_sim(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seeds", 1, 0, 'k' }, { "seed", 1, 0, 's' },
		{ "nodes", 1, 0, 'm' }, { "keys", 1, 0, 'K' },
		{ "clients", 1, 0, 'c' }, { "r", 1, 0, 'r' },
		{ "w", 1, 0, 'w' }, { "sloppy", 0, 0, 'S' },
		{ "policy", 1, 0, 'p' }, { "nemesis", 1, 0, 'n' },
		{ "broken", 1, 0, 'b' }, { "no-counters", 0, 0, 'C' },
		{ "join", 1, 0, 'j' }, { "leave", 1, 0, 'l' },
		{ "deletes", 1, 0, 'd' }, { "grace", 1, 0, 'g' },
		{ "no-collect", 0, 0, 'G' },
		{ "trace", 0, 0, 't' }, { "help", 0, 0, 'h' }, { 0 }
	};
	unsigned int seeds = 100, seed0 = 1, i, bad = 0;
	struct kvsim_stats tot = { 0 };
	uint64_t conv_n = 0;
	kv_time conv_max = 0;
	struct kvsim_result r;
	struct kvsim_opts o;
	struct timespec t0, t1;
	int c, bits;

	kvsim_opts_default(&o);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			seeds = num(optarg, "--seeds", 1, 1000000);
			break;
		case 's':
			seed0 = num(optarg, "--seed", 0, ~0u);
			break;
		case 'm':
			o.nodes = num(optarg, "--nodes", 1, KV_MAX_NODES);
			break;
		case 'K':
			o.keys = num(optarg, "--keys", 1, 200);
			break;
		case 'c':
			o.clients = num(optarg, "--clients", 1,
						KVSIM_MAX_CLIENTS);
			break;
		case 'r':
			o.r = num(optarg, "--r", 1, KV_MAX_N);
			break;
		case 'w':
			o.w = num(optarg, "--w", 1, KV_MAX_N);
			break;
		case 'S':
			o.sloppy = true;
			break;
		case 'C':
			o.counters = false;
			break;
		case 'j':
			o.join_at = num(optarg, "--join", 1, 100000) * 1000ull;
			break;
		case 'l':
			o.leave_at = num(optarg, "--leave", 1, 100000) * 1000ull;
			break;
		case 'd':
			o.deletes = num(optarg, "--deletes", 0, 100);
			break;
		case 'g':
			o.cfg.grace = num(optarg, "--grace", 1, 100000) * 1000ull;
			break;
		case 'G':
			o.cfg.collect = false;
			break;
		case 't':
			o.trace = stdout;
			break;
		case 'p':
			if (!strcmp(optarg, "lww"))
				o.cfg.policy = KV_POL_LWW;
			else if (strcmp(optarg, "siblings"))
				die("sim: --policy is siblings or lww, not '%s'", optarg);
			break;
		case 'n':
			bits = kvsim_nemesis_parse(optarg);
			if (bits < 0)
				die("sim: --nemesis takes %s, not '%s'",
				    kvsim_nemesis_names(), optarg);
			o.nemesis = bits;
			break;
		case 'b':
			if (!strcmp(optarg, "norepair")) {
				o.cfg.read_repair = o.cfg.write_repair = false;
				o.cfg.anti_entropy = false;
			} else if (!strcmp(optarg, "wallclock")) {
				o.cfg.broken_wallclock = true;
			} else if (!strcmp(optarg, "hastyjoin")) {
				o.cfg.broken_hasty_move = true;
			} else if (!strcmp(optarg, "droptomb")) {
				o.cfg.broken_drop_tombstones = true;
			} else if (!strcmp(optarg, "hastyreap")) {
				o.cfg.broken_hasty_reap = true;
			} else {
				die("sim: --broken is norepair, wallclock, hastyjoin, droptomb or hastyreap, not '%s'",
				    optarg);
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || o.r > o.n || o.w > o.n ||
	    (o.join_at && o.leave_at)) {
		usage(stderr);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < seeds; i++) {
		kvsim_run(&o, seed0 + i, &r, stdout);
		if (!r.ok) {
			bad++;
			printf("seed %u FAILED: %s\n  replay: smpkit-kv sim --seed %u --seeds 1 (same options)\n",
			       seed0 + i, r.why, seed0 + i);
			continue;
		}
		tot.events += r.st.events;
		tot.ops += r.st.ops;
		tot.acked += r.st.acked;
		tot.deletes += r.st.deletes;
		tot.stale += r.st.stale;
		tot.failed += r.st.failed;
		tot.indeterminate += r.st.indeterminate;
		tot.reads += r.st.reads;
		tot.writes += r.st.writes;
		tot.read_repairs += r.st.read_repairs;
		tot.write_repairs += r.st.write_repairs;
		tot.ae_hashes += r.st.ae_hashes;
		tot.ae_pushed += r.st.ae_pushed;
		tot.sloppy += r.st.sloppy;
		tot.full += r.st.full;
		if (r.st.max_sibs > tot.max_sibs)
			tot.max_sibs = r.st.max_sibs;
		tot.hints_stored += r.st.hints_stored;
		tot.hints_done += r.st.hints_done;
		tot.move += r.st.move;
		tot.moved_keys += r.st.moved_keys;
		tot.dropped += r.st.dropped;
		tot.reaps_begun += r.st.reaps_begun;
		tot.reaped += r.st.reaped;
		tot.purged += r.st.purged;
		if (r.st.divergent_at_heal) {
			conv_n++;
			tot.divergent_at_heal += r.st.divergent_at_heal;
			tot.converge += r.st.converge;
			if (r.st.converge > conv_max)
				conv_max = r.st.converge;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	summary(&o, seeds, bad, &tot, conv_n, conv_max,
		(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return bad ? 1 : 0;
}
