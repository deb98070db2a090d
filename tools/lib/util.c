// SPDX-License-Identifier: GPL-2.0
/* Error helpers and parsers shared by smpkit's tools (see util.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smpkit/util.h>

const char *smpkit_prog = "smpkit";
int smpkit_die_status = 1;

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
	exit(smpkit_die_status);
}

void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, err);
	va_end(ap);
	exit(smpkit_die_status);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
}

/*
 * One number of a cpulist. The leading digit is required because strtoul
 * would also take blanks, a sign and "-1" (as ULONG_MAX); ERANGE is its
 * only report of a number past ULONG_MAX, which it saturates.
 */
enum { NUM_OK, NUM_SYNTAX, NUM_RANGE };

static int cpulist_num(const char **p, unsigned long *out)
{
	char *end;

	if (**p < '0' || **p > '9')
		return NUM_SYNTAX;
	errno = 0;
	*out = strtoul(*p, &end, 10);
	if (errno == ERANGE)
		return NUM_RANGE;
	if (errno)
		return NUM_SYNTAX;
	*p = end;
	return NUM_OK;
}

int parse_cpulist(const char *s, cpu_set_t *set, char *err, size_t errlen)
{
	const char *p = s;
	unsigned long lo, hi, stride, c;
	int r;

	CPU_ZERO(set);
	if (!*p) {
		snprintf(err, errlen, "empty CPU list");
		return -1;
	}
	for (;;) {
		r = cpulist_num(&p, &lo);
		if (r)
			goto bad;
		hi = lo;
		stride = 1;
		if (*p == '-') {
			p++;
			r = cpulist_num(&p, &hi);
			if (r)
				goto bad;
			if (hi < lo)
				goto syntax;
			if (*p == ':') {
				p++;
				r = cpulist_num(&p, &stride);
				if (r)
					goto bad;
				/*
				 * A stride past the CPU limit can only name
				 * lo: a typo, or a number chosen to wrap
				 * "c += stride" back to CPU 0.
				 */
				if (!stride || stride >= CPU_SETSIZE) {
					snprintf(err, errlen,
						 "stride %lu in '%s' is out of range (1..%d)",
						 stride, s, CPU_SETSIZE - 1);
					return -1;
				}
			}
		}
		if (hi >= CPU_SETSIZE) {
			snprintf(err, errlen, "CPU %lu is out of range (0..%d)",
				 hi, CPU_SETSIZE - 1);
			return -1;
		}
		/* Stop before c passes hi, so c never wraps. */
		for (c = lo;; c += stride) {
			CPU_SET(c, set);
			if (hi - c < stride)
				break;
		}
		if (!*p)
			return 0;
		if (*p++ != ',')
			goto syntax;
	}
bad:
	if (r == NUM_RANGE) {
		snprintf(err, errlen, "a number in CPU list '%s' is out of range",
			 s);
		return -1;
	}
syntax:
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

bool find_exe(const char *name, char *out, size_t len)
{
	const char *p = getenv("PATH"), *e;

	if (strchr(name, '/'))
		return snprintf(out, len, "%s", name) < (int)len && !access(out, X_OK);
	for (; p && *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, ':');
		if (snprintf(out, len, "%.*s/%s", (int)(e - p), p, name) < (int)len &&
		    !access(out, X_OK))
			return true;
	}
	return false;
}
