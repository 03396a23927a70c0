// SPDX-License-Identifier: GPL-2.0-or-later
/* IPCP (RFC 1332, RFC 1877): address and DNS Naks, Rejects of VJ/NBNS, our address. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ppp_ipcp.h"
#include "ppp_testutil.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static struct ppp_fsm_cfg fcfg;
static struct ipcp_cfg cfg;
static struct ipcp ipcp;
static struct ppp_actions out;

static void setup(void)
{
	ppp_fsm_cfg_default(&fcfg);
	cfg.local_ip = IP(10, 0, 0, 1);
	cfg.dns1 = IP(192, 0, 2, 53);
	cfg.dns2 = IP(192, 0, 2, 54);
	ppp_actions_init(&out);
	ipcp_init(&ipcp, &cfg, &fcfg, IP(10, 0, 0, 7));
	ppp_fsm_event(&ipcp.fsm, PPP_EV_UP, 0, &out);
	ppp_fsm_event(&ipcp.fsm, PPP_EV_OPEN, 0, &out);
}

static void teardown(void)
{
	ppp_actions_free(&out);
}

static const struct ppp_action *feed(uint8_t code, uint8_t id, const void *data, size_t len)
{
	uint8_t pkt[256];

	ppp_actions_reset(&out);
	ipcp_input(&ipcp, pkt, tu_pkt(pkt, code, id, data, len), 100, &out);
	return tu_send(&out, PPP_PROTO_IPCP, 0);
}

START_TEST(our_request)
{
	static const uint8_t want[] = { IPCP_OPT_ADDR, 6, 10, 0, 0, 1 };
	const struct ppp_action *a = tu_send(&out, PPP_PROTO_IPCP, 0);

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->chan, PPP_CHAN_UNIT);
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REQ);
	ck_assert_uint_eq(tu_dlen(a), sizeof(want));
	ck_assert_int_eq(memcmp(tu_data(&out, a), want, sizeof(want)), 0);
}
END_TEST

/* What Windows sends first: address, DNS and NBNS all zero; then pppd-style VJ. */
START_TEST(windows_sequence)
{
	static const uint8_t req1[] = { IPCP_OPT_ADDR, 6, 0, 0, 0, 0, IPCP_OPT_DNS1, 6, 0, 0, 0, 0,
					IPCP_OPT_NBNS1, 6, 0, 0, 0, 0, IPCP_OPT_DNS2, 6, 0, 0, 0, 0,
					IPCP_OPT_NBNS2, 6, 0, 0, 0, 0 };
	static const uint8_t rej1[] = { IPCP_OPT_NBNS1, 6, 0, 0, 0, 0, IPCP_OPT_NBNS2, 6, 0, 0, 0, 0 };
	static const uint8_t req2[] = { IPCP_OPT_ADDR, 6, 0, 0, 0, 0, IPCP_OPT_DNS1, 6, 0, 0, 0, 0,
					IPCP_OPT_DNS2, 6, 0, 0, 0, 0 };
	static const uint8_t nak2[] = { IPCP_OPT_ADDR, 6, 10, 0, 0, 7, IPCP_OPT_DNS1, 6, 192, 0, 2, 53,
					IPCP_OPT_DNS2, 6, 192, 0, 2, 54 };
	const struct ppp_action *a;
	uint8_t ours[6];

	a = feed(PPP_CONF_REQ, 1, req1, sizeof(req1));
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REJ);
	ck_assert_uint_eq(tu_dlen(a), sizeof(rej1));
	ck_assert_int_eq(memcmp(tu_data(&out, a), rej1, sizeof(rej1)), 0);
	a = feed(PPP_CONF_REQ, 2, req2, sizeof(req2));
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_NAK);
	ck_assert_uint_eq(tu_dlen(a), sizeof(nak2));
	ck_assert_int_eq(memcmp(tu_data(&out, a), nak2, sizeof(nak2)), 0);
	a = feed(PPP_CONF_REQ, 3, nak2, sizeof(nak2));
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_ACK);
	ck_assert_int_eq(memcmp(tu_data(&out, a), nak2, sizeof(nak2)), 0);
	ck_assert_uint_eq(ipcp.got, IPCP_GOT_ADDR | IPCP_GOT_DNS1 | IPCP_GOT_DNS2);
	ck_assert_int_eq(ipcp.fsm.state, PPP_FSM_ACK_SENT);
	/* the peer acks our address: Opened */
	memcpy(ours, (uint8_t[]){ IPCP_OPT_ADDR, 6, 10, 0, 0, 1 }, 6);
	feed(PPP_CONF_ACK, ipcp.fsm.req_id, ours, sizeof(ours));
	ck_assert_int_eq(ipcp.fsm.state, PPP_FSM_OPENED);
	ck_assert(ipcp.fsm.layer & PPP_FSM_LAYER_UP);
}
END_TEST

START_TEST(vj_rejected)
{
	static const uint8_t req[] = { IPCP_OPT_COMP, 6, 0x00, 0x2d, 0x0f, 0x01,
				       IPCP_OPT_ADDR, 6, 10, 0, 0, 7 };
	const struct ppp_action *a = feed(PPP_CONF_REQ, 1, req, sizeof(req));

	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REJ);
	ck_assert_uint_eq(tu_dlen(a), 6);
	ck_assert_uint_eq(tu_data(&out, a)[0], IPCP_OPT_COMP);
}
END_TEST

