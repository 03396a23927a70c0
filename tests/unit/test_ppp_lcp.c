// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LCP (RFC 1661 §5-§6): our request, Reject of async/unknown options, Nak of
 * a small MRU, the auth method fallback, loopback detection, Echo keepalive
 * and Protocol-Reject.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ppp_lcp.h"
#include "ppp_testutil.h"

static struct ppp_fsm_cfg fcfg;
static struct lcp_cfg cfg;
static struct lcp lcp;
static struct ppp_actions out;
static uint8_t rnd;

static void setup(void)
{
	ppp_fsm_cfg_default(&fcfg);
	lcp_cfg_default(&cfg);
	cfg.rand_bytes = tu_rand;
	cfg.rand_ctx = &rnd;
	rnd = 0;
	ppp_actions_init(&out);
}

static void teardown(void)
{
	ppp_actions_free(&out);
}

static void start(void)
{
	lcp_init(&lcp, &cfg, &fcfg);
	ppp_fsm_event(&lcp.fsm, PPP_EV_UP, 0, &out);
	ppp_fsm_event(&lcp.fsm, PPP_EV_OPEN, 0, &out);
}

static int feed(uint8_t code, uint8_t id, const void *data, size_t len)
{
	uint8_t pkt[256];

	ppp_actions_reset(&out);
	return lcp_input(&lcp, pkt, tu_pkt(pkt, code, id, data, len), 1000, &out);
}

/* Ack our last Configure-Request as sent. */
static int ack_ours(void)
{
	const struct ppp_action *cr = tu_send(&out, PPP_PROTO_LCP, 0);
	uint8_t opts[64];
	size_t n;
	uint8_t id;

	ck_assert_ptr_nonnull(cr);
	ck_assert_uint_eq(tu_code(&out, cr), PPP_CONF_REQ);
	n = tu_dlen(cr);
	id = tu_id(&out, cr);
	memcpy(opts, tu_data(&out, cr), n);
	return feed(PPP_CONF_ACK, id, opts, n);
}

static const uint8_t peer_magic_only[] = { LCP_OPT_MAGIC, 6, 0x11, 0x22, 0x33, 0x44 };

static void open_link(void)
{
	start();
	ck_assert_int_ge(ack_ours(), 0);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_ACK_RCVD);
	ck_assert_int_ge(feed(PPP_CONF_REQ, 1, peer_magic_only, sizeof(peer_magic_only)), 0);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_OPENED);
}

START_TEST(our_request)
{
	static const uint8_t want[] = { LCP_OPT_MRU, 4, 0x05, 0x78,
					LCP_OPT_AUTH, 5, 0xc2, 0x23, CHAP_ALG_MD5,
					LCP_OPT_MAGIC, 6 };
	const struct ppp_action *cr;
	const uint8_t *m;

	start();
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_REQ_SENT);
	cr = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_ptr_nonnull(cr);
	ck_assert_int_eq(cr->chan, PPP_CHAN_CHANNEL);
	ck_assert_uint_eq(tu_frame(&out, cr)[0], 0xc0);
	ck_assert_uint_eq(tu_frame(&out, cr)[1], 0x21);
	ck_assert_uint_eq(tu_dlen(cr), sizeof(want) + 4);
	ck_assert_int_eq(memcmp(tu_data(&out, cr), want, sizeof(want)), 0);
	m = tu_data(&out, cr) + sizeof(want);
	ck_assert_uint_ne(lcp.our_magic, 0);
	ck_assert_uint_eq((uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3],
			  lcp.our_magic);
}
END_TEST

/* Only one method enabled: exactly that one is requested (docs/design.md §6.3). */
START_TEST(single_method_pap)
{
	const struct ppp_action *cr;
	const uint8_t *d;

	cfg.auth[0] = PPP_AUTH_PAP;
	cfg.n_auth = 1;
	start();
	cr = tu_send(&out, PPP_PROTO_LCP, 0);
	d = tu_data(&out, cr);
	ck_assert_uint_eq(d[4], LCP_OPT_AUTH);
	ck_assert_uint_eq(d[5], 4);
	ck_assert_uint_eq(d[6], 0xc0);
	ck_assert_uint_eq(d[7], 0x23);
	ck_assert_int_eq(lcp_auth_method(&lcp), PPP_AUTH_PAP);
}
END_TEST

