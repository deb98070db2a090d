/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one benchmark harness of smpkit: clocks (calibrated TSC), fixed
 * amounts of CPU work, thread teams (pinning, wsched membership, start
 * barrier), perf software counters, repetitions with the stock scheduler
 * and wsched alternating, and the machine-readable output the report
 * reads. A workload file defines only what differs: see Documentation/
 * bench.rst for the output format and the method.
 */
#ifndef SMPKIT_BENCH_H
#define SMPKIT_BENCH_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <libwsched.h>

/* Which way a metric improves; INFO: context, not a score. */
enum bench_better { LOWER, HIGHER, INFO };

/* --- clock.c: wall clock at the edges, TSC in hot paths. */
void bench_clock_init(void);		/* calibrates the TSC and the work unit */
uint64_t bench_now_ns(void);		/* CLOCK_MONOTONIC (a syscall in TCG) */
uint64_t bench_tsc(void);
double bench_tsc_to_ns(uint64_t ticks);
void bench_sleep_ms(unsigned int ms);
/*
 * A fixed amount of CPU work, not time: a thread kept off the CPU does
 * not finish early. One unit is about one microsecond on an idle CPU at
 * calibration time.
 */
void bench_work(uint64_t units);
uint64_t bench_work_unit_loops(void);

/* --- stats.c */
void bench_sort(double *v, int n);
double bench_pct(const double *sorted, int n, double p);	/* p in 0..100 */
double bench_jain(const double *x, int n);
struct bench_ctx;
/*
 * Sorts @ns, records <name>_p50/_p99/_p999 in microseconds and, in the
 * repetition that plots, prints the CDF as curve @name of picture "cdf".
 */
void bench_record_latency(struct bench_ctx *c, const char *name, double *ns,
			  int n);

/* --- sched.c: the schedulers compared. */
struct bench_variant {
	const char *name;	/* "cfs" (the stock baseline), "wsched", ... */
	bool wsched;
	int steal, balance, place;	/* -1: libwsched's default */
	unsigned int slice_us;		/* 0: default */
	unsigned int balance_gap;	/* 0: the module's default */
	bool wake_place;		/* wsched.ko's wake_place on (an A/B) */
};

extern const struct bench_variant bench_cfs, bench_wsched;
/* "CFS" or "EEVDF", from the running kernel's version. */
const char *bench_baseline_name(void);
/* A group for @v on @cpus (descriptor), or -1 for the baseline. Dies on error. */
int bench_group(const struct bench_variant *v, const cpu_set_t *cpus);
void bench_join(int fd);		/* the calling thread; no-op for -1 */
void bench_cpus(const char *list, cpu_set_t *set);
void bench_pin(int cpu);		/* the calling thread to one CPU */
void bench_set_mask(const cpu_set_t *set);

/* Group totals, to difference over a window (zero for the baseline). */
struct bench_wtotals {
	double gated_ms, runtime_ms;
	uint64_t steals, balance_moves, migrations, preemptions, blocks;
	bool released;		/* the watchdog gave the group back */
};
void bench_wtotals(int fd, struct bench_wtotals *t);

/* --- counters.c: perf_event_open software counters of a task. */
struct bench_counters {
	int fd[2];		/* context switches, migrations */
};
/* @inherit: also threads/processes @tid creates after this call. */
void bench_counters_open(struct bench_counters *c, pid_t tid, bool inherit);
void bench_counters_read(const struct bench_counters *c, uint64_t *csw,
			 uint64_t *mig);
void bench_counters_close(struct bench_counters *c);
/* Keep the counters' kernel switches on for the whole run (see counters.c). */
void bench_counters_hold(void);

/* --- team.c: a team of worker threads measured by the main thread. */
struct bench_team;

struct bench_thread {
	struct bench_team *team;
	pthread_t th;
	pid_t tid;
	int idx;
	int start_cpu;		/* pinned here before joining; -1: none */
	clockid_t clk;		/* its CPU-time clock, read by the main thread */
	struct bench_counters ctr;
	_Atomic uint64_t ops;	/* work done, bumped by the thread */
};

struct bench_snap {
	uint64_t cpu_ns, ops, csw, mig;
	uint64_t runq_ns;	/* runnable in the kernel's run queue, not running */
};

struct bench_team {
	int n;
	struct bench_thread *t;
	void (*fn)(struct bench_thread *t);
	cpu_set_t cpus;		/* the CPUs the team may use (the group's) */
	int fd;			/* wsched group, -1 under the baseline */
	atomic_int stop;
	pthread_barrier_t ready;
};

