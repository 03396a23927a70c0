// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/ipv6 and lib/aaa/radius_ipv6: prefixes and prefix pools, router
 * advertisements and solicitations, the DHCPv6 server, RADIUS IPv6
 * attributes. Known answers come from data/ipv6_vectors.h, made with Scapy
 * by data/gen_ipv6_vectors.py; tshark decodes what lnsd builds.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/ipv6_vectors.h"
#include "dhcp6.h"
#include "ip6_pool.h"
#include "nd.h"
#include "radius_ipv6.h"

static struct ip6_prefix P(const char *s)
{
	struct ip6_prefix p;

	ck_assert_msg(ip6_prefix_parse(s, &p) == 0, "%s", s);
	return p;
}

static void A(const char *s, uint8_t out[16])
{
	ck_assert_int_eq(inet_pton(AF_INET6, s, out), 1);
}

static void ck_bytes(const uint8_t *got, size_t glen, const uint8_t *want, size_t wlen,
		     const char *what)
{
	size_t i;

	for (i = 0; i < glen && i < wlen; i++)
		ck_assert_msg(got[i] == want[i], "%s: byte %zu is %02x, want %02x", what, i,
			      got[i], want[i]);
	ck_assert_msg(glen == wlen, "%s: %zu bytes, want %zu", what, glen, wlen);
}

/* ---- prefixes and pools --------------------------------------------- */

START_TEST(prefix_parse)
{
	static const char *const bad[] = {
		"2001:db8::", "2001:db8::/", "2001:db8::/129", "2001:db8::/x", "2001:db8::/48x",
		"2001:db8::1/64", "10.0.0.0/8", "/64", "2001:db8::/-1",
	};
	struct ip6_prefix p, q;
	char buf[IP6_PREFIX_STRLEN];
	unsigned i;

	p = P("2001:db8:100::/48");
	ck_assert_str_eq(ip6_prefix_str(&p, buf, sizeof(buf)), "2001:db8:100::/48");
	q = P("2001:db8:100:ff00::/56");
	ck_assert(ip6_prefix_contains(&p, &q));
	ck_assert(!ip6_prefix_contains(&q, &p));
	q = P("2001:db8:101::/56");
	ck_assert(!ip6_prefix_contains(&p, &q));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ip6_prefix_parse(bad[i], &p) == -EINVAL, "%s", bad[i]);
}
END_TEST

START_TEST(pool_small)
{
	struct ip6_pool *p = ip6_pool_new(64);
	struct ip6_prefix got[4], x, want;
	char buf[IP6_PREFIX_STRLEN];
	int i;

	ck_assert_int_eq(ip6_pool_add(p, &(struct ip6_prefix){ .len = 62, .addr = { 0x20, 1, 0xd,
				      0xb8, 0, 0, 0, 4 } }), 0);
	ck_assert_uint_eq(ip6_pool_size(p), 4);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(ip6_pool_alloc(p, &got[i]), 0);
	ck_assert_str_eq(ip6_prefix_str(&got[0], buf, sizeof(buf)), "2001:db8:0:4::/64");
	ck_assert_str_eq(ip6_prefix_str(&got[3], buf, sizeof(buf)), "2001:db8:0:7::/64");
	ck_assert_int_eq(ip6_pool_alloc(p, &x), -ENOSPC);
	ck_assert_int_eq(ip6_pool_release(p, &got[1]), 0);
	ck_assert_int_eq(ip6_pool_release(p, &got[1]), -EALREADY);
	ck_assert_int_eq(ip6_pool_alloc(p, &x), 0);
	ck_assert(ip6_prefix_eq(&x, &got[1]));
	/* RADIUS names one: in use, outside, of the wrong length, host bits set */
	ck_assert_int_eq(ip6_pool_alloc_prefix(p, &got[2]), -EADDRINUSE);
	want = P("2001:db8:0:8::/64");
	ck_assert_int_eq(ip6_pool_alloc_prefix(p, &want), -ENOENT);
	want = P("2001:db8:0:4::/63");
	ck_assert_int_eq(ip6_pool_alloc_prefix(p, &want), -ENOENT);
	want = got[0];
	want.addr[15] = 1;
	ck_assert_int_eq(ip6_pool_release(p, &want), -ENOENT);
	ck_assert_int_eq(ip6_pool_release(p, &got[0]), 0);
	ck_assert_int_eq(ip6_pool_alloc_prefix(p, &got[0]), 0);
	ck_assert_uint_eq(ip6_pool_used(p), 4);
	/* no bases once allocation began */
	want = P("2001:db8:1::/64");
	ck_assert_int_eq(ip6_pool_add(p, &want), -EBUSY);
	ip6_pool_free(p);
	ip6_pool_free(NULL);
}
END_TEST

