/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared declarations of the smpkit probes: the harness (pinning, clock,
 * batch statistics, noise guard), machine metadata, NUMA placement with
 * verification, the output tables and plots. Each probe is one file with
 * one entry point listed in main.c.
 */
#ifndef SMPKIT_PROBES_H
#define SMPKIT_PROBES_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <smpkit/util.h>

#define CACHELINE 64
/* Printed by --version and in every result's machine header. */
#define SMPKIT_VERSION "0.3"

/* ---- harness.c: pinning, clock, statistics, noise guard */

/* Pin the caller to @cpu and check with sched_getcpu(); dies on mismatch. */
void pin_self(int cpu);
/* Like pin_self() but returns -1 (errno set) instead of dying. */
int try_pin_self(int cpu);
/* The CPUs this process may run on, in order; returns the count. */
int allowed_cpus(int *cpus, int max);
/* Check that every CPU of @set is online and allowed; dies naming one. */
void check_cpuset(const cpu_set_t *set);

/* Calibrated TSC when it is invariant, else CLOCK_MONOTONIC_RAW. */
void clock_init(void);
uint64_t clock_ticks(void);
double ticks_to_ns(uint64_t ticks);
const char *clock_name(void);
uint64_t mono_ns(void);

struct stats {
	double median, min, p10, p90, max;
	int n;
};
/* Sort @v (n values) in place and fill @st. */
void stats_compute(double *v, int n, struct stats *st);
/* (p90 - p10) / median, the spread we print beside every median. */
double stats_spread(const struct stats *st);

/*
 * Noise guard: CPU time used by everything but us, and steal time, over
 * a probe's run, from /proc/stat and getrusage().
 */
struct noise {
	double other_pct;	/* of all online CPUs' time */
	double steal_pct;
	double secs;
	bool busy;		/* beyond the thresholds below */
};
#define NOISE_OTHER_PCT 10.0
#define NOISE_STEAL_PCT 5.0
void noise_begin(void);
void noise_end(struct noise *n);

/* ---- team.c: N pinned threads, one start barrier, a timed run */
struct team;
struct team_member {
	_Alignas(CACHELINE) struct team *team;
	const atomic_int *stop;	/* the team's stop flag, for team_stopping() */
	int idx, cpu;
	void *arg;		/* the caller's, shared by all members */
	uint64_t ops;		/* the body's count of completed operations */
	uint64_t aux;		/* a second per-thread counter for the body */
};
/*
 * The body loops until this says so. Inline: it is read once per
 * operation, and a call there is overhead in every measured loop.
 * Relaxed: a body that runs a few operations past the stop is harmless.
 */
static inline bool team_stopping(const struct team_member *m)
{
	return atomic_load_explicit(m->stop, memory_order_relaxed);
}
/*
 * Run @body on @n threads, thread i pinned (and checked) on
 * cpus[i % ncpus], released together, stopped after @ms milliseconds.
 * Returns the ns from release to stop; per-thread results in @members.
 */
uint64_t team_run(int n, const int *cpus, int ncpus, unsigned int ms,
		  void (*body)(struct team_member *m), void *arg,
		  struct team_member *members);

/* ---- machine.c: the metadata header */
struct machine {
	char host[64], kernel[128], model[128], hypervisor[32];
	char clocksource[32];
	char date[32];		/* when the probe ran, UTC */
	bool in_vm, tcg;
	int cpus, cores, smt, nodes;
	uint64_t llc_bytes;	/* 0 when no source knows (caches.c) */
	const char *llc_source;
};
void machine_probe(struct machine *m);
/* CPUID leaf 1 ECX[31] and the vendor string at leaf 0x40000000. */
bool cpuid_hypervisor(char *vendor, size_t len);
/* The online CPUs of NUMA node @node, in order; returns the count. */
int node_cpus(int node, int *cpus, int max);

/* ---- numa_place.c: placement with verification */
int nodes_count(void);
/* Dies with a clear message when @node does not exist. */
void check_node(int node);
/*
 * mmap @len bytes, bind them to @node (or leave them local when node < 0),
 * optionally ask for transparent huge pages, touch them from the caller's
 * CPU, then verify with move_pages(). Dies on a misplaced page.
 */
void *place_alloc(size_t len, int node, bool huge);
void place_free(void *p, size_t len);
/* Fraction of sampled pages of [p, p+len) on @node, via move_pages(). */
double place_check(const void *p, size_t len, int node);

/* ---- thp.c: were the huge pages asked for granted? */
/* Bytes in THP of the smaps mappings (text @f) that overlap [lo, hi). */
uint64_t smaps_huge_bytes(FILE *f, uintptr_t lo, uintptr_t hi);
/* Share of [p, p+len) in transparent huge pages now; -1 if unknown. */
double place_huge_fraction(const void *p, size_t len);
/* The THP mode in force: "always", "madvise", "never" or "unknown". */
void thp_mode(char *buf, size_t len);

