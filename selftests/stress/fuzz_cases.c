// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test's cases: one generator per wsched ioctl. Each builds a valid
 * argument, breaks it in one or more ways (sizes, flags, reserved words,
 * ranges, CPU masks, tids, pointers), predicts the answers the uapi
 * header allows (a set: the check order is the module's business), and
 * checks the call against it. See fuzz.h for the model's state.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uapi/wsched.h>

#include "fuzz.h"
#include "ktap.h"

#define PAGE 4096
#define OK (1ull << 0)
#define E(x) (1ull << (x))

const char *const fuzz_op_name[OP_NR] = {
	"VERSION", "CREATE", "JOIN", "LEAVE", "STATS", "unknown cmd",
};

enum ptr_kind {
	PK_OK, PK_RDONLY, PK_NULL, PK_LOW, PK_KERNEL, PK_KTEXT, PK_UNMAPPED,
	PK_STRADDLE, PK_NONCANON, PK_NR
};
static const char *const pk_name[PK_NR] = {
	"ok", "read-only", "NULL", "low", "kernel", "kernel-text",
	"unmapped", "straddling", "non-canonical",
};

void fuzz_arena_init(struct fuzz_ctx *c)
{
	c->arena = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->arena == MAP_FAILED ||
	    mprotect(c->arena + PAGE, PAGE, PROT_NONE) ||
	    mprotect(c->arena + 2 * PAGE, PAGE, PROT_READ) ||
	    mprotect(c->arena + 3 * PAGE, PAGE, PROT_NONE)) {
		perror("arena");
		_exit(KTAP_FAIL);
	}
	c->big = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->big == MAP_FAILED) {
		perror("big");
		_exit(KTAP_FAIL);
	}
}

static enum ptr_kind pick_ptr(struct fuzz_ctx *c)
{
	unsigned int r = rng_below(&c->rng, 100);

	if (r < 72)
		return PK_OK;
	if (r < 80)
		return PK_RDONLY;
	return PK_NULL + rng_below(&c->rng, PK_NR - PK_NULL);
}

static bool pk_bad(enum ptr_kind k)
{
	return k != PK_OK && k != PK_RDONLY;
}

/* A pointer of kind @k to a copy of @src (@len bytes) where it applies. */
static char *place(struct fuzz_ctx *c, enum ptr_kind k, const void *src,
		   size_t len)
{
	char *p;

	switch (k) {
	case PK_OK:
		/* Flush against the guard page; now and then misaligned. */
		p = c->arena + PAGE - len -
			(rng_pct(&c->rng, 20) ? rng_below(&c->rng, 8) : 0);
		memcpy(p, src, len);
		return p;
	case PK_RDONLY:
		p = c->arena + 3 * PAGE - len;
		mprotect(c->arena + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE);
		memcpy(p, src, len);
		mprotect(c->arena + 2 * PAGE, PAGE, PROT_READ);
		return p;
	case PK_STRADDLE:
		p = c->arena + PAGE - len / 2;
		memcpy(p, src, len / 2);
		return p;
	case PK_NULL:
		return NULL;
	case PK_LOW:
		return (char *)(uintptr_t)(1 + rng_below(&c->rng, PAGE - 1));
	case PK_KERNEL:
		return (char *)0xffff888000001000ull;
	case PK_KTEXT:
		return (char *)0xffffffff81000000ull;
	case PK_UNMAPPED:
		return c->arena + PAGE;
	default:
		return (char *)0x8000000000001000ull;
	}
}

static uint32_t bad_size(struct fuzz_ctx *c, uint32_t good)
{
	static const int64_t d[] = { -1, 1, -8, 8, 4096 };

	switch (rng_below(&c->rng, 4)) {
	case 0:
		return 0;
	case 1:
		return 0xffffffffu;
	case 2:
		return good + (uint32_t)d[rng_below(&c->rng, 5)];
	default:
		return (uint32_t)rng_next(&c->rng) | 1;	/* odd: never good */
	}
}

