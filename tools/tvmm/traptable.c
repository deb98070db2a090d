// SPDX-License-Identifier: GPL-2.0
/*
 * The forwarded flow with an unmodified user program (Disco; the
 * textbook's Table B.3): the user's int 0x80 traps to tvmm, which hands
 * it to the handler the OS installed. The OS loaded its IDT with lidt,
 * which KVM runs without telling tvmm; tvmm reads the IDTR
 * (KVM_GET_SREGS) when the forwarded flow starts, keeps it as the OS's
 * trap table, and loads its own in its place: the same gates (type, DPL,
 * IST), each pointing at a stub of tvmm's in guest memory whose OUT to
 * TVMM_PORT_TRAP exits. The CPU has done the trap's work by then (CPL0,
 * the TSS rsp0 stack, the iret frame, the error code); tvmm only looks
 * up the OS's handler for that vector in the OS's table and writes it
 * into the stub's slot, and the stub jumps there once KVM has completed
 * its OUT. No register is handed back to KVM, so the exit costs KVM no
 * more than a bare one. The OS returns through tvmm (in_forward,
 * TVMM_VMM_IRET_GPA) as in the PV flow.
 *
 * The IDTR is not a privileged register to read: the guest's sidt sees
 * tvmm's table while it is loaded (the x86 "sensitive but unprivileged"
 * hole); the mini-OS never asks.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "tvmm.h"

#define IDT_GATES	256

static_assert(TVMM_VMM_STUB_SIZE == 8, "out imm8 (2) + jmp *disp32(%rip) (6)");
static_assert(TVMM_VMM_IRET_GPA + 4 <= TVMM_VMM_STUBS_GPA + 4096 &&
	      TVMM_VMM_SLOTS_GPA >= TVMM_VMM_STUBS_GPA + 4096,
	      "the stubs, the return and the slots do not overlap");

/*
 * Stub v: out %al, $TVMM_PORT_TRAP; jmp *slot[v](%rip). Slots start
 * zero: a stub whose slot tvmm never filled faults at 0. Then tvmm's
 * return-from-trap: out %al, $TVMM_PORT_IRET; iretq.
 */
void tvmm_trap_stubs(struct tvmm_vm *vm)
{
	uint8_t *p = gpa_to_hva(vm, TVMM_VMM_STUBS_GPA,
				IDT_GATES * TVMM_VMM_STUB_SIZE + 4);

	for (int v = 0; v < IDT_GATES; v++, p += TVMM_VMM_STUB_SIZE) {
		uint64_t next = TVMM_VMM_STUBS_GPA + (v + 1) * TVMM_VMM_STUB_SIZE;
		int32_t disp = TVMM_VMM_SLOTS_GPA + v * 8 - next;

		p[0] = 0xe6;
		p[1] = TVMM_PORT_TRAP;
		p[2] = 0xff;	/* jmp *disp32(%rip): ff /4, modrm 0x25 */
		p[3] = 0x25;
		memcpy(p + 4, &disp, 4);
	}
	p[0] = 0xe6;
	p[1] = TVMM_PORT_IRET;
	p[2] = 0x48;	/* REX.W */
	p[3] = 0xcf;	/* iret: iretq */
}

/* tvmm's table: the OS's gates, retargeted at the stubs. */
static void build_table(struct tvmm_vcpu *vcpu, const struct kvm_sregs *s)
{
	uint8_t *t = gpa_to_hva(vcpu->vm, TVMM_VMM_IDT_GPA, IDT_GATES * 16);
	uint64_t n = (s->idt.limit + 1ull) / 16;

	memset(t, 0, IDT_GATES * 16);
	for (uint64_t v = 0; v < n && v < IDT_GATES; v++, t += 16) {
		uint64_t stub = TVMM_VMM_STUBS_GPA + v * TVMM_VMM_STUB_SIZE;
		const uint8_t *g = tvmm_guest_ptr(vcpu, s->cr3,
						   s->idt.base + v * 16, 16);

		if (!g || !(g[5] & 0x80))
			continue;	/* not present stays not present */
		memcpy(t, g, 16);
		t[0] = stub & 0xff;
		t[1] = stub >> 8 & 0xff;
		t[2] = TVMM_SEL_KCODE;
		t[3] = 0;
		t[6] = stub >> 16 & 0xff;
		t[7] = stub >> 24 & 0xff;
		memset(t + 8, 0, 4);	/* stubs sit below 4 GiB */
	}
}

