/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tvmm's internal interfaces: the host (/dev/kvm and what it can do), a
 * VM with its memory slot and vCPUs, per-vCPU exit statistics, ucall
 * reports and sync marks, and the run loop. One VM is independent of
 * every other (--vms N): nothing here is shared between VMs but the
 * read-only struct tvmm_host.
 */
#ifndef TVMM_H
#define TVMM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "guest/abi.h"

/* Exit codes of tvmm (the selftests read them). */
#define TVMM_EXIT_OK		0
#define TVMM_EXIT_GUEST		1	/* guest failed, faulted, asserted */
#define TVMM_EXIT_USAGE		2
#define TVMM_EXIT_TIMEOUT	3
#define TVMM_EXIT_UNSUPPORTED	4	/* this host cannot do it */
#define TVMM_EXIT_HOST		5	/* tvmm or KVM failed, not the guest */

#define TVMM_MAX_VMS		16
#define TVMM_MAX_REPORTS	32
#define TVMM_MAX_SYNCS		128	/* bench: 15 reps of 4 phases */
#define TVMM_LAST_EXITS		8

struct tvmm_host {
	int kvm_fd;
	int run_size;
	bool user_msr;		/* KVM_CAP_X86_USER_SPACE_MSR + filter */
	bool immediate_exit;
	bool sync_regs;		/* KVM_CAP_SYNC_REGS: registers in kvm_run */
	bool irqchip;		/* KVM_CAP_IRQCHIP: in-kernel LAPIC */
	bool pvm;		/* software virtualization: KVM PVM */
	bool svm;		/* kvm-amd */
	char kind[96];		/* "kvm-amd (SVM)", "KVM PVM (software)" */
	char mmu[96];		/* how guest memory is virtualized */
};

/*
 * The in-kernel irqchip: used wherever the host has one unless
 * --no-irqchip (HLT then exits to tvmm, which sleeps a tick); --irqchip
 * insists on it (no irqchip on the host: exit 4).
 */
enum { TVMM_IRQCHIP_AUTO, TVMM_IRQCHIP_ON, TVMM_IRQCHIP_OFF };

struct tvmm_config {
	uint64_t mem;
	unsigned int vcpus, vms;
	unsigned int timeout_s;
	bool trace, stats, zero_hint, quiet;
	bool ioctl_regs;	/* KVM_GET/SET_REGS even with SYNC_REGS */
	int irqchip;		/* TVMM_IRQCHIP_*: LAPIC timer and IPIs */
	const char *image;	/* NULL: the embedded guest */
	const char *scenario;
	uint64_t iters;
	uint32_t flows;		/* TVMM_F_TRY_DIRECT | _FWD | _PV */
	uint64_t reps;		/* bench: repetitions of each phase */
};

/* Every exit kind tvmm counts; names in stats.c. */
enum tvmm_exit_kind {
	EX_PIO_CONSOLE, EX_PIO_UCALL, EX_PIO_FWD, EX_PIO_IRET, EX_PIO_TRAP,
	EX_PIO_TRAP_INTR, EX_PIO_NULL, EX_MMIO_DEV,
	EX_MMIO_UNMAPPED, EX_HLT, EX_MSR_READ, EX_MSR_WRITE, EX_SHUTDOWN,
	EX_INTR, EX_OTHER, EX_NR
};

struct tvmm_stats {
	uint64_t exits;			/* every return from KVM_RUN */
	uint64_t kind[EX_NR];
	uint64_t idle_ns;		/* slept on HLT instead of spinning */
	/*
	 * What handling exits cost beyond KVM_RUN (regs.c): register sets
	 * handed back to KVM, which loads them on the next KVM_RUN (a
	 * segment set reloads every segment, CR and the APIC base), and
	 * register ioctls (--ioctl-regs, or no KVM_CAP_SYNC_REGS).
	 */
	uint64_t put_regs, put_sregs, reg_ioctls;
	uint64_t cpu_ns, wall_ns;	/* of the vCPU thread */
};

struct tvmm_report {
	char key[32];
	uint64_t val;
};

/* kvmstats.c: KVM's binary statistics of one VM or vCPU. */
struct tvmm_kstats {
	int fd;				/* -1: the host has none */
	unsigned int n;
	struct tvmm_kstat {
		char name[48];
		bool cumulative;	/* a count: show differences */
		uint32_t offset;	/* of its value in the stats file */
	} *d;
};

struct tvmm_sync {
	char stage[24];
	uint64_t *kvm;		/* the vCPU's KVM statistics then, or NULL */
	uint64_t arg, ns, exits, resident_pages;
	uint64_t cpu_ns;	/* the vCPU thread's CPU time then */
	uint64_t fwd_exits;	/* forwarding's: fwd, iret and trap-table */
	uint64_t put_regs, put_sregs, reg_ioctls;	/* the stats' then */
};