static uint32_t any_u32(struct fuzz_ctx *c)
{
	static const uint32_t b[] = { 0, 1, 2, 3, 4, 0x7fffffff, 0x80000000u,
				      0xffffffffu };

	return rng_pct(&c->rng, 50) ? b[rng_below(&c->rng, 8)] :
		(uint32_t)rng_next(&c->rng);
}

static void errs(char *buf, size_t len, uint64_t want)
{
	int e, n = 0;

	buf[0] = 0;
	for (e = 0; e < 64 && n < (int)len - 16; e++)
		if (want & (1ull << e))
			n += snprintf(buf + n, len - n, "%s%s", n ? "," : "",
				      e ? strerrorname_np(e) : "success");
}

/* Compare; on a mismatch print the case so it can be replayed. */
static bool verdict(struct fuzz_ctx *c, long i, int op, int e, uint64_t want,
		    const char *desc, const char *extra)
{
	uint64_t got = !e ? OK : e < 64 ? E(e) : 0;
	char w[160];

	c->run[op]++;
	if ((got & want) && !extra)
		return true;
	c->bad[op]++;
	if (c->printed++ < 12) {
		errs(w, sizeof(w), want);
		ktap_diag("FAIL %s case %ld (seed %#llx): %s %s: got %s, want %s%s%s",
			  c->who, i, (unsigned long long)c->seed, fuzz_op_name[op],
			  desc, e ? strerrorname_np(e) : "success", w,
			  extra ? ": " : "", extra ? extra : "");
	}
	return false;
}

static bool case_version(struct fuzz_ctx *c, long i)
{
	struct wsched_version v = { .size = sizeof(v) }, *o;
	enum ptr_kind k = pick_ptr(c);
	const char *extra = NULL;
	uint64_t want = 0;
	char desc[128];
	long ret;
	int err;

	switch (rng_below(&c->rng, 4)) {
	case 0:
		v.size = bad_size(c, sizeof(v));
		break;
	case 1:
		v.reserved[rng_below(&c->rng, 3)] = rng_next(&c->rng) | 1;
		break;
	case 2:		/* out fields are ignored on the way in */
		v.major = any_u32(c);
		v.max_cpus = any_u32(c);
		break;
	}
	if (pk_bad(k))
		want = E(EFAULT);
	else if (v.size != sizeof(v) || v.reserved[0] || v.reserved[1] ||
		 v.reserved[2])
		want = E(EINVAL);
	else
		want = k == PK_RDONLY ? E(EFAULT) : OK;
	o = (void *)place(c, k, &v, sizeof(v));
	ret = ioctl(rng_pct(&c->rng, 50) ? c->gfd : c->nfd, WSCHED_IOC_VERSION, o);
	err = ret ? errno : 0;
	if (!ret && (o->major != WSCHED_ABI_MAJOR ||
		     o->max_cpus != (uint32_t)c->nr_cpus || o->reserved[0] ||
		     o->max_threads != WSCHED_MAX_THREADS))
		extra = "wrong answer (major, max_cpus, max_threads or reserved)";
	snprintf(desc, sizeof(desc), "size=%u ptr=%s", v.size, pk_name[k]);
	return verdict(c, i, OP_VERSION, err, want, desc, extra);
}

