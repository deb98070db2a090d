// SPDX-License-Identifier: GPL-2.0
/*
 * The node's command line: who it is, its peers (index = node id), the
 * disk file, the timeouts (everything else derived from the heart-beat
 * interval and timeout the way the simulator's defaults are), the quorum
 * options and the fence agent. Every refusal says what was wrong.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smpkit/util.h>

#include "node.h"

void node_usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-cluster node --id I --peers IP:PORT,IP:PORT,... --disk FILE\n"
"                           [--format-disk] [--state FILE] [--hb MS] [--timeout MS]\n"
"                           [--detector master|swim] [--disk-votes V]\n"
"                           [--second-channel on|off] [--two-node] [--wait-for-all]\n"
"                           [--lms] [--fence-cmd CMD] [--duration SEC]\n"
"                           [--partitions P] [--redundancy active|standby]\n"
"                           [--standby none|hot|journal] [--ops N] [--ranked]\n"
"                           [--watchdog MS]\n"
"Runs node I of the cluster whose members are --peers (node i listens on the\n"
"i-th address) over UDP, with the voting disk in FILE (shared by all nodes;\n"
"--format-disk creates it). One line per decision goes to stdout: masters,\n"
"suspicions, deaths, quorum, fences, refused input. On SIGTERM the node\n"
"announces that it leaves. --fence-cmd CMD is run as 'CMD TARGET' to power\n"
"off a node before serving in its place; without it the node relies on the\n"
"disk's fencing token alone and says so. --partitions P (0..8) runs the\n"
"partitioned service: the master spreads the partitions over the members\n"
"(active) or keeps them on one primary (standby); each node logs what it\n"
"serves. --standby gives each partition a counter journaled in DISK.jP:\n"
"a primary appends N updates a tick (--ops, 1..64, default 10); a hot\n"
"stand-by applies the journal as it grows, a journal stand-by replays it\n"
"when it takes over; each take-over logs what it replayed and how long it\n"
"took. --ranked: after losing its master a node waits for its rank (the\n"
"next id first) instead of a random delay before it stands for election.\n"
"--watchdog MS: a watchdog process kills the node when its loop has not run\n"
"for MS (at least two heart beats); give every node the same value: a new\n"
"master whose fence agent does not confirm (or that has none) then serves\n"
"once the old master's watchdog must have killed it.\n"
"Defaults: --hb 100 --timeout 500 --partitions 0 --standby none.\n");
}

static int peers(const char *list, struct node_cfg *nc, char *err, size_t len)
{
	char buf[1024], *tok, *save, *colon;
	unsigned int n = 0;
	uint64_t port;

	if (strlen(list) >= sizeof(buf)) {
		snprintf(err, len, "--peers is too long");
		return -1;
	}
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save), n++) {
		if (n >= CL_WIRE_MAX_NODES) {
			snprintf(err, len, "--peers names more than 16 nodes");
			return -1;
		}
		colon = strrchr(tok, ':');
		if (!colon || !parse_u64(colon + 1, 1, 65535, &port)) {
			snprintf(err, len, "peer %u '%s' is not IP:PORT", n, tok);
			return -1;
		}
		*colon = 0;
		nc->peer[n].sin_family = AF_INET;
		nc->peer[n].sin_port = htons(port);
		if (inet_pton(AF_INET, tok, &nc->peer[n].sin_addr) != 1) {
			snprintf(err, len, "peer %u: '%s' is not an IPv4 address",
				 n, tok);
			return -1;
		}
	}
	nc->cl.n = n;
	return 0;
}

int node_cfg_parse(int argc, char **argv, struct node_cfg *nc, char *err,
		   size_t len)
{
	static const struct option opts[] = {
		{ "id", 1, NULL, 'i' }, { "peers", 1, NULL, 'p' },
		{ "disk", 1, NULL, 'd' }, { "format-disk", 0, NULL, 'F' },
		{ "state", 1, NULL, 's' }, { "hb", 1, NULL, 'b' },
		{ "timeout", 1, NULL, 't' }, { "detector", 1, NULL, 'D' },
		{ "disk-votes", 1, NULL, 'v' }, { "second-channel", 1, NULL, '2' },
		{ "two-node", 0, NULL, 'T' }, { "wait-for-all", 0, NULL, 'W' },
		{ "lms", 0, NULL, 'L' }, { "fence-cmd", 1, NULL, 'f' },
		{ "duration", 1, NULL, 'u' }, { "help", 0, NULL, 'h' },
		{ "partitions", 1, NULL, 'P' }, { "redundancy", 1, NULL, 'R' },
		{ "standby", 1, NULL, 'S' }, { "ops", 1, NULL, 'o' },
		{ "ranked", 0, NULL, 'K' }, { "watchdog", 1, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t id = UINT64_MAX, hb = 100, to = 500, v = 0, dur = 0;
	const char *peer_list = NULL, *why;
	static char state[4096];
	int c, li = 0;

	memset(nc, 0, sizeof(*nc));
	cl_config_default(&nc->cl, 1);
	nc->ops = 10;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, &li)) != -1) {
		switch (c) {
		case 'i':
			if (!parse_u64(optarg, 0, 15, &id))
				goto bad;
			break;
		case 'p':
			peer_list = optarg;
			break;
		case 'd':
			nc->disk = optarg;
			break;
		case 'F':
			nc->format = true;
			break;
		case 's':
			nc->state = optarg;
			break;
		case 'b':
			if (!parse_u64(optarg, 1, 10000, &hb))
				goto bad;
			break;
		case 't':
			if (!parse_u64(optarg, 2, 60000, &to))
				goto bad;
			break;
		case 'D':
			if (strcmp(optarg, "master") && strcmp(optarg, "swim"))
				goto bad;
			nc->cl.detector = !strcmp(optarg, "swim");
			break;
		case 'v':
			if (!parse_u64(optarg, 0, 15, &v))
				goto bad;
			nc->cl.disk_votes = v;
			break;
		case '2':
			if (strcmp(optarg, "on") && strcmp(optarg, "off"))
				goto bad;
			nc->cl.second_channel = !strcmp(optarg, "on");
			break;
		case 'T':
			nc->cl.two_node = nc->cl.wait_for_all = true;
			break;
		case 'W':
			nc->cl.wait_for_all = true;
			break;
		case 'L':
			nc->cl.last_man_standing = true;
			break;
		case 'f':
			nc->fence_cmd = optarg;
			break;
		case 'u':
			if (!parse_u64(optarg, 1, 86400, &dur))
				goto bad;
			nc->duration = dur;
			break;
		case 'P':
			if (!parse_u64(optarg, 0, CL_MAX_PARTS, &v))
				goto bad;
			nc->cl.partitions = v;
			break;
		case 'R':
			if (strcmp(optarg, "active") && strcmp(optarg, "standby"))
				goto bad;
			nc->cl.redundancy = !strcmp(optarg, "standby");
			break;
		case 'S':
			if (!strcmp(optarg, "none"))
				nc->cl.standby = CL_SB_NONE;
			else if (!strcmp(optarg, "hot"))
				nc->cl.standby = CL_SB_HOT;
			else if (!strcmp(optarg, "journal"))
				nc->cl.standby = CL_SB_JOURNAL;
			else
				goto bad;
			break;
		case 'o':
			if (!parse_u64(optarg, 1, 64, &v))
				goto bad;
			nc->ops = v;
			break;
		case 'K':
			nc->cl.ranked = true;
			break;
		case 'w':
			if (!parse_u64(optarg, 1, 60000, &v))
				goto bad;
			nc->watchdog = v;
			break;
		case 'h':
			return 1;
		default:
			snprintf(err, len, "unknown option (see --help)");
			return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, len, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (id == UINT64_MAX || !peer_list || !nc->disk) {
		snprintf(err, len, "--id, --peers and --disk are required");
		return -1;
	}
	if (peers(peer_list, nc, err, len))
		return -1;
	if (id >= nc->cl.n) {
		snprintf(err, len, "--id %llu but --peers names only %u nodes",
			 (unsigned long long)id, nc->cl.n);
		return -1;
	}
	nc->id = id;
	if (to <= hb) {
		snprintf(err, len, "--timeout (%llu ms) must exceed --hb (%llu ms)",
			 (unsigned long long)to, (unsigned long long)hb);
		return -1;
	}
	cl_config_timing(&nc->cl, hb * 1000, to * 1000);
	nc->cl.watchdog = nc->watchdog * 1000;
	if (nc->cl.disk_votes >= nc->cl.n && nc->cl.n > 1) {
		snprintf(err, len, "--disk-votes must be below the node count");
		return -1;
	}
	if (nc->cl.standby != CL_SB_NONE && !nc->cl.partitions) {
		snprintf(err, len, "--standby needs --partitions");
		return -1;
	}
	why = cl_config_check(&nc->cl);
	if (why) {
		snprintf(err, len, "%s", why);
		return -1;
	}
	if (!nc->state) {
		snprintf(state, sizeof(state), "%s.n%u.state", nc->disk, nc->id);
		nc->state = state;
	}
	return 0;
bad:
	snprintf(err, len, "bad value '%s' for --%s (see --help)", optarg,
		 opts[li].name);
	return -1;
}