START_TEST(pool_config_errors)
{
	struct ip6_pool *p = ip6_pool_new(56);
	struct ip6_prefix x;
	size_t bad = 0;

	ck_assert_ptr_null(ip6_pool_new(0));
	ck_assert_ptr_null(ip6_pool_new(129));
	x = P("2001:db8::/64");
	ck_assert_int_eq(ip6_pool_add(p, &x), -EINVAL);           /* longer than /56 */
	x = P("2001:d00::/24");
	ck_assert_int_eq(ip6_pool_add(p, &x), -E2BIG);            /* 2^32 /56s */
	ck_assert_int_eq(ip6_pool_parse(p, "2001:db8:4200::/40, 2001:db8:4300::/40", &bad), 0);
	ck_assert_uint_eq(ip6_pool_size(p), 2 * 65536);
	ck_assert_int_eq(ip6_pool_parse(p, "2001:db8:4200:100::/48", &bad), -EINVAL); /* overlap */
	ck_assert_int_eq(ip6_pool_parse(p, "2001:db8:5000::/40,  nonsense/40", &bad), -EINVAL);
	ck_assert_uint_eq(bad, 21);
	ck_assert_int_eq(ip6_pool_alloc(p, &x), 0);
	ck_assert_uint_eq(x.len, 56);
	ck_assert_int_eq(x.addr[5], 0x00);
	ck_assert_int_eq(ip6_pool_alloc(p, &x), 0);
	ck_assert_int_eq(x.addr[6], 0x01);                       /* 2001:db8:4200:100::/56 */
	ip6_pool_free(p);
}
END_TEST

/*
 * 100k /64s out of a /44 (2^20): every one distinct, all back, all again.
 * Plain comparisons in the loops: each ck_assert is a write to Check's pipe.
 */
START_TEST(pool_100k)
{
	struct ip6_pool *p = ip6_pool_new(64);
	static struct ip6_prefix got[100000];
	size_t bad, i, wrong = 0;

	ck_assert_int_eq(ip6_pool_parse(p, "2001:db8:100::/44", &bad), 0);
	for (i = 0; i < 100000; i++)
		wrong += ip6_pool_alloc(p, &got[i]) != 0 ||
			 ((size_t)(got[i].addr[5] & 0x0f) << 16 | (size_t)got[i].addr[6] << 8 |
			  got[i].addr[7]) != i;
	ck_assert_uint_eq(wrong, 0);
	for (i = 0; i < 100000; i++)
		wrong += ip6_pool_release(p, &got[i]) != 0;
	ck_assert_uint_eq(wrong, 0);
	ck_assert_uint_eq(ip6_pool_used(p), 0);
	for (i = 0; i < 100000; i++)
		wrong += ip6_pool_alloc(p, &got[i]) != 0;
	ck_assert_uint_eq(wrong, 0);
	ck_assert_uint_eq(ip6_pool_used(p), 100000);
	ip6_pool_free(p);
}
END_TEST

/* ---- router advertisements ------------------------------------------ */

static void ra_conf(struct nd_ra *ra)
{
	memset(ra, 0, sizeof(*ra));
	ra->cur_hop_limit = 64;
	ra->flags = ND_RA_MANAGED | ND_RA_OTHER;
	ra->router_lifetime_s = 1800;
	ra->has_prefix = true;
	ra->prefix = P("2001:db8:100:7::/64");
	ra->valid_s = 86400;
	ra->preferred_s = 14400;
	ra->mtu = 1460;
	A("2001:db8::53", ra->dns[0]);
	A("2001:db8::54", ra->dns[1]);
	ra->n_dns = 2;
	ra->domains[0] = "example.net";
	ra->domains[1] = "isp.example.";
	ra->n_domains = 2;
	ra->dns_lifetime_s = 1200;
}

