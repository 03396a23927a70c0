/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RADIUS IPv6 attributes for PPP sessions: what an Access-Accept assigns
 * (Framed-Interface-Id and Framed-IPv6-Prefix, RFC 3162 §2.1, §2.3;
 * Framed-IPv6-Route §2.5; Delegated-IPv6-Prefix, RFC 4818;
 * DNS-Server-IPv6-Address, RFC 6911 §3.1) and what accounting reports back
 * (the prefixes and interface identifier in Start, Interim and Stop).
 */
#ifndef LNS_RADIUS_IPV6_H
#define LNS_RADIUS_IPV6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip6_prefix.h"
#include "radius_attr.h"

#define RAD_MAX_ROUTES6 8
#define RAD_MAX_DNS6 2

struct rad_route6 {
	struct ip6_prefix dst;
	uint8_t gw[16];                /* :: : via the session's link */
	uint32_t metric;
};

struct rad_ipv6 {
	bool has_ifid;
	uint8_t ifid[8];
	bool has_prefix;               /* Framed-IPv6-Prefix: the RA's /64 */
	struct ip6_prefix prefix;
	bool has_delegated;            /* Delegated-IPv6-Prefix: DHCPv6 IA_PD */
	struct ip6_prefix delegated;
	struct rad_route6 routes[RAD_MAX_ROUTES6];
	unsigned n_routes;
	uint8_t dns[RAD_MAX_DNS6][16];
	unsigned n_dns;
	unsigned bad;                  /* values of these types that did not parse (left out) */
};

/*
 * RFC 3162 §2.3 value (Reserved, Prefix-Length, Prefix): 2 to 18 bytes,
 * length at most 128, at least the bytes the length covers; bits past the
 * length are cleared. -EINVAL otherwise.
 */
int rad_prefix6_decode(const uint8_t *v, size_t len, struct ip6_prefix *out);
/* The value for p (all 16 prefix bytes); returns 18. */
size_t rad_prefix6_encode(const struct ip6_prefix *p, uint8_t out[18]);
/* "2001:db8:1::/48 :: 1" (RFC 3162 §2.5: prefix[/len] gateway metric). */
int rad_parse_route6(const uint8_t *v, size_t len, struct rad_route6 *out);

/* The IPv6 attributes of an Access-Accept (decoded by rad_decode_reply()). */
void rad_parse_ipv6(const struct rad_avs *in, struct rad_ipv6 *out);
/* The session's IPv6 assignments, for Accounting-Requests: what is set in v. */
void rad_build_acct_ipv6(const struct rad_ipv6 *v, struct rad_avs *out);

#endif
