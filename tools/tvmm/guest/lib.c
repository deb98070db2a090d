// SPDX-License-Identifier: GPL-2.0
/*
 * Freestanding helpers of the guest kernel: the few string functions the
 * compiler may call, the console (one OUT per character: each one is a
 * port I/O exit) and the ucall channel (one OUT per call, GPA in eax).
 */
#include "guest.h"

void *memset(void *s, int c, size_t n)
{
	asm volatile("rep stosb" : "+D"(s), "+c"(n) : "a"(c) : "memory");
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *ret = d;

	asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return ret;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		outb(TVMM_PORT_CONSOLE, s[i]);
}

void kprint(const char *s)
{
	console_write(s, strlen(s));
}

/*
 * The kernel runs identity-mapped, so the stack address of @uc is also
 * its guest-physical address; it fits the 32 bits of an outl because
 * guest memory ends below 1 GiB.
 */
void ucall(uint64_t cmd, const char *file, int line, const char *msg,
	   uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct tvmm_ucall uc = {
		.cmd = cmd,
		.line = line,
		.file = (uint64_t)file,
		.msg = (uint64_t)msg,
		.args = { a0, a1, a2, a3 },
	};

	outl(TVMM_PORT_UCALL, (uint32_t)(uint64_t)&uc);
}
