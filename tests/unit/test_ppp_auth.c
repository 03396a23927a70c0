// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PAP (RFC 1334), CHAP-MD5 (RFC 1994) and MS-CHAPv2 (RFC 2759), authenticator
 * side: the packets, the asynchronous verdict, MS-CHAPv2 retries,
 * retransmissions and timeouts, and CHAP-MD5 known answers from an independent generator (data/ppp/gen_chap_vectors.py).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
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

/* RFC 2759 §9.2: the client "User"/"clientPass" answering the §9.2 authenticator challenge. */
static const uint8_t ms_auth_chal[16] = { 0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E,
					  0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28 };
static const uint8_t ms_peer_chal[16] = { 0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A,
					  0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E };
static const uint8_t ms_nt_resp[24] = { 0x82, 0x30, 0x9E, 0xCD, 0x8D, 0x70, 0x8B, 0x5E,
					0xA0, 0x8F, 0xAA, 0x39, 0x81, 0xCD, 0x83, 0x54,
					0x42, 0x33, 0x11, 0x4A, 0x3D, 0x85, 0xD6, 0xDF };

/* An MS-CHAPv2 Response body (§4): Value-Size 49, peer challenge, 8 zero, NT-Response, flags, name. */
static size_t ms_resp(uint8_t *buf, const uint8_t *nt, const char *name)
{
	buf[0] = MSCHAPV2_RESPONSE_LEN;
	memcpy(buf + 1, ms_peer_chal, 16);
	memset(buf + 17, 0, 8);
	memcpy(buf + 25, nt, 24);
	buf[49] = 0;
	memcpy(buf + 50, name, strlen(name));
	return 50 + strlen(name);
}

/* The text of the CHAP packet with code in out (NUL-terminated copy). */
static const char *chap_text(uint8_t code, uint8_t *id)
{
	static char txt[300];
	const struct ppp_action *a;
	size_t i, n;

	for (i = 0; (a = tu_send(&out, PPP_PROTO_CHAP, i)) != NULL; i++) {
		if (tu_code(&out, a) != code)
			continue;
		n = tu_dlen(a) < sizeof(txt) - 1 ? tu_dlen(a) : sizeof(txt) - 1;
		memcpy(txt, tu_data(&out, a), n);
		txt[n] = '\0';
		if (id)
			*id = tu_id(&out, a);
		return txt;
	}
	return NULL;
}

START_TEST(mschapv2_success)
{
	const struct ppp_action *a;
	struct ppp_auth_req req;
	uint8_t body[80], ar[MSCHAPV2_AUTH_RESP_LEN], id;
	size_t n = ms_resp(body, ms_nt_resp, "User");

	ppp_auth_start(&auth, PPP_AUTH_MSCHAPV2, ms_auth_chal, 0x40, 0, &out);
	a = tu_send(&out, PPP_PROTO_CHAP, 0);
	ck_assert_uint_eq(tu_code(&out, a), CHAP_CHALLENGE);
	ck_assert_uint_eq(tu_data(&out, a)[0], 16);
	ck_assert_int_eq(memcmp(tu_data(&out, a) + 1, ms_auth_chal, 16), 0);
	/* a CHAP-MD5 sized value is not an MS-CHAPv2 Response */
	ck_assert_int_eq(feed(PPP_PROTO_CHAP, CHAP_RESPONSE, 0x40, body, 17), -EBADMSG);
	ck_assert_int_eq(feed(PPP_PROTO_CHAP, CHAP_RESPONSE, 0x40, body, n), 0);
	a = find(PPP_ACT_AUTH_REQUEST);
	ck_assert_ptr_nonnull(a);
	ppp_action_auth_req(&out, a, &req);
	ck_assert_int_eq(req.method, PPP_AUTH_MSCHAPV2);
	ck_assert_uint_eq(req.user_len, 4);
	ck_assert_uint_eq(req.challenge_len, 16);
	ck_assert_int_eq(memcmp(req.challenge, ms_auth_chal, 16), 0);
	ck_assert_uint_eq(req.response_len, MSCHAPV2_RESPONSE_LEN);
	ck_assert_int_eq(memcmp(req.peer_challenge, ms_peer_chal, 16), 0);
	ck_assert_int_eq(memcmp(req.nt_response, ms_nt_resp, 24), 0);
	ck_assert(ppp_mschap_verify(req.user, req.user_len, "clientPass", 10, req.challenge,
				    req.peer_challenge, req.nt_response, ar));

	ppp_actions_reset(&out);
	ck_assert_int_eq(ppp_auth_result_ms(&auth, true, "Welcome", ar, NULL, 0, &out), 0);
	ck_assert_int_eq(auth.state, PPP_AUTH_SUCCESS);
	ck_assert_str_eq(chap_text(CHAP_SUCCESS, &id),
			 "S=407A5589115FD0D6209F510FE9C04566932CDA56 M=Welcome");
	ck_assert_uint_eq(id, 0x40);
	/* Success lost: the repeated Response gets the same proof again */
	feed(PPP_PROTO_CHAP, CHAP_RESPONSE, 0x40, body, n);
	ck_assert_str_eq(chap_text(CHAP_SUCCESS, NULL),
			 "S=407A5589115FD0D6209F510FE9C04566932CDA56");
}
END_TEST

