// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm under abuse: guests that tvmm did not write. Each generated image
 * has a valid header and, at its entry point, a random program built from
 * the instructions that reach tvmm's exit handlers with values the guest
 * chose: loads of random or boundary values into the registers, ucalls
 * pointing at random structures, strings that never end or point nowhere,
 * port I/O (single and string) on tvmm's ports and others, MMIO on the
 * device page, outside it and past the end of memory, MSR reads and
 * writes, CPUID, control register writes, HLT with interrupts off. Each
 * must end with a verdict (done, guest failure with a reason, or the
 * watchdog), never a crash or a hang of tvmm. Then mutated headers of the
 * real image, and VMs created and destroyed in a loop with the process's
 * file descriptors and address space checked.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ktap.h>
#include <rng.h>

#include "../../tools/tvmm/tvmm.h"
#include "cases.h"

#define IMG_SIZE	0x3000
#define CODE_OFF	0x100
#define CODE_END	0x1000
#define BLOB_OFF	0x1000		/* random data, ucall blocks, strings */
#define BLOB_GPA	(TVMM_LOAD_GPA + BLOB_OFF)
#define UCALL_BLOCKS	16
#define TIMEOUT_S	1
/*
 * The churn's real guest must finish, not meet the watchdog: its demo
 * waits out six LAPIC timer ticks, which a loaded TCG host stretched
 * past 1 s once (rc 3 in one round of ten).
 */
#define CHURN_TIMEOUT_S	30

bool tvmm_abuse_verbose;

struct gen {
	uint8_t *p, *end;
	struct rng *r;
};

static void emit(struct gen *g, const void *b, size_t n)
{
	if (g->p + n <= g->end) {
		memcpy(g->p, b, n);
		g->p += n;
	}
}

static void emit1(struct gen *g, uint8_t b)
{
	emit(g, &b, 1);
}

/* Values the exit handlers are most likely to get wrong. */
static uint64_t interesting(struct rng *r)
{
	static const uint64_t fixed[] = {
		0, 1, 0xff, 0xffff, 0xffffffffull, ~0ull, 1ull << 63,
		(1ull << 63) - 1, TVMM_LOAD_GPA, TVMM_MMIO_GPA,
		TVMM_UNMAPPED_GPA, TVMM_BOOTINFO_GPA, TVMM_PML4_GPA,
		64ull << 20, (64ull << 20) - 1, 1ull << 30, 0xffff800000000000ull,
	};

	switch (rng_below(r, 4)) {
	case 0:
		return fixed[rng_below(r, sizeof(fixed) / sizeof(fixed[0]))];
	case 1:
		return BLOB_GPA + rng_below(r, IMG_SIZE - BLOB_OFF + 64);
	case 2:
		return rng_below(r, 64ull << 20);
	default:
		return rng_next(r);
	}
}

/* mov $imm64, reg (never %rsp: the program should live a little). */
static void mov_imm(struct gen *g, unsigned int reg, uint64_t v)
{
	emit1(g, reg < 8 ? 0x48 : 0x49);
	emit1(g, 0xb8 + (reg & 7));
	emit(g, &v, 8);
}

static unsigned int any_reg(struct rng *r)
{
	unsigned int reg = rng_below(r, 15);

	return reg >= 4 ? reg + 1 : reg;	/* skip %rsp */
}

static void mov_dx(struct gen *g, uint16_t port)
{
	emit1(g, 0x66);
	emit1(g, 0xba);
	emit(g, &port, 2);
}

static uint16_t any_port(struct rng *r)
{
	static const uint16_t ports[] = {
		TVMM_PORT_UCALL, TVMM_PORT_CONSOLE, TVMM_PORT_FWD,
		TVMM_PORT_IRET, 0x80, 0x3f8, 0xcf8, 0xffff,
	};

	return rng_pct(r, 75) ? ports[rng_below(r, sizeof(ports) / 2)] :
				(uint16_t)rng_next(r);
}

static uint64_t any_mmio(struct rng *r)
{
	switch (rng_below(r, 4)) {
	case 0:
		return TVMM_MMIO_GPA + rng_below(r, TVMM_MMIO_SIZE);
	case 1:
		return TVMM_MMIO_GPA + 8 * rng_below(r, 4);
	case 2:
		return TVMM_UNMAPPED_GPA + rng_below(r, 1 << 20);
	default:
		return interesting(r);
	}
}

