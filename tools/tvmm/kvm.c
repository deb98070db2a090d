// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kvm access, KVM selftests style: __kvm_ioctl() returns the raw
 * result; kvm_ioctl() dies naming the ioctl and errno. Opening the host
 * fails softly (a message, not an exit) so callers can SKIP or report
 * "cannot run here" with a reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "tvmm.h"

int __kvm_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

int kvm_ioctl_checked(int fd, unsigned long req, void *arg, const char *name)
{
	int r = ioctl(fd, req, arg);

	if (r < 0)
		die_errno("%s", name);
	return r;
}

static const char *open_hint(int e)
{
	switch (e) {
	case ENOENT:
		return "no KVM on this machine: load kvm-intel/kvm-amd or run in the VM rig";
	case ENXIO:
	case ENODEV:
		/* The node outlived its module, or was made by hand. */
		return "the device node exists but no driver is behind it: load kvm-intel or kvm-amd";
	case EACCES:
	case EPERM:
		return "are you in the kvm group?";
	default:
		return "not a usable KVM device";
	}
}

/* TVMM_KVM_DEVICE overrides the path (tests use it to fake a host without KVM). */
int tvmm_host_open(struct tvmm_host *h, char *err, size_t errlen)
{
	const char *dev = getenv("TVMM_KVM_DEVICE");
	int v;

	memset(h, 0, sizeof(*h));
	if (!dev || !*dev)
		dev = "/dev/kvm";
	h->kvm_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (h->kvm_fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s (%s)", dev,
			 strerror(errno), open_hint(errno));
		return -1;
	}
	v = __kvm_ioctl(h->kvm_fd, KVM_GET_API_VERSION, NULL);
	if (v != KVM_API_VERSION) {
		snprintf(err, errlen, "%s: KVM API version %d, want %d", dev,
			 v, KVM_API_VERSION);
		goto fail;
	}
	h->run_size = __kvm_ioctl(h->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (h->run_size < (int)sizeof(struct kvm_run)) {
		snprintf(err, errlen, "%s: bad vCPU mmap size %d", dev,
			 h->run_size);
		goto fail;
	}
	h->immediate_exit = __kvm_ioctl(h->kvm_fd, KVM_CHECK_EXTENSION,
					(void *)KVM_CAP_IMMEDIATE_EXIT) > 0;
	if (!h->immediate_exit) {
		snprintf(err, errlen,
			 "%s lacks KVM_CAP_IMMEDIATE_EXIT: tvmm could not stop a runaway guest safely",
			 dev);
		goto fail;
	}
	h->user_msr = __kvm_ioctl(h->kvm_fd, KVM_CHECK_EXTENSION,
				  (void *)KVM_CAP_X86_USER_SPACE_MSR) > 0 &&
		      __kvm_ioctl(h->kvm_fd, KVM_CHECK_EXTENSION,
				  (void *)KVM_CAP_X86_MSR_FILTER) > 0;
	v = __kvm_ioctl(h->kvm_fd, KVM_CHECK_EXTENSION,
			(void *)KVM_CAP_SYNC_REGS);
	h->sync_regs = v > 0 && (v & (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) ==
		       (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS);
	h->irqchip = __kvm_ioctl(h->kvm_fd, KVM_CHECK_EXTENSION,
				 (void *)KVM_CAP_IRQCHIP) > 0;
	tvmm_host_detect(h);
	return 0;
fail:
	close(h->kvm_fd);
	h->kvm_fd = -1;
	return -1;
}

void tvmm_host_close(struct tvmm_host *h)
{
	if (h->kvm_fd >= 0)
		close(h->kvm_fd);
	h->kvm_fd = -1;
}
