// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A PPP session end to end against a scripted client that sends what pppd
 * (as an L2TP LAC's PPP peer) sends: LCP with async options first, CHAP or
 * PAP, IPCP asking for 0.0.0.0 and DNS with VJ compression, CCP and IPV6CP
 * it is not offered, echo, terminate; MS-CHAPv2 with retries as Windows
 * does it, and IPV6CP when enabled. The test plays the daemon too:
 * it answers AUTH_REQUEST from a users file.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ppp_sess.h"
#include "ppp_testutil.h"
#include "ppp_users.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static struct ppp_cfg cfg;
static struct ppp_sess sess;
static struct ppp_actions out;
static struct ppp_users *users;
static uint8_t rnd;
static uint64_t now;

static const char secrets[] =
	"alice * secret\n"
	"fixed * pw 10.9.9.9\n"
	"CORP\\\\User * clientPass\n";

static void setup(void)
{
	char err[64];

	ppp_cfg_default(&cfg);
	cfg.lcp.rand_bytes = tu_rand;
	cfg.lcp.rand_ctx = &rnd;
	cfg.auth.name = "lnsd";
	cfg.ipcp.local_ip = IP(10, 0, 0, 1);
	cfg.ipcp.dns1 = IP(192, 0, 2, 53);
	cfg.ipcp.dns2 = IP(192, 0, 2, 54);
	cfg.pool = ip_pool_new();
	ck_assert_int_eq(ip_pool_add_range(cfg.pool, IP(10, 0, 0, 100), IP(10, 0, 0, 101)), 0);
	ck_assert_int_eq(ppp_users_parse(secrets, strlen(secrets), &users, err, sizeof(err)), 0);
	rnd = 0;
	now = 1000;
	ppp_actions_init(&out);
	ppp_sess_init(&sess, &cfg);
}

static void teardown(void)
{
	ppp_sess_fini(&sess);
	ppp_actions_free(&out);
	ppp_users_free(users);
	ip_pool_free(cfg.pool);
}

/* The client sends proto + packet; the fd is the one the kernel would use. */
static void client(uint16_t proto, uint8_t code, uint8_t id, const void *data, size_t len)
{
	uint8_t frame[600];

	frame[0] = (uint8_t)(proto >> 8);
	frame[1] = (uint8_t)proto;
	ppp_actions_reset(&out);
	ppp_sess_input(&sess, frame, 2 + tu_pkt(frame + 2, code, id, data, len), proto < 0xc000,
		       now, &out);
}

static const struct ppp_action *sent(uint16_t proto, uint8_t code)
{
	size_t i;
	const struct ppp_action *a;

	for (i = 0; (a = tu_send(&out, proto, i)) != NULL; i++)
		if (tu_code(&out, a) == code)
			return a;
	return NULL;
}

static const struct ppp_action *action(enum ppp_act_type t)
{
	size_t i;

	for (i = 0; i < out.n; i++)
		if (out.v[i].type == t)
			return &out.v[i];
	return NULL;
}

/* Ack the LNS's Configure-Request of proto, as it was sent. */
static void client_acks(uint16_t proto)
{
	const struct ppp_action *cr = sent(proto, PPP_CONF_REQ);
	uint8_t opts[64], id;
	size_t n;

	ck_assert_ptr_nonnull(cr);
	n = tu_dlen(cr);
	id = tu_id(&out, cr);
	memcpy(opts, tu_data(&out, cr), n);
	client(proto, PPP_CONF_ACK, id, opts, n);
}

/* The daemon's part: look the user up and answer. */
static void daemon_verifies(void)
{
	const struct ppp_action *a = action(PPP_ACT_AUTH_REQUEST);
	const struct ppp_user *u = NULL;
	struct ppp_auth_attrs attrs = { 0 };
	struct ppp_auth_req req;
	struct ppp_actions pend;
	bool ok;

	ck_assert_ptr_nonnull(a);
	ppp_action_auth_req(&out, a, &req);
	ok = ppp_users_verify(users, "lnsd", &req, &u, attrs.auth_resp);
	if (ok)
		attrs.peer_ip = u->ip;
	attrs.has_auth_resp = ok && req.method == PPP_AUTH_MSCHAPV2;
	/* the answer comes in a later loop iteration, with its own action list */
	ppp_actions_init(&pend);
	ck_assert_int_eq(ppp_sess_auth_result(&sess, ok, ok ? "Welcome" : "Access denied",
					      &attrs, now, &pend), 0);
	ppp_actions_free(&out);
	out = pend;
}

static const uint8_t lcp_pppd_first[] = { LCP_OPT_ACCM, 6, 0, 0, 0, 0,
					  LCP_OPT_MAGIC, 6, 0x2a, 0x2b, 0x2c, 0x2d,
					  LCP_OPT_PFC, 2, LCP_OPT_ACFC, 2 };
static const uint8_t lcp_pppd_second[] = { LCP_OPT_MAGIC, 6, 0x2a, 0x2b, 0x2c, 0x2d };

/* Start the session and bring LCP to Opened like pppd does. */
static void lcp_up(void)
{
	const struct ppp_action *a;
	struct ppp_actions first;

	ppp_sess_start(&sess, now, &out);
	ck_assert_int_eq(sess.phase, PPP_PHASE_ESTABLISH);
	/* keep the LNS's request; the client answers it after its own round */
	first = out;
	ppp_actions_init(&out);
	client(PPP_PROTO_LCP, PPP_CONF_REQ, 1, lcp_pppd_first, sizeof(lcp_pppd_first));
	a = sent(PPP_PROTO_LCP, PPP_CONF_REJ);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(tu_dlen(a), 10);
	client(PPP_PROTO_LCP, PPP_CONF_REQ, 2, lcp_pppd_second, sizeof(lcp_pppd_second));
	ck_assert_ptr_nonnull(sent(PPP_PROTO_LCP, PPP_CONF_ACK));
	ppp_actions_free(&out);
	out = first;
	client_acks(PPP_PROTO_LCP);
	ck_assert_int_eq(sess.lcp.fsm.state, PPP_FSM_OPENED);
}

/* CHAP as pppd answers it: MD5 over id, secret and challenge; name "alice". */
static void chap_answer(const char *user, const char *secret)
{
	const struct ppp_action *ch = sent(PPP_PROTO_CHAP, CHAP_CHALLENGE);
	uint8_t body[64];
	size_t n;

	ck_assert_ptr_nonnull(ch);
	ck_assert_uint_eq(tu_data(&out, ch)[0], 16);
	body[0] = 16;
	ppp_chap_md5(tu_id(&out, ch), secret, strlen(secret), tu_data(&out, ch) + 1, 16, body + 1);
	memcpy(body + 17, user, strlen(user));
	n = 17 + strlen(user);
	client(PPP_PROTO_CHAP, CHAP_RESPONSE, tu_id(&out, ch), body, n);
}

static const uint8_t ipcp_first[] = { IPCP_OPT_COMP, 6, 0x00, 0x2d, 0x0f, 0x01,
				      IPCP_OPT_ADDR, 6, 0, 0, 0, 0,
				      IPCP_OPT_DNS1, 6, 0, 0, 0, 0,
				      IPCP_OPT_DNS2, 6, 0, 0, 0, 0 };

/* IPCP as pppd with usepeerdns runs it: VJ rejected, zeros Nak'd, then Ack both ways. */
static void ipcp_up(uint32_t want_ip)
{
	const struct ppp_action *a;
	struct ppp_actions lns_cr;
	uint8_t nakd[32];
	size_t n;

	ck_assert_int_eq(sess.phase, PPP_PHASE_NETWORK);
	a = sent(PPP_PROTO_IPCP, PPP_CONF_REQ);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->chan, PPP_CHAN_UNIT);
	lns_cr = out;
	ppp_actions_init(&out);

	/* IPCP before the network phase would have been dropped; now it counts */
	client(PPP_PROTO_IPCP, PPP_CONF_REQ, 1, ipcp_first, sizeof(ipcp_first));
	a = sent(PPP_PROTO_IPCP, PPP_CONF_REJ);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(tu_dlen(a), 6);
	ck_assert_uint_eq(tu_data(&out, a)[0], IPCP_OPT_COMP);
	client(PPP_PROTO_IPCP, PPP_CONF_REQ, 2, ipcp_first + 6, sizeof(ipcp_first) - 6);
	a = sent(PPP_PROTO_IPCP, PPP_CONF_NAK);
	ck_assert_ptr_nonnull(a);
	n = tu_dlen(a);
	ck_assert_uint_eq(n, 18);
	memcpy(nakd, tu_data(&out, a), n);
	ck_assert_uint_eq(nakd[2], (uint8_t)(want_ip >> 24));
	ck_assert_uint_eq(nakd[5], (uint8_t)want_ip);
	client(PPP_PROTO_IPCP, PPP_CONF_REQ, 3, nakd, n);
	ck_assert_ptr_nonnull(sent(PPP_PROTO_IPCP, PPP_CONF_ACK));
	ppp_actions_free(&out);
	out = lns_cr;
	client_acks(PPP_PROTO_IPCP);
	ck_assert_int_eq(sess.ipcp.fsm.state, PPP_FSM_OPENED);
}

