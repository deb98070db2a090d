// SPDX-License-Identifier: GPL-2.0
/* module_test: wsched.ko loads, answers its version ioctl, rejects bad
 * ioctls with the right errno, and unloads cleanly twice in a row. */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uapi/wsched.h>

#include "kmod.h"
#include "ktap.h"

static void load_unload(int round)
{
	int ret;

	ret = kmod_load(WSCHED_KO, NULL);
	ktap_ok(ret == 0, "round %d: insmod (%s)", round, strerror(-ret));
	ktap_ok(access(WSCHED_DEVICE, F_OK) == 0, "round %d: %s exists",
		round, WSCHED_DEVICE);
	ret = kmod_unload("wsched");
	ktap_ok(ret == 0, "round %d: rmmod (%s)", round, strerror(-ret));
	ktap_ok(access(WSCHED_DEVICE, F_OK) != 0, "round %d: %s is gone",
		round, WSCHED_DEVICE);
}

static void ioctls(void)
{
	struct wsched_version v = { .size = sizeof(v) };
	void *unmapped;
	int fd, ret;

	fd = open(WSCHED_DEVICE, O_RDWR | O_CLOEXEC);
	ktap_ok(fd >= 0, "open %s", WSCHED_DEVICE);

	ret = ioctl(fd, WSCHED_IOC_VERSION, &v);
	ktap_ok(ret == 0 && v.major == WSCHED_ABI_MAJOR && v.max_cpus > 0,
		"version ioctl: %u.%u, max_cpus %u", v.major, v.minor,
		v.max_cpus);

	ret = ioctl(fd, _IOWR(WSCHED_IOC_MAGIC, 0x7f, struct wsched_version), &v);
	ktap_ok(ret == -1 && errno == ENOTTY, "unknown ioctl gives ENOTTY");
	ret = ioctl(fd, 0x1234, &v);
	ktap_ok(ret == -1 && errno == ENOTTY, "foreign ioctl gives ENOTTY");

	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ret = ioctl(fd, WSCHED_IOC_VERSION, unmapped);
	ktap_ok(ret == -1 && errno == EFAULT, "unmapped pointer gives EFAULT");
	ret = ioctl(fd, WSCHED_IOC_VERSION, (void *)0xffff880000000000ull);
	ktap_ok(ret == -1 && errno == EFAULT, "kernel pointer gives EFAULT");
	munmap(unmapped, 4096);

	v.size = sizeof(v) - 8;
	ret = ioctl(fd, WSCHED_IOC_VERSION, &v);
	ktap_ok(ret == -1 && errno == EINVAL, "wrong size gives EINVAL");
	v.size = sizeof(v);
	v.reserved[1] = 1;
	ret = ioctl(fd, WSCHED_IOC_VERSION, &v);
	ktap_ok(ret == -1 && errno == EINVAL, "reserved not zero gives EINVAL");

	ret = kmod_unload("wsched");
	ktap_ok(ret == -EWOULDBLOCK || ret == -EBUSY,
		"rmmod while /dev/wsched is open is refused (%s)",
		strerror(-ret));
	close(fd);
}

int main(void)
{
	if (access(WSCHED_KO, F_OK))
		ktap_skip_all("%s not found: runs in the VM rig", WSCHED_KO);
	if (kmod_loaded("wsched") && kmod_unload("wsched"))
		ktap_skip_all("wsched is loaded and busy");
	ktap_plan(4 + 9 + 2 + 4);
	load_unload(1);
	ktap_ok(kmod_load(WSCHED_KO, NULL) == 0, "insmod for the ioctl cases");
	ioctls();
	ktap_ok(kmod_unload("wsched") == 0, "rmmod after close");
	load_unload(2);
	return ktap_finish();
}