static bool case_create(struct fuzz_ctx *c, long i)
{
	struct wsched_group_args a = {
		.size = sizeof(a), .slice_us = 1000 + rng_below(&c->rng, 50000),
		.steal = rng_below(&c->rng, WSCHED_STEAL_NR),
		.balance = rng_below(&c->rng, WSCHED_BALANCE_NR),
		.place = rng_below(&c->rng, WSCHED_PLACE_NR),
		.watchdog_ms = rng_pct(&c->rng, 50) ? 0 : 10000,
		.cpus = { 1ull << 1 },
	}, *o;
	uint64_t allowed = c->self_member ? 1 : (1ull << c->nr_cpus) - 1;
	enum ptr_kind k = pick_ptr(c);
	int n = 1 + rng_below(&c->rng, 2), fd, j;
	bool on_gfd = rng_pct(&c->rng, 10), inval = false, busy = false;
	const char *extra = NULL;
	uint64_t want;
	char desc[200];
	long ret;
	int err;

	while (n--) {
		switch (rng_below(&c->rng, 11)) {
		case 0:
			a.size = bad_size(c, sizeof(a));
			break;
		case 1:
			a.flags = any_u32(c) | 1;
			break;
		case 2:
			a.slice_us = any_u32(c);
			break;
		case 3:
			a.steal = any_u32(c);
			break;
		case 4:
			a.balance = any_u32(c);
			break;
		case 5:
			a.place = any_u32(c);
			break;
		case 6:
			a.watchdog_ms = any_u32(c);
			break;
		case 7:
			a.group_id = any_u32(c);
			break;
		case 8:
			j = rng_below(&c->rng, 4);
			if (j == 3)
				a.reserved0 = rng_next(&c->rng) | 1;
			else
				a.reserved[j] = rng_next(&c->rng);
			break;
		case 9:
			a.balance_gap = any_u32(c);
			break;
		default:
			j = rng_below(&c->rng, 4);
			a.cpus[j] = j ? (rng_pct(&c->rng, 50) ? rng_next(&c->rng) :
					 1ull << rng_below(&c->rng, 64)) :
				rng_below(&c->rng, 4) == 0 ? 0 :
				rng_pct(&c->rng, 50) ? rng_next(&c->rng) :
				rng_below(&c->rng, 1ull << (c->nr_cpus + 1));
		}
	}
	inval = a.size != sizeof(a) || a.flags || a.group_id ||
		a.reserved0 || a.reserved[0] || a.reserved[1] || a.reserved[2] ||
		a.balance_gap > WSCHED_BALANCE_GAP_MAX ||
		a.slice_us < WSCHED_SLICE_MIN_US || a.slice_us > WSCHED_SLICE_MAX_US ||
		a.steal >= WSCHED_STEAL_NR || a.balance >= WSCHED_BALANCE_NR ||
		a.place >= WSCHED_PLACE_NR ||
		(a.watchdog_ms && (a.watchdog_ms < WSCHED_WATCHDOG_MIN_MS ||
				   a.watchdog_ms > WSCHED_WATCHDOG_MAX_MS));
	/* Any CPU past the VM's, none at all, or one the caller may not use. */
	if (a.cpus[1] || a.cpus[2] || a.cpus[3] || !a.cpus[0] ||
	    (a.cpus[0] >> c->nr_cpus) || (a.cpus[0] & ~allowed)) {
		want = E(EINVAL);
		inval = true;
	}
	busy = on_gfd || (a.cpus[0] & c->busy_cpus);
	if (!c->priv)
		want = E(EPERM);
	else if (pk_bad(k))
		want = E(EFAULT);
	else if (inval || busy)
		want = (inval ? E(EINVAL) : 0) | (busy ? E(EBUSY) : 0);
	else
		want = k == PK_RDONLY ? E(EFAULT) : OK;	/* created, see report */
	fd = on_gfd ? c->gfd : open(WSCHED_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ktap_diag("%s: open %s: %s", c->who, WSCHED_DEVICE, strerror(errno));
		return false;
	}
	o = (void *)place(c, k, &a, sizeof(a));
	ret = ioctl(fd, WSCHED_IOC_CREATE, o);
	err = ret ? errno : 0;
	if (!ret && (o->group_id >= WSCHED_MAX_GROUPS || o->group_id == c->gid))
		extra = "implausible group_id";
	if (!on_gfd)
		close(fd);
	snprintf(desc, sizeof(desc),
		 "fd=%s size=%u flags=%#x slice=%u steal=%u balance=%u place=%u wd=%u gid=%u cpus=%#llx,%#llx,%#llx,%#llx ptr=%s",
		 on_gfd ? "group" : "fresh", a.size, a.flags, a.slice_us, a.steal,
		 a.balance, a.place, a.watchdog_ms, a.group_id,
		 (unsigned long long)a.cpus[0], (unsigned long long)a.cpus[1],
		 (unsigned long long)a.cpus[2], (unsigned long long)a.cpus[3],
		 pk_name[k]);
	return verdict(c, i, OP_CREATE, err, want, desc, extra);
}