/*
 * A per-link MRU (lnsd's [ppp] mtu = auto, computed per tunnel) replaces
 * cfg's: our Configure-Request asks for it and UP's MTU is capped by it.
 */
START_TEST(per_link_mru)
{
	const struct ppp_action *a;
	const uint8_t *cr;

	lcp_set_mru(&sess.lcp, 1404);
	ppp_sess_start(&sess, now, &out);
	a = sent(PPP_PROTO_LCP, PPP_CONF_REQ);
	ck_assert_ptr_nonnull(a);
	cr = tu_data(&out, a);
	ck_assert_uint_eq(cr[0], LCP_OPT_MRU);
	ck_assert_uint_eq((cr[2] << 8) | cr[3], 1404);
	ppp_actions_reset(&out);
	ppp_sess_lower_down(&sess, now, &out);
	ppp_sess_init(&sess, &cfg);
	ppp_actions_reset(&out);
	lcp_set_mru(&sess.lcp, 1404);
	lcp_up();
	chap_answer("alice", "secret");
	daemon_verifies();
	ipcp_up(IP(10, 0, 0, 100));
	a = action(PPP_ACT_UP);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->up.mtu, 1404);
	ck_assert_uint_eq(a->up.mru, 1404);
}
END_TEST

START_TEST(pppd_chap_end_to_end)
{
	const struct ppp_action *a;
	static const uint8_t ccp[] = { 0x12, 6, 0, 0, 0, 0 };
	static const uint8_t v6cp[] = { 1, 10, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t echo[] = { 0x2a, 0x2b, 0x2c, 0x2d };

	struct ppp_actions challenge;

	lcp_up();
	ck_assert_int_eq(sess.phase, PPP_PHASE_AUTHENTICATE);
	/* IPCP too early is silently discarded (RFC 1661 §3.4) */
	challenge = out;
	ppp_actions_init(&out);
	client(PPP_PROTO_IPCP, PPP_CONF_REQ, 1, ipcp_first, sizeof(ipcp_first));
	ck_assert_uint_eq(out.n, 0);
	ck_assert_uint_eq(sess.stats.drop_phase, 1);
	ppp_actions_free(&out);
	out = challenge;
	chap_answer("alice", "secret");
	daemon_verifies();
	a = sent(PPP_PROTO_CHAP, CHAP_SUCCESS);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->chan, PPP_CHAN_CHANNEL);
	ipcp_up(IP(10, 0, 0, 100));
	a = action(PPP_ACT_UP);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->up.peer_ip, IP(10, 0, 0, 100));
	ck_assert_uint_eq(a->up.local_ip, IP(10, 0, 0, 1));
	ck_assert_uint_eq(a->up.dns1, IP(192, 0, 2, 53));
	ck_assert_uint_eq(a->up.dns2, IP(192, 0, 2, 54));
	ck_assert_uint_eq(a->up.mtu, 1400);
	ck_assert_uint_eq(a->up.mru, 1400);
	ck_assert_uint_eq(ip_pool_used(cfg.pool), 1);

	/* CCP and IPV6CP: Protocol-Reject on the channel */
	client(PPP_PROTO_CCP, PPP_CONF_REQ, 1, ccp, sizeof(ccp));
	a = sent(PPP_PROTO_LCP, PPP_PROTO_REJ);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(tu_data(&out, a)[0], 0x80);
	ck_assert_uint_eq(tu_data(&out, a)[1], 0xfd);
	client(PPP_PROTO_IPV6CP, PPP_CONF_REQ, 1, v6cp, sizeof(v6cp));
	ck_assert_ptr_nonnull(sent(PPP_PROTO_LCP, PPP_PROTO_REJ));
	ck_assert_uint_eq(sess.stats.proto_rejects, 2);
	/* keepalive from the client */
	client(PPP_PROTO_LCP, PPP_ECHO_REQ, 9, echo, sizeof(echo));
	ck_assert_ptr_nonnull(sent(PPP_PROTO_LCP, PPP_ECHO_REPLY));
	ck_assert_uint_eq(sess.stats.wrong_fd, 0);

	/* the client hangs up */
	client(PPP_PROTO_LCP, PPP_TERM_REQ, 3, "User request", 12);
	ck_assert_ptr_nonnull(sent(PPP_PROTO_LCP, PPP_TERM_ACK));
	ck_assert_ptr_null(action(PPP_ACT_DOWN));
	ck_assert_int_eq(sess.phase, PPP_PHASE_TERMINATE);
	now = ppp_sess_next_deadline(&sess);
	ppp_actions_reset(&out);
	ppp_sess_tick(&sess, now, &out);
	a = action(PPP_ACT_DOWN);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->reason, PPP_DOWN_PEER_TERMINATE);
	ck_assert_int_eq(sess.phase, PPP_PHASE_DEAD);
	ck_assert_uint_eq(ip_pool_used(cfg.pool), 0);
	ck_assert_uint_eq(ppp_sess_next_deadline(&sess), UINT64_MAX);
	/* dead: everything is ignored */
	client(PPP_PROTO_LCP, PPP_CONF_REQ, 1, lcp_pppd_second, sizeof(lcp_pppd_second));
	ck_assert_uint_eq(out.n, 0);
}
END_TEST

