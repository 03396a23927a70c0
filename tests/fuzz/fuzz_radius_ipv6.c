// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz harness for the RADIUS IPv6 attributes (lib/aaa/radius_ipv6.c): the
 * input is the attribute area of an Access-Accept (type, length, value ...),
 * decoded by rad_decode_reply() as lnsd does and read by rad_parse_ipv6();
 * the whole input also goes through rad_parse_route6() and
 * rad_prefix6_decode(). Prefixes must have no bits past their length and
 * lengths of at most 128, the counts their bounds; what accounting encodes
 * from the result must decode to the same prefixes.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "radius_ipv6.h"

static void check_prefix(const struct ip6_prefix *p)
{
	struct ip6_prefix m = *p;

	ip6_prefix_mask(&m);
	if (p->len > 128 || !ip6_prefix_eq(&m, p))
		abort();
}

static void check_round_trip(const struct rad_avs *acct, uint8_t type, const struct ip6_prefix *p)
{
	struct ip6_prefix back;
	struct rad_av av;

	if (!rad_avs_find(acct, 0, type, &av) || rad_prefix6_decode(av.val, av.len, &back) ||
	    !ip6_prefix_eq(&back, p))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t pkt[RAD_PKT_MAX] = { RAD_CODE_ACCESS_ACCEPT };
	size_t len = size < RAD_PKT_MAX - RAD_HDR_LEN ? size : RAD_PKT_MAX - RAD_HDR_LEN;
	struct rad_avs avs, acct;
	struct rad_ipv6 v;
	struct rad_route6 r;
	struct ip6_prefix p;
	unsigned i;

	memcpy(pkt + RAD_HDR_LEN, data, len);
	len += RAD_HDR_LEN;
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	rad_avs_init(&avs);
	rad_decode_reply(pkt, len, &avs);
	rad_parse_ipv6(&avs, &v);
	if (avs.oom || v.n_routes > RAD_MAX_ROUTES6 || v.n_dns > RAD_MAX_DNS6)
		abort();
	for (i = 0; i < v.n_routes; i++)
		check_prefix(&v.routes[i].dst);
	if (v.has_prefix)
		check_prefix(&v.prefix);
	if (v.has_delegated)
		check_prefix(&v.delegated);
	rad_avs_init(&acct);
	rad_build_acct_ipv6(&v, &acct);
	if (v.has_prefix)
		check_round_trip(&acct, RAD_FRAMED_IPV6_PREFIX, &v.prefix);
	if (v.has_delegated)
		check_round_trip(&acct, RAD_DELEGATED_IPV6_PREFIX, &v.delegated);
	rad_avs_free(&acct);
	rad_avs_free(&avs);

	if (rad_parse_route6(data, size, &r) == 0)
		check_prefix(&r.dst);
	if (rad_prefix6_decode(data, size, &p) == 0)
		check_prefix(&p);
	return 0;
}
