// SPDX-License-Identifier: GPL-2.0
/*
 * Results as tables: each probe fills named tables of numbers and strings,
 * and this file prints them as aligned text (with the machine header and
 * the noise verdict), CSV (one '# table' section each) or one JSON object
 * whose keys are the table names. Probes never printf their results.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes.h"

void out_init(struct out *o, const char *probe, enum out_fmt fmt)
{
	memset(o, 0, sizeof(*o));
	o->probe = probe;
	o->fmt = fmt;
	machine_probe(&o->m);
}

/* @spec: "name:prec,..." where prec is digits after the point, or s. */
struct table *out_table(struct out *o, const char *name, const char *title,
			const char *spec)
{
	struct table *t = calloc(1, sizeof(*t));
	char *dup = strdup(spec), *save = NULL, *tok;

	if (!t || !dup || o->ntables >= 16)
		die("out of memory for table %s", name);
	t->name = name;
	t->title = title;
	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');

		if (t->ncols >= TBL_MAX_COLS)
			die("table %s: too many columns", name);
		t->prec[t->ncols] = 0;
		if (colon) {
			*colon = 0;
			t->prec[t->ncols] = colon[1] == 's' ? -1 : atoi(colon + 1);
		}
		t->cols[t->ncols++] = strdup(tok);
	}
	free(dup);
	o->tables[o->ntables++] = t;
	return t;
}

/* Numbers must be passed as double, strings as const char *. */
void tbl_row(struct table *t, ...)
{
	va_list ap;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cells = realloc(t->cells,
				   sizeof(*t->cells) * t->cap * t->ncols);
		if (!t->cells)
			die("out of memory");
	}
	va_start(ap, t);
	for (int c = 0; c < t->ncols; c++) {
		struct cell *cl = &t->cells[t->nrows * t->ncols + c];

		cl->s = NULL;
		cl->v = 0;
		if (t->prec[c] < 0)
			cl->s = strdup(va_arg(ap, const char *));
		else
			cl->v = va_arg(ap, double);
	}
	va_end(ap);
	t->nrows++;
}

void out_note(struct out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (o->nnotes >= 32)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		o->notes[o->nnotes++] = s;
}