START_TEST(ra_known_answer)
{
	struct nd_ra ra;
	uint8_t src[16], dst[16], buf[ND_RA_MAX];
	int n;
	size_t cap;

	ra_conf(&ra);
	A("fe80::1", src);
	A("ff02::1", dst);
	n = nd_ra_build(&ra, src, dst, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_bytes(buf, (size_t)n, v_ra, sizeof(v_ra), "RA");
	/* without addresses the kernel fills the checksum in */
	n = nd_ra_build(&ra, NULL, NULL, buf, sizeof(buf));
	ck_assert_int_eq(buf[2] | buf[3], 0);
	ck_assert_int_eq(memcmp(buf + 4, v_ra + 4, sizeof(v_ra) - 4), 0);
	for (cap = 0; cap < sizeof(v_ra); cap++)
		ck_assert_int_eq(nd_ra_build(&ra, src, dst, buf, cap), -EMSGSIZE);
	ra.domains[1] = "bad..name";
	ck_assert_int_eq(nd_ra_build(&ra, src, dst, buf, sizeof(buf)), -EINVAL);
	ra.domains[1] = "a-label-of-sixty-four-characters-is-one-too-long-for-dns-xxxxxxx.net";
	ck_assert_int_eq(nd_ra_build(&ra, src, dst, buf, sizeof(buf)), -EINVAL);
	ra.domains[1] = "";
	ck_assert_int_eq(nd_ra_build(&ra, src, dst, buf, sizeof(buf)), -EINVAL);
	ra.n_domains = 0;
	ra.n_dns = ND_MAX_DNS + 1;
	ck_assert_int_eq(nd_ra_build(&ra, src, dst, buf, sizeof(buf)), -EINVAL);
	/* the most it makes fits ND_RA_MAX */
	{
		char d[ND_MAX_DOMAINS][ND_DOMAIN_MAX + 1];
		unsigned i;

		ra_conf(&ra);
		for (i = 0; i < ND_MAX_DOMAINS; i++) {
			memset(d[i], 'a' + (int)i, ND_DOMAIN_MAX);
			for (n = 63; n < ND_DOMAIN_MAX; n += 64)
				d[i][n] = '.';
			d[i][ND_DOMAIN_MAX] = '\0';
			ra.domains[i] = d[i];
		}
		ra.n_domains = ND_MAX_DOMAINS;
		ra.n_dns = ND_MAX_DNS;
		n = nd_ra_build(&ra, src, dst, buf, sizeof(buf));
		ck_assert_int_eq(n, 1144);
		ck_assert_int_le(n, ND_RA_MAX);
	}
	/* the minimum: header only */
	memset(&ra, 0, sizeof(ra));
	ck_assert_int_eq(nd_ra_build(&ra, NULL, NULL, buf, sizeof(buf)), 16);
}
END_TEST

START_TEST(rs_checks)
{
	uint8_t c[16], r[16], u[16], m[32];

	A("fe80::2", c);
	A("ff02::2", r);
	memset(u, 0, sizeof(u));
	ck_assert_int_eq(nd_rs_parse(v_rs, sizeof(v_rs), 255, c, r), ND_RS_OK);
	ck_assert_int_eq(nd_rs_parse(v_rs_slla, sizeof(v_rs_slla), 255, c, r), ND_RS_OK);
	ck_assert_int_eq(nd_rs_parse(v_rs_unspec_slla, sizeof(v_rs_unspec_slla), 255, u, r),
			 ND_RS_UNSPEC_SLLA);
	ck_assert_int_eq(nd_rs_parse(v_rs, sizeof(v_rs), 64, c, r), ND_RS_BAD_HOP_LIMIT);
	ck_assert_int_eq(nd_rs_parse(v_rs, sizeof(v_rs), 255, r, c), ND_RS_OK); /* sum is symmetric */
	ck_assert_int_eq(nd_rs_parse(v_rs, sizeof(v_rs), 255, c, c), ND_RS_BAD_CSUM);
	ck_assert_int_eq(nd_rs_parse(v_rs, 7, 255, c, r), ND_RS_SHORT);
	ck_assert_int_eq(nd_rs_parse(v_ra, sizeof(v_ra), 255, NULL, NULL), ND_RS_NOT_RS);
	memcpy(m, v_rs_slla, sizeof(v_rs_slla));
	m[5] ^= 1;
	ck_assert_int_eq(nd_rs_parse(m, sizeof(v_rs_slla), 255, c, r), ND_RS_BAD_CSUM);
	/* without addresses (the kernel checked): framing only */
	m[1] = 1;
	ck_assert_int_eq(nd_rs_parse(m, sizeof(v_rs_slla), 255, NULL, NULL), ND_RS_BAD_CODE);
	m[1] = 0;
	m[9] = 0;                                       /* option length 0 */
	ck_assert_int_eq(nd_rs_parse(m, sizeof(v_rs_slla), 255, NULL, NULL), ND_RS_BAD_OPTION);
	m[9] = 2;                                       /* 16 bytes in an 8-byte space */
	ck_assert_int_eq(nd_rs_parse(m, sizeof(v_rs_slla), 255, NULL, NULL), ND_RS_BAD_OPTION);
	m[9] = 1;
	ck_assert_int_eq(nd_rs_parse(m, sizeof(v_rs_slla) - 1, 255, NULL, NULL),
			 ND_RS_BAD_OPTION);
	ck_assert_int_eq(nd_rs_parse(m, 9, 255, NULL, NULL), ND_RS_BAD_OPTION);
	ck_assert_str_eq(nd_rs_check_str(ND_RS_BAD_HOP_LIMIT), "bad-hop-limit");
}
END_TEST

/* ---- DHCPv6 ----------------------------------------------------------- */

static struct dhcp6_srv_conf conf;
static struct dhcp6_binding bnd;

static void dhcp_setup(void)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x01 };

	memset(&conf, 0, sizeof(conf));
	conf.duid_len = dhcp6_duid_llt(mac, 1700000000, conf.duid);
	A("2001:db8::53", conf.dns[0]);
	A("2001:db8::54", conf.dns[1]);
	conf.n_dns = 2;
	conf.domains[0] = "example.net";
	conf.n_domains = 1;
	conf.t1_s = 1800;
	conf.t2_s = 2880;
	conf.preferred_s = 3600;
	conf.valid_s = 7200;
	memset(&bnd, 0, sizeof(bnd));
	bnd.has_prefix = true;
	bnd.prefix = P("2001:db8:4200:100::/56");
}

