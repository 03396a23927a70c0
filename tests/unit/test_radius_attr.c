// SPDX-License-Identifier: GPL-2.0-or-later
/* RADIUS attributes: requests built from a session, replies read back, the small mappings. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ppp_proto.h"
#include "radius_attr.h"

static struct lns_addr mkaddr(const char *s, uint16_t port)
{
	struct lns_addr a = { 0 };

	if (inet_pton(AF_INET, s, a.addr) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, s, a.addr) == 1)
		a.family = 6;
	a.port = port;
	return a;
}

static struct rad_sess_info info(void)
{
	struct rad_sess_info si = { 0 };

	si.user = "alice";
	si.user_len = 5;
	si.nas_identifier = "lns-1";
	si.nas_port = 7;
	si.calling_number = "";
	si.called_number = "";
	si.peer = mkaddr("192.0.2.1", 1701);
	si.local = mkaddr("198.51.100.2", 1701);
	si.call_serial = 42;
	si.session_id = "0000000100000002";
	return si;
}

/* The value of the only attribute vendor/type as a string (binary-safe length checked). */
static void expect_str(const struct rad_avs *l, uint32_t vendor, uint8_t type, const char *want)
{
	struct rad_av av;

	ck_assert_msg(rad_avs_find(l, vendor, type, &av), "attribute %u/%u missing", vendor, type);
	ck_assert_uint_eq(av.kind, RAD_K_STR);
	ck_assert_uint_eq(av.len, strlen(want));
	ck_assert(memcmp(av.val, want, av.len) == 0);
}

static void expect_int(const struct rad_avs *l, uint8_t type, uint32_t want)
{
	struct rad_av av;

	ck_assert_msg(rad_avs_find(l, 0, type, &av), "attribute %u missing", type);
	ck_assert_uint_eq(av.kind, RAD_K_INT);
	ck_assert_uint_eq(av.num, want);
}

static unsigned count_of(const struct rad_avs *l, uint32_t vendor, uint8_t type)
{
	struct rad_av av;
	size_t pos = 0;
	unsigned n = 0;

	while (rad_avs_next(l, &pos, &av))
		n += av.vendor == vendor && av.type == type;
	return n;
}

START_TEST(common_attributes)
{
	struct rad_sess_info si = info();
	struct rad_avs l;

	rad_avs_init(&l);
	rad_build_common(&si, &l);
	ck_assert(!l.oom);
	expect_str(&l, 0, RAD_USER_NAME, "alice");
	expect_str(&l, 0, RAD_NAS_IDENTIFIER, "lns-1");
	expect_int(&l, RAD_NAS_PORT, 7);
	expect_int(&l, RAD_NAS_PORT_TYPE, RAD_NAS_PORT_VIRTUAL);
	expect_int(&l, RAD_SERVICE_TYPE, RAD_SERVICE_FRAMED);
	expect_int(&l, RAD_FRAMED_PROTOCOL, RAD_FRAMED_PROTO_PPP);
	/* No Calling/Called Number AVPs: the tunnel's addresses. */
	expect_str(&l, 0, RAD_CALLING_STATION_ID, "192.0.2.1");
	expect_str(&l, 0, RAD_CALLED_STATION_ID, "198.51.100.2");
	expect_int(&l, RAD_TUNNEL_TYPE, RAD_TUNNEL_L2TP);
	expect_int(&l, RAD_TUNNEL_MEDIUM_TYPE, RAD_MEDIUM_IPV4);
	expect_str(&l, 0, RAD_TUNNEL_CLIENT_ENDPOINT, "192.0.2.1");
	expect_str(&l, 0, RAD_TUNNEL_SERVER_ENDPOINT, "198.51.100.2");
	expect_str(&l, 0, RAD_ACCT_TUNNEL_CONNECTION, "42");
	expect_str(&l, 0, RAD_ACCT_SESSION_ID, "0000000100000002");
	ck_assert_uint_eq(count_of(&l, 0, RAD_USER_PASSWORD), 0);
	rad_avs_free(&l);

	/* The LAC's numbers win; IPv6 endpoints; no NAS-Identifier when empty. */
	si.calling_number = "5551234";
	si.called_number = "5559876";
	si.peer = mkaddr("2001:db8::1", 1701);
	si.local = mkaddr("2001:db8::2", 1701);
	si.nas_identifier = "";
	rad_build_common(&si, &l);
	expect_str(&l, 0, RAD_CALLING_STATION_ID, "5551234");
	expect_str(&l, 0, RAD_CALLED_STATION_ID, "5559876");
	expect_int(&l, RAD_TUNNEL_MEDIUM_TYPE, RAD_MEDIUM_IPV6);
	expect_str(&l, 0, RAD_TUNNEL_CLIENT_ENDPOINT, "2001:db8::1");
	ck_assert_uint_eq(count_of(&l, 0, RAD_NAS_IDENTIFIER), 0);
	rad_avs_free(&l);
}
END_TEST