/* PAP only, and a users-file address. */
START_TEST(pap_fixed_address)
{
	static const uint8_t req[] = { 5, 'f', 'i', 'x', 'e', 'd', 2, 'p', 'w' };
	const struct ppp_action *a;

	cfg.lcp.auth[0] = PPP_AUTH_PAP;
	cfg.lcp.n_auth = 1;
	lcp_up();
	ck_assert_int_eq(sess.auth.method, PPP_AUTH_PAP);
	client(PPP_PROTO_PAP, PAP_AUTH_REQ, 1, req, sizeof(req));
	daemon_verifies();
	a = sent(PPP_PROTO_PAP, PAP_AUTH_ACK);
	ck_assert_ptr_nonnull(a);
	ipcp_up(IP(10, 9, 9, 9));
	a = action(PPP_ACT_UP);
	ck_assert_uint_eq(a->up.peer_ip, IP(10, 9, 9, 9));
	ck_assert_uint_eq(ip_pool_used(cfg.pool), 0);
}
END_TEST

/* Wrong password: CHAP Failure, Terminate, DOWN(auth-failed) after the Terminate-Ack. */
START_TEST(auth_failure)
{
	const struct ppp_action *a, *tr;

	lcp_up();
	chap_answer("alice", "wrong");
	daemon_verifies();
	ck_assert_ptr_nonnull(sent(PPP_PROTO_CHAP, CHAP_FAILURE));
	tr = sent(PPP_PROTO_LCP, PPP_TERM_REQ);
	ck_assert_ptr_nonnull(tr);
	ck_assert(sent(PPP_PROTO_CHAP, CHAP_FAILURE) < tr);
	client(PPP_PROTO_LCP, PPP_TERM_ACK, tu_id(&out, tr), NULL, 0);
	a = action(PPP_ACT_DOWN);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->reason, PPP_DOWN_AUTH_FAILED);
	ck_assert_int_eq(ppp_sess_auth_result(&sess, true, "", NULL, now, &out), -EINVAL);
}
END_TEST