/* Feed in; the answer must be want (NULL: dropped for why_want), the event ev_want. */
static void exchange(const uint8_t *in, size_t inlen, const uint8_t *want, size_t wlen,
		     enum dhcp6_check why_want, enum dhcp6_event ev_want, uint64_t now,
		     const char *what)
{
	uint8_t out[DHCP6_REPLY_MAX];
	enum dhcp6_check why;
	enum dhcp6_event ev;
	int n = dhcp6_srv_input(&conf, &bnd, in, inlen, now, out, sizeof(out), &why, &ev);

	ck_assert_msg(why == why_want, "%s: %s, want %s", what, dhcp6_check_str(why),
		      dhcp6_check_str(why_want));
	ck_assert_msg(ev == ev_want, "%s: event %d, want %d", what, ev, ev_want);
	if (!want) {
		ck_assert_int_eq(n, 0);
		return;
	}
	ck_assert_int_gt(n, 0);
	ck_bytes(out, (size_t)n, want, wlen, what);
}
#define EX(in, out, why, ev, now) \
	exchange(in, sizeof(in), out, sizeof(out), why, ev, now, #in " -> " #out)
#define DROP(in, len, why) exchange(in, len, NULL, 0, why, DHCP6_EV_NONE, 0, #in " " #why)

START_TEST(dhcp6_duids)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x01 };
	uint8_t d[DHCP6_DUID_MAX];

	ck_bytes(d, dhcp6_duid_ll(mac, d), v_duid_ll, sizeof(v_duid_ll), "DUID-LL");
	ck_bytes(d, dhcp6_duid_llt(mac, 1700000000, d), v_duid_llt, sizeof(v_duid_llt),
		 "DUID-LLT");
}
END_TEST

START_TEST(dhcp6_conversation)
{
	EX(v_solicit, v_advertise, DHCP6_OK, DHCP6_EV_NONE, 0);
	ck_assert(!bnd.bound);
	EX(v_request, v_reply, DHCP6_OK, DHCP6_EV_BOUND, 1000);
	ck_assert(bnd.bound);
	ck_assert_uint_eq(bnd.expires_ms, 1000 + 7200 * 1000);
	EX(v_renew, v_reply_renew, DHCP6_OK, DHCP6_EV_RENEWED, 2000);
	EX(v_rebind, v_reply_renew, DHCP6_OK, DHCP6_EV_RENEWED, 3000);
	ck_assert_uint_eq(bnd.expires_ms, 3000 + 7200 * 1000);
	ck_assert_int_eq(dhcp6_binding_tick(&bnd, 3000 + 7200 * 1000 - 1), DHCP6_EV_NONE);
	EX(v_release, v_reply_release, DHCP6_OK, DHCP6_EV_RELEASED, 4000);
	ck_assert(!bnd.bound);
	EX(v_renew, v_reply_nobinding, DHCP6_OK, DHCP6_EV_NONE, 5000);
	EX(v_solicit_rc, v_reply_rc, DHCP6_OK, DHCP6_EV_BOUND, 6000);
	ck_assert_int_eq(dhcp6_binding_tick(&bnd, 6000 + 7200 * 1000), DHCP6_EV_RELEASED);
	ck_assert(!bnd.bound);
	EX(v_info_request, v_reply_info, DHCP6_OK, DHCP6_EV_NONE, 7000);
	EX(v_solicit_na, v_advertise_na, DHCP6_OK, DHCP6_EV_NONE, 8000);
}
END_TEST

