// SPDX-License-Identifier: GPL-2.0
/*
 * The redis backend of the closed-loop driver: RESP over TCP, SET and
 * GET as arrays of bulk strings. Each lane is its own connection with
 * one command in flight, not W commands pipelined on one: so redis sees
 * the same W clients that our nodes and etcd see, each waiting for its
 * answer, and the latency is one command's (redis-benchmark -c W without
 * -P does the same). A SET must answer +OK and a GET a bulk string (or
 * nil); -ERR is the server's refusal; anything else is malformed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "drive.h"

#define LINE_MAX_	512	/* a status line or a length, at most */

static size_t request(struct kv_drive *d, struct kv_lane *ln)
{
	size_t kl = strlen(ln->kname), vl = strlen(ln->val);
	int n;

	(void)d;
	if (ln->put)
		n = snprintf((char *)ln->out, sizeof(ln->out),
			     "*3\r\n$3\r\nSET\r\n$%zu\r\n%s\r\n$%zu\r\n%s\r\n",
			     kl, ln->kname, vl, ln->val);
	else
		n = snprintf((char *)ln->out, sizeof(ln->out),
			     "*2\r\n$3\r\nGET\r\n$%zu\r\n%s\r\n", kl, ln->kname);
	return n > 0 && (size_t)n < sizeof(ln->out) ? n : 0;
}

/* The first line's length with its CRLF, 0 when not all here, -1 if too long. */
static long line_end(const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && i < LINE_MAX_; i++)
		if (b[i] == '\r' && b[i + 1] == '\n')
			return i + 2;
	return len >= LINE_MAX_ ? -1 : 0;
}

static enum kv_verdict reply(struct kv_drive *d, struct kv_lane *ln,
			     size_t *used)
{
	const char *b = (const char *)ln->in;
	long e = line_end(ln->in, ln->ilen), n;
	char *end;

	if (e < 0)
		goto bad;
	if (!e)
		return KV_V_MORE;
	*used = e;
	if (b[0] == '-') {
		kv_drive_note(d, "redis: %.*s", kv_printable(ln->in, e), b);
		return KV_V_ERR;
	}
	if (ln->put) {
		if (e == 5 && !memcmp(b, "+OK", 3))
			return KV_V_OK;
		goto bad;
	}
	if (b[0] != '$' || (b[1] != '-' && (b[1] < '0' || b[1] > '9')))
		goto bad;
	n = strtol(b + 1, &end, 10);
	if (end != b + e - 2 || n < -1)
		goto bad;
	if (n == -1)
		return KV_V_MISS;
	if ((size_t)n + 2 > sizeof(ln->in) - e)
		goto bad;
	if ((size_t)(e + n + 2) > ln->ilen)
		return KV_V_MORE;
	if (memcmp(b + e + n, "\r\n", 2))
		goto bad;
	*used = e + n + 2;
	return KV_V_OK;
bad:
	kv_drive_note(d, "redis: malformed reply '%.*s'",
		      kv_printable(ln->in, ln->ilen), b);
	return KV_V_BAD;
}

const struct kv_backend kv_backend_redis = {
	.name = "redis",
	.type = SOCK_STREAM,
	.request = request,
	.reply = reply,
};