START_TEST(pool_exhausted)
{
	const struct ppp_action *a;

	ck_assert_int_eq(ip_pool_alloc_addr(cfg.pool, IP(10, 0, 0, 100)), 0);
	ck_assert_int_eq(ip_pool_alloc_addr(cfg.pool, IP(10, 0, 0, 101)), 0);
	lcp_up();
	chap_answer("alice", "secret");
	daemon_verifies();
	ck_assert_ptr_nonnull(sent(PPP_PROTO_CHAP, CHAP_SUCCESS));
	ck_assert_ptr_null(sent(PPP_PROTO_IPCP, PPP_CONF_REQ));
	ck_assert_ptr_nonnull(sent(PPP_PROTO_LCP, PPP_TERM_REQ));
	/* the client never answers: Max-Terminate requests, then DOWN */
	while (sess.phase != PPP_PHASE_DEAD && now < 100000) {
		now = ppp_sess_next_deadline(&sess);
		ppp_actions_reset(&out);
		ppp_sess_tick(&sess, now, &out);
	}
	a = action(PPP_ACT_DOWN);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->reason, PPP_DOWN_POOL_EXHAUSTED);
}
END_TEST

START_TEST(echo_failure_teardown)
{
	const struct ppp_action *a = NULL;
	int echoes = 0;

	lcp_up();
	chap_answer("alice", "secret");
	daemon_verifies();
	ipcp_up(IP(10, 0, 0, 100));
	while (sess.phase != PPP_PHASE_DEAD && now < 10000000) {
		now = ppp_sess_next_deadline(&sess);
		ppp_actions_reset(&out);
		ppp_sess_tick(&sess, now, &out);
		echoes += sent(PPP_PROTO_LCP, PPP_ECHO_REQ) != NULL;
	}
	a = action(PPP_ACT_DOWN);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->reason, PPP_DOWN_ECHO_FAILURE);
	ck_assert_int_eq(echoes, cfg.lcp.echo_failures);
	ck_assert_uint_eq(ip_pool_used(cfg.pool), 0);
}
END_TEST

/* The client never answers LCP: Max-Configure requests, then DOWN(negotiation). */
START_TEST(lcp_silence)
{
	const struct ppp_action *a;
	int reqs = 1;

	ppp_sess_start(&sess, now, &out);
	while (sess.phase != PPP_PHASE_DEAD && now < 1000000) {
		now = ppp_sess_next_deadline(&sess);
		ppp_actions_reset(&out);
		ppp_sess_tick(&sess, now, &out);
		reqs += sent(PPP_PROTO_LCP, PPP_CONF_REQ) != NULL;
	}
	a = action(PPP_ACT_DOWN);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->reason, PPP_DOWN_NEGOTIATION);
	ck_assert_int_eq(reqs, cfg.fsm.max_configure);
}
END_TEST