struct tvmm_last_exit {
	uint32_t reason;
	uint64_t rip, detail;
};

/*
 * FAILED: the guest's fault; HOST_FAILED: an ioctl or tvmm itself;
 * STOPPED: a sibling vCPU failed, so this one was stopped at once.
 */
enum tvmm_vcpu_state {
	VCPU_RUNNING, VCPU_DONE, VCPU_FAILED, VCPU_HOST_FAILED, VCPU_TIMEOUT,
	VCPU_STOPPED
};

/* Why struct tvmm_vm.stop was set. */
enum { STOP_NONE, STOP_TIMEOUT, STOP_SIBLING };

struct tvmm_vm;

struct tvmm_vcpu {
	struct tvmm_vm *vm;
	int id, fd;
	struct kvm_run *run;
	pthread_t thread;
	volatile enum tvmm_vcpu_state state;
	char error[512];
	struct tvmm_stats st;
	struct tvmm_report reports[TVMM_MAX_REPORTS];
	int nr_reports;
	struct tvmm_sync syncs[TVMM_MAX_SYNCS];
	int nr_syncs;
	struct tvmm_last_exit last[TVMM_LAST_EXITS];
	struct tvmm_xlate_rec {
		char what[40];
		uint64_t gva, gpa;
		bool mapped;
	} xlates[8];
	int nr_xlates;
	/* This exit's registers where KVM does not sync them (regs.c). */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_dtable os_idt;	/* the OS's IDT while tvmm's is loaded */
	struct tvmm_kstats ks;
	uint64_t *ks_before, *ks_after;	/* around the run */
	char con[256];			/* console line being assembled */
	int con_len;
	uint64_t run_start_ns;
};

struct tvmm_vm {
	int index, fd;
	const struct tvmm_host *host;
	const struct tvmm_config *cfg;
	uint8_t *mem;
	uint64_t mem_size;
	uint64_t entry, bss_end;
	uint32_t features;
	unsigned int nr_vcpus;
	struct tvmm_vcpu vcpus[TVMM_MAX_VCPUS];
	/* The tiny devices; each vCPU thread touches them under dev_lock. */
	pthread_mutex_t dev_lock;
	int stop;			/* __atomic STOP_*: the watchdog wants out */
	uint64_t mmio_scratch, mmio_counter, msr_value;
	struct tvmm_kstats ks;
	uint64_t *ks_before, *ks_after;
	FILE *out;
};