START_TEST(dhcp6_no_prefix_and_other_client)
{
	uint8_t other[sizeof(v_request)];

	bnd.has_prefix = false;
	EX(v_solicit, v_advertise_noprefix, DHCP6_OK, DHCP6_EV_NONE, 0);
	EX(v_request, v_reply_noprefix, DHCP6_OK, DHCP6_EV_NONE, 0);
	bnd.has_prefix = true;
	EX(v_request, v_reply, DHCP6_OK, DHCP6_EV_BOUND, 0);
	/* another DUID on the same link: the prefix is taken */
	memcpy(other, v_request, sizeof(other));
	other[17] ^= 0xff;                     /* the client's MAC in its DUID-LL */
	{
		uint8_t out[DHCP6_REPLY_MAX];
		enum dhcp6_check why;
		enum dhcp6_event ev;
		struct dhcp6_msg m;
		int n = dhcp6_srv_input(&conf, &bnd, other, sizeof(other), 0, out, sizeof(out),
					&why, &ev);

		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(dhcp6_parse(out, (size_t)n, &m), DHCP6_NOT_SERVED); /* a Reply */
		ck_assert_ptr_nonnull(memmem(out, (size_t)n, "\x00\x0d\x00\x15\x00\x06", 6));
		ck_assert_int_eq(ev, DHCP6_EV_NONE);
	}
	DROP(v_request_other_server, sizeof(v_request_other_server), DHCP6_OTHER_SERVER);
}
END_TEST

START_TEST(dhcp6_bad_input)
{
	uint8_t m[256], out[DHCP6_REPLY_MAX];
	enum dhcp6_check why;
	enum dhcp6_event ev;
	size_t len;

	DROP(v_solicit, 3, DHCP6_SHORT);
	DROP(v_solicit, sizeof(v_solicit) - 1, DHCP6_BAD_OPTION);   /* truncated IA_PD */
	DROP(v_solicit, 6, DHCP6_BAD_OPTION);                       /* half an option header */
	memcpy(m, v_solicit, sizeof(v_solicit));
	m[7] = 0xff;                                                /* overlong Client ID */
	DROP(m, sizeof(v_solicit), DHCP6_BAD_OPTION);
	memcpy(m, v_solicit, sizeof(v_solicit));
	m[7] = 2;                                                   /* Client ID of 2 bytes */
	DROP(m, sizeof(v_solicit), DHCP6_BAD_OPTION);
	memcpy(m, v_solicit, sizeof(v_solicit));
	m[sizeof(v_solicit) - 17] = 129;                            /* IA Prefix length */
	DROP(m, sizeof(v_solicit), DHCP6_BAD_OPTION);
	memcpy(m, v_solicit, sizeof(v_solicit));
	m[sizeof(v_solicit) - 42] = 11;                             /* IA_PD of 11 bytes */
	DROP(m, sizeof(v_solicit), DHCP6_BAD_OPTION);
	/* per-type identifier rules (§16) */
	memcpy(m, v_solicit, sizeof(v_solicit));
	m[5] = 0x63;                                                /* not a Client ID */
	DROP(m, sizeof(v_solicit), DHCP6_NO_CLIENT_ID);
	memcpy(m, v_request, sizeof(v_request));
	m[0] = DHCP6_SOLICIT;
	DROP(m, sizeof(v_request), DHCP6_UNEXPECTED_SERVER_ID);
	m[0] = DHCP6_CONFIRM;
	DROP(m, sizeof(v_request), DHCP6_NOT_SERVED);
	m[0] = DHCP6_REPLY;
	DROP(m, sizeof(v_request), DHCP6_NOT_SERVED);
	memcpy(m, v_solicit, sizeof(v_solicit));
	m[0] = DHCP6_REQUEST;
	DROP(m, sizeof(v_solicit), DHCP6_NO_SERVER_ID);
	m[0] = DHCP6_INFORMATION_REQUEST;
	DROP(m, sizeof(v_solicit), DHCP6_IA_IN_INFO_REQUEST);
	memcpy(m, v_solicit_rc, sizeof(v_solicit_rc));
	m[21] = 1;                                                  /* Rapid Commit with data */
	len = sizeof(v_solicit_rc);
	DROP(m, len, DHCP6_BAD_OPTION);
	/* our buffer too small */
	ck_assert_int_eq(dhcp6_srv_input(&conf, &bnd, v_request, sizeof(v_request), 0, out, 40,
					 &why, &ev), -EMSGSIZE);
	/* the largest answer: 130-byte DUIDs, IA_NA, IA_PD, 3 servers, 4 long domains */
	{
		char d[DHCP6_MAX_DOMAINS][ND_DOMAIN_MAX + 1];
		uint8_t big[512];
		size_t o = 0;
		unsigned i;
		int n;

		for (i = 0; i < DHCP6_MAX_DOMAINS; i++) {
			memset(d[i], 'a' + (int)i, ND_DOMAIN_MAX);
			for (n = 63; n < ND_DOMAIN_MAX; n += 64)
				d[i][n] = '.';
			d[i][ND_DOMAIN_MAX] = '\0';
			conf.domains[i] = d[i];
		}
		conf.n_domains = DHCP6_MAX_DOMAINS;
		conf.n_dns = DHCP6_MAX_DNS;
		conf.duid_len = DHCP6_DUID_MAX;
		bnd.has_prefix = false;
		big[o++] = DHCP6_SOLICIT;
		big[o++] = 1, big[o++] = 2, big[o++] = 3;
		big[o++] = 0, big[o++] = DHCP6_OPT_CLIENTID, big[o++] = 0, big[o++] = DHCP6_DUID_MAX;
		memset(big + o, 0x11, DHCP6_DUID_MAX), o += DHCP6_DUID_MAX;
		memcpy(big + o, "\0\x03\0\x0c\0\0\0\x07\0\0\0\0\0\0\0\0", 16), o += 16;
		memcpy(big + o, "\0\x19\0\x0c\0\0\0\x08\0\0\0\0\0\0\0\0", 16), o += 16;
		memcpy(big + o, "\0\x06\0\x04\0\x17\0\x18", 8), o += 8;
		n = dhcp6_srv_input(&conf, &bnd, big, o, 0, out, sizeof(out), &why, &ev);
		ck_assert_int_eq(why, DHCP6_OK);
		ck_assert_int_eq(n, 1452);              /* the bound dhcp6.h gives */
		ck_assert_int_le(n, DHCP6_REPLY_MAX);
	}
	ck_assert_str_eq(dhcp6_check_str(DHCP6_OTHER_SERVER), "other-server");
}
END_TEST