START_TEST(auth_pap_chap_mschapv2)
{
	struct rad_sess_info si = info();
	struct ppp_auth_req req = { 0 };
	uint8_t chal[16], resp[MSCHAPV2_RESPONSE_LEN], want[2 + 48];
	struct rad_avs l;
	struct rad_av av;

	for (int i = 0; i < 16; i++)
		chal[i] = (uint8_t)(0xa0 + i);
	for (int i = 0; i < MSCHAPV2_RESPONSE_LEN; i++)
		resp[i] = (uint8_t)i;
	rad_avs_init(&l);

	req.method = PPP_AUTH_PAP;
	req.password = (const uint8_t *)"secret";
	req.password_len = 6;
	ck_assert_int_eq(rad_build_auth(&si, &req, &l), 0);
	expect_str(&l, 0, RAD_USER_PASSWORD, "secret");
	ck_assert_uint_eq(count_of(&l, 0, RAD_CHAP_PASSWORD), 0);
	rad_avs_free(&l);

	/* RFC 2865 §5.3: CHAP Ident then the response; the challenge beside it. */
	req.method = PPP_AUTH_CHAP_MD5;
	req.id = 0x33;
	req.challenge = chal;
	req.challenge_len = 16;
	req.response = resp;
	req.response_len = CHAP_MD5_LEN;
	ck_assert_int_eq(rad_build_auth(&si, &req, &l), 0);
	ck_assert(rad_avs_find(&l, 0, RAD_CHAP_PASSWORD, &av));
	ck_assert_uint_eq(av.len, 17);
	ck_assert_uint_eq(av.val[0], 0x33);
	ck_assert(memcmp(av.val + 1, resp, 16) == 0);
	ck_assert(rad_avs_find(&l, 0, RAD_CHAP_CHALLENGE, &av));
	ck_assert_uint_eq(av.len, 16);
	ck_assert(memcmp(av.val, chal, 16) == 0);
	ck_assert_uint_eq(count_of(&l, 0, RAD_USER_PASSWORD), 0);
	rad_avs_free(&l);
	req.response_len = 15;
	ck_assert_int_eq(rad_build_auth(&si, &req, &l), -EINVAL);
	rad_avs_free(&l);

	/* RFC 2548 §2.3.2: Ident, Flags, then the Response value without its flags byte. */
	req.method = PPP_AUTH_MSCHAPV2;
	req.id = 0x44;
	req.flags = 0;
	req.response_len = MSCHAPV2_RESPONSE_LEN;
	ck_assert_int_eq(rad_build_auth(&si, &req, &l), 0);
	ck_assert(rad_avs_find(&l, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP_CHALLENGE, &av));
	ck_assert_uint_eq(av.len, 16);
	ck_assert(memcmp(av.val, chal, 16) == 0);
	ck_assert(rad_avs_find(&l, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP2_RESPONSE, &av));
	want[0] = 0x44;
	want[1] = 0;
	memcpy(want + 2, resp, 48);
	ck_assert_uint_eq(av.len, 50);
	ck_assert(memcmp(av.val, want, 50) == 0);
	rad_avs_free(&l);

	req.method = PPP_AUTH_NONE;
	ck_assert_int_eq(rad_build_auth(&si, &req, &l), -EINVAL);
	rad_avs_free(&l);
}
END_TEST

/*
 * RFC 2865 §5.2: a User-Password is at most 128 bytes. A longer PAP password
 * is refused when the request is built, so no request is queued that every
 * server would then fail to be sent.
 */
