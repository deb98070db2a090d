// SPDX-License-Identifier: GPL-2.0
/* Error helpers and parsers shared by smpkit's tools (see util.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smpkit/util.h>

const char *smpkit_prog = "smpkit";

static void vmsg(const char *fmt, va_list ap, int err)
{
	fprintf(stderr, "%s: ", smpkit_prog);
	vfprintf(stderr, fmt, ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	exit(1);
}

void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, err);
	va_end(ap);
	exit(1);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
}

static bool parse_uint(const char **p, unsigned long *out)
{
	char *end;

	if (**p < '0' || **p > '9')
		return false;
	errno = 0;
	*out = strtoul(*p, &end, 10);
	if (errno)
		return false;
	*p = end;
	return true;
}

int parse_cpulist(const char *s, cpu_set_t *set, char *err, size_t errlen)
{
	const char *p = s;
	unsigned long lo, hi, stride, c;

	CPU_ZERO(set);
	if (!*p) {
		snprintf(err, errlen, "empty CPU list");
		return -1;
	}
	for (;;) {
		if (!parse_uint(&p, &lo))
			goto bad;
		hi = lo;
		stride = 1;
		if (*p == '-') {
			p++;
			if (!parse_uint(&p, &hi) || hi < lo)
				goto bad;
			if (*p == ':') {
				p++;
				if (!parse_uint(&p, &stride) || !stride)
					goto bad;
			}
		}
		if (hi >= CPU_SETSIZE) {
			snprintf(err, errlen, "CPU %lu is out of range", hi);
			return -1;
		}
		for (c = lo; c <= hi; c += stride)
			CPU_SET(c, set);
		if (!*p)
			return 0;
		if (*p++ != ',')
			goto bad;
	}
bad:
	snprintf(err, errlen, "bad CPU list '%s' (want e.g. 0-3,6)", s);
	return -1;
}

void format_cpulist(const cpu_set_t *set, char *buf, size_t len)
{
	size_t off = 0;
	int c = 0, lo;

	buf[0] = '\0';
	while (c < CPU_SETSIZE) {
		if (!CPU_ISSET(c, set)) {
			c++;
			continue;
		}
		lo = c;
		while (c + 1 < CPU_SETSIZE && CPU_ISSET(c + 1, set))
			c++;
		if (off < len)
			off += snprintf(buf + off, len - off, "%s%d", off ? "," : "", lo);
		if (c > lo && off < len)
			off += snprintf(buf + off, len - off, "-%d", c);
		c++;
	}
}

bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end == 'i' && shift)
		end++;
	if ((*end == 'B' || *end == 'b') && shift)
		end++;
	if (*end || (shift && v > (~0ull >> shift)))
		return false;
	*out = v << shift;
	return true;
}
