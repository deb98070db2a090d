// SPDX-License-Identifier: GPL-2.0
/*
 * The etcd backend of the closed-loop driver: etcd's v3 JSON gateway
 * over HTTP/1.1 keep-alive, POST /v3/kv/put and /v3/kv/range with the
 * key and value in base64; gets linearizable unless --serializable.
 * Each lane is one connection to one member (lanes spread over them), as
 * a gRPC client per request in flight would be. A reply must carry a
 * Content-Length (etcd's do; chunked ones are not read); 200 with etcd's
 * "header" object is success, another status the server's refusal.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "drive.h"

static size_t b64(char *dst, const char *src)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(src), i, o = 0;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint8_t)src[i] << 16;
		if (i + 1 < n)
			v |= (uint8_t)src[i + 1] << 8;
		if (i + 2 < n)
			v |= (uint8_t)src[i + 2];
		dst[o++] = a[v >> 18 & 63];
		dst[o++] = a[v >> 12 & 63];
		dst[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
		dst[o++] = i + 2 < n ? a[v & 63] : '=';
	}
	dst[o] = 0;
	return o;
}

static size_t request(struct kv_drive *d, struct kv_lane *ln)
{
	char key[64], val[80], body[256], host[INET_ADDRSTRLEN];
	int bl, n;

	b64(key, ln->kname);
	if (ln->put) {
		b64(val, ln->val);
		bl = snprintf(body, sizeof(body),
			      "{\"key\":\"%s\",\"value\":\"%s\"}", key, val);
	} else {
		bl = snprintf(body, sizeof(body), "{\"key\":\"%s\"%s}", key,
			      d->serializable ? ",\"serializable\":true" : "");
	}
	inet_ntop(AF_INET, &ln->to->sin_addr, host, sizeof(host));
	n = snprintf((char *)ln->out, sizeof(ln->out),
		     "POST /v3/kv/%s HTTP/1.1\r\nHost: %s:%u\r\n"
		     "Content-Type: application/json\r\n"
		     "Content-Length: %d\r\n\r\n%s",
		     ln->put ? "put" : "range", host, ntohs(ln->to->sin_port),
		     bl, body);
	return n > 0 && (size_t)n < sizeof(ln->out) ? n : 0;
}

/* The header @name's value in the head [b, e), or NULL; *len its length. */
static const char *header(const char *b, const char *e, const char *name,
			  size_t *len)
{
	size_t nl = strlen(name);
	const char *l, *v, *eol;

	for (l = memmem(b, e - b, "\r\n", 2); l && l + 2 < e; l = eol) {
		l += 2;
		eol = memmem(l, e - l, "\r\n", 2);
		if (!eol)
			eol = e;
		if ((size_t)(eol - l) <= nl || l[nl] != ':' ||
		    strncasecmp(l, name, nl))
			continue;
		for (v = l + nl + 1; v < eol && *v == ' '; v++)
			;
		*len = eol - v;
		return v;
	}
	return NULL;
}

static enum kv_verdict reply(struct kv_drive *d, struct kv_lane *ln,
			     size_t *used)
{
	const char *b = (const char *)ln->in, *h, *body;
	size_t head, vlen, blen;
	char num[24];
	char *end;
	int status;

	h = memmem(b, ln->ilen, "\r\n\r\n", 4);
	if (!h)
		return KV_V_MORE;
	head = h + 4 - b;
	/* "HTTP/1.1 200 OK": the status is bytes 9 to 11 */
	if (ln->ilen < 13 || memcmp(b, "HTTP/1.", 7) ||
	    (b[12] != ' ' && b[12] != '\r') ||
	    sscanf(b + 9, "%3d", &status) != 1) {
		kv_drive_note(d, "etcd: not an HTTP reply: '%.*s'",
			      kv_printable(ln->in, ln->ilen), b);
		return KV_V_BAD;
	}
	h = header(b, b + head - 2, "Content-Length", &vlen);
	if (!h || !vlen || vlen >= sizeof(num)) {
		kv_drive_note(d, "etcd: HTTP %d without a Content-Length",
			      status);
		return KV_V_BAD;
	}
	memcpy(num, h, vlen);
	num[vlen] = 0;
	blen = strtoul(num, &end, 10);
	if (*end || num[0] < '0' || num[0] > '9' ||
	    blen > sizeof(ln->in) - head) {
		kv_drive_note(d, "etcd: Content-Length '%s'", num);
		return KV_V_BAD;
	}
	if (head + blen > ln->ilen)
		return KV_V_MORE;
	*used = head + blen;
	h = header(b, b + head - 2, "Connection", &vlen);
	ln->close_after = h && vlen == 5 && !strncasecmp(h, "close", 5);
	body = b + head;
	if (status != 200) {
		kv_drive_note(d, "etcd: HTTP %d: %.*s", status,
			      kv_printable((const uint8_t *)body, blen), body);
		return KV_V_ERR;
	}
	if (!blen || body[0] != '{' || !memmem(body, blen, "\"header\"", 8)) {
		kv_drive_note(d, "etcd: a 200 reply without etcd's header: '%.*s'",
			      kv_printable((const uint8_t *)body, blen), body);
		return KV_V_BAD;
	}
	if (!ln->put && !memmem(body, blen, "\"kvs\"", 5))
		return KV_V_MISS;
	return KV_V_OK;
}

const struct kv_backend kv_backend_etcd = {
	.name = "etcd",
	.type = SOCK_STREAM,
	.request = request,
	.reply = reply,
};
