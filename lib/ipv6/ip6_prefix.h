/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An IPv6 prefix (address and length, host bits zero): parse, print, test
 * membership. Shared by the prefix pools, the RA and DHCPv6 codecs and the
 * RADIUS IPv6 attributes.
 */
#ifndef LNS_IP6_PREFIX_H
#define LNS_IP6_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ip6_prefix {
	uint8_t addr[16];
	uint8_t len;                   /* 0..128 */
};
#define IP6_PREFIX_STRLEN (46 + 4)     /* INET6_ADDRSTRLEN + "/128" */

/* Clear the bits past p->len. */
void ip6_prefix_mask(struct ip6_prefix *p);
/* "2001:db8::/48": -EINVAL for bad syntax, a length over 128, or host bits set. */
int ip6_prefix_parse(const char *s, struct ip6_prefix *out);
/* Text form into buf (IP6_PREFIX_STRLEN); returns buf. */
char *ip6_prefix_str(const struct ip6_prefix *p, char *buf, size_t cap);
/* Whether inner (address and length) lies inside outer. */
bool ip6_prefix_contains(const struct ip6_prefix *outer, const struct ip6_prefix *inner);
bool ip6_prefix_eq(const struct ip6_prefix *a, const struct ip6_prefix *b);

#endif
