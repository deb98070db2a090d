// SPDX-License-Identifier: GPL-2.0
/*
 * The cases behind cases.h. Each runs the embedded guest with a
 * scenario and checks what tvmm counted against what the guest reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ktap.h>

#include "../../tools/tvmm/tvmm.h"
#include "cases.h"

struct run {
	struct tvmm_config cfg;
	struct tvmm_vm *vms[TVMM_MAX_VMS];
	struct tvmm_host h;
	unsigned int n;
	int rc;
};

static void start(struct run *r, const char *scenario, uint64_t iters)
{
	memset(r, 0, sizeof(*r));
	tvmm_config_default(&r->cfg);
	r->cfg.quiet = true;
	r->cfg.scenario = scenario;
	r->cfg.iters = iters;
	r->cfg.timeout_s = 60;
	r->h.kvm_fd = -1;
}

static int go(struct run *r)
{
	r->rc = tvmm_run(&r->cfg, r->vms, &r->n, &r->h);
	return r->rc;
}

static void finish(struct run *r)
{
	for (unsigned int i = 0; i < r->n; i++)
		tvmm_vm_destroy(r->vms[i]);
	tvmm_host_close(&r->h);
	r->n = 0;
}

static struct tvmm_vcpu *cpu0(struct run *r)
{
	return &r->vms[0]->vcpus[0];
}

/* Whether @v's VM got the in-kernel irqchip (the default where KVM has one). */
static bool irqchip(const struct tvmm_vcpu *v)
{
	return v->vm->features & TVMM_F_IRQCHIP;
}

static int64_t rep(struct run *r, const char *key)
{
	const struct tvmm_report *p = r->n ? tvmm_report(cpu0(r), key) : NULL;

	return p ? (int64_t)p->val : -999999;
}

static const char *write_image(const void *data, size_t len, off_t size)
{
	static char path[] = "/tmp/tvmm-test-XXXXXX";
	int fd;

	strcpy(path, "/tmp/tvmm-test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, data, len) != (ssize_t)len || ftruncate(fd, size)) {
		close(fd);
		return NULL;
	}
	close(fd);
	return path;
}

static int bad_image(const void *data, size_t len, off_t size)
{
	const char *p = write_image(data, len, size);
	struct run r;

	if (!p)
		return -1;
	start(&r, "demo", 1);
	r.cfg.image = p;
	go(&r);
	finish(&r);
	unlink(p);
	return r.rc;
}

/*
 * A character device node whose major no driver registered (60 is one
 * of the majors devices.txt keeps for local use, never handed out
 * dynamically): open() fails with ENXIO, and tvmm must say that a
 * driver is missing, not that /dev/kvm is absent or a permission.
 */
static void driverless_node_case(void)
{
	char dir[] = "/tmp/tvmm-node-XXXXXX", node[64], err[256];
	struct tvmm_host h;
	bool ok;

	if (!mkdtemp(dir)) {
		ktap_skip("a node without a driver: no temporary directory (%s)",
			  strerror(errno));
		return;
	}
	snprintf(node, sizeof(node), "%s/kvm", dir);
	if (mknod(node, S_IFCHR | 0600, makedev(60, 0))) {
		ktap_skip("a node without a driver: cannot mknod here (%s)",
			  strerror(errno));
		rmdir(dir);
		return;
	}
	setenv("TVMM_KVM_DEVICE", node, 1);
	ok = tvmm_host_open(&h, err, sizeof(err)) < 0 &&
	     strstr(err, "no driver");
	unsetenv("TVMM_KVM_DEVICE");
	unlink(node);
	rmdir(dir);
	ktap_ok(ok, "a device node without a driver is diagnosed as such (%s)",
		err);
}

