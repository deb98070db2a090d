// SPDX-License-Identifier: GPL-2.0
/*
 * One VM exit, dispatched: port I/O (console, ucall, the forwarded
 * syscall and its return), MMIO (the tiny device, or an access to
 * unbacked guest-physical memory: an error naming GPA and RIP), HLT
 * (idle: sleep a tick instead of spinning), user-space MSRs, and
 * shutdown (triple fault: registers and the last exits, never a hang).
 */
#include <ctype.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include <smpkit/util.h>

#include "tvmm.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* CPU time of the calling thread: a vCPU's, when it calls. */
uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void tvmm_trace(struct tvmm_vcpu *vcpu, const char *fmt, ...)
{
	va_list ap;

	if (!vcpu->vm->cfg->trace)
		return;
	flockfile(stderr);
	fprintf(stderr, "trace vm%d/cpu%d exit %llu: ", vcpu->vm->index,
		vcpu->id, (unsigned long long)vcpu->st.exits);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

#define FAIL_AS(how) do {						\
	va_list ap;							\
									\
	va_start(ap, fmt);						\
	vsnprintf(vcpu->error, sizeof(vcpu->error), fmt, ap);		\
	va_end(ap);							\
	vcpu->state = (how);						\
} while (0)

void vcpu_fail(struct tvmm_vcpu *vcpu, const char *fmt, ...)
{
	FAIL_AS(VCPU_FAILED);
}

/* An ioctl failed under the guest: tvmm's or KVM's failure, not the guest's. */
void vcpu_host_fail(struct tvmm_vcpu *vcpu, const char *fmt, ...)
{
	FAIL_AS(VCPU_HOST_FAILED);
}

static const char *reason_name(uint32_t r)
{
	switch (r) {
	case KVM_EXIT_IO: return "IO";
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_HLT: return "HLT";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN";
	case KVM_EXIT_X86_RDMSR: return "RDMSR";
	case KVM_EXIT_X86_WRMSR: return "WRMSR";
	case KVM_EXIT_INTR: return "INTR";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	default: return "other";
	}
}

void tvmm_dump_state(struct tvmm_vcpu *vcpu)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (__kvm_ioctl(vcpu->fd, KVM_GET_REGS, &r) ||
	    __kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s))
		return;
	fprintf(stderr,
		"  vm%d/cpu%d: rip %#llx rsp %#llx rflags %#llx cs %#x (CPL %d)\n"
		"  rax %#llx rbx %#llx rcx %#llx rdx %#llx rsi %#llx rdi %#llx\n"
		"  cr0 %#llx cr2 %#llx cr3 %#llx cr4 %#llx efer %#llx idt %#llx/%#x\n",
		vcpu->vm->index, vcpu->id, r.rip, r.rsp, r.rflags,
		s.cs.selector, s.cs.selector & 3, r.rax, r.rbx, r.rcx, r.rdx,
		r.rsi, r.rdi, s.cr0, s.cr2, s.cr3, s.cr4, s.efer, s.idt.base,
		s.idt.limit);
	fprintf(stderr, "  last exits (oldest first):");
	for (int i = 0; i < TVMM_LAST_EXITS; i++) {
		uint64_t n = vcpu->st.exits + i;
		struct tvmm_last_exit *e = &vcpu->last[n % TVMM_LAST_EXITS];

		if (!e->reason)
			continue;
		fprintf(stderr, " %s(%#llx)", reason_name(e->reason),
			(unsigned long long)e->detail);
	}
	fputc('\n', stderr);
}

static void console_out(struct tvmm_vcpu *vcpu, const uint8_t *d, int n)
{
	for (int i = 0; i < n; i++) {
		if (d[i] != '\n' && vcpu->con_len < (int)sizeof(vcpu->con) - 1) {
			/* No escape sequences from the guest on our terminal. */
			vcpu->con[vcpu->con_len++] = isprint(d[i]) ? d[i] : '?';
			continue;
		}
		vcpu->con[vcpu->con_len] = 0;
		if (!vcpu->vm->cfg->quiet)
			fprintf(vcpu->vm->out, "vm%d guest: %s\n",
				vcpu->vm->index, vcpu->con);
		vcpu->con_len = 0;
	}
}

static bool handle_io(struct tvmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;

	switch (run->io.port) {
	case TVMM_PORT_CONSOLE:
		vcpu->st.kind[EX_PIO_CONSOLE]++;
		if (out)
			console_out(vcpu, data, run->io.size * run->io.count);
		return true;
	case TVMM_PORT_UCALL:
		vcpu->st.kind[EX_PIO_UCALL]++;
		if (!out || run->io.size != 4) {
			vcpu_fail(vcpu, "bad access to the ucall port");
			return false;
		}
		return tvmm_ucall(vcpu, *(uint32_t *)data);
	case TVMM_PORT_FWD:
		vcpu->st.kind[EX_PIO_FWD]++;
		return tvmm_forward_syscall(vcpu);
	case TVMM_PORT_IRET:
		vcpu->st.kind[EX_PIO_IRET]++;
		return tvmm_forward_return(vcpu);
	case TVMM_PORT_TRAP:		/* counted by vector there */
		return tvmm_trap_forward(vcpu);
	case TVMM_PORT_NULL:
		vcpu->st.kind[EX_PIO_NULL]++;	/* the bench's bare exit */
		return true;
	}
	vcpu->st.kind[EX_OTHER]++;
	tvmm_trace(vcpu, "IO %s port %#x ignored", out ? "out" : "in",
		   run->io.port);
	if (!out)
		memset(data, 0xff, run->io.size * run->io.count);
	return true;
}

