// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The client side of PPP (ppp_peer, what lnsbench --ppp runs in every call)
 * against the LNS side (ppp_sess) in process: frames are passed between the
 * two, the test plays lnsd's users file. PAP, CHAP-MD5, an LNS that prefers
 * MS-CHAPv2, a wrong password, lost frames, the echo keepalive, a terminate
 * from the LNS and bad input.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ppp_peer.h"
#include "ppp_sess.h"
#include "ppp_testutil.h"
#include "ppp_users.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static struct ppp_cfg cfg;
static struct ppp_sess sess;
static struct ppp_peer_cfg pcfg;
static struct ppp_peer peer;
static struct ppp_actions lout, pout;
static struct ppp_users *users;
static uint8_t rnd, prnd;
static uint64_t now;

/* What each side reported. */
static unsigned lns_up, lns_down, peer_up, peer_down;
static uint32_t lns_peer_ip, peer_addr, peer_lns_addr;
static enum ppp_down_reason lns_reason, peer_reason;
static unsigned drop_to_lns, drop_to_peer;   /* frames to lose on the way */
static unsigned echo_replies;
static uint16_t drop_proto;                  /* drop the first frame to the peer of this protocol */
static uint8_t drop_code;                    /* ... and code */

static const char secrets[] = "* * right-pw *\n";

static void setup(void)
{
	char err[64];

	ppp_cfg_default(&cfg);
	cfg.lcp.rand_bytes = tu_rand;
	cfg.lcp.rand_ctx = &rnd;
	cfg.auth.name = "lnsd";
	cfg.ipcp.local_ip = IP(10, 0, 0, 1);
	cfg.pool = ip_pool_new();
	ck_assert_int_eq(ip_pool_add_range(cfg.pool, IP(10, 0, 0, 100), IP(10, 0, 0, 101)), 0);
	ck_assert_int_eq(ppp_users_parse(secrets, strlen(secrets), &users, err, sizeof(err)), 0);
	ppp_peer_cfg_default(&pcfg);
	pcfg.user = "user7";
	pcfg.password = "right-pw";
	pcfg.rand_bytes = tu_rand;
	pcfg.ctx = &prnd;
	rnd = 0;
	prnd = 100;
	now = 1000;
	lns_up = lns_down = peer_up = peer_down = 0;
	lns_peer_ip = peer_addr = peer_lns_addr = 0;
	lns_reason = peer_reason = PPP_DOWN_NONE;
	drop_to_lns = drop_to_peer = 0;
	echo_replies = 0;
	drop_proto = 0;
	drop_code = 0;
	ppp_actions_init(&lout);
	ppp_actions_init(&pout);
	ppp_sess_init(&sess, &cfg);
	ppp_peer_init(&peer, &pcfg, 7);
}

static void teardown(void)
{
	ppp_sess_fini(&sess);
	ppp_actions_free(&lout);
	ppp_actions_free(&pout);
	ppp_users_free(users);
	ip_pool_free(cfg.pool);
}

struct frame {
	uint8_t b[PPP_MAX_FRAME];
	size_t len;
};