void tvmm_bad_input_cases(void)
{
	size_t len = tvmm_guest_image_end - tvmm_guest_image;
	struct tvmm_image_header *h;
	uint8_t *img = malloc(len);
	char junk[256];
	struct run r;

	memset(junk, 0x5a, sizeof(junk));
	ktap_ok(bad_image(junk, sizeof(junk), sizeof(junk)) == TVMM_EXIT_USAGE,
		"malformed image (no magic) is refused");
	ktap_ok(bad_image(junk, 4, 4) == TVMM_EXIT_USAGE,
		"image smaller than its header is refused");
	memcpy(img, tvmm_guest_image, len);
	ktap_ok(bad_image(img, len, TVMM_IMAGE_MAX + 4096) == TVMM_EXIT_USAGE,
		"oversized image is refused");
	h = (struct tvmm_image_header *)img;
	h->entry = 0x3fffffff;
	ktap_ok(bad_image(img, len, len) == TVMM_EXIT_USAGE,
		"entry point outside the image and memory is refused");
	free(img);

	start(&r, "demo", 1);
	r.cfg.mem = 2ull << 30;
	ktap_ok(go(&r) == TVMM_EXIT_USAGE && !r.n, "--mem 2G is refused");
	finish(&r);

	setenv("TVMM_KVM_DEVICE", "/nonexistent/kvm", 1);
	start(&r, "demo", 1);
	ktap_ok(go(&r) == TVMM_EXIT_UNSUPPORTED && !r.n,
		"a missing /dev/kvm is reported as unsupported, no VM made");
	finish(&r);
	unsetenv("TVMM_KVM_DEVICE");
	driverless_node_case();
}

/*
 * KVM's own counts against tvmm's: KVM sees every exit, tvmm only those
 * that reach user space (less the KVM_RUNs a kick ended before entry).
 * HLT reaches tvmm only without the irqchip; with it KVM keeps them all.
 */
static void kvm_stats_case(const char *l, struct tvmm_vcpu *v)
{
	const struct tvmm_stats *st = &v->st;
	int64_t ex, io, hlt;
	uint64_t pio = 0;

	ex = tvmm_kstats_get(&v->ks, v->ks_before, v->ks_after, "exits");
	io = tvmm_kstats_get(&v->ks, v->ks_before, v->ks_after, "io_exits");
	hlt = tvmm_kstats_get(&v->ks, v->ks_before, v->ks_after, "halt_exits");
	if (ex < 0) {
		ktap_skip("%s: KVM's binary statistics: this host has none", l);
		return;
	}
	for (int k = EX_PIO_CONSOLE; k <= EX_PIO_NULL; k++)
		pio += st->kind[k];
	ktap_ok(ex >= (int64_t)(st->exits - st->kind[EX_INTR]) &&
		io >= (int64_t)pio &&
		(irqchip(v) ? hlt > 0 && !st->kind[EX_HLT] :
			      hlt == (int64_t)st->kind[EX_HLT]),
		"%s: KVM's statistics: exits %lld >= tvmm's %llu, io_exits %lld >= its port I/O %llu, halt_exits %lld against tvmm's HLT %llu (%s)",
		l, (long long)ex, (unsigned long long)st->exits,
		(long long)io, (unsigned long long)pio, (long long)hlt,
		(unsigned long long)st->kind[EX_HLT],
		irqchip(v) ? "irqchip: none may reach tvmm" : "no irqchip: equal");
}

/*
 * demo: every exit kind once, the three syscall flows, the CPUID policy.
 * Each flow's user program makes 7 calls, the last one exit (which
 * never returns): fwd and pv take 2 exits a call but for exit's 1.
 */