/* What pppd sends on an async-configured link: ACCM, magic, PFC, ACFC. */
START_TEST(reject_async_options)
{
	static const uint8_t req[] = { LCP_OPT_ACCM, 6, 0, 0, 0, 0,
				       LCP_OPT_MAGIC, 6, 0xde, 0xad, 0xbe, 0xef,
				       LCP_OPT_PFC, 2, LCP_OPT_ACFC, 2,
				       LCP_OPT_QUALITY, 4, 0xc0, 0x25,
				       0x42, 3, 0x00 };
	static const uint8_t want_rej[] = { LCP_OPT_ACCM, 6, 0, 0, 0, 0,
					    LCP_OPT_PFC, 2, LCP_OPT_ACFC, 2,
					    LCP_OPT_QUALITY, 4, 0xc0, 0x25,
					    0x42, 3, 0x00 };
	const struct ppp_action *a;

	start();
	ck_assert_int_ge(feed(PPP_CONF_REQ, 7, req, sizeof(req)), 0);
	a = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REJ);
	ck_assert_uint_eq(tu_id(&out, a), 7);
	ck_assert_uint_eq(tu_dlen(a), sizeof(want_rej));
	ck_assert_int_eq(memcmp(tu_data(&out, a), want_rej, sizeof(want_rej)), 0);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_REQ_SENT);
}
END_TEST

START_TEST(peer_asks_to_be_authenticated)
{
	static const uint8_t req[] = { LCP_OPT_AUTH, 4, 0xc0, 0x23 };
	const struct ppp_action *a;

	start();
	feed(PPP_CONF_REQ, 7, req, sizeof(req));
	a = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REJ);
}
END_TEST

START_TEST(nak_small_mru_ack_good)
{
	static const uint8_t small[] = { LCP_OPT_MRU, 4, 0, 64, LCP_OPT_MAGIC, 6, 1, 1, 1, 1 };
	static const uint8_t good[] = { LCP_OPT_MRU, 4, 0x05, 0xdc, LCP_OPT_MAGIC, 6, 1, 1, 1, 1 };
	static const uint8_t want_nak[] = { LCP_OPT_MRU, 4, 0, LCP_MIN_MRU };
	const struct ppp_action *a;

	start();
	feed(PPP_CONF_REQ, 8, small, sizeof(small));
	a = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_NAK);
	ck_assert_uint_eq(tu_dlen(a), sizeof(want_nak));
	ck_assert_int_eq(memcmp(tu_data(&out, a), want_nak, sizeof(want_nak)), 0);
	feed(PPP_CONF_REQ, 9, good, sizeof(good));
	a = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_ACK);
	ck_assert_int_eq(memcmp(tu_data(&out, a), good, sizeof(good)), 0);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_ACK_SENT);
	ck_assert_uint_eq(lcp.peer_mru, 1500);
	ck_assert_uint_eq(lcp.peer_magic, 0x01010101);
}
END_TEST

/* Max-Failure Naks without agreement: the option is Rejected instead. */
START_TEST(nak_becomes_reject)
{
	static const uint8_t small[] = { LCP_OPT_MRU, 4, 0, 64 };
	const struct ppp_action *a;
	int i;

	start();
	for (i = 0; i < fcfg.max_failure; i++)
		feed(PPP_CONF_REQ, (uint8_t)i, small, sizeof(small));
	feed(PPP_CONF_REQ, 99, small, sizeof(small));
	a = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REJ);
}
END_TEST

/* The peer Naks CHAP suggesting PAP: we offer PAP; Nak again: nothing left, close. */
START_TEST(auth_fallback_then_refused)
{
	static const uint8_t nak_chap[] = { LCP_OPT_AUTH, 4, 0xc0, 0x23 };
	const struct ppp_action *cr;
	uint8_t id;

	start();
	id = lcp.fsm.req_id;
	ck_assert_int_ge(feed(PPP_CONF_NAK, id, nak_chap, sizeof(nak_chap)), 0);
	cr = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, cr), PPP_CONF_REQ);
	ck_assert_uint_eq(tu_data(&out, cr)[4], LCP_OPT_AUTH);
	ck_assert_uint_eq(tu_data(&out, cr)[5], 4);
	ck_assert_uint_eq(tu_data(&out, cr)[7], 0x23);
	ck_assert_int_eq(lcp_auth_method(&lcp), PPP_AUTH_PAP);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_REQ_SENT);
	/* peer Naks PAP too (suggesting CHAP again): no method left */
	id = lcp.fsm.req_id;
	ck_assert_int_ge(feed(PPP_CONF_NAK, id, nak_chap, sizeof(nak_chap)), 0);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_CLOSING);
	ck_assert_int_eq(lcp.fail, PPP_DOWN_AUTH_REFUSED);
	cr = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, cr), PPP_TERM_REQ);
}
END_TEST