START_TEST(pap_password_over_128_refused)
{
	static const size_t lens[] = { 128, 129, 200, 255 };
	struct rad_sess_info si = info();
	struct ppp_auth_req req = { .method = PPP_AUTH_PAP };
	uint8_t pw[255];
	struct rad_avs l;

	memset(pw, 'p', sizeof(pw));
	req.password = pw;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		rad_avs_init(&l);
		req.password_len = lens[i];
		ck_assert_msg(rad_build_auth(&si, &req, &l) ==
			      (lens[i] <= RAD_PASSWORD_MAX ? 0 : -EINVAL),
			      "password of %zu bytes", lens[i]);
		rad_avs_free(&l);
	}
}
END_TEST

START_TEST(gigawords)
{
	static const struct {
		uint64_t octets;
		uint32_t low, gw;
	} t[] = {
		{ 0, 0, 0 },
		{ 4294967295ULL, 4294967295U, 0 },
		{ 4294967296ULL, 0, 1 },
		{ 5 * 4294967296ULL + 7, 7, 5 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint32_t low, gw;

		rad_octets_split(t[i].octets, &low, &gw);
		ck_assert_uint_eq(low, t[i].low);
		ck_assert_uint_eq(gw, t[i].gw);
	}
}
END_TEST

START_TEST(accounting)
{
	struct rad_sess_info si = info();
	struct rad_acct_info ai = { 0 };
	static const uint8_t cls[] = { 'c', 0, 'l' };
	struct rad_avs l;
	struct rad_av av;

	si.framed_ip = 0x0a400005;
	si.cls = cls;
	si.cls_len = sizeof(cls);
	rad_avs_init(&l);
	ai.status = RAD_ACCT_START;
	rad_build_acct(&si, &ai, &l);
	expect_int(&l, RAD_ACCT_STATUS_TYPE, RAD_ACCT_START);
	expect_str(&l, 0, RAD_ACCT_SESSION_ID, "0000000100000002");
	ck_assert(rad_avs_find(&l, 0, RAD_FRAMED_IP_ADDRESS, &av));
	ck_assert_uint_eq(av.kind, RAD_K_IPV4);
	ck_assert_uint_eq(av.num, 0x0a400005);
	ck_assert(rad_avs_find(&l, 0, RAD_CLASS, &av));
	ck_assert_uint_eq(av.len, 3);
	ck_assert(memcmp(av.val, cls, 3) == 0);
	ck_assert_uint_eq(count_of(&l, 0, RAD_ACCT_INPUT_OCTETS), 0);
	ck_assert_uint_eq(count_of(&l, 0, RAD_ACCT_TERMINATE_CAUSE), 0);
	rad_avs_free(&l);

	ai.status = RAD_ACCT_INTERIM;
	ai.in_octets = 3 * 4294967296ULL + 100;
	ai.out_octets = 2000;
	ai.in_packets = 10;
	ai.out_packets = 5000000000ULL;   /* saturates */
	ai.session_time_s = 61;
	rad_build_acct(&si, &ai, &l);
	expect_int(&l, RAD_ACCT_STATUS_TYPE, RAD_ACCT_INTERIM);
	expect_int(&l, RAD_ACCT_INPUT_OCTETS, 100);
	expect_int(&l, RAD_ACCT_INPUT_GIGAWORDS, 3);
	expect_int(&l, RAD_ACCT_OUTPUT_OCTETS, 2000);
	expect_int(&l, RAD_ACCT_OUTPUT_GIGAWORDS, 0);
	expect_int(&l, RAD_ACCT_INPUT_PACKETS, 10);
	expect_int(&l, RAD_ACCT_OUTPUT_PACKETS, UINT32_MAX);
	expect_int(&l, RAD_ACCT_SESSION_TIME, 61);
	ck_assert_uint_eq(count_of(&l, 0, RAD_ACCT_TERMINATE_CAUSE), 0);
	rad_avs_free(&l);

	ai.status = RAD_ACCT_STOP;
	ai.term_cause = RAD_TERM_IDLE_TIMEOUT;
	si.framed_ip = 0;
	si.cls_len = 0;
	rad_build_acct(&si, &ai, &l);
	expect_int(&l, RAD_ACCT_STATUS_TYPE, RAD_ACCT_STOP);
	expect_int(&l, RAD_ACCT_TERMINATE_CAUSE, RAD_TERM_IDLE_TIMEOUT);
	ck_assert_uint_eq(count_of(&l, 0, RAD_FRAMED_IP_ADDRESS), 0);
	ck_assert_uint_eq(count_of(&l, 0, RAD_CLASS), 0);
	rad_avs_free(&l);
}
END_TEST

START_TEST(terminate_causes)
{
	static const struct {
		enum ppp_down_reason r;
		enum rad_term_cause c;
	} t[] = {
		{ PPP_DOWN_PEER_TERMINATE, RAD_TERM_USER_REQUEST },
		{ PPP_DOWN_ECHO_FAILURE, RAD_TERM_LOST_CARRIER },
		{ PPP_DOWN_LOWER, RAD_TERM_LOST_CARRIER },
		{ PPP_DOWN_ADMIN, RAD_TERM_ADMIN_RESET },
		{ PPP_DOWN_NEGOTIATION, RAD_TERM_USER_ERROR },
		{ PPP_DOWN_LOOPBACK, RAD_TERM_USER_ERROR },
		{ PPP_DOWN_PROTO_REJECTED, RAD_TERM_USER_ERROR },
		{ PPP_DOWN_AUTH_FAILED, RAD_TERM_USER_ERROR },
		{ PPP_DOWN_AUTH_TIMEOUT, RAD_TERM_USER_ERROR },
		{ PPP_DOWN_AUTH_REFUSED, RAD_TERM_USER_ERROR },
		{ PPP_DOWN_POOL_EXHAUSTED, RAD_TERM_NAS_ERROR },
		{ PPP_DOWN_NONE, RAD_TERM_NAS_ERROR },
	};

	ck_assert_uint_eq(sizeof(t) / sizeof(t[0]), PPP_DOWN_REASON_COUNT);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_int_eq(rad_term_cause_for(t[i].r), t[i].c);
}
END_TEST

START_TEST(reply_parsing)
{
	static const char success[] = "\x07S=0123456789ABCDEF0123456789abcdef01234567";
	static const char bad_success[] = "\x07S=0123456789ABCDEF0123456789abcdef0123456X";
	static const char ms_err[] = "\x07" "E=691 R=0 C=00 V=3 M=nope";
	static const uint8_t cls1[] = { 1, 2, 3 }, cls2[] = { 9 };
	struct rad_avs l;
	struct rad_accept a;

	rad_avs_init(&l);
	rad_add_ipv4(&l, 0, RAD_FRAMED_IP_ADDRESS, 0x0a400063);
	rad_add_str(&l, 0, RAD_FRAMED_POOL, "gold");
	rad_add_str(&l, 0, RAD_FRAMED_ROUTE, "192.0.2.0/24 0.0.0.0 1");
	rad_add_str(&l, 0, RAD_FRAMED_ROUTE, "198.51.100.7");
	rad_add_str(&l, 0, RAD_FRAMED_ROUTE, "10.1.2.3/8 0.0.0.0");   /* host bits cleared */
	rad_add_str(&l, 0, RAD_FRAMED_ROUTE, "bogus/99");
	rad_add_int(&l, 0, RAD_SESSION_TIMEOUT, 3600);
	rad_add_int(&l, 0, RAD_IDLE_TIMEOUT, 600);
	rad_add_int(&l, 0, RAD_ACCT_INTERIM_INTERVAL, 300);
	rad_add_bytes(&l, 0, RAD_CLASS, RAD_K_STR, cls1, sizeof(cls1));
	rad_add_bytes(&l, 0, RAD_CLASS, RAD_K_STR, cls2, sizeof(cls2));
	rad_add_ipv4(&l, RAD_VENDOR_MICROSOFT, RAD_MS_PRIMARY_DNS_SERVER, 0x08080808);
	rad_add_ipv4(&l, RAD_VENDOR_MICROSOFT, RAD_MS_SECONDARY_DNS_SERVER, 0x08080404);
	rad_add_bytes(&l, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP2_SUCCESS, RAD_K_STR, success,
		      sizeof(success) - 1);
	rad_add_str(&l, 0, RAD_REPLY_MESSAGE, "hi\x01there");
	rad_add_int(&l, 9, 1, 5);   /* another vendor: ignored */
	rad_parse_reply(&l, &a);
	ck_assert_uint_eq(a.framed_ip, 0x0a400063);
	ck_assert_str_eq(a.framed_pool, "gold");
	ck_assert_uint_eq(a.n_routes, 3);
	ck_assert_uint_eq(a.bad_routes, 1);
	ck_assert_uint_eq(a.routes[0].dst, 0xc0000200);
	ck_assert_uint_eq(a.routes[0].plen, 24);
	ck_assert_uint_eq(a.routes[1].dst, 0xc6336407);
	ck_assert_uint_eq(a.routes[1].plen, 32);
	ck_assert_uint_eq(a.routes[2].dst, 0x0a000000);
	ck_assert_uint_eq(a.routes[2].plen, 8);
	ck_assert_uint_eq(a.session_timeout_s, 3600);
	ck_assert_uint_eq(a.idle_timeout_s, 600);
	ck_assert_uint_eq(a.interim_interval_s, 300);
	ck_assert_uint_eq(a.cls_len, 3);
	ck_assert(memcmp(a.cls, cls1, 3) == 0);
	ck_assert_uint_eq(a.dns1, 0x08080808);
	ck_assert_uint_eq(a.dns2, 0x08080404);
	ck_assert(a.has_auth_resp);
	ck_assert(!a.bad_success);
	ck_assert_uint_eq(a.auth_resp[0], 0x01);
	ck_assert_uint_eq(a.auth_resp[7], 0xef);
	ck_assert_uint_eq(a.auth_resp[15], 0xef);
	ck_assert_uint_eq(a.auth_resp[19], 0x67);
	ck_assert_str_eq(a.reply_message, "hi\x01there");   /* as sent: the log line escapes it */
	ck_assert_str_eq(a.ms_error, "");
	rad_avs_free(&l);

	rad_add_bytes(&l, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP2_SUCCESS, RAD_K_STR, bad_success,
		      sizeof(bad_success) - 1);
	rad_add_bytes(&l, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP_ERROR, RAD_K_STR, ms_err,
		      sizeof(ms_err) - 1);
	rad_parse_reply(&l, &a);
	ck_assert(!a.has_auth_resp);
	ck_assert(a.bad_success);
	ck_assert_str_eq(a.ms_error, "E=691 R=0 C=00 V=3 M=nope");
	ck_assert_uint_eq(a.framed_ip, 0);
	rad_avs_free(&l);
}
END_TEST

START_TEST(list_limits)
{
	uint8_t big[300];
	struct rad_avs l;
	struct rad_av av;
	size_t pos = 0;
	unsigned n = 0;

	memset(big, 'x', sizeof(big));
	rad_avs_init(&l);
	for (int i = 0; i < 100; i++)
		rad_add_bytes(&l, 0, RAD_CLASS, RAD_K_STR, big, sizeof(big));
	ck_assert(!l.oom);
	while (rad_avs_next(&l, &pos, &av)) {
		ck_assert_uint_eq(av.len, RAD_VAL_MAX);
		n++;
	}
	ck_assert_uint_eq(n, 100);
	/* A truncated list ends the walk instead of reading past it. */
	l.len -= 10;
	pos = 0;
	n = 0;
	while (rad_avs_next(&l, &pos, &av))
		n++;
	ck_assert_uint_eq(n, 99);
	rad_avs_free(&l);
}
END_TEST

START_TEST(session_id_format)
{
	char id[RAD_SESSION_ID_LEN + 1];

	rad_session_id(0x6560a1f2, 0x17, id);
	ck_assert_str_eq(id, "6560A1F200000017");
	rad_session_id(UINT32_MAX, UINT32_MAX, id);
	ck_assert_str_eq(id, "FFFFFFFFFFFFFFFF");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("radius_attr");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, common_attributes);
	tcase_add_test(tc, auth_pap_chap_mschapv2);
	tcase_add_test(tc, pap_password_over_128_refused);
	tcase_add_test(tc, gigawords);
	tcase_add_test(tc, accounting);
	tcase_add_test(tc, terminate_causes);
	tcase_add_test(tc, reply_parsing);
	tcase_add_test(tc, list_limits);
	tcase_add_test(tc, session_id_format);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