/* Move every pending action of both sides; false when neither had any. */
static bool pump_once(void)
{
	static struct frame q[64];
	size_t nq = 0, k;
	bool any = lout.n || pout.n;

	/* LNS -> peer */
	for (k = 0; k < lout.n; k++) {
		const struct ppp_action *a = &lout.v[k];
		if (a->type == PPP_ACT_SEND && nq < 64) {
			memcpy(q[nq].b, ppp_action_data(&lout, a), a->len);
			q[nq++].len = a->len;
		} else if (a->type == PPP_ACT_UP && a->up.ncp == PPP_NCP_IPCP) {
			lns_up++;
			lns_peer_ip = a->up.peer_ip;
		} else if (a->type == PPP_ACT_DOWN) {
			lns_down++;
			lns_reason = a->reason;
		}
	}
	/* verdicts after the frames were copied (they append to lout) */
	struct ppp_auth_req req;
	bool have_req = false;
	static char user[64];
	for (k = 0; k < lout.n; k++) {
		if (lout.v[k].type == PPP_ACT_AUTH_REQUEST) {
			ppp_action_auth_req(&lout, &lout.v[k], &req);
			have_req = true;
		}
	}
	bool ok = false;
	if (have_req) {
		ok = ppp_users_check(users, "lnsd", &req, NULL);
		ck_assert_uint_lt(req.user_len, sizeof(user));
		memcpy(user, req.user, req.user_len);
		user[req.user_len] = '\0';
		ck_assert_str_eq(user, "user7");
	}
	ppp_actions_reset(&lout);
	if (have_req)
		ppp_sess_auth_result(&sess, ok, ok ? "ok" : "no", NULL, now, &lout);
	for (k = 0; k < nq; k++) {
		if (drop_to_peer) {
			drop_to_peer--;
			continue;
		}
		if (drop_proto && (uint16_t)(q[k].b[0] << 8 | q[k].b[1]) == drop_proto &&
		    q[k].b[2] == drop_code) {
			drop_proto = 0;
			continue;
		}
		ppp_peer_input(&peer, q[k].b, q[k].len, now, &pout);
	}

	/* peer -> LNS */
	nq = 0;
	for (k = 0; k < pout.n; k++) {
		const struct ppp_action *a = &pout.v[k];
		if (a->type == PPP_ACT_SEND && nq < 64) {
			memcpy(q[nq].b, ppp_action_data(&pout, a), a->len);
			q[nq++].len = a->len;
			if (a->proto == PPP_PROTO_LCP && q[nq - 1].b[2] == PPP_ECHO_REPLY)
				echo_replies++;
		} else if (a->type == PPP_ACT_UP) {
			peer_up++;
			peer_addr = a->up.local_ip;
			peer_lns_addr = a->up.peer_ip;
		} else if (a->type == PPP_ACT_DOWN) {
			peer_down++;
			peer_reason = a->reason;
		}
	}
	ppp_actions_reset(&pout);
	for (k = 0; k < nq; k++) {
		uint16_t proto = (uint16_t)(q[k].b[0] << 8 | q[k].b[1]);
		bool unit = proto == PPP_PROTO_IPCP || proto == PPP_PROTO_IPV6CP;
		if (drop_to_lns) {
			drop_to_lns--;
			continue;
		}
		ppp_sess_input(&sess, q[k].b, q[k].len, unit, now, &lout);
	}
	return any;
}

static void pump(void)
{
	for (int i = 0; i < 100 && pump_once(); i++)
		;
}

/* Let time pass in steps, with both sides' timers. */
static void run_for(uint64_t ms)
{
	uint64_t end = now + ms;
	while (now < end) {
		now += 100;
		ppp_sess_tick(&sess, now, &lout);
		ppp_peer_tick(&peer, now, &pout);
		pump();
	}
}

static void start(void)
{
	ppp_sess_start(&sess, now, &lout);
	ppp_peer_start(&peer, now, &pout);
	pump();
}

static void check_up(void)
{
	ck_assert_uint_eq(peer.phase, PPP_PEER_UP);
	ck_assert_uint_eq(peer_up, 1);
	ck_assert_uint_eq(lns_up, 1);
	ck_assert_uint_eq(peer_addr, IP(10, 0, 0, 100));
	ck_assert_uint_eq(lns_peer_ip, IP(10, 0, 0, 100));
	ck_assert_uint_eq(peer_lns_addr, IP(10, 0, 0, 1));
	ck_assert_uint_eq(peer_down + lns_down, 0);
}

START_TEST(chap_md5_up)
{
	cfg.lcp.auth[0] = PPP_AUTH_CHAP_MD5;
	cfg.lcp.n_auth = 1;
	start();
	check_up();
	ck_assert_uint_eq(peer.auth, PPP_AUTH_CHAP_MD5);
	ck_assert_uint_eq(ppp_peer_next_deadline(&peer), UINT64_MAX);
}
END_TEST

START_TEST(pap_up)
{
	cfg.lcp.auth[0] = PPP_AUTH_PAP;
	cfg.lcp.n_auth = 1;
	start();
	check_up();
	ck_assert_uint_eq(peer.auth, PPP_AUTH_PAP);
}
END_TEST