START_TEST(auth_rejected_closes)
{
	static const uint8_t rej[] = { LCP_OPT_AUTH, 5, 0xc2, 0x23, 5 };

	start();
	feed(PPP_CONF_REJ, lcp.fsm.req_id, rej, sizeof(rej));
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_CLOSING);
	ck_assert_int_eq(lcp.fail, PPP_DOWN_AUTH_REFUSED);
}
END_TEST

/* Rejected MRU/magic are dropped from the next request; an unsent option in a Reject is bogus. */
START_TEST(reject_mru_magic)
{
	static const uint8_t rej[] = { LCP_OPT_MRU, 4, 0x05, 0x78, LCP_OPT_MAGIC, 6, 1, 2, 3, 4 };
	static const uint8_t bogus[] = { LCP_OPT_PFC, 2 };
	static const uint8_t want[] = { LCP_OPT_AUTH, 5, 0xc2, 0x23, CHAP_ALG_MD5 };
	const struct ppp_action *cr;

	start();
	ck_assert_int_eq(feed(PPP_CONF_REJ, lcp.fsm.req_id, bogus, sizeof(bogus)), -EBADMSG);
	feed(PPP_CONF_REJ, lcp.fsm.req_id, rej, sizeof(rej));
	cr = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_dlen(cr), sizeof(want));
	ck_assert_int_eq(memcmp(tu_data(&out, cr), want, sizeof(want)), 0);
}
END_TEST

/* Nak of our MRU within limits is taken; of our magic, a new one is picked. */
START_TEST(nak_mru_and_magic)
{
	static const uint8_t nak[] = { LCP_OPT_MRU, 4, 0x04, 0x00, LCP_OPT_MAGIC, 6, 9, 9, 9, 9 };
	uint32_t old;

	start();
	old = lcp.our_magic;
	feed(PPP_CONF_NAK, lcp.fsm.req_id, nak, sizeof(nak));
	ck_assert_uint_eq(lcp.our_mru, 1024);
	ck_assert_uint_ne(lcp.our_magic, old);
	ck_assert_uint_ne(lcp.our_magic, 0x09090909);
}
END_TEST

/*
 * A looped-back link: every request we send comes back to us. Each time we
 * see our own magic we Nak and pick a new one; after max_loops, close.
 */
START_TEST(loopback_detected)
{
	int rounds = 0;

	start();
	while (lcp.fsm.state != PPP_FSM_CLOSING && rounds < 20) {
		const struct ppp_action *cr = NULL;
		uint8_t opts[64], id;
		size_t n, k;

		for (k = 0; (cr = tu_send(&out, PPP_PROTO_LCP, k)) != NULL; k++)
			if (tu_code(&out, cr) == PPP_CONF_REQ)
				break;
		if (!cr) {
			/* no new request this round: the restart timer sends one */
			ppp_actions_reset(&out);
			lcp_tick(&lcp, lcp.fsm.deadline, &out);
			continue;
		}
		n = tu_dlen(cr);
		id = tu_id(&out, cr);
		memcpy(opts, tu_data(&out, cr), n);
		feed(PPP_CONF_REQ, id, opts, n);
		rounds++;
	}
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_CLOSING);
	ck_assert_int_eq(lcp.fail, PPP_DOWN_LOOPBACK);
	ck_assert_int_eq(rounds, cfg.max_loops);
}
END_TEST

START_TEST(magic_zero_nakd)
{
	static const uint8_t req[] = { LCP_OPT_MAGIC, 6, 0, 0, 0, 0 };
	const struct ppp_action *a;

	start();
	feed(PPP_CONF_REQ, 3, req, sizeof(req));
	a = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_NAK);
	ck_assert_uint_eq(tu_data(&out, a)[0], LCP_OPT_MAGIC);
	ck_assert(memcmp(tu_data(&out, a) + 2, "\0\0\0\0", 4) != 0);
	ck_assert_int_eq(lcp.fail, PPP_DOWN_NONE);
}
END_TEST

