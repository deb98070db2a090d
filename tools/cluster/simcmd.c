// SPDX-License-Identifier: GPL-2.0
/*
 * "smpkit-cluster sim": runs K seeded histories of the simulator, prints
 * each failing seed with its history (run again with --seed S --seeds 1
 * to replay it exactly), and a summary: events per second on this core,
 * detection and fail-over times, false deaths, fences, refused writes.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smpkit/util.h>

#include "cluster.h"
#include "sim/sim.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-cluster sim [--nodes N] [--seeds K] [--seed S] [--nemesis LIST]\n"
"                          [--detector master|swim] [--disk-votes V]\n"
"                          [--second-channel on|off] [--loss PCT]\n"
"                          [--hb MS] [--timeout MS]\n"
"                          [--partitions P] [--redundancy active|standby]\n"
"                          [--standby none|hot|journal] [--ops N] [--replay-us US]\n"
"                          [--lms] [--ranked] [--samples FILE] [--watchdog MS]\n"
"                          [--broken fence|quorum|suspicion|handover|catchup|lms|\n"
"                                    watchdog]\n"
"                          [--chaos SEC]\n"
"                          [--heal SEC] [--trace] [--quiet]\n"
"Runs K simulated histories (seeds S..S+K-1, default S=1, K=100) of N nodes\n"
"(default 5) and checks the invariants after every event. Unless --detector,\n"
"--disk-votes or --second-channel fix them, each seed also picks the failure\n"
"detector, the disk's votes, the second channel and wait_for_all.\n"
"  --nemesis LIST  faults to inject: %s\n"
"  --loss PCT      the highest loss rate a seed may draw (default 5)\n"
"  --hb, --timeout heart-beat interval and timeout (default 100, 500 ms);\n"
"                  the other timers follow them as the node's do\n"
"  --partitions P  a service of P partitions (0..8, default 4) spread over\n"
"                  the members (active) or all on one primary (standby)\n"
"  --standby M     the service's state: none; hot (secondaries apply the\n"
"                  journal as it grows); journal (replayed at take-over)\n"
"  --ops N         updates a primary journals per partition per tick (10)\n"
"  --replay-us US  virtual cost of replaying one update (default 5)\n"
"  --samples FILE  one line per measured time: detect, elect (master crash\n"
"                  -> new master), takeover (its beats seen stopped -> new\n"
"                  master), serve (a partition's server crashed -> served\n"
"                  again), catchup; each with milliseconds\n"
"  --ranked        election delay by rank after the lost master, not random\n"
"  --lms           votequorum's last_man_standing (expected votes shrink)\n"
"  --watchdog MS   every node runs under a watchdog that kills it after MS\n"
"                  without running; there is no power-fence agent\n"
"  --broken X      run a deliberately broken variant (the checker must fail):\n"
"                  fence, quorum, suspicion, handover, catchup, lms or\n"
"                  watchdog (serve without waiting out the watchdog)\n"
"  --trace         print every notable event of every run as it happens\n"
"Exit status: 0 when every seed passed, 1 when one failed, 2 on bad usage.\n",
		sim_nemesis_names());
}

static uint64_t num(const char *s, const char *what, uint64_t min,
		    uint64_t max)
{
	uint64_t v;

	if (!parse_u64(s, min, max, &v))
		die("sim: %s must be a number in %llu..%llu, not '%s'", what,
		    (unsigned long long)min, (unsigned long long)max, s);
	return v;
}

static double ms(uint64_t us)
{
	return us / 1000.0;
}

/* The options that shape a history, for the replay line of a failure. */
static void replay_args(int argc, char **argv, char *buf, size_t len)
{
	size_t at = 0;
	int i;

	buf[0] = 0;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") || !strcmp(argv[i], "--seeds")) {
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "--trace") ||
		    !strncmp(argv[i], "--seed=", 7) ||
		    !strncmp(argv[i], "--seeds=", 8))
			continue;
		if (at + strlen(argv[i]) + 2 >= len)
			break;
		at += snprintf(buf + at, len - at, " %s", argv[i]);
	}
}