/* ---- output.c: tables as aligned text, CSV or JSON */
enum out_fmt { OUT_TABLE, OUT_CSV, OUT_JSON };

#define TBL_MAX_COLS 12
struct table {
	const char *name;		/* JSON key, CSV section */
	const char *title;
	int ncols;
	const char *cols[TBL_MAX_COLS];
	int prec[TBL_MAX_COLS];		/* <0: the cell is a string */
	int nrows, cap;
	struct cell {
		double v;
		char *s;
	} *cells;
};

struct out {
	enum out_fmt fmt;
	const char *probe;
	int ntables;
	struct table *tables[16];
	int nnotes;
	char *notes[32];
	struct machine m;
	struct noise noise;
	bool have_noise;
};

void out_init(struct out *o, const char *probe, enum out_fmt fmt);
struct table *out_table(struct out *o, const char *name, const char *title,
			const char *cols_spec);
/* One row; "%" in the spec marks columns, see output.c. */
void tbl_row(struct table *t, ...);
__attribute__((format(printf, 2, 3)))
void out_note(struct out *o, const char *fmt, ...);
void out_print(struct out *o);
void out_free(struct out *o);

/* ---- plot*.c: gnuplot pictures */
struct caches;
/* Log-log latency (@yc, ns) against set size (@xc, KiB), caches marked. */
int plot_latency(const char *file, const struct table *t, int xc, int yc,
		 const struct caches *cs);
/*
 * Heatmap of a long-form table: columns @rc (rows), @cc (columns), @vc;
 * values printed in the cells, colours anchored at 0, row 0 on top.
 */
int plot_heatmap(const char *file, const struct table *t, int rc, int cc,
		 int vc, const char *label);
/* Lines grouped by a string column (e.g. one line per lock). */
int plot_groups(const char *file, const struct table *t, int gc, int xc,
		int yc, const char *ylabel);

/* ---- common option handling of every probe */
struct common_opts {
	enum out_fmt fmt;
	const char *plot;
	int reps;
	bool quick;
};
/*
 * Handle --csv/--json/--plot/--reps/--quick; returns true when @opt was
 * one of them. @arg is its argument (optarg). The short forms (-j, -r,
 * -q) are the option values, so COMMON_SHORTOPTS goes into every
 * probe's getopt string.
 */
bool common_opt(struct common_opts *c, int opt, const char *arg);
#define COMMON_LONGOPTS \
	{ "csv", no_argument, NULL, 'C' }, \
	{ "json", no_argument, NULL, 'j' }, \
	{ "plot", required_argument, NULL, 'P' }, \
	{ "reps", required_argument, NULL, 'r' }, \
	{ "quick", no_argument, NULL, 'q' }
#define COMMON_SHORTOPTS "jr:q"
#define COMMON_HELP \
	"  --csv | -j, --json machine-readable output (default: aligned table)\n" \
	"  --plot FILE        also draw FILE.png or FILE.svg with gnuplot\n" \
	"                     (its messages go to stderr, never stdout)\n" \
	"  -r, --reps N       timed repetitions (batches or runs) per value;\n" \
	"                     the value is their median, the spread beside it\n" \
	"  -q, --quick        fewer, shorter repetitions (tests, report)\n"

/* ---- memlat.c, used by matrix.c too */
/* Notes on the share of a @bytes buffer in huge pages (@frac < 0: unknown). */
struct out;
void pages_note(struct out *o, bool asked, double frac, uint64_t bytes);
/*
 * Median ns per dependent load over @reps batches on a chase over the
 * first @bytes of @buf (already placed and touched). A batch is at least
 * @min_loads loads and lasts at least @min_batch_ns; returns the loads
 * per batch it used.
 */
#define CHASE_BATCH_NS 1000000		/* 1 ms; --quick: half */
#define CHASE_WARM_NS 50000000		/* 50 ms of chasing before point 1 */
/* Chase through the first @bytes of @buf for @ns: clocks up, TLB warm. */
void chase_warm_cpu(void *buf, size_t bytes, size_t stride, uint64_t ns);
uint64_t chase_latency(void *buf, size_t bytes, size_t stride, int reps,
		       uint64_t min_loads, uint64_t min_batch_ns,
		       struct stats *st);

/*
 * ---- bw.c: GB/s of @n threads (on cpus[0..n-1]) reading or copying
 * their slices of @buf for @ms milliseconds.
 */
double bw_measure(void *buf, size_t len, const int *cpus, int n, bool copy,
		  unsigned int ms);

/* Probe entry points */
int cmd_topo(int argc, char **argv);
int cmd_memlat(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_c2c(int argc, char **argv);
int cmd_locks(int argc, char **argv);
int cmd_queues(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Parse a --cpus style list into an array of CPUs; dies on bad input. */
int parse_cpus_arg(const char *s, int *cpus, int max);

#endif