START_TEST(malformed_options_rejected)
{
	static const uint8_t req[] = { LCP_OPT_MAGIC, 6, 1, 2, 3, 4, LCP_OPT_MRU, 9, 1 };
	static const uint8_t badlen[] = { LCP_OPT_MRU, 3, 1 };
	const struct ppp_action *a;

	start();
	feed(PPP_CONF_REQ, 3, req, sizeof(req));
	a = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REJ);
	ck_assert_uint_eq(tu_dlen(a), 3);
	feed(PPP_CONF_REQ, 4, badlen, sizeof(badlen));
	a = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REJ);
	ck_assert_uint_eq(tu_dlen(a), 3);
}
END_TEST

START_TEST(echo_reply_to_peer)
{
	static const uint8_t req[] = { 0x11, 0x22, 0x33, 0x44, 'h', 'i' };
	const struct ppp_action *a;

	open_link();
	feed(PPP_ECHO_REQ, 0x21, req, sizeof(req));
	a = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(tu_code(&out, a), PPP_ECHO_REPLY);
	ck_assert_uint_eq(tu_id(&out, a), 0x21);
	ck_assert_uint_eq(tu_dlen(a), sizeof(req));
	ck_assert_uint_eq(tu_data(&out, a)[0], (uint8_t)(lcp.our_magic >> 24));
	ck_assert_uint_eq(tu_data(&out, a)[3], (uint8_t)lcp.our_magic);
	ck_assert_int_eq(memcmp(tu_data(&out, a) + 4, "hi", 2), 0);
}
END_TEST

/* Echo-Requests every interval; answered ones keep the link; silence closes it. */
START_TEST(echo_keepalive_failure)
{
	uint64_t t = 1000;
	int i;
	uint8_t reply[4] = { 0x11, 0x22, 0x33, 0x44 };

	open_link();
	ck_assert_uint_eq(lcp_next_deadline(&lcp), 1000 + cfg.echo_interval_ms);
	/* two answered rounds */
	for (i = 0; i < 2; i++) {
		const struct ppp_action *a;

		t += cfg.echo_interval_ms;
		ppp_actions_reset(&out);
		lcp_tick(&lcp, t, &out);
		a = tu_send(&out, PPP_PROTO_LCP, 0);
		ck_assert_ptr_nonnull(a);
		ck_assert_uint_eq(tu_code(&out, a), PPP_ECHO_REQ);
		feed(PPP_ECHO_REPLY, tu_id(&out, a), reply, sizeof(reply));
		ck_assert_uint_eq(lcp.echo_pending, 0);
	}
	/* then silence: echo_failures requests, and the next tick closes */
	for (i = 0; i < cfg.echo_failures; i++) {
		t += cfg.echo_interval_ms;
		ppp_actions_reset(&out);
		lcp_tick(&lcp, t, &out);
		ck_assert_uint_eq(tu_code(&out, tu_send(&out, PPP_PROTO_LCP, 0)), PPP_ECHO_REQ);
		ck_assert_int_eq(lcp.fsm.state, PPP_FSM_OPENED);
	}
	t += cfg.echo_interval_ms;
	ppp_actions_reset(&out);
	lcp_tick(&lcp, t, &out);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_CLOSING);
	ck_assert_int_eq(lcp.fail, PPP_DOWN_ECHO_FAILURE);
	ck_assert_uint_eq(tu_code(&out, tu_send(&out, PPP_PROTO_LCP, 0)), PPP_TERM_REQ);
	ck_assert(lcp.fsm.layer & PPP_FSM_LAYER_DOWN);
}
END_TEST

START_TEST(echo_own_magic_is_loopback)
{
	uint8_t req[4];

	open_link();
	req[0] = (uint8_t)(lcp.our_magic >> 24);
	req[1] = (uint8_t)(lcp.our_magic >> 16);
	req[2] = (uint8_t)(lcp.our_magic >> 8);
	req[3] = (uint8_t)lcp.our_magic;
	feed(PPP_ECHO_REQ, 1, req, sizeof(req));
	ck_assert_int_eq(lcp.fail, PPP_DOWN_LOOPBACK);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_CLOSING);
}
END_TEST

START_TEST(echo_off)
{
	cfg.echo_interval_ms = 0;
	open_link();
	ck_assert_uint_eq(lcp_next_deadline(&lcp), UINT64_MAX);
}
END_TEST

