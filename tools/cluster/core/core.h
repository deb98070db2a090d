/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cluster core's public face: one node's protocols (membership, heart
 * beats, SWIM probes, election, quorum, voting disk, fencing) as a pure
 * state machine. A driver feeds cl_node_step() the time and one event and
 * gets back a batch: datagrams to send, disk operations, decisions, the
 * next wake-up. No I/O, clocks or threads here: the simulator and the UDP
 * daemon are the two drivers (the seam of etcd's raft and Tarantool's SWIM).
 */
#ifndef CL_CORE_H
#define CL_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disk.h"
#include "wire.h"

typedef uint64_t cl_time;		/* microseconds, the node's own clock */

#define CL_NONE		0xff		/* no node (no master, no vote) */

enum cl_detector {
	CL_DET_MASTER,			/* members heart-beat with the master */
	CL_DET_SWIM,			/* SWIM probes, indirect probes, suspicion */
};

enum cl_redundancy {
	CL_RED_ACTIVE_ACTIVE,		/* partitions spread over all members */
	CL_RED_ACTIVE_STANDBY,		/* one primary serves them all */
};

/*
 * How a partition's new primary gets the state: CL_SB_NONE, the service
 * has none; otherwise the driver keeps it (a journal of updates on shared
 * storage) and the core serves a partition only once the driver reports
 * that its copy caught up. CL_SB_HOT: secondaries apply the journal as it
 * grows, so little is left at take-over; CL_SB_JOURNAL: a secondary
 * replays the journal only when it takes over.
 */
enum cl_standby { CL_SB_NONE, CL_SB_HOT, CL_SB_JOURNAL };

#define CL_MAX_PARTS	8
#define CL_NO_OWNER	0xf

/* Deliberately broken variants: the checker must catch each one. */
#define CL_BROKEN_NO_FENCE	(1u << 0)	/* disk ignores the epoch token */
#define CL_BROKEN_HALF_QUORUM	(1u << 1)	/* N/2 instead of N/2+1 */
#define CL_BROKEN_NO_SUSPECT	(1u << 2)	/* one missed probe = dead */
#define CL_BROKEN_NO_HANDOVER	(1u << 3)	/* serve a partition at once */
#define CL_BROKEN_NO_CATCHUP	(1u << 4)	/* serve before the state is in */
#define CL_BROKEN_LMS_NO_RAISE	(1u << 5)	/* returning nodes raise nothing */
#define CL_BROKEN_NO_WD_WAIT	(1u << 6)	/* watchdog: serve without waiting */

struct cl_config {
	uint32_t cluster_id;
	uint8_t n;			/* potential members, ids 0..n-1 */
	uint8_t detector;		/* enum cl_detector */
	uint8_t disk_votes;		/* votes of the voting disk; 0: none */
	uint8_t indirect_k;		/* SWIM helpers per indirect probe */
	uint8_t partitions;		/* of the service, 0..8; 0: none */
	uint8_t redundancy;		/* enum cl_redundancy */
	uint8_t standby;		/* enum cl_standby */
	bool two_node, wait_for_all, last_man_standing;
	bool second_channel;		/* the disk confirms a death */
	bool ranked;			/* election delay by rank after the master */
	uint32_t tick;			/* the core's timer period */
	uint32_t hb_interval, hb_timeout, elect_jitter;
	uint32_t probe_interval, probe_timeout, suspect_timeout;
	uint32_t disk_timeout;		/* a slot unchanged this long is stale */
	uint32_t lms_window;		/* stable time before expected shrinks */
	/*
	 * Every node runs under a watchdog that kills it when it has not run
	 * for this long (0: none). A new master whose power fence is not
	 * confirmed then serves after cl_watchdog_wait() instead of never.
	 */
	uint32_t watchdog;
	uint32_t broken;		/* CL_BROKEN_* */
};