/* ---- RADIUS ----------------------------------------------------------- */

START_TEST(radius_prefix_values)
{
	struct ip6_prefix p;
	uint8_t v[20];
	char buf[IP6_PREFIX_STRLEN];

	ck_assert_int_eq(rad_prefix6_decode(v_rad_prefix64, sizeof(v_rad_prefix64), &p), 0);
	ck_assert_str_eq(ip6_prefix_str(&p, buf, sizeof(buf)), "2001:db8:100:7::/64");
	ck_assert_int_eq(rad_prefix6_decode(v_rad_prefix56_short, sizeof(v_rad_prefix56_short),
					    &p), 0);
	ck_assert_str_eq(ip6_prefix_str(&p, buf, sizeof(buf)), "2001:db8:4200:100::/56");
	ck_bytes(v, rad_prefix6_encode(&p, v), v_rad_prefix56_full, sizeof(v_rad_prefix56_full),
		 "Delegated-IPv6-Prefix");
	ck_assert_int_eq(rad_prefix6_decode(v_rad_prefix56_short, 1, &p), -EINVAL);
	ck_assert_int_eq(rad_prefix6_decode(v_rad_prefix56_short, 8, &p), -EINVAL); /* 6 of 7 */
	memcpy(v, v_rad_prefix64, sizeof(v_rad_prefix64));
	v[1] = 129;
	ck_assert_int_eq(rad_prefix6_decode(v, 18, &p), -EINVAL);
	ck_assert_int_eq(rad_prefix6_decode(v, 19, &p), -EINVAL);
	/* host bits past the length are cleared */
	v[1] = 48;
	ck_assert_int_eq(rad_prefix6_decode(v, 18, &p), 0);
	ck_assert_str_eq(ip6_prefix_str(&p, buf, sizeof(buf)), "2001:db8:100::/48");
}
END_TEST

START_TEST(radius_routes)
{
	struct rad_route6 r;
	char buf[IP6_PREFIX_STRLEN];
	static const char *const bad[] = {
		"", "2001:db8::/129 :: 1", "2001:db8::/x", "192.0.2.0/24", "2001:db8::/48 nope",
		"2001:db8::/48 :: 1x", "2001:db8::/48 :: 1 extra", "2001:db8::/48 :: -1",
	};
	unsigned i;

#define R(s) rad_parse_route6((const uint8_t *)(s), strlen(s), &r)
	ck_assert_int_eq(R("2001:db8:1:ff::/48 :: 7"), 0);
	ck_assert_str_eq(ip6_prefix_str(&r.dst, buf, sizeof(buf)), "2001:db8:1::/48");
	ck_assert_uint_eq(r.metric, 7);
	ck_assert_int_eq(R("2001:db8:2::1"), 0);
	ck_assert_uint_eq(r.dst.len, 128);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(R(bad[i]) == -EINVAL, "%s", bad[i]);
	ck_assert_int_eq(rad_parse_route6((const uint8_t *)"2001:db8::\0/48", 14, &r), -EINVAL);
#undef R
}
END_TEST

