// SPDX-License-Identifier: GPL-2.0
/* finit_module/delete_module wrappers: the syscalls give exact errnos. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kmod.h"
#include "ktap.h"

int kmod_load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params ? params : "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

int kmod_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

bool kmod_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

void kmod_need_wsched(void)
{
	int ret;

	if (kmod_loaded("wsched"))
		return;
	if (access(WSCHED_KO, F_OK))
		ktap_skip_all("%s not found (not in the VM rig?)", WSCHED_KO);
	ret = kmod_load(WSCHED_KO, NULL);
	if (ret == -EPERM || ret == -ENOSYS)
		ktap_skip_all("cannot load modules here: %s", strerror(-ret));
	if (ret) {
		printf("Bail out! insmod %s: %s\n", WSCHED_KO, strerror(-ret));
		exit(KTAP_FAIL);
	}
}

int wsched_counter(const char *name)
{
	FILE *f = fopen("/sys/kernel/debug/wsched/counters", "r");
	char key[32];
	int v, ret = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%31s %d", key, &v) == 2)
		if (!strcmp(key, name))
			ret = v;
	fclose(f);
	return ret;
}