/* Fills in the defaults (timeouts in microseconds) for @n nodes. */
void cl_config_default(struct cl_config *c, unsigned int n);
/*
 * Derive every timer from the heart-beat interval and timeout (in
 * microseconds) the way the defaults relate to 100 ms and 500 ms.
 */
void cl_config_timing(struct cl_config *c, uint32_t hb, uint32_t timeout);
/*
 * How long a new master waits, from its election, before it takes an
 * unconfirmed power fence as done because the old master's watchdog must
 * have killed it by then (elect.c explains the sum).
 */
cl_time cl_watchdog_wait(const struct cl_config *c);
/* NULL when @c is usable, else a sentence saying what is wrong. */
const char *cl_config_check(const struct cl_config *c);

/* What a node must keep across a crash (Raft's term and vote). */
struct cl_persist {
	uint64_t term;
	uint32_t incarnation;
	uint8_t voted_for;
	uint8_t wfa_done;		/* wait_for_all satisfied once */
};

enum cl_ev_type {
	CL_EV_START,			/* boot or restart */
	CL_EV_TICK,			/* the wake-up asked for */
	CL_EV_RECV,			/* a datagram: buf, len */
	CL_EV_DISK_READ,		/* disk: the image, NULL on I/O error */
	CL_EV_DISK_WRITE,		/* op, result (enum cl_disk_result) */
	CL_EV_FENCE_DONE,		/* target, ok */
	CL_EV_LEAVE,			/* the operator asks to leave */
	CL_EV_CAUGHT_UP,		/* target: partition whose state is in */
};

struct cl_event {
	uint8_t type;
	uint8_t target;
	bool ok;
	int result;
	const uint8_t *buf;
	size_t len;
	const struct cl_disk_image *disk;
	const struct cl_disk_op *op;
};

enum cl_decision_type {
	CL_D_MASTER,		/* I became master of term */
	CL_D_STEP_DOWN,		/* a: enum cl_step_reason */
	CL_D_MASTER_KNOWN,	/* a: the master I now follow, term */
	CL_D_SUSPECT,		/* a: node */
	CL_D_DEAD,		/* a: node */
	CL_D_ALIVE,		/* a: node (again) */
	CL_D_LEFT,		/* a: node announced it leaves */
	CL_D_DISK_SAVED,	/* a: the disk said alive: no death declared */
	CL_D_QUORUM,		/* a: 1 gained, 0 lost */
	CL_D_EXPECTED,		/* a: expected votes now */
	CL_D_FENCE_POWER,	/* a: node to power off before serving */
	CL_D_SELF_FENCE,	/* stop serving: quorum or disk lost */
	CL_D_SERVE,		/* fencing done: the master serves */
	CL_D_BAD_INPUT,		/* a: enum cl_wire_err or CL_BAD_DISK */
	CL_D_WRITE_REFUSED,	/* a: enum cl_disk_result of my write */
	CL_D_DEAD_HEARD,	/* a: node another member declared dead */
	CL_D_RESUMED,		/* I did not run for a while: no verdicts */
	CL_D_MASTER_LOST,	/* a: the master whose beats stopped */
	CL_D_OWN,		/* a: partition I now serve */
	CL_D_DISOWN,		/* a: partition I stopped serving */
	CL_D_CATCH_UP,		/* a: partition: bring its state up to date */
	CL_D_FENCE_TIMED,	/* a: node (or CL_NONE) fenced: watchdog bound over */
};

enum cl_step_reason { CL_STEP_QUORUM, CL_STEP_DISK, CL_STEP_TERM, CL_STEP_LEAVE };

#define CL_BAD_DISK	100	/* a corrupt voting-disk block was read */

struct cl_decision {
	uint8_t type;
	uint8_t a;
	uint64_t term;
};

struct cl_msg {
	uint8_t dst;
	uint8_t len;
	uint8_t buf[CL_WIRE_MAX];
};

#define CL_OUT_MSGS	48
#define CL_OUT_WRITES	4
#define CL_OUT_DECS	24

