// SPDX-License-Identifier: GPL-2.0
/*
 * The project smpkit-cbuild builds, made up from one fixed seed: every
 * function is a list of statements (struct op) that is both printed as C
 * and evaluated here, so the generator knows what the linked program
 * must print without a compiler of its own. The code is freestanding
 * (no libc headers, its own _start), so tcc needs nothing but itself in
 * the guest. Statements are plain integer code of the kinds a compiler
 * parses all day: arithmetic, branches, loops, a switch, table reads,
 * and calls across files through the shared header.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <smpkit/util.h>

#include "cbuild.h"

enum op_kind {
	OP_MULADD, OP_XORSHIFT, OP_SELECT, OP_BRANCH, OP_LOOP, OP_SWITCH,
	OP_TABLE, OP_CALL, NR_OPS
};

struct op {
	uint8_t kind, dst, src;		/* dst != src: a loop reads src */
	uint64_t k;
	unsigned int callee;		/* OP_CALL: a function defined earlier */
};

struct fn {
	unsigned int file;
	uint64_t k0, k1;		/* the locals' start values */
	struct op *op;
};

struct gen {
	const struct cbuild_shape *s;
	struct fn *fn;			/* files * funcs, in definition order */
	uint64_t (*table)[16];		/* one per file */
	uint64_t rng;
	FILE *f;
	const char *path;
	unsigned long lines;
};

static const char var[] = "abc";