/* The client refuses every method: DOWN(auth-refused). */
START_TEST(auth_refused)
{
	static const uint8_t rej_auth[] = { LCP_OPT_AUTH, 5, 0xc2, 0x23, 5 };
	const struct ppp_action *cr, *tr;

	ppp_sess_start(&sess, now, &out);
	cr = sent(PPP_PROTO_LCP, PPP_CONF_REQ);
	client(PPP_PROTO_LCP, PPP_CONF_REJ, tu_id(&out, cr), rej_auth, sizeof(rej_auth));
	tr = sent(PPP_PROTO_LCP, PPP_TERM_REQ);
	ck_assert_ptr_nonnull(tr);
	client(PPP_PROTO_LCP, PPP_TERM_ACK, tu_id(&out, tr), NULL, 0);
	ck_assert_int_eq(action(PPP_ACT_DOWN)->reason, PPP_DOWN_AUTH_REFUSED);
}
END_TEST

START_TEST(admin_close_and_lower_down)
{
	const struct ppp_action *tr;

	lcp_up();
	chap_answer("alice", "secret");
	daemon_verifies();
	ipcp_up(IP(10, 0, 0, 100));
	ppp_actions_reset(&out);
	ppp_sess_close(&sess, PPP_DOWN_ADMIN, now, &out);
	tr = sent(PPP_PROTO_LCP, PPP_TERM_REQ);
	ck_assert_ptr_nonnull(tr);
	ck_assert_ptr_null(action(PPP_ACT_DOWN));
	client(PPP_PROTO_LCP, PPP_TERM_ACK, tu_id(&out, tr), NULL, 0);
	ck_assert_int_eq(action(PPP_ACT_DOWN)->reason, PPP_DOWN_ADMIN);

	/* a second session loses its L2TP session under it */
	ppp_sess_fini(&sess);
	ppp_sess_init(&sess, &cfg);
	ppp_actions_reset(&out);
	ppp_sess_start(&sess, now, &out);
	ppp_actions_reset(&out);
	ppp_sess_lower_down(&sess, now, &out);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_int_eq(out.v[0].type, PPP_ACT_DOWN);
	ck_assert_int_eq(out.v[0].reason, PPP_DOWN_LOWER);
	ppp_actions_reset(&out);
	ppp_sess_close(&sess, PPP_DOWN_ADMIN, now, &out);
	ck_assert_uint_eq(out.n, 0);
}
END_TEST

/* Verdict arrives after the client has gone: refused, nothing leaks. */
START_TEST(late_verdict)
{
	const struct ppp_action *a;
	struct ppp_auth_attrs attrs = { 0 };

	lcp_up();
	chap_answer("alice", "secret");
	ck_assert_ptr_nonnull(action(PPP_ACT_AUTH_REQUEST));
	ppp_sess_lower_down(&sess, now, &out);
	ppp_actions_reset(&out);
	ck_assert_int_eq(ppp_sess_auth_result(&sess, true, "", &attrs, now, &out), -EINVAL);
	ck_assert_uint_eq(ip_pool_used(cfg.pool), 0);
	a = action(PPP_ACT_UP);
	ck_assert_ptr_null(a);
}
END_TEST

START_TEST(garbage_frames)
{
	static const uint8_t one = 0xc0;
	static const uint8_t ip_frame[] = { 0x00, 0x21, 0x45, 0, 0, 20 };
	static const uint8_t bad_lcp[] = { 0xc0, 0x21, 1, 1, 0, 99 };

	ppp_sess_start(&sess, now, &out);
	ppp_actions_reset(&out);
	ppp_sess_input(&sess, &one, 1, false, now, &out);
	ppp_sess_input(&sess, ip_frame, sizeof(ip_frame), true, now, &out);
	ppp_sess_input(&sess, bad_lcp, sizeof(bad_lcp), false, now, &out);
	ppp_sess_input(&sess, bad_lcp, sizeof(bad_lcp), true, now, &out);
	ck_assert_uint_eq(out.n, 0);
	ck_assert_uint_eq(sess.stats.drop_short, 1);
	ck_assert_uint_eq(sess.stats.drop_phase, 1);
	ck_assert_uint_eq(sess.stats.drop_invalid, 2);
	ck_assert_uint_eq(sess.stats.wrong_fd, 1);
}
END_TEST

/* docs/design.md §8: 100,000 sessions; the PPP state must stay small. */
START_TEST(small)
{
	fprintf(stderr, "sizeof(struct ppp_sess) = %zu\n", sizeof(struct ppp_sess));
	ck_assert_uint_le(sizeof(struct ppp_sess), 384);
	ck_assert_str_eq(ppp_phase_str(PPP_PHASE_NETWORK), "network");
	ck_assert_str_eq(ppp_down_reason_str(PPP_DOWN_ECHO_FAILURE), "echo-failure");
}
END_TEST