static void demo_cases(const char *l, bool hw)
{
	struct tvmm_stats *st;
	struct run r;
	int flows_ok = 0;
	bool irq;

	start(&r, "demo", 1);
	go(&r);
	st = &cpu0(&r)->st;
	ktap_ok(r.rc == 0 && cpu0(&r)->state == VCPU_DONE,
		"%s: demo guest boots in long mode and finishes (rc %d)", l, r.rc);
	ktap_ok(rep(&r, "cpuid_tvmm_sig") == 1 &&
		st->kind[EX_MMIO_DEV] == (uint64_t)rep(&r, "mmio_accesses") &&
		(!(r.vms[0]->features & TVMM_F_MSR_EXIT) ||
		 st->kind[EX_MSR_READ] + st->kind[EX_MSR_WRITE] ==
		 (uint64_t)rep(&r, "msr_accesses")),
		"%s: CPUID policy seen by the guest; MMIO %llu and MSR exits match the guest's accesses",
		l, (unsigned long long)st->kind[EX_MMIO_DEV]);
	if (rep(&r, "pv_exit") == 0)
		flows_ok++;
	/* Returns are counted together for fwd and pv: see the fwd case. */
	ktap_ok(rep(&r, "pv_exit") == 0 && rep(&r, "pv_fwd") == 7 &&
		rep(&r, "pv_direct") == 0 && st->kind[EX_PIO_FWD] == 7 &&
		st->kind[EX_PIO_IRET] >= 6,
		"%s: para-virtual flow: all results right, one exit in and one out per call (%llu/%llu)",
		l, (unsigned long long)st->kind[EX_PIO_FWD],
		(unsigned long long)st->kind[EX_PIO_IRET]);
	if (!hw && rep(&r, "int80_ud") != -999999) {
		ktap_skip("%s: direct flow: this host raises #UD for int 0x80 from CPL3 (KVM PVM)", l);
		ktap_skip("%s: forwarded flow: int 0x80 from CPL3 is #UD here", l);
	} else {
		if (rep(&r, "direct_exit") == 0)
			flows_ok++;
		ktap_ok(rep(&r, "direct_exit") == 0 &&
			rep(&r, "direct_direct") == 7 && rep(&r, "direct_fwd") == 0,
			"%s: direct flow: all 7 syscalls right inside the guest", l);
		if (rep(&r, "fwd_exit") == 0)
			flows_ok++;
		ktap_ok(rep(&r, "fwd_exit") == 0 && rep(&r, "fwd_fwd") == 7 &&
			rep(&r, "fwd_direct") == 0 &&
			st->kind[EX_PIO_TRAP] == 7 &&
			st->kind[EX_PIO_IRET] + 2 ==
			st->kind[EX_PIO_TRAP] + st->kind[EX_PIO_FWD] &&
			(irqchip(cpu0(&r)) ? st->kind[EX_PIO_TRAP_INTR] >= 2 :
			 !st->kind[EX_PIO_TRAP_INTR]),
			"%s: forwarded flow: the same int 0x80 program, all 7 calls through tvmm's trap table (%llu trap exits, %llu returns for both flows; %llu timer interrupts of its nanosleep forwarded too)",
			l, (unsigned long long)st->kind[EX_PIO_TRAP],
			(unsigned long long)st->kind[EX_PIO_IRET],
			(unsigned long long)st->kind[EX_PIO_TRAP_INTR]);
	}
	/* With the irqchip the LAPIC timer ends each HLT inside KVM. */
	irq = r.n && irqchip(cpu0(&r));
	ktap_ok(r.n && irq == r.h.irqchip &&
		st->kind[EX_HLT] == (irq ? 0 : 2ull * flows_ok) &&
		st->kind[EX_PIO_CONSOLE] > 0,
		"%s: irqchip %s by default; nanosleep(2) per flow: %llu HLT exits reached tvmm",
		l, irq ? "on" : "off", (unsigned long long)st->kind[EX_HLT]);
	kvm_stats_case(l, cpu0(&r));
	finish(&r);
}

/*
 * What the forward path hands back to KVM beyond its two exits (regs.c
 * counts it): the fwd flow nothing at all (its stubs and its return
 * continue in guest code of tvmm's, the way a bare exit does); pv the
 * registers and segments once a call, on entry (the CPL switch the CPU
 * does itself in fwd); no register ioctl where KVM syncs registers in
 * kvm_run. Each call is 2 exits but the last one (exit: 1).
 */
