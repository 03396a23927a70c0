// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lnsd/dp.h without a kernel: the l2tp_eth MTU formula term by term
 * (docs/design.md §4.8), and the null backend's Ethernet sessions: what it
 * refuses (as dp_kernel does before the kernel sees the request), names,
 * MTU, link state, and the link-down event a test can inject.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"

static const struct {
	bool ipv6, udp;
	uint8_t cookie;
	enum dp_l2spec l2spec;
	uint32_t overhead;
} mtu_cases[] = {
	{ false, true, 0, DP_L2SPEC_NONE, 20 + 8 + 4 + 4 + 14 },        /* 50 */
	{ false, true, 4, DP_L2SPEC_NONE, 20 + 8 + 4 + 4 + 4 + 14 },
	{ false, true, 8, DP_L2SPEC_DEFAULT, 20 + 8 + 4 + 4 + 8 + 4 + 14 },
	{ false, false, 0, DP_L2SPEC_NONE, 20 + 4 + 14 },               /* 38 */
	{ false, false, 8, DP_L2SPEC_DEFAULT, 20 + 4 + 8 + 4 + 14 },
	{ true, true, 4, DP_L2SPEC_DEFAULT, 40 + 8 + 4 + 4 + 4 + 4 + 14 },
	{ true, false, 0, DP_L2SPEC_NONE, 40 + 4 + 14 },
};

START_TEST(mtu_formula)
{
	const __typeof__(mtu_cases[0]) *c = &mtu_cases[_i];

	ck_assert_uint_eq(dp_eth_overhead(c->ipv6, c->udp, c->cookie, c->l2spec), c->overhead);
	ck_assert_uint_eq(dp_eth_mtu(1500, c->ipv6, c->udp, c->cookie, c->l2spec),
			  1500 - c->overhead);
	ck_assert_uint_eq(dp_eth_mtu(9000, c->ipv6, c->udp, c->cookie, c->l2spec),
			  9000 - c->overhead);
	/* An underlay too small never wraps around. */
	ck_assert_uint_eq(dp_eth_mtu(60, c->ipv6, c->udp, c->cookie, c->l2spec), 68);
}
END_TEST

static struct dp_eth_cfg eth_cfg(uint32_t sid)
{
	return (struct dp_eth_cfg){
		.s = { .tid = 7, .peer_tid = 8, .sid = sid, .peer_sid = sid + 1, .pw = DP_PW_ETH,
		       .rx_cookie_len = 4, .tx_cookie_len = 8, .l2spec = DP_L2SPEC_NONE },
		.encap = DP_ENCAP_UDP, .tunnel_fd = -1, .bridge = "br0",
	};
}

/* A taken session id (retry with another) and a taken interface name (do not) differ. */
START_TEST(eth_open_clashes_are_distinct)
{
	struct dp *d = dp_null_new(true);
	struct dp_eth_cfg c = eth_cfg(1);
	struct dp_eth e1, e2;

	c.s.ifname = "pw-a";
	ck_assert_int_eq(dp_eth_open(d, &e1, &c), 0);
	c.s.ifname = "pw-b";
	ck_assert_int_eq(dp_eth_open(d, &e2, &c), -EEXIST);      /* same tid/sid */
	c = eth_cfg(2);
	c.s.ifname = "pw-a";
	ck_assert_int_eq(dp_eth_open(d, &e2, &c), -ENOTUNIQ);    /* same name */
	c.s.ifname = "pw-b";
	ck_assert_int_eq(dp_eth_open(d, &e2, &c), 0);
	dp_eth_close(d, &e2);
	dp_eth_close(d, &e1);
	c.s.ifname = "pw-a";                                       /* free again after close */
	ck_assert_int_eq(dp_eth_open(d, &e1, &c), 0);
	dp_eth_close(d, &e1);
	dp_free(d);
}
END_TEST