enum tid_kind {
	T_SELF, T_SELF_TID, T_HELPER, T_FOREIGN, T_ZOMBIE, T_DEAD, T_KTHREAD,
	T_INIT, T_HUGE, T_NEG, T_NR
};
static const char *const tid_name[T_NR] = {
	"0", "self", "helper", "foreign", "zombie", "dead", "kthreadd",
	"init", "huge", "negative",
};

static bool case_thread(struct fuzz_ctx *c, long i, bool join)
{
	struct wsched_thread_args a = { .size = sizeof(a) };
	enum tid_kind t = rng_below(&c->rng, T_NR);
	enum ptr_kind k = pick_ptr(c);
	bool on_gfd = rng_pct(&c->rng, 88), *member = NULL, inval;
	int h = rng_below(&c->rng, NR_HELPERS);
	uint64_t want = 0, fail = 0;
	char desc[128];
	long ret;
	int err;

	if (c->priv && t == T_INIT)
		t = T_KTHREAD;
	switch (t) {
	case T_SELF:
		a.tid = 0;
		member = &c->self_member;
		break;
	case T_SELF_TID:
		a.tid = gettid_();
		member = &c->self_member;
		break;
	case T_HELPER:
		a.tid = c->helper[h];
		member = &c->helper_member[h];
		break;
	case T_FOREIGN:
		a.tid = c->foreign;
		if (c->priv)
			member = &c->foreign_member;
		else
			fail = E(EPERM);
		break;
	case T_ZOMBIE:
		a.tid = c->zombie;
		fail = join ? E(ESRCH) : E(ENOENT);
		break;
	case T_DEAD:
		a.tid = c->dead[rng_below(&c->rng, c->nr_dead)];
		if (kill(a.tid, 0) == 0 || errno != ESRCH)
			a.tid = 0x3ffffff;	/* reused: fall back to huge */
		fail = E(ESRCH);
		break;
	case T_KTHREAD:
		a.tid = 2;
		fail = !c->priv ? E(EPERM) : join ? E(ESRCH) : E(ENOENT);
		break;
	case T_INIT:		/* nobody only */
		a.tid = 1;
		fail = E(EPERM);
		break;
	case T_HUGE:
		a.tid = rng_pct(&c->rng, 50) ? 0x7fffffff : 4194305;
		fail = E(ESRCH);
		break;
	default:
		a.tid = rng_pct(&c->rng, 50) ? -1 : (int32_t)0x80000000u;
		fail = E(EINVAL);
		break;
	}
	if (rng_pct(&c->rng, 25)) {
		switch (rng_below(&c->rng, 4)) {
		case 0:
			a.size = bad_size(c, sizeof(a));
			break;
		case 1:
			a.flags = any_u32(c) | 1;
			break;
		case 2:
			a.reserved[rng_below(&c->rng, 2)] = rng_next(&c->rng);
			break;
		default:	/* output only: ignored */
			a.cpu = any_u32(c);
			break;
		}
	}
	inval = a.size != sizeof(a) || a.flags || a.reserved[0] || a.reserved[1];
	if (pk_bad(k))
		want = E(EFAULT);
	else if (inval || !on_gfd || fail)
		want = (inval ? E(EINVAL) : 0) | (on_gfd ? 0 : E(ENOENT)) | fail;
	else if (join)
		want = *member ? E(EEXIST) : k == PK_RDONLY ? E(EFAULT) : OK;
	else
		want = *member ? OK : E(ENOENT);
	ret = ioctl(on_gfd ? c->gfd : c->nfd,
		    join ? WSCHED_IOC_JOIN : WSCHED_IOC_LEAVE,
		    place(c, k, &a, sizeof(a)));
	err = ret ? errno : 0;
	/* Follow what the kernel did, so that one miss does not cascade. */
	if (member && !pk_bad(k) && !inval && on_gfd) {
		if (join && (!ret || (k == PK_RDONLY && err == EFAULT) ||
			     err == EEXIST))
			*member = true;
		else if (!join && (!ret || err == ENOENT))
			*member = false;
	}
	snprintf(desc, sizeof(desc), "fd=%s tid=%s(%d) size=%u flags=%#x ptr=%s",
		 on_gfd ? "group" : "no-group", tid_name[t], a.tid, a.size,
		 a.flags, pk_name[k]);
	return verdict(c, i, join ? OP_JOIN : OP_LEAVE, err, want, desc, NULL);
}

