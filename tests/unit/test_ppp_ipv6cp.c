// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPV6CP (RFC 5072): our Interface-Identifier, the peer's acknowledged, zero
 * or colliding ones Nak'd with a fresh random identifier, compression and
 * unknown options rejected, the peer's Nak and Reject of ours.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ppp_ipv6cp.h"
#include "ppp_testutil.h"

static struct ppp_fsm_cfg fcfg;
static struct ipv6cp v6;
static struct ppp_actions out;
static uint8_t rnd;

/* tu_rand from 0: our identifier is 01..08, the next fresh one 09..10 (FRESH8) */
static const uint8_t ours[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void start(void (*rand_fn)(void *, void *, size_t))
{
	rnd = 0;
	ipv6cp_init(&v6, &fcfg, rand_fn, &rnd);
	ppp_actions_reset(&out);
	ppp_fsm_event(&v6.fsm, PPP_EV_UP, 0, &out);
	ppp_fsm_event(&v6.fsm, PPP_EV_OPEN, 0, &out);
}

static void setup(void)
{
	ppp_fsm_cfg_default(&fcfg);
	ppp_actions_init(&out);
	start(tu_rand);
}

static void teardown(void)
{
	ppp_actions_free(&out);
}

static const struct ppp_action *feed(uint8_t code, uint8_t id, const void *data, size_t len)
{
	uint8_t pkt[256];

	ppp_actions_reset(&out);
	ipv6cp_input(&v6, pkt, tu_pkt(pkt, code, id, data, len), 100, &out);
	return tu_send(&out, PPP_PROTO_IPV6CP, 0);
}

START_TEST(our_request)
{
	static const uint8_t want[] = { IPV6CP_OPT_IFID, 10, 1, 2, 3, 4, 5, 6, 7, 8 };
	const struct ppp_action *a = tu_send(&out, PPP_PROTO_IPV6CP, 0);

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->chan, PPP_CHAN_UNIT);
	ck_assert_uint_eq(tu_frame(&out, a)[0], 0x80);
	ck_assert_uint_eq(tu_frame(&out, a)[1], 0x57);
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REQ);
	ck_assert_uint_eq(tu_dlen(a), sizeof(want));
	ck_assert_int_eq(memcmp(tu_data(&out, a), want, sizeof(want)), 0);
}
END_TEST

#define IFID(...) IPV6CP_OPT_IFID, 10, __VA_ARGS__
#define ZERO8 0, 0, 0, 0, 0, 0, 0, 0
#define OURS8 1, 2, 3, 4, 5, 6, 7, 8
#define PEER8 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55
#define FRESH8 9, 10, 11, 12, 13, 14, 15, 16

/* The peer's Configure-Request and our answer to it. */
static const struct {
	const char *what;
	uint8_t req[32];
	size_t req_len;
	uint8_t code;
	uint8_t reply[32];            /* for Nak and Reject; an Ack echoes the request */
	size_t reply_len;
} peer_req[] = {
	{ "unique id", { IFID(PEER8) }, 10, PPP_CONF_ACK, { 0 }, 0 },
	{ "zero id", { IFID(ZERO8) }, 10, PPP_CONF_NAK, { IFID(FRESH8) }, 10 },
	{ "our id", { IFID(OURS8) }, 10, PPP_CONF_NAK, { IFID(FRESH8) }, 10 },
	{ "compression", { IFID(PEER8), IPV6CP_OPT_COMP, 4, 0x00, 0x4f }, 14, PPP_CONF_REJ,
	  { IPV6CP_OPT_COMP, 4, 0x00, 0x4f }, 4 },
	{ "zero id and compression: Reject first", { IFID(ZERO8), IPV6CP_OPT_COMP, 4, 0x00, 0x4f },
	  14, PPP_CONF_REJ, { IPV6CP_OPT_COMP, 4, 0x00, 0x4f }, 4 },
	{ "short id", { IPV6CP_OPT_IFID, 6, 1, 2, 3, 4 }, 6, PPP_CONF_REJ,
	  { IPV6CP_OPT_IFID, 6, 1, 2, 3, 4 }, 6 },
	{ "id twice", { IFID(PEER8), IFID(PEER8) }, 20, PPP_CONF_REJ, { IFID(PEER8) }, 10 },
	{ "unknown option", { 3, 3, 0 }, 3, PPP_CONF_REJ, { 3, 3, 0 }, 3 },
	{ "malformed", { IFID(PEER8), 2, 9, 0 }, 13, PPP_CONF_REJ, { 2, 9, 0 }, 3 },
	{ "empty", { 0 }, 0, PPP_CONF_ACK, { 0 }, 0 },
};

START_TEST(peer_request)
{
	const struct ppp_action *a = feed(PPP_CONF_REQ, 7, peer_req[_i].req, peer_req[_i].req_len);

	ck_assert_ptr_nonnull(a);
	ck_assert_msg(tu_code(&out, a) == peer_req[_i].code, "%s", peer_req[_i].what);
	ck_assert_uint_eq(tu_id(&out, a), 7);
	if (peer_req[_i].code == PPP_CONF_ACK) {
		ck_assert_uint_eq(tu_dlen(a), peer_req[_i].req_len);
		ck_assert_int_eq(memcmp(tu_data(&out, a), peer_req[_i].req, peer_req[_i].req_len), 0);
		ck_assert_int_eq(memcmp(v6.peer_id, peer_req[_i].req_len ? peer_req[_i].req + 2
					: (const uint8_t *)"\0\0\0\0\0\0\0\0", 8), 0);
	} else {
		ck_assert_msg(tu_dlen(a) == peer_req[_i].reply_len, "%s", peer_req[_i].what);
		ck_assert_int_eq(memcmp(tu_data(&out, a), peer_req[_i].reply,
					peer_req[_i].reply_len), 0);
	}
	/* our own identifier never changes because of the peer's request */
	ck_assert_int_eq(memcmp(v6.our_id, ours, 8), 0);
}
END_TEST