START_TEST(mschap_preferred_falls_back_to_chap)
{
	cfg.lcp.auth[0] = PPP_AUTH_MSCHAPV2;
	cfg.lcp.auth[1] = PPP_AUTH_CHAP_MD5;
	cfg.lcp.n_auth = 2;
	start();
	check_up();
	ck_assert_uint_eq(peer.auth, PPP_AUTH_CHAP_MD5);
}
END_TEST

START_TEST(no_auth_up)
{
	cfg.lcp.n_auth = 0;
	start();
	check_up();
	ck_assert_uint_eq(peer.auth, PPP_AUTH_NONE);
}
END_TEST

START_TEST(wrong_password)
{
	pcfg.password = "wrong";
	start();
	ck_assert_uint_ne(peer.phase, PPP_PEER_UP);
	ck_assert_uint_eq(peer_down, 1);
	ck_assert_uint_eq(peer_reason, PPP_DOWN_AUTH_FAILED);
	ck_assert_uint_eq(peer_up + lns_up, 0);
	run_for(10000);
	ck_assert_uint_eq(lns_down, 1);
	ck_assert_uint_eq(peer_down, 1);
}
END_TEST

START_TEST(pap_wrong_password)
{
	cfg.lcp.auth[0] = PPP_AUTH_PAP;
	cfg.lcp.n_auth = 1;
	pcfg.password = "wrong";
	start();
	ck_assert_uint_eq(peer_reason, PPP_DOWN_AUTH_FAILED);
	ck_assert_uint_eq(peer_up, 0);
}
END_TEST

/* Frames lost either way: the restart timers of both sides converge. */
START_TEST(lost_frames)
{
	drop_to_lns = 1;    /* our first Configure-Request */
	drop_to_peer = 1;   /* the LNS's first Configure-Request */
	start();
	ck_assert_uint_ne(peer.phase, PPP_PEER_UP);
	ck_assert_uint_le(ppp_peer_next_deadline(&peer), now + 3000);
	run_for(7000);
	check_up();
}
END_TEST

/* A lost CHAP Success: the LNS's IPCP Configure-Request tells us it was one. */
START_TEST(chap_success_lost)
{
	cfg.lcp.auth[0] = PPP_AUTH_CHAP_MD5;
	cfg.lcp.n_auth = 1;
	drop_proto = PPP_PROTO_CHAP;
	drop_code = CHAP_SUCCESS;
	start();
	ck_assert_uint_eq(drop_proto, 0);   /* it was dropped */
	check_up();
}
END_TEST

/* A CHAP Failure lost: IPCP from nowhere does not open a link we have not answered for. */
START_TEST(ipcp_before_chap_response_ignored)
{
	static const uint8_t ipcp_cr[] = { 0x80, 0x21, 0x01, 0x01, 0x00, 0x0a, 0x03, 0x06,
					   10, 0, 0, 1 };

	cfg.lcp.auth[0] = PPP_AUTH_CHAP_MD5;
	cfg.lcp.n_auth = 1;
	drop_proto = PPP_PROTO_CHAP;
	drop_code = CHAP_CHALLENGE;
	start();
	ck_assert_uint_eq(peer.phase, PPP_PEER_AUTHENTICATE);
	ck_assert_int_eq(ppp_peer_input(&peer, ipcp_cr, sizeof(ipcp_cr), now, &pout), -EBADMSG);
	ck_assert_uint_eq(peer.phase, PPP_PEER_AUTHENTICATE);
	ppp_actions_reset(&pout);
}
END_TEST

/* lnsd's keepalive: Echo-Requests every 30 s are answered, the link holds. */
START_TEST(echo_answered)
{
	start();
	check_up();
	run_for(5 * 30000 + 1000);
	ck_assert_uint_ge(echo_replies, 5);
	ck_assert_uint_eq(lns_down + peer_down, 0);
	ck_assert_uint_eq(peer.phase, PPP_PEER_UP);
}
END_TEST