/* Where STATS writes an array: somewhere fine, nowhere, or a bad place. */
static uint64_t out_ptr(struct fuzz_ctx *c, size_t off, bool *bad, char *what)
{
	switch (rng_below(&c->rng, 5)) {
	case 0:
		*bad = false;
		*what = '0';
		return 0;
	case 1:
	case 2:
		*bad = false;
		*what = 'b';
		return (uintptr_t)c->big + off;
	case 3:
		*bad = true;
		*what = 'e';
		return (uintptr_t)(c->arena + PAGE);
	default:
		*bad = true;
		*what = 'k';
		return 0xffff888000000000ull;
	}
}

static bool case_stats(struct fuzz_ctx *c, long i)
{
	struct wsched_stats s = { .size = sizeof(s) }, *o;
	static const uint32_t rooms[] = { 0, 1, 2, WSCHED_MAX_CPUS,
					  WSCHED_MAX_CPUS + 1, WSCHED_MAX_THREADS,
					  WSCHED_MAX_THREADS + 1, 0xffffffffu };
	struct wsched_cpu_stats *cs = c->big;
	enum ptr_kind k = pick_ptr(c);
	bool on_gfd = rng_pct(&c->rng, 88), cbad, tbad, inval;
	unsigned int own = c->self_member, h;
	const char *extra = NULL;
	char cw, tw, desc[160];
	uint64_t want;
	long ret;
	int err;

	for (h = 0; h < NR_HELPERS; h++)
		own += c->helper_member[h];
	own += c->priv && c->foreign_member;
	s.cpus_ptr = out_ptr(c, 0, &cbad, &cw);
	s.threads_ptr = out_ptr(c, 1 << 16, &tbad, &tw);
	s.cpus_room = rng_pct(&c->rng, 70) ? rooms[rng_below(&c->rng, 8)] : any_u32(c);
	s.nr_threads = rng_pct(&c->rng, 70) ? rooms[rng_below(&c->rng, 8)] : any_u32(c);
	if (rng_pct(&c->rng, 25)) {
		switch (rng_below(&c->rng, 4)) {
		case 0:
			s.size = bad_size(c, sizeof(s));
			break;
		case 1:
			s.flags = any_u32(c) | 1;
			break;
		case 2:
			s.pad = any_u32(c) | 1;
			break;
		default:
			s.reserved[rng_below(&c->rng, 3)] = rng_next(&c->rng) | 1;
		}
	}
	inval = s.size != sizeof(s) || s.flags || s.pad || s.reserved[0] ||
		s.reserved[1] || s.reserved[2] || s.nr_threads > WSCHED_MAX_THREADS ||
		s.cpus_room > WSCHED_MAX_CPUS;
	if (pk_bad(k)) {
		want = E(EFAULT);
	} else if (inval || !on_gfd) {
		want = (inval ? E(EINVAL) : 0) | (on_gfd ? 0 : E(ENOENT));
	} else {
		bool cfault = s.cpus_ptr && s.cpus_room && cbad;
		bool troom = s.threads_ptr && s.nr_threads;

		/* Other processes' members are unknown: at least ours exist. */
		if (cfault || (troom && tbad && own))
			want = E(EFAULT);
		else if (troom && tbad)
			want = E(EFAULT) | (k == PK_RDONLY ? 0 : OK);
		else
			want = k == PK_RDONLY ? E(EFAULT) : OK;
	}
	memset(cs, 0xa5, sizeof(*cs));
	o = (void *)place(c, k, &s, sizeof(s));
	ret = ioctl(on_gfd ? c->gfd : c->nfd, WSCHED_IOC_STATS, o);
	err = ret ? errno : 0;
	if (!ret && (o->nr_cpus != 1 || o->group_id != c->gid ||
		     o->joined < o->left || o->nr_threads < own || o->pad ||
		     o->reserved[0] || o->reserved[1] || o->reserved[2]))
		extra = "implausible group counters";
	else if (!ret && o->flags)
		extra = "group released by the watchdog during the fuzz";
	else if (!ret && s.cpus_ptr && s.cpus_room && cw == 'b' && cs->cpu != 0)
		extra = "CPU stats name a CPU outside the group";
	snprintf(desc, sizeof(desc),
		 "fd=%s size=%u flags=%#x pad=%#x cpus=%c room %u threads=%c room %u ptr=%s",
		 on_gfd ? "group" : "no-group", s.size, s.flags, s.pad, cw,
		 s.cpus_room, tw, s.nr_threads, pk_name[k]);
	return verdict(c, i, OP_STATS, err, want, desc, extra);
}