/* Both directions acknowledged: Opened, with both identifiers known. */
START_TEST(happy_path)
{
	static const uint8_t req[] = { IFID(PEER8) };
	static const uint8_t peer[] = { PEER8 };
	static const uint8_t mine[] = { IFID(OURS8) };

	feed(PPP_CONF_ACK, v6.fsm.req_id, mine, sizeof(mine));
	ck_assert_int_eq(v6.fsm.state, PPP_FSM_ACK_RCVD);
	feed(PPP_CONF_REQ, 1, req, sizeof(req));
	ck_assert_int_eq(v6.fsm.state, PPP_FSM_OPENED);
	ck_assert(v6.fsm.layer & PPP_FSM_LAYER_UP);
	ck_assert_int_eq(memcmp(v6.peer_id, peer, 8), 0);
	ck_assert_int_eq(memcmp(v6.our_id, ours, 8), 0);
}
END_TEST

/* The peer Naks our identifier: a usable suggestion is taken, else we pick a fresh one. */
static const struct {
	uint8_t nak[16];
	size_t len;
	uint8_t next[8];              /* our identifier in the next request */
} peer_nak[] = {
	{ { IFID(0xaa, 0, 0, 0, 0, 0, 0, 1) }, 10, { 0xaa, 0, 0, 0, 0, 0, 0, 1 } },
	{ { IFID(ZERO8) }, 10, { FRESH8 } },
	{ { IFID(PEER8) }, 10, { FRESH8 } },        /* the peer's own: would collide */
	{ { IPV6CP_OPT_IFID, 4, 1, 2 }, 4, { FRESH8 } },
	{ { IPV6CP_OPT_COMP, 4, 0, 0x4f }, 4, { OURS8 } },   /* a hint we decline */
};

START_TEST(nak_of_ours)
{
	static const uint8_t req[] = { IFID(PEER8) };
	const struct ppp_action *a;

	feed(PPP_CONF_REQ, 1, req, sizeof(req));    /* peer's id known: PEER8 */
	a = feed(PPP_CONF_NAK, v6.fsm.req_id, peer_nak[_i].nak, peer_nak[_i].len);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REQ);
	ck_assert_uint_eq(tu_dlen(a), 10);
	ck_assert_int_eq(memcmp(tu_data(&out, a) + 2, peer_nak[_i].next, 8), 0);
}
END_TEST

START_TEST(reject_of_ours)
{
	static const uint8_t rej[] = { IFID(OURS8) };
	static const uint8_t bogus[] = { IPV6CP_OPT_COMP, 4, 0, 0x4f };
	const struct ppp_action *a;

	/* a Reject of an option we did not send is not valid: discarded */
	ck_assert_ptr_null(feed(PPP_CONF_REJ, v6.fsm.req_id, bogus, sizeof(bogus)));
	ck_assert(!v6.id_rejected);
	a = feed(PPP_CONF_REJ, v6.fsm.req_id, rej, sizeof(rej));
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REQ);
	ck_assert_uint_eq(tu_dlen(a), 0);
	ck_assert(v6.id_rejected);
	/* with ours gone, a peer asking for the same value is no collision */
	a = feed(PPP_CONF_REQ, 3, rej, sizeof(rej));
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_ACK);
}
END_TEST

/* §4.6 Max-Failure: a peer that insists on a zero identifier is eventually Rejected. */
START_TEST(zero_forever_rejected)
{
	static const uint8_t req[] = { IFID(ZERO8) };
	const struct ppp_action *a = NULL;
	int i;

	for (i = 0; i < fcfg.max_failure; i++) {
		a = feed(PPP_CONF_REQ, (uint8_t)i, req, sizeof(req));
		ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_NAK);
	}
	a = feed(PPP_CONF_REQ, 99, req, sizeof(req));
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REJ);
}
END_TEST

static void rand_zero(void *ctx, void *buf, size_t len)
{
	memset(buf, 0, len);
}

/* Random bytes that are all zero (or none at all) still give non-zero, distinct identifiers. */
START_TEST(no_randomness)
{
	static const uint8_t zero[8];
	static const uint8_t req[] = { IFID(ZERO8) };
	const struct ppp_action *a;

	start(_i ? rand_zero : NULL);
	ck_assert_int_ne(memcmp(v6.our_id, zero, 8), 0);
	a = feed(PPP_CONF_REQ, 1, req, sizeof(req));
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_NAK);
	ck_assert_int_ne(memcmp(tu_data(&out, a) + 2, zero, 8), 0);
	ck_assert_int_ne(memcmp(tu_data(&out, a) + 2, v6.our_id, 8), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ppp_ipv6cp");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, our_request);
	tcase_add_loop_test(tc, peer_request, 0, sizeof(peer_req) / sizeof(peer_req[0]));
	tcase_add_test(tc, happy_path);
	tcase_add_loop_test(tc, nak_of_ours, 0, sizeof(peer_nak) / sizeof(peer_nak[0]));
	tcase_add_test(tc, reject_of_ours);
	tcase_add_test(tc, zero_forever_rejected);
	tcase_add_loop_test(tc, no_randomness, 0, 2);
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