/* Without answers the LNS would close: the test above is not vacuous. */
START_TEST(echo_unanswered_closes)
{
	start();
	check_up();
	peer.phase = PPP_PEER_DEAD;   /* the peer stops reading */
	run_for(6 * 30000);
	ck_assert_uint_eq(lns_down, 1);
	ck_assert_uint_eq(lns_reason, PPP_DOWN_ECHO_FAILURE);
}
END_TEST

START_TEST(lns_terminates)
{
	start();
	check_up();
	ppp_sess_close(&sess, PPP_DOWN_ADMIN, now, &lout);
	pump();
	ck_assert_uint_eq(peer_down, 1);
	ck_assert_uint_eq(peer_reason, PPP_DOWN_PEER_TERMINATE);
	ck_assert_uint_eq(peer.phase, PPP_PEER_DOWN);
	run_for(10000);
	ck_assert_uint_eq(lns_down, 1);
	ck_assert_uint_eq(peer_down, 1);
}
END_TEST

/* Two peers, two pool addresses; the pool exhausted leaves the third without IPCP. */
START_TEST(pool_exhausted_no_ipcp)
{
	start();
	check_up();
	struct ppp_sess s2, s3;
	struct ppp_peer p2, p3;
	struct ppp_sess *ls[2] = { &s2, &s3 };
	struct ppp_peer *ps[2] = { &p2, &p3 };
	uint32_t got[2] = { 0, 0 };
	for (int i = 0; i < 2; i++) {
		ppp_sess_init(ls[i], &cfg);
		ppp_peer_init(ps[i], &pcfg, (uint32_t)i);
		ppp_actions_reset(&lout);
		ppp_actions_reset(&pout);
		ppp_sess_start(ls[i], now, &lout);
		ppp_peer_start(ps[i], now, &pout);
		for (int r = 0; r < 50 && (lout.n || pout.n); r++) {
			struct frame f[32];
			size_t nf = 0;
			struct ppp_auth_req req;
			bool have = false;
			for (size_t k = 0; k < lout.n; k++) {
				const struct ppp_action *a = &lout.v[k];
				if (a->type == PPP_ACT_SEND && nf < 32) {
					memcpy(f[nf].b, ppp_action_data(&lout, a), a->len);
					f[nf++].len = a->len;
				} else if (a->type == PPP_ACT_AUTH_REQUEST) {
					ppp_action_auth_req(&lout, a, &req);
					have = true;
				}
			}
			bool ok = have && ppp_users_check(users, "lnsd", &req, NULL);
			ppp_actions_reset(&lout);
			if (have)
				ppp_sess_auth_result(ls[i], ok, "", NULL, now, &lout);
			for (size_t k = 0; k < nf; k++)
				ppp_peer_input(ps[i], f[k].b, f[k].len, now, &pout);
			nf = 0;
			for (size_t k = 0; k < pout.n; k++) {
				const struct ppp_action *a = &pout.v[k];
				if (a->type == PPP_ACT_SEND && nf < 32) {
					memcpy(f[nf].b, ppp_action_data(&pout, a), a->len);
					f[nf++].len = a->len;
				} else if (a->type == PPP_ACT_UP) {
					got[i] = a->up.local_ip;
				}
			}
			ppp_actions_reset(&pout);
			for (size_t k = 0; k < nf; k++) {
				uint16_t proto = (uint16_t)(f[k].b[0] << 8 | f[k].b[1]);
				ppp_sess_input(ls[i], f[k].b, f[k].len, proto == PPP_PROTO_IPCP, now,
					       &lout);
			}
		}
	}
	ck_assert_uint_eq(got[0], IP(10, 0, 0, 101));
	ck_assert_uint_eq(p2.phase, PPP_PEER_UP);
	ck_assert_uint_eq(got[1], 0);
	ck_assert_uint_ne(p3.phase, PPP_PEER_UP);
	ppp_sess_fini(&s2);
	ppp_sess_fini(&s3);
}
END_TEST

