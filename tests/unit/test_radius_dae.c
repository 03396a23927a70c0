// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RFC 5176 Disconnect/CoA codec. Two kinds of vectors:
 *  - requests FreeRADIUS's radclient 3.2.1 sent (captured once from a UDP
 *    socket on loopback with secret "s3cr3t"; radclient computed their
 *    Request Authenticator and Message-Authenticator, not us):
 *      printf 'Acct-Session-Id = "lnsd-0000002a"\nUser-Name = "alice"\n' |
 *        radclient 127.0.0.1:PORT disconnect s3cr3t
 *      printf 'Acct-Session-Id = "lnsd-0000002a"\nSession-Timeout = 600\n
 *        Idle-Timeout = 120\nEvent-Timestamp = 1700000000\nProxy-State = 0x616263\n
 *        Message-Authenticator = 0x00\n' | radclient 127.0.0.1:PORT coa s3cr3t
 *  - packets built here and signed by tu_sign(), which hashes the whole
 *    buffer in one go (radius_testutil.h; a different path from the
 *    library's piecewise one).
 * Replies are checked the same independent way.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/md5.h>

#include "radius_dae.h"
#include "radius_testutil.h"

#define SECRET "s3cr3t"
#define SLEN (sizeof(SECRET) - 1)

static const uint8_t rc_disconnect[] = {
	0x28, 0xfe, 0x00, 0x2a, 0x41, 0xc7, 0xc3, 0x9b, 0x45, 0xe2, 0xa0, 0xc6, 0x9d, 0xb0,
	0xb4, 0x9a, 0xc3, 0x7b, 0xea, 0x28, 0x2c, 0x0f, 0x6c, 0x6e, 0x73, 0x64, 0x2d, 0x30,
	0x30, 0x30, 0x30, 0x30, 0x30, 0x32, 0x61, 0x01, 0x07, 0x61, 0x6c, 0x69, 0x63, 0x65,
};

static const uint8_t rc_coa[] = {
	0x2b, 0x3c, 0x00, 0x4c, 0x33, 0x6d, 0x53, 0x38, 0xb9, 0xc0, 0xc4, 0xe2, 0xbc, 0xfd,
	0x58, 0x1f, 0x83, 0xf5, 0x50, 0xe6, 0x2c, 0x0f, 0x6c, 0x6e, 0x73, 0x64, 0x2d, 0x30,
	0x30, 0x30, 0x30, 0x30, 0x30, 0x32, 0x61, 0x1b, 0x06, 0x00, 0x00, 0x02, 0x58, 0x1c,
	0x06, 0x00, 0x00, 0x00, 0x78, 0x37, 0x06, 0x65, 0x53, 0xf1, 0x00, 0x21, 0x05, 0x61,
	0x62, 0x63, 0x50, 0x12, 0x10, 0xd7, 0x12, 0xec, 0x5b, 0xfa, 0x53, 0xe0, 0x91, 0x54,
	0xa5, 0xb7, 0x2f, 0x46, 0x78, 0x69,
};

#define TS 1700000000u

static enum dae_verdict parse(const uint8_t *p, size_t len, struct dae_request *r)
{
	return dae_parse(p, len, SECRET, SLEN, NULL, TS, 0, false, r);
}

START_TEST(radclient_disconnect)
{
	struct dae_request r;

	ck_assert_int_eq(parse(rc_disconnect, sizeof(rc_disconnect), &r), DAE_OK);
	ck_assert_int_eq(r.code, RADIUS_DISCONNECT_REQUEST);
	ck_assert_int_eq(r.id, 0xfe);
	ck_assert_str_eq(r.acct_session_id.s, "lnsd-0000002a");
	ck_assert_int_eq(r.acct_session_id.len, 13);
	ck_assert_str_eq(r.user_name.s, "alice");
	ck_assert(!r.has_framed_ip && !r.has_nas_port && !r.calling_station_id.len);
	ck_assert(!r.msg_auth);
	ck_assert_int_eq(r.proxy_len, 0);
	ck_assert_mem_eq(r.authenticator, rc_disconnect + 4, 16);
	/* the other side's secret */
	ck_assert_int_eq(dae_parse(rc_disconnect, sizeof(rc_disconnect), "s3cr3T", 6, NULL, TS,
				   0, false, &r),
			 DAE_DROP_AUTHENTICATOR);
	ck_assert_int_eq(dae_parse(rc_disconnect, sizeof(rc_disconnect), "", 0, NULL, TS, 0,
				   false, &r),
			 DAE_DROP_AUTHENTICATOR);
	/* no Event-Timestamp: dropped when one is required (RFC 5176 §6.3) */
	ck_assert_int_eq(dae_parse(rc_disconnect, sizeof(rc_disconnect), SECRET, SLEN, NULL, TS,
				   300, true, &r),
			 DAE_DROP_NO_TIMESTAMP);
	/* ... and only with the right secret: a forgery is still a forgery */
	ck_assert_int_eq(dae_parse(rc_disconnect, sizeof(rc_disconnect), "x", 1, NULL, TS, 300,
				   true, &r),
			 DAE_DROP_AUTHENTICATOR);
}
END_TEST

START_TEST(radclient_coa)
{
	static const uint8_t proxy[] = { 0x21, 0x05, 'a', 'b', 'c' };
	struct dae_request r;

	ck_assert_int_eq(parse(rc_coa, sizeof(rc_coa), &r), DAE_OK);
	ck_assert_int_eq(r.code, RADIUS_COA_REQUEST);
	ck_assert(r.msg_auth);
	ck_assert(r.has_session_timeout && r.session_timeout == 600);
	ck_assert(r.has_idle_timeout && r.idle_timeout == 120);
	ck_assert(r.has_event_timestamp && r.event_timestamp == TS);
	ck_assert_int_eq(r.proxy_len, sizeof(proxy));
	ck_assert_mem_eq(r.proxy, proxy, sizeof(proxy));
	/* Event-Timestamp window (RFC 5176 §6.3), required or not */
	for (int req = 0; req < 2; req++) {
		ck_assert_int_eq(dae_parse(rc_coa, sizeof(rc_coa), SECRET, SLEN, NULL, TS + 300,
					   300, req, &r),
				 DAE_OK);
		ck_assert_int_eq(dae_parse(rc_coa, sizeof(rc_coa), SECRET, SLEN, NULL, TS - 300,
					   300, req, &r),
				 DAE_OK);
		ck_assert_int_eq(dae_parse(rc_coa, sizeof(rc_coa), SECRET, SLEN, NULL, TS + 301,
					   300, req, &r),
				 DAE_DROP_STALE);
		ck_assert_int_eq(dae_parse(rc_coa, sizeof(rc_coa), SECRET, SLEN, NULL, TS - 301,
					   300, req, &r),
				 DAE_DROP_STALE);
	}
	ck_assert_int_eq(dae_parse(rc_coa, sizeof(rc_coa), SECRET, SLEN, NULL, 0, 0, false, &r),
			 DAE_OK);
}
END_TEST

/* A change anywhere breaks the Request Authenticator; a bad HMAC alone is caught too. */
START_TEST(tampered)
{
	uint8_t p[sizeof(rc_coa)];
	struct dae_request r;
	size_t i, ma;

	for (i = 0; i < sizeof(rc_coa); i++) {
		if (i == 2 || i == 3)
			continue;     /* a changed Length is caught earlier */
		memcpy(p, rc_coa, sizeof(p));
		p[i] ^= 0x01;
		ck_assert_int_ne(parse(p, sizeof(p), &r), DAE_OK);
	}
	/* re-signed with a wrong HMAC: the authenticator is right, the HMAC is not */
	memcpy(p, rc_coa, sizeof(p));
	ma = tu_find_attr(p, sizeof(p), RAD_MESSAGE_AUTHENTICATOR);
	ck_assert_uint_ne(ma, 0);
	tu_sign(p, sizeof(p), NULL, SECRET);
	ck_assert_mem_eq(p, rc_coa, sizeof(p));   /* tu_sign() agrees with radclient */
	p[ma + 5] ^= 0x80;
	{
		struct md5_ctx m;
		uint8_t buf[sizeof(p) + SLEN];

		memset(p + 4, 0, 16);
		memcpy(buf, p, sizeof(p));
		memcpy(buf + sizeof(p), SECRET, SLEN);
		md5_init(&m);
		md5_update(&m, sizeof(buf), buf);
		md5_digest(&m, 16, p + 4);
	}
	ck_assert_int_eq(parse(p, sizeof(p), &r), DAE_DROP_MSG_AUTH);
	ck_assert_int_eq(dae_parse(p, sizeof(p), "x", 1, NULL, TS, 0, false, &r),
			 DAE_DROP_AUTHENTICATOR);
}
END_TEST

/* Every prefix of a valid request is rejected before anything is believed. */
START_TEST(truncated)
{
	struct dae_request r;
	size_t n;

	for (n = 0; n < sizeof(rc_coa); n++)
		ck_assert_int_eq(parse(rc_coa, n, &r), DAE_DROP_SHORT);
}
END_TEST

/* Packets built here: attributes after the header, then the expected outcome. */
struct built {
	const char *name;
	uint8_t code;
	uint8_t attrs[64];
	size_t len;
	enum dae_verdict verdict;
	enum dae_error_cause cause;
	uint8_t bad_attr;
};

#define A(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })
#define ASID 44, 5, 'a', 'b', 'c'

static const struct built built[] = {
	{ "disconnect by Acct-Session-Id", 40, A(ASID), DAE_OK, 0, 0 },
	{ "disconnect by Framed-IP-Address", 40, A(8, 6, 10, 0, 0, 5), DAE_OK, 0, 0 },
	{ "disconnect by NAS-Port", 40, A(5, 6, 0, 0, 0, 7), DAE_OK, 0, 0 },
	{ "disconnect by Calling-Station-Id", 40, A(31, 4, '4', '2'), DAE_OK, 0, 0 },
	{ "no session identification", 40, A(55, 6, 0x65, 0x53, 0xf1, 0x00), DAE_NAK,
	  DAE_ERR_MISSING_ATTRIBUTE, 0 },
	{ "no attributes at all", 43, A(0), DAE_NAK, DAE_ERR_MISSING_ATTRIBUTE, 0 },
	{ "Session-Timeout in a Disconnect", 40, A(ASID, 27, 6, 0, 0, 0, 60), DAE_NAK,
	  DAE_ERR_UNSUPPORTED_ATTRIBUTE, 27 },
	{ "Filter-Id in a CoA (a rate)", 43, A(ASID, 11, 5, 'f', 'o', 'o'), DAE_OK, 0, 0 },
	{ "Filter-Id in a Disconnect", 40, A(ASID, 11, 5, 'f', 'o', 'o'), DAE_NAK,
	  DAE_ERR_UNSUPPORTED_ATTRIBUTE, 11 },
	{ "two Filter-Ids", 43, A(ASID, 11, 3, 'a', 11, 3, 'b'), DAE_NAK,
	  DAE_ERR_INVALID_REQUEST, 11 },
	{ "Vendor-Specific of another vendor", 43, A(ASID, 26, 8, 0, 0, 0, 9, 1, 2), DAE_NAK,
	  DAE_ERR_UNSUPPORTED_ATTRIBUTE, 26 },
	{ "Mikrotik-Rate-Limit in a CoA", 43,
	  A(ASID, 26, 13, 0, 0, 0x3a, 0x8c, 8, 7, '1', 'M', '/', '2', 'M'), DAE_OK, 0, 0 },
	{ "Mikrotik-Rate-Limit in a Disconnect", 40,
	  A(ASID, 26, 13, 0, 0, 0x3a, 0x8c, 8, 7, '1', 'M', '/', '2', 'M'), DAE_NAK,
	  DAE_ERR_UNSUPPORTED_ATTRIBUTE, 26 },
	{ "Mikrotik-Rate-Limit that does not parse", 43,
	  A(ASID, 26, 12, 0, 0, 0x3a, 0x8c, 8, 6, 'f', 'a', 's', 't'), DAE_NAK,
	  DAE_ERR_INVALID_ATTRIBUTE_VALUE, 26 },
	{ "Mikrotik VSA with a wrong inner length", 43,
	  A(ASID, 26, 12, 0, 0, 0x3a, 0x8c, 8, 9, '1', 'M', '/', '2'), DAE_NAK,
	  DAE_ERR_INVALID_ATTRIBUTE_VALUE, 26 },
	{ "our NAS-Identifier", 40, A(ASID, 32, 6, 'l', 'n', 's', '1'), DAE_OK, 0, 0 },
	{ "someone else's NAS-Identifier", 40, A(ASID, 32, 6, 'l', 'n', 's', '2'), DAE_NAK,
	  DAE_ERR_NAS_MISMATCH, 32 },
	{ "NAS-Identifier longer than ours", 40, A(ASID, 32, 7, 'l', 'n', 's', '1', 'x'),
	  DAE_NAK, DAE_ERR_NAS_MISMATCH, 32 },
	{ "our NAS-IP-Address", 40, A(ASID, 4, 6, 192, 0, 2, 1), DAE_OK, 0, 0 },
	{ "someone else's NAS-IP-Address", 40, A(ASID, 4, 6, 192, 0, 2, 2), DAE_NAK,
	  DAE_ERR_NAS_MISMATCH, 4 },
	{ "NAS-IPv6-Address (ours unknown)", 40,
	  A(ASID, 95, 18, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), DAE_OK, 0, 0 },
	{ "Framed-IP-Address of 3 octets", 40, A(8, 5, 10, 0, 0), DAE_NAK,
	  DAE_ERR_INVALID_ATTRIBUTE_VALUE, 8 },
	{ "empty User-Name", 40, A(ASID, 1, 2), DAE_NAK, DAE_ERR_INVALID_ATTRIBUTE_VALUE, 1 },
	{ "two User-Names", 40, A(1, 3, 'a', 1, 3, 'b'), DAE_NAK, DAE_ERR_INVALID_REQUEST, 1 },
	{ "Authorize Only", 43, A(ASID, 6, 6, 0, 0, 0, 17), DAE_NAK,
	  DAE_ERR_UNSUPPORTED_SERVICE, 6 },
	{ "Service-Type Framed", 43, A(ASID, 6, 6, 0, 0, 0, 2), DAE_OK, 0, 0 },
	{ "State in a CoA", 43, A(ASID, 24, 4, 1, 2), DAE_NAK, DAE_ERR_UNSUPPORTED_SERVICE, 24 },
	{ "CoA timeouts", 43, A(ASID, 27, 6, 0, 0, 1, 0, 28, 6, 0, 0, 0, 30), DAE_OK, 0, 0 },
	{ "first problem wins", 40, A(11, 3, 'x', 32, 3, 'y'), DAE_NAK,
	  DAE_ERR_UNSUPPORTED_ATTRIBUTE, 11 },
	{ "Access-Request", 1, A(ASID), DAE_DROP_CODE, 0, 0 },
	{ "Disconnect-ACK", 41, A(ASID), DAE_DROP_CODE, 0, 0 },
	{ "attribute length 1", 40, A(ASID, 1, 1), DAE_DROP_MALFORMED, 0, 0 },
	{ "attribute length 0", 40, A(1, 0, 0, 0), DAE_DROP_MALFORMED, 0, 0 },
	{ "attribute past the end", 40, A(ASID, 1, 9, 'a'), DAE_DROP_MALFORMED, 0, 0 },
	{ "lone type octet", 40, A(ASID, 1), DAE_DROP_MALFORMED, 0, 0 },
	{ "short Message-Authenticator", 40, A(ASID, 80, 10, 0, 0, 0, 0, 0, 0, 0, 0),
	  DAE_DROP_MSG_AUTH, 0, 0 },
	{ "two Message-Authenticators", 40,
	  A(ASID, 80, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 80, 18, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
	  DAE_DROP_MSG_AUTH, 0, 0 },
	{ "signed Message-Authenticator", 40,
	  A(ASID, 80, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), DAE_OK, 0, 0 },
};

static const struct dae_nas our_nas = { .identifier = "lns1", .ipv4 = 0xc0000201 };

START_TEST(built_table)
{
	const struct built *b = &built[_i];
	uint8_t p[20 + sizeof(b->attrs)];
	size_t len = 20 + (b->len == 1 && b->attrs[0] == 0 ? 0 : b->len);
	struct dae_request r;
	enum dae_verdict v;

	memset(p, 0, sizeof(p));
	p[0] = b->code;
	p[1] = 7;
	memcpy(p + 20, b->attrs, len - 20);
	/* a malformed list can't be walked to find a Message-Authenticator: sign as is */
	if (b->verdict == DAE_DROP_MALFORMED) {
		struct md5_ctx m;

		p[3] = (uint8_t)len;
		md5_init(&m);
		md5_update(&m, len, p);
		md5_update(&m, SLEN, (const uint8_t *)SECRET);
		md5_digest(&m, 16, p + 4);
	} else {
		tu_sign(p, len, NULL, SECRET);
	}
	v = dae_parse(p, len, SECRET, SLEN, &our_nas, TS, 0, false, &r);
	ck_assert_msg(v == b->verdict, "%s: verdict %s, want %s", b->name, dae_verdict_str(v),
		      dae_verdict_str(b->verdict));
	if (v == DAE_NAK || v == DAE_OK) {
		ck_assert_msg(r.error_cause == b->cause, "%s: cause %d, want %d", b->name,
			      r.error_cause, b->cause);
		ck_assert_msg(r.bad_attr == b->bad_attr, "%s: attr %d", b->name, r.bad_attr);
		ck_assert_int_eq(r.id, 7);
	}
}
END_TEST

/* Length field and buffer size disagreements. */
START_TEST(lengths)
{
	uint8_t p[RADIUS_MAX_LEN + 8];
	struct dae_request r;

	memset(p, 0, sizeof(p));
	memcpy(p, rc_disconnect, sizeof(rc_disconnect));
	/* octets past Length are padding (RFC 2865 §3) */
	ck_assert_int_eq(parse(p, sizeof(rc_disconnect) + 5, &r), DAE_OK);
	p[3] = 19;
	ck_assert_int_eq(parse(p, sizeof(rc_disconnect), &r), DAE_DROP_LENGTH);
	p[2] = 0x10;
	p[3] = 0x01;                  /* 4097 */
	ck_assert_int_eq(parse(p, sizeof(p), &r), DAE_DROP_LENGTH);
	p[2] = 0;
	p[3] = sizeof(rc_disconnect) + 1;
	ck_assert_int_eq(parse(p, sizeof(rc_disconnect), &r), DAE_DROP_SHORT);
	/* the largest legal packet: one long run of Proxy-States */
	{
		size_t off = 20, len;

		memset(p, 0, sizeof(p));
		p[0] = RADIUS_DISCONNECT_REQUEST;
		memcpy(p + off, (uint8_t[]){ ASID }, 5);
		off += 5;
		while (off + 255 <= RADIUS_MAX_LEN) {
			p[off] = RAD_PROXY_STATE;
			p[off + 1] = 255;
			off += 255;
		}
		len = off;
		tu_sign(p, len, NULL, SECRET);
		/* more Proxy-State than a reply can carry: 506, and the NAK still fits */
		ck_assert_int_eq(parse(p, len, &r), DAE_NAK);
		ck_assert_int_eq(r.error_cause, DAE_ERR_RESOURCES_UNAVAILABLE);
		ck_assert_int_le(r.proxy_len, DAE_PROXY_STATE_MAX);
	}
}
END_TEST

/* Check a reply's authenticators the independent way. */
static void check_reply(const uint8_t *rep, size_t len, const struct dae_request *req)
{
	uint8_t copy[DAE_REPLY_MAX];

	ck_assert_uint_le(len, sizeof(copy));
	ck_assert_int_eq((rep[2] << 8 | rep[3]), (int)len);
	memcpy(copy, rep, len);
	tu_sign(copy, len, req->authenticator, SECRET);
	ck_assert_mem_eq(copy, rep, len);
}

START_TEST(replies)
{
	static const uint8_t ec503[] = { 101, 6, 0, 0, 0x01, 0xf7 };
	static const uint8_t ec401[] = { 101, 6, 0, 0, 0x01, 0x91 };
	uint8_t rep[DAE_REPLY_MAX];
	struct dae_request r;
	int n;

	ck_assert_int_eq(parse(rc_disconnect, sizeof(rc_disconnect), &r), DAE_OK);
	n = dae_build_reply(&r, DAE_ERR_NONE, SECRET, SLEN, rep, sizeof(rep));
	ck_assert_int_eq(n, 20);
	ck_assert_int_eq(rep[0], RADIUS_DISCONNECT_ACK);
	ck_assert_int_eq(rep[1], 0xfe);
	check_reply(rep, (size_t)n, &r);

	n = dae_build_reply(&r, DAE_ERR_SESSION_NOT_FOUND, SECRET, SLEN, rep, sizeof(rep));
	ck_assert_int_eq(n, 26);
	ck_assert_int_eq(rep[0], RADIUS_DISCONNECT_NAK);
	ck_assert_mem_eq(rep + 20, ec503, 6);
	check_reply(rep, (size_t)n, &r);
	ck_assert_int_eq(dae_build_reply(&r, DAE_ERR_SESSION_NOT_FOUND, SECRET, SLEN, rep, 25),
			 -ENOSPC);

	/* CoA with Proxy-State and Message-Authenticator: both come back */
	ck_assert_int_eq(parse(rc_coa, sizeof(rc_coa), &r), DAE_OK);
	n = dae_build_reply(&r, DAE_ERR_UNSUPPORTED_ATTRIBUTE, SECRET, SLEN, rep, sizeof(rep));
	ck_assert_int_eq(n, 20 + 6 + 5 + 18);
	ck_assert_int_eq(rep[0], RADIUS_COA_NAK);
	ck_assert_mem_eq(rep + 20, ec401, 6);
	ck_assert_mem_eq(rep + 26, r.proxy, 5);
	ck_assert_int_eq(rep[31], RAD_MESSAGE_AUTHENTICATOR);
	check_reply(rep, (size_t)n, &r);
	n = dae_build_reply(&r, DAE_ERR_NONE, SECRET, SLEN, rep, sizeof(rep));
	ck_assert_int_eq(rep[0], RADIUS_COA_ACK);
	check_reply(rep, (size_t)n, &r);
	/* a reply signed with another secret does not verify */
	n = dae_build_reply(&r, DAE_ERR_NONE, "other", 5, rep, sizeof(rep));
	{
		uint8_t copy[DAE_REPLY_MAX];

		memcpy(copy, rep, (size_t)n);
		tu_sign(copy, (size_t)n, r.authenticator, SECRET);
		ck_assert(memcmp(copy, rep, (size_t)n) != 0);
	}
}
END_TEST

/* A request as dae_parse() leaves it: what the cache looks at. */
static struct dae_request req_with(uint8_t id, uint8_t auth0)
{
	struct dae_request r;

	memset(&r, 0, sizeof(r));
	r.code = RADIUS_DISCONNECT_REQUEST;
	r.id = id;
	memset(r.authenticator, 0x5a, sizeof(r.authenticator));
	r.authenticator[0] = auth0;
	return r;
}

START_TEST(cache)
{
	static struct dae_cache c;
	static const uint8_t k1[] = { 4, 127, 0, 0, 1 }, k2[] = { 4, 127, 0, 0, 2 };
	struct dae_request r1 = req_with(0xfe, 1), r;
	enum dae_error_cause cause = DAE_ERR_NONE;

	dae_cache_init(&c, 5000);
	ck_assert(!dae_cache_find(&c, k1, sizeof(k1), &r1, 1000, &cause));
	ck_assert_int_eq(dae_cache_put(&c, k1, sizeof(k1), &r1, DAE_ERR_SESSION_NOT_FOUND, 1000),
			 0);
	ck_assert(dae_cache_find(&c, k1, sizeof(k1), &r1, 6000, &cause));
	ck_assert_int_eq(cause, DAE_ERR_SESSION_NOT_FOUND);
	/* another client, another Identifier or authenticator: not the same request */
	ck_assert(!dae_cache_find(&c, k2, sizeof(k2), &r1, 2000, &cause));
	r = req_with(0xfd, 1);
	ck_assert(!dae_cache_find(&c, k1, sizeof(k1), &r, 2000, &cause));
	r = req_with(0xfe, 2);
	ck_assert(!dae_cache_find(&c, k1, sizeof(k1), &r, 2000, &cause));
	ck_assert_int_eq(dae_cache_count(&c), 1);
	/* past ttl_ms it is forgotten */
	ck_assert(!dae_cache_find(&c, k1, sizeof(k1), &r1, 6001, &cause));
	ck_assert_int_eq(dae_cache_count(&c), 0);
	ck_assert_int_eq(dae_cache_put(&c, k1, 18, &r1, DAE_ERR_NONE, 6001), -EINVAL);
}
END_TEST

/*
 * A full cache forgets nothing that is still live: the next request is
 * refused (the caller answers 506) until the oldest entry expires; the ring
 * wraps around correctly.
 */
START_TEST(cache_full)
{
	static struct dae_cache c;
	static const uint8_t k[] = { 4, 192, 0, 2, 1 };
	enum dae_error_cause cause;
	struct dae_request r;
	size_t i;

	dae_cache_init(&c, 600000);
	for (i = 0; i < DAE_CACHE_SLOTS; i++) {
		r = req_with((uint8_t)i, (uint8_t)(i >> 8));
		ck_assert(dae_cache_room(&c, 1000 + i / 1000));
		ck_assert_int_eq(dae_cache_put(&c, k, sizeof(k), &r, DAE_ERR_NONE,
					       1000 + i / 1000),
				 0);
	}
	ck_assert(!dae_cache_room(&c, 600000));
	r = req_with(0, 0xff);
	ck_assert_int_eq(dae_cache_put(&c, k, sizeof(k), &r, DAE_ERR_NONE, 600000), -ENOSPC);
	/* the first one is still known, 599 s later */
	r = req_with(0, 0);
	ck_assert(dae_cache_find(&c, k, sizeof(k), &r, 600000, &cause));
	/* the oldest 1000 (stamped 1000 ms) expire at 601001 ms; the next 1000 stay */
	ck_assert(dae_cache_room(&c, 601001));
	ck_assert_int_eq(dae_cache_count(&c), DAE_CACHE_SLOTS - 1000);
	ck_assert(!dae_cache_find(&c, k, sizeof(k), &r, 601001, &cause));
	r = req_with(0xe8, 3);      /* i = 1000: stamped 1001 ms */
	ck_assert(dae_cache_find(&c, k, sizeof(k), &r, 601001, &cause));
	/* new entries go into the freed slots, past the end of the array */
	for (i = 0; i < 1000; i++) {
		r = req_with((uint8_t)i, 0xf0);
		ck_assert_int_eq(dae_cache_put(&c, k, sizeof(k), &r, DAE_ERR_SESSION_NOT_FOUND,
					       601001),
				 0);
	}
	ck_assert(!dae_cache_room(&c, 601001));
	r = req_with(999 & 0xff, 0xf0);
	ck_assert(dae_cache_find(&c, k, sizeof(k), &r, 601001, &cause));
	ck_assert_int_eq(cause, DAE_ERR_SESSION_NOT_FOUND);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("radius_dae");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, radclient_disconnect);
	tcase_add_test(tc, radclient_coa);
	tcase_add_test(tc, tampered);
	tcase_add_test(tc, truncated);
	tcase_add_loop_test(tc, built_table, 0, sizeof(built) / sizeof(built[0]));
	tcase_add_test(tc, lengths);
	tcase_add_test(tc, replies);
	tcase_add_test(tc, cache);
	tcase_add_test(tc, cache_full);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