static void hot_path_case(const char *l, bool hw, struct run *r, uint64_t n)
{
	const struct tvmm_sync *b[2], *e[2];
	const char *const ph[2] = { "fwd", "pv" };
	char bs[24], es[24];
	uint64_t d[2][3] = { { 0 } };
	bool ok = r->rc == 0 && r->n, sync = r->h.sync_regs;

	if (!hw && rep(r, "int80_ud") != -999999) {
		ktap_skip("%s: forward path's register work: int 0x80 from CPL3 is #UD here", l);
		return;
	}
	for (int p = 0; p < 2 && r->n; p++) {
		snprintf(bs, sizeof(bs), "%s-begin", ph[p]);
		snprintf(es, sizeof(es), "%s-end", ph[p]);
		b[p] = tvmm_sync(cpu0(r), bs);
		e[p] = tvmm_sync(cpu0(r), es);
		if (!b[p] || !e[p]) {
			ok = false;
			continue;
		}
		d[p][0] = e[p]->put_regs - b[p]->put_regs;
		d[p][1] = e[p]->put_sregs - b[p]->put_sregs;
		d[p][2] = e[p]->reg_ioctls - b[p]->reg_ioctls;
	}
	/* The paired loop (user.c) timed both kinds; times not judged. */
	ok = ok && d[0][0] == 0 && d[0][1] == 0 &&
	     d[1][0] == n + 1 && d[1][1] == n + 1 &&
	     (!sync || (d[0][2] == 0 && d[1][2] == 0)) &&
	     rep(r, "fwd_pair_call") > 0 && rep(r, "fwd_pair_exit") > 0 &&
	     rep(r, "pv_pair_call") > 0 && rep(r, "pv_pair_exit") > 0;
	ktap_ok(ok, "%s: forward path, %llu calls: fwd hands back %llu register sets and %llu segment sets, pv %llu and %llu; register ioctls %llu and %llu (KVM_CAP_SYNC_REGS %s); paired loop: fwd call %lld ns beside a %lld ns bare exit",
		l, (unsigned long long)n, (unsigned long long)d[0][0],
		(unsigned long long)d[0][1], (unsigned long long)d[1][0],
		(unsigned long long)d[1][1], (unsigned long long)d[0][2],
		(unsigned long long)d[1][2], sync ? "on" : "off",
		(long long)rep(r, "fwd_pair_call"),
		(long long)rep(r, "fwd_pair_exit"));
}

/* Exits per call of each flow, and a bare exit's, between the SYNCs. */
static void bench_case(const char *l, bool hw)
{
	static const char *const ph[] = { "exit", "direct", "fwd", "pv" };
	/* Exits between begin and end: calls, the exit call, the SYNC. */
	uint64_t n = 200, want[] = { n + 1, 1, 2 * n + 2, 2 * n + 2 };
	const struct tvmm_sync *b, *e;
	char bs[24], es[24], got[128] = "";
	bool ok;
	struct run r;

	start(&r, "bench", n);
	go(&r);
	ok = r.rc == 0;
	for (int p = 0; p < 4; p++) {
		if (p == 1 || p == 2) {
			if (!hw && rep(&r, "int80_ud") != -999999)
				continue;
		}
		snprintf(bs, sizeof(bs), "%s-begin", ph[p]);
		snprintf(es, sizeof(es), "%s-end", ph[p]);
		b = tvmm_sync(cpu0(&r), bs);
		e = tvmm_sync(cpu0(&r), es);
		ok = ok && b && e && e->exits - b->exits == want[p];
		snprintf(got + strlen(got), sizeof(got) - strlen(got), " %s %lld",
			 ph[p], b && e ? (long long)(e->exits - b->exits) : -1);
	}
	ktap_ok(ok, "%s: %llu calls a flow: bare exits 1 each, direct none, fwd and pv 2 each (+1 for exit, +1 the SYNC):%s",
		l, (unsigned long long)n, got);
	hot_path_case(l, hw, &r, n);
	finish(&r);
}