START_TEST(protocol_reject)
{
	static const uint8_t ipcp_rej[] = { 0x80, 0x21, 1, 1, 0, 4 };
	static const uint8_t lcp_rej[] = { 0xc0, 0x21, 1, 1, 0, 4 };
	static const uint8_t info[] = { 1, 2, 0, 4 };
	const struct ppp_action *a;

	start();
	ck_assert_int_eq(lcp_send_proto_rej(&lcp, PPP_PROTO_CCP, info, sizeof(info), &out), -EAGAIN);
	ppp_actions_reset(&out);
	lcp_init(&lcp, &cfg, &fcfg);
	open_link();
	ppp_actions_reset(&out);
	ck_assert_int_eq(lcp_send_proto_rej(&lcp, PPP_PROTO_CCP, info, sizeof(info), &out), 0);
	a = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PPP_PROTO_REJ);
	ck_assert_uint_eq(tu_dlen(a), 2 + sizeof(info));
	ck_assert_uint_eq(tu_data(&out, a)[0], 0x80);
	ck_assert_uint_eq(tu_data(&out, a)[1], 0xfd);
	/* received: an NCP rejected is noted, LCP rejected is RXJ- */
	ck_assert_int_eq(feed(PPP_PROTO_REJ, 5, ipcp_rej, sizeof(ipcp_rej)), 0);
	ck_assert_uint_eq(lcp.rejected_proto, PPP_PROTO_IPCP);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_OPENED);
	feed(PPP_PROTO_REJ, 6, lcp_rej, sizeof(lcp_rej));
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_STOPPING);
}
END_TEST

START_TEST(peer_terminates)
{
	const struct ppp_action *a;

	open_link();
	feed(PPP_TERM_REQ, 0x44, NULL, 0);
	a = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PPP_TERM_ACK);
	ck_assert_uint_eq(tu_id(&out, a), 0x44);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_STOPPING);
	ppp_actions_reset(&out);
	lcp_tick(&lcp, 1000 + fcfg.restart_ms, &out);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_STOPPED);
	ck_assert(lcp.fsm.layer & PPP_FSM_LAYER_FINISHED);
}
END_TEST

START_TEST(unknown_code_rejected)
{
	static const uint8_t junk[] = { 1, 2, 3 };
	const struct ppp_action *a;

	open_link();
	feed(0x0e, 0x12, junk, sizeof(junk));
	a = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, a), PPP_CODE_REJ);
	ck_assert_uint_eq(tu_data(&out, a)[0], 0x0e);
}
END_TEST

/* MS-CHAPv2 alone: exactly CHAP with algorithm 0x81 is requested (RFC 2759 §2), Ack opens it. */
START_TEST(single_method_mschapv2)
{
	static const uint8_t want[] = { LCP_OPT_AUTH, 5, 0xc2, 0x23, CHAP_ALG_MSCHAPV2 };
	const struct ppp_action *cr;

	cfg.auth[0] = PPP_AUTH_MSCHAPV2;
	cfg.n_auth = 1;
	start();
	cr = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_int_eq(memcmp(tu_data(&out, cr) + 4, want, sizeof(want)), 0);
	ck_assert_int_ge(ack_ours(), 0);
	ck_assert_int_ge(feed(PPP_CONF_REQ, 1, peer_magic_only, sizeof(peer_magic_only)), 0);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_OPENED);
	ck_assert_int_eq(lcp_auth_method(&lcp), PPP_AUTH_MSCHAPV2);
}
END_TEST

/*
 * Order MS-CHAPv2, CHAP-MD5, PAP: the peer's Nak moves us to the method it
 * suggests when we have it further down the list, else to the next one.
 */
static const struct {
	uint8_t nak[5];
	enum ppp_auth_method next;
	uint8_t opt[5];               /* the auth option of our next request */
} fallback[] = {
	{ { LCP_OPT_AUTH, 5, 0xc2, 0x23, CHAP_ALG_MD5 }, PPP_AUTH_CHAP_MD5,
	  { LCP_OPT_AUTH, 5, 0xc2, 0x23, CHAP_ALG_MD5 } },
	{ { LCP_OPT_AUTH, 4, 0xc0, 0x23 }, PPP_AUTH_PAP, { LCP_OPT_AUTH, 4, 0xc0, 0x23 } },
	/* MS-CHAPv1 (0x80) and EAP (c227) are not ours: the next in order */
	{ { LCP_OPT_AUTH, 5, 0xc2, 0x23, 0x80 }, PPP_AUTH_CHAP_MD5,
	  { LCP_OPT_AUTH, 5, 0xc2, 0x23, CHAP_ALG_MD5 } },
	{ { LCP_OPT_AUTH, 4, 0xc2, 0x27 }, PPP_AUTH_CHAP_MD5,
	  { LCP_OPT_AUTH, 5, 0xc2, 0x23, CHAP_ALG_MD5 } },
	/* the one we asked for, suggested back: nothing better, next in order */
	{ { LCP_OPT_AUTH, 5, 0xc2, 0x23, CHAP_ALG_MSCHAPV2 }, PPP_AUTH_CHAP_MD5,
	  { LCP_OPT_AUTH, 5, 0xc2, 0x23, CHAP_ALG_MD5 } },
};