int cmd_sim(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nodes", 1, NULL, 'n' }, { "seeds", 1, NULL, 'k' },
		{ "seed", 1, NULL, 's' }, { "nemesis", 1, NULL, 'N' },
		{ "detector", 1, NULL, 'd' }, { "disk-votes", 1, NULL, 'v' },
		{ "second-channel", 1, NULL, '2' }, { "loss", 1, NULL, 'l' },
		{ "broken", 1, NULL, 'b' }, { "chaos", 1, NULL, 'c' },
		{ "heal", 1, NULL, 'h' }, { "trace", 0, NULL, 't' },
		{ "quiet", 0, NULL, 'q' }, { "help", 0, NULL, 'H' },
		{ "hb", 1, NULL, 'B' }, { "timeout", 1, NULL, 'T' },
		{ "partitions", 1, NULL, 'P' }, { "redundancy", 1, NULL, 'R' },
		{ "standby", 1, NULL, 'S' }, { "ops", 1, NULL, 'o' },
		{ "replay-us", 1, NULL, 'r' }, { "lms", 0, NULL, 'L' },
		{ "samples", 1, NULL, 'w' }, { "ranked", 0, NULL, 'K' },
		{ "watchdog", 1, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	struct sim_opts o;
	struct sim_result r;
	struct sim_stats tot = { 0 };
	struct timespec t0, t1;
	uint64_t seed = 1, k = 100, i, fails = 0, n = 5, hb = 100, to = 500;
	uint64_t wd = 0;
	unsigned int broken = 0;
	bool quiet = false;
	int c, bits;
	double wall;
	struct cl_config fixed;
	char replay[1024];

	cl_config_default(&fixed, 5);
	fixed.partitions = 4;
	sim_opts_default(&o, 5);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			n = num(optarg, "--nodes", 1, CL_WIRE_MAX_NODES);
			break;
		case 'k':
			k = num(optarg, "--seeds", 1, 100000000);
			break;
		case 's':
			seed = num(optarg, "--seed", 0, UINT64_MAX);
			break;
		case 'N':
			bits = sim_nemesis_parse(optarg);
			if (bits < 0)
				die("sim: unknown fault in '%s'; known: %s",
				    optarg, sim_nemesis_names());
			o.nemesis = bits;
			break;
		case 'd':
			if (strcmp(optarg, "master") && strcmp(optarg, "swim"))
				die("sim: --detector is master or swim, not '%s'",
				    optarg);
			fixed.detector = !strcmp(optarg, "swim");
			o.vary = false;
			break;
		case 'v':
			fixed.disk_votes = num(optarg, "--disk-votes", 0, 15);
			o.vary = false;
			break;
		case '2':
			if (strcmp(optarg, "on") && strcmp(optarg, "off"))
				die("sim: --second-channel is on or off");
			fixed.second_channel = !strcmp(optarg, "on");
			o.vary = false;
			break;
		case 'l':
			o.max_loss = num(optarg, "--loss", 0, 100);
			break;
		case 'b':
			if (!strcmp(optarg, "fence"))
				broken |= CL_BROKEN_NO_FENCE;
			else if (!strcmp(optarg, "quorum"))
				broken |= CL_BROKEN_HALF_QUORUM;
			else if (!strcmp(optarg, "suspicion"))
				broken |= CL_BROKEN_NO_SUSPECT;
			else if (!strcmp(optarg, "handover"))
				broken |= CL_BROKEN_NO_HANDOVER;
			else if (!strcmp(optarg, "catchup"))
				broken |= CL_BROKEN_NO_CATCHUP;
			else if (!strcmp(optarg, "lms"))
				broken |= CL_BROKEN_LMS_NO_RAISE;
			else if (!strcmp(optarg, "watchdog"))
				broken |= CL_BROKEN_NO_WD_WAIT;
			else
				die("sim: --broken is fence, quorum, suspicion, handover, catchup, lms or watchdog, not '%s'",
				    optarg);
			break;
		case 'c':
			o.chaos = num(optarg, "--chaos", 0, 3600) * 1000000;
			break;
		case 'h':
			o.heal = num(optarg, "--heal", 1, 3600) * 1000000;
			break;
		case 't':
			o.trace = stdout;
			break;
		case 'q':
			quiet = true;
			break;
		case 'P':
			fixed.partitions = num(optarg, "--partitions", 0, 8);
			o.vary = false;
			break;
		case 'R':
			if (strcmp(optarg, "active") && strcmp(optarg, "standby"))
				die("sim: --redundancy is active or standby, not '%s'",
				    optarg);
			fixed.redundancy = !strcmp(optarg, "standby");
			o.vary = false;
			break;
		case 'S':
			if (!strcmp(optarg, "none"))
				fixed.standby = CL_SB_NONE;
			else if (!strcmp(optarg, "hot"))
				fixed.standby = CL_SB_HOT;
			else if (!strcmp(optarg, "journal"))
				fixed.standby = CL_SB_JOURNAL;
			else
				die("sim: --standby is none, hot or journal, not '%s'",
				    optarg);
			o.vary = false;
			break;
		case 'K':
			fixed.ranked = true;
			o.vary = false;
			break;
		case 'W':
			wd = num(optarg, "--watchdog", 1, 60000);
			break;
		case 'w':
			o.samples = fopen(optarg, "w");
			if (!o.samples)
				die_errno("sim: cannot write --samples %s", optarg);
			break;
		case 'L':
			fixed.last_man_standing = true;
			o.vary = false;
			break;
		case 'o':
			o.ops = num(optarg, "--ops", 0, 100000);
			break;
		case 'r':
			o.replay_us = num(optarg, "--replay-us", 0, 1000000);
			break;
		case 'B':
			hb = num(optarg, "--hb", 1, 10000);
			break;
		case 'T':
			to = num(optarg, "--timeout", 2, 60000);
			break;
		case 'H':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		die("sim: unexpected argument '%s' (see --help)", argv[optind]);
	if (to <= hb)
		die("sim: --timeout (%llu ms) must exceed --hb (%llu ms)",
		    (unsigned long long)to, (unsigned long long)hb);
	o.cfg.n = n;
	cl_config_timing(&o.cfg, hb * 1000, to * 1000);
	o.cfg.detector = fixed.detector;
	o.cfg.disk_votes = fixed.disk_votes;
	o.cfg.second_channel = fixed.second_channel;
	o.cfg.partitions = fixed.partitions;
	o.cfg.redundancy = fixed.redundancy;
	o.cfg.standby = fixed.standby;
	o.cfg.last_man_standing = fixed.last_man_standing;
	o.cfg.ranked = fixed.ranked;
	o.cfg.broken = broken;
	o.cfg.watchdog = wd * 1000;
	if (o.cfg.disk_votes >= n && n > 1)
		die("sim: --disk-votes must be below --nodes");
	if (n == 2 && !o.vary) {
		o.cfg.two_node = o.cfg.wait_for_all = true;
		o.cfg.disk_votes = 0;
	}
	if (cl_config_check(&o.cfg))
		die("sim: %s", cl_config_check(&o.cfg));
	replay_args(argc, argv, replay, sizeof(replay));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < k; i++) {
		sim_run(&o, seed + i, &r, quiet ? NULL : stdout);
		tot.events += r.st.events;
		tot.masters += r.st.masters;
		tot.fences += r.st.fences;
		tot.refused += r.st.refused;
		tot.disk_saved += r.st.disk_saved;
		tot.deaths += r.st.deaths;
		tot.false_deaths += r.st.false_deaths;
		tot.crashes += r.st.crashes;
		tot.detect_n += r.st.detect_n;
		tot.detect_sum += r.st.detect_sum;
		tot.failover_n += r.st.failover_n;
		tot.failover_sum += r.st.failover_sum;
		tot.takeover_n += r.st.takeover_n;
		tot.takeover_sum += r.st.takeover_sum;
#define MAX(f) if (r.st.f > tot.f) tot.f = r.st.f
		MAX(detect_max);
		MAX(failover_max);
		MAX(takeover_max);
		MAX(outlived_max);
		MAX(converge_max);
		tot.converge_n += r.st.converge_n;
		MAX(svc_max);
		tot.svc_n += r.st.svc_n;
		tot.svc_sum += r.st.svc_sum;
		tot.converge_sum += r.st.converge_sum;
		MAX(catchup_max);
		tot.catchup_n += r.st.catchup_n;
		tot.catchup_sum += r.st.catchup_sum;
		tot.replayed += r.st.replayed;
		tot.lms_shrinks += r.st.lms_shrinks;
		tot.wd_kills += r.st.wd_kills;
		tot.wd_fences += r.st.wd_fences;
		if (!r.ok) {
			fails++;
			printf("seed %llu: FAIL: %s (replay: smpkit-cluster sim%s --seed %llu --seeds 1 --trace)\n",
			       (unsigned long long)(seed + i), r.why, replay,
			       (unsigned long long)(seed + i));
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("seeds %llu, failed %llu, events %llu in %.2f s: %.0f events/s on one core\n",
	       (unsigned long long)k, (unsigned long long)fails,
	       (unsigned long long)tot.events, wall, tot.events / wall);
	printf("masters elected %llu, power fences %llu, writes refused %llu, deaths declared %llu (of running nodes %llu), disk second channel vetoed %llu\n",
	       (unsigned long long)tot.masters, (unsigned long long)tot.fences,
	       (unsigned long long)tot.refused, (unsigned long long)tot.deaths,
	       (unsigned long long)tot.false_deaths,
	       (unsigned long long)tot.disk_saved);
	if (tot.detect_n)
		printf("crash -> declared dead: mean %.1f ms, max %.1f ms (%llu crashes seen)\n",
		       ms(tot.detect_sum / tot.detect_n), ms(tot.detect_max),
		       (unsigned long long)tot.detect_n);
	if (tot.failover_n)
		printf("master crash -> new master: mean %.1f ms, max %.1f ms (%llu)\n",
		       ms(tot.failover_sum / tot.failover_n),
		       ms(tot.failover_max), (unsigned long long)tot.failover_n);
	if (tot.takeover_n)
		printf("its beats seen stopped -> new master: mean %.1f ms, max %.1f ms (%llu)\n",
		       ms(tot.takeover_sum / tot.takeover_n),
		       ms(tot.takeover_max), (unsigned long long)tot.takeover_n);
	printf("longest master without a true quorum: %.1f ms\n",
	       ms(tot.outlived_max));
	if (tot.lms_shrinks)
		printf("last_man_standing lowered expected votes %llu times\n",
		       (unsigned long long)tot.lms_shrinks);
	if (o.cfg.watchdog)
		printf("watchdog kills of stuck nodes %llu, masters that served after the watchdog bound %llu\n",
		       (unsigned long long)tot.wd_kills,
		       (unsigned long long)tot.wd_fences);
	if (tot.svc_n)
		printf("a partition's server crashed -> served again: mean %.1f ms, max %.1f ms (%llu)\n",
		       ms(tot.svc_sum / tot.svc_n), ms(tot.svc_max),
		       (unsigned long long)tot.svc_n);
	if (tot.catchup_n)
		printf("a new primary's state caught up: mean %.1f ms, max %.1f ms (%llu, %.0f updates replayed each)\n",
		       ms(tot.catchup_sum / tot.catchup_n), ms(tot.catchup_max),
		       (unsigned long long)tot.catchup_n,
		       (double)tot.replayed / tot.catchup_n);
	if (tot.converge_n)
		printf("heal -> one master known to all: mean %.1f ms, max %.1f ms (%llu runs)\n",
		       ms(tot.converge_sum / tot.converge_n),
		       ms(tot.converge_max), (unsigned long long)tot.converge_n);
	if (o.samples)
		fclose(o.samples);
	return fails ? 1 : 0;
}