/* kvm.c: raw wrappers return -1/errno, the others die naming the ioctl. */
int __kvm_ioctl(int fd, unsigned long req, void *arg);
#define kvm_ioctl(fd, req, arg) \
	kvm_ioctl_checked(fd, req, (void *)(arg), #req)
int kvm_ioctl_checked(int fd, unsigned long req, void *arg, const char *name);
int tvmm_host_open(struct tvmm_host *h, char *err, size_t errlen);
void tvmm_host_close(struct tvmm_host *h);

/* host.c */
void tvmm_host_detect(struct tvmm_host *h);

/* vm.c */
struct tvmm_vm *tvmm_vm_create(const struct tvmm_host *h,
			       const struct tvmm_config *cfg, int index);
void tvmm_vm_destroy(struct tvmm_vm *vm);
void *gpa_to_hva(struct tvmm_vm *vm, uint64_t gpa, uint64_t len);
uint64_t tvmm_resident_pages(struct tvmm_vm *vm);

/* longmode.c */
void tvmm_setup_longmode(struct tvmm_vm *vm);
void tvmm_vcpu_setup(struct tvmm_vcpu *vcpu);
void tvmm_seg_kernel(struct kvm_sregs *s);

/* cpuid_msr.c */
void tvmm_set_cpuid(struct tvmm_vcpu *vcpu);
bool tvmm_setup_msr_filter(struct tvmm_vm *vm);

/* image.c */
struct tvmm_image {
	const uint8_t *data;
	size_t size;
	const struct tvmm_image_header *hdr;
	void *owned;
};
int tvmm_image_load(struct tvmm_image *img, const char *path, uint64_t mem,
		    char *err, size_t errlen);
int tvmm_image_validate(const struct tvmm_image *img, uint64_t mem,
			char *err, size_t errlen);
void tvmm_image_free(struct tvmm_image *img);
extern const uint8_t tvmm_guest_image[], tvmm_guest_image_end[];

/* exit.c */
bool tvmm_handle_exit(struct tvmm_vcpu *vcpu);
void vcpu_fail(struct tvmm_vcpu *vcpu, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vcpu_host_fail(struct tvmm_vcpu *vcpu, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tvmm_dump_state(struct tvmm_vcpu *vcpu);
void tvmm_trace(struct tvmm_vcpu *vcpu, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint64_t now_ns(void);
uint64_t thread_cpu_ns(void);

/* ucall.c */
bool tvmm_ucall(struct tvmm_vcpu *vcpu, uint32_t gpa);
const struct tvmm_report *tvmm_report(const struct tvmm_vcpu *vcpu,
				      const char *key);
const struct tvmm_sync *tvmm_sync(const struct tvmm_vcpu *vcpu,
				  const char *stage);
const struct tvmm_sync *tvmm_sync_nth(const struct tvmm_vcpu *vcpu,
				      const char *stage, int nth);
bool tvmm_span(const struct tvmm_vcpu *vcpu, const char *name,
	       uint64_t *wall_ns, uint64_t *cpu_ns);
int guest_string(struct tvmm_vm *vm, uint64_t gva, char *buf, size_t len);

/* regs.c */
void tvmm_regs_init(struct tvmm_vcpu *vcpu);
bool tvmm_regs_get(struct tvmm_vcpu *vcpu, struct kvm_regs **r,
		   struct kvm_sregs **s);
#define TVMM_REGS	1
#define TVMM_SREGS	2
bool tvmm_regs_put(struct tvmm_vcpu *vcpu, unsigned int which);

/* forward.c */
bool tvmm_forward_syscall(struct tvmm_vcpu *vcpu);
bool tvmm_forward_return(struct tvmm_vcpu *vcpu);
bool tvmm_os_handler(struct tvmm_vcpu *vcpu, uint64_t cr3,
		     const struct kvm_dtable *idt, unsigned int vec,
		     uint64_t *rip);
void *tvmm_guest_ptr(struct tvmm_vcpu *vcpu, uint64_t cr3, uint64_t gva,
		     uint64_t len);
volatile struct tvmm_pv *tvmm_pv(struct tvmm_vm *vm);

/* traptable.c */
void tvmm_trap_stubs(struct tvmm_vm *vm);
bool tvmm_trap_flow(struct tvmm_vcpu *vcpu, uint64_t flow);
bool tvmm_trap_forward(struct tvmm_vcpu *vcpu);

/* stats.c */
const char *tvmm_exit_name(enum tvmm_exit_kind k);
void tvmm_print_stats(struct tvmm_vm *vm);

/* kvmstats.c */
void tvmm_kstats_open(struct tvmm_kstats *k, int obj_fd);
bool tvmm_kstats_read(const struct tvmm_kstats *k, uint64_t *vals);
uint64_t *tvmm_kstats_snapshot(const struct tvmm_kstats *k);
int64_t tvmm_kstats_get(const struct tvmm_kstats *k, const uint64_t *a,
			const uint64_t *b, const char *name);
void tvmm_kstats_print(FILE *f, const char *prefix,
		       const struct tvmm_kstats *k, const uint64_t *a,
		       const uint64_t *b, double per);
void tvmm_kstats_close(struct tvmm_kstats *k);

/* xlate.c */
struct tvmm_xlate {
	uint64_t gva, cr3;
	uint64_t entry[4];	/* PML4E, PDPTE, PDE, PTE as read */
	int levels;		/* how many were read */
	bool mapped;
	uint64_t gpa, hva, hpfn;	/* hpfn 0: unknown (not root) */
	const char *fault;	/* why the walk stopped */
};
int tvmm_walk(struct tvmm_vm *vm, uint64_t cr3, uint64_t gva,
	      struct tvmm_xlate *x);
int tvmm_xlate(struct tvmm_vm *vm, uint64_t cr3, uint64_t gva,
	       struct tvmm_xlate *x);
void tvmm_xlate_print(FILE *f, const struct tvmm_xlate *x, const char *what);

/* run.c */
int tvmm_run_vms(const struct tvmm_host *h, const struct tvmm_config *cfg,
		 struct tvmm_vm **vms);
int tvmm_create_vms(const struct tvmm_config *cfg, struct tvmm_vm **vms,
		    unsigned int *nvms, struct tvmm_host *h);
int tvmm_run(const struct tvmm_config *cfg, struct tvmm_vm **vms,
	     unsigned int *nvms, struct tvmm_host *h);
void tvmm_config_default(struct tvmm_config *cfg);
bool tvmm_wants_irqchip(const struct tvmm_config *cfg,
			const struct tvmm_host *h);
bool tvmm_scenario_known(const char *name);

#endif /* TVMM_H */