/* UCALL_FLOW: load tvmm's table for the fwd flow, the OS's otherwise. */
bool tvmm_trap_flow(struct tvmm_vcpu *vcpu, uint64_t flow)
{
	struct kvm_regs *r;
	struct kvm_sregs *s;
	bool ours;

	if (flow > TVMM_FLOW_PV) {
		vcpu_fail(vcpu, "unknown flow %llu", (unsigned long long)flow);
		return false;
	}
	if (!tvmm_regs_get(vcpu, &r, &s))
		return false;
	ours = s->idt.base == TVMM_VMM_IDT_GPA;
	if (flow == TVMM_FLOW_FWD && !ours) {
		vcpu->os_idt = s->idt;
		build_table(vcpu, s);
		s->idt.base = TVMM_VMM_IDT_GPA;
		s->idt.limit = IDT_GATES * 16 - 1;
	} else if (flow != TVMM_FLOW_FWD && ours) {
		s->idt = vcpu->os_idt;
	} else {
		return true;
	}
	tvmm_trace(vcpu, "flow %llu: IDT %#llx (the OS's is at %#llx)",
		   (unsigned long long)flow, s->idt.base, vcpu->os_idt.base);
	return tvmm_regs_put(vcpu, TVMM_SREGS);
}

/* An exit from stub N: trap N, forwarded to the OS's handler for N. */
bool tvmm_trap_forward(struct tvmm_vcpu *vcpu)
{
	struct kvm_regs *r;
	struct kvm_sregs *s;
	uint64_t off, handler, vec, *slot;

	if (!tvmm_regs_get(vcpu, &r, &s)) {
		vcpu->st.kind[EX_PIO_TRAP]++;
		return false;
	}
	off = r->rip - TVMM_VMM_STUBS_GPA;
	vec = off / TVMM_VMM_STUB_SIZE;
	if (r->rip < TVMM_VMM_STUBS_GPA || off >= IDT_GATES * TVMM_VMM_STUB_SIZE ||
	    off % TVMM_VMM_STUB_SIZE || s->idt.base != TVMM_VMM_IDT_GPA) {
		vcpu->st.kind[EX_PIO_TRAP]++;
		vcpu_fail(vcpu, "trap port used outside tvmm's trap table (RIP %#llx)",
			  r->rip);
		return false;
	}
	vcpu->st.kind[vec == 0x80 ? EX_PIO_TRAP : EX_PIO_TRAP_INTR]++;
	if (!tvmm_os_handler(vcpu, s->cr3, &vcpu->os_idt, vec, &handler))
		return false;
	/*
	 * Every vCPU shares tvmm's table and the OS's handlers: a slot is
	 * only ever written with the same value. RIP stays at the OUT, so
	 * KVM steps over it on the next KVM_RUN, as after a bare exit.
	 */
	slot = gpa_to_hva(vcpu->vm, TVMM_VMM_SLOTS_GPA + vec * 8, 8);
	__atomic_store_n(slot, handler, __ATOMIC_RELAXED);
	/*
	 * Only a system call returns through tvmm. An interrupt (the LAPIC
	 * timer while the OS idles in nanosleep) or exception comes through
	 * this table too and is forwarded the same way, but its handler
	 * returns with its own iretq: setting the flag for it would leave it
	 * set after that return.
	 */
	if (vec == 0x80)
		tvmm_pv(vcpu->vm)->in_forward[vcpu->id] = 1;
	tvmm_trace(vcpu, "IO trap %#llx forwarded to the OS handler %#llx",
		   (unsigned long long)vec, (unsigned long long)handler);
	return true;
}
