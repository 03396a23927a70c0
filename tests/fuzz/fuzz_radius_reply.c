// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz harness for the RADIUS client's packet code (lib/aaa/radius_attr.c):
 * rad_check_reply(), rad_decode_reply() and rad_encode_request(). The input
 * is one flags byte (bit 0: the request was an Accounting-Request; bit 1:
 * require-message-authenticator) and a reply datagram. The reply is
 * checked as it is, then with the Identifier and both authenticators made
 * right for SECRET (as gen_corpus_radius_reply.py does), where the verdict
 * must be exactly what the framing, the code and the
 * Message-Authenticators call for. What
 * passes is decoded (typed values have their sizes) and parsed, and the
 * attributes go back out as an Access-Request whose Message-Authenticator
 * must verify.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/radius_testutil.h"
#include "fuzz.h"
#include "radius_attr.h"

#define SECRET "fuzz-secret"
#define SLEN (sizeof(SECRET) - 1)
#define ID 0x42

/* What rad_check_reply() must say about a reply signed right for req. */
static enum rad_reply_check expect(const uint8_t *req, const uint8_t *p, size_t len,
				   bool require)
{
	unsigned n_ma = 0, bad_ma = 0;
	bool access = req[0] == RAD_CODE_ACCESS_REQUEST;

	for (size_t off = RAD_HDR_LEN; off < len; off += p[off + 1]) {
		if (len - off < 2 || p[off + 1] < 2 || p[off + 1] > len - off)
			return RAD_REPLY_MALFORMED;
		if (p[off] == RAD_MESSAGE_AUTHENTICATOR) {
			n_ma++;
			bad_ma += p[off + 1] != 2 + RAD_AUTH_LEN;
		}
	}
	if (access ? p[0] != RAD_CODE_ACCESS_ACCEPT && p[0] != RAD_CODE_ACCESS_REJECT &&
			     p[0] != RAD_CODE_ACCESS_CHALLENGE
		   : p[0] != RAD_CODE_ACCOUNTING_RESPONSE)
		return RAD_REPLY_BAD_CODE;
	if (n_ma > 1 || bad_ma)
		return RAD_REPLY_BAD_MSG_AUTH;
	return !n_ma && access && require ? RAD_REPLY_NO_MSG_AUTH : RAD_REPLY_OK;
}

static void use(const uint8_t *p, size_t len)
{
	uint8_t buf[RAD_PKT_MAX], copy[RAD_PKT_MAX], auth[RAD_AUTH_LEN];
	struct rad_accept acc;
	struct rad_avs l;
	struct rad_av av;
	size_t pos = 0;
	int n;

	rad_avs_init(&l);
	rad_decode_reply(p, len, &l);
	while (rad_avs_next(&l, &pos, &av))
		if (((av.kind == RAD_K_INT || av.kind == RAD_K_IPV4) && av.len != 4) ||
		    (av.kind == RAD_K_IPV6 && av.len != 16) ||
		    (av.vendor && av.vendor != RAD_VENDOR_MICROSOFT &&
		     av.vendor != RAD_VENDOR_MIKROTIK))
			abort();
	rad_parse_reply(&l, &acc);
	if (acc.n_routes > RAD_MAX_ROUTES || acc.cls_len > RAD_VAL_MAX)
		abort();
	fuzz_check_text(acc.framed_pool, sizeof(acc.framed_pool));
	fuzz_check_text(acc.ms_error, sizeof(acc.ms_error));
	fuzz_check_text(acc.reply_message, sizeof(acc.reply_message));

	memset(auth, 0xa5, sizeof(auth));
	n = rad_encode_request(RAD_CODE_ACCESS_REQUEST, ID, auth, &l, SECRET, SLEN, buf,
			       sizeof(buf));
	rad_avs_free(&l);
	if (n < 0) {
		if (n != -EMSGSIZE && n != -EINVAL)
			abort();
		return;
	}
	if (n < RAD_HDR_LEN + 18 || n > RAD_PKT_MAX || (buf[2] << 8 | buf[3]) != n ||
	    buf[RAD_HDR_LEN] != RAD_MESSAGE_AUTHENTICATOR)
		abort();
	memcpy(copy, buf, (size_t)n);
	tu_sign(copy, (size_t)n, auth, SECRET);   /* the HMAC again, another way */
	if (memcmp(copy + RAD_HDR_LEN, buf + RAD_HDR_LEN, 18) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t req[RAD_HDR_LEN] = { RAD_CODE_ACCESS_REQUEST, ID }, p[RAD_PKT_MAX];
	enum rad_reply_check c, want;
	bool require;
	size_t len;

	if (size < 1)
		return 0;
	if (data[0] & 1)
		req[0] = RAD_CODE_ACCOUNTING_REQUEST;
	require = data[0] & 2;
	memset(req + 4, 0x5a, RAD_AUTH_LEN);
	data++;
	size--;
	c = rad_check_reply(req, data, size, SECRET, SLEN, require);
	if (c >= RAD_REPLY_CHECK_COUNT)
		abort();
	if (c == RAD_REPLY_OK)
		use(data, size);
	if (size < RAD_HDR_LEN || size > RAD_PKT_MAX)
		return 0;
	/* Signed right: only what is really wrong with it remains. */
	len = size;
	memcpy(p, data, len);
	p[1] = ID;
	tu_sign(p, len, req + 4, SECRET);
	want = expect(req, p, len, require);
	c = rad_check_reply(req, p, len, SECRET, SLEN, require);
	if (c != want)
		abort();
	if (c == RAD_REPLY_OK)
		use(p, len);
	return 0;
}
