// SPDX-License-Identifier: GPL-2.0
/*
 * The ucall port: the guest kernel's one channel to tvmm (assert, sync,
 * report, done, with file and line), plus XLATE (walk an address now)
 * and FLOW (which system call flow the next user programs run in).
 */
#include <ctype.h>
#include <string.h>

#include <smpkit/util.h>

#include "tvmm.h"

static const char *const vec_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO",
	"#TS", "#NP", "#SS", "#GP", "#PF", "15", "#MF", "#AC", "#MC", "#XM",
	"#VE", "#CP",
};

/* Copy a NUL-terminated string from the identity-mapped guest kernel. */
int guest_string(struct tvmm_vm *vm, uint64_t gva, char *buf, size_t len)
{
	const char *p = gpa_to_hva(vm, gva, 1);
	size_t i;

	buf[0] = 0;
	if (!p)
		return -1;
	/* The guest chose these bytes: nothing unprintable reaches a terminal. */
	for (i = 0; i + 1 < len && gva + i < vm->mem_size && p[i]; i++)
		buf[i] = isprint((unsigned char)p[i]) ? p[i] : '?';
	buf[i] = 0;
	return 0;
}

const struct tvmm_report *tvmm_report(const struct tvmm_vcpu *vcpu,
				      const char *key)
{
	for (int i = 0; i < vcpu->nr_reports; i++)
		if (!strcmp(vcpu->reports[i].key, key))
			return &vcpu->reports[i];
	return NULL;
}

/* The @nth (from 0) time the guest reached @stage, or NULL. */
const struct tvmm_sync *tvmm_sync_nth(const struct tvmm_vcpu *vcpu,
				      const char *stage, int nth)
{
	for (int i = 0; i < vcpu->nr_syncs; i++)
		if (!strcmp(vcpu->syncs[i].stage, stage) && !nth--)
			return &vcpu->syncs[i];
	return NULL;
}

const struct tvmm_sync *tvmm_sync(const struct tvmm_vcpu *vcpu,
				  const char *stage)
{
	return tvmm_sync_nth(vcpu, stage, 0);
}

/*
 * Wall and vCPU-thread CPU time between the guest's first
 * "@name-begin" and "@name-end" SYNCs; false when it never got there.
 */
bool tvmm_span(const struct tvmm_vcpu *vcpu, const char *name,
	       uint64_t *wall_ns, uint64_t *cpu_ns)
{
	char b[24], e[24];
	const struct tvmm_sync *s, *t;

	snprintf(b, sizeof(b), "%s-begin", name);
	snprintf(e, sizeof(e), "%s-end", name);
	s = tvmm_sync(vcpu, b);
	t = tvmm_sync(vcpu, e);
	if (!s || !t || t->ns < s->ns)
		return false;
	*wall_ns = t->ns - s->ns;
	*cpu_ns = t->cpu_ns > s->cpu_ns ? t->cpu_ns - s->cpu_ns : 0;
	return true;
}

static void report(struct tvmm_vcpu *vcpu, const char *key, uint64_t val)
{
	struct tvmm_report *r = (struct tvmm_report *)tvmm_report(vcpu, key);

	if (!r && vcpu->nr_reports < TVMM_MAX_REPORTS)
		r = &vcpu->reports[vcpu->nr_reports++];
	if (!r)
		return;
	snprintf(r->key, sizeof(r->key), "%s", key);
	r->val = val;
}

static void xlate_now(struct tvmm_vcpu *vcpu, const char *what, uint64_t gva)
{
	struct kvm_sregs s;
	struct tvmm_xlate x;

	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	tvmm_xlate(vcpu->vm, s.cr3, gva, &x);
	if (!vcpu->vm->cfg->quiet)
		tvmm_xlate_print(vcpu->vm->out, &x, what);
	if (vcpu->nr_xlates < (int)(sizeof(vcpu->xlates) / sizeof(vcpu->xlates[0]))) {
		struct tvmm_xlate_rec *r = &vcpu->xlates[vcpu->nr_xlates++];

		snprintf(r->what, sizeof(r->what), "%s", what);
		r->gva = gva;
		r->gpa = x.gpa;
		r->mapped = x.mapped;
	}
}

