// SPDX-License-Identifier: GPL-2.0
/*
 * The faults, all drawn from the run's one PRNG so a seed replays them:
 * what the seed decides once (configuration variant, loss, duplication,
 * reordering, clock skew) and the actions of the chaos phase (partitions,
 * crashes, pauses, disk path failures, corrupt slots, stalled writes),
 * then the heal that ends it so the checker can demand one master.
 */
#include <string.h>

#include "internal.h"

static const char *const names[] = {
	"partition", "loss", "dup", "reorder", "crash", "pause", "skew", "disk",
};

const char *sim_nemesis_names(void)
{
	return "partition,loss,dup,reorder,crash,pause,skew,disk (or all, none)";
}

int sim_nemesis_parse(const char *list)
{
	char buf[256], *tok, *save;
	unsigned int i, bits = 0;

	if (strlen(list) >= sizeof(buf))
		return -1;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			bits |= SIM_N_ALL;
			continue;
		}
		if (!strcmp(tok, "none"))
			continue;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i]))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		bits |= 1u << i;
	}
	return bits;
}

void sim_choose_config(struct sim *s)
{
	struct cl_config *c = &s->cfg;
	unsigned int i, nem = s->o.nemesis;
	struct snode *sn;

	if (s->o.vary) {
		c->detector = sim_below(s, 2);
		switch (sim_below(s, 3)) {
		case 0:
			c->disk_votes = 0;
			break;
		case 1:
			c->disk_votes = 1;
			break;
		default:
			c->disk_votes = c->n - 1;
		}
		c->second_channel = sim_below(s, 2);
		c->wait_for_all = sim_pct(s, 25);
		c->partitions = 4;
		c->redundancy = sim_below(s, 2);
		c->standby = sim_below(s, 3);
		c->last_man_standing = c->n > 2 && sim_pct(s, 25);
		c->ranked = sim_below(s, 2);
		if (c->n == 2) {
			/* votequorum: two_node implies wait_for_all */
			c->two_node = c->wait_for_all = true;
			c->disk_votes = 0;
		}
	}
	/* a short window lets expected votes move within the chaos phase */
	if (c->last_man_standing)
		c->lms_window = c->hb_timeout + sim_below(s, 3 * c->hb_timeout);
	s->loss = nem & SIM_N_LOSS ? sim_below(s, s->o.max_loss + 1) : 0;
	s->dup = nem & SIM_N_DUP ? sim_below(s, 6) : 0;
	s->jitter = nem & SIM_N_REORDER ? 1000 + sim_below(s, 20000) : 500;
	for (i = 0; i < c->n; i++) {
		sn = &s->node[i];
		if (nem & SIM_N_SKEW) {
			sn->ppm = (int32_t)sim_below(s, 100001) - 50000;
			sn->clk_off = sim_below(s, 1000000);
		}
	}
	sim_hist(s, "config: n=%u %s disk_votes=%u second=%d wfa=%d two_node=%d lms=%d ranked=%d parts=%u %s standby=%u loss=%u%% dup=%u%% jitter=%uus watchdog=%ums broken=%#x",
		 c->n, c->detector == CL_DET_SWIM ? "swim" : "master",
		 c->disk_votes, c->second_channel, c->wait_for_all,
		 c->two_node, c->last_man_standing, c->ranked, c->partitions,
		 c->redundancy ? "standby" : "active", c->standby, s->loss, s->dup,
		 s->jitter, c->watchdog / 1000, c->broken);
}

static unsigned int pick_up(struct sim *s)
{
	unsigned int i, k = sim_below(s, s->cfg.n);

	for (i = 0; i < s->cfg.n; i++, k = (k + 1) % s->cfg.n)
		if (s->node[k].up && s->node[k].paused_until <= s->now)
			return k;
	return CL_NONE;
}