static bool handle_mmio(struct tvmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct tvmm_vm *vm = vcpu->vm;
	uint64_t a = run->mmio.phys_addr, off = a - TVMM_MMIO_GPA, v = 0;
	struct kvm_regs r;

	if (a < TVMM_MMIO_GPA || off >= TVMM_MMIO_SIZE) {
		vcpu->st.kind[EX_MMIO_UNMAPPED]++;
		if (__kvm_ioctl(vcpu->fd, KVM_GET_REGS, &r))
			r.rip = 0;
		vcpu_fail(vcpu,
			  "guest %s of %u bytes at unmapped guest-physical address %#llx (RIP %#llx)",
			  run->mmio.is_write ? "write" : "read", run->mmio.len,
			  (unsigned long long)a, (unsigned long long)r.rip);
		return false;
	}
	vcpu->st.kind[EX_MMIO_DEV]++;
	pthread_mutex_lock(&vm->dev_lock);
	if (run->mmio.is_write) {
		memcpy(&v, run->mmio.data, run->mmio.len > 8 ? 8 : run->mmio.len);
		if (off == TVMM_MMIO_SCRATCH)
			vm->mmio_scratch = v;
	} else {
		if (off == TVMM_MMIO_ID)
			v = TVMM_MMIO_ID_VALUE;
		else if (off == TVMM_MMIO_COUNTER)
			v = vm->mmio_counter++;
		else if (off == TVMM_MMIO_SCRATCH)
			v = vm->mmio_scratch;
		memcpy(run->mmio.data, &v, run->mmio.len > 8 ? 8 : run->mmio.len);
	}
	pthread_mutex_unlock(&vm->dev_lock);
	tvmm_trace(vcpu, "MMIO %s %#llx len %u value %#llx",
		   run->mmio.is_write ? "write" : "read",
		   (unsigned long long)a, run->mmio.len,
		   (unsigned long long)v);
	return true;
}

/* Idle: give the CPU away for one tick, as a real VMM would. */
static bool handle_hlt(struct tvmm_vcpu *vcpu)
{
	struct timespec ts = { 0, TVMM_TICK_NS };
	uint64_t t0 = now_ns();

	vcpu->st.kind[EX_HLT]++;
	nanosleep(&ts, NULL);
	vcpu->st.idle_ns += now_ns() - t0;
	tvmm_trace(vcpu, "HLT: idle, slept one tick");
	return true;
}

static bool handle_msr(struct tvmm_vcpu *vcpu, bool write)
{
	struct kvm_run *run = vcpu->run;
	struct tvmm_vm *vm = vcpu->vm;

	vcpu->st.kind[write ? EX_MSR_WRITE : EX_MSR_READ]++;
	run->msr.error = run->msr.index != TVMM_MSR_DEVICE;	/* #GP */
	pthread_mutex_lock(&vm->dev_lock);
	if (!run->msr.error && write)
		vm->msr_value = run->msr.data;
	else if (!run->msr.error)
		run->msr.data = vm->msr_value;
	pthread_mutex_unlock(&vm->dev_lock);
	tvmm_trace(vcpu, "%s MSR %#x value %#llx", write ? "WRMSR" : "RDMSR",
		   run->msr.index, (unsigned long long)run->msr.data);
	return true;
}

bool tvmm_handle_exit(struct tvmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct tvmm_last_exit *last = &vcpu->last[vcpu->st.exits % TVMM_LAST_EXITS];

	last->reason = run->exit_reason;
	last->detail = run->exit_reason == KVM_EXIT_IO ? run->io.port :
		       run->exit_reason == KVM_EXIT_MMIO ? run->mmio.phys_addr : 0;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(vcpu);
	case KVM_EXIT_MMIO:
		return handle_mmio(vcpu);
	case KVM_EXIT_HLT:
		return handle_hlt(vcpu);
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		return handle_msr(vcpu, run->exit_reason == KVM_EXIT_X86_WRMSR);
	case KVM_EXIT_SHUTDOWN:
		vcpu->st.kind[EX_SHUTDOWN]++;
		vcpu_fail(vcpu, "guest shut down (triple fault)");
		return false;
	case KVM_EXIT_INTR:
		vcpu->st.kind[EX_INTR]++;
		return true;
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_fail(vcpu, "VM entry failed, hardware reason %#llx",
			  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_fail(vcpu, "KVM internal error, suberror %u",
			  run->internal.suberror);
		return false;
	}
	vcpu->st.kind[EX_OTHER]++;
	vcpu_fail(vcpu, "unexpected exit reason %u", run->exit_reason);
	return false;
}