/* One step's output. The driver sends, persists, then performs the rest. */
struct cl_out {
	unsigned int nmsg, nwrite, ndec, dropped;
	bool disk_read;			/* read the whole disk, answer DISK_READ */
	bool persist;			/* store cl_node_persist() before sending */
	cl_time wake;			/* call again with CL_EV_TICK at this time */
	struct cl_msg msg[CL_OUT_MSGS];
	struct cl_disk_op write[CL_OUT_WRITES];
	struct cl_decision dec[CL_OUT_DECS];
};

enum cl_role { CL_FOLLOWER, CL_CANDIDATE, CL_MASTER };
enum cl_mstate { CL_M_ALIVE, CL_M_SUSPECT, CL_M_DEAD, CL_M_LEFT };

struct cl_member {
	uint8_t state;			/* enum cl_mstate */
	uint32_t inc;			/* SWIM incarnation */
	cl_time heard;			/* last datagram from it */
	cl_time ack;			/* last heart-beat ack (master) */
	cl_time suspect_at;
	cl_time alive_since;		/* (re)joined at: detection grace */
	bool saved;			/* DISK_SAVED said for this suspicion */
	uint32_t disk_seq;		/* its disk slot as last read */
	cl_time disk_changed;		/* when that slot last moved */
};

struct cl_gossip_q {
	uint8_t node, state, left;
	uint32_t inc;
};

#define CL_GOSSIP_Q	16

struct cl_node {
	const struct cl_config *cfg;
	uint8_t id, role, master, last_master, voted_for;
	bool started, left, quorate, serving, fence_pending, wfa_done;
	uint8_t expected;		/* expected node votes (votequorum) */
	uint8_t fence_target;
	uint8_t lost_master;		/* MASTER_LOST said for it */
	uint64_t term;
	uint32_t inc;
	uint64_t rng;
	cl_time now, last_step, next_tick, next_hb, elect_at, master_heard;
	cl_time renew_ok, lms_since, master_since, resumed_at, vote_sent;
	uint8_t lms_active;
	uint16_t votes, prevotes;	/* bitmaps of granters */
	bool prevoting, claiming;
	uint32_t hb_seq, slot_seq;
	struct { uint32_t seq; cl_time at; } hb_sent[8];	/* for acks */
	/* the voting disk as last read */
	bool disk_seen;
	uint8_t disk_owner;
	uint64_t disk_epoch;
	uint32_t disk_renew;
	cl_time disk_renew_changed;
	cl_time disk_read_at;		/* last readable header */
	uint64_t data_value;
	/* SWIM */
	uint8_t probe_target, probe_pos;
	uint8_t order[CL_WIRE_MAX_NODES];
	bool probe_acked, probe_indirect;
	uint32_t probe_seq;
	cl_time probe_sent, next_probe;
	struct cl_gossip_q gq[CL_GOSSIP_Q];
	struct cl_member m[CL_WIRE_MAX_NODES];
	/* the partitioned service (service.c) */
	uint32_t owners;		/* the map as last heard (4 bits each) */
	uint8_t serving_parts;		/* bitmap: partitions I serve */
	uint8_t pending_parts;		/* assigned, waiting for the handover */
	uint8_t catching_parts;		/* handover done, state catching up */
	uint8_t caught_parts;		/* the driver said: state is in */
	cl_time pending_since[CL_MAX_PARTS];
	/* counters the drivers report */
	uint64_t bad_input, stale_msgs, refused_writes;
};

void cl_node_init(struct cl_node *nd, const struct cl_config *cfg,
		  unsigned int id, const struct cl_persist *p, uint64_t seed);
void cl_node_step(struct cl_node *nd, cl_time now, const struct cl_event *ev,
		  struct cl_out *out);
void cl_node_persist(const struct cl_node *nd, struct cl_persist *p);

const char *cl_decision_name(unsigned int type);
const char *cl_role_name(unsigned int role);

#endif
