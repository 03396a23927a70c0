// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PAP (RFC 1334) and CHAP-MD5 (RFC 1994), authenticator side: the packets,
 * the asynchronous verdict, retransmissions and timeouts, and CHAP-MD5
 * known answers from an independent generator (data/ppp/gen_chap_vectors.py).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ppp_auth.h"
#include "ppp_testutil.h"

#include "data/ppp/chap_vectors.h"

static struct ppp_auth_cfg cfg;
static struct ppp_auth auth;
static struct ppp_actions out;
static const uint8_t chal[PPP_CHAP_CHALLENGE_LEN] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
						      0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
						      0xac, 0xad, 0xae, 0xaf };

static void setup(void)
{
	ppp_auth_cfg_default(&cfg);
	cfg.name = "lnsd";
	ppp_auth_init(&auth, &cfg);
	ppp_actions_init(&out);
}

static void teardown(void)
{
	ppp_actions_free(&out);
}

static int feed(uint16_t proto, uint8_t code, uint8_t id, const void *data, size_t len)
{
	uint8_t pkt[512];

	ppp_actions_reset(&out);
	return ppp_auth_input(&auth, proto, pkt, tu_pkt(pkt, code, id, data, len), 1000, &out);
}

static const struct ppp_action *find(enum ppp_act_type t)
{
	size_t i;

	for (i = 0; i < out.n; i++)
		if (out.v[i].type == t)
			return &out.v[i];
	return NULL;
}

/* A CHAP Response packet body: Value-Size, Value, Name. */
static size_t chap_resp(uint8_t *buf, const uint8_t *value, size_t vlen, const char *name)
{
	buf[0] = (uint8_t)vlen;
	memcpy(buf + 1, value, vlen);
	memcpy(buf + 1 + vlen, name, strlen(name));
	return 1 + vlen + strlen(name);
}

START_TEST(chap_vectors_known_answers)
{
	size_t i;

	for (i = 0; i < sizeof(chap_vectors) / sizeof(chap_vectors[0]); i++) {
		const struct chap_vector *v = &chap_vectors[i];
		uint8_t got[CHAP_MD5_LEN], bad[CHAP_MD5_LEN];

		ppp_chap_md5(v->id, v->secret, v->secret_len, v->challenge, v->challenge_len, got);
		ck_assert_int_eq(memcmp(got, v->response, CHAP_MD5_LEN), 0);
		ck_assert(ppp_chap_md5_verify(v->id, v->secret, v->secret_len, v->challenge,
					      v->challenge_len, v->response, CHAP_MD5_LEN));
		ck_assert(!ppp_chap_md5_verify((uint8_t)(v->id + 1), v->secret, v->secret_len,
					       v->challenge, v->challenge_len, v->response,
					       CHAP_MD5_LEN));
		memcpy(bad, v->response, CHAP_MD5_LEN);
		bad[15] ^= 1;
		ck_assert(!ppp_chap_md5_verify(v->id, v->secret, v->secret_len, v->challenge,
					       v->challenge_len, bad, CHAP_MD5_LEN));
		ck_assert(!ppp_chap_md5_verify(v->id, v->secret, v->secret_len, v->challenge,
					       v->challenge_len, v->response, CHAP_MD5_LEN - 1));
	}
}
END_TEST

START_TEST(pap_verify)
{
	ck_assert(ppp_pap_verify("pw", 2, (const uint8_t *)"pw", 2));
	ck_assert(!ppp_pap_verify("pw", 2, (const uint8_t *)"pW", 2));
	ck_assert(!ppp_pap_verify("pw", 2, (const uint8_t *)"pw1", 3));
	ck_assert(ppp_pap_verify("", 0, (const uint8_t *)"", 0));
}
END_TEST

