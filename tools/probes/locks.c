// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit locks: throughput, per-acquisition cost and fairness of each
 * lock variant (lock_table.c) versus thread count, and the read-mostly
 * RCU-versus-rwlock comparison (rw_bench.c). Each point is the median of
 * repeated fixed-time runs; every run also checks mutual exclusion.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lock_bench.h"

struct locks_opts {
	int threads[CPU_SETSIZE], nthreads;
	int cpus[CPU_SETSIZE], ncpus;
	const char *names;
	uint64_t cs, outside, ms, write_us;
	int starved;		/* measured runs with no operation at all */
	struct common_opts c;
};

static bool wanted(const struct locks_opts *o, const char *name)
{
	char buf[256], *save = NULL;

	if (!o->names)
		return true;
	snprintf(buf, sizeof(buf), "%s", o->names);
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		if (!strcmp(t, name))
			return true;
	return false;
}

static void check_names(const char *names)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", names);
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		if (!lock_find(t) && strcmp(t, "rcu") && strcmp(t, "rwlock"))
			die("locks: unknown lock '%s' (smpkit locks --help lists them)",
			    t);
}

static void run_locks(struct locks_opts *o, struct out *out)
{
	struct table *t = out_table(out, "locks",
		"Lock throughput versus threads (medians of runs)",
		"lock:s,threads:0,mops:3,ns_per_op:1,thread_ns:1,spread:3,min_share:2,max_share:2");
	int reps = o->c.reps;
	double *v = calloc(reps, sizeof(*v)), *mn = calloc(reps, sizeof(*v));
	double *mx = calloc(reps, sizeof(*v));

	if (!v || !mn || !mx)
		die("out of memory");
	for (int li = 0; li < lock_nvariants; li++) {
		const struct lock_ops *ops = &lock_variants[li];

		if (!wanted(o, ops->name))
			continue;
		for (int ti = 0; ti < o->nthreads; ti++) {
			int n = o->threads[ti];
			struct lock_result r;
			struct stats st, smin, smax;

			for (int k = 0; k < reps; k++) {
				lock_bench(ops, n, o->cpus, o->ncpus, o->cs,
					   o->outside, o->ms, false, &r);
				if (r.counter != r.total_ops)
					die("locks: %s lost updates: counter %llu, acquisitions %llu",
					    ops->name,
					    (unsigned long long)r.counter,
					    (unsigned long long)r.total_ops);
				v[k] = r.total_ops * 1e3 / r.elapsed_ns;
				o->starved += !r.total_ops;
				mn[k] = r.min_share;
				mx[k] = r.max_share;
			}
			stats_compute(v, reps, &st);
			stats_compute(mn, reps, &smin);
			stats_compute(mx, reps, &smax);
			tbl_row(t, ops->name, (double)n, st.median,
				1e3 / st.median, n * 1e3 / st.median,
				stats_spread(&st), smin.median, smax.median);
		}
	}
	free(v);
	free(mn);
	free(mx);
}

static void run_rw(struct locks_opts *o, struct out *out)
{
	static const char *const kinds[] = { "rcu", "rwlock" };
	struct table *t = out_table(out, "rw",
		"Read-mostly: urcu-memb readers versus pthread_rwlock readers",
		"kind:s,readers:0,mreads:3,ns_per_read:1,spread:3,min_share:2,max_share:2,writes_per_s:0");
	int reps = o->c.reps;
	double *v = calloc(reps, sizeof(*v)), *mn = calloc(reps, sizeof(*v));
	double *mx = calloc(reps, sizeof(*v)), *w = calloc(reps, sizeof(*v));

	if (!v || !mn || !mx || !w)
		die("out of memory");
	for (int kind = 0; kind < 2; kind++) {
		if (!wanted(o, kinds[kind]))
			continue;
		for (int ti = 0; ti < o->nthreads; ti++) {
			int n = o->threads[ti];
			struct rw_result r;
			struct stats st, smin, smax, sw;

			/*
			 * The checker runs on its own, before the measured
			 * runs, so its field compares are not in the numbers.
			 */
			rw_bench(kind, n, o->cpus, o->ncpus, o->write_us,
				 o->ms, true, &r);
			if (r.torn)
				die("locks: %s readers saw %llu torn records",
				    kinds[kind], (unsigned long long)r.torn);
			for (int k = 0; k < reps; k++) {
				rw_bench(kind, n, o->cpus, o->ncpus,
					 o->write_us, o->ms, false, &r);
				v[k] = r.reads * 1e3 / r.elapsed_ns;
				o->starved += !r.reads;
				mn[k] = r.min_share;
				mx[k] = r.max_share;
				w[k] = r.writes * 1e9 / r.elapsed_ns;
			}
			stats_compute(v, reps, &st);
			stats_compute(mn, reps, &smin);
			stats_compute(mx, reps, &smax);
			stats_compute(w, reps, &sw);
			tbl_row(t, kinds[kind], (double)n, st.median,
				n * 1e3 / st.median, stats_spread(&st),
				smin.median, smax.median, sw.median);
		}
	}
	free(v);
	free(mn);
	free(mx);
	free(w);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: smpkit locks [-t, --threads LIST] [-c, --cpus LIST] [--lock NAMES]\n"
		"                    [--cs N] [--outside N] [--duration MS] [--write-us N] [options]\n"
		"Each thread (pinned, checked) loops: lock, N updates of a shared line,\n"
		"unlock, private work. A point is the median over --reps runs of\n"
		"--duration ms. mops = acquisitions per microsecond over all threads;\n"
		"ns_per_op = wall time per acquisition; thread_ns = each thread's time\n"
		"per loop (at 1 thread: the uncontended cost, work included);\n"
		"min_share/max_share = slowest and fastest thread's ops over a fair\n"
		"share (1.00 = fair; 0 = starved). Every run checks the shared counter\n"
		"against the acquisitions and fails if the lock lost an update.\n"
		"  -t, --threads LIST  thread counts, e.g. 1-4 or 1,2,4 (default 1..CPUs)\n"
		"  -c, --cpus LIST CPUs to pin to, round robin (default: all allowed)\n"
		"  --lock NAMES    comma list of: tas ttas ticket mcs mutex spin rcu rwlock\n"
		"  --cs N          shared-line updates inside the lock (default 4)\n"
		"  --outside N     private loop iterations between acquisitions (default 100)\n"
		"  -d, --duration MS  length of one run (default 200; --quick 20)\n"
		"  --write-us N    rcu/rwlock: the writer updates every N us (default 1000)\n"
		COMMON_HELP);
}