static void partition(struct sim *s)
{
	unsigned int i, k, split = 0;
	char map[CL_WIRE_MAX_NODES + 1];

	for (i = 1; i < s->cfg.n; i++)
		split |= s->node[i].group != s->node[0].group;
	s->disturbed = s->now;
	if (split && sim_pct(s, 50)) {
		for (i = 0; i < s->cfg.n; i++)
			s->node[i].group = 0;
		sim_hist(s, "nemesis: partition healed");
		return;
	}
	s->st.partitions++;
	if (sim_pct(s, 50)) {
		k = sim_below(s, s->cfg.n);
		for (i = 0; i < s->cfg.n; i++)
			s->node[i].group = i == k;
		sim_hist(s, "nemesis: n%u isolated", k);
		return;
	}
	for (i = 0; i < s->cfg.n; i++) {
		s->node[i].group = sim_below(s, 2);
		map[i] = '0' + s->node[i].group;
	}
	map[i] = 0;
	sim_hist(s, "nemesis: partition into groups %s", map);
}

static void disk_fault(struct sim *s, unsigned int k)
{
	struct snode *sn = &s->node[k];

	switch (sim_below(s, 3)) {
	case 0:
		sn->disk_fail_until = s->now + 100000 + sim_below(s, 1400000);
		sn->disturbed = sn->disk_fail_until;
		sim_hist(s, "nemesis: n%u loses its disk path", k);
		break;
	case 1:
		s->disk.slot[k].valid = false;
		sn->disturbed = s->now + s->cfg.hb_interval;
		sim_hist(s, "nemesis: n%u's disk slot corrupt", k);
		break;
	default:
		s->stall = 1 + sim_below(s, 3);
		s->disturbed = s->now + 2 * s->cfg.hb_timeout;
		sim_hist(s, "nemesis: the disk stalls %u writes", s->stall);
	}
}

void sim_nemesis(struct sim *s)
{
	unsigned int acts[4], nact = 0, k, nem = s->o.nemesis;
	struct snode *sn;

	if (s->now >= s->heal_at)
		return;
	sim_push(s, s->now + 100000 + sim_below(s, 600000), SEV_NEMESIS, 0);
	if (nem & SIM_N_PARTITION)
		acts[nact++] = SIM_N_PARTITION;
	if (nem & SIM_N_CRASH)
		acts[nact++] = SIM_N_CRASH;
	if (nem & SIM_N_PAUSE)
		acts[nact++] = SIM_N_PAUSE;
	if (nem & SIM_N_DISK)
		acts[nact++] = SIM_N_DISK;
	if (!nact)
		return;
	if (acts[sim_below(s, nact)] == SIM_N_PARTITION) {
		partition(s);
		return;
	}
	k = pick_up(s);
	if (k == CL_NONE)
		return;
	sn = &s->node[k];
	switch (acts[sim_below(s, nact)]) {
	case SIM_N_CRASH:
		sim_hist(s, "nemesis: n%u crashes (%s)", k,
			 cl_role_name(sn->core.role));
		s->st.crashes++;
		sim_crash(s, k, 100000 + sim_below(s, 2500000));
		break;
	case SIM_N_PAUSE:
		sn->paused_until = s->now + 50000 + sim_below(s, 1500000);
		sn->disturbed = sn->paused_until;
		s->st.pauses++;
		sim_hist(s, "nemesis: n%u pauses for %llu ms (%s)", k,
			 (unsigned long long)(sn->paused_until - s->now) / 1000,
			 cl_role_name(sn->core.role));
		sim_watchdog_arm(s, k);
		break;
	case SIM_N_DISK:
		disk_fault(s, k);
		break;
	}
}

void sim_heal(struct sim *s)
{
	unsigned int i;
	struct snode *sn;
	struct sev *e;

	s->healed = true;
	s->loss = s->dup = 0;
	s->jitter = 500;
	s->stall = 0;
	s->disturbed = s->now;
	for (i = 0; i < s->cfg.n; i++) {
		sn = &s->node[i];
		sn->group = 0;
		sn->disk_fail_until = 0;
		if (!sn->up) {
			e = sim_push(s, s->now, SEV_RESTART, i);
			e->gen = sn->gen;
		}
	}
	sim_hist(s, "heal: network whole, every node up, disk fine");
}