START_TEST(chap_success)
{
	const struct ppp_action *a;
	struct ppp_auth_req req;
	uint8_t body[64], resp[CHAP_MD5_LEN];
	size_t n;

	ppp_auth_start(&auth, PPP_AUTH_CHAP_MD5, chal, 0x31, 0, &out);
	a = tu_send(&out, PPP_PROTO_CHAP, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->chan, PPP_CHAN_CHANNEL);
	ck_assert_uint_eq(tu_code(&out, a), CHAP_CHALLENGE);
	ck_assert_uint_eq(tu_id(&out, a), 0x31);
	ck_assert_uint_eq(tu_dlen(a), 1 + 16 + 4);
	ck_assert_uint_eq(tu_data(&out, a)[0], 16);
	ck_assert_int_eq(memcmp(tu_data(&out, a) + 1, chal, 16), 0);
	ck_assert_int_eq(memcmp(tu_data(&out, a) + 17, "lnsd", 4), 0);

	/* the client's answer, as pppd computes it */
	ppp_chap_md5(0x31, "s3cret", 6, chal, 16, resp);
	n = chap_resp(body, resp, sizeof(resp), "alice");
	ck_assert_int_eq(feed(PPP_PROTO_CHAP, CHAP_RESPONSE, 0x31, body, n), 0);
	ck_assert_int_eq(auth.state, PPP_AUTH_PENDING);
	a = find(PPP_ACT_AUTH_REQUEST);
	ck_assert_ptr_nonnull(a);
	ppp_action_auth_req(&out, a, &req);
	ck_assert_int_eq(req.method, PPP_AUTH_CHAP_MD5);
	ck_assert_uint_eq(req.id, 0x31);
	ck_assert_uint_eq(req.user_len, 5);
	ck_assert_int_eq(memcmp(req.user, "alice", 5), 0);
	ck_assert_uint_eq(req.challenge_len, 16);
	ck_assert_int_eq(memcmp(req.challenge, chal, 16), 0);
	ck_assert_uint_eq(req.password_len, 0);
	ck_assert(ppp_chap_md5_verify(req.id, "s3cret", 6, req.challenge, req.challenge_len,
				      req.response, req.response_len));

	/* a retransmitted Response while verifying: nothing new */
	ck_assert_int_eq(feed(PPP_PROTO_CHAP, CHAP_RESPONSE, 0x31, body, n), 0);
	ck_assert_uint_eq(out.n, 0);

	ppp_actions_reset(&out);
	ck_assert_int_eq(ppp_auth_result(&auth, true, "Welcome", &out), 0);
	ck_assert_int_eq(auth.state, PPP_AUTH_SUCCESS);
	a = tu_send(&out, PPP_PROTO_CHAP, 0);
	ck_assert_uint_eq(tu_code(&out, a), CHAP_SUCCESS);
	ck_assert_uint_eq(tu_id(&out, a), 0x31);
	ck_assert_uint_eq(tu_dlen(a), 7);
	ck_assert_int_eq(memcmp(tu_data(&out, a), "Welcome", 7), 0);
	ck_assert_uint_eq(auth.deadline, UINT64_MAX);
	ck_assert_int_eq(ppp_auth_result(&auth, true, "", &out), -EINVAL);

	/* the Success got lost: the same Response again is answered again (§4.2) */
	feed(PPP_PROTO_CHAP, CHAP_RESPONSE, 0x31, body, n);
	a = tu_send(&out, PPP_PROTO_CHAP, 0);
	ck_assert_uint_eq(tu_code(&out, a), CHAP_SUCCESS);
}
END_TEST

START_TEST(chap_failure)
{
	const struct ppp_action *a;
	uint8_t body[64], resp[CHAP_MD5_LEN] = { 0 };
	size_t n = chap_resp(body, resp, sizeof(resp), "mallory");

	ppp_auth_start(&auth, PPP_AUTH_CHAP_MD5, chal, 7, 0, &out);
	/* wrong identifier, short value, wrong code: dropped */
	ck_assert_int_eq(feed(PPP_PROTO_CHAP, CHAP_RESPONSE, 8, body, n), -EBADMSG);
	ck_assert_int_eq(feed(PPP_PROTO_CHAP, CHAP_RESPONSE, 7, body, 10), -EBADMSG);
	ck_assert_int_eq(feed(PPP_PROTO_CHAP, CHAP_SUCCESS, 7, body, n), -EBADMSG);
	ck_assert_int_eq(feed(PPP_PROTO_PAP, PAP_AUTH_REQ, 7, body, n), -EBADMSG);
	ck_assert_int_eq(auth.state, PPP_AUTH_WAITING);
	ck_assert_int_eq(feed(PPP_PROTO_CHAP, CHAP_RESPONSE, 7, body, n), 0);
	ppp_actions_reset(&out);
	ppp_auth_result(&auth, false, "Access denied", &out);
	a = tu_send(&out, PPP_PROTO_CHAP, 0);
	ck_assert_uint_eq(tu_code(&out, a), CHAP_FAILURE);
	ck_assert_int_eq(auth.state, PPP_AUTH_FAILURE);
	ck_assert_int_eq(auth.fail, PPP_DOWN_AUTH_FAILED);
}
END_TEST