START_TEST(wrong_address_nakd)
{
	static const uint8_t req[] = { IPCP_OPT_ADDR, 6, 172, 16, 0, 9 };
	const struct ppp_action *a = feed(PPP_CONF_REQ, 1, req, sizeof(req));

	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_NAK);
	ck_assert_int_eq(memcmp(tu_data(&out, a), (uint8_t[]){ 3, 6, 10, 0, 0, 7 }, 6), 0);
}
END_TEST

START_TEST(missing_address_appended)
{
	static const uint8_t req[] = { IPCP_OPT_DNS1, 6, 192, 0, 2, 53 };
	const struct ppp_action *a = feed(PPP_CONF_REQ, 1, req, sizeof(req));

	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_NAK);
	ck_assert_uint_eq(tu_dlen(a), 6);
	ck_assert_int_eq(memcmp(tu_data(&out, a), (uint8_t[]){ 3, 6, 10, 0, 0, 7 }, 6), 0);
}
END_TEST

START_TEST(no_dns_configured_rejects)
{
	static const uint8_t req[] = { IPCP_OPT_ADDR, 6, 10, 0, 0, 7, IPCP_OPT_DNS1, 6, 0, 0, 0, 0,
				       IPCP_OPT_DNS2, 6, 0, 0, 0, 0 };
	const struct ppp_action *a;

	cfg.dns1 = cfg.dns2 = 0;
	ipcp_init(&ipcp, &cfg, &fcfg, IP(10, 0, 0, 7));
	ppp_fsm_event(&ipcp.fsm, PPP_EV_UP, 0, &out);
	ppp_fsm_event(&ipcp.fsm, PPP_EV_OPEN, 0, &out);
	a = feed(PPP_CONF_REQ, 1, req, sizeof(req));
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REJ);
	ck_assert_uint_eq(tu_dlen(a), 12);
	ck_assert_uint_eq(tu_data(&out, a)[0], IPCP_OPT_DNS1);
	ck_assert_uint_eq(tu_data(&out, a)[6], IPCP_OPT_DNS2);
}
END_TEST

START_TEST(only_secondary_missing)
{
	static const uint8_t req[] = { IPCP_OPT_ADDR, 6, 10, 0, 0, 7, IPCP_OPT_DNS1, 6, 192, 0, 2, 53,
				       IPCP_OPT_DNS2, 6, 0, 0, 0, 0 };
	const struct ppp_action *a;

	ipcp.dns2 = 0;
	a = feed(PPP_CONF_REQ, 1, req, sizeof(req));
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REJ);
	ck_assert_uint_eq(tu_dlen(a), 6);
	ck_assert_uint_eq(tu_data(&out, a)[0], IPCP_OPT_DNS2);
}
END_TEST

START_TEST(peer_rejects_our_address)
{
	static const uint8_t rej[] = { IPCP_OPT_ADDR, 6, 10, 0, 0, 1 };
	static const uint8_t bogus[] = { IPCP_OPT_DNS1, 6, 0, 0, 0, 0 };
	const struct ppp_action *a;

	feed(PPP_CONF_REJ, ipcp.fsm.req_id, bogus, sizeof(bogus));
	ck_assert_uint_eq(out.n, 0);
	a = feed(PPP_CONF_REJ, ipcp.fsm.req_id, rej, sizeof(rej));
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REQ);
	ck_assert_uint_eq(tu_dlen(a), 0);
	/* an empty Ack now acknowledges it */
	feed(PPP_CONF_ACK, ipcp.fsm.req_id, NULL, 0);
	ck_assert_int_eq(ipcp.fsm.state, PPP_FSM_ACK_RCVD);
}
END_TEST

START_TEST(nak_exhausted_rejects)
{
	static const uint8_t req[] = { IPCP_OPT_ADDR, 6, 172, 16, 0, 9 };
	const struct ppp_action *a = NULL;
	int i;

	for (i = 0; i <= fcfg.max_failure; i++)
		a = feed(PPP_CONF_REQ, (uint8_t)i, req, sizeof(req));
	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REJ);
}
END_TEST

START_TEST(duplicate_and_bad_length)
{
	static const uint8_t req[] = { IPCP_OPT_ADDR, 6, 10, 0, 0, 7, IPCP_OPT_ADDR, 6, 10, 0, 0, 7,
				       IPCP_OPT_DNS1, 4, 0, 0 };
	const struct ppp_action *a = feed(PPP_CONF_REQ, 1, req, sizeof(req));

	ck_assert_uint_eq(tu_code(&out, a), PPP_CONF_REJ);
	ck_assert_uint_eq(tu_dlen(a), 10);
}
END_TEST

static Suite *ipcp_suite(void)
{
	Suite *s = suite_create("ppp_ipcp");
	TCase *tc = tcase_create("ipcp");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, our_request);
	tcase_add_test(tc, windows_sequence);
	tcase_add_test(tc, vj_rejected);
	tcase_add_test(tc, wrong_address_nakd);
	tcase_add_test(tc, missing_address_appended);
	tcase_add_test(tc, no_dns_configured_rejects);
	tcase_add_test(tc, only_secondary_missing);
	tcase_add_test(tc, peer_rejects_our_address);
	tcase_add_test(tc, nak_exhausted_rejects);
	tcase_add_test(tc, duplicate_and_bad_length);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ipcp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