START_TEST(mschapv2_nak_fallback)
{
	const struct ppp_action *cr;

	cfg.auth[0] = PPP_AUTH_MSCHAPV2;
	cfg.auth[1] = PPP_AUTH_CHAP_MD5;
	cfg.auth[2] = PPP_AUTH_PAP;
	cfg.n_auth = 3;
	start();
	ck_assert_int_eq(lcp_auth_method(&lcp), PPP_AUTH_MSCHAPV2);
	ck_assert_int_ge(feed(PPP_CONF_NAK, lcp.fsm.req_id, fallback[_i].nak,
			      fallback[_i].nak[1]), 0);
	ck_assert_int_eq(lcp_auth_method(&lcp), fallback[_i].next);
	cr = tu_send(&out, PPP_PROTO_LCP, 0);
	ck_assert_uint_eq(tu_code(&out, cr), PPP_CONF_REQ);
	ck_assert_int_eq(memcmp(tu_data(&out, cr) + 4, fallback[_i].opt, fallback[_i].opt[1]), 0);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_REQ_SENT);
}
END_TEST

/* CHAP-MD5 first, MS-CHAPv2 second: a Nak naming 0x81 gets MS-CHAPv2; a Nak of that, refused. */
START_TEST(chap_nak_to_mschapv2_then_refused)
{
	static const uint8_t nak_ms[] = { LCP_OPT_AUTH, 5, 0xc2, 0x23, CHAP_ALG_MSCHAPV2 };

	cfg.auth[0] = PPP_AUTH_CHAP_MD5;
	cfg.auth[1] = PPP_AUTH_MSCHAPV2;
	cfg.n_auth = 2;
	start();
	ck_assert_int_ge(feed(PPP_CONF_NAK, lcp.fsm.req_id, nak_ms, sizeof(nak_ms)), 0);
	ck_assert_int_eq(lcp_auth_method(&lcp), PPP_AUTH_MSCHAPV2);
	ck_assert_uint_eq(tu_data(&out, tu_send(&out, PPP_PROTO_LCP, 0))[8], CHAP_ALG_MSCHAPV2);
	ck_assert_int_ge(feed(PPP_CONF_NAK, lcp.fsm.req_id, nak_ms, sizeof(nak_ms)), 0);
	ck_assert_int_eq(lcp.fsm.state, PPP_FSM_CLOSING);
	ck_assert_int_eq(lcp.fail, PPP_DOWN_AUTH_REFUSED);
}
END_TEST

static Suite *lcp_suite(void)
{
	Suite *s = suite_create("ppp_lcp");
	TCase *tc = tcase_create("lcp");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, our_request);
	tcase_add_test(tc, single_method_pap);
	tcase_add_test(tc, single_method_mschapv2);
	tcase_add_loop_test(tc, mschapv2_nak_fallback, 0, sizeof(fallback) / sizeof(fallback[0]));
	tcase_add_test(tc, chap_nak_to_mschapv2_then_refused);
	tcase_add_test(tc, reject_async_options);
	tcase_add_test(tc, peer_asks_to_be_authenticated);
	tcase_add_test(tc, nak_small_mru_ack_good);
	tcase_add_test(tc, nak_becomes_reject);
	tcase_add_test(tc, auth_fallback_then_refused);
	tcase_add_test(tc, auth_rejected_closes);
	tcase_add_test(tc, reject_mru_magic);
	tcase_add_test(tc, nak_mru_and_magic);
	tcase_add_test(tc, loopback_detected);
	tcase_add_test(tc, magic_zero_nakd);
	tcase_add_test(tc, malformed_options_rejected);
	tcase_add_test(tc, echo_reply_to_peer);
	tcase_add_test(tc, echo_keepalive_failure);
	tcase_add_test(tc, echo_own_magic_is_loopback);
	tcase_add_test(tc, echo_off);
	tcase_add_test(tc, protocol_reject);
	tcase_add_test(tc, peer_terminates);
	tcase_add_test(tc, unknown_code_rejected);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lcp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