START_TEST(null_refuses_what_kernel_refuses)
{
	struct dp *d = dp_null_new(true);
	struct dp_eth_cfg c;
	struct dp_eth e;

	c = eth_cfg(1);
	c.s.rx_cookie_len = 5;                       /* cookies are 0, 4 or 8 bytes */
	ck_assert_int_eq(dp_eth_open(d, &e, &c), -EINVAL);
	c = eth_cfg(1);
	c.s.send_seq = true;                         /* sequencing needs the default sublayer */
	ck_assert_int_eq(dp_eth_open(d, &e, &c), -EINVAL);
	c = eth_cfg(1);
	c.s.pw = DP_PW_PPP;
	ck_assert_int_eq(dp_eth_open(d, &e, &c), -EINVAL);
	c = eth_cfg(1);
	c.s.ifname = "a-name-far-too-long";
	ck_assert_int_eq(dp_eth_open(d, &e, &c), -EINVAL);
	ck_assert_int_eq(e.ifindex, 0);
	c = eth_cfg(1);
	c.s.tx_cookie_len = 9;                       /* the one check covers both directions */
	ck_assert_int_eq(dp_eth_open(d, &e, &c), -EINVAL);
	c = eth_cfg(1);
	c.s.l2spec = (enum dp_l2spec)2;
	ck_assert_int_eq(dp_eth_open(d, &e, &c), -EINVAL);
	c = eth_cfg(1);
	c.s.send_seq = c.s.recv_seq = true;
	c.s.l2spec = DP_L2SPEC_DEFAULT;
	ck_assert_int_eq(dp_eth_open(d, &e, &c), 0);
	dp_eth_close(d, &e);
	dp_free(d);

	d = dp_null_new(false);                      /* control plane only: no sessions */
	c = eth_cfg(1);
	ck_assert_int_eq(dp_eth_open(d, &e, &c), -EOPNOTSUPP);
	dp_free(d);
}
END_TEST

struct seen {
	int n, ifindex;
	struct dp_link_state st;
	char ifname[16];
};

static void on_link(void *ctx, int ifindex, const char *ifname, const struct dp_link_state *st,
		    bool deleted)
{
	struct seen *s = ctx;

	ck_assert(!deleted);
	s->n++;
	s->ifindex = ifindex;
	s->st = *st;
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
}

START_TEST(null_eth_link_down_event)
{
	struct dp *d = dp_null_new(true);
	struct dp_eth_cfg c = eth_cfg(3), c2 = eth_cfg(4);
	struct dp_link_state st;
	struct dp_eth e, e2;
	struct seen seen = { 0 };
	struct pollfd p;
	int fd;

	c2.s.ifname = "pw-lan2";
	c2.mtu = 1400;
	ck_assert_int_eq(dp_eth_open(d, &e, &c), 0);
	ck_assert_int_eq(dp_eth_open(d, &e2, &c2), 0);
	ck_assert_str_eq(e.ifname, "l2tpeth0");
	ck_assert_str_eq(e2.ifname, "pw-lan2");
	ck_assert_int_ne(e.ifindex, e2.ifindex);
	ck_assert_uint_eq(e.mtu, 1500 - (20 + 12 + 4 + 8 + 14));   /* tx cookie 8 */
	ck_assert_uint_eq(e2.mtu, 1400);

	ck_assert_int_eq(dp_link_state(d, e.ifindex, &st), 0);
	ck_assert(dp_link_usable(&st));
	fd = dp_link_events_open(d);
	ck_assert_int_ge(fd, 0);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 0), 0);         /* nothing yet */

	ck_assert_int_eq(dp_null_link_set(d, e2.ifindex, false), 0);
	ck_assert_int_eq(poll(&p, 1, 0), 1);
	ck_assert_int_eq(dp_link_events_read(d, on_link, &seen), 1);
	ck_assert_int_eq(seen.n, 1);
	ck_assert_int_eq(seen.ifindex, e2.ifindex);
	ck_assert_str_eq(seen.ifname, "pw-lan2");
	ck_assert(!dp_link_usable(&seen.st));
	ck_assert_int_eq(dp_link_state(d, e2.ifindex, &st), 0);
	ck_assert(!dp_link_usable(&st));
	ck_assert_int_eq(dp_link_state(d, e.ifindex, &st), 0);
	ck_assert(dp_link_usable(&st));              /* the other one is untouched */
	ck_assert_int_eq(poll(&p, 1, 0), 0);         /* drained */

	ck_assert_int_eq(dp_null_link_set(d, e2.ifindex, true), 0);
	ck_assert_int_eq(dp_link_events_read(d, on_link, &seen), 1);
	ck_assert(dp_link_usable(&seen.st));

	dp_eth_close(d, &e2);
	ck_assert_int_eq(e2.ifindex, 0);
	ck_assert_int_eq(dp_link_state(d, seen.ifindex, &st), -ENODEV);
	ck_assert_int_eq(dp_null_link_set(d, seen.ifindex, false), -ENOENT);
	dp_eth_close(d, &e2);                        /* twice: harmless */
	dp_free(d);                                  /* e still open: freed with d */
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dp");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, mtu_formula, 0, (int)(sizeof(mtu_cases) / sizeof(mtu_cases[0])));
	tcase_add_test(tc, null_refuses_what_kernel_refuses);
	tcase_add_test(tc, eth_open_clashes_are_distinct);
	tcase_add_test(tc, null_eth_link_down_event);
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
