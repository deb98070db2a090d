// SPDX-License-Identifier: GPL-2.0
/*
 * Running VMs: load the image, build long mode, start one thread per
 * vCPU (each VM independent, --vms N at once), and a watchdog that
 * stops every vCPU at --timeout with immediate_exit plus a signal, so a
 * runaway guest never hangs tvmm, and stops a VM's other vCPUs as soon
 * as one of them failed. Exit code: the worst vCPU's outcome.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "tvmm.h"

void tvmm_vm_add_vcpus(struct tvmm_vm *vm);

static const char *const scenarios[] = {
	"demo", "bench", "zero", "xlate", "idle", "busy", "smp", "runaway",
	"unmapped", "triple-fault", "kernel-fault", "assert", "smp-fwd",
	"smp-fail", "idle-spin", "ipi", NULL,
};

bool tvmm_scenario_known(const char *name)
{
	for (int i = 0; scenarios[i]; i++)
		if (!strcmp(scenarios[i], name))
			return true;
	return false;
}

/* Scenarios that cannot run without interrupts. */
static bool needs_irqchip(const char *scenario)
{
	return !strcmp(scenario, "idle-spin") || !strcmp(scenario, "ipi");
}

/* Whether @cfg's VMs get the in-kernel irqchip on host @h. */
bool tvmm_wants_irqchip(const struct tvmm_config *cfg,
			const struct tvmm_host *h)
{
	if (cfg->irqchip == TVMM_IRQCHIP_OFF)
		return false;
	return h->irqchip || cfg->irqchip == TVMM_IRQCHIP_ON ||
	       needs_irqchip(cfg->scenario);
}

void tvmm_config_default(struct tvmm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem = 64ull << 20;
	cfg->vcpus = 1;
	cfg->vms = 1;
	cfg->timeout_s = 30;
	cfg->zero_hint = true;
	cfg->scenario = "demo";
	cfg->iters = 10;
	cfg->reps = 1;
	cfg->flows = TVMM_F_TRY_DIRECT | TVMM_F_TRY_FWD | TVMM_F_TRY_PV;
}

static void *vcpu_thread(void *arg)
{
	struct tvmm_vcpu *vcpu = arg;
	uint64_t c0 = thread_cpu_ns();

	vcpu->ks_before = tvmm_kstats_snapshot(&vcpu->ks);
	vcpu->run_start_ns = now_ns();
	while (vcpu->state == VCPU_RUNNING) {
		int stop = __atomic_load_n(&vcpu->vm->stop, __ATOMIC_SEQ_CST);

		if (stop) {
			vcpu->state = stop == STOP_SIBLING ? VCPU_STOPPED :
				      VCPU_TIMEOUT;
			break;
		}
		if (__kvm_ioctl(vcpu->fd, KVM_RUN, NULL) < 0) {
			vcpu->st.exits++;
			if (errno == EINTR || errno == EAGAIN) {
				vcpu->st.kind[EX_INTR]++;
				continue;
			}
			vcpu_host_fail(vcpu, "KVM_RUN: %s", strerror(errno));
			break;
		}
		vcpu->st.exits++;
		if (!tvmm_handle_exit(vcpu))
			break;
	}
	vcpu->st.wall_ns = now_ns() - vcpu->run_start_ns;
	vcpu->st.cpu_ns = thread_cpu_ns() - c0;
	vcpu->ks_after = tvmm_kstats_snapshot(&vcpu->ks);
	return NULL;
}

static void on_kick(int sig)
{
	(void)sig;	/* only to make KVM_RUN return -EINTR */
}

static void load(struct tvmm_vm *vm, const struct tvmm_image *img)
{
	struct tvmm_bootinfo *bi = gpa_to_hva(vm, TVMM_BOOTINFO_GPA, sizeof(*bi));
	const struct tvmm_config *cfg = vm->cfg;

	memcpy(vm->mem + TVMM_LOAD_GPA, img->data, img->size);
	vm->entry = img->hdr->entry;
	vm->bss_end = img->hdr->bss_end;
	tvmm_setup_longmode(vm);
	bi->mem_size = vm->mem_size;
	bi->free_start = (vm->bss_end + 4095) & ~4095ull;
	bi->nr_vcpus = vm->nr_vcpus;
	bi->iters = cfg->iters;
	bi->reps = cfg->reps;
	snprintf(bi->scenario, sizeof(bi->scenario), "%s", cfg->scenario);
	if (cfg->zero_hint)
		vm->features |= TVMM_F_ZERO_HINT;
	vm->features |= cfg->flows;
	bi->features = vm->features;
	tvmm_vm_add_vcpus(vm);
	/* The guest times IPIs and calibrates its LAPIC timer with it. */
	bi->tsc_khz = (uint64_t)__kvm_ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ,
					    NULL);
	if ((int64_t)bi->tsc_khz < 0)
		bi->tsc_khz = 0;
}