/* MS-CHAPv2 as Windows answers: the challenge from a Challenge or from a Failure's C=. */
static void mschap_answer(const uint8_t chal[16], uint8_t id, const char *user, const char *pw)
{
	static const uint8_t peer[16] = { 0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A,
					  0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E };
	uint8_t body[80];

	body[0] = MSCHAPV2_RESPONSE_LEN;
	memcpy(body + 1, peer, 16);
	memset(body + 17, 0, 8);
	ck_assert_int_eq(ppp_mschap_nt_response(chal, peer, user, strlen(user), pw, strlen(pw),
						body + 25), 0);
	body[49] = 0;
	memcpy(body + 50, user, strlen(user));
	client(PPP_PROTO_CHAP, CHAP_RESPONSE, id, body, 50 + strlen(user));
}

/* The C= challenge of the Failure in out, and its identifier; false if R=0. */
static bool failure_retry(uint8_t chal[16], uint8_t *id)
{
	const struct ppp_action *a = sent(PPP_PROTO_CHAP, CHAP_FAILURE);
	char txt[200];
	size_t k, n;

	ck_assert_ptr_nonnull(a);
	n = tu_dlen(a) < sizeof(txt) - 1 ? tu_dlen(a) : sizeof(txt) - 1;
	memcpy(txt, tu_data(&out, a), n);
	txt[n] = '\0';
	ck_assert_int_eq(strncmp(txt, "E=691 R=", 8), 0);
	ck_assert_int_eq(strncmp(txt + 9, " C=", 3), 0);
	for (k = 0; k < 16; k++) {
		char x[3] = { txt[12 + 2 * k], txt[13 + 2 * k], 0 };

		chal[k] = (uint8_t)strtoul(x, NULL, 16);
	}
	*id = tu_id(&out, a);
	return txt[8] == '1';
}

/*
 * Windows with a domain user name: MS-CHAPv2 only. Passwords tried in turn;
 * the table gives how it ends (mschap_retries = 2: three attempts).
 */
static const struct {
	const char *pw[3];
	int fails;                    /* Failures before the end */
	bool up;
} ms_tries[] = {
	{ { "clientPass" }, 0, true },
	{ { "wrong", "clientPass" }, 1, true },
	{ { "wrong", "wrong", "clientPass" }, 2, true },
	{ { "wrong", "wrong", "wrong" }, 3, false },
};

START_TEST(mschapv2_windows)
{
	const struct ppp_action *ch, *a;
	uint8_t chal[16], id;
	int i, fails = 0;

	cfg.lcp.auth[0] = PPP_AUTH_MSCHAPV2;
	cfg.lcp.n_auth = 1;
	lcp_up();
	ck_assert_int_eq(sess.auth.method, PPP_AUTH_MSCHAPV2);
	ch = sent(PPP_PROTO_CHAP, CHAP_CHALLENGE);
	ck_assert_ptr_nonnull(ch);
	memcpy(chal, tu_data(&out, ch) + 1, 16);
	id = tu_id(&out, ch);
	for (i = 0; i < 3 && ms_tries[_i].pw[i]; i++) {
		mschap_answer(chal, id, "CORP\\User", ms_tries[_i].pw[i]);
		daemon_verifies();
		if (sent(PPP_PROTO_CHAP, CHAP_SUCCESS))
			break;
		fails++;
		if (!failure_retry(chal, &id)) {
			ck_assert_ptr_nonnull(sent(PPP_PROTO_LCP, PPP_TERM_REQ));
			break;
		}
		ck_assert_int_eq(sess.phase, PPP_PHASE_AUTHENTICATE);
		ck_assert_ptr_null(sent(PPP_PROTO_LCP, PPP_TERM_REQ));
		id++;           /* RFC 2759 §6: the retry Response carries the next identifier */
	}
	ck_assert_int_eq(fails, ms_tries[_i].fails);
	if (!ms_tries[_i].up) {
		a = sent(PPP_PROTO_LCP, PPP_TERM_REQ);
		client(PPP_PROTO_LCP, PPP_TERM_ACK, tu_id(&out, a), NULL, 0);
		a = action(PPP_ACT_DOWN);
		ck_assert_ptr_nonnull(a);
		ck_assert_int_eq(a->reason, PPP_DOWN_AUTH_FAILED);
		return;
	}
	a = sent(PPP_PROTO_CHAP, CHAP_SUCCESS);
	ck_assert_uint_eq(tu_dlen(a), MSCHAPV2_AUTH_STR_LEN + strlen(" M=Welcome"));
	ck_assert_int_eq(memcmp(tu_data(&out, a), "S=", 2), 0);
	ipcp_up(IP(10, 0, 0, 100));
	ck_assert_ptr_nonnull(action(PPP_ACT_UP));
}
END_TEST

/* A deep copy of an action list (the helpers reuse out's buffer). */
static void actions_dup(struct ppp_actions *dst, const struct ppp_actions *src)
{
	ppp_actions_init(dst);
	dst->v = malloc(src->cap * sizeof(*dst->v));
	dst->buf = malloc(src->bcap);
	ck_assert(dst->v && dst->buf);
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	memcpy(dst->buf, src->buf, src->blen);
	dst->n = src->n;
	dst->cap = src->cap;
	dst->blen = src->blen;
	dst->bcap = src->bcap;
}