/* An Access-Accept on the wire through rad_decode_reply(), then rad_parse_ipv6(). */
START_TEST(radius_accept_and_accounting)
{
	uint8_t pkt[512], *a = pkt + RAD_HDR_LEN;
	struct rad_avs avs, acct;
	struct rad_ipv6 v;
	struct rad_av av;
	char buf[IP6_PREFIX_STRLEN];
	size_t len;

#define ATTR(t, val, n) (a[0] = (t), a[1] = (uint8_t)(2 + (n)), memcpy(a + 2, val, n), a += 2 + (n))
	ATTR(RAD_FRAMED_IPV6_PREFIX, v_rad_prefix64, sizeof(v_rad_prefix64));
	ATTR(RAD_DELEGATED_IPV6_PREFIX, v_rad_prefix56_short, sizeof(v_rad_prefix56_short));
	ATTR(RAD_FRAMED_INTERFACE_ID, "\x02\x11\x22\xff\xfe\x33\x44\x55", 8);
	ATTR(RAD_FRAMED_IPV6_ROUTE, "2001:db8:9::/48 :: 1", 20);
	ATTR(RAD_FRAMED_IPV6_ROUTE, "garbage", 7);
	ATTR(RAD_DNS_SERVER_IPV6_ADDRESS, v_rad_prefix64 + 2, 16);
	ATTR(RAD_DNS_SERVER_IPV6_ADDRESS, v_rad_prefix64 + 2, 15);
	ATTR(RAD_FRAMED_INTERFACE_ID, "\x01", 1);
	ATTR(RAD_FRAMED_IPV6_PREFIX, "\x00\x81", 2);      /* a second one is not read */
#undef ATTR
	len = (size_t)(a - pkt);
	memset(pkt, 0, RAD_HDR_LEN);
	pkt[0] = RAD_CODE_ACCESS_ACCEPT;
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	rad_avs_init(&avs);
	rad_decode_reply(pkt, len, &avs);
	rad_parse_ipv6(&avs, &v);
	ck_assert(v.has_prefix && v.has_delegated && v.has_ifid);
	ck_assert_str_eq(ip6_prefix_str(&v.prefix, buf, sizeof(buf)), "2001:db8:100:7::/64");
	ck_assert_str_eq(ip6_prefix_str(&v.delegated, buf, sizeof(buf)), "2001:db8:4200:100::/56");
	ck_assert_uint_eq(v.n_routes, 1);
	ck_assert_uint_eq(v.routes[0].metric, 1);
	ck_assert_uint_eq(v.n_dns, 1);
	ck_assert_uint_eq(v.ifid[7], 0x55);
	ck_assert_uint_eq(v.bad, 3);
	rad_avs_free(&avs);

	rad_avs_init(&acct);
	rad_build_acct_ipv6(&v, &acct);
	ck_assert(rad_avs_find(&acct, 0, RAD_DELEGATED_IPV6_PREFIX, &av));
	ck_bytes(av.val, av.len, v_rad_prefix56_full, sizeof(v_rad_prefix56_full), "acct PD");
	ck_assert(rad_avs_find(&acct, 0, RAD_FRAMED_IPV6_PREFIX, &av));
	ck_assert_uint_eq(av.len, 18);
	ck_assert(rad_avs_find(&acct, 0, RAD_FRAMED_INTERFACE_ID, &av));
	ck_assert_uint_eq(av.len, 8);
	rad_avs_free(&acct);
}
END_TEST

/* ---- tshark ----------------------------------------------------------- */

static void pcap_put(FILE *f, const void *p, size_t n)
{
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
}

/* One raw IPv6 packet (LINKTYPE_RAW): header, then an ICMPv6 or UDP payload. */
static void pcap_add6(FILE *f, const char *src, const char *dst, uint8_t nh, const uint8_t *l4,
		      size_t len, unsigned i)
{
	uint8_t ip[40] = { 0x60 };
	uint32_t rec[4] = { 1700000000u + i, 0, 40 + (uint32_t)len, 40 + (uint32_t)len };

	ip[4] = (uint8_t)(len >> 8);
	ip[5] = (uint8_t)len;
	ip[6] = nh;
	ip[7] = 255;
	A(src, ip + 8);
	A(dst, ip + 24);
	pcap_put(f, rec, sizeof(rec));
	pcap_put(f, ip, sizeof(ip));
	pcap_put(f, l4, len);
}