static void one_insn(struct gen *g)
{
	static const uint32_t msrs[] = {
		TVMM_MSR_DEVICE, 0xc0000080, 0xc0000082, 0x10, 0x1b, 0x174,
	};
	struct rng *r = g->r;
	uint64_t a;

	switch (rng_below(r, 13)) {
	case 0:
	case 1:
		mov_imm(g, any_reg(r), interesting(r));
		break;
	case 2:		/* ucall on a prepared block or anywhere */
		a = rng_pct(r, 70) ? BLOB_GPA + 64 * rng_below(r, UCALL_BLOCKS) :
				     interesting(r);
		mov_imm(g, 0, a);
		emit(g, "\xe7\xe8", 2);			/* out %eax, $0xe8 */
		break;
	case 3:		/* tvmm's other ports, with whatever is in %al */
		emit1(g, 0xe6);
		emit1(g, (uint8_t[]){ TVMM_PORT_CONSOLE, TVMM_PORT_FWD,
				      TVMM_PORT_IRET }[rng_below(r, 3)]);
		break;
	case 4:		/* port I/O through %dx, in and out, 1 or 4 bytes */
		mov_dx(g, any_port(r));
		emit1(g, (uint8_t[]){ 0xee, 0xef, 0xec, 0xed }[rng_below(r, 4)]);
		break;
	case 5:		/* rep outsb / rep insb: count, buffer, port */
		mov_imm(g, 1, rng_pct(r, 80) ? rng_below(r, 300) : interesting(r));
		mov_imm(g, rng_pct(r, 50) ? 6 : 7, interesting(r));
		mov_dx(g, any_port(r));
		emit(g, rng_pct(r, 50) ? "\xf3\x6e" : "\xf3\x6c", 2);
		break;
	case 6:		/* MMIO write of %rax: mov %rax, moffs64 */
		emit(g, "\x48\xa3", 2);
		a = any_mmio(r);
		emit(g, &a, 8);
		break;
	case 7:		/* MMIO read into %rax */
		emit(g, "\x48\xa1", 2);
		a = any_mmio(r);
		emit(g, &a, 8);
		break;
	case 8:		/* rdmsr / wrmsr */
		mov_imm(g, 1, rng_pct(r, 80) ? msrs[rng_below(r, 6)] :
					       (uint32_t)rng_next(r));
		emit(g, rng_pct(r, 50) ? "\x0f\x32" : "\x0f\x30", 2);
		break;
	case 9:		/* cpuid */
		mov_imm(g, 0, rng_pct(r, 50) ? rng_below(r, 0x20) :
					       0x80000000u + rng_below(r, 0x20));
		emit(g, "\x0f\xa2", 2);
		break;
	case 10:	/* mov %rax, %cr0/%cr3/%cr4/%cr8: rarely survivable */
		if (rng_pct(r, 30)) {
			unsigned int cr = (uint8_t[]){ 0, 3, 4, 8 }[rng_below(r, 4)];

			if (cr == 8)
				emit1(g, 0x44);		/* REX.R */
			emit(g, "\x0f\x22", 2);
			emit1(g, 0xc0 | (cr & 7) << 3);
		}
		break;
	case 11:	/* hlt with interrupts off: only the watchdog ends it */
		if (rng_pct(r, 10))
			emit1(g, 0xf4);
		break;
	default:
		emit(g, "\xf3\x90", 2);			/* pause */
	}
}

/* Ucall blocks with random commands and pointers, strings, noise. */
static void fill_blob(uint8_t *blob, size_t len, struct rng *r)
{
	for (size_t i = 0; i < len; i++)
		blob[i] = rng_pct(r, 30) ? 0 : (uint8_t)rng_next(r);
	for (int i = 0; i < UCALL_BLOCKS; i++) {
		struct tvmm_ucall u = {
			.cmd = rng_pct(r, 85) ? rng_below(r, UCALL_NR + 1) :
						rng_next(r),
			.line = interesting(r),
			.file = interesting(r),
			.msg = rng_pct(r, 50) ? BLOB_GPA + 0x400 + rng_below(r, 0x100) :
						interesting(r),
		};

		for (int k = 0; k < 4; k++)
			u.args[k] = interesting(r);
		memcpy(blob + 64 * i, &u, sizeof(u));
	}
	/* A string that runs to the end of the image without a NUL. */
	memset(blob + len - 0x100, 'A', 0x100);
}