int cmd_locks(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "threads", required_argument, NULL, 't' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "lock", required_argument, NULL, 'l' },
		{ "cs", required_argument, NULL, 's' },
		{ "outside", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "write-us", required_argument, NULL, 'w' },
		COMMON_LONGOPTS,
		{ 0 }
	};
	static struct locks_opts o;
	int opt, maxt = 0;
	struct out out;
	cpu_set_t ts;
	char err[128];

	memset(&o, 0, sizeof(o));
	o.cs = 4;
	o.outside = 100;
	while ((opt = getopt_long(argc, argv, "ht:c:d:" COMMON_SHORTOPTS, lo,
				  NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case 't':
			if (parse_cpulist(optarg, &ts, err, sizeof(err)))
				die("locks: bad --threads '%s': %s", optarg, err);
			if (CPU_ISSET(0, &ts))
				die("locks: --threads cannot include 0");
			for (int i = 1; i < CPU_SETSIZE; i++)
				if (CPU_ISSET(i, &ts))
					o.threads[o.nthreads++] = i;
			break;
		case 'c':
			o.ncpus = parse_cpus_arg(optarg, o.cpus, CPU_SETSIZE);
			break;
		case 'l':
			check_names(optarg);
			o.names = optarg;
			break;
		case 's':
		case 'o':
			if (!parse_u64(optarg, 0, 1000000,
				       opt == 's' ? &o.cs : &o.outside))
				die("locks: --%s wants 0 to 1000000, not '%s'",
				    opt == 's' ? "cs" : "outside", optarg);
			break;
		case 'd':
			if (!parse_u64(optarg, 1, 60000, &o.ms))
				die("locks: --duration wants 1 to 60000 ms, not '%s'",
				    optarg);
			break;
		case 'w':
			if (!parse_u64(optarg, 1, 10000000, &o.write_us))
				die("locks: --write-us wants 1 to 10000000, not '%s'",
				    optarg);
			break;
		default:
			if (!common_opt(&o.c, opt, optarg))
				die("locks: bad option (smpkit locks --help)");
		}
	}
	if (optind < argc)
		die("locks: unexpected argument '%s'", argv[optind]);
	if (!o.ncpus)
		o.ncpus = allowed_cpus(o.cpus, CPU_SETSIZE);
	if (!o.nthreads)
		for (int i = 1; i <= o.ncpus && i <= 64; i++)
			o.threads[o.nthreads++] = i;
	maxt = o.threads[o.nthreads - 1];
	if (!o.ms)
		o.ms = o.c.quick ? 20 : 200;
	if (!o.write_us)
		o.write_us = 1000;
	if (!o.c.reps)
		o.c.reps = o.c.quick ? 3 : 5;

	out_init(&out, "locks", o.c.fmt);
	noise_begin();
	run_locks(&o, &out);
	run_rw(&o, &out);
	noise_end(&out.noise);
	out.have_noise = true;
	out_note(&out, "cs %llu shared updates, outside %llu private iterations, %d runs of %llu ms per point",
		 (unsigned long long)o.cs, (unsigned long long)o.outside,
		 o.c.reps, (unsigned long long)o.ms);
	if (o.starved)
		out_note(&out, "%d runs made no operation at all: the threads got no CPU for a whole %llu ms run (busy host); rows with mops near 0 say nothing of the lock -- raise --duration",
			 o.starved, (unsigned long long)o.ms);
	if (maxt > o.ncpus)
		out_note(&out, "%d threads on %d CPUs: spinning waiters burn the slices of preempted holders (ticket/MCS convoys); read those rows as oversubscription",
			 maxt, o.ncpus);
	if (out.m.tcg)
		out_note(&out, "QEMU TCG: atomics are emulated; relative order only");
	out_print(&out);
	if (o.c.plot && out.tables[0]->nrows)
		plot_groups(o.c.plot, out.tables[0], 0, 1, 2, "M acquisitions/s");
	out_free(&out);
	return 0;
}