/* RFC 8200 §8.1 with next header 17, computed here rather than by nd.c. */
static void udp6(const char *src, const char *dst, const uint8_t *pl, size_t n, uint8_t *out)
{
	uint8_t s[16], d[16];
	uint32_t sum = 17 + (uint32_t)(n + 8);
	size_t i;

	A(src, s);
	A(dst, d);
	out[0] = DHCP6_SERVER_PORT >> 8;
	out[1] = DHCP6_SERVER_PORT & 0xff;
	out[2] = DHCP6_CLIENT_PORT >> 8;
	out[3] = DHCP6_CLIENT_PORT & 0xff;
	out[4] = (uint8_t)((n + 8) >> 8);
	out[5] = (uint8_t)(n + 8);
	out[6] = out[7] = 0;
	memcpy(out + 8, pl, n);
	for (i = 0; i < 16; i += 2)
		sum += (uint32_t)(s[i] << 8 | s[i + 1]) + (uint32_t)(d[i] << 8 | d[i + 1]);
	for (i = 0; i < n + 8; i += 2)
		sum += (uint32_t)out[i] << 8 | (i + 1 < n + 8 ? out[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	out[6] = (uint8_t)(~sum >> 8);
	out[7] = (uint8_t)~sum;
}

START_TEST(test_tshark)
{
	const uint32_t ghdr[6] = { 0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 101 };
	static const struct {
		const uint8_t *in;
		size_t len;
	} dh[] = {
		{ v_solicit, sizeof(v_solicit) }, { v_request, sizeof(v_request) },
		{ v_renew, sizeof(v_renew) }, { v_solicit_na, sizeof(v_solicit_na) },
		{ v_info_request, sizeof(v_info_request) }, { v_release, sizeof(v_release) },
	};
	char path[] = "/tmp/lnsd-test-ipv6-XXXXXX", cmd[256], line[1024];
	uint8_t src[16], dst[16], buf[DHCP6_REPLY_MAX], udp[DHCP6_REPLY_MAX + 8];
	unsigned i, icmp = 0, dhcp = 0, bad = 0, n = 0;
	struct nd_ra ra;
	FILE *f, *p;
	int fd, len;

	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		printf("test_tshark: skipped, tshark not installed (apt install tshark)\n");
		return;
	}
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(f);
	pcap_put(f, ghdr, sizeof(ghdr));
	ra_conf(&ra);
	A("fe80::1", src);
	A("ff02::1", dst);
	len = nd_ra_build(&ra, src, dst, buf, sizeof(buf));
	pcap_add6(f, "fe80::1", "ff02::1", 58, buf, (size_t)len, n++);
	ra.flags = ND_RA_OTHER;
	ra.n_domains = 1;
	ra.n_dns = 1;
	ra.mtu = 0;
	A("fe80::1", src);
	A("fe80::2", dst);
	len = nd_ra_build(&ra, src, dst, buf, sizeof(buf));
	pcap_add6(f, "fe80::1", "fe80::2", 58, buf, (size_t)len, n++);
	for (i = 0; i < sizeof(dh) / sizeof(dh[0]); i++) {
		enum dhcp6_check why;
		enum dhcp6_event ev;

		len = dhcp6_srv_input(&conf, &bnd, dh[i].in, dh[i].len, 0, buf, sizeof(buf), &why,
				      &ev);
		ck_assert_int_gt(len, 0);
		udp6("fe80::1", "fe80::2", buf, (size_t)len, udp);
		pcap_add6(f, "fe80::1", "fe80::2", 17, udp, (size_t)len + 8, n++);
	}
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "tshark -n -r %s -V -o udp.check_checksum:TRUE 2>/dev/null",
		 path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p)) {
		if (strncmp(line, "Internet Control Message Protocol v6", 36) == 0)
			icmp++;
		if (strncmp(line, "DHCPv6", 6) == 0)
			dhcp++;
		if (strstr(line, "Malformed") || strstr(line, "Expert Info (Error") ||
		    strstr(line, "Expert Info (Warning") || strstr(line, "ncorrect") ||
		    strstr(line, "[Checksum Status: Bad]")) {
			printf("tshark: %s", line);
			bad++;
		}
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_uint_eq(icmp, 2);
	ck_assert_uint_eq(dhcp, sizeof(dh) / sizeof(dh[0]));
	ck_assert_uint_eq(bad, 0);
	unlink(path);
}
END_TEST

static Suite *ipv6_suite(void)
{
	Suite *s = suite_create("ipv6");
	TCase *tc = tcase_create("pool");

	tcase_add_test(tc, prefix_parse);
	tcase_add_test(tc, pool_small);
	tcase_add_test(tc, pool_config_errors);
	tcase_add_test(tc, pool_100k);
	suite_add_tcase(s, tc);
	tc = tcase_create("nd");
	tcase_add_test(tc, ra_known_answer);
	tcase_add_test(tc, rs_checks);
	suite_add_tcase(s, tc);
	tc = tcase_create("dhcp6");
	tcase_add_checked_fixture(tc, dhcp_setup, NULL);
	tcase_add_test(tc, dhcp6_duids);
	tcase_add_test(tc, dhcp6_conversation);
	tcase_add_test(tc, dhcp6_no_prefix_and_other_client);
	tcase_add_test(tc, dhcp6_bad_input);
	tcase_add_test(tc, test_tshark);
	suite_add_tcase(s, tc);
	tc = tcase_create("radius");
	tcase_add_test(tc, radius_prefix_values);
	tcase_add_test(tc, radius_routes);
	tcase_add_test(tc, radius_accept_and_accounting);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ipv6_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