/*
 * Verdict scripts with mschap_retries = 2: 'n' refused (with a new challenge
 * for a retry), 'y' accepted, 'p' accepted without an Authenticator
 * Response, 'E' refused with a RADIUS MS-CHAP-Error text, 'x' refused
 * without fresh challenge bytes.
 */
static const struct {
	const char *verdicts;
	const char *r_flags;          /* R= of each Failure sent, in order */
	enum ppp_auth_state end;
} ms_scripts[] = {
	{ "y", "", PPP_AUTH_SUCCESS },
	{ "ny", "1", PPP_AUTH_SUCCESS },
	{ "nny", "11", PPP_AUTH_SUCCESS },
	{ "nnn", "110", PPP_AUTH_FAILURE },
	{ "p", "1", PPP_AUTH_WAITING },
	{ "E", "-", PPP_AUTH_FAILURE },
	{ "x", "0", PPP_AUTH_FAILURE },
	{ "nx", "10", PPP_AUTH_FAILURE },
};

START_TEST(mschapv2_retry_script)
{
	const char *v, *rf = ms_scripts[_i].r_flags;
	uint8_t body[80], ar[MSCHAPV2_AUTH_RESP_LEN], id = 0x10, cur[16], fid;
	size_t n = ms_resp(body, ms_nt_resp, "User");
	char want[80];

	memset(ar, 0xab, sizeof(ar));
	memcpy(cur, ms_auth_chal, 16);
	ppp_auth_start(&auth, PPP_AUTH_MSCHAPV2, cur, id, 0, &out);
	for (v = ms_scripts[_i].verdicts; *v; v++) {
		uint8_t next[16];
		const char *txt;
		size_t k;

		ck_assert_int_eq(feed(PPP_PROTO_CHAP, CHAP_RESPONSE, id, body, n), 0);
		ck_assert_ptr_nonnull(find(PPP_ACT_AUTH_REQUEST));
		ck_assert_int_eq(find(PPP_ACT_AUTH_REQUEST)->id, id);
		for (k = 0; k < 16; k++)
			next[k] = (uint8_t)(0x30 + k + (size_t)(v - ms_scripts[_i].verdicts));
		ppp_actions_reset(&out);
		switch (*v) {
		case 'y':
			ppp_auth_result_ms(&auth, true, "ok", ar, next, 5000, &out);
			ck_assert_ptr_nonnull(chap_text(CHAP_SUCCESS, NULL));
			continue;
		case 'p':
			ppp_auth_result_ms(&auth, true, "ok", NULL, next, 5000, &out);
			break;
		case 'E':
			ppp_auth_result_ms(&auth, false, "E=648 R=0 V=3 M=expired", NULL, next,
					   5000, &out);
			ck_assert_str_eq(chap_text(CHAP_FAILURE, NULL), "E=648 R=0 V=3 M=expired");
			ck_assert_int_eq(*rf++, '-');
			continue;
		case 'x':
			ppp_auth_result_ms(&auth, false, "bad", NULL, NULL, 5000, &out);
			break;
		default:
			ppp_auth_result_ms(&auth, false, "bad", NULL, next, 5000, &out);
			break;
		}
		txt = chap_text(CHAP_FAILURE, &fid);
		ck_assert_ptr_nonnull(txt);
		ck_assert_uint_eq(fid, id);
		ck_assert_int_ne(*rf, '\0');
		if (*rf == '1')
			memcpy(cur, next, 16);
		/* §6: the C= of a retry is the new challenge, else the one in use */
		snprintf(want, sizeof(want), "E=691 R=%c C=", *rf);
		ck_assert_int_eq(strncmp(txt, want, strlen(want)), 0);
		for (k = 0; k < 16; k++)
			snprintf(want + 2 * k, 3, "%02X", cur[k]);
		ck_assert_int_eq(strncmp(txt + 12, want, 32), 0);
		ck_assert_int_eq(strncmp(txt + 44, " V=3 M=", 7), 0);
		if (*rf++ == '1') {
			ck_assert_int_eq(auth.state, PPP_AUTH_WAITING);
			ck_assert_int_eq(memcmp(auth.challenge, next, 16), 0);
			/* the lost-Failure case: the old Response again gets the Failure again */
			ck_assert_int_eq(feed(PPP_PROTO_CHAP, CHAP_RESPONSE, id, body, n), 0);
			ck_assert_ptr_null(find(PPP_ACT_AUTH_REQUEST));
			ck_assert_ptr_nonnull(chap_text(CHAP_FAILURE, NULL));
			/* a stale identifier is dropped; the retry comes with id + 1 */
			ck_assert_int_eq(feed(PPP_PROTO_CHAP, CHAP_RESPONSE, (uint8_t)(id + 2), body,
					      n), -EBADMSG);
			id++;
		}
	}
	ck_assert_int_eq(*rf, '\0');
	ck_assert_int_eq(auth.state, ms_scripts[_i].end);
	if (auth.state == PPP_AUTH_FAILURE)
		ck_assert_int_eq(auth.fail, PPP_DOWN_AUTH_FAILED);
}
END_TEST