/*
 * Start @n threads running @fn on @cpus, each first pinned to
 * start_cpus[i] (when given) so that wsched's place=current and the
 * baseline start from the same layout; returns after all have joined.
 */
void team_start(struct bench_team *tm, const struct bench_variant *v,
		const char *cpus, int n, void (*fn)(struct bench_thread *),
		const int *start_cpus);
void team_snap(struct bench_team *tm, struct bench_snap *s);
void team_stop(struct bench_team *tm);

/* --- window.c: the measurement window of a running team. */
struct bench_window {
	double wall_s;
	struct bench_snap *s0, *s1;	/* per thread, at the window's edges */
	struct bench_wtotals w0, w1;
};

/* A CPU-bound worker: bench_work() chunks of 100 units, counted in ops. */
void bench_spinner(struct bench_thread *t);
/*
 * Warm up, then measure for @window_ms. With @labels, the repetition
 * that plots prints each thread's CPU share every @sample_ms as the
 * curve labels[i] of the picture "share-<variant>".
 */
void bench_window_run(struct bench_ctx *c, struct bench_team *tm,
		      unsigned int warm_ms, unsigned int window_ms,
		      unsigned int sample_ms, const char *const *labels,
		      struct bench_window *win);
/* Fills share[] (CPU time / wall) and returns the total ops per second. */
double bench_window_shares(const struct bench_team *tm,
			   const struct bench_window *win, double *share);
/* Throughput, Jain's index, min share, counters and wsched totals. */
void bench_window_record(struct bench_ctx *c, const struct bench_team *tm,
			 const struct bench_window *win,
			 enum bench_better mig_better);
void bench_window_free(struct bench_window *win);

/* --- run.c: workloads, repetitions, results. */

struct bench_workload {
	const char *name;	/* the id in results and file names */
	const char *title;	/* the report's heading */
	const char *what;	/* one paragraph: what runs, what to look at */
	const struct bench_variant *const *variants;	/* NULL-terminated */
	/* Runs one repetition of one variant; < 0 skips (with a message). */
	int (*run)(struct bench_ctx *c);
};

struct bench_ctx {
	const struct bench_workload *w;
	const struct bench_variant *v;
	int rep, reps;
	bool is_long;
	bool plot;		/* the repetition whose series are printed */
	int ncpus;
};

/* Scale a duration by the mode (LONG runs longer windows). */
unsigned int bench_ms(const struct bench_ctx *c, unsigned int quick_ms);
void bench_record(struct bench_ctx *c, const char *metric, const char *unit,
		  enum bench_better better, double value);
/* A point of a picture: @plot names the PNG, @line a curve in it. */
void bench_series(struct bench_ctx *c, const char *plot, const char *line,
		  double x, double y);
/* The same in every repetition, for pictures of points (runs). */
void bench_point(struct bench_ctx *c, const char *plot, const char *line,
		 double x, double y);
/*
 * Context switches, migrations, time spent waiting in the kernel's run
 * queue, and wsched's totals (gated time, steals, balance moves) of a
 * window. The run-queue wait is what wsched's gated time cannot see.
 */
void bench_team_totals(const struct bench_snap *s0, const struct bench_snap *s1,
		       int n, struct bench_snap *sum);
void bench_record_sched(struct bench_ctx *c, uint64_t csw, uint64_t mig,
			uint64_t runq_ns, enum bench_better mig_better,
			const struct bench_wtotals *w0,
			const struct bench_wtotals *w1);
void bench_note(struct bench_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* --- watchdog.c: end the suite, with a state dump, if a run hangs. */
void bench_watchdog_start(unsigned int seconds);
void bench_watchdog_pet(void);		/* a run starts or ends */

extern bool bench_baseline_only;	/* skip the wsched variants */
/* Of the programs workload's programs, only these (comma-separated). */
extern const char *bench_programs;
void bench_programs_check(const char *list);	/* dies on an unknown name */
/* Whether comma-separated @list names @name; a NULL list names all. */
bool bench_wanted(const char *list, const char *name);
void bench_meta(int reps, bool is_long);	/* the @meta header */
int bench_run_all(const struct bench_workload *const *w, int reps,
		  bool is_long);

static inline bool team_stopping(const struct bench_thread *t)
{
	return atomic_load_explicit(&t->team->stop, memory_order_relaxed);
}

extern const struct bench_workload wl_imbalance, wl_affinity, wl_balance,
	wl_cache, wl_forkjoin, wl_wakeup, wl_handoff, wl_programs;

#endif /* SMPKIT_BENCH_H */