static void fault_cases(const char *l)
{
	struct run r;

	start(&r, "runaway", 1);
	r.cfg.timeout_s = 1;
	go(&r);
	ktap_ok(r.rc == TVMM_EXIT_TIMEOUT && cpu0(&r)->state == VCPU_TIMEOUT,
		"%s: --timeout 1 stops a runaway guest (rc %d)", l, r.rc);
	finish(&r);

	start(&r, "unmapped", 1);
	go(&r);
	ktap_ok(r.rc == TVMM_EXIT_GUEST && strstr(cpu0(&r)->error, "0xc0200000") &&
		strstr(cpu0(&r)->error, "RIP") &&
		cpu0(&r)->st.kind[EX_MMIO_UNMAPPED] == 1,
		"%s: access to unbacked memory names the GPA and RIP", l);
	finish(&r);

	start(&r, "triple-fault", 1);
	go(&r);
	ktap_ok(r.rc == TVMM_EXIT_GUEST && cpu0(&r)->st.kind[EX_SHUTDOWN] == 1,
		"%s: triple fault is a shutdown exit, reported", l);
	finish(&r);

	start(&r, "kernel-fault", 1);
	go(&r);
	ktap_ok(r.rc == TVMM_EXIT_GUEST && strstr(cpu0(&r)->error, "#PF") &&
		strstr(cpu0(&r)->error, "0x80000000"),
		"%s: guest kernel #PF reported with CR2", l);
	finish(&r);

	start(&r, "assert", 1);
	go(&r);
	ktap_ok(r.rc == TVMM_EXIT_GUEST && strstr(cpu0(&r)->error, "kernel.c:"),
		"%s: GUEST_ASSERT reaches tvmm with file and line", l);
	finish(&r);
}

static void memory_cases(const char *l)
{
	const struct tvmm_sync *s, *e;
	struct tvmm_vcpu *v;
	struct run r;
	bool ok;

	start(&r, "xlate", 1);
	go(&r);
	v = cpu0(&r);
	ok = r.rc == 0 && v->nr_xlates == 5 && v->xlates[0].mapped &&
	     v->xlates[0].gpa < r.vms[0]->mem_size &&
	     *(uint64_t *)(r.vms[0]->mem + v->xlates[0].gpa) == 0x74766d6d78616c74ull &&
	     v->xlates[1].mapped && v->xlates[1].gpa == v->xlates[1].gva &&
	     !v->xlates[4].mapped;
	ktap_ok(ok, "%s: xlate: user page -> GPA -> host memory holds the guest's pattern; kernel identity-mapped; unmapped stays unmapped", l);
	finish(&r);

	for (int hint = 1; hint >= 0; hint--) {
		uint64_t n = 512;

		start(&r, "zero", n);
		r.cfg.zero_hint = hint;
		go(&r);
		s = tvmm_sync(cpu0(&r), "zero-begin");
		e = tvmm_sync(cpu0(&r), "zero-end");
		ok = r.rc == 0 && s && e && rep(&r, "host_zeroed") >= (int64_t)n;
		if (hint)
			ok = ok && rep(&r, "guest_rezeroed") == 0 &&
			     e->resident_pages - s->resident_pages < n / 2;
		else
			ok = ok && rep(&r, "guest_rezeroed") == rep(&r, "host_zeroed") &&
			     e->resident_pages - s->resident_pages >= n;
		ktap_ok(ok, "%s: demand-zero hint %s: %lld pages re-zeroed, host pages touched %lld",
			l, hint ? "on" : "off", (long long)rep(&r, "guest_rezeroed"),
			s && e ? (long long)(e->resident_pages - s->resident_pages) : -1);
		finish(&r);
	}
}

/*
 * Traps on two vCPUs at once: vCPU 0's forwarded calls are held in the
 * OS handler until vCPU 1's direct ones come through. Each vCPU's calls
 * must be counted in its own flow and only forwarded ones may return
 * through tvmm (one in_forward flag per VM sent vCPU 1's there).
 */