bool tvmm_ucall(struct tvmm_vcpu *vcpu, uint32_t gpa)
{
	struct tvmm_vm *vm = vcpu->vm;
	struct tvmm_ucall uc;
	const void *p = gpa_to_hva(vm, gpa, sizeof(uc));
	char file[64], msg[128];
	struct tvmm_sync *s;

	if (!p) {
		vcpu_fail(vcpu, "ucall with a bad address %#x", gpa);
		return false;
	}
	memcpy(&uc, p, sizeof(uc));
	guest_string(vm, uc.file, file, sizeof(file));
	guest_string(vm, uc.msg, msg, sizeof(msg));
	tvmm_trace(vcpu, "IO ucall %llu from %s:%llu %s",
		   (unsigned long long)uc.cmd, file,
		   (unsigned long long)uc.line, msg);
	switch (uc.cmd) {
	case UCALL_SYNC:
		if (vcpu->nr_syncs >= TVMM_MAX_SYNCS)
			return true;
		s = &vcpu->syncs[vcpu->nr_syncs++];
		snprintf(s->stage, sizeof(s->stage), "%s", msg);
		s->arg = uc.args[1];
		s->exits = vcpu->st.exits;
		s->put_regs = vcpu->st.put_regs;
		s->put_sregs = vcpu->st.put_sregs;
		s->reg_ioctls = vcpu->st.reg_ioctls;
		s->fwd_exits = vcpu->st.kind[EX_PIO_FWD] +
			       vcpu->st.kind[EX_PIO_IRET] +
			       vcpu->st.kind[EX_PIO_TRAP] +
			       vcpu->st.kind[EX_PIO_TRAP_INTR];
		/* Spans start after and end before this exit's own reading. */
		if (strstr(msg, "-end")) {
			s->ns = now_ns();
			s->cpu_ns = thread_cpu_ns();
		}
		s->resident_pages = tvmm_resident_pages(vm);
		s->kvm = tvmm_kstats_snapshot(&vcpu->ks);
		if (!strstr(msg, "-end")) {
			s->cpu_ns = thread_cpu_ns();
			s->ns = now_ns();
		}
		return true;
	case UCALL_REPORT:
		report(vcpu, msg, uc.args[0]);
		if (!strcmp(msg, "user_fault") && !vm->cfg->quiet)
			fprintf(vm->out, "vm%d: user process killed by %s at %#llx (cr2 %#llx)\n",
				vm->index, uc.args[0] < 32 && vec_names[uc.args[0]] ?
				vec_names[uc.args[0]] : "?",
				(unsigned long long)uc.args[1],
				(unsigned long long)uc.args[2]);
		return true;
	case UCALL_XLATE:
		xlate_now(vcpu, msg, uc.args[0]);
		return true;
	case UCALL_FLOW:
		return tvmm_trap_flow(vcpu, uc.args[0]);
	case UCALL_DONE:
		vcpu->state = VCPU_DONE;
		return false;
	case UCALL_ASSERT:
		vcpu_fail(vcpu, "guest assertion failed at %s:%llu: %s (%#llx vs %#llx)",
			  file, (unsigned long long)uc.line, msg,
			  (unsigned long long)uc.args[0],
			  (unsigned long long)uc.args[1]);
		return false;
	case UCALL_ABORT:
		vcpu_fail(vcpu, "guest kernel exception %s (vector %llu) at RIP %#llx, CR2 %#llx, error code %#llx",
			  uc.args[0] < 32 && vec_names[uc.args[0]] ?
			  vec_names[uc.args[0]] : "?",
			  (unsigned long long)uc.args[0],
			  (unsigned long long)uc.args[1],
			  (unsigned long long)uc.args[2],
			  (unsigned long long)uc.args[3]);
		return false;
	}
	vcpu_fail(vcpu, "unknown ucall %llu from %s:%llu",
		  (unsigned long long)uc.cmd, file, (unsigned long long)uc.line);
	return false;
}