/* Unanswered Challenges are resent every restart period with a new id, then give up. */
START_TEST(chap_retransmit_timeout)
{
	uint64_t t = 0;
	int sent = 1;
	const struct ppp_action *a;

	cfg.max_challenges = 4;
	ppp_auth_start(&auth, PPP_AUTH_CHAP_MD5, chal, 1, 0, &out);
	while (auth.state == PPP_AUTH_WAITING) {
		t = auth.deadline;
		ppp_actions_reset(&out);
		ppp_auth_tick(&auth, t, &out);
		a = tu_send(&out, PPP_PROTO_CHAP, 0);
		if (a) {
			sent++;
			ck_assert_uint_eq(tu_id(&out, a), sent);
			ck_assert_int_eq(memcmp(tu_data(&out, a) + 1, chal, 16), 0);
		}
	}
	ck_assert_int_eq(sent, 4);
	ck_assert_uint_eq(t, 4 * cfg.restart_ms);
	ck_assert_int_eq(auth.state, PPP_AUTH_FAILURE);
	ck_assert_int_eq(auth.fail, PPP_DOWN_AUTH_TIMEOUT);
}
END_TEST

START_TEST(pap_success_and_lost_ack)
{
	static const uint8_t req_body[] = { 3, 'b', 'o', 'b', 4, 'p', 'a', 's', 's' };
	const struct ppp_action *a;
	struct ppp_auth_req req;

	ppp_auth_start(&auth, PPP_AUTH_PAP, NULL, 0, 0, &out);
	ck_assert_uint_eq(out.n, 0);
	ck_assert_int_eq(feed(PPP_PROTO_PAP, PAP_AUTH_REQ, 5, req_body, sizeof(req_body)), 0);
	a = find(PPP_ACT_AUTH_REQUEST);
	ck_assert_ptr_nonnull(a);
	ppp_action_auth_req(&out, a, &req);
	ck_assert_int_eq(req.method, PPP_AUTH_PAP);
	ck_assert_uint_eq(req.user_len, 3);
	ck_assert_int_eq(memcmp(req.user, "bob", 3), 0);
	ck_assert_uint_eq(req.password_len, 4);
	ck_assert_int_eq(memcmp(req.password, "pass", 4), 0);
	ck_assert_uint_eq(req.response_len, 0);
	ck_assert_uint_eq(req.challenge_len, 0);
	/* retransmission with a new id while pending: the verdict answers that id */
	feed(PPP_PROTO_PAP, PAP_AUTH_REQ, 6, req_body, sizeof(req_body));
	ck_assert_uint_eq(out.n, 0);
	ppp_actions_reset(&out);
	ppp_auth_result(&auth, true, "ok", &out);
	a = tu_send(&out, PPP_PROTO_PAP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PAP_AUTH_ACK);
	ck_assert_uint_eq(tu_id(&out, a), 6);
	ck_assert_uint_eq(tu_dlen(a), 3);
	ck_assert_uint_eq(tu_data(&out, a)[0], 2);
	ck_assert_int_eq(memcmp(tu_data(&out, a) + 1, "ok", 2), 0);
	/* Ack lost: the request again gets an Ack again */
	feed(PPP_PROTO_PAP, PAP_AUTH_REQ, 7, req_body, sizeof(req_body));
	a = tu_send(&out, PPP_PROTO_PAP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PAP_AUTH_ACK);
	ck_assert_uint_eq(tu_id(&out, a), 7);
}
END_TEST