START_TEST(bad_input)
{
	static const uint8_t shortf[] = { 0xc0 };
	static const uint8_t trunc[] = { 0xc0, 0x21, 0x01, 0x01, 0x00, 0x40 };   /* length 64 */
	static const uint8_t unknown_ncp[] = { 0x80, 0x57, 0x01, 0x01, 0x00, 0x04 };
	static const uint8_t pap_stray[] = { 0xc0, 0x23, 0x02, 0x09, 0x00, 0x05, 0x00 };

	ck_assert_int_eq(ppp_peer_input(&peer, shortf, sizeof(shortf), now, &pout), -EBADMSG);
	/* before start: nothing is taken */
	ck_assert_int_eq(ppp_peer_input(&peer, trunc, sizeof(trunc), now, &pout), -EBADMSG);
	start();
	check_up();
	ck_assert_int_eq(ppp_peer_input(&peer, trunc, sizeof(trunc), now, &pout), -EBADMSG);
	ck_assert_int_eq(ppp_peer_input(&peer, pap_stray, sizeof(pap_stray), now, &pout), -EBADMSG);
	ck_assert_uint_eq(pout.n, 0);
	/* IPV6CP, which we do not run: Protocol-Reject */
	ck_assert_int_eq(ppp_peer_input(&peer, unknown_ncp, sizeof(unknown_ncp), now, &pout), 0);
	const struct ppp_action *a = tu_send(&pout, PPP_PROTO_LCP, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(tu_code(&pout, a), PPP_PROTO_REJ);
	ck_assert_uint_eq(tu_data(&pout, a)[0], 0x80);
	ck_assert_uint_eq(tu_data(&pout, a)[1], 0x57);
	pump();
	ck_assert_uint_eq(peer.phase, PPP_PEER_UP);
	ck_assert_uint_eq(lns_down + peer_down, 0);
}
END_TEST

/* With FF 03 in front, as the kernel's pppol2tp sends frames. */
START_TEST(address_control_field)
{
	static const uint8_t echo[] = { 0xff, 0x03, 0xc0, 0x21, 0x09, 0x42, 0x00, 0x08,
					0x11, 0x22, 0x33, 0x44 };

	start();
	check_up();
	ck_assert_int_eq(ppp_peer_input(&peer, echo, sizeof(echo), now, &pout), 0);
	const struct ppp_action *a = tu_send(&pout, PPP_PROTO_LCP, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(tu_code(&pout, a), PPP_ECHO_REPLY);
	ck_assert_uint_eq(tu_id(&pout, a), 0x42);
	uint32_t m = (uint32_t)tu_data(&pout, a)[0] << 24 | (uint32_t)tu_data(&pout, a)[1] << 16 |
		     (uint32_t)tu_data(&pout, a)[2] << 8 | tu_data(&pout, a)[3];
	ck_assert_uint_eq(m, peer.our_magic);
}
END_TEST

/* Per-call user names through the callback. */
static size_t name_of(void *ctx, const struct ppp_peer *p, char *buf, size_t cap)
{
	(void)ctx;
	return (size_t)snprintf(buf, cap, "user%u", p->tag);
}

START_TEST(user_name_callback)
{
	pcfg.user = "nobody";
	pcfg.user_name = name_of;
	start();
	check_up();   /* pump checks the LNS saw "user7" */
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ppp_peer");
	TCase *tc = tcase_create("peer");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, chap_md5_up);
	tcase_add_test(tc, pap_up);
	tcase_add_test(tc, mschap_preferred_falls_back_to_chap);
	tcase_add_test(tc, no_auth_up);
	tcase_add_test(tc, wrong_password);
	tcase_add_test(tc, pap_wrong_password);
	tcase_add_test(tc, lost_frames);
	tcase_add_test(tc, chap_success_lost);
	tcase_add_test(tc, ipcp_before_chap_response_ignored);
	tcase_add_test(tc, echo_answered);
	tcase_add_test(tc, echo_unanswered_closes);
	tcase_add_test(tc, lns_terminates);
	tcase_add_test(tc, pool_exhausted_no_ipcp);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, address_control_field);
	tcase_add_test(tc, user_name_callback);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