static void generate(uint8_t *img, struct rng *r)
{
	struct tvmm_image_header *h = (void *)img;
	struct gen g = { img + CODE_OFF, img + CODE_END - 2, r };
	unsigned int n = 4 + rng_below(r, 28);

	memset(img, 0, IMG_SIZE);
	memcpy(h->magic, TVMM_IMAGE_MAGIC, sizeof(h->magic));
	h->load = TVMM_LOAD_GPA;
	h->entry = TVMM_LOAD_GPA + CODE_OFF;
	h->end = TVMM_LOAD_GPA + IMG_SIZE;
	h->bss_end = h->end + rng_below(r, 1 << 20);
	while (n--)
		one_insn(&g);
	g.end = img + CODE_END;
	emit(&g, "\x0f\x0b", 2);	/* ud2: no IDT yet, so a shutdown */
	fill_blob(img + BLOB_OFF, IMG_SIZE - BLOB_OFF, r);
}

static const char *img_path(void)
{
	static char path[64];

	snprintf(path, sizeof(path), "/tmp/tvmm-abuse-%d.img", (int)getpid());
	return path;
}

static bool write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fwrite(data, 1, len, f) == len;
	return !fclose(f) && ok;
}

/* tvmm's messages of the last run, as KTAP diagnostics. */
static void echo_since(FILE *errf, off_t from)
{
	char line[256];
	FILE *f;

	fflush(errf);
	f = fdopen(dup(fileno(errf)), "r");
	if (!f)
		return;
	fseeko(f, from, SEEK_SET);
	while (fgets(line, sizeof(line), f))
		printf("#   %s%s", line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

/*
 * Runs @path (NULL: the embedded guest), scenario demo, under a
 * @timeout_s watchdog, with tvmm's diagnostics sent to @errf; fills @why
 * with anything wrong about the outcome. Returns rc.
 */
static int run_image(const char *path, unsigned int vms, unsigned int timeout_s,
		     FILE *errf, char *why, size_t len)
{
	struct tvmm_vm *v[TVMM_MAX_VMS];
	struct tvmm_config cfg;
	struct tvmm_host h = { .kvm_fd = -1 };
	unsigned int n = 0;
	int saved = dup(2), rc;
	bool reason = false;
	time_t t0 = time(NULL);
	off_t said;

	tvmm_config_default(&cfg);
	cfg.quiet = true;
	cfg.image = path;
	cfg.vms = vms;
	cfg.scenario = "demo";
	cfg.iters = 1;
	cfg.timeout_s = timeout_s;
	fflush(stderr);
	said = lseek(fileno(errf), 0, SEEK_END);
	dup2(fileno(errf), 2);
	rc = tvmm_run(&cfg, v, &n, &h);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int c = 0; c < v[i]->nr_vcpus; c++)
			reason |= v[i]->vcpus[c].error[0] != '\0';
	for (unsigned int i = 0; i < n; i++)
		tvmm_vm_destroy(v[i]);
	tvmm_host_close(&h);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (tvmm_abuse_verbose)
		echo_since(errf, said);

	why[0] = '\0';
	if (rc != TVMM_EXIT_OK && rc != TVMM_EXIT_GUEST &&
	    rc != TVMM_EXIT_TIMEOUT && rc != TVMM_EXIT_USAGE)
		snprintf(why, len, "rc %d", rc);
	else if (rc == TVMM_EXIT_GUEST && !reason)
		snprintf(why, len, "guest failure without a reason");
	else if (rc == TVMM_EXIT_USAGE &&
		 (n || lseek(fileno(errf), 0, SEEK_END) <= said))
		snprintf(why, len, "refused %s", n ? "after creating a VM" :
			 "without a message");
	else if (time(NULL) - t0 > timeout_s + 20)
		snprintf(why, len, "took %ld s with a %u s watchdog",
			 (long)(time(NULL) - t0), timeout_s);
	return rc;
}

/* Open descriptors, less the one reading the directory; -1 if unreadable. */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = -1;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* VmSize in KiB from /proc/self/status, 0 if unreadable. */
static long vm_size_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void generated_guests(const char *l, uint64_t seed, long cases, FILE *errf)
{
	static uint8_t img[IMG_SIZE];
	int tally[5] = { 0 }, bad = 0;
	char why[128];
	struct rng r;

	for (long i = 0; i < cases; i++) {
		int rc;

		rng_seed(&r, seed, 1000 + i);
		generate(img, &r);
		if (!write_file(img_path(), img, sizeof(img))) {
			ktap_diag("%s: cannot write %s", l, img_path());
			bad++;
			break;
		}
		rc = run_image(img_path(), 1, TIMEOUT_S, errf, why, sizeof(why));
		tally[rc >= 0 && rc < 5 ? rc : 4]++;
		if (why[0] && bad++ < 5)
			ktap_diag("%s: generated guest %ld (seed %#llx): %s", l, i,
				  (unsigned long long)seed, why);
	}
	ktap_ok(!bad, "%s: %ld generated guests each ended with a verdict (done %d, guest failure %d, watchdog %d)",
		l, cases, tally[TVMM_EXIT_OK], tally[TVMM_EXIT_GUEST],
		tally[TVMM_EXIT_TIMEOUT]);
}

static void mutated_headers(const char *l, uint64_t seed, long cases, FILE *errf)
{
	size_t len = tvmm_guest_image_end - tvmm_guest_image;
	uint8_t *img = calloc(1, len + 4096);	/* the padding is written too */
	int refused = 0, ran = 0, bad = 0;
	char why[128];
	struct rng r;

	for (long i = 0; img && i < cases; i++) {
		uint64_t *field;
		size_t size = len;
		int rc;

		rng_seed(&r, seed, 2000 + i);
		memcpy(img, tvmm_guest_image, len);
		field = (uint64_t *)(img + 8 * rng_below(&r, 5));
		if (field == (uint64_t *)img)
			img[rng_below(&r, 8)] ^= 1u << rng_below(&r, 8);
		else
			*field = rng_pct(&r, 50) ? interesting(&r) :
						   *field + rng_below(&r, 8192) - 4096;
		if (rng_pct(&r, 20))
			size = rng_below(&r, len + 4096);
		if (!write_file(img_path(), img, size)) {
			bad++;
			break;
		}
		rc = run_image(img_path(), 1, TIMEOUT_S, errf, why, sizeof(why));
		rc == TVMM_EXIT_USAGE ? refused++ : ran++;
		if (why[0] && bad++ < 5)
			ktap_diag("%s: mutated header %ld (seed %#llx): %s", l, i,
				  (unsigned long long)seed, why);
	}
	free(img);
	ktap_ok(img && !bad, "%s: %ld mutated image headers refused with a message (%d) or run to a verdict (%d)",
		l, cases, refused, ran);
}

static void churn(const char *l, long rounds, int fds0, FILE *errf)
{
	long vm0 = 0, vm1;
	int fds1, bad = 0;
	char why[128];

	for (long i = 0; i < rounds; i++) {
		int rc = run_image(NULL, 2, CHURN_TIMEOUT_S, errf, why,
				   sizeof(why));

		if (rc != TVMM_EXIT_OK && bad++ < 3)
			ktap_diag("%s: churn round %ld: rc %d %s", l, i, rc, why);
		/* The first rounds size glibc's per-thread arenas. */
		if (i == 1)
			vm0 = vm_size_kb();
	}
	vm1 = vm_size_kb();
	fds1 = count_fds();
	ktap_ok(!bad && fds0 >= 0 && fds1 == fds0,
		"%s: %ld rounds of 2 VMs created, run and destroyed: all done, fds %d before and %d after",
		l, rounds, fds0, fds1);
	/* One leaked guest would be 64 MiB of address space per VM. */
	ktap_ok(vm1 - vm0 < 128 * 1024,
		"%s: address space after the churn grew by %ld KiB (< 128 MiB)",
		l, vm1 - vm0);
}

bool tvmm_abuse_cases(const char *label, uint64_t seed, long cases, long rounds)
{
	struct tvmm_host h;
	char err[256];
	FILE *errf;
	int pin, fds0;

	if (tvmm_host_open(&h, err, sizeof(err))) {
		for (int i = 0; i < TVMM_ABUSE_CASES; i++)
			ktap_skip("%s: %s", label, err);
		return false;
	}
	pin = tvmm_pin_kvm(&h);
	errf = tmpfile();
	fds0 = count_fds();
	if (!errf) {
		for (int i = 0; i < TVMM_ABUSE_CASES; i++)
			ktap_ok(false, "%s: tmpfile: %m", label);
	} else {
		generated_guests(label, seed, cases, errf);
		mutated_headers(label, seed, cases / 2, errf);
		churn(label, rounds, fds0, errf);
		fclose(errf);
	}
	unlink(img_path());
	tvmm_unpin_kvm(pin);
	tvmm_host_close(&h);
	return true;
}
