// SPDX-License-Identifier: GPL-2.0
/*
 * Guest images: the embedded mini-OS or a flat file with a struct
 * tvmm_image_header at offset 0. Everything is checked before a single
 * byte reaches guest memory: size, magic, load address, entry point
 * inside the loaded bytes, zeroed memory inside guest memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tvmm.h"

int tvmm_image_validate(const struct tvmm_image *img, uint64_t mem,
			char *err, size_t errlen)
{
	const struct tvmm_image_header *h = img->hdr;

	if (img->size < sizeof(*h)) {
		snprintf(err, errlen, "image is %zu bytes: too small for the %zu-byte header",
			 img->size, sizeof(*h));
		return -1;
	}
	if (memcmp(h->magic, TVMM_IMAGE_MAGIC, sizeof(h->magic))) {
		snprintf(err, errlen, "not a tvmm image (no \"%s\" magic)",
			 TVMM_IMAGE_MAGIC);
		return -1;
	}
	if (h->load != TVMM_LOAD_GPA) {
		snprintf(err, errlen, "image load address 0x%llx, tvmm loads at 0x%llx",
			 (unsigned long long)h->load,
			 (unsigned long long)TVMM_LOAD_GPA);
		return -1;
	}
	if (h->end < h->load || h->end - h->load != img->size) {
		snprintf(err, errlen, "image header says %lld bytes, the file has %zu",
			 (long long)(h->end - h->load), img->size);
		return -1;
	}
	if (h->bss_end < h->end || h->bss_end > mem) {
		snprintf(err, errlen, "image needs memory up to 0x%llx, the guest has 0x%llx",
			 (unsigned long long)h->bss_end,
			 (unsigned long long)mem);
		return -1;
	}
	if (h->entry < h->load + sizeof(*h) || h->entry >= h->end) {
		snprintf(err, errlen, "entry point 0x%llx is outside the loaded image [0x%llx, 0x%llx)",
			 (unsigned long long)h->entry,
			 (unsigned long long)h->load + sizeof(*h),
			 (unsigned long long)h->end);
		return -1;
	}
	return 0;
}

int tvmm_image_load(struct tvmm_image *img, const char *path, uint64_t mem,
		    char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd;

	memset(img, 0, sizeof(*img));
	if (!path) {
		img->data = tvmm_guest_image;
		img->size = tvmm_guest_image_end - tvmm_guest_image;
		img->hdr = (const void *)img->data;
		return tvmm_image_validate(img, mem, err, errlen);
	}
	/*
	 * O_NONBLOCK: opening a FIFO (or a tty, or some devices) for read
	 * otherwise blocks until a writer comes, before fstat() can refuse
	 * it. A regular file's reads ignore the flag.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > TVMM_IMAGE_MAX ||
	    (uint64_t)st.st_size > mem - TVMM_LOAD_GPA) {
		snprintf(err, errlen, "%s: %lld bytes is too big (at most %llu, and it must fit guest memory)",
			 path, (long long)st.st_size,
			 (unsigned long long)TVMM_IMAGE_MAX);
		goto fail;
	}
	/* 8-byte aligned: the header is read in place. */
	img->owned = calloc(1, st.st_size + 8);
	if (!img->owned) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	n = read(fd, img->owned, st.st_size);
	if (n != st.st_size) {
		snprintf(err, errlen, "%s: short read", path);
		goto fail;
	}
	close(fd);
	img->data = img->owned;
	img->size = st.st_size;
	img->hdr = img->owned;
	if (tvmm_image_validate(img, mem, err, errlen)) {
		size_t l = strlen(err);

		snprintf(err + l, errlen - l, " (%s)", path);
		tvmm_image_free(img);
		return -1;
	}
	return 0;
fail:
	close(fd);
	tvmm_image_free(img);
	return -1;
}

void tvmm_image_free(struct tvmm_image *img)
{
	free(img->owned);
	img->owned = NULL;
}