/* Make out a copy of saved again. */
static void restore(const struct ppp_actions *saved)
{
	ppp_actions_free(&out);
	actions_dup(&out, saved);
}

/* IPV6CP as Windows runs it: its identifier, our Ack, then it Acks ours. */
static void ipv6cp_up(const uint8_t peer_id[8])
{
	const struct ppp_action *a = sent(PPP_PROTO_IPV6CP, PPP_CONF_REQ);
	uint8_t req[10] = { IPV6CP_OPT_IFID, 10 }, ours[10];
	uint8_t id;

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->chan, PPP_CHAN_UNIT);
	ck_assert_uint_eq(tu_dlen(a), 10);
	memcpy(ours, tu_data(&out, a), 10);
	id = tu_id(&out, a);
	memcpy(req + 2, peer_id, 8);
	client(PPP_PROTO_IPV6CP, PPP_CONF_REQ, 1, req, sizeof(req));
	ck_assert_ptr_nonnull(sent(PPP_PROTO_IPV6CP, PPP_CONF_ACK));
	client(PPP_PROTO_IPV6CP, PPP_CONF_ACK, id, ours, sizeof(ours));
	ck_assert_int_eq(sess.ipv6cp.fsm.state, PPP_FSM_OPENED);
}

/* Authenticated with IPV6CP enabled; *crs gets the NCP Configure-Requests. */
static void dual_stack_auth(struct ppp_actions *crs)
{
	static const uint8_t early[] = { IPV6CP_OPT_IFID, 10, 1, 1, 1, 1, 1, 1, 1, 1 };
	struct ppp_actions challenge;

	cfg.ipv6cp.enabled = true;
	lcp_up();
	/* before the network phase IPV6CP is discarded, not rejected (RFC 1661 §3.4) */
	actions_dup(&challenge, &out);
	client(PPP_PROTO_IPV6CP, PPP_CONF_REQ, 1, early, sizeof(early));
	ck_assert_uint_eq(out.n, 0);
	ck_assert_uint_eq(sess.stats.drop_phase, 1);
	restore(&challenge);
	ppp_actions_free(&challenge);
	chap_answer("alice", "secret");
	daemon_verifies();
	ck_assert_ptr_nonnull(sent(PPP_PROTO_IPCP, PPP_CONF_REQ));
	ck_assert_ptr_nonnull(sent(PPP_PROTO_IPV6CP, PPP_CONF_REQ));
	actions_dup(crs, &out);
}

/* IPV6CP opens first (UP without IPv4), then IPCP (UP with both). */
START_TEST(ipv6cp_dual_stack)
{
	static const uint8_t peer_id[8] = { 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 };
	const struct ppp_action *a;
	struct ppp_actions crs;
	uint8_t local[8];

	dual_stack_auth(&crs);
	ipv6cp_up(peer_id);
	a = action(PPP_ACT_UP);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->up.ncp, PPP_NCP_IPV6CP);
	ck_assert(a->up.ipv6);
	ck_assert_int_eq(memcmp(a->up.peer_ifid, peer_id, 8), 0);
	ck_assert_int_eq(memcmp(a->up.local_ifid, sess.ipv6cp.our_id, 8), 0);
	ck_assert_int_ne(memcmp(a->up.local_ifid, "\0\0\0\0\0\0\0\0", 8), 0);
	memcpy(local, a->up.local_ifid, 8);
	ck_assert_uint_eq(a->up.peer_ip, 0);
	ck_assert_uint_eq(a->up.local_ip, 0);
	ck_assert_uint_eq(a->up.mtu, 1400);

	restore(&crs);
	ipcp_up(IP(10, 0, 0, 100));
	a = action(PPP_ACT_UP);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->up.ncp, PPP_NCP_IPCP);
	ck_assert_uint_eq(a->up.peer_ip, IP(10, 0, 0, 100));
	ck_assert(a->up.ipv6);
	ck_assert_int_eq(memcmp(a->up.local_ifid, local, 8), 0);
	ck_assert_int_eq(memcmp(a->up.peer_ifid, peer_id, 8), 0);
	ck_assert_uint_eq(sess.stats.proto_rejects, 0);
	ck_assert_uint_eq(sess.stats.wrong_fd, 0);
	ck_assert_uint_lt(ppp_sess_next_deadline(&sess), UINT64_MAX);
	ppp_actions_free(&crs);
}
END_TEST