static void smp_fwd_case(const char *l, bool hw)
{
	struct tvmm_vcpu *v0, *v1;
	const struct tvmm_report *d1;
	uint64_t n = 20;
	struct run r;
	bool ok;

	start(&r, "smp-fwd", n);
	r.cfg.vcpus = 2;
	go(&r);
	v0 = &r.vms[0]->vcpus[0];
	v1 = &r.vms[0]->vcpus[1];
	if (!hw && tvmm_report(v1, "int80_ud")) {
		ktap_skip("%s: two vCPUs' traps: int 0x80 from CPL3 not available here", l);
		finish(&r);
		return;
	}
	d1 = tvmm_report(v1, "direct_syscalls");
	ok = r.rc == 0 && rep(&r, "user_exit") == 0 &&
	     rep(&r, "forwarded_syscalls") == (int64_t)n + 1 &&
	     rep(&r, "direct_syscalls") == 0 &&
	     v0->st.kind[EX_PIO_FWD] == n + 1 && v0->st.kind[EX_PIO_IRET] == n &&
	     tvmm_report(v1, "user_exit") && !tvmm_report(v1, "user_exit")->val &&
	     tvmm_report(v1, "forwarded_syscalls") &&
	     !tvmm_report(v1, "forwarded_syscalls")->val &&
	     d1 && d1->val > 0 &&
	     !v1->st.kind[EX_PIO_FWD] && !v1->st.kind[EX_PIO_IRET] &&
	     rep(&r, "overlaps") > 0;
	ktap_ok(ok, "%s: two vCPUs: %lld of %llu forwarded calls on cpu0 overlapped direct ones on cpu1 (%lld in all); each counted in its own flow, cpu1's never through tvmm (cpu1 fwd/iret exits %llu/%llu, rc %d)",
		l, (long long)rep(&r, "overlaps"), (unsigned long long)n,
		d1 ? (long long)d1->val : -1,
		(unsigned long long)v1->st.kind[EX_PIO_FWD],
		(unsigned long long)v1->st.kind[EX_PIO_IRET], r.rc);
	finish(&r);
}

/* A vCPU that fails stops its spinning siblings at once, not at --timeout. */
static void smp_fail_case(const char *l)
{
	struct run r;
	uint64_t t0;
	double s;

	start(&r, "smp-fail", 1);
	r.cfg.vcpus = 3;
	t0 = now_ns();
	go(&r);
	s = (now_ns() - t0) / 1e9;
	ktap_ok(r.rc == TVMM_EXIT_GUEST && r.n == 1 &&
		r.vms[0]->vcpus[2].state == VCPU_FAILED &&
		r.vms[0]->vcpus[0].state == VCPU_STOPPED &&
		r.vms[0]->vcpus[1].state == VCPU_STOPPED &&
		s < r.cfg.timeout_s / 2,
		"%s: a failed vCPU stops its 2 siblings at once (%.1f s, --timeout %u s, rc %d)",
		l, s, r.cfg.timeout_s, r.rc);
	finish(&r);
}

/*
 * Host-side failures exit with their own code: KVM_RUN failing (here on
 * a file that is not a vCPU) and a die() in tvmm (guest memory that the
 * address-space limit refuses, in a child process).
 */
static void host_fail_cases(const char *l)
{
	struct tvmm_vcpu *v;
	struct rlimit lim;
	struct run r;
	int real, st = -1;
	long pages = 0;
	pid_t pid;
	FILE *f;

	start(&r, "demo", 1);
	if (tvmm_create_vms(&r.cfg, r.vms, &r.n, &r.h) == 0) {
		v = cpu0(&r);
		real = v->fd;
		v->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		r.rc = tvmm_run_vms(&r.h, &r.cfg, r.vms);
		close(v->fd);
		v->fd = real;
	}
	ktap_ok(r.rc == TVMM_EXIT_HOST && r.n &&
		cpu0(&r)->state == VCPU_HOST_FAILED &&
		strstr(cpu0(&r)->error, "KVM_RUN"),
		"%s: KVM_RUN failing is a host failure, exit %d, not 'guest failed' (rc %d)",
		l, TVMM_EXIT_HOST, r.rc);
	finish(&r);

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		f = fopen("/proc/self/statm", "r");
		if (!f || fscanf(f, "%ld", &pages) != 1)
			_exit(100);
		fclose(f);
		/* What is mapped now, plus room for everything but 1 GiB. */
		lim.rlim_cur = pages * sysconf(_SC_PAGESIZE) + (256ull << 20);
		lim.rlim_max = lim.rlim_cur;
		if (setrlimit(RLIMIT_AS, &lim))
			_exit(101);
		start(&r, "demo", 1);
		r.cfg.mem = 1ull << 30;
		_exit(go(&r));
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	ktap_ok(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == TVMM_EXIT_HOST,
		"%s: guest memory the host refuses (RLIMIT_AS) exits %d, not 'guest failed' (status %#x)",
		l, TVMM_EXIT_HOST, st);
}