/* splitmix64: the same project every run, on every machine. */
static uint64_t rnd(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

__attribute__((format(printf, 2, 3)))
static void out(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	const char *p;

	for (p = fmt; *p; p++)
		g->lines += *p == '\n';
	va_start(ap, fmt);
	vfprintf(g->f, fmt, ap);
	va_end(ap);
}

static void open_out(struct gen *g, const char *dir, const char *name)
{
	static char path[4096];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		die("cbuild: the folder name '%s' is too long", dir);
	g->path = path;
	g->f = fopen(path, "w");
	if (!g->f)
		die_errno("cbuild: cannot create %s", path);
}

static void close_out(struct gen *g)
{
	if (ferror(g->f) | fclose(g->f)) {
		errno = errno ? errno : EIO;
		die_errno("cbuild: cannot write %s", g->path);
	}
}

static void fn_name(const struct gen *g, unsigned int i, char *buf, size_t len)
{
	snprintf(buf, len, "p%03u_%u", i / g->s->funcs, i % g->s->funcs);
}

static void describe(struct gen *g)
{
	unsigned int nfn = g->s->files * g->s->funcs, i, j;

	g->fn = calloc(nfn, sizeof(*g->fn));
	g->table = calloc(g->s->files, sizeof(*g->table));
	if (!g->fn || !g->table)
		die("cbuild: out of memory");
	for (i = 0; i < g->s->files; i++)
		for (j = 0; j < 16; j++)
			g->table[i][j] = rnd(g);
	for (i = 0; i < nfn; i++) {
		struct fn *f = &g->fn[i];
		bool called = false;

		f->file = i / g->s->funcs;
		f->k0 = rnd(g);
		f->k1 = rnd(g);
		f->op = calloc(g->s->ops, sizeof(*f->op));
		if (!f->op)
			die("cbuild: out of memory");
		for (j = 0; j < g->s->ops; j++) {
			struct op *o = &f->op[j];

			o->kind = rnd(g) % NR_OPS;
			o->dst = rnd(g) % 3;
			o->src = (o->dst + 1 + rnd(g) % 2) % 3;
			o->k = rnd(g);
			/*
			 * One call per function, to one defined before it: the
			 * program's run (and the evaluation here) stays linear
			 * in the number of functions.
			 */
			if (o->kind == OP_CALL) {
				if (!i || called) {
					o->kind = OP_MULADD;
				} else {
					o->callee = rnd(g) % i;
					called = true;
				}
			}
		}
	}
}

/* What the C that emit_fn() prints computes; unsigned long is 64 bits. */
static uint64_t eval(const struct gen *g, unsigned int i, uint64_t x)
{
	const struct fn *f = &g->fn[i];
	uint64_t v[3] = { x, x ^ f->k0, f->k1 }, s, n;
	unsigned int j;

	for (j = 0; j < g->s->ops; j++) {
		const struct op *o = &f->op[j];
		uint64_t *d = &v[o->dst];

		s = v[o->src];
		switch (o->kind) {
		case OP_MULADD:
			*d = *d * (o->k | 1) + s;
			break;
		case OP_XORSHIFT:
			*d ^= s >> (1 + o->k % 63);
			break;
		case OP_SELECT:
			*d += (s & o->k) ? s : o->k >> 17;
			break;
		case OP_BRANCH:
			if (s & 1)
				*d += o->k;
			else
				*d -= s;
			break;
		case OP_LOOP:
			for (n = 0; n < 2 + o->k % 8; n++)
				*d = *d * 31 + (s >> (n & 7));
			break;
		case OP_SWITCH:
			switch (s & 3) {
			case 0:
				*d += o->k;
				break;
			case 1:
				*d ^= o->k >> 3;
				break;
			case 2:
				*d = *d << 7 | *d >> 57;
				break;
			default:
				*d -= o->k >> 11;
			}
			break;
		case OP_TABLE:
			*d += g->table[f->file][s & 15];
			break;
		case OP_CALL:
			*d += eval(g, o->callee, s);
			break;
		}
	}
	return v[0] ^ v[1] ^ v[2];
}

static void emit_op(struct gen *g, const struct op *o)
{
	char d = var[o->dst], s = var[o->src], callee[32];

	switch (o->kind) {
	case OP_MULADD:
		out(g, "\t%c = %c * 0x%" PRIx64 "UL + %c;\n", d, d, o->k | 1, s);
		break;
	case OP_XORSHIFT:
		out(g, "\t%c ^= %c >> %u;\n", d, s, (unsigned int)(1 + o->k % 63));
		break;
	case OP_SELECT:
		out(g, "\t%c += (%c & 0x%" PRIx64 "UL) ? %c : 0x%" PRIx64 "UL;\n",
		    d, s, o->k, s, o->k >> 17);
		break;
	case OP_BRANCH:
		out(g, "\tif (%c & 1)\n\t\t%c += 0x%" PRIx64 "UL;\n\telse\n\t\t%c -= %c;\n",
		    s, d, o->k, d, s);
		break;
	case OP_LOOP:
		out(g, "\tfor (i = 0; i < %u; i++)\n\t\t%c = %c * 31 + (%c >> (i & 7));\n",
		    (unsigned int)(2 + o->k % 8), d, d, s);
		break;
	case OP_SWITCH:
		out(g, "\tswitch (%c & 3) {\n\tcase 0:\n\t\t%c += 0x%" PRIx64 "UL;\n\t\tbreak;\n",
		    s, d, o->k);
		out(g, "\tcase 1:\n\t\t%c ^= 0x%" PRIx64 "UL;\n\t\tbreak;\n", d, o->k >> 3);
		out(g, "\tcase 2:\n\t\t%c = %c << 7 | %c >> 57;\n\t\tbreak;\n", d, d, d);
		out(g, "\tdefault:\n\t\t%c -= 0x%" PRIx64 "UL;\n\t}\n", d, o->k >> 11);
		break;
	case OP_TABLE:
		out(g, "\t%c += t[%c & 15];\n", d, s);
		break;
	case OP_CALL:
		fn_name(g, o->callee, callee, sizeof(callee));
		out(g, "\t%c += %s(%c);\n", d, callee, s);
		break;
	}
}

static void emit_file(struct gen *g, const char *dir, unsigned int file)
{
	unsigned int i, j, first = file * g->s->funcs;
	char name[32];

	snprintf(name, sizeof(name), "p%03u.c", file);
	open_out(g, dir, name);
	out(g, "/* Generated by smpkit-cbuild. */\n#include \"proj.h\"\n\n");
	out(g, "static const word t[16] = {\n");
	for (j = 0; j < 16; j++)
		out(g, "\t0x%" PRIx64 "UL,\n", g->table[file][j]);
	out(g, "};\n");
	for (i = first; i < first + g->s->funcs; i++) {
		fn_name(g, i, name, sizeof(name));
		out(g, "\nword %s(word x)\n{\n", name);
		out(g, "\tword a = x, b = x ^ 0x%" PRIx64 "UL, c = 0x%" PRIx64 "UL;\n",
		    g->fn[i].k0, g->fn[i].k1);
		out(g, "\tint i;\n\n");
		for (j = 0; j < g->s->ops; j++)
			emit_op(g, &g->fn[i].op[j]);
		out(g, "\treturn a ^ b ^ c;\n}\n");
	}
	close_out(g);
}

static void emit_header(struct gen *g, const char *dir)
{
	unsigned int i;
	char name[32];

	open_out(g, dir, "proj.h");
	out(g, "/* Generated by smpkit-cbuild. */\n#ifndef PROJ_H\n#define PROJ_H\n\n");
	out(g, "typedef unsigned long word;\n\n");
	for (i = 0; i < g->s->files * g->s->funcs; i++) {
		fn_name(g, i, name, sizeof(name));
		out(g, "word %s(word x);\n", name);
	}
	out(g, "\n#endif\n");
	close_out(g);
}

/*
 * main.c calls every function in turn and prints the result with the
 * write and exit system calls: no libc, so no crt files in the guest.
 */
static uint64_t emit_main(struct gen *g, const char *dir)
{
	uint64_t v = rnd(g);
	unsigned int i;
	char name[32];

	open_out(g, dir, "main.c");
	out(g, "/* Generated by smpkit-cbuild. */\n#include \"proj.h\"\n\n");
	out(g, "static long sys3(long n, long a, long b, long c)\n{\n\tlong r;\n\n");
	out(g, "\t__asm__ volatile (\"syscall\" : \"=a\"(r) : \"a\"(n), \"D\"(a), \"S\"(b),\n");
	out(g, "\t\t\t  \"d\"(c) : \"rcx\", \"r11\", \"memory\");\n\treturn r;\n}\n\n");
	out(g, "void _start(void)\n{\n\tstatic const char hex[] = \"0123456789abcdef\";\n");
	out(g, "\tchar line[17];\n\tword v = 0x%" PRIx64 "UL;\n\tint i;\n\n", v);
	for (i = 0; i < g->s->files * g->s->funcs; i++) {
		fn_name(g, i, name, sizeof(name));
		out(g, "\tv = %s(v + %uUL);\n", name, i);
		v = eval(g, i, v + i);
	}
	out(g, "\tfor (i = 15; i >= 0; i--) {\n\t\tline[i] = hex[v & 15];\n\t\tv >>= 4;\n\t}\n");
	out(g, "\tline[16] = '\\n';\n\tsys3(1, 1, (long)line, 17);\n\tsys3(60, 0, 0, 0);\n}\n");
	close_out(g);
	return v;
}

static void emit_makefile(struct gen *g, const char *dir)
{
	unsigned int i;

	open_out(g, dir, "Makefile");
	out(g, "# Generated by smpkit-cbuild: make CC=<compiler>.\n");
	out(g, "CFLAGS = -nostdinc\nOBJS =");
	for (i = 0; i < g->s->files; i++)
		out(g, "%sp%03u.o", i % 8 ? " " : " \\\n\t", i);
	out(g, " \\\n\tmain.o\n\nprog: $(OBJS)\n\t$(CC) -nostdlib -static -o $@ $(OBJS)\n\n");
	out(g, "%%.o: %%.c proj.h\n\t$(CC) $(CFLAGS) -c -o $@ $<\n");
	close_out(g);
}

uint64_t cbuild_generate(const char *dir, const struct cbuild_shape *s,
			 unsigned long *lines)
{
	struct gen g = { .s = s, .rng = 0x736d706b6974ull };
	uint64_t want;
	unsigned int i;

	describe(&g);
	emit_header(&g, dir);
	for (i = 0; i < s->files; i++)
		emit_file(&g, dir, i);
	want = emit_main(&g, dir);
	*lines = g.lines;
	emit_makefile(&g, dir);
	for (i = 0; i < s->files * s->funcs; i++)
		free(g.fn[i].op);
	free(g.fn);
	free(g.table);
	return want;
}