static bool case_bogus(struct fuzz_ctx *c, long i)
{
	static const unsigned long good[] = {
		WSCHED_IOC_VERSION, WSCHED_IOC_CREATE, WSCHED_IOC_JOIN,
		WSCHED_IOC_LEAVE, WSCHED_IOC_STATS,
	};
	enum ptr_kind k = pick_ptr(c);
	unsigned long cmd;
	char buf[512] = { 0 }, desc[64];
	unsigned int j;
	long ret;
	int err;

	do {
		switch (rng_below(&c->rng, 3)) {
		case 0:		/* a real command number with another size or dir */
			cmd = _IOC(rng_below(&c->rng, 4), WSCHED_IOC_MAGIC,
				   rng_below(&c->rng, 5), rng_below(&c->rng, 512));
			break;
		case 1:
			cmd = _IOC(rng_below(&c->rng, 4), WSCHED_IOC_MAGIC,
				   5 + rng_below(&c->rng, 251), rng_below(&c->rng, 512));
			break;
		default:
			cmd = (uint32_t)rng_next(&c->rng);
		}
		for (j = 0; j < 5 && cmd != good[j]; j++)
			;
	} while (j < 5);
	ret = ioctl(rng_pct(&c->rng, 50) ? c->gfd : c->nfd, cmd,
		    place(c, k, buf, sizeof(buf)));
	err = ret ? errno : 0;
	snprintf(desc, sizeof(desc), "cmd=%#lx ptr=%s", cmd, pk_name[k]);
	return verdict(c, i, OP_BOGUS, err, E(ENOTTY), desc, NULL);
}

bool fuzz_case(struct fuzz_ctx *c, long i)
{
	switch (rng_below(&c->rng, OP_NR)) {
	case OP_VERSION:
		return case_version(c, i);
	case OP_CREATE:
		return case_create(c, i);
	case OP_JOIN:
		return case_thread(c, i, true);
	case OP_LEAVE:
		return case_thread(c, i, false);
	case OP_STATS:
		return case_stats(c, i);
	default:
		return case_bogus(c, i);
	}
}

void fuzz_leave_all(struct fuzz_ctx *c)
{
	struct wsched_thread_args a = { .size = sizeof(a) };
	int h;

	for (h = 0; h < NR_HELPERS; h++) {
		a.tid = c->helper[h];
		ioctl(c->gfd, WSCHED_IOC_LEAVE, &a);
		c->helper_member[h] = false;
	}
	if (c->priv) {
		a.tid = c->foreign;
		ioctl(c->gfd, WSCHED_IOC_LEAVE, &a);
		c->foreign_member = false;
	}
	a.tid = 0;
	ioctl(c->gfd, WSCHED_IOC_LEAVE, &a);
	c->self_member = false;
}