static void idle_smp_cases(const char *l)
{
	struct run r;
	bool ok = true;

	/* Without the irqchip: the HLT exit and tvmm's tick (--no-irqchip). */
	start(&r, "idle", 20);
	r.cfg.vms = 3;
	r.cfg.irqchip = TVMM_IRQCHIP_OFF;
	go(&r);
	for (unsigned int i = 0; i < r.n; i++) {
		struct tvmm_stats *st = &r.vms[i]->vcpus[0].st;

		ok = ok && st->kind[EX_HLT] == 20 &&
		     st->idle_ns >= 20 * TVMM_TICK_NS;
		/* CPU vs. idle time is shown, not asserted: TCG skews it. */
		ktap_diag("%s: vm%u: hlt %llu idle %.1f ms cpu %.1f ms wall %.1f ms, rc %d",
			  l, i, (unsigned long long)st->kind[EX_HLT],
			  st->idle_ns / 1e6, st->cpu_ns / 1e6, st->wall_ns / 1e6,
			  r.rc);
	}
	ktap_ok(r.rc == 0 && r.n == 3 && ok && !irqchip(cpu0(&r)),
		"%s: --no-irqchip: 3 idle VMs: 20 HLT exits each, each slept a tick per HLT", l);
	finish(&r);

	start(&r, "smp", 2000);
	r.cfg.vcpus = 2;
	go(&r);
	ktap_ok(r.rc == 0 && rep(&r, "smp_counter") == 4000,
		"%s: SMP guest, 2 vCPUs: spinlock-protected counter is exact", l);
	finish(&r);
}

static int64_t vrep(struct tvmm_vcpu *v, const char *key)
{
	const struct tvmm_report *p = v ? tvmm_report(v, key) : NULL;

	return p ? (int64_t)p->val : -999999;
}

/* KVM's count of @name on @v over the run; -1 when the host has none. */
static int64_t kstat(struct tvmm_vcpu *v, const char *name)
{
	return v ? tvmm_kstats_get(&v->ks, v->ks_before, v->ks_after, name) :
		   0;
}

/*
 * The in-kernel irqchip: LAPIC timer ticks end each HLT inside KVM (tvmm
 * sees no HLT exit at all); an IPI from vCPU 0 wakes a halted vCPU 1;
 * halting burns much less of the host than spinning for the same ticks.
 */
static void irq_cases(const char *l, const struct tvmm_host *h)
{
	uint64_t wall[2], cpu[2];
	struct tvmm_vcpu *v;
	struct run r;
	bool ok[2];

	if (!h->irqchip) {
		for (int i = 0; i < 3; i++)
			ktap_skip("%s: this KVM has no in-kernel irqchip", l);
		return;
	}
	for (int k = 0; k < 2; k++) {
		start(&r, k ? "idle-spin" : "idle", 40);
		go(&r);
		v = r.n ? cpu0(&r) : NULL;
		ok[k] = r.rc == 0 && v &&
			tvmm_span(v, "idle", &wall[k], &cpu[k]);
		if (k)
			break;
		/* halt_exits -1: the host has no statistics to ask. */
		ktap_ok(ok[0] && rep(&r, "ticks") >= 40 && rep(&r, "halts") > 0 &&
			v->st.kind[EX_HLT] == 0 && kstat(v, "halt_exits") != 0,
			"%s: LAPIC timer: %lld ticks counted by the guest, %lld HLTs, none exited to tvmm (%llu), KVM's halt_exits %lld",
			l, (long long)rep(&r, "ticks"),
			(long long)rep(&r, "halts"),
			(unsigned long long)(v ? v->st.kind[EX_HLT] : 0),
			(long long)kstat(v, "halt_exits"));
		finish(&r);
	}
	/* Shares, not times: under TCG the same ticks take uneven walls. */
	ktap_ok(ok[0] && ok[1] && rep(&r, "ticks") >= 40 &&
		2.0 * cpu[0] / wall[0] < 1.0 * cpu[1] / wall[1],
		"%s: 40 ticks idle: HLT burns %.1f ms of host CPU in %.1f ms, spinning %.1f ms in %.1f ms",
		l, cpu[0] / 1e6, wall[0] / 1e6, cpu[1] / 1e6, wall[1] / 1e6);
	finish(&r);

	start(&r, "ipi", 8);
	r.cfg.vcpus = 2;
	go(&r);
	v = r.n ? &r.vms[0]->vcpus[1] : NULL;
	ktap_ok(r.rc == 0 && v && vrep(v, "ipis") == 16 &&
		rep(&r, "ipis_sent") == 16 && kstat(v, "halt_wakeup") != 0,
		"%s: IPIs: vCPU 1 took %lld of vCPU 0's %lld, woken from HLT %lld times; wake-up median %lld us halted, %lld us spinning",
		l, (long long)vrep(v, "ipis"), (long long)rep(&r, "ipis_sent"),
		(long long)kstat(v, "halt_wakeup"),
		(long long)rep(&r, "ipi_hlt_med_ns") / 1000,
		(long long)rep(&r, "ipi_spin_med_ns") / 1000);
	finish(&r);
}