/* An IPv4-only peer Protocol-Rejects IPV6CP: IPCP carries on, nothing more is sent for IPV6CP. */
START_TEST(ipv6cp_rejected_by_peer)
{
	const struct ppp_action *cr;
	uint8_t rej[16] = { 0x80, 0x57 };
	struct ppp_actions crs;
	size_t n;

	dual_stack_auth(&crs);
	cr = sent(PPP_PROTO_IPV6CP, PPP_CONF_REQ);
	n = tu_dlen(cr) + 4;
	memcpy(rej + 2, tu_frame(&out, cr) + 2, n);
	client(PPP_PROTO_LCP, PPP_PROTO_REJ, 5, rej, 2 + n);
	ck_assert_ptr_null(action(PPP_ACT_DOWN));
	ck_assert_ptr_null(sent(PPP_PROTO_LCP, PPP_TERM_REQ));
	ck_assert_int_eq(sess.phase, PPP_PHASE_NETWORK);
	ck_assert_uint_eq(sess.ipv6cp.fsm.deadline, UINT64_MAX);
	restore(&crs);
	ipcp_up(IP(10, 0, 0, 100));
	ck_assert(!action(PPP_ACT_UP)->up.ipv6);
	/* a late IPV6CP packet of the peer's is now rejected like a disabled one */
	client(PPP_PROTO_IPV6CP, PPP_CONF_REQ, 9, rej + 2, 14);
	ck_assert_ptr_nonnull(sent(PPP_PROTO_LCP, PPP_PROTO_REJ));
	ppp_actions_free(&crs);
}
END_TEST

/* An IPv6-only peer rejects IPCP: the link stays for IPV6CP; rejecting both ends it. */
START_TEST(ipcp_rejected_ipv6_only)
{
	static const uint8_t peer_id[8] = { 1, 2, 3, 4, 5, 6, 7, 9 };
	uint8_t rej4[] = { 0x80, 0x21, PPP_CONF_REQ, 1, 0, 4 };
	uint8_t rej6[] = { 0x80, 0x57, PPP_CONF_REQ, 1, 0, 4 };
	struct ppp_actions crs;
	const struct ppp_action *a;

	dual_stack_auth(&crs);
	ipv6cp_up(peer_id);
	client(PPP_PROTO_LCP, PPP_PROTO_REJ, 5, rej4, sizeof(rej4));
	ck_assert_ptr_null(sent(PPP_PROTO_LCP, PPP_TERM_REQ));
	ck_assert_int_eq(sess.phase, PPP_PHASE_NETWORK);
	ck_assert_uint_eq(sess.ipcp.fsm.deadline, UINT64_MAX);
	client(PPP_PROTO_LCP, PPP_PROTO_REJ, 6, rej6, sizeof(rej6));
	a = sent(PPP_PROTO_LCP, PPP_TERM_REQ);
	ck_assert_ptr_nonnull(a);
	client(PPP_PROTO_LCP, PPP_TERM_ACK, tu_id(&out, a), NULL, 0);
	a = action(PPP_ACT_DOWN);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->reason, PPP_DOWN_PROTO_REJECTED);
	ppp_actions_free(&crs);
}
END_TEST

/* Disabled (the default): IPV6CP in the network phase is Protocol-Rejected, as before. */
START_TEST(ipv6cp_disabled_rejected)
{
	static const uint8_t v6cp[] = { IPV6CP_OPT_IFID, 10, 1, 2, 3, 4, 5, 6, 7, 8 };
	const struct ppp_action *a;

	lcp_up();
	chap_answer("alice", "secret");
	daemon_verifies();
	ck_assert_ptr_null(sent(PPP_PROTO_IPV6CP, PPP_CONF_REQ));
	client(PPP_PROTO_IPV6CP, PPP_CONF_REQ, 1, v6cp, sizeof(v6cp));
	a = sent(PPP_PROTO_LCP, PPP_PROTO_REJ);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(tu_data(&out, a)[0], 0x80);
	ck_assert_uint_eq(tu_data(&out, a)[1], 0x57);
	ck_assert_uint_eq(sess.stats.proto_rejects, 1);
	ck_assert_int_eq(sess.ipv6cp.fsm.state, PPP_FSM_INITIAL);
}
END_TEST

static Suite *sess_suite(void)
{
	Suite *s = suite_create("ppp_sess");
	TCase *tc = tcase_create("sess");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pppd_chap_end_to_end);
	tcase_add_test(tc, per_link_mru);
	tcase_add_test(tc, pap_fixed_address);
	tcase_add_test(tc, auth_failure);
	tcase_add_test(tc, pool_exhausted);
	tcase_add_test(tc, echo_failure_teardown);
	tcase_add_test(tc, lcp_silence);
	tcase_add_test(tc, auth_refused);
	tcase_add_test(tc, admin_close_and_lower_down);
	tcase_add_test(tc, late_verdict);
	tcase_add_test(tc, garbage_frames);
	tcase_add_test(tc, small);
	tcase_add_loop_test(tc, mschapv2_windows, 0, sizeof(ms_tries) / sizeof(ms_tries[0]));
	tcase_add_test(tc, ipv6cp_dual_stack);
	tcase_add_test(tc, ipv6cp_rejected_by_peer);
	tcase_add_test(tc, ipcp_rejected_ipv6_only);
	tcase_add_test(tc, ipv6cp_disabled_rejected);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sess_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