/* Exit codes from least to most serious: the run reports the worst. */
static int worse(int a, int b)
{
	static const int rank[] = {
		[TVMM_EXIT_OK] = 0, [TVMM_EXIT_TIMEOUT] = 1,
		[TVMM_EXIT_GUEST] = 2, [TVMM_EXIT_HOST] = 3,
	};

	return rank[b] > rank[a] ? b : a;
}

static int outcome(struct tvmm_vm *vm)
{
	int worst = TVMM_EXIT_OK;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct tvmm_vcpu *v = &vm->vcpus[i];
		struct kvm_regs r;

		switch (v->state) {
		case VCPU_FAILED:
			fprintf(stderr, "tvmm: vm%d/cpu%d: %s\n", vm->index, i,
				v->error);
			tvmm_dump_state(v);
			worst = worse(worst, TVMM_EXIT_GUEST);
			break;
		case VCPU_HOST_FAILED:
			fprintf(stderr, "tvmm: vm%d/cpu%d: host failure (not the guest's): %s\n",
				vm->index, i, v->error);
			worst = worse(worst, TVMM_EXIT_HOST);
			break;
		case VCPU_STOPPED:
			fprintf(stderr, "tvmm: vm%d/cpu%d: stopped because another vCPU of this VM failed\n",
				vm->index, i);
			break;
		case VCPU_TIMEOUT:
			if (__kvm_ioctl(v->fd, KVM_GET_REGS, &r))
				r.rip = 0;
			fprintf(stderr, "tvmm: vm%d/cpu%d: guest did not finish within --timeout %u s (stopped at RIP %#llx)\n",
				vm->index, i, vm->cfg->timeout_s,
				(unsigned long long)r.rip);
			worst = worse(worst, TVMM_EXIT_TIMEOUT);
			break;
		default:
			break;
		}
	}
	return worst;
}

static bool all_stopped(struct tvmm_vm **vms, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int c = 0; c < vms[i]->nr_vcpus; c++)
			if (vms[i]->vcpus[c].state == VCPU_RUNNING)
				return false;
	return true;
}

static bool vm_failed(struct tvmm_vm *vm)
{
	for (unsigned int c = 0; c < vm->nr_vcpus; c++)
		if (vm->vcpus[c].state == VCPU_FAILED ||
		    vm->vcpus[c].state == VCPU_HOST_FAILED)
			return true;
	return false;
}

/*
 * Asks @vm's vCPUs to stop for @why (the first reason given sticks) and
 * kicks those still in KVM_RUN out of it: immediate_exit for a vCPU
 * about to enter, the signal for one inside. A vCPU thread reads
 * vm->stop before each KVM_RUN, so a kick it misses is caught there.
 */
