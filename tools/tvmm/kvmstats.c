// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's own statistics of a VM or a vCPU (KVM_GET_STATS_FD, Linux 5.14+):
 * what KVM handled without tvmm ever seeing an exit - page faults fixed
 * under shadow or nested paging, invlpg, HLT, every exit counted - read
 * before and after a run and at each SYNC, printed beside tvmm's own
 * counters. Only scalar statistics are kept (histograms are left out).
 * A host without the capability reads nothing and prints nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "tvmm.h"

void tvmm_kstats_open(struct tvmm_kstats *k, int obj_fd)
{
	struct kvm_stats_header h;
	char *descs = NULL;
	size_t dsz;

	memset(k, 0, sizeof(*k));
	k->fd = __kvm_ioctl(obj_fd, KVM_GET_STATS_FD, NULL);
	if (k->fd < 0)
		return;
	if (pread(k->fd, &h, sizeof(h), 0) != sizeof(h) || !h.num_desc ||
	    h.num_desc > 4096 || h.name_size > 256)
		goto none;
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = calloc(h.num_desc, dsz);
	k->d = calloc(h.num_desc, sizeof(*k->d));
	if (!descs || !k->d)
		die("out of memory");
	if (pread(k->fd, descs, h.num_desc * dsz, h.desc_offset) !=
	    (ssize_t)(h.num_desc * dsz))
		goto none;
	for (unsigned int i = 0; i < h.num_desc; i++) {
		const struct kvm_stats_desc *d = (void *)(descs + i * dsz);
		unsigned int type = d->flags & KVM_STATS_TYPE_MASK;

		if (d->size != 1 || type > KVM_STATS_TYPE_PEAK)
			continue;
		snprintf(k->d[k->n].name, sizeof(k->d[k->n].name), "%.*s",
			 (int)h.name_size, d->name);
		k->d[k->n].cumulative = type == KVM_STATS_TYPE_CUMULATIVE;
		k->d[k->n].offset = h.data_offset + d->offset;
		k->n++;
	}
	free(descs);
	return;
none:
	free(descs);
	tvmm_kstats_close(k);
}

/* @vals gets one value per kept statistic; false when none are kept. */
bool tvmm_kstats_read(const struct tvmm_kstats *k, uint64_t *vals)
{
	if (k->fd < 0 || !k->n)
		return false;
	/* One pread each: the values are a few dozen u64s, not contiguous. */
	for (unsigned int i = 0; i < k->n; i++)
		if (pread(k->fd, &vals[i], 8, k->d[i].offset) != 8)
			vals[i] = 0;
	return true;
}

uint64_t *tvmm_kstats_snapshot(const struct tvmm_kstats *k)
{
	uint64_t *v;

	if (k->fd < 0 || !k->n)
		return NULL;
	v = calloc(k->n, sizeof(*v));
	if (!v)
		die("out of memory");
	tvmm_kstats_read(k, v);
	return v;
}

/* The value of @name between two snapshots (a delta if cumulative); -1: none. */
int64_t tvmm_kstats_get(const struct tvmm_kstats *k, const uint64_t *a,
			const uint64_t *b, const char *name)
{
	for (unsigned int i = 0; a && b && i < k->n; i++)
		if (!strcmp(k->d[i].name, name))
			return k->d[i].cumulative ? (int64_t)(b[i] - a[i]) :
						    (int64_t)b[i];
	return -1;
}

/*
 * "@prefix name=value ...": every statistic that moved between @a and
 * @b (cumulative ones as the difference, the others as @b's value),
 * divided by @per when it is not 1.
 */
void tvmm_kstats_print(FILE *f, const char *prefix,
		       const struct tvmm_kstats *k, const uint64_t *a,
		       const uint64_t *b, double per)
{
	if (!a || !b)
		return;
	fprintf(f, "%s", prefix);
	for (unsigned int i = 0; i < k->n; i++) {
		uint64_t v = k->d[i].cumulative ? b[i] - a[i] : b[i];

		if (!v)
			continue;
		if (per == 1)
			fprintf(f, " %s=%llu", k->d[i].name,
				(unsigned long long)v);
		else
			fprintf(f, " %s=%.3g", k->d[i].name, v / per);
	}
	fputc('\n', f);
}

void tvmm_kstats_close(struct tvmm_kstats *k)
{
	if (k->fd > 0)	/* 0: never opened (a calloc'ed vCPU) */
		close(k->fd);
	free(k->d);
	k->d = NULL;
	k->n = 0;
	k->fd = -1;
}