/* After a retry Failure no Challenge is resent; the peer has the whole timeout to answer. */
START_TEST(mschapv2_retry_times_out)
{
	uint8_t body[80], next[16] = { 1 };
	size_t n = ms_resp(body, ms_nt_resp, "User");

	ppp_auth_start(&auth, PPP_AUTH_MSCHAPV2, ms_auth_chal, 1, 0, &out);
	feed(PPP_PROTO_CHAP, CHAP_RESPONSE, 1, body, n);
	ppp_auth_result_ms(&auth, false, NULL, NULL, next, 10000, &out);
	ck_assert_uint_eq(auth.deadline, 10000 + cfg.timeout_ms);
	ppp_actions_reset(&out);
	ppp_auth_tick(&auth, 10000 + cfg.restart_ms, &out);
	ck_assert_uint_eq(out.n, 0);
	ck_assert_int_eq(auth.state, PPP_AUTH_WAITING);
	ppp_auth_tick(&auth, 10000 + cfg.timeout_ms, &out);
	ck_assert_uint_eq(out.n, 0);
	ck_assert_int_eq(auth.state, PPP_AUTH_FAILURE);
	ck_assert_int_eq(auth.fail, PPP_DOWN_AUTH_TIMEOUT);
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
	tcase_add_test(tc, mschapv2_success);
	tcase_add_loop_test(tc, mschapv2_retry_script, 0, sizeof(ms_scripts) / sizeof(ms_scripts[0]));
	tcase_add_test(tc, mschapv2_retry_times_out);
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