static void stop_vm(struct tvmm_vm *vm, int why)
{
	int none = STOP_NONE;

	__atomic_compare_exchange_n(&vm->stop, &none, why, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	for (unsigned int c = 0; c < vm->nr_vcpus; c++) {
		struct tvmm_vcpu *v = &vm->vcpus[c];

		if (v->state != VCPU_RUNNING)
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(v->thread, SIGUSR1);
	}
}

/* Runs every vCPU of @vms to completion or timeout. */
int tvmm_run_vms(const struct tvmm_host *h, const struct tvmm_config *cfg,
		 struct tvmm_vm **vms)
{
	struct sigaction sa = { .sa_handler = on_kick };
	uint64_t deadline = now_ns() + cfg->timeout_s * 1000000000ull;
	uint64_t hard = deadline + 5000000000ull;
	int worst = TVMM_EXIT_OK;

	(void)h;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	for (unsigned int i = 0; i < cfg->vms; i++)
		vms[i]->ks_before = tvmm_kstats_snapshot(&vms[i]->ks);
	for (unsigned int i = 0; i < cfg->vms; i++)
		for (unsigned int c = 0; c < vms[i]->nr_vcpus; c++)
			if (pthread_create(&vms[i]->vcpus[c].thread, NULL,
					   vcpu_thread, &vms[i]->vcpus[c]))
				die("cannot start a vCPU thread");
	while (!all_stopped(vms, cfg->vms)) {
		struct timespec ts = { 0, 2000000 };
		uint64_t t = now_ns();

		if (t > hard) {
			/* A vCPU stuck in KVM_RUN despite the kicks. */
			fprintf(stderr, "tvmm: a vCPU did not stop 5 s after the timeout; giving up\n");
			_exit(TVMM_EXIT_TIMEOUT);
		}
		/* Kicks repeat every round: one may race with an exit. */
		for (unsigned int i = 0; i < cfg->vms; i++) {
			if (t > deadline)
				stop_vm(vms[i], STOP_TIMEOUT);
			else if (vms[i]->stop || vm_failed(vms[i]))
				stop_vm(vms[i], STOP_SIBLING);
		}
		nanosleep(&ts, NULL);
	}
	for (unsigned int i = 0; i < cfg->vms; i++) {
		for (unsigned int c = 0; c < vms[i]->nr_vcpus; c++)
			pthread_join(vms[i]->vcpus[c].thread, NULL);
		vms[i]->ks_after = tvmm_kstats_snapshot(&vms[i]->ks);
	}
	for (unsigned int i = 0; i < cfg->vms; i++)
		worst = worse(worst, outcome(vms[i]));
	return worst;
}

static int check_config(const struct tvmm_config *cfg)
{
	if (cfg->mem < TVMM_MEM_MIN || cfg->mem > TVMM_MEM_MAX || cfg->mem % (2u << 20)) {
		warnx_("--mem must be a multiple of 2M between 4M and 1G");
		return -1;
	}
	if (!cfg->vcpus || cfg->vcpus > TVMM_MAX_VCPUS) {
		warnx_("--vcpus must be 1 to %d", TVMM_MAX_VCPUS);
		return -1;
	}
	if (!cfg->vms || cfg->vms > TVMM_MAX_VMS) {
		warnx_("--vms must be 1 to %d", TVMM_MAX_VMS);
		return -1;
	}
	if (!cfg->timeout_s) {
		warnx_("--timeout must be at least 1 s");
		return -1;
	}
	if (!tvmm_scenario_known(cfg->scenario)) {
		warnx_("unknown scenario '%s'", cfg->scenario);
		return -1;
	}
	if (cfg->irqchip == TVMM_IRQCHIP_OFF && needs_irqchip(cfg->scenario)) {
		warnx_("scenario '%s' needs interrupts: not with --no-irqchip",
		       cfg->scenario);
		return -1;
	}
	return 0;
}

/*
 * Creates and loads the VMs: *vms holds them and the host stays open in
 * @h, also on failure (the caller destroys what *nvms counts).
 */
int tvmm_create_vms(const struct tvmm_config *cfg, struct tvmm_vm **vms,
		    unsigned int *nvms, struct tvmm_host *h)
{
	struct tvmm_image img;
	char err[512];

	/* From here on a die() is tvmm's or KVM's failure, not the guest's. */
	smpkit_die_status = TVMM_EXIT_HOST;
	*nvms = 0;
	if (check_config(cfg))
		return TVMM_EXIT_USAGE;
	if (tvmm_image_load(&img, cfg->image, cfg->mem, err, sizeof(err))) {
		warnx_("bad guest image: %s", err);
		return TVMM_EXIT_USAGE;
	}
	if (tvmm_host_open(h, err, sizeof(err))) {
		tvmm_image_free(&img);
		warnx_("%s", err);
		return TVMM_EXIT_UNSUPPORTED;
	}
	if (tvmm_wants_irqchip(cfg, h) && !h->irqchip) {
		tvmm_image_free(&img);
		warnx_("this KVM has no in-kernel irqchip (KVM_CAP_IRQCHIP): no timer, no IPIs");
		return TVMM_EXIT_UNSUPPORTED;
	}
	for (unsigned int i = 0; i < cfg->vms; i++) {
		vms[i] = tvmm_vm_create(h, cfg, i);
		load(vms[i], &img);
		*nvms = i + 1;
	}
	tvmm_image_free(&img);
	return TVMM_EXIT_OK;
}

/* Creates and runs the VMs; the caller reads their stats, then destroys them. */
int tvmm_run(const struct tvmm_config *cfg, struct tvmm_vm **vms,
	     unsigned int *nvms, struct tvmm_host *h)
{
	int rc = tvmm_create_vms(cfg, vms, nvms, h);

	return rc ? rc : tvmm_run_vms(h, cfg, vms);
}