/*
 * One idle VM with one vCPU and no in-kernel irqchip, held across all
 * the cases. KVM enables the preempt_notifier_key and kvm_has_noapic_vcpu
 * static keys when the first such VM/vCPU appears and disables them when
 * the last goes, and each flip live-patches kernel text on every CPU
 * (text_poke_bp: int3, then IPIs). Under QEMU TCG, the VM rig, that
 * patching can wedge all CPUs of the rig's kernel in finish_task_switch()
 * (seen as the whole run hanging after some case, soft lockups, no
 * tvmm watchdog message: nothing in user space runs any more). With
 * this VM open the keys stay on, so the ~20 VMs the cases create and
 * destroy patch nothing. Returns the VM fd, or -1: the cases then
 * run unpinned.
 */
static int pin_vm(const struct tvmm_host *h, bool irqchip)
{
	int vm = __kvm_ioctl(h->kvm_fd, KVM_CREATE_VM, 0), cpu;

	if (vm < 0)
		return -1;
	if (irqchip && __kvm_ioctl(vm, KVM_CREATE_IRQCHIP, NULL) < 0) {
		close(vm);
		return -1;
	}
	cpu = __kvm_ioctl(vm, KVM_CREATE_VCPU, 0);
	if (cpu < 0) {
		close(vm);
		return -1;
	}
	/* A vCPU lives until its VM is destroyed: the VM fd owns both. */
	close(cpu);
	return vm;
}

/*
 * A second pinned VM, with an irqchip whose LAPIC is never enabled,
 * holds KVM's apic_sw_disabled key the same way for the irqchip cases.
 */
static int pin_irq = -1;

int tvmm_pin_kvm(const struct tvmm_host *h)
{
	if (h->irqchip && pin_irq < 0)
		pin_irq = pin_vm(h, true);
	return pin_vm(h, false);
}

void tvmm_unpin_kvm(int pin)
{
	if (pin >= 0)
		close(pin);
	if (pin_irq >= 0)
		close(pin_irq);
	pin_irq = -1;
}

bool tvmm_kvm_cases(const char *label, bool hw)
{
	struct tvmm_host h;
	char err[256];
	int pin;

	if (tvmm_host_open(&h, err, sizeof(err))) {
		for (int i = 0; i < TVMM_KVM_CASES; i++)
			ktap_skip("%s: %s", label, err);
		return false;
	}
	ktap_diag("%s: host %s; guest memory: %s", label, h.kind, h.mmu);
	pin = tvmm_pin_kvm(&h);
	demo_cases(label, hw);		/* 7 */
	bench_case(label, hw);		/* 2 */
	fault_cases(label);		/* 5 */
	memory_cases(label);		/* 3 */
	idle_smp_cases(label);		/* 2 */
	irq_cases(label, &h);		/* 3 */
	smp_fwd_case(label, hw);	/* 1 */
	smp_fail_case(label);		/* 1 */
	host_fail_cases(label);		/* 2 */
	/* The VM test reloads kvm-amd next: hold no KVM file then. */
	tvmm_unpin_kvm(pin);
	tvmm_host_close(&h);
	return true;
}