START_TEST(pap_nak)
{
	static const uint8_t req_body[] = { 3, 'b', 'o', 'b', 3, 'b', 'a', 'd' };
	const struct ppp_action *a;

	ppp_auth_start(&auth, PPP_AUTH_PAP, NULL, 0, 0, &out);
	feed(PPP_PROTO_PAP, PAP_AUTH_REQ, 5, req_body, sizeof(req_body));
	ppp_actions_reset(&out);
	ppp_auth_result(&auth, false, NULL, &out);
	a = tu_send(&out, PPP_PROTO_PAP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PAP_AUTH_NAK);
	ck_assert_uint_eq(tu_dlen(a), 1);
	ck_assert_int_eq(auth.fail, PPP_DOWN_AUTH_FAILED);
	/* further requests are ignored once failed */
	ck_assert_int_eq(feed(PPP_PROTO_PAP, PAP_AUTH_REQ, 6, req_body, sizeof(req_body)), -EBADMSG);
}
END_TEST

START_TEST(pap_malformed)
{
	static const uint8_t long_user[] = { 9, 'b', 'o', 'b' };
	static const uint8_t long_pw[] = { 3, 'b', 'o', 'b', 9, 'x' };
	static const uint8_t empty[] = { 0, 0 };

	ppp_auth_start(&auth, PPP_AUTH_PAP, NULL, 0, 0, &out);
	ck_assert_int_eq(feed(PPP_PROTO_PAP, PAP_AUTH_REQ, 1, long_user, sizeof(long_user)), -EBADMSG);
	ck_assert_int_eq(feed(PPP_PROTO_PAP, PAP_AUTH_REQ, 1, long_pw, sizeof(long_pw)), -EBADMSG);
	ck_assert_int_eq(feed(PPP_PROTO_PAP, PAP_AUTH_REQ, 1, NULL, 0), -EBADMSG);
	ck_assert_int_eq(feed(PPP_PROTO_PAP, PAP_AUTH_ACK, 1, empty, 2), -EBADMSG);
	ck_assert_int_eq(auth.state, PPP_AUTH_WAITING);
	/* empty user and password are well-formed: the verifier decides */
	ck_assert_int_eq(feed(PPP_PROTO_PAP, PAP_AUTH_REQ, 1, empty, 2), 0);
	ck_assert_int_eq(auth.state, PPP_AUTH_PENDING);
}
END_TEST

/* No request at all, or no verdict in time: timeout. */
START_TEST(pap_timeout)
{
	ppp_auth_start(&auth, PPP_AUTH_PAP, NULL, 0, 0, &out);
	ppp_auth_tick(&auth, cfg.timeout_ms - 1, &out);
	ck_assert_int_eq(auth.state, PPP_AUTH_WAITING);
	ppp_auth_tick(&auth, cfg.timeout_ms, &out);
	ck_assert_int_eq(auth.state, PPP_AUTH_FAILURE);
	ck_assert_int_eq(auth.fail, PPP_DOWN_AUTH_TIMEOUT);
}
END_TEST

START_TEST(verdict_timeout)
{
	static const uint8_t req_body[] = { 1, 'u', 1, 'p' };

	ppp_auth_start(&auth, PPP_AUTH_PAP, NULL, 0, 0, &out);
	feed(PPP_PROTO_PAP, PAP_AUTH_REQ, 5, req_body, sizeof(req_body));
	ck_assert_uint_eq(auth.deadline, cfg.timeout_ms);
	ppp_auth_tick(&auth, cfg.timeout_ms, &out);
	ck_assert_int_eq(auth.fail, PPP_DOWN_AUTH_TIMEOUT);
	ck_assert_int_eq(ppp_auth_result(&auth, true, "", &out), -EINVAL);
}
END_TEST

static Suite *auth_suite(void)
{
	Suite *s = suite_create("ppp_auth");
	TCase *tc = tcase_create("auth");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, chap_vectors_known_answers);
	tcase_add_test(tc, pap_verify);
	tcase_add_test(tc, chap_success);
	tcase_add_test(tc, chap_failure);
	tcase_add_test(tc, chap_retransmit_timeout);
	tcase_add_test(tc, pap_success_and_lost_ack);
	tcase_add_test(tc, pap_nak);
	tcase_add_test(tc, pap_malformed);
	tcase_add_test(tc, pap_timeout);
	tcase_add_test(tc, verdict_timeout);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(auth_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