static void fmt_cell(const struct table *t, int r, int c, char *buf,
		     size_t len)
{
	const struct cell *cl = &t->cells[r * t->ncols + c];

	if (t->prec[c] < 0)
		snprintf(buf, len, "%s", cl->s);
	else if (isnan(cl->v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", t->prec[c], cl->v);
}

/*
 * Inside a VM, /proc/stat shows only this guest: other guests and the
 * host's own load on the same cores appear at most as steal time.
 */
static const char *noise_scope(const struct machine *m)
{
	return m->in_vm ?
		"this VM only: load outside the VM is invisible here, except as steal time" :
		"this machine";
}

static void print_header(const struct out *o, const char *pfx)
{
	const struct machine *m = &o->m;

	printf("%ssmpkit %s %s on %s: %s, %s\n", pfx, SMPKIT_VERSION,
	       o->probe, m->host, m->model, m->date);
	printf("%skernel %s; %d CPUs, %d cores, SMT %d; %d NUMA node%s; ",
	       pfx, m->kernel, m->cpus, m->cores, m->smt, m->nodes,
	       m->nodes == 1 ? "" : "s");
	if (m->llc_bytes)
		printf("LLC %llu KiB (%s)\n",
		       (unsigned long long)(m->llc_bytes >> 10), m->llc_source);
	else
		printf("LLC unknown (no cache information)\n");
	if (m->tcg)
		printf("%sVM under QEMU TCG (emulated CPU: times are not hardware's)",
		       pfx);
	else if (m->in_vm)
		printf("%sVM under %s (CPUID hypervisor bit)", pfx,
		       m->hypervisor);
	else
		printf("%sbare metal (no CPUID hypervisor bit)", pfx);
	printf("; clock %s; clocksource %s\n", clock_name(), m->clocksource);
	if (o->have_noise)
		printf("%snoise: other processes %.1f%%, steal %.1f%% of CPU time over %.1f s%s\n",
		       pfx, o->noise.other_pct, o->noise.steal_pct,
		       o->noise.secs,
		       o->noise.busy ? " -- BUSY MACHINE, results suspect" : "");
	if (o->have_noise && m->in_vm)
		printf("%snoise: %s\n", pfx, noise_scope(m));
}

static void print_table(const struct table *t)
{
	int w[TBL_MAX_COLS];
	char buf[128];

	for (int c = 0; c < t->ncols; c++) {
		w[c] = strlen(t->cols[c]);
		for (int r = 0; r < t->nrows; r++) {
			fmt_cell(t, r, c, buf, sizeof(buf));
			if ((int)strlen(buf) > w[c])
				w[c] = strlen(buf);
		}
	}
	printf("\n%s\n", t->title);
	for (int c = 0; c < t->ncols; c++)
		printf("%s%*s", c ? "  " : "", w[c], t->cols[c]);
	printf("\n");
	for (int r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			fmt_cell(t, r, c, buf, sizeof(buf));
			printf("%s%*s", c ? "  " : "", w[c], buf);
		}
		printf("\n");
	}
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void json_num(double v, int prec)
{
	if (isnan(v) || isinf(v))
		printf("null");
	else
		printf("%.*f", prec ? prec + 1 : 0, v);
}

static void print_json(const struct out *o)
{
	const struct machine *m = &o->m;

	printf("{\n  \"probe\": ");
	json_str(o->probe);
	printf(",\n  \"machine\": {\"version\": ");
	json_str(SMPKIT_VERSION);
	printf(", \"date\": ");
	json_str(m->date);
	printf(", \"host\": ");
	json_str(m->host);
	printf(", \"kernel\": ");
	json_str(m->kernel);
	printf(", \"cpu_model\": ");
	json_str(m->model);
	printf(", \"cpus\": %d, \"cores\": %d, \"smt\": %d, \"nodes\": %d, \"llc_bytes\": %llu, ",
	       m->cpus, m->cores, m->smt, m->nodes,
	       (unsigned long long)m->llc_bytes);
	printf("\"llc_source\": ");
	json_str(m->llc_source);
	printf(", \"vm\": %s, \"tcg\": %s, \"hypervisor\": ",
	       m->in_vm ? "true" : "false", m->tcg ? "true" : "false");
	json_str(m->hypervisor);
	printf(", \"clock\": ");
	json_str(clock_name());
	printf(", \"clocksource\": ");
	json_str(m->clocksource);
	printf("},\n");
	if (o->have_noise) {
		printf("  \"noise\": {\"other_pct\": %.2f, \"steal_pct\": %.2f, \"secs\": %.2f, \"busy\": %s, \"scope\": ",
		       o->noise.other_pct, o->noise.steal_pct, o->noise.secs,
		       o->noise.busy ? "true" : "false");
		json_str(noise_scope(m));
		printf("},\n");
	}
	printf("  \"notes\": [");
	for (int i = 0; i < o->nnotes; i++) {
		printf("%s", i ? ", " : "");
		json_str(o->notes[i]);
	}
	printf("]");
	for (int i = 0; i < o->ntables; i++) {
		const struct table *t = o->tables[i];

		printf(",\n  ");
		json_str(t->name);
		printf(": [");
		for (int r = 0; r < t->nrows; r++) {
			printf("%s\n    {", r ? "," : "");
			for (int c = 0; c < t->ncols; c++) {
				const struct cell *cl = &t->cells[r * t->ncols + c];

				printf("%s", c ? ", " : "");
				json_str(t->cols[c]);
				printf(": ");
				if (t->prec[c] < 0)
					json_str(cl->s);
				else
					json_num(cl->v, t->prec[c]);
			}
			printf("}");
		}
		printf("%s]", t->nrows ? "\n  " : "");
	}
	printf("\n}\n");
}

static void print_csv(const struct out *o)
{
	char buf[128];

	print_header(o, "# ");
	for (int i = 0; i < o->nnotes; i++)
		printf("# note: %s\n", o->notes[i]);
	for (int i = 0; i < o->ntables; i++) {
		const struct table *t = o->tables[i];

		printf("# table: %s\n", t->name);
		for (int c = 0; c < t->ncols; c++)
			printf("%s%s", c ? "," : "", t->cols[c]);
		printf("\n");
		for (int r = 0; r < t->nrows; r++) {
			for (int c = 0; c < t->ncols; c++) {
				fmt_cell(t, r, c, buf, sizeof(buf));
				printf("%s%s", c ? "," : "", buf);
			}
			printf("\n");
		}
	}
}

void out_print(struct out *o)
{
	switch (o->fmt) {
	case OUT_JSON:
		print_json(o);
		break;
	case OUT_CSV:
		print_csv(o);
		break;
	case OUT_TABLE:
		print_header(o, "# ");
		for (int i = 0; i < o->ntables; i++)
			print_table(o->tables[i]);
		if (o->nnotes)
			printf("\n");
		for (int i = 0; i < o->nnotes; i++)
			printf("note: %s\n", o->notes[i]);
		break;
	}
	fflush(stdout);
}

void out_free(struct out *o)
{
	for (int i = 0; i < o->ntables; i++) {
		struct table *t = o->tables[i];

		for (int r = 0; r < t->nrows; r++)
			for (int c = 0; c < t->ncols; c++)
				free(t->cells[r * t->ncols + c].s);
		for (int c = 0; c < t->ncols; c++)
			free((char *)t->cols[c]);
		free(t->cells);
		free(t);
	}
	for (int i = 0; i < o->nnotes; i++)
		free(o->notes[i]);
	o->ntables = o->nnotes = 0;
}
